//! `grader explain`: what a case grades, in words a student can read.

use crate::error::GraderError;
use clap::Args;
use socklab_grader::case::{CaseSource, load_case};
use socklab_grader::exit_code;
use std::io::Write;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A built-in case name (rdt3) or the path of a case YAML file.
    pub case: String,
}

pub fn explain(arguments: ExplainArgs) -> Result<i32, GraderError> {
    let loaded =
        load_case(&CaseSource::from_argument(&arguments.case)).map_err(GraderError::InvalidCase)?;
    let text = socklab_grader::explain::explain(&loaded);
    write!(std::io::stdout(), "{text}").map_err(|source| GraderError::WriteOutput { source })?;
    Ok(exit_code::PASSED)
}
