//! The wire: the client's request carries the integer the grader typed, and for an
//! in-range integer the server replies to it, in as many datagrams as each side likes.
//!
//! The handout: the client should "send a message to your server containing (i) a string
//! containing your name … and (ii) the entered integer value and then wait for a sever
//! reply"; the server should "send its name string and the server-chosen integer value
//! back to the client", and "if your server receives an integer value that is out of
//! range, it should terminate … You can use this to shut down your server."

use super::AddNumbersEvidence;
use super::conversation::{Conversation, describe};
use super::numbers::Typed;
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::ExitReason;
use crate::wording;

/// What `exchange` requires, in the words its outcome states.
pub const EXCHANGE: &str =
    "the client sends its name and the typed integer; the server replies with its name and integer";

pub fn exchange(evidence: &AddNumbersEvidence<'_>) -> Outcome {
    let typed = evidence.typed();
    let outcome = Outcome::new(CheckId::Exchange, EXCHANGE);
    let conversation = evidence.conversation();
    let Some(value) = typed.value() else {
        // Whatever the client makes of text it cannot parse is its own business; the
        // scenario is about the server surviving it.
        let observed = if conversation.from_client.is_empty() {
            format!(
                "the client sent nothing after {:?} was typed (refusing input that is not a number is fine)",
                evidence.typed.trim()
            )
        } else {
            format!("the client sent {}", describe(&conversation.from_client))
        };
        return outcome.status(Status::Informational).observed(observed);
    };
    let Some(sent) = conversation.integer else {
        return integer_never_sent(evidence, &conversation, outcome, &typed, value);
    };
    let request = describe(&conversation.from_client);
    if sent.reached_server.is_none() {
        return outcome
            .status(Status::Fail)
            .expected(format!("the typed {value} reaches the server"))
            .observed(format!(
                "the client sent {request}; the datagram carrying {value} was {}",
                sent.datagram.fate.summary()
            ))
            .evidence(wording::datagram(sent.datagram.direction, sent.datagram.nth));
    }
    if !matches!(typed, Typed::InRange(_)) {
        return outcome.observed(format!("the client sent {request}"));
    }
    let reply = conversation.reply();
    if reply.is_empty() {
        let earlier = if conversation.from_server.is_empty() {
            String::new()
        } else {
            format!(
                " (before {value} reached it, it had sent {})",
                describe(&conversation.from_server)
            )
        };
        return outcome
            .status(Status::Fail)
            .expected("a reply from the server")
            .observed(format!(
                "the client sent {request}; the server never replied{earlier}{}",
                evidence.server.last_error_note()
            ));
    }
    outcome.observed(format!(
        "the client sent {request}; the server answered with {}",
        describe(&reply)
    ))
}

/// The typed integer is on none of the client's datagrams: it never reached the server.
/// For an out-of-range integer that is how a client that refuses it itself shows on the
/// wire, and the report says that this left the server's shutdown untested.
fn integer_never_sent(
    evidence: &AddNumbersEvidence<'_>,
    conversation: &Conversation<'_>,
    outcome: Outcome,
    typed: &Typed,
    value: i64,
) -> Outcome {
    let sent = if conversation.from_client.is_empty() {
        "the client sent nothing".to_owned()
    } else {
        format!(
            "the client sent only {}",
            describe(&conversation.from_client)
        )
    };
    let consequence = match typed {
        Typed::OutOfRange(_) => {
            "; a client that refuses an out-of-range integer itself never lets the server \
             shut down, so this run cannot test the server's shutdown (the reference client does)"
        }
        _ => "",
    };
    outcome
        .status(Status::Fail)
        .expected(format!("the request carries the typed integer {value}"))
        .observed(format!(
            "the typed {value} never reached the server: {sent}{}{}{consequence}",
            client_ending(evidence),
            last_output(evidence)
        ))
}

/// How the client's run ended, as a clause.
fn client_ending(evidence: &AddNumbersEvidence<'_>) -> String {
    match &evidence.client.exit {
        Some(ExitReason::Exited { code }) => format!("; it exited with status {code}"),
        Some(ExitReason::Signalled { signal }) => format!("; it was killed by signal {signal}"),
        Some(ExitReason::DeadlineExceeded) => {
            "; it was still running at the scenario's deadline".to_owned()
        }
        Some(ExitReason::StoppedByGrader) => {
            "; it was still running when the scenario ended".to_owned()
        }
        None => String::new(),
    }
}

/// The client's last line of output, which often says why it kept the integer to itself
/// ("0 is out of range").
fn last_output(evidence: &AddNumbersEvidence<'_>) -> String {
    evidence
        .client
        .lines
        .last()
        .map(|line| format!("; its last output line: {:?}", line.text))
        .unwrap_or_default()
}
