//! An out-of-range integer shuts the server down: it exits by itself within the budget,
//! and its port can be bound again (nothing it left behind still holds the socket). An
//! in-range integer or a message with no integer must not.

use super::AddNumbersEvidence;
use super::numbers::Typed;
use crate::case::{CheckId, EndsWhen};
use crate::check::{Outcome, Status};
use crate::evidence::{ExitReason, WireEvent};
use crate::wording;

/// What `shutdown` requires, in the words its outcome states.
pub const SHUTDOWN: &str = "on an integer outside the range the server releases its socket and terminates; otherwise it keeps serving";

pub fn shutdown(evidence: &AddNumbersEvidence<'_>) -> Outcome {
    let typed = evidence.typed();
    let outcome = Outcome::new(CheckId::Shutdown, SHUTDOWN);
    let conversation = evidence.conversation();
    match typed {
        Typed::OutOfRange(value) => {
            // "If your server receives an integer value that is out of range, it should
            // terminate after releasing any created sockets": judged only once it did
            // receive it. Before that there is nothing to judge the server on; `exchange`
            // says why the integer never came.
            let reached = conversation
                .integer
                .and_then(|sent| sent.reached_server.map(|_| sent));
            let Some(sent) = reached else {
                let why = match conversation.integer {
                    Some(sent) => format!(
                        "the datagram carrying {value} was {}",
                        sent.datagram.fate.summary()
                    ),
                    None => format!("the client never sent {value}"),
                };
                return outcome.status(Status::Informational).observed(format!(
                    "not judged: {value} never reached the server ({why}), so nothing asked it to shut down; \
                     the reference client grades the server's shutdown (`grader check` with the student's \
                     server alone, or a case's `server` role in `grader batch`)"
                ));
            };
            out_of_range(evidence, outcome, value, sent.datagram)
        }
        Typed::NotANumber(_) if conversation.from_client.is_empty() => outcome
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

/// The server was given the out-of-range `value` (in `datagram`): it must exit by itself
/// and leave its port free.
fn out_of_range(
    evidence: &AddNumbersEvidence<'_>,
    outcome: Outcome,
    value: i64,
    datagram: &WireEvent,
) -> Outcome {
    let expected = format!("after {value} the server exits by itself and its port is free again");
    let carrying = wording::datagram(datagram.direction, datagram.nth);
    let Some(release) = evidence.server_release else {
        let observed = match (&evidence.server.exit, evidence.ends_when) {
            (_, EndsWhen::ClientExits) => {
                return outcome.status(Status::Error).observed(
                    "the case does not wait for the server's exit in this scenario (`ends-when: server-exits`)",
                );
            }
            (Some(ExitReason::DeadlineExceeded), _) => format!(
                "the server was still running at the scenario's deadline, after it was given {value} ({carrying})"
            ),
            _ => "the server did not exit by itself".to_owned(),
        };
        return outcome
            .status(Status::Fail)
            .expected(expected)
            .observed(observed)
            .evidence(carrying);
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
