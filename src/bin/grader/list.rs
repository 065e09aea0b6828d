//! `grader list`: the built-in cases, one a line: name, transport, scenarios, title.

use crate::error::GraderError;
use socklab_grader::analyzer::Analyzer;
use socklab_grader::case::builtin::BUILTIN_CASES;
use socklab_grader::case::{CaseSource, load_case};
use socklab_grader::exit_code;
use std::io::Write;

pub fn list() -> Result<i32, GraderError> {
    let width = BUILTIN_CASES
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    let mut stdout = std::io::stdout().lock();
    for (name, _) in BUILTIN_CASES {
        // A built-in case that does not load is the grader's bug, not the user's.
        let loaded = load_case::<Analyzer>(&CaseSource::Builtin((*name).to_owned()))
            .map_err(GraderError::InvalidBuiltinCase)?;
        let case = &loaded.case;
        let scenarios = case.scenarios.len();
        let plural = if scenarios == 1 { "" } else { "s" };
        writeln!(
            stdout,
            "{name:width$}  {transport}  {scenarios:>2} scenario{plural:1}  {title}",
            transport = case.transport.name(),
            title = case.title,
        )
        .map_err(|source| GraderError::WriteOutput { source })?;
    }
    Ok(exit_code::PASSED)
}
