//! Whole transfers between the [`Sender`](super::Sender) and the
//! [`Receiver`](super::Receiver) through the simulated link: duplication, seeded loss,
//! the sequence space wrapping, the edges of the input, strangers' datagrams, and a
//! server that never answers.

use std::time::Duration;

use socklab_protocol::tcp_over_udp::log_line::{LogLine, Verb};
use socklab_protocol::tcp_over_udp::segment::{Flags, Header, Segment};

use super::event::{Awaiting, Ending, Event};
use super::link::{Fate, Link, Seeded, Toward, closed_both_ways, pattern};

const CLIENT: Toward = Toward::Client;
const SERVER: Toward = Toward::Server;

fn parsed(lines: &[String]) -> Vec<LogLine> {
    lines
        .iter()
        .map(|line| LogLine::parse(line).unwrap())
        .collect()
}

#[test]
fn duplicated_datagrams_are_marked_and_written_once() {
    let input = pattern(5000);
    let mut link = Link::new(&input);
    let mut count = 0;
    link.run_with(|_, _| {
        count += 1;
        if count % 3 == 0 {
            Fate::Duplicate
        } else {
            Fate::Deliver
        }
    });
    closed_both_ways(&link);
    assert_eq!(link.written, input);
    let server = parsed(&link.server_lines());
    assert!(
        server
            .iter()
            .any(|line| line.verb == Verb::Recv && line.duplicate)
    );
    assert!(
        parsed(&link.client_lines())
            .iter()
            .any(|line| line.verb == Verb::Recv && line.duplicate)
    );
}

#[test]
fn seeded_loss_both_ways_still_copies_the_file() {
    for seed in 1..=5 {
        let input = pattern(20_000);
        let mut link = Link::new(&input);
        let mut random = Seeded::new(seed);
        link.run_with(|_, _| {
            if random.chance(10) {
                Fate::Lose
            } else {
                Fate::Deliver
            }
        });
        assert_eq!(link.written, input, "seed {seed}");
        assert!(
            matches!(link.client_end, Some((Event::Finished(Ending::Closed), _))),
            "seed {seed}"
        );
        // Every retransmission is marked: no two SEND lines without DUP share their bytes.
        let sends = parsed(&link.client_lines());
        let first_sends: Vec<Header> = sends
            .iter()
            .filter(|line| !line.duplicate)
            .map(|line| line.header)
            .collect();
        let mut unique = first_sends.clone();
        unique.sort_by_key(|header| (header.seq, header.ack, header.flags.0));
        unique.dedup();
        assert_eq!(unique.len(), first_sends.len(), "seed {seed}");
    }
}

#[test]
fn sequence_numbers_wrap_at_204800() {
    let input = pattern(210_000);
    let mut link = Link::new(&input);
    link.run();
    closed_both_ways(&link);
    assert_eq!(link.written, input);
    // The segment at offset 192 000 has seq 204 346; its 512 bytes end at 58.
    let server = link.server_lines();
    assert!(server.contains(&"RECV 204346 4322 1 ACK".to_owned()));
    assert!(server.contains(&"SEND 4322 58 1 ACK".to_owned()));
    let client = parsed(&link.client_lines());
    assert!(
        client
            .iter()
            .any(|line| line.verb == Verb::Send && line.header.seq == 58)
    );
    for line in &client {
        assert!((0..204_800).contains(&line.header.seq), "{line}");
        assert!((0..204_800).contains(&line.header.ack), "{line}");
    }
    // 210 000 bytes from 12 346 end at (12 346 + 210 000) mod 204 800 = 17 546.
    assert!(server.contains(&"RECV 17546 0 1 FIN".to_owned()));
    // No data segment repeats, but after the wrap the acks run over numbers already
    // acknowledged once (12 858 = 58 + 24 * 512 + 512): an ACK with no payload is then
    // byte for byte an earlier one, and `DUP` is defined by bytes.
    assert!(
        !client
            .iter()
            .any(|line| line.verb == Verb::Send && line.duplicate)
    );
    assert!(server.contains(&"SEND 4322 12858 1 ACK DUP".to_owned()));
    assert!(
        !server
            .iter()
            .any(|line| line.starts_with("RECV") && line.ends_with("DUP"))
    );
}

