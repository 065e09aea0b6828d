//! `grader lint`: validates case files and prints every error as `file:line:column: what`,
//! or `FILE: ok`; every file is checked, and the exit code says whether all were valid.

use crate::error::GraderError;
use clap::Args;
use socklab_grader::analyzer::Analyzer;
use socklab_grader::case::{CaseSource, load_case};
use socklab_grader::exit_code;
use std::io::Write;

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Case files, or the names of built-in cases.
    #[arg(required = true, value_name = "CASE")]
    pub cases: Vec<String>,
}

pub fn lint(arguments: LintArgs) -> Result<i32, GraderError> {
    let mut stdout = std::io::stdout().lock();
    let mut all_valid = true;
    for argument in &arguments.cases {
        let source = CaseSource::from_argument(argument);
        let written = match load_case::<Analyzer>(&source) {
            Ok(_) => writeln!(stdout, "{}: ok", source.display_name()),
            Err(errors) => {
                all_valid = false;
                writeln!(stdout, "{errors}")
            }
        };
        written.map_err(|source| GraderError::WriteOutput { source })?;
    }
    Ok(if all_valid {
        exit_code::PASSED
    } else {
        exit_code::INVALID_INPUT
    })
}
