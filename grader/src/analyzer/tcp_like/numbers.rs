//! Sequence and acknowledgement numbers: each side's seq counts the bytes (and the SYN and
//! FIN) it has sent, its ack the next byte it expects from its peer, both wrapping at the
//! modulus; and every segment the grader dropped is sent again, unchanged.

use super::seq_add;
use crate::analyzer::tcp_like::padding::padding_counted;
use crate::analyzer::tcp_like::segments::{Delivered, SegmentTrace, Sent, describe_sent};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::Role;
use socklab_protocol::tcp_over_udp::{Flags, Segment};
use std::collections::{HashMap, HashSet};

/// What `sequence-numbers` requires, in the words its outcome states.
pub const SEQUENCE_NUMBERS: &str = "seq is the number of the first byte a segment carries (SYN and FIN count one), ack the next byte expected from the peer, both counted modulo the sequence space";

pub fn sequence_numbers(segments: &SegmentTrace<'_>, modulus: i64) -> Outcome {
    let outcome = Outcome::new(CheckId::SequenceNumbers, SEQUENCE_NUMBERS);
    if let Some(disagreement) = segments.disagreements.first() {
        let (expected, observed) = disagreement.describe();
        return outcome
            .status(Status::Fail)
            .expected(expected)
            .observed(observed);
    }
    let mut summary = Vec::new();
    for role in Role::BOTH {
        let own = own_numbers(segments, role, modulus);
        if let Err((expected, observed)) = &own {
            return outcome
                .status(Status::Fail)
                .expected(expected.clone())
                .observed(observed.clone());
        }
        if let Err((expected, observed)) = acknowledgements(segments, role, modulus) {
            return outcome
                .status(Status::Fail)
                .expected(expected)
                .observed(observed);
        }
        if let Ok(numbers) = own {
            summary.push(format!(
                "the {role} sent {} bytes{}",
                numbers.bytes,
                if numbers.wrapped {
                    " (its seq wrapped)"
                } else {
                    ""
                }
            ));
        }
    }
    outcome.observed(summary.join("; "))
}

/// What `identical-retransmission` requires, in the words its outcome states.
pub const IDENTICAL_RETRANSMISSION: &str = "a segment that was lost is sent again, with the same seq, flags and data, until it gets through";

pub fn retransmissions(segments: &SegmentTrace<'_>, modulus: i64) -> Outcome {
    let outcome = Outcome::new(CheckId::IdenticalRetransmission, IDENTICAL_RETRANSMISSION);
    let mut resent = 0;
    for role in Role::BOTH {
        let sent = segments.sent_by(role);
        let new_data = new_data_flags(sent, modulus);
        let arrived: HashSet<Identity<'_>> = segments
            .delivered_to(role.peer())
            .iter()
            .map(|copy| copy.segment.ok().map(|segment| identity_of(segment, copy.data())))
            .collect();
        // The segment most recently sent as new data at each seq (the space may wrap).
        let mut originals: HashMap<i32, &Sent<'_>> = HashMap::new();
        for (sent_segment, is_new) in sent.iter().zip(new_data) {
            let Ok(segment) = sent_segment.segment else {
                continue;
            };
            if sent_segment.sequence_length() == 0 {
                continue;
            }
            if is_new || segment.header.flags.contains(Flags::SYN) {
                originals.entry(segment.header.seq).or_insert(sent_segment);
                if is_new {
                    originals.insert(segment.header.seq, sent_segment);
                }
            } else if let Some(original) = originals.get(&segment.header.seq)
                && identity(original) != identity(sent_segment)
            {
                return outcome
                    .status(Status::Fail)
                    .expected(format!(
                        "a resent seq {} repeats {} exactly",
                        segment.header.seq,
                        describe_sent(original)
                    ))
                    .observed(format!("{} differs", describe_sent(sent_segment)));
            }
            if sent_segment.dropped {
                if !arrived.contains(&identity(sent_segment)) {
                    return outcome
                        .status(Status::Fail)
                        .expected("the lost segment sent again until a copy arrives".to_owned())
                        .observed(format!(
                            "{} was dropped by the grader and never sent again",
                            describe_sent(sent_segment)
                        ));
                }
                resent += 1;
            }
        }
    }
    outcome.observed(match resent {
        0 => "nothing was lost that needed resending".to_owned(),
        n => format!("each of the {n} lost segments was sent again and got through"),
    })
}

/// What makes two sendings the same segment: seq, SYN and FIN, and the data (padding
/// carries none).
type Identity<'a> = Option<(i32, bool, bool, &'a [u8])>;

fn identity<'a>(sent: &Sent<'a>) -> Identity<'a> {
    sent.segment
        .ok()
        .map(|segment| identity_of(segment, sent.data()))
}

fn identity_of<'a>(segment: Segment<'_>, data: &'a [u8]) -> (i32, bool, bool, &'a [u8]) {
    let flags = segment.header.flags;
    (
        segment.header.seq,
        flags.contains(Flags::SYN),
        flags.contains(Flags::FIN),
        data,
    )
}

