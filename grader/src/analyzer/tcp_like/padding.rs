//! Padding is not payload. The handout's own code packs every datagram as `'iihh512s'`
//! (ASSIGNMENTS.md §5: "always 524 bytes, the payload NUL-padded, SYN and FIN included.
//! Padding is not payload: a padded SYN is still a SYN, and padding counts for no sequence
//! number"), so how many payload bytes a segment's numbers count is not always the length
//! of its payload. It is settled here once, for every check, from what the numbers say:
//!
//! - a payload that does not end in NUL is counted whole: nothing else can be padding;
//! - a SYN or FIN whose payload is all NUL counts none of it: it is a padded SYN or FIN;
//! - otherwise any count from the last non-NUL byte to the whole payload is possible, and
//!   the two programs' own numbers tell which: the sender's next segment starts where the
//!   sender counted to, and the receiver's ACK of it names where the receiver counted to.
//!   When both say, and say the same, that is the count; when they say different things
//!   the arithmetic between them is broken, and `sequence-numbers` shows both. When
//!   neither says, a payload that is all NUL is padding (a padded bare ACK) and any other
//!   is counted whole.
//!
//! A binary file's data can end in NUL bytes as well as padding can: a receiver that
//! strips them counts fewer bytes than were sent. If the sender follows that count, the
//! numbers agree and only the received copy shows the loss (`file-copy`), which is where
//! that design is really wrong.

use super::segments::{Delivered, SegmentTrace, Sent};
use crate::evidence::Role;
use socklab_protocol::tcp_over_udp::{Flags, Segment, SegmentError};
use std::collections::HashMap;

/// A segment whose trailing NULs the sender and the receiver counted differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountDisagreement {
    /// Who sent the segment.
    pub sender: Role,
    /// The segment: its sender's datagram number, and its place in time.
    pub nth: u32,
    pub order: u64,
    /// Its payload's length, and how much of it comes before the trailing NULs.
    pub length: usize,
    pub data_end: usize,
    /// What the sender counted, and the datagram of its own whose seq says so.
    pub sender_count: usize,
    pub next_nth: u32,
    /// What the receiver counted, and the datagram whose ack says so.
    pub receiver_count: usize,
    pub ack_nth: u32,
}

/// Sets `counted` on every datagram and copy of `trace`, and records where the two sides
/// disagree.
pub(super) fn settle_counts(trace: &mut SegmentTrace<'_>, modulus: i64) {
    for role in Role::BOTH {
        let (counts, disagreements) = counts(
            trace.sent_by(role),
            trace.delivered_to(role.peer()),
            trace.sent_by(role.peer()),
            modulus,
        );
        let (sent, copies) = match role {
            Role::Client => (&mut trace.client_sent, &mut trace.to_server),
            Role::Server => (&mut trace.server_sent, &mut trace.to_client),
        };
        let mut by_nth: HashMap<u32, (&[u8], usize)> = HashMap::new();
        for (sent, count) in sent.iter_mut().zip(counts) {
            sent.counted = count;
            by_nth.insert(sent.nth, (sent.bytes, count));
        }
        for copy in copies.iter_mut() {
            copy.counted = match by_nth.get(&copy.of_nth) {
                Some(&(bytes, count)) if bytes == copy.bytes => count,
                // Altered on the way: only its own bytes can say.
                _ => unless_numbers_say(copy.segment),
            };
        }
        trace.disagreements.extend(disagreements);
    }
    trace.disagreements.sort_by_key(|disagreement| disagreement.order);
}

