//! The tcp-over-udp analyzer's view of a wire trace: every datagram each program sent,
//! parsed as a segment, and every copy the relay delivered to each, in the order the
//! programs saw them.
//!
//! Causality is judged by each action's `order`, its place in time: a datagram at the
//! kernel's receive timestamp (when its program sent it), a copy just before the relay
//! handed it over, the relay's own sequence of actions breaking ties. The relay's sequence
//! alone would not do: a relay slow to read a datagram would make it look sent after a
//! delivery that in fact reached its program later.
//!
//! How many payload bytes each segment's sequence numbers count is settled once, here
//! (see [`padding`](super::padding)): NUL padding is not payload.

use super::padding::{self, CountDisagreement};
use crate::evidence::{Role, WireTrace};
use crate::link::Direction;
use socklab_protocol::tcp_over_udp::{Flags, Segment, SegmentError};
use std::time::Duration;

/// One datagram a program sent, as the relay received it.
#[derive(Clone, Copy, Debug)]
pub struct Sent<'a> {
    pub from: Role,
    /// 1-based among the datagrams its sender sent.
    pub nth: u32,
    /// Its place among all actions, in time (see the module doc).
    pub order: u64,
    pub at: Duration,
    pub bytes: &'a [u8],
    pub segment: Result<Segment<'a>, SegmentError>,
    /// The payload bytes its sequence numbers count; the rest of the payload is NUL
    /// padding (see [`padding`](super::padding)).
    pub counted: usize,
    /// No copy reached the peer.
    pub dropped: bool,
}

/// One copy the relay handed to a program.
#[derive(Clone, Copy, Debug)]
pub struct Delivered<'a> {
    /// The sent datagram it is a copy of.
    pub of_nth: u32,
    /// Its place among all actions, in time (see the module doc).
    pub order: u64,
    pub at: Duration,
    /// As delivered (after any corruption or truncation).
    pub bytes: &'a [u8],
    pub segment: Result<Segment<'a>, SegmentError>,
    /// The payload bytes its sequence numbers count: the sent datagram's count, for an
    /// unaltered copy.
    pub counted: usize,
}

impl<'a> Sent<'a> {
    /// Sequence numbers it occupies: its counted payload, and one each for SYN and FIN.
    pub fn sequence_length(&self) -> usize {
        sequence_length(self.segment, self.counted)
    }

    /// The payload its numbers count, without the padding.
    pub fn data(&self) -> &'a [u8] {
        counted_data(self.segment, self.counted)
    }
}

impl<'a> Delivered<'a> {
    /// Sequence numbers it occupies: its counted payload, and one each for SYN and FIN.
    pub fn sequence_length(&self) -> usize {
        sequence_length(self.segment, self.counted)
    }

    /// The payload its numbers count, without the padding.
    pub fn data(&self) -> &'a [u8] {
        counted_data(self.segment, self.counted)
    }
}

/// Both programs' segments, decoded once for every check.
#[derive(Debug, Default)]
pub struct SegmentTrace<'a> {
    pub client_sent: Vec<Sent<'a>>,
    pub server_sent: Vec<Sent<'a>>,
    pub to_client: Vec<Delivered<'a>>,
    pub to_server: Vec<Delivered<'a>>,
    /// Segments whose padding the two sides counted differently, in the order sent.
    pub disagreements: Vec<CountDisagreement>,
}

impl<'a> SegmentTrace<'a> {
    /// Decodes `trace`, with sequence numbers that wrap at `modulus`.
    pub fn decode(trace: &'a WireTrace, modulus: i64) -> SegmentTrace<'a> {
        let mut decoded = SegmentTrace::default();
        for event in &trace.events {
            let from = sender(event.direction);
            let sent = Sent {
                from,
                nth: event.nth,
                order: event.order,
                at: event.received_at,
                bytes: &event.bytes,
                segment: Segment::parse(&event.bytes),
                counted: 0,
                dropped: event.delivered().next().is_none(),
            };
            let (own, deliveries) = match from {
                Role::Client => (&mut decoded.client_sent, &mut decoded.to_server),
                Role::Server => (&mut decoded.server_sent, &mut decoded.to_client),
            };
            own.push(sent);
            deliveries.extend(event.delivered().map(|(copy, bytes)| Delivered {
                of_nth: event.nth,
                order: copy.order,
                at: copy.sent_at,
                bytes,
                segment: Segment::parse(bytes),
                counted: 0,
            }));
        }
        decoded.rank_in_time();
        // Delayed and reordered copies leave the relay out of turn: the programs read
        // them in the order the relay sent them.
        decoded.to_client.sort_by_key(|delivered| delivered.order);
        decoded.to_server.sort_by_key(|delivered| delivered.order);
        padding::settle_counts(&mut decoded, modulus);
        decoded
    }

    /// Replaces every action's relay `order` with its place in time (see the module doc).
    fn rank_in_time(&mut self) {
        let mut keys: Vec<(Duration, u64)> = Vec::new();
        keys.extend(self.client_sent.iter().map(|sent| (sent.at, sent.order)));
        keys.extend(self.server_sent.iter().map(|sent| (sent.at, sent.order)));
        keys.extend(self.to_client.iter().map(|copy| (copy.at, copy.order)));
        keys.extend(self.to_server.iter().map(|copy| (copy.at, copy.order)));
        keys.sort_unstable();
        let rank = |at: Duration, order: u64| {
            let place = keys
                .binary_search(&(at, order))
                .expect("every key was collected");
            u64::try_from(place).expect("a trace has fewer than 2^64 actions") + 1
        };
        for sent in self.client_sent.iter_mut().chain(&mut self.server_sent) {
            sent.order = rank(sent.at, sent.order);
        }
        for copy in self.to_client.iter_mut().chain(&mut self.to_server) {
            copy.order = rank(copy.at, copy.order);
        }
    }

    /// What `role` sent.
    pub fn sent_by(&self, role: Role) -> &[Sent<'a>] {
        match role {
            Role::Client => &self.client_sent,
            Role::Server => &self.server_sent,
        }
    }

    /// What was delivered to `role`.
    pub fn delivered_to(&self, role: Role) -> &[Delivered<'a>] {
        match role {
            Role::Client => &self.to_client,
            Role::Server => &self.to_server,
        }
    }

    /// The first SYN|ACK delivered to the client: the connection as the client knows it.
    pub fn syn_ack_received(&self) -> Option<&Delivered<'a>> {
        self.to_client.iter().find(|delivered| {
            delivered
                .segment
                .is_ok_and(|segment| segment.header.flags.contains(Flags::SYN_ACK))
        })
    }
}

