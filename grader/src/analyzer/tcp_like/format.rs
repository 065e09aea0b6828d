//! Every datagram is a segment: a 12-byte `'iihh'` header and at most 512 bytes of payload,
//! flags the assignment defines, numbers inside the sequence space.

use crate::analyzer::tcp_like::segments::{SegmentTrace, Sent, describe_sent};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::Role;

/// What `format` requires, in the words its outcome states.
pub const FORMAT: &str = "every datagram is a 12-byte 'iihh' header (seq, ack, conn id, flags FIN=1 SYN=2 ACK=4) and at most 512 bytes of payload";

pub fn format(segments: &SegmentTrace<'_>, modulus: i64) -> Outcome {
    let outcome = Outcome::new(CheckId::Format, FORMAT);
    let problems: Vec<String> = Role::BOTH
        .into_iter()
        .filter_map(|role| {
            segments
                .sent_by(role)
                .iter()
                .find_map(|sent| problem(sent, modulus).map(|why| (sent, why)))
                .map(|(sent, why)| format!("{}: {why}", describe_sent(sent)))
        })
        .collect();
    if problems.is_empty() {
        let count = segments.client_sent.len() + segments.server_sent.len();
        return outcome.observed(format!("all {count} datagrams are well-formed segments"));
    }
    outcome
        .status(Status::Fail)
        .expected(format!(
            "segments with seq and ack in 0..{} and no flag bits but FIN, SYN and ACK",
            modulus - 1
        ))
        .observed(problems.join("; "))
}

/// What is wrong with one datagram, if anything.
fn problem(sent: &Sent<'_>, modulus: i64) -> Option<String> {
    let segment = match sent.segment {
        Ok(segment) => segment,
        Err(error) => return Some(error.to_string()),
    };
    let header = segment.header;
    let in_space = |value: i32| (0..modulus).contains(&i64::from(value));
    if header.flags.unknown_bits() != 0 {
        Some(format!(
            "flag bits {:#x} are not FIN, SYN or ACK",
            header.flags.unknown_bits()
        ))
    } else if !in_space(header.seq) {
        Some(format!(
            "seq {} is outside 0..{}: sequence numbers wrap at {modulus}",
            header.seq,
            modulus - 1
        ))
    } else if !in_space(header.ack) {
        Some(format!(
            "ack {} is outside 0..{}: acknowledgement numbers wrap at {modulus}",
            header.ack,
            modulus - 1
        ))
    } else if header.conn_id < 0 {
        Some(format!("conn id {} is negative", header.conn_id))
    } else {
        None
    }
}
