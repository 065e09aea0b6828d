//! The report of a submission that lacks a program the case needs, or holds one that
//! cannot be run (`grader check --submission DIR` where no file is named like the client
//! or the server, or one has no `#!` line and no execute bit): every planned run fails its
//! `startup` check with what was looked for or what is wrong, and earns nothing. Rendered in
//! any `--format` like a graded report, so a platform shows the student why, with the
//! grader's own JSON, rather than a script's.

use super::not_run::every_run_failed_on;
use super::replay::Replay;
use super::session::GradeReport;
use crate::analyzer::LoadedCase;
use crate::case::{CheckId, PlannedRun};
use crate::check::startup::STARTUP;
use crate::check::{Outcome, Status};
use std::time::Duration;

/// What the report says about the submission and how it would have been graded.
#[derive(Clone, Debug)]
pub struct MissingPrograms<'a> {
    pub seed: u64,
    /// The mode and why, as `GradeReport::mode` reads.
    pub mode: String,
    /// How the report names each program (the file found, or what was looked for).
    pub client: String,
    pub server: String,
    /// One sentence per program missing or unrunnable: what was looked for and what was
    /// found instead, or why it cannot be run.
    pub problems: &'a [String],
    /// How to run the grading again.
    pub replay: Replay,
}

/// Every run in `runs` failed on `startup`, with `missing.problems` as what was observed.
pub fn missing_programs_report(
    loaded: &LoadedCase,
    runs: &[PlannedRun],
    missing: &MissingPrograms<'_>,
) -> GradeReport {
    let observed = missing.problems.join("; ");
    let failed = Outcome::new(CheckId::Startup, STARTUP)
        .status(Status::Fail)
        .expected("the submission holds both programs the case runs, each runnable")
        .observed(observed);
    let scenarios = every_run_failed_on(loaded, runs, &failed);
    GradeReport {
        case_name: loaded.case.name.clone(),
        case_title: loaded.case.title.clone(),
        seed: missing.seed,
        client: missing.client.clone(),
        server: missing.server.clone(),
        mode: missing.mode.clone(),
        scenarios,
        wall_time: Duration::ZERO,
        replay: missing.replay.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::load::{CaseSource, load_case};
    use crate::case::plan_runs;

    #[test]
    fn a_missing_program_fails_every_run_and_earns_nothing() {
        let loaded = load_case(&CaseSource::from_argument("udp-add")).unwrap();
        let runs = plan_runs(&loaded.case, &[]).unwrap();
        let problems = ["no file named UDP_Client (any extension) in the submission".to_owned()];
        let report = missing_programs_report(
            &loaded,
            &runs,
            &MissingPrograms {
                seed: 7,
                mode: "relay".to_owned(),
                client: "UDP_Client (not found)".to_owned(),
                server: "UDP_Server.py".to_owned(),
                problems: &problems,
                replay: Replay::new("udp-add"),
            },
        );
        assert_eq!(report.scenarios.len(), runs.len());
        let (awarded, possible) = report.points();
        assert_eq!(awarded, 0.0);
        assert!(possible > 0.0);
        assert!(report.any_failed());
        let outcome = &report.scenarios[0].outcomes[0];
        assert_eq!(outcome.check, CheckId::Startup);
        assert!(
            outcome.observed.contains("UDP_Client"),
            "{}",
            outcome.observed
        );
    }
}