/// The count of each datagram in `own` (one sender's), settled by its numbers.
fn counts(
    own: &[Sent<'_>],
    copies: &[Delivered<'_>],
    peer: &[Sent<'_>],
    modulus: i64,
) -> (Vec<usize>, Vec<CountDisagreement>) {
    let numbers = Numbers::new(own, copies, peer, modulus);
    // A resend carries the same bytes: it counts what the first sending counts.
    let mut settled: HashMap<&[u8], usize> = HashMap::new();
    let mut counts = Vec::with_capacity(own.len());
    let mut disagreements = Vec::new();
    for (index, sent) in own.iter().enumerate() {
        let count = match settled.get(sent.bytes) {
            Some(&count) => count,
            None => {
                let (count, disagreement) = numbers.settle(index);
                disagreements.extend(disagreement);
                settled.insert(sent.bytes, count);
                count
            }
        };
        counts.push(count);
    }
    (counts, disagreements)
}

/// What one sender's datagrams are measured against: its own later segments, the copies
/// of them the relay delivered (in the order delivered) and the peer's ACKs (in the
/// order sent), indexed once so that a flood of datagrams stays cheap.
struct Numbers<'s, 'a> {
    own: &'s [Sent<'a>],
    copies: &'s [Delivered<'a>],
    /// Where in `copies` the first copy of each distinct datagram is.
    first_copy: HashMap<&'a [u8], usize>,
    /// The peer's ACKs: order, ack, datagram number; sorted by order.
    peer_acks: Vec<(u64, i64, u32)>,
    modulus: i64,
}

impl<'s, 'a> Numbers<'s, 'a> {
    fn new(
        own: &'s [Sent<'a>],
        copies: &'s [Delivered<'a>],
        peer: &[Sent<'a>],
        modulus: i64,
    ) -> Self {
        let mut first_copy = HashMap::new();
        for (index, copy) in copies.iter().enumerate() {
            first_copy.entry(copy.bytes).or_insert(index);
        }
        let mut peer_acks: Vec<(u64, i64, u32)> = peer
            .iter()
            .filter_map(|answer| {
                let header = answer.segment.ok()?.header;
                header
                    .flags
                    .contains(Flags::ACK)
                    .then_some((answer.order, i64::from(header.ack), answer.nth))
            })
            .collect();
        peer_acks.sort_unstable();
        Numbers {
            own,
            copies,
            first_copy,
            peer_acks,
            modulus,
        }
    }

    /// The count of `own[index]`, and the disagreement if its two sides counted
    /// differently.
    fn settle(&self, index: usize) -> (usize, Option<CountDisagreement>) {
        let sent = &self.own[index];
        let Ok(segment) = sent.segment else {
            return (0, None);
        };
        let length = segment.payload.len();
        let data_end = data_end(segment.payload);
        let flags = segment.header.flags;
        let control = flags.contains(Flags::SYN) || flags.contains(Flags::FIN);
        if data_end == length || (control && data_end == 0) {
            return (unless_numbers_say(sent.segment), None);
        }
        let flag_numbers =
            i64::from(flags.contains(Flags::SYN)) + i64::from(flags.contains(Flags::FIN));
        let seq = i64::from(segment.header.seq);
        // The count a number `reached` implies, if it is one this payload allows.
        let count_to = |reached: i64| {
            let count = (reached - seq).rem_euclid(self.modulus) - flag_numbers;
            usize::try_from(count)
                .ok()
                .filter(|count| (data_end..=length).contains(count))
        };
        let sender = self
            .next_segment(index)
            .and_then(|(next_seq, next_nth)| count_to(next_seq).map(|count| (count, next_nth)));
        let receiver = self
            .acknowledging(sent)
            .iter()
            .find_map(|&(_, ack, ack_nth)| count_to(ack).map(|count| (count, ack_nth)));
        match (sender, receiver) {
            (Some((sender_count, next_nth)), Some((receiver_count, ack_nth)))
                if sender_count != receiver_count =>
            {
                // The sender's count keeps its own segments' numbers in step for the other
                // checks; the disagreement itself fails `sequence-numbers`.
                let disagreement = CountDisagreement {
                    sender: sent.from,
                    nth: sent.nth,
                    order: sent.order,
                    length,
                    data_end,
                    sender_count,
                    next_nth,
                    receiver_count,
                    ack_nth,
                };
                (sender_count, Some(disagreement))
            }
            (Some((count, _)), _) | (None, Some((count, _))) => (count, None),
            (None, None) => (unless_numbers_say(sent.segment), None),
        }
    }

    /// The seq and number of the sender's next segment that is not `own[index]` again
    /// (nor a SYN, which starts the numbering over).
    fn next_segment(&self, index: usize) -> Option<(i64, u32)> {
        let sent = &self.own[index];
        self.own[index + 1..]
            .iter()
            .filter(|later| later.bytes != sent.bytes)
            .find_map(|later| {
                let segment = later.segment.ok()?;
                (!segment.header.flags.contains(Flags::SYN))
                    .then_some((i64::from(segment.header.seq), later.nth))
            })
    }

    /// The peer's ACKs sent after the first copy of `sent` reached it and before any
    /// later datagram of the sender's did.
    fn acknowledging(&self, sent: &Sent<'a>) -> &[(u64, i64, u32)] {
        let Some(&first) = self.first_copy.get(sent.bytes) else {
            return &[];
        };
        let arrived = self.copies[first].order;
        let overtaken = self.copies[first..]
            .iter()
            .find(|copy| copy.of_nth > sent.nth && copy.bytes != sent.bytes)
            .map_or(u64::MAX, |copy| copy.order);
        let start = self
            .peer_acks
            .partition_point(|&(order, _, _)| order <= arrived);
        let end = self
            .peer_acks
            .partition_point(|&(order, _, _)| order < overtaken);
        self.peer_acks.get(start..end.max(start)).unwrap_or(&[])
    }
}

