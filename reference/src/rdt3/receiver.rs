//! The rdt 2.2 receiver (the server's protocol logic) as a sans-IO machine.

use std::collections::VecDeque;

use socklab_protocol::rdt3::packet::{DATA_LEN, Packet, Repr};

use super::defect::{Defects, ServerDefect};
use super::event::{Event, Integrity};

/// The rdt 2.2 receiver, which is also rdt 3.0's: it delivers each good in-order packet
/// once and answers every datagram with an ACK, re-ACKing the last good packet when the
/// new one is corrupt or a duplicate (rdt 2.2 has no NAK).
///
/// It has no timer, so it needs no clock. It does not know addresses either: the caller
/// sends each reply to wherever the datagram that caused it came from.
///
/// Call order: for each datagram, [`handle_datagram`](Self::handle_datagram), then drain
/// [`poll_transmit`](Self::poll_transmit) (send each reply to the datagram's source) and
/// [`poll_event`](Self::poll_event) (log each event).
#[derive(Debug)]
pub struct Receiver {
    defects: Defects<ServerDefect>,
    /// The seq the next new packet must carry; starts at 0.
    expected: u32,
    /// The seq of the last packet delivered; before any, 1, so the first re-ACK says
    /// "nothing yet" in rdt 2.2's only vocabulary.
    last_delivered: u32,
    transmits: VecDeque<Vec<u8>>,
    events: VecDeque<Event>,
}

impl Receiver {
    /// A receiver waiting for seq 0.
    pub fn new(defects: &[ServerDefect]) -> Self {
        Receiver {
            defects: Defects::new(defects),
            expected: 0,
            last_delivered: 1,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Takes in one datagram from the sender and queues the reply.
    pub fn handle_datagram(&mut self, datagram: &[u8]) {
        self.events.push_back(Event::Received {
            datagram: datagram.to_vec(),
        });
        let Ok(packet) = Packet::new_checked(datagram) else {
            // Not even the right length: no field can be trusted, whatever the defects.
            self.events.push_back(Event::Checksum(Integrity::Corrupt));
            self.re_acknowledge();
            return;
        };
        let intact = packet.verify_checksum() || self.defects.has(ServerDefect::SkipChecksum);
        if !intact {
            self.events.push_back(Event::Checksum(Integrity::Corrupt));
            self.re_acknowledge();
            return;
        }
        self.events
            .push_back(Event::Checksum(Integrity::NotCorrupt));
        let seq = packet.seq();
        let mut data = [0; DATA_LEN];
        data.copy_from_slice(packet.data());
        if seq != self.expected {
            if self.defects.has(ServerDefect::DeliverTwice) {
                self.events.push_back(Event::Delivered { data });
            }
            self.events.push_back(Event::Duplicate {
                expected: self.expected,
                got: seq,
            });
            self.re_acknowledge();
            return;
        }
        self.events.push_back(Event::Delivered { data });
        self.last_delivered = seq;
        self.expected ^= 1;
        self.acknowledge(seq);
    }

    /// The next reply to send, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmits.pop_front()
    }

    /// The next event to report, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The seq the next new packet must carry.
    pub fn expected_seq(&self) -> u32 {
        self.expected
    }
}

impl Receiver {
    /// Answers a corrupt packet or a duplicate: the ACK of the last good packet again.
    fn re_acknowledge(&mut self) {
        let seq = if self.defects.has(ServerDefect::AckNewSeq) {
            self.expected
        } else {
            self.last_delivered
        };
        self.acknowledge(seq);
    }

