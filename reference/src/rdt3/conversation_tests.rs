//! Scripted conversations between a [`Sender`] and a [`Receiver`] in simulated time: the
//! textbook cases of rdt 3.0 (Kurose & Ross, Figure 3.16), corruption, and each defect's
//! observable effect. The test plays the network: it carries each datagram by hand, so a
//! loss is simply a datagram it never hands over and a delay is handing it over later.

use std::time::{Duration, Instant};

use socklab_protocol::rdt3::packet::{Packet, field};

use super::defect::{ClientDefect, ServerDefect};
use super::receiver::Receiver;
use super::sender::Sender;

const TIMER: Duration = Duration::from_millis(9);

/// The two machines and the simulated clock.
struct Pair {
    start: Instant,
    now: Instant,
    sender: Sender,
    receiver: Receiver,
}

impl Pair {
    fn new(client: &[ClientDefect], server: &[ServerDefect]) -> Self {
        let messages = vec![*b"NCC-1701", *b"NCC-1422", *b"NCC-1017"];
        let start = Instant::now();
        let mut pair = Pair {
            start,
            now: start,
            sender: Sender::new(messages, TIMER, client),
            receiver: Receiver::new(server),
        };
        pair.sender.start(start);
        pair
    }

    fn ms(&self, ms: u64) -> Instant {
        self.start + Duration::from_millis(ms)
    }

    /// Moves the clock to `ms` after the start.
    fn at(&mut self, ms: u64) -> &mut Self {
        self.now = self.ms(ms);
        self
    }

    /// The one datagram the sender has put on the wire since last asked.
    fn sent(&mut self) -> Vec<u8> {
        let datagram = self
            .sender
            .poll_transmit()
            .expect("the sender should have sent");
        assert_eq!(
            self.sender.poll_transmit(),
            None,
            "the sender sent more than one"
        );
        datagram
    }

    fn nothing_sent(&mut self) {
        assert_eq!(
            self.sender.poll_transmit(),
            None,
            "the sender should be silent"
        );
    }

    /// Delivers a datagram to the receiver; returns its one reply.
    fn server_gets(&mut self, datagram: &[u8]) -> Vec<u8> {
        self.receiver.handle_datagram(datagram);
        let reply = self
            .receiver
            .poll_transmit()
            .expect("the receiver answers everything");
        assert_eq!(self.receiver.poll_transmit(), None);
        reply
    }

    fn client_gets(&mut self, datagram: &[u8]) {
        self.sender.handle_datagram(self.now, datagram);
    }

    /// Lets the sender's timer run out, checking it was due at `ms`.
    fn timeout_at(&mut self, ms: u64) {
        assert_eq!(self.sender.poll_timeout(), Some(self.ms(ms)));
        self.at(ms);
        self.sender.handle_timeout(self.now);
    }

    /// A clean exchange, at the current time, of the packet just sent and its ACK.
    fn exchange(&mut self) {
        let data = self.sent();
        let ack = self.server_gets(&data);
        self.client_gets(&ack);
    }

    fn client_log(&mut self) -> Vec<String> {
        brief(std::iter::from_fn(|| self.sender.poll_event()).map(|event| event.to_string()))
    }

    fn server_log(&mut self) -> Vec<String> {
        brief(std::iter::from_fn(|| self.receiver.poll_event()).map(|event| event.to_string()))
    }
}

/// Log lines without the checksum, which event.rs already pins down; what is left shows
/// the conversation.
fn brief(lines: impl Iterator<Item = String>) -> Vec<String> {
    lines
        .map(|line| match line.split_once(" chksum=") {
            Some((fields, _)) => fields.to_owned(),
            None => line,
        })
        .collect()
}

fn seq_of(datagram: &[u8]) -> u32 {
    Packet::new_checked(datagram)
        .map(|packet| packet.seq())
        .expect("a whole packet")
}

fn flip(datagram: &[u8], byte: usize) -> Vec<u8> {
    let mut corrupt = datagram.to_vec();
    corrupt[byte] ^= 0x01;
    corrupt
}

