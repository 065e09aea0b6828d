//! One machine's side of the wire: the datagrams it queues for its loop to send, the
//! events it owes the loop, and the memory of every datagram sent and received that
//! decides each `DUP` mark.
//!
//! The protocol defines `DUP` by bytes, not by intent: a `SEND` is a duplicate when the
//! very same datagram went out before (a retransmission, a repeated ACK), a `RECV` when
//! the very same datagram came in before. Keeping the bytes is the only way to say so
//! exactly, and a whole transfer is a few hundred datagrams.

use std::collections::{BTreeSet, VecDeque};

use socklab_protocol::tcp_over_udp::log_line::LogLine;
use socklab_protocol::tcp_over_udp::segment::{HEADER_LEN, Header, Segment};

use super::event::Event;

/// A segment ready to send: its bytes, and its header for the log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Outgoing {
    header: Header,
    bytes: Vec<u8>,
}

impl Outgoing {
    pub(super) fn new(header: Header, payload: &[u8]) -> Self {
        Outgoing {
            header,
            bytes: Segment { header, payload }.to_bytes(),
        }
    }

    pub(super) fn header(&self) -> Header {
        self.header
    }

    pub(super) fn payload_len(&self) -> usize {
        self.bytes.len() - HEADER_LEN
    }
}

/// The queues between a machine and its loop, and what has crossed the wire so far.
#[derive(Debug, Default)]
pub(super) struct Wire {
    sent: BTreeSet<Vec<u8>>,
    received: BTreeSet<Vec<u8>>,
    transmits: VecDeque<Vec<u8>>,
    events: VecDeque<Event>,
}

impl Wire {
    /// Queues the datagram and its `SEND` line.
    pub(super) fn send(&mut self, datagram: &Outgoing) {
        let repeated = self.transmit(datagram);
        self.log(LogLine::sent(datagram.header, repeated));
    }

    /// Queues the datagram without a line, for a caller that writes its own; returns
    /// whether the same bytes were sent before.
    pub(super) fn transmit(&mut self, datagram: &Outgoing) -> bool {
        self.transmits.push_back(datagram.bytes.clone());
        !self.sent.insert(datagram.bytes.clone())
    }

    /// Takes in a datagram: the segment and whether the same bytes came in before, or
    /// `None` (with the event already queued) when it is not a segment at all. The caller
    /// logs `RECV` or `DROP`.
    pub(super) fn receive<'a>(&mut self, datagram: &'a [u8]) -> Option<(Segment<'a>, bool)> {
        let repeated = !self.received.insert(datagram.to_vec());
        match Segment::parse(datagram) {
            Ok(segment) => Some((segment, repeated)),
            Err(error) => {
                self.event(Event::NotASegment {
                    length: datagram.len(),
                    error,
                });
                None
            }
        }
    }

    pub(super) fn log(&mut self, line: LogLine) {
        self.event(Event::Log(line));
    }

    pub(super) fn event(&mut self, event: Event) {
        self.events.push_back(event);
    }

    pub(super) fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmits.pop_front()
    }

    pub(super) fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use socklab_protocol::tcp_over_udp::segment::Flags;

    use super::*;

    fn ack(ack: i32) -> Outgoing {
        let header = Header {
            seq: 4322,
            ack,
            conn_id: 1,
            flags: Flags::ACK,
        };
        Outgoing::new(header, &[])
    }

    #[test]
    fn a_send_is_a_duplicate_only_when_every_byte_repeats() {
        let mut wire = Wire::default();
        wire.send(&ack(12346));
        wire.send(&ack(12858));
        wire.send(&ack(12346));
        let lines: Vec<String> = std::iter::from_fn(|| wire.poll_event())
            .map(|event| event.to_string())
            .collect();
        assert_eq!(
            lines,
            [
                "SEND 4322 12346 1 ACK",
                "SEND 4322 12858 1 ACK",
                "SEND 4322 12346 1 ACK DUP"
            ]
        );
        assert_eq!(std::iter::from_fn(|| wire.poll_transmit()).count(), 3);
    }

    #[test]
    fn received_bytes_are_remembered_even_when_they_are_no_segment() {
        let mut wire = Wire::default();
        assert!(wire.receive(&[1, 2, 3]).is_none());
        assert!(matches!(
            wire.poll_event(),
            Some(Event::NotASegment { length: 3, .. })
        ));
        let bytes = ack(12346).bytes;
        assert_eq!(
            wire.receive(&bytes).map(|(_, repeated)| repeated),
            Some(false)
        );
        assert_eq!(
            wire.receive(&bytes).map(|(_, repeated)| repeated),
            Some(true)
        );
        assert_eq!(wire.poll_event(), None, "the caller logs RECV or DROP");
    }
}