/// For each datagram sent, whether it starts at the sender's next number with something
/// that takes sequence space: new data (or a new FIN), not a resend, even where the space
/// has wrapped and the same seq comes round again. One pass, so a flood stays cheap.
pub(super) fn new_data_flags(sent: &[Sent<'_>], modulus: i64) -> Vec<bool> {
    let mut next = None;
    sent.iter()
        .map(|sent| {
            let Ok(segment) = sent.segment else {
                return false;
            };
            let seq = i64::from(segment.header.seq);
            if segment.header.flags.contains(Flags::SYN) {
                next.get_or_insert(seq_add(seq, 1, modulus));
                false
            } else if Some(seq) == next && sent.sequence_length() > 0 {
                next = Some(seq_add(seq, sent.sequence_length(), modulus));
                true
            } else {
                false
            }
        })
        .collect()
}

/// What one side's own sequence numbers add up to.
struct OwnNumbers {
    bytes: usize,
    wrapped: bool,
}

type Problem = (String, String);

/// Each segment of `role` starts at the next number, or repeats an earlier segment.
fn own_numbers(
    segments: &SegmentTrace<'_>,
    role: Role,
    modulus: i64,
) -> Result<OwnNumbers, Problem> {
    let mut next: Option<i64> = None;
    let mut first_syn: Option<i64> = None;
    let mut used: HashSet<i64> = HashSet::new();
    let mut sent_before: HashSet<&[u8]> = HashSet::new();
    let mut bytes = 0;
    let mut wrapped = false;
    for sent in segments.sent_by(role) {
        let Ok(segment) = sent.segment else { continue };
        let seq = i64::from(segment.header.seq);
        let length = sent.sequence_length();
        // The same bytes again, and not new data where the space has wrapped: the ACK a
        // duplicate gets (the server's ACK of a repeated FIN after its own FIN went out,
        // as the reference server sends it too), or a resend. Its numbers were judged
        // when it was first sent.
        let repeated = !sent_before.insert(sent.bytes);
        if segment.header.flags.contains(Flags::SYN) {
            match next {
                None => {
                    next = Some(seq_add(seq, 1, modulus));
                    first_syn = Some(seq);
                }
                Some(_) if first_syn == Some(seq) => {}
                Some(_) => {
                    return Err((
                        format!(
                            "the {role}'s SYN always with seq {}",
                            first_syn.unwrap_or_default()
                        ),
                        format!("{} is another SYN", describe_sent(sent)),
                    ));
                }
            }
            continue;
        }
        let Some(expected) = next else {
            return Err((
                format!("the {role}'s first segment is its SYN"),
                format!("{} comes before any SYN", describe_sent(sent)),
            ));
        };
        if repeated && seq != expected {
            continue;
        }
        if seq == expected {
            if length > 0 {
                used.insert(seq);
                let advanced = seq_add(seq, length, modulus);
                wrapped |= advanced < seq;
                next = Some(advanced);
                bytes += sent.counted;
            }
        } else if length > 0 && used.contains(&seq) {
            // A retransmission; whether it is identical is the other check's business.
        } else {
            let what = if length > 0 {
                format!(
                    "seq {expected} (the next byte after what it sent) or a resent segment's seq"
                )
            } else {
                format!("seq {expected} (the next byte it would send)")
            };
            return Err((
                format!("the {role}'s {} with {what}", kind(length)),
                describe_sent(sent),
            ));
        }
    }
    Ok(OwnNumbers { bytes, wrapped })
}

fn kind(length: usize) -> &'static str {
    if length > 0 { "segment" } else { "bare ACK" }
}

/// Each ACK of `role` names the next byte it expects: a value its receive window had
/// reached by then, never one it had already moved past.
fn acknowledgements(segments: &SegmentTrace<'_>, role: Role, modulus: i64) -> Result<(), Problem> {
    // (order of the delivery that set it, the next byte expected from then on)
    let mut expected: Vec<(u64, i64)> = Vec::new();
    // The delivery that set each value.
    let mut setters: Vec<&Delivered<'_>> = Vec::new();
    for delivered in segments.delivered_to(role) {
        let Ok(segment) = delivered.segment else {
            continue;
        };
        let seq = i64::from(segment.header.seq);
        let current = expected.last().map(|(_, value)| *value);
        if segment.header.flags.contains(Flags::SYN) {
            if current.is_none() {
                expected.push((delivered.order, seq_add(seq, 1, modulus)));
                setters.push(delivered);
            }
        } else if Some(seq) == current && delivered.sequence_length() > 0 {
            expected.push((
                delivered.order,
                seq_add(seq, delivered.sequence_length(), modulus),
            ));
            setters.push(delivered);
        }
    }
    let peer = role.peer();
    let mut earliest = 0;
    for sent in segments.sent_by(role) {
        let Ok(segment) = sent.segment else { continue };
        if !segment.header.flags.contains(Flags::ACK) {
            continue;
        }
        let ack = i64::from(segment.header.ack);
        let reachable = expected
            .iter()
            .enumerate()
            .skip(earliest)
            .take_while(|(_, (order, _))| *order < sent.order);
        match reachable.filter(|(_, (_, value))| *value == ack).last() {
            Some((index, _)) => earliest = index,
            None => {
                let had = expected
                    .iter()
                    .take_while(|(order, _)| *order < sent.order)
                    .count()
                    .checked_sub(1);
                let expected_text = match had {
                    Some(index) => format!(
                        "ack {}: the next byte after what the {role} had received from the {peer} in order",
                        expected[index].1
                    ),
                    None => format!("no ACK before anything from the {peer} had arrived"),
                };
                // An ack that counts the last segment's padding says so.
                let note = had
                    .and_then(|index| {
                        let what = format!("{peer} datagram #{}", setters[index].of_nth);
                        padding_counted(ack, setters[index], &what, modulus)
                    })
                    .map(|why| format!(": its ack is {why}"))
                    .unwrap_or_default();
                return Err((expected_text, format!("{}{note}", describe_sent(sent))));
            }
        }
    }
    Ok(())
}
