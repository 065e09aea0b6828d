//! The tcp-over-udp analyzer's view of a wire trace: every datagram each program sent,
//! parsed as a segment, and every copy the relay delivered to each, in the order the
//! programs saw them.
//!
//! Causality is judged by the relay's `order` (see `WireEvent::order`), never by two
//! timestamps: a datagram the relay received after it delivered another really was sent
//! after that delivery reached the kernel.

use crate::evidence::{Role, WireTrace};
use crate::link::Direction;
use socklab_reference::tcp_over_udp::{Flags, Segment, SegmentError};
use std::time::Duration;

/// One datagram a program sent, as the relay received it.
#[derive(Clone, Copy, Debug)]
pub struct Sent<'a> {
    pub from: Role,
    /// 1-based among the datagrams its sender sent.
    pub nth: u32,
    pub order: u64,
    pub at: Duration,
    pub bytes: &'a [u8],
    pub segment: Result<Segment<'a>, SegmentError>,
    /// No copy reached the peer.
    pub dropped: bool,
}

/// One copy the relay handed to a program.
#[derive(Clone, Copy, Debug)]
pub struct Delivered<'a> {
    /// The sent datagram it is a copy of.
    pub of_nth: u32,
    pub order: u64,
    pub at: Duration,
    /// As delivered (after any corruption or truncation).
    pub bytes: &'a [u8],
    pub segment: Result<Segment<'a>, SegmentError>,
}

/// Both programs' segments, decoded once for every check.
#[derive(Debug, Default)]
pub struct SegmentTrace<'a> {
    pub client_sent: Vec<Sent<'a>>,
    pub server_sent: Vec<Sent<'a>>,
    pub to_client: Vec<Delivered<'a>>,
    pub to_server: Vec<Delivered<'a>>,
}

impl<'a> SegmentTrace<'a> {
    pub fn decode(trace: &'a WireTrace) -> SegmentTrace<'a> {
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
            }));
        }
        // Delayed and reordered copies leave the relay out of turn: the programs read
        // them in the order the relay sent them.
        decoded.to_client.sort_by_key(|delivered| delivered.order);
        decoded.to_server.sort_by_key(|delivered| delivered.order);
        decoded
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
        describe_segment(sent.segment, sent.bytes.len())
    )
}

/// A segment's numbers and flags as reports show them.
pub fn describe_segment(segment: Result<Segment<'_>, SegmentError>, length: usize) -> String {
    match segment {
        Ok(segment) => {
            let header = segment.header;
            let data = match segment.payload.len() {
                0 => String::new(),
                1 => ", 1 byte of data".to_owned(),
                n => format!(", {n} bytes of data"),
            };
            format!(
                "seq {} ack {} conn {} {}{data}",
                header.seq, header.ack, header.conn_id, header.flags
            )
        }
        Err(_) => format!("{length} bytes, not a segment"),
    }
}