/// The count of a segment no number speaks for: an all-NUL payload is padding (a padded
/// SYN, FIN or bare ACK), any other is counted whole.
fn unless_numbers_say(segment: Result<Segment<'_>, SegmentError>) -> usize {
    segment.map_or(0, |segment| match data_end(segment.payload) {
        0 => 0,
        _ => segment.payload.len(),
    })
}

/// How many bytes of `payload` come before its trailing NULs.
fn data_end(payload: &[u8]) -> usize {
    payload
        .iter()
        .rposition(|&byte| byte != 0)
        .map_or(0, |last| last + 1)
}

impl CountDisagreement {
    /// What `sequence-numbers` expected and observed: both counts, and where each shows.
    pub fn describe(&self) -> (String, String) {
        let receiver = self.sender.peer();
        let nuls = self.length - self.data_end;
        (
            format!(
                "the {} and the {receiver} count the same bytes of {} datagram #{}: {} bytes and then {nuls} NUL byte{}, data or padding",
                self.sender,
                self.sender,
                self.nth,
                self.data_end,
                if nuls == 1 { "" } else { "s" },
            ),
            format!(
                "the {} counted {} (its next segment, {} datagram #{}, starts there) and the {receiver} {} (its ACK, {receiver} datagram #{}, acknowledges that many)",
                self.sender,
                self.sender_count,
                self.sender,
                self.next_nth,
                self.receiver_count,
                self.ack_nth,
            ),
        )
    }
}

/// Why `ack` may be wrong when it answers `copy` (named `what` in the report): it reaches
/// into the segment's NUL padding, which takes no sequence number.
pub fn padding_counted(
    ack: i64,
    copy: &Delivered<'_>,
    what: &str,
    modulus: i64,
) -> Option<String> {
    let segment = copy.segment.ok()?;
    let padding = segment.payload.len().checked_sub(copy.counted)?;
    let seq = i64::from(segment.header.seq);
    let past = usize::try_from((ack - seq).rem_euclid(modulus)).ok()?;
    let counted = copy.sequence_length();
    (padding > 0 && past > counted && past <= counted + padding).then(|| {
        format!(
            "{past} past the seq of {what} ({seq}), whose datagram carries {padding} NUL bytes of padding, which take no sequence number"
        )
    })
}
