//! Which udp-add checks a run gets, what they read about it, and the `completion` check.

use super::conversation::Conversation;
use super::numbers::Typed;
use super::{exchange, shown, shutdown};
use crate::analyzer::add_numbers::AddNumbersParams;
use crate::analyzer::add_numbers::NameMatchers;
use crate::case::{CheckId, EndsWhen};
use crate::check::program_end::exit_problem;
use crate::check::{Outcome, Status};
use crate::evidence::{PortRelease, Role, Transcript, WireTrace};

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

impl<'a> AddNumbersEvidence<'a> {
    /// What the typed line is, measured against the case's range.
    pub fn typed(&self) -> Typed {
        Typed::classify(self.typed, self.params.range)
    }

    /// The run's datagrams read as the request of the typed integer and its reply.
    pub fn conversation(&self) -> Conversation<'a> {
        Conversation::read(self.trace, self.typed().value())
    }
}

/// Runs the requested checks, in the requested order.
pub fn run_checks(evidence: &AddNumbersEvidence<'_>, checks: &[CheckId]) -> Vec<Outcome> {
    checks
        .iter()
        .map(|&check| match check {
            CheckId::Startup => Outcome::new(check, crate::check::startup::STARTUP)
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

/// What `completion` requires, in the words its outcome states.
pub const COMPLETION: &str = "the client shows the result, then closes its socket and exits";

/// The client exits by itself, with status 0, once it has shown the result. The handout:
/// "The client then terminates after releasing any created sockets."
fn completion(evidence: &AddNumbersEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::Completion, COMPLETION);
    if !matches!(evidence.typed(), Typed::InRange(_)) {
        return outcome
            .status(Status::Informational)
            .observed("not judged: no reply is due, so the client may wait for one");
    }
    let Some((status, ending)) = exit_problem(evidence.client, Role::Client) else {
        return outcome.observed("the client exited with status 0");
    };
    let detail = match status {
        Status::Timeout
            if evidence
                .trace
                .direction(crate::link::Direction::ToClient)
                .next()
                .is_none() =>
        {
            " (no reply reached it)".to_owned()
        }
        _ => evidence.client.last_error_note(),
    };
    outcome
        .status(status)
        .expected("the client exits by itself, with status 0, after the reply")
        .observed(format!("{ending}{detail}"))
}
