//! The report of a compiled submission that did not build: every planned run fails its
//! `build` outcome with how the build ended and the compiler's first error lines, and
//! earns nothing, like the report of a submission that lacks a program
//! (`grading::missing`). Never "did not start": nothing was started.

use super::prepare::BuildFailure;
use crate::analyzer::LoadedCase;
use crate::case::{CheckId, PlannedRun};
use crate::check::build::BUILD;
use crate::check::{Outcome, Status};
use crate::grading::not_run::every_run_failed_on;
use crate::grading::run::RunSettings;
use crate::grading::session::GradeReport;
use std::time::Duration;

/// Every run in `runs` failed on `build`, saying `failure`.
pub fn build_failure_report(
    loaded: &LoadedCase,
    runs: &[PlannedRun],
    settings: &RunSettings,
    failure: &BuildFailure,
) -> GradeReport {
    let observed = observed(failure);
    let failed = Outcome::new(CheckId::Build, BUILD)
        .status(Status::Fail)
        .expected(format!(
            "`{}` builds {} and makes the programs the case runs",
            failure.command,
            failure.dir.display()
        ))
        .observed(observed);
    let scenarios = every_run_failed_on(loaded, runs, &failed);
    GradeReport {
        case_name: loaded.case.name.clone(),
        case_title: loaded.case.title.clone(),
        seed: settings.seed,
        client: settings.client.label(),
        server: settings.server.label(),
        mode: format!("{} ({})", settings.mode.mode.name(), settings.mode.reason),
        scenarios,
        wall_time: Duration::ZERO,
        replay: settings.replay.clone(),
    }
}

/// `` `make` in DIR: the build exited with status 2; its first error lines: "…", "…" ``.
fn observed(failure: &BuildFailure) -> String {
    let mut text = format!(
        "`{}` in {}: {}",
        failure.command,
        failure.dir.display(),
        failure.problem
    );
    if !failure.lines.is_empty() {
        // Quoted one by one, as `last_error_note` quotes a line: a report keeps each
        // observation on one line.
        let quoted: Vec<String> = failure
            .lines
            .iter()
            .map(|line| format!("{line:?}"))
            .collect();
        text.push_str("; its first error lines: ");
        text.push_str(&quoted.join(", "));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_observation_quotes_the_compilers_lines_as_printed() {
        let failure = BuildFailure {
            dir: "/s/ada".into(),
            command: "make".to_owned(),
            problem: "the build exited with status 2".to_owned(),
            lines: vec![
                "UDP_Client.c:12:5: error: expected ';'".to_owned(),
                "   12 |     return 0".to_owned(),
            ],
        };
        assert_eq!(
            observed(&failure),
            "`make` in /s/ada: the build exited with status 2; its first error lines: \
             \"UDP_Client.c:12:5: error: expected ';'\", \"   12 |     return 0\""
        );
    }
}
