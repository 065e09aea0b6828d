//! Turning one run's evidence into outcomes with the case's analyzer and checks.

use super::scenario::RunEvidence;
use crate::analyze::Conversation;
use crate::case::load::LoadedCase;
use crate::case::{Analyzer, CheckId};
use crate::check::rdt3::timer::TimerAnalysis;
use crate::check::rdt3::{Rdt3Evidence, run_checks};
use crate::check::{Outcome, Status};
use std::time::Duration;

/// The timer-driven retransmission gaps of one run, to pool across a session.
pub fn timer_samples(loaded: &LoadedCase, evidence: &RunEvidence) -> Vec<Duration> {
    if evidence.startup_failure.is_some() {
        return Vec::new();
    }
    let case = &loaded.case;
    let Analyzer::AlternatingBit(params) = &case.analyzer;
    let checksum = case.wire.checksum.as_ref().map(|spanned| &spanned.value);
    let conversation = Conversation::analyze(&evidence.trace, &loaded.layout, checksum, params);
    let rdt3 = rdt3_evidence(loaded, evidence, &conversation, &[]);
    TimerAnalysis::new(&rdt3).gaps().collect()
}

/// The outcomes of every check of the case on one run, in the case's order;
/// `session_timer_samples` are [`timer_samples`] of every run of the session.
pub fn judge(
    loaded: &LoadedCase,
    evidence: &RunEvidence,
    session_timer_samples: &[Duration],
) -> Vec<Outcome> {
    if let Some(failure) = &evidence.startup_failure {
        let stderr_tail: Vec<&str> = evidence
            .server
            .lines
            .iter()
            .rev()
            .take(3)
            .map(|line| line.text.as_str())
            .collect();
        let mut observed = failure.clone();
        if !stderr_tail.is_empty() {
            let tail: Vec<&str> = stderr_tail.into_iter().rev().collect();
            observed.push_str(&format!("; its last output: {tail:?}"));
        }
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
    let case = &loaded.case;
    let Analyzer::AlternatingBit(params) = &case.analyzer;
    let checksum = case.wire.checksum.as_ref().map(|spanned| &spanned.value);
    let conversation = Conversation::analyze(&evidence.trace, &loaded.layout, checksum, params);
    let rdt3 = rdt3_evidence(loaded, evidence, &conversation, session_timer_samples);
    run_checks(&rdt3, &case.checks)
}

fn rdt3_evidence<'a>(
    loaded: &'a LoadedCase,
    evidence: &'a RunEvidence,
    conversation: &'a Conversation,
    session_timer_samples: &'a [Duration],
) -> Rdt3Evidence<'a> {
    let Analyzer::AlternatingBit(params) = &loaded.case.analyzer;
    Rdt3Evidence {
        conversation,
        params,
        logs: &loaded.logs,
        layout: &loaded.layout,
        checksum: loaded
            .case
            .wire
            .checksum
            .as_ref()
            .map(|spanned| &spanned.value),
        client: &evidence.client,
        server: &evidence.server,
        session_timer_samples,
    }
}
