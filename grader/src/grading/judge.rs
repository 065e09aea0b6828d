//! Turning one run's evidence into outcomes with the case's analyzer and checks.

use crate::analyzer::{Judge, LoadedCase, Run};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::RunEvidence;
use std::time::Duration;

/// The timer-driven retransmission gaps of one run, to pool across a session.
pub fn timer_samples(loaded: &LoadedCase, evidence: &RunEvidence) -> Vec<Duration> {
    if evidence.startup_failure.is_some() {
        return Vec::new();
    }
    loaded
        .compiled
        .timer_samples(&run_of(loaded, evidence, &[]))
}

/// The outcomes of every check of the case on one run, in the case's order;
/// `session_timer_samples` are [`timer_samples`] of every run of the session.
pub fn judge(
    loaded: &LoadedCase,
    evidence: &RunEvidence,
    session_timer_samples: &[Duration],
) -> Vec<Outcome> {
    if let Some(failure) = &evidence.startup_failure {
        // It already says how the server ended, with its last words.
        let observed = failure.clone();
        return vec![
            Outcome::new(
                CheckId::Startup,
                "the server starts and binds the port it is given",
            )
            .status(Status::Fail)
            .expected("a socket bound to the server's port")
            .observed(observed),
        ];
    }
    loaded
        .compiled
        .judge(&run_of(loaded, evidence, session_timer_samples))
}

/// The run as the analyzer judges it.
fn run_of<'a>(
    loaded: &'a LoadedCase,
    evidence: &'a RunEvidence,
    session_timer_samples: &'a [Duration],
) -> Run<'a> {
    let case = &loaded.case;
    let scenario = &case.scenarios[evidence.scenario];
    Run {
        scenario,
        checks: scenario.checks(case),
        ends_when: scenario.ends_when(case),
        evidence,
        host: case.programs.host.as_ref().map(|host| host.value),
        session_timer_samples,
    }
}