#[test]
fn no_loss() {
    let mut pair = Pair::new(&[], &[]);
    for ms in 0..3 {
        pair.at(ms).exchange();
    }
    assert!(pair.sender.is_finished());
    assert_eq!(pair.sender.poll_timeout(), None);
    assert_eq!(
        pair.client_log(),
        [
            "Sent Packet: ack=0 seq=0 data=NCC-1701",
            "Received Packet: ack=1 seq=0 data=",
            "Checksum: not corrupt",
            "Sent Packet: ack=0 seq=1 data=NCC-1422",
            "Received Packet: ack=1 seq=1 data=",
            "Checksum: not corrupt",
            "Sent Packet: ack=0 seq=0 data=NCC-1017",
            "Received Packet: ack=1 seq=0 data=",
            "Checksum: not corrupt",
            "Done: all 3 messages acknowledged",
        ]
    );
    assert_eq!(
        pair.server_log(),
        [
            "Received Packet: ack=0 seq=0 data=NCC-1701",
            "Checksum: not corrupt",
            "Delivered: NCC-1701",
            "Sent Packet: ack=1 seq=0 data=",
            "Received Packet: ack=0 seq=1 data=NCC-1422",
            "Checksum: not corrupt",
            "Delivered: NCC-1422",
            "Sent Packet: ack=1 seq=1 data=",
            "Received Packet: ack=0 seq=0 data=NCC-1017",
            "Checksum: not corrupt",
            "Delivered: NCC-1017",
            "Sent Packet: ack=1 seq=0 data=",
        ]
    );
}

#[test]
fn lost_packet_is_resent_byte_for_byte_after_the_timer() {
    let mut pair = Pair::new(&[], &[]);
    let data = pair.sent();
    let ack = pair.server_gets(&data);
    pair.at(1).client_gets(&ack);
    let lost = pair.sent();
    pair.sender.handle_timeout(pair.ms(5));
    pair.nothing_sent();
    pair.timeout_at(10);
    assert_eq!(pair.sent(), lost);
    assert_eq!(
        pair.sender.poll_timeout(),
        Some(pair.ms(19)),
        "the timer restarts"
    );
    let ack = pair.server_gets(&lost);
    pair.at(11).client_gets(&ack);
    pair.at(12).exchange();
    assert!(pair.sender.is_finished());
    assert_eq!(
        pair.client_log()[3..7],
        [
            "Sent Packet: ack=0 seq=1 data=NCC-1422",
            "Timer Expired: resending seq=1",
            "Sent Packet: ack=0 seq=1 data=NCC-1422",
            "Received Packet: ack=1 seq=1 data=",
        ]
    );
    let server_log = pair.server_log();
    assert_eq!(
        server_log
            .iter()
            .filter(|line| line.starts_with("Delivered"))
            .count(),
        3
    );
    assert!(!server_log.iter().any(|line| line.starts_with("Duplicate")));
}

#[test]
fn lost_ack_makes_a_duplicate_that_is_re_acked() {
    let mut pair = Pair::new(&[], &[]);
    let data = pair.sent();
    pair.server_gets(&data);
    pair.timeout_at(9);
    let again = pair.sent();
    let ack = pair.server_gets(&again);
    assert_eq!(seq_of(&ack), 0);
    pair.at(10).client_gets(&ack);
    assert_eq!(seq_of(&pair.sent()), 1, "the re-ACK moves the sender on");
    assert_eq!(
        pair.server_log()[4..],
        [
            "Received Packet: ack=0 seq=0 data=NCC-1701",
            "Checksum: not corrupt",
            "Duplicate: expected seq=1, got seq=0",
            "Sent Packet: ack=1 seq=0 data=",
        ]
    );
}

