//! Turning one run's evidence into outcomes with the case's analyzer and checks.

use super::scenario::RunEvidence;
use crate::analyze::Conversation;
use crate::case::load::{CompiledAnalyzer, LoadedCase};
use crate::case::{Analyzer, CheckId};
use crate::check::add_numbers::{self, AddNumbersEvidence};
use crate::check::file_transfer::{self, FileTransferEvidence};
use crate::check::line_upload::{self, LineUploadEvidence};
use crate::check::rdt3::timer::TimerAnalysis;
use crate::check::rdt3::{Rdt3Evidence, run_checks};
use crate::check::repeated_transfer::{self, RepeatedTransferEvidence};
use crate::check::tcp_like::{self, TcpLikeEvidence};
use crate::check::{Outcome, Status};
use std::time::Duration;

/// The timer-driven retransmission gaps of one run, to pool across a session.
pub fn timer_samples(loaded: &LoadedCase, evidence: &RunEvidence) -> Vec<Duration> {
    if evidence.startup_failure.is_some() {
        return Vec::new();
    }
    with_rdt3_evidence(loaded, evidence, &[], |rdt3| {
        TimerAnalysis::new(rdt3).gaps().collect()
    })
    .unwrap_or_default()
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
    let scenario = &case.scenarios[evidence.scenario];
    let checks = scenario.checks(case);
    match (&case.analyzer, &loaded.compiled) {
        (Analyzer::AlternatingBit(_), _) => {
            with_rdt3_evidence(loaded, evidence, session_timer_samples, |rdt3| {
                run_checks(rdt3, checks)
            })
            .unwrap_or_default()
        }
        (Analyzer::AddNumbers(params), CompiledAnalyzer::AddNumbers { names }) => {
            let typed = scenario
                .client_stdin
                .as_ref()
                .map(|script| script.text())
                .unwrap_or_default();
            add_numbers::run_checks(
                &AddNumbersEvidence {
                    params,
                    names,
                    typed: &typed,
                    client: &evidence.client,
                    server: &evidence.server,
                    trace: &evidence.trace,
                    server_release: evidence.server_release.as_ref(),
                    ends_when: scenario.ends_when(case),
                },
                checks,
            )
        }
        (Analyzer::FileTransfer(params), CompiledAnalyzer::FileTransfer) => {
            file_transfer::run_checks(
                &FileTransferEvidence {
                    params,
                    file: evidence.file.as_ref(),
                    client: &evidence.client,
                    server: &evidence.server,
                    trace: &evidence.trace,
                },
                checks,
            )
        }
        (Analyzer::LineUpload(_), CompiledAnalyzer::LineUpload { accepted, quitting }) => {
            line_upload::run_checks(
                &LineUploadEvidence {
                    accepted,
                    quitting,
                    uploads: &evidence.uploads,
                    client: &evidence.client,
                    server: &evidence.server,
                    trace: &evidence.trace,
                    server_files: &evidence.server_files,
                    stream_faults: scenario.stream.as_ref(),
                },
                checks,
            )
        }
        (
            Analyzer::RepeatedTransfer(params),
            CompiledAnalyzer::RepeatedTransfer {
                server,
                client,
                error_count,
            },
        ) => repeated_transfer::run_checks(
            &RepeatedTransferEvidence {
                params,
                server_lines: server,
                client_lines: client,
                error_count,
                file: evidence.file.as_ref(),
                client: &evidence.client,
                server: &evidence.server,
                trace: &evidence.trace,
                server_files: &evidence.server_files,
                test_address: evidence.test_address,
                host: loaded.case.programs.host.as_ref().map(|host| host.value),
            },
            checks,
        ),
        (Analyzer::TcpLike(params), CompiledAnalyzer::TcpLike) => tcp_like::run_checks(
            &TcpLikeEvidence {
                params,
                file: evidence.file.as_ref(),
                client: &evidence.client,
                server: &evidence.server,
                trace: &evidence.trace,
            },
            checks,
        ),
        _ => unreachable!("loading compiles the analyzer the case names"),
    }
}

/// Decodes the run as an alternating-bit conversation and hands `use_it` what the rdt3
/// checks read; `None` when the case uses another analyzer.
fn with_rdt3_evidence<R>(
    loaded: &LoadedCase,
    evidence: &RunEvidence,
    session_timer_samples: &[Duration],
    use_it: impl FnOnce(&Rdt3Evidence<'_>) -> R,
) -> Option<R> {
    let (Analyzer::AlternatingBit(params), CompiledAnalyzer::AlternatingBit { layout, logs }) =
        (&loaded.case.analyzer, &loaded.compiled)
    else {
        return None;
    };
    let checksum = checksum_of(loaded);
    let conversation = Conversation::analyze(&evidence.trace, layout, checksum, params);
    Some(use_it(&Rdt3Evidence {
        conversation: &conversation,
        params,
        logs,
        layout,
        checksum,
        client: &evidence.client,
        server: &evidence.server,
        session_timer_samples,
    }))
}

fn checksum_of(loaded: &LoadedCase) -> Option<&crate::wire::ChecksumSpec> {
    loaded
        .case
        .wire
        .as_ref()
        .and_then(|wire| wire.checksum.as_ref())
        .map(|spanned| &spanned.value)
}
