//! The client's side of rdt 3.0: alternating seq, identical retransmissions, and what it
//! does when an ACK is corrupt or for the other seq.

use super::Rdt3Evidence;
use crate::analyzer::alternating_bit::Conversation;
use crate::analyzer::alternating_bit::StepKind;
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::link::Direction;
use crate::wording;

/// What `seq-alternation` requires, in the words its outcome states.
pub const SEQ_ALTERNATION: &str = "the client's seq alternates 0, 1, 0 across distinct messages";

/// Successive distinct messages carry seq 0, 1, 0, 1, ...
pub fn seq_alternation(evidence: &Rdt3Evidence<'_>) -> Outcome {
    let conversation = evidence.conversation;
    let outcome = Outcome::new(CheckId::SeqAlternation, SEQ_ALTERNATION);
    let seqs: Vec<String> = conversation
        .messages
        .iter()
        .map(|m| m.seq.to_string())
        .collect();
    for (index, message) in conversation.messages.iter().enumerate() {
        let expected = i128::from(index % 2 == 1);
        if message.seq != expected {
            let first = &conversation.steps[message.transmissions[0]];
            return outcome
                .status(Status::Fail)
                .expected(format!("message {} with seq {expected}", index + 1))
                .observed(format!(
                    "message {} `{}` has seq {} ({}); seqs of the messages: {}",
                    index + 1,
                    wording::payload_text(&message.data),
                    message.seq,
                    first.describe(),
                    seqs.join(", ")
                ))
                .evidence(first.describe());
        }
    }
    if conversation.messages.is_empty() {
        return outcome
            .status(Status::Fail)
            .expected("data packets from the client")
            .observed("the client sent no data packet that decodes");
    }
    outcome.observed(format!("seqs of the messages: {}", seqs.join(", ")))
}

/// What `identical-retransmission` requires, in the words its outcome states.
pub const IDENTICAL_RETRANSMISSION: &str = "a retransmission is identical to the original packet";

/// A retransmission is byte for byte the packet it repeats. A "retransmission" here is a
/// datagram with the same seq and data as the current message; one whose checksum or
/// padding differs was rebuilt, not resent.
pub fn identical_retransmission(evidence: &Rdt3Evidence<'_>) -> Outcome {
    let conversation = evidence.conversation;
    let outcome = Outcome::new(CheckId::IdenticalRetransmission, IDENTICAL_RETRANSMISSION);
    let mut retransmissions = 0;
    for (index, message) in conversation.messages.iter().enumerate() {
        let original = &conversation.steps[message.transmissions[0]];
        for &later in &message.transmissions[1..] {
            retransmissions += 1;
            let copy = &conversation.steps[later];
            if copy.bytes != original.bytes {
                let first_difference = copy
                    .bytes
                    .iter()
                    .zip(&original.bytes)
                    .position(|(a, b)| a != b)
                    .unwrap_or(copy.bytes.len().min(original.bytes.len()));
                return outcome
                    .status(Status::Fail)
                    .expected(format!("the same {} bytes as {}", original.bytes.len(), original.describe()))
                    .observed(format!(
                        "the retransmission of message {} ({}) differs from it at byte {first_difference}",
                        index + 1,
                        copy.describe()
                    ))
                    .evidence(copy.describe());
            }
        }
    }
    if retransmissions == 0 {
        return outcome
            .status(Status::Informational)
            .observed("not exercised: the client retransmitted nothing");
    }
    outcome.observed(format!("{retransmissions} retransmissions, all identical"))
}

/// What `sender-reaction` requires, in the words its outcome states.
pub const SENDER_REACTION: &str =
    "a corrupt ACK or an ACK for the other seq does not make the client move on";

/// A corrupt ACK, or an ACK for the other seq, does not acknowledge the current message:
/// the client must not move on (textbook rdt 3.0 ignores it and waits for its timer;
/// retransmitting at once is tolerated but non-strict).
pub fn sender_reaction(evidence: &Rdt3Evidence<'_>) -> Outcome {
    let conversation = evidence.conversation;
    let timer = evidence.params.timer;
    let outcome = Outcome::new(CheckId::SenderReaction, SENDER_REACTION);
    let mut bad_acks = 0;
    let mut immediate = None;
    for (index, step) in conversation.steps_of(StepKind::Delivered, Direction::ToClient) {
        let Some(outstanding) = conversation.outstanding_at(index) else {
            continue;
        };
        let message = &conversation.messages[outstanding];
        if acknowledges(conversation, index, message.seq) {
            continue;
        }
        let Some((next_index, next)) = conversation
            .steps_of(StepKind::Sent, Direction::ToServer)
            .find(|(later, _)| *later > index)
        else {
            continue;
        };
        // A good ACK for the message, before or after this bad one, makes moving on right.
        let acknowledged = conversation
            .steps_of(StepKind::Delivered, Direction::ToClient)
            .any(|(other, _)| {
                other > message.transmissions[0]
                    && other < next_index
                    && acknowledges(conversation, other, message.seq)
            });
        if acknowledged {
            continue;
        }
        bad_acks += 1;
        let why = if step.valid_packet().is_some() {
            "the ACK for the other seq"
        } else {
            "the corrupt ACK"
        };
        match conversation.message_of(next_index) {
            Some(moved) if moved > outstanding => {
                return outcome
                    .status(Status::Fail)
                    .expected(format!(
                        "a retransmission of message {} (seq {}) when its timer expires",
                        outstanding + 1,
                        message.seq
                    ))
                    .observed(format!(
                        "after {why} ({}), the client moved on to message {} `{}` ({})",
                        step.describe(),
                        moved + 1,
                        wording::payload_text(&conversation.messages[moved].data),
                        next.describe()
                    ))
                    .evidence(step.describe());
            }
            _ => {
                let previous = message
                    .transmissions
                    .iter()
                    .rev()
                    .find(|&&sent| sent < next_index)
                    .map(|&sent| conversation.steps[sent].at);
                let gap = previous.map(|at| next.at.saturating_sub(at));
                if gap.is_some_and(|gap| gap + timer.tolerance < timer.expect)
                    && immediate.is_none()
                {
                    immediate = Some(format!(
                        "after {why} ({}), the client retransmitted at once ({})",
                        step.describe(),
                        next.describe()
                    ));
                }
            }
        }
    }
    if let Some(immediate) = immediate {
        return outcome
            .status(Status::NonStrict)
            .expected("ignore it and wait for the timer (textbook rdt 3.0)")
            .observed(immediate);
    }
    if bad_acks == 0 {
        return outcome
            .status(Status::Informational)
            .observed("not exercised: no corrupt or wrong-seq ACK reached the client");
    }
    outcome.observed(format!(
        "the client did not move on after any of {bad_acks} corrupt or wrong-seq ACKs"
    ))
}

/// Whether the delivery at `index` is a valid ACK for `seq`.
pub fn acknowledges(conversation: &Conversation, index: usize, seq: i128) -> bool {
    conversation.steps[index]
        .valid_packet()
        .is_some_and(|packet| packet.ack == 1 && packet.seq == seq)
}
