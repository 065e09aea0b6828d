//! `grader doctor`: what this machine allows the grader, and which mode each kind of
//! submission (and each case) would be graded in here.

use crate::error::GraderError;
use clap::Args;
use socklab_grader::doctor::{diagnose, terminal};
use socklab_grader::exit_code;
use std::io::Write;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// `terminal` for people, or `json` for scripts (its schema: `grader schema --doctor`).
    #[arg(long, value_enum, default_value_t = DoctorFormat::Terminal)]
    pub format: DoctorFormat,
    /// Also name the mode of this case (a built-in name or a YAML file); repeatable. The
    /// built-in cases are always listed.
    #[arg(long = "case", value_name = "CASE")]
    pub cases: Vec<String>,
}

/// `grader doctor --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DoctorFormat {
    Terminal,
    Json,
}

/// Probes and prints; exits 0 whenever it could say what it found (what it could not
/// probe is part of the answer).
pub fn doctor(arguments: DoctorArgs) -> Result<i32, GraderError> {
    let mut cases: Vec<String> = socklab_grader::case::builtin::builtin_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    cases.extend(arguments.cases);
    let diagnosis = diagnose(&cases);
    let text = match arguments.format {
        DoctorFormat::Terminal => terminal::render(&diagnosis),
        DoctorFormat::Json => {
            let mut json = serde_json::to_string_pretty(&diagnosis)
                .map_err(|source| GraderError::SerializeSchema { source })?;
            json.push('\n');
            json
        }
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|source| GraderError::WriteOutput { source })?;
    Ok(exit_code::PASSED)
}
