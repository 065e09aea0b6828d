//! The udp-add checks of ASSIGNMENTS.md §2, without knowing the student's message format:
//! the grader knows the integer it typed, finds the names and the server's integer on the
//! wire and in the outputs, and checks what each program shows.

pub mod exchange;
pub mod numbers;
pub mod shown;
pub mod shutdown;

use crate::case::load::NameMatchers;
use crate::case::{AddNumbersParams, CheckId, EndsWhen};
use crate::check::{Outcome, Status};
use crate::evidence::{ExitReason, PortRelease, Transcript, WireTrace};
pub use numbers::{Typed, integers_in};

/// Everything the udp-add checks read about one scenario run.
#[derive(Debug)]
pub struct AddNumbersEvidence<'a> {
    pub params: &'a AddNumbersParams,
    pub names: &'a NameMatchers,
    /// What the grader typed on the client's stdin.
    pub typed: &'a str,
    pub client: &'a Transcript,
    pub server: &'a Transcript,
    pub trace: &'a WireTrace,
    pub server_release: Option<&'a PortRelease>,
    pub ends_when: EndsWhen,
}

impl AddNumbersEvidence<'_> {
    /// What the typed line is, measured against the case's range.
    pub fn typed(&self) -> Typed {
        Typed::classify(self.typed, self.params.range)
    }
}

/// Runs the requested checks, in the requested order.
pub fn run_checks(evidence: &AddNumbersEvidence<'_>, checks: &[CheckId]) -> Vec<Outcome> {
    checks
        .iter()
        .map(|&check| match check {
            CheckId::Startup => Outcome::new(check, "both programs start")
                .observed("the server bound its port and the client ran"),
            CheckId::Exchange => exchange::exchange(evidence),
            CheckId::Names => shown::names(evidence),
            CheckId::Sum => shown::sum(evidence),
            CheckId::Shutdown => shutdown::shutdown(evidence),
            CheckId::Completion => completion(evidence),
            other => Outcome::new(other, "a check of another analyzer")
                .status(Status::Error)
                .observed(format!(
                    "the add-numbers analyzer does not perform `{other}`"
                )),
        })
        .collect()
}

/// The client exits by itself, with status 0, once it has shown the result.
fn completion(evidence: &AddNumbersEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(
        CheckId::Completion,
        "the client shows the result, then closes its socket and exits",
    );
    if !matches!(evidence.typed(), Typed::InRange(_)) {
        return outcome
            .status(Status::Informational)
            .observed("not judged: no reply is due, so the client may wait for one");
    }
    match &evidence.client.exit {
        Some(ExitReason::Exited { code: 0 }) => outcome.observed("the client exited with status 0"),
        Some(ExitReason::Exited { code }) => outcome
            .status(Status::Fail)
            .expected("exit status 0")
            .observed(format!(
                "the client exited with status {code}{}",
                last_error(evidence.client)
            )),
        Some(ExitReason::Signalled { signal }) => outcome
            .status(Status::Fail)
            .expected("exit status 0")
            .observed(format!("the client was killed by signal {signal}")),
        Some(ExitReason::DeadlineExceeded) => outcome
            .status(Status::Timeout)
            .expected("the client exits after the reply")
            .observed(format!(
                "the client was still running at the scenario's deadline{}",
                if evidence
                    .trace
                    .direction(crate::link::Direction::ToClient)
                    .next()
                    .is_none()
                {
                    " (no reply reached it)"
                } else {
                    ""
                }
            )),
        Some(ExitReason::StoppedByGrader) | None => outcome
            .status(Status::Fail)
            .observed("the client did not exit by itself"),
    }
}

/// `; its last error line: "..."` when the program wrote to stderr.
pub(crate) fn last_error(transcript: &Transcript) -> String {
    transcript
        .lines
        .iter()
        .rev()
        .find(|line| line.stream == crate::evidence::Stream::Stderr)
        .map(|line| format!("; its last error line: {:?}", line.text))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