#[test]
fn premature_timeout_then_the_late_ack_is_ignored() {
    let mut pair = Pair::new(&[], &[]);
    let data = pair.sent();
    let late_ack = pair.server_gets(&data);
    pair.timeout_at(9);
    let again = pair.sent();
    let ack = pair.server_gets(&again);
    pair.at(10).client_gets(&ack);
    let second = pair.sent();
    assert_eq!(seq_of(&second), 1);
    // The first ACK, delayed in the network, arrives while seq 1 is outstanding.
    pair.at(14).client_gets(&late_ack);
    pair.nothing_sent();
    assert_eq!(
        pair.sender.poll_timeout(),
        Some(pair.ms(19)),
        "the timer keeps running"
    );
    let ack = pair.server_gets(&second);
    pair.at(15).client_gets(&ack);
    pair.at(16).exchange();
    assert!(pair.sender.is_finished());
    assert_eq!(
        pair.client_log()[5..9],
        [
            "Sent Packet: ack=0 seq=1 data=NCC-1422",
            "Received Packet: ack=1 seq=0 data=",
            "Checksum: not corrupt",
            "Received Packet: ack=1 seq=1 data=",
        ]
    );
}

#[test]
fn corrupt_packet_is_re_acked_with_the_last_good_seq() {
    let mut pair = Pair::new(&[], &[]);
    pair.exchange();
    let data = pair.sent();
    let ack = pair.server_gets(&flip(&data, field::DATA.end - 1));
    assert_eq!(seq_of(&ack), 0);
    pair.at(1).client_gets(&ack);
    pair.nothing_sent();
    pair.timeout_at(9);
    assert_eq!(pair.sent(), data);
    assert_eq!(
        pair.server_log()[4..],
        [
            "Received Packet: ack=0 seq=1 data=NCC-1423",
            "Checksum: corrupt",
            "Sent Packet: ack=1 seq=0 data=",
        ]
    );
}

#[test]
fn corrupt_ack_is_ignored_until_the_timer() {
    let mut pair = Pair::new(&[], &[]);
    let data = pair.sent();
    let ack = pair.server_gets(&data);
    pair.at(1).client_gets(&flip(&ack, field::CHKSUM.start));
    pair.nothing_sent();
    pair.timeout_at(9);
    assert_eq!(pair.sent(), data);
    assert_eq!(
        pair.client_log()[1..4],
        [
            "Received Packet: ack=1 seq=0 data=",
            "Checksum: corrupt",
            "Timer Expired: resending seq=0"
        ]
    );
}

#[test]
fn malformed_ack_is_corrupt_and_ignored() {
    let mut pair = Pair::new(&[], &[]);
    pair.sent();
    pair.at(1).client_gets(&[0; 20]);
    pair.nothing_sent();
    assert_eq!(
        pair.client_log()[1..],
        [
            "Received Packet: malformed (20 bytes, expected 48)",
            "Checksum: corrupt"
        ]
    );
}

#[test]
fn datagrams_after_the_end_are_ignored() {
    let mut pair = Pair::new(&[], &[]);
    for _ in 0..3 {
        pair.exchange();
    }
    pair.client_log();
    pair.client_gets(&[0; 48]);
    pair.sender.handle_timeout(pair.ms(1000));
    pair.nothing_sent();
    assert!(pair.client_log().is_empty());
}

#[test]
fn no_messages_is_done_at_once() {
    let mut sender = Sender::new(Vec::new(), TIMER, &[]);
    sender.start(Instant::now());
    assert!(sender.is_finished());
    assert_eq!(sender.poll_transmit(), None);
    assert_eq!(
        sender
            .poll_event()
            .map(|event| event.to_string())
            .as_deref(),
        Some("Done: all 0 messages acknowledged")
    );
}

#[test]
fn defect_no_retransmit_waits_forever() {
    let mut pair = Pair::new(&[ClientDefect::NoRetransmit], &[]);
    pair.sent();
    assert_eq!(pair.sender.poll_timeout(), None);
    pair.sender.handle_timeout(pair.ms(60_000));
    pair.nothing_sent();
    assert!(!pair.sender.is_finished());
}

