//! An out-of-range integer shuts the server down: it exits by itself within the budget,
//! and its port can be bound again (nothing it left behind still holds the socket). An
//! in-range integer or a message with no integer must not.

use super::AddNumbersEvidence;
use super::numbers::Typed;
use crate::case::{CheckId, EndsWhen};
use crate::check::{Outcome, Status};
use crate::evidence::ExitReason;
use crate::link::Direction;

/// What `shutdown` requires, in the words its outcome states.
pub const SHUTDOWN: &str = "on an integer outside the range the server releases its socket and terminates; otherwise it keeps serving";

pub fn shutdown(evidence: &AddNumbersEvidence<'_>) -> Outcome {
    let typed = evidence.typed();
    let outcome = Outcome::new(CheckId::Shutdown, SHUTDOWN);
    let sent = evidence
        .trace
        .direction(Direction::ToServer)
        .next()
        .is_some();
    match typed {
        Typed::OutOfRange(value) => {
            if !sent {
                return outcome
                    .status(Status::Fail)
                    .expected(format!(
                        "the client sends the typed {value}, which shuts the server down"
                    ))
                    .observed(format!(
                        "the client never sent it (the handout shuts the server down this way){}",
                        evidence.client.last_error_note()
                    ));
            }
            out_of_range(evidence, outcome, value)
        }
        Typed::NotANumber(_) if !sent => outcome
            .status(Status::Informational)
            .observed("not exercised: the client sent the server nothing"),
        Typed::InRange(_) | Typed::NotANumber(_) => {
            let what = match &typed {
                Typed::NotANumber(text) => format!("a message without an integer ({text:?})"),
                _ => "an in-range integer".to_owned(),
            };
            match &evidence.server.exit {
                Some(ExitReason::Exited { code }) => outcome
                    .status(if matches!(typed, Typed::NotANumber(_)) {
                        Status::Fail
                    } else {
                        Status::NonStrict
                    })
                    .expected(format!("the server keeps serving after {what}"))
                    .observed(format!(
                        "the server exited with status {code}{}",
                        evidence.server.last_error_note()
                    )),
                Some(ExitReason::Signalled { signal }) => outcome
                    .status(Status::Fail)
                    .expected(format!("the server keeps serving after {what}"))
                    .observed(format!("the server was killed by signal {signal}")),
                _ => outcome.observed(format!("the server kept serving after {what}")),
            }
        }
    }
}

fn out_of_range(evidence: &AddNumbersEvidence<'_>, outcome: Outcome, value: i64) -> Outcome {
    let expected = format!("after {value} the server exits by itself and its port is free again");
    let Some(release) = evidence.server_release else {
        let observed = match (&evidence.server.exit, evidence.ends_when) {
            (_, EndsWhen::ClientExits) => {
                return outcome.status(Status::Error).observed(
                    "the case does not wait for the server's exit in this scenario (`ends-when: server-exits`)",
                );
            }
            (Some(ExitReason::DeadlineExceeded), _) => format!(
                "the server was still running at the scenario's deadline, after the client sent {value}"
            ),
            _ => "the server did not exit by itself".to_owned(),
        };
        return outcome
            .status(Status::Fail)
            .expected(expected)
            .observed(observed);
    };
    if !release.free_again {
        return outcome
            .status(Status::Fail)
            .expected(expected)
            .observed(format!(
                "the server exited, but port {} could not be bound again ({}): a process it started still holds the socket",
                release.port,
                release.error.as_deref().unwrap_or("in use")
            ));
    }
    match &evidence.server.exit {
        Some(ExitReason::Exited { code: 0 }) => outcome.observed(format!(
            "the server exited after {value} and port {} was free again",
            release.port
        )),
        Some(ExitReason::Exited { code }) => outcome
            .status(Status::NonStrict)
            .expected(format!("{expected}, with status 0"))
            .observed(format!(
                "the server exited with status {code}{} (port {} was free again)",
                evidence.server.last_error_note(),
                release.port
            )),
        Some(ExitReason::Signalled { signal }) => outcome
            .status(Status::Fail)
            .expected(expected)
            .observed(format!("the server was killed by signal {signal}")),
        _ => outcome
            .status(Status::Fail)
            .expected(expected)
            .observed("the server did not exit by itself"),
    }
}
