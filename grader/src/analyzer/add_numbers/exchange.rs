//! The wire: the client's request carries the integer the grader typed, and for an
//! in-range integer the server replies to it.

use super::AddNumbersEvidence;
use super::numbers::{Typed, carries};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::link::Direction;
use crate::wording;

/// What `exchange` requires, in the words its outcome states.
pub const EXCHANGE: &str =
    "the client sends its name and the typed integer; the server replies with its name and integer";

pub fn exchange(evidence: &AddNumbersEvidence<'_>) -> Outcome {
    let typed = evidence.typed();
    let outcome = Outcome::new(CheckId::Exchange, EXCHANGE);
    let requests: Vec<_> = evidence.trace.direction(Direction::ToServer).collect();
    let replies: Vec<_> = evidence.trace.direction(Direction::ToClient).collect();
    let Some(first) = requests.first() else {
        if let Typed::NotANumber(text) = &typed {
            return outcome.status(Status::Informational).observed(format!(
                "the client sent nothing after {text:?} was typed (refusing input that is not a number is fine)"
            ));
        }
        return outcome
            .status(Status::Fail)
            .expected(format!(
                "a datagram to the server after `{}` was typed",
                evidence.typed.trim()
            ))
            .observed(format!(
                "the client sent nothing{}",
                evidence.client.last_error_note()
            ));
    };
    let request_text = wording::payload_text(&first.bytes);
    let Some(value) = typed.value() else {
        // Whatever the client makes of text it cannot parse is its own business; the
        // scenario is about the server surviving it.
        return outcome
            .status(Status::Informational)
            .observed(format!("the client sent {request_text}"));
    };
    if !requests
        .iter()
        .any(|request| carries(&request.bytes, value))
    {
        return outcome
            .status(Status::Fail)
            .expected(format!("the request carries the typed integer {value}"))
            .observed(format!("the client sent {request_text}"))
            .evidence("to-server #1");
    }
    match typed {
        Typed::InRange(_) => match replies.first() {
            Some(reply) => outcome.observed(format!(
                "request {request_text}, reply {}",
                wording::payload_text(&reply.bytes)
            )),
            None => outcome
                .status(Status::Fail)
                .expected("a reply from the server")
                .observed(format!(
                    "the client sent {request_text}; the server never replied{}",
                    evidence.server.last_error_note()
                )),
        },
        _ => outcome.observed(format!("the client sent {request_text}")),
    }
}