#[test]
fn after_the_wrap_repeated_bytes_are_marked_dup_as_the_protocol_defines_it() {
    // All zeros: the segment at offset 204 800 has seq 12 346 again and the same payload
    // as the first, so it is byte for byte the handshake ACK. `DUP` is defined by bytes,
    // so its SEND (and the server's ACK of it) say DUP, though it is new data, written.
    let input = vec![0; 205_312];
    let mut link = Link::new(&input);
    link.run();
    closed_both_ways(&link);
    assert_eq!(link.written, input);
    let client = link.client_lines();
    let repeats: Vec<&String> = client.iter().filter(|line| line.ends_with("DUP")).collect();
    assert_eq!(
        repeats,
        ["SEND 12346 4322 1 ACK DUP", "RECV 4322 12858 1 ACK DUP"]
    );
}

#[test]
fn empty_input_is_a_handshake_and_a_close() {
    let mut link = Link::new(b"");
    link.run();
    closed_both_ways(&link);
    assert!(link.written.is_empty());
    assert_eq!(
        link.client_lines(),
        [
            "SEND 12345 0 0 SYN",
            "RECV 4321 12346 1 ACK SYN",
            "SEND 12346 4322 1 ACK",
            "SEND 12346 0 1 FIN",
            "RECV 4322 12346 1 ACK",
            "RECV 4322 12347 1 ACK",
            "RECV 4322 0 1 FIN",
            "SEND 12347 4323 1 ACK"
        ]
    );
}

#[test]
fn binary_input_ending_in_nuls_arrives_byte_for_byte() {
    let mut input = pattern(1000);
    input.extend([0; 300]);
    input.extend([0xff, 0, 0]);
    let mut link = Link::new(&input);
    link.run();
    closed_both_ways(&link);
    assert_eq!(link.written, input);
}

#[test]
fn a_wrong_connection_id_is_dropped_on_both_sides() {
    let mut link = Link::new(b"x");
    link.deliver(SERVER);
    link.deliver(CLIENT);
    let stranger = |conn_id| {
        let header = Header {
            seq: 12346,
            ack: 4322,
            conn_id,
            flags: Flags::ACK,
        };
        Segment {
            header,
            payload: b"y",
        }
        .to_bytes()
    };
    link.inject(SERVER, stranger(7));
    link.deliver(SERVER);
    assert_eq!(link.server_lines().last().unwrap(), "DROP 12346 4322 7 ACK");
    assert_eq!(
        link.in_flight(CLIENT),
        0,
        "a dropped datagram is not answered"
    );
    link.inject(CLIENT, stranger(9));
    link.deliver(CLIENT);
    assert_eq!(link.client_lines().last().unwrap(), "DROP 12346 4322 9 ACK");
    assert_eq!(link.in_flight(SERVER), 1, "only the handshake ACK");
    link.run();
    closed_both_ways(&link);
    assert_eq!(link.written, b"x");
}

#[test]
fn a_datagram_that_is_no_segment_gets_an_other_line() {
    let mut link = Link::new(b"x");
    link.inject(SERVER, vec![1, 2, 3]);
    link.deliver(SERVER);
    assert_eq!(
        link.server_lines(),
        ["not a segment: a 3-byte datagram (datagram is 3 bytes, shorter than the 12-byte header)"]
    );
    assert!(!link.server.has_connection());
    link.run();
    closed_both_ways(&link);
}

#[test]
fn a_client_without_answers_gives_up_after_10_s() {
    let mut link = Link::new(b"x");
    link.run_with(|toward, _| {
        if toward == SERVER {
            Fate::Lose
        } else {
            Fate::Deliver
        }
    });
    let (end, at) = link.client_end.clone().unwrap();
    assert_eq!(
        end,
        Event::GaveUp {
            idle: Duration::from_secs(10),
            awaiting: Awaiting::SynAck
        }
    );
    assert_eq!(at.as_millis(), 10_000);
    assert_eq!(
        link.client_lines().len(),
        100,
        "the SYN at 0 and every 100 ms"
    );
    assert!(link.client.is_finished());
    assert_eq!(link.client.poll_timeout(), None);
}
