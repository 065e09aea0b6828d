//! `grader schema`: the JSON Schema of case files, with `--report` of the `--format json`
//! report, with `--class` of `grader batch`'s `class.json`, or with `--doctor` of `grader
//! doctor --format json`, for editors (the
//! yaml-language-server modeline) and for consumers of reports.

use crate::error::GraderError;
use clap::Args;
use socklab_grader::exit_code;
use std::io::Write;

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The schema of the `--format json` report instead of the case file's.
    #[arg(long, group = "which")]
    pub report: bool,
    /// The schema of `grader batch`'s `class.json` instead of the case file's.
    #[arg(long, group = "which")]
    pub class: bool,
    /// The schema of `grader doctor --format json` instead of the case file's.
    #[arg(long, group = "which")]
    pub doctor: bool,
}

pub fn schema(arguments: SchemaArgs) -> Result<i32, GraderError> {
    let schema = if arguments.report {
        socklab_grader::report::json::schema()
    } else if arguments.class {
        socklab_grader::batch::class::class_schema()
    } else if arguments.doctor {
        socklab_grader::doctor::schema()
    } else {
        socklab_grader::case::schema::case_schema::<socklab_grader::analyzer::Analyzer>()
    };
    let text = serde_json::to_string_pretty(&schema)
        .map_err(|source| GraderError::SerializeSchema { source })?;
    writeln!(std::io::stdout(), "{text}").map_err(|source| GraderError::WriteSchema { source })?;
    Ok(exit_code::PASSED)
}
