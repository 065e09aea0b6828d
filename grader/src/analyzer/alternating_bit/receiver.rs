//! The server's side: `ack-behaviour`, its replies judged as rdt 2.2's.
//!
//! The handout: the server "will receive the packet, check to see if it is corrupted and then
//! take appropriate action. This process will exactly mirror rdt 3.0 as shown in the
//! textbook", and "the server/receiver FSM uses rdt 2.2": a good packet with the expected
//! seq is ACKed with its seq, a corrupt packet or a duplicate gets the ACK of the last good
//! one again. Which packet each reply answers is found by what it carries and when
//! ([`replies`](super::replies)); a packet with no reply on the wire is a lost ACK, legal
//! (a course template's loss simulator withholds ACKs on purpose), and reported as such,
//! with the server's own log where it claims a reply the relay never saw.

use super::Rdt3Evidence;
use super::replies::{self, Candidate, Misfit, Pairing};
use crate::analyzer::alternating_bit::{Conversation, Step, StepKind};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::link::Direction;
use crate::wording;
use std::time::Duration;

/// What `ack-behaviour` requires, in the words its outcome states.
pub const ACK_BEHAVIOUR: &str = "the server ACKs a good in-order packet with its seq, and re-ACKs the last good seq after a corrupt or duplicate packet (rdt 2.2)";

/// How many packets without a reply a passing outcome names, before "and N more".
const NAMED_UNANSWERED: usize = 3;

/// Every reply of the server is the rdt 2.2 answer to a packet it had received and not yet
/// answered; and it answers at least one packet.
pub fn ack_behaviour(evidence: &Rdt3Evidence<'_>) -> Outcome {
    let conversation = evidence.conversation;
    let outcome = Outcome::new(CheckId::AckBehaviour, ACK_BEHAVIOUR);
    let pairing = match replies::pair(conversation) {
        Ok(pairing) => pairing,
        Err(misfit) => return misfit_outcome(outcome, conversation, &misfit),
    };
    // A packet delivered just before the server was stopped may fairly be unanswered.
    let server_end = evidence.server.ended_at.unwrap_or(Duration::MAX);
    let margin = Duration::from_millis(50);
    let settled = |delivery: &&usize| conversation.steps[**delivery].at + margin < server_end;
    if pairing.answered.is_empty()
        && let Some(&first) = pairing.unanswered.iter().find(settled)
    {
        let given = pairing.unanswered.iter().filter(settled).count();
        let claims = evidence
            .server
            .lines
            .iter()
            .filter(|line| evidence.logs.sent.is_match(&line.text))
            .count();
        let claimed = if claims > 0 {
            format!(
                ", though its output has {claims} line{} matching the \"sent\" pattern",
                if claims == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        return outcome
            .status(Status::Fail)
            .expected("an ACK for the packets the server receives")
            .observed(format!(
                "the server was given {given} packet{} (the first: {}) and no datagram from it reached the relay{claimed}",
                if given == 1 { "" } else { "s" },
                conversation.steps[first].describe()
            ))
            .evidence(conversation.steps[first].describe());
    }
    let answered = pairing.answered.len();
    let mut observed = format!("all {answered} ACKs follow rdt 2.2");
    if !pairing.unanswered.is_empty() {
        observed.push_str(&unanswered_note(evidence, &pairing));
    }
    outcome.observed(observed)
}

/// The failure for a reply that answers nothing it could.
fn misfit_outcome(outcome: Outcome, conversation: &Conversation, misfit: &Misfit) -> Outcome {
    let outcome = outcome.status(Status::Fail);
    let (reply, candidates) = match misfit {
        Misfit::NothingToAnswer { reply } => {
            let step = &conversation.steps[*reply];
            return outcome
                .expected("one ACK per packet the server received")
                .observed(format!(
                    "the server sent {} when it had no packet left to answer",
                    step.describe()
                ))
                .evidence(step.describe());
        }
        Misfit::Wrong { reply, candidates } => (&conversation.steps[*reply], candidates),
    };
    let said = match reply.packet.as_ref().ok().map(|p| (p.ack, p.seq)) {
        Some((1, seq)) => format!("an ACK for seq {seq}"),
        Some((ack, seq)) => format!("ack={ack} seq={seq}"),
        None => "a datagram that does not decode".to_owned(),
    };
    let outcome = outcome.evidence(reply.describe());
    match candidates.as_slice() {
        [only] => {
            let delivery = &conversation.steps[only.delivery];
            let acks: Vec<String> = only
                .expected
                .acks(only.given)
                .iter()
                .map(i128::to_string)
                .collect();
            outcome
                .expected(format!("an ACK for seq {}", acks.join(" or ")))
                .observed(format!(
                    "the server answered {} ({}) with {said} ({})",
                    only.given.describe(only.expected),
                    delivery.describe(),
                    reply.describe()
                ))
                .evidence(delivery.describe())
        }
        several => {
            let calls: Vec<String> = several
                .iter()
                .map(|candidate: &Candidate| candidate.describe(conversation))
                .collect();
            outcome
                .expected("the ACK rdt 2.2 calls for, for one of the packets not yet answered")
                .observed(format!(
                    "the server sent {said} ({}) when it had {} packets not yet answered: {}",
                    reply.describe(),
                    several.len(),
                    calls.join("; ")
                ))
        }
    }
}

/// `; 1 packet got no ACK of its own (a withheld ACK is a lost ACK, which the client's
/// timer covers): to-server #1 delivered at 0.012 s — no datagram from the server reached
/// the relay before the next packet reached the server (0.021 s), though its output says
/// "Sent packet: …" at 0.012 s`.
fn unanswered_note(evidence: &Rdt3Evidence<'_>, pairing: &Pairing) -> String {
    let count = pairing.unanswered.len();
    let named: Vec<String> = pairing
        .unanswered
        .iter()
        .take(NAMED_UNANSWERED)
        .map(|&delivery| without_reply(evidence, delivery))
        .collect();
    let more = count.saturating_sub(NAMED_UNANSWERED);
    format!(
        "; {count} packet{} got no ACK of {} own (a withheld ACK is a lost ACK, which the client's timer covers): {}{}",
        if count == 1 { "" } else { "s" },
        if count == 1 { "its" } else { "their" },
        named.join("; "),
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        }
    )
}

/// One packet without a reply, and what the wire and the server's log say of the time
/// until the server was given its next packet.
fn without_reply(evidence: &Rdt3Evidence<'_>, delivery: usize) -> String {
    let conversation = evidence.conversation;
    let step: &Step = &conversation.steps[delivery];
    let next = conversation
        .steps_of(StepKind::Delivered, Direction::ToServer)
        .find(|(index, _)| *index > delivery)
        .map(|(_, next)| next.at);
    let end = next.or(evidence.server.ended_at).unwrap_or(Duration::MAX);
    let replied = conversation
        .steps_of(StepKind::Sent, Direction::ToClient)
        .any(|(_, reply)| reply.at >= step.at && reply.at < end);
    if replied {
        return step.describe();
    }
    let until = match next {
        Some(at) => format!(
            "before the next packet reached the server ({})",
            wording::seconds(at)
        ),
        None => "afterwards".to_owned(),
    };
    let claim = evidence
        .server
        .lines
        .iter()
        .find(|line| line.at >= step.at && line.at < end && evidence.logs.sent.is_match(&line.text))
        .map(|line| {
            let quoted = wording::output_line(&line.text, line.at, 100);
            format!(", though its output says {quoted}")
        })
        .unwrap_or_default();
    format!(
        "{}, and no datagram from the server reached the relay {until}{claim}",
        step.describe()
    )
}
