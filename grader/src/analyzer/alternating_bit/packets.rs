//! Every datagram parses as the case's layout, and carries a valid checksum.

use super::Rdt3Evidence;
use crate::analyzer::alternating_bit::StepKind;
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::Role;
use crate::link::Direction;
use crate::wire::checksum::ChecksumVerdict;
use crate::wire::{ChecksumSpec, Layout};

/// What `format` requires of packets of `layout`, in the words its outcome states.
pub fn format_requirement(layout: &Layout) -> String {
    format!(
        "every datagram is a `{}` packet ({} bytes): data with ack=0, ACKs with ack=1, seq 0 or 1",
        layout.format(),
        layout.size()
    )
}

/// Every datagram a program sent decodes with the layout; data has ack 0, ACKs ack 1, seq
/// is 0 or 1.
pub fn format(evidence: &Rdt3Evidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::Format, format_requirement(evidence.layout));
    let mut problems = Vec::new();
    for step in &evidence.conversation.steps {
        if step.kind != StepKind::Sent {
            continue;
        }
        let problem = match &step.packet {
            Err(why) => Some(format!("{} bytes: {why}", step.bytes.len())),
            Ok(packet) => {
                let expected_ack = match step.direction {
                    Direction::ToServer => 0,
                    Direction::ToClient => 1,
                };
                if packet.ack != expected_ack {
                    Some(format!(
                        "ack={} on a {} datagram (expected {expected_ack})",
                        packet.ack,
                        Role::sender_of(step.direction)
                    ))
                } else if packet.seq != 0 && packet.seq != 1 {
                    Some(format!("seq={} (expected 0 or 1)", packet.seq))
                } else {
                    None
                }
            }
        };
        if let Some(problem) = problem {
            problems.push(format!("{}: {problem}", step.describe()));
        }
    }
    let sent = evidence
        .conversation
        .steps
        .iter()
        .filter(|step| step.kind == StepKind::Sent)
        .count();
    match problems.first() {
        None => outcome.observed(format!("all {sent} datagrams are well-formed")),
        Some(first) => outcome
            .status(Status::Fail)
            .expected(format!(
                "{} bytes in the layout's fields",
                evidence.layout.size()
            ))
            .observed(format!(
                "{} of {sent} datagrams are malformed; first: {first}",
                problems.len()
            ))
            .evidence(first.clone()),
    }
}

/// What `checksum` requires, in the words its outcome states.
pub fn checksum_requirement(spec: Option<&ChecksumSpec>) -> String {
    match spec {
        None => "the packet carries a checksum".to_owned(),
        Some(spec) => format!(
            "every datagram's `{}` is the {} of {}",
            spec.field,
            spec.algorithm.describe(),
            spec.over.join(", ")
        ),
    }
}

/// Every datagram as the program sent it has a valid checksum (the grader's own
/// corruption happens after that, on the way to the other program).
pub fn checksum(evidence: &Rdt3Evidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::Checksum, checksum_requirement(evidence.checksum));
    let Some(spec) = evidence.checksum else {
        return outcome
            .status(Status::Unsupported)
            .observed("the case defines no checksum");
    };
    let mut checked = 0;
    let mut bad = Vec::new();
    for step in &evidence.conversation.steps {
        if step.kind != StepKind::Sent || step.packet.is_err() {
            continue;
        }
        checked += 1;
        if let ChecksumVerdict::Invalid {
            expected,
            found,
            hint,
        } = spec.verify(evidence.layout, &step.bytes)
        {
            let mut text = format!(
                "{}: {}={} but the {} is {}",
                step.describe(),
                spec.field,
                crate::wire::Value::Bytes(found),
                spec.algorithm.describe(),
                crate::wire::Value::Bytes(expected)
            );
            if let Some(hint) = hint {
                text.push_str(&format!(" ({hint})"));
            }
            bad.push(text);
        }
    }
    match bad.first() {
        None => outcome.observed(format!("all {checked} checksums verify")),
        Some(first) => outcome
            .status(Status::Fail)
            .expected("a checksum the receiver can verify")
            .observed(format!(
                "{} of {checked} datagrams have a wrong checksum; first: {first}",
                bad.len()
            ))
            .evidence(first.clone()),
    }
}
