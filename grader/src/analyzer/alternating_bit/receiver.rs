//! The server's side: rdt 2.2 acknowledgements, and the messages it shows.

use super::Rdt3Evidence;
use crate::analyzer::alternating_bit::Step;
use crate::analyzer::alternating_bit::StepKind;
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::link::Direction;
use crate::wording;
use std::collections::VecDeque;
use std::time::Duration;

/// A delivery to the server and the ACK rdt 2.2 requires for it.
struct Owed {
    delivery: usize,
    ack_seq: i128,
    what: String,
}

/// What `ack-behaviour` requires, in the words its outcome states.
pub const ACK_BEHAVIOUR: &str = "the server ACKs a good in-order packet with its seq, and re-ACKs the last good seq after a corrupt or duplicate packet (rdt 2.2)";

/// The server answers every packet it receives with exactly one ACK: the ACK of that packet
/// when it is good and the seq it expects, else the ACK of the last correctly received
/// packet again (initially the ACK for seq 1).
///
/// ACKs are matched to deliveries in order, because a server handles its datagrams one at a
/// time: however slow it is, its k-th reply answers the k-th packet it was given.
pub fn ack_behaviour(evidence: &Rdt3Evidence<'_>) -> Outcome {
    let conversation = evidence.conversation;
    let outcome = Outcome::new(CheckId::AckBehaviour, ACK_BEHAVIOUR);
    let mut expected_seq = 0;
    let mut last_good = 1;
    let mut owed: VecDeque<Owed> = VecDeque::new();
    let mut answered = 0;
    for (index, step) in conversation.steps.iter().enumerate() {
        match (step.kind, step.direction) {
            (StepKind::Delivered, Direction::ToServer) => {
                let (ack_seq, what) = match step.valid_packet().filter(|p| p.ack == 0) {
                    Some(packet) if packet.seq == expected_seq => {
                        last_good = packet.seq;
                        expected_seq = 1 - expected_seq;
                        (
                            packet.seq,
                            format!("the new packet with seq {}", packet.seq),
                        )
                    }
                    Some(packet) => (last_good, format!("the duplicate of seq {}", packet.seq)),
                    None => (last_good, "the corrupt packet".to_owned()),
                };
                owed.push_back(Owed {
                    delivery: index,
                    ack_seq,
                    what,
                });
            }
            (StepKind::Sent, Direction::ToClient) => {
                let Some(due) = owed.pop_front() else {
                    return outcome
                        .status(Status::Fail)
                        .expected("one ACK per packet the server received")
                        .observed(format!(
                            "the server sent {} when it had no packet left to answer",
                            step.describe()
                        ))
                        .evidence(step.describe());
                };
                answered += 1;
                let delivery = &conversation.steps[due.delivery];
                let answer = step.packet.as_ref().ok().map(|p| (p.ack, p.seq));
                if answer != Some((1, due.ack_seq)) {
                    let said = match answer {
                        Some((1, seq)) => format!("an ACK for seq {seq}"),
                        Some((ack, seq)) => format!("ack={ack} seq={seq}"),
                        None => "a datagram that does not decode".to_owned(),
                    };
                    return outcome
                        .status(Status::Fail)
                        .expected(format!("an ACK for seq {}", due.ack_seq))
                        .observed(format!(
                            "the server answered {} ({}) with {said} ({})",
                            due.what,
                            delivery.describe(),
                            step.describe()
                        ))
                        .evidence(delivery.describe())
                        .evidence(step.describe());
                }
            }
            _ => {}
        }
    }
    // A packet delivered just before the server was stopped may fairly be unanswered.
    let server_end = evidence.server.ended_at.unwrap_or(Duration::MAX);
    let margin = Duration::from_millis(50);
    if let Some(unanswered) = owed
        .iter()
        .find(|due| conversation.steps[due.delivery].at + margin < server_end)
    {
        let delivery: &Step = &conversation.steps[unanswered.delivery];
        return outcome
            .status(Status::Fail)
            .expected(format!("an ACK for seq {}", unanswered.ack_seq))
            .observed(format!(
                "the server never answered {} ({})",
                unanswered.what,
                delivery.describe()
            ))
            .evidence(delivery.describe());
    }
    outcome.observed(format!("all {answered} ACKs follow rdt 2.2"))
}

/// What `delivery` requires, in the words its outcome states.
pub const DELIVERY: &str = "the server's output shows each message the client sent, in order";

/// Each message the client sent appears, in order, in the server's output.
pub fn delivery(evidence: &Rdt3Evidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::Delivery, DELIVERY);
    let output = evidence.server.text();
    let mut cursor = 0;
    let mut shown = Vec::new();
    for (index, message) in evidence.conversation.messages.iter().enumerate() {
        let text = wording::payload_text(&message.data);
        match output[cursor..].find(&text) {
            Some(found) => {
                cursor += found + text.len();
                shown.push(text);
            }
            None => {
                let last_lines: Vec<&str> = output.lines().rev().take(3).collect();
                return outcome
                    .status(Status::Fail)
                    .expected(format!("`{text}` in the server's output after {:?}", shown))
                    .observed(format!(
                        "the server's output never shows message {} `{text}`{}",
                        index + 1,
                        if last_lines.is_empty() {
                            " (it printed nothing)".to_owned()
                        } else {
                            format!(
                                "; its last lines: {:?}",
                                last_lines.into_iter().rev().collect::<Vec<_>>()
                            )
                        }
                    ));
            }
        }
    }
    if shown.is_empty() {
        return outcome
            .status(Status::Fail)
            .observed("the client sent no message that could be delivered");
    }
    outcome.observed(format!("the server shows {}", shown.join(", ")))
}