    fn acknowledge(&mut self, seq: u32) {
        let ack = Repr::ack_for(seq).to_bytes();
        self.transmits.push_back(ack.clone());
        self.events.push_back(Event::Sent { datagram: ack });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(receiver: &mut Receiver) -> Vec<String> {
        std::iter::from_fn(|| receiver.poll_event())
            .map(|event| event.to_string())
            .collect()
    }

    fn acked_seq(receiver: &mut Receiver) -> u32 {
        let ack = receiver.poll_transmit().unwrap();
        let packet = Packet::new_checked(ack).unwrap();
        assert_eq!(Repr::parse(&packet).map(|repr| repr.ack), Ok(true));
        packet.seq()
    }

    #[test]
    fn in_order_packets_are_delivered_and_acked() {
        let mut receiver = Receiver::new(&[]);
        for (seq, data) in [(0, *b"NCC-1701"), (1, *b"NCC-1422"), (0, *b"NCC-1017")] {
            receiver.handle_datagram(&Repr::data(seq, data).to_bytes());
            assert_eq!(acked_seq(&mut receiver), seq);
            assert_eq!(receiver.poll_transmit(), None);
        }
        let delivered: Vec<String> = lines(&mut receiver)
            .into_iter()
            .filter(|line| line.starts_with("Delivered"))
            .collect();
        assert_eq!(
            delivered,
            [
                "Delivered: NCC-1701",
                "Delivered: NCC-1422",
                "Delivered: NCC-1017"
            ]
        );
    }

    #[test]
    fn first_packet_wrong_seq_gets_ack_one() {
        let mut receiver = Receiver::new(&[]);
        receiver.handle_datagram(&Repr::data(1, *b"NCC-1422").to_bytes());
        assert_eq!(acked_seq(&mut receiver), 1);
        assert_eq!(receiver.expected_seq(), 0);
        let lines = lines(&mut receiver);
        assert_eq!(lines[1], "Checksum: not corrupt");
        assert_eq!(lines[2], "Duplicate: expected seq=0, got seq=1");
        assert!(lines[3].starts_with("Sent Packet: ack=1 seq=1 data= chksum="));
    }

    #[test]
    fn malformed_datagram_is_corrupt_and_re_acked() {
        let mut receiver = Receiver::new(&[ServerDefect::SkipChecksum]);
        receiver.handle_datagram(&[0; 20]);
        assert_eq!(acked_seq(&mut receiver), 1);
        assert_eq!(
            lines(&mut receiver)[..2],
            [
                "Received Packet: malformed (20 bytes, expected 48)",
                "Checksum: corrupt"
            ]
        );
    }

    #[test]
    fn deliver_twice_delivers_a_retransmission_again_and_acks_it_right() {
        let mut receiver = Receiver::new(&[ServerDefect::DeliverTwice]);
        let first = Repr::data(0, *b"NCC-1701").to_bytes();
        receiver.handle_datagram(&first);
        assert_eq!(acked_seq(&mut receiver), 0);
        // The ACK was lost: the same packet again is a duplicate, re-ACKed with seq 0 as
        // rdt 2.2 says, but delivered a second time.
        receiver.handle_datagram(&first);
        assert_eq!(acked_seq(&mut receiver), 0);
        assert_eq!(receiver.expected_seq(), 1);
        let log = lines(&mut receiver);
        let delivered: Vec<&String> = log
            .iter()
            .filter(|line| line.starts_with("Delivered"))
            .collect();
        assert_eq!(delivered, ["Delivered: NCC-1701", "Delivered: NCC-1701"]);
        assert!(log.contains(&"Duplicate: expected seq=1, got seq=0".to_owned()));
        // A corrupt packet is still not delivered.
        let mut corrupt = Repr::data(1, *b"NCC-1422").to_bytes();
        corrupt[8] ^= 1;
        receiver.handle_datagram(&corrupt);
        assert_eq!(acked_seq(&mut receiver), 0);
        let after_corrupt = lines(&mut receiver);
        assert!(
            !after_corrupt
                .iter()
                .any(|line| line.starts_with("Delivered"))
        );
    }

    #[test]
    fn a_correct_receiver_delivers_a_duplicate_once() {
        let mut receiver = Receiver::new(&[]);
        let first = Repr::data(0, *b"NCC-1701").to_bytes();
        receiver.handle_datagram(&first);
        receiver.handle_datagram(&first);
        let delivered = lines(&mut receiver)
            .into_iter()
            .filter(|line| line.starts_with("Delivered"))
            .count();
        assert_eq!(delivered, 1);
    }

    #[test]
    fn ack_new_seq_re_acks_the_expected_seq() {
        let mut receiver = Receiver::new(&[ServerDefect::AckNewSeq]);
        receiver.handle_datagram(&[0; 47]);
        assert_eq!(acked_seq(&mut receiver), 0);
        receiver.handle_datagram(&Repr::data(0, *b"NCC-1701").to_bytes());
        assert_eq!(acked_seq(&mut receiver), 0);
        receiver.handle_datagram(&Repr::data(0, *b"NCC-1701").to_bytes());
        assert_eq!(acked_seq(&mut receiver), 1);
    }
}