#[test]
fn defect_fixed_seq_loses_every_message_after_the_first() {
    let mut pair = Pair::new(&[ClientDefect::FixedSeq], &[]);
    for _ in 0..3 {
        let data = pair.sent();
        assert_eq!(seq_of(&data), 0);
        let ack = pair.server_gets(&data);
        pair.client_gets(&ack);
    }
    assert!(
        pair.sender.is_finished(),
        "the duplicate ACKs look right to the sender"
    );
    let delivered: Vec<String> = pair
        .server_log()
        .into_iter()
        .filter(|line| line.starts_with("Delivered"))
        .collect();
    assert_eq!(delivered, ["Delivered: NCC-1701"]);
}

#[test]
fn defect_client_skip_checksum_takes_a_corrupt_ack() {
    let mut pair = Pair::new(&[ClientDefect::SkipChecksum], &[]);
    let data = pair.sent();
    let ack = pair.server_gets(&data);
    pair.at(1).client_gets(&flip(&ack, field::CHKSUM.start));
    assert_eq!(seq_of(&pair.sent()), 1);
    assert_eq!(pair.client_log()[2], "Checksum: not corrupt");
}

#[test]
fn defect_slow_timer_ignores_the_configured_timer() {
    let mut pair = Pair::new(&[ClientDefect::SlowTimer], &[]);
    pair.sent();
    pair.timeout_at(60);
    pair.sent();
    assert_eq!(pair.sender.poll_timeout(), Some(pair.ms(120)));
}

#[test]
fn defect_silent_timer_resends_without_saying_so() {
    let mut pair = Pair::new(&[ClientDefect::SilentTimer], &[]);
    let data = pair.sent();
    pair.timeout_at(9);
    assert_eq!(pair.sent(), data);
    assert_eq!(
        pair.client_log(),
        [
            "Sent Packet: ack=0 seq=0 data=NCC-1701",
            "Sent Packet: ack=0 seq=0 data=NCC-1701"
        ]
    );
}

#[test]
fn defect_server_skip_checksum_delivers_corrupt_data() {
    let mut pair = Pair::new(&[], &[ServerDefect::SkipChecksum]);
    let data = pair.sent();
    let ack = pair.server_gets(&flip(&data, field::DATA.end - 1));
    assert_eq!(seq_of(&ack), 0);
    assert_eq!(
        pair.server_log()[1..3],
        ["Checksum: not corrupt", "Delivered: NCC-1700"]
    );
}

#[test]
fn defect_ack_new_seq_re_acks_the_seq_it_expects() {
    let mut pair = Pair::new(&[], &[ServerDefect::AckNewSeq]);
    let data = pair.sent();
    pair.server_gets(&data);
    pair.timeout_at(9);
    let again = pair.sent();
    let ack = pair.server_gets(&again);
    assert_eq!(seq_of(&ack), 1, "a correct receiver re-ACKs seq 0 here");
    pair.at(10).client_gets(&ack);
    pair.nothing_sent();
}

#[test]
fn defect_deliver_twice_delivers_the_retransmission_after_a_lost_ack_again() {
    let mut pair = Pair::new(&[], &[ServerDefect::DeliverTwice]);
    let data = pair.sent();
    pair.server_gets(&data); // its ACK is lost
    pair.timeout_at(9);
    let again = pair.sent();
    let ack = pair.server_gets(&again);
    assert_eq!(seq_of(&ack), 0, "the ACKs stay right");
    pair.at(10).client_gets(&ack);
    pair.at(11).exchange();
    pair.at(12).exchange();
    assert!(pair.sender.is_finished());
    let delivered: Vec<String> = pair
        .server_log()
        .into_iter()
        .filter(|line| line.starts_with("Delivered"))
        .collect();
    assert_eq!(
        delivered,
        [
            "Delivered: NCC-1701",
            "Delivered: NCC-1701",
            "Delivered: NCC-1422",
            "Delivered: NCC-1017"
        ]
    );
}