fn sequence_length(segment: Result<Segment<'_>, SegmentError>, counted: usize) -> usize {
    segment.map_or(0, |segment| {
        let flags = segment.header.flags;
        counted + usize::from(flags.contains(Flags::SYN)) + usize::from(flags.contains(Flags::FIN))
    })
}

fn counted_data<'a>(segment: Result<Segment<'a>, SegmentError>, counted: usize) -> &'a [u8] {
    segment.map_or(&[], |segment| &segment.payload[..counted.min(segment.payload.len())])
}

/// Who sent the datagrams of a direction.
pub fn sender(direction: Direction) -> Role {
    match direction {
        Direction::ToServer => Role::Client,
        Direction::ToClient => Role::Server,
    }
}

/// `client datagram #3 (seq 12346 ack 4322 conn 1 ACK, 512 bytes of data)`.
pub fn describe_sent(sent: &Sent<'_>) -> String {
    format!(
        "{} datagram #{} ({})",
        sent.from,
        sent.nth,
        describe_segment(sent.segment, sent.bytes.len(), sent.counted)
    )
}

/// A segment's numbers and flags as reports show them, with the `counted` bytes of its
/// payload as data and the rest as padding.
pub fn describe_segment(
    segment: Result<Segment<'_>, SegmentError>,
    length: usize,
    counted: usize,
) -> String {
    match segment {
        Ok(segment) => {
            let header = segment.header;
            let data = match counted {
                0 => String::new(),
                1 => ", 1 byte of data".to_owned(),
                n => format!(", {n} bytes of data"),
            };
            let data = match segment.payload.len().saturating_sub(counted) {
                0 => data,
                padding if counted == 0 => format!(", {padding} NUL bytes of padding"),
                padding => format!("{data} and {padding} NUL bytes of padding"),
            };
            format!(
                "seq {} ack {} conn {} {}{data}",
                header.seq, header.ack, header.conn_id, header.flags
            )
        }
        Err(_) => format!("{length} bytes, not a segment"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::trace::{DeliveredCopy, Fate, WireEvent};

    fn event(direction: Direction, order: u64, micros: u64, copy: Option<(u64, u64)>) -> WireEvent {
        WireEvent {
            direction,
            nth: 1,
            order,
            received_at: Duration::from_micros(micros),
            from: None,
            to: None,
            bytes: vec![0; 4],
            fate: Fate::Delivered {
                copies: copy
                    .map(|(order, micros)| DeliveredCopy {
                        order,
                        sent_at: Duration::from_micros(micros),
                        altered_bytes: None,
                        alterations: Vec::new(),
                    })
                    .into_iter()
                    .collect(),
            },
        }
    }

    /// The relay delivered the server's datagram at 5 ms, then read two client datagrams:
    /// one the kernel stamped at 4 ms (sent before the delivery reached the client) and one
    /// stamped at 6 ms. Only the second is after the delivery.
    #[test]
    fn a_datagram_the_relay_read_late_keeps_its_place_in_time() {
        let trace = WireTrace {
            events: vec![
                event(Direction::ToClient, 1, 3_000, Some((2, 5_000))),
                event(Direction::ToServer, 3, 4_000, None),
                event(Direction::ToServer, 4, 6_000, None),
            ],
            ..WireTrace::default()
        };
        let segments = SegmentTrace::decode(&trace, 204_800);
        let delivery = segments.to_client[0].order;
        let [early, late] = [&segments.client_sent[0], &segments.client_sent[1]];
        assert!(early.order < delivery, "{early:?} before {delivery}");
        assert!(late.order > delivery, "{late:?} after {delivery}");
    }
}
