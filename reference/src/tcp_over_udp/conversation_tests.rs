//! Scripted conversations between the [`Sender`](super::Sender) and the
//! [`Receiver`](super::Receiver) in simulated time, step by step: the handshake, every
//! loss the grader's scenarios inject, and the close. Each expected log is the protocol
//! file's, line for line.

use socklab_protocol::tcp_over_udp::segment::Flags;

use super::event::{Ending, Event};
use super::link::{Fate, Link, Toward, closed_both_ways, pattern};

const CLIENT: Toward = Toward::Client;
const SERVER: Toward = Toward::Server;

#[test]
fn handshake_data_and_close_line_for_line() {
    let mut link = Link::new(b"hello");
    assert_eq!(link.client_lines(), ["SEND 12345 0 0 SYN"]);
    link.at(1).deliver(SERVER);
    assert_eq!(
        link.server_lines(),
        ["RECV 12345 0 0 SYN", "SEND 4321 12346 1 ACK SYN"]
    );
    link.at(2).deliver(CLIENT);
    assert_eq!(
        link.client_lines(),
        ["RECV 4321 12346 1 ACK SYN", "SEND 12346 4322 1 ACK"]
    );
    link.at(3).deliver(SERVER);
    assert_eq!(
        link.server_lines(),
        ["RECV 12346 4322 1 ACK", "SEND 4322 12351 1 ACK"]
    );
    assert_eq!(link.written, b"hello");
    link.at(4).deliver(CLIENT);
    assert_eq!(
        link.client_lines(),
        ["RECV 4322 12351 1 ACK", "SEND 12351 0 1 FIN"]
    );
    link.at(5).deliver(SERVER);
    assert_eq!(
        link.server_lines(),
        [
            "RECV 12351 0 1 FIN",
            "SEND 4322 12352 1 ACK",
            "SEND 4322 0 1 FIN"
        ]
    );
    link.at(6).deliver(CLIENT);
    link.deliver(CLIENT);
    assert_eq!(
        link.client_lines(),
        [
            "RECV 4322 12352 1 ACK",
            "RECV 4322 0 1 FIN",
            "SEND 12352 4323 1 ACK"
        ]
    );
    assert_eq!(
        link.client.poll_timeout(),
        Some(link.ms(2006)),
        "the fin wait"
    );
    link.at(7).deliver(SERVER);
    assert_eq!(link.server_lines(), ["RECV 12352 4323 1 ACK"]);
    assert!(link.server.is_finished());
    link.at(2005);
    assert!(link.client_end.is_none());
    link.at(2006);
    closed_both_ways(&link);
    assert_eq!(link.client.poll_timeout(), None);
    assert_eq!(link.in_flight(SERVER) + link.in_flight(CLIENT), 0);
}

#[test]
fn lost_syn_is_sent_again_identical() {
    let mut link = Link::new(b"x");
    assert_eq!(link.lose(SERVER).flags, Flags::SYN);
    assert_eq!(link.client.poll_timeout(), Some(link.ms(100)));
    link.at(99);
    assert_eq!(link.in_flight(SERVER), 0, "not before the timeout");
    link.at(100);
    assert_eq!(
        link.client_lines(),
        ["SEND 12345 0 0 SYN", "SEND 12345 0 0 SYN DUP"]
    );
    link.deliver(SERVER);
    // The server never saw the first one, so this one is no duplicate to it.
    assert_eq!(link.server_lines()[0], "RECV 12345 0 0 SYN");
    link.run();
    closed_both_ways(&link);
    assert_eq!(link.written, b"x");
}

#[test]
fn lost_syn_ack_brings_the_same_syn_ack_again() {
    let mut link = Link::new(b"x");
    link.deliver(SERVER);
    link.lose(CLIENT);
    link.at(100).deliver(SERVER);
    assert_eq!(
        link.server_lines(),
        [
            "RECV 12345 0 0 SYN",
            "SEND 4321 12346 1 ACK SYN",
            "RECV 12345 0 0 SYN DUP",
            "SEND 4321 12346 1 ACK SYN DUP"
        ]
    );
    link.deliver(CLIENT);
    assert_eq!(
        link.client_lines()[2..],
        ["RECV 4321 12346 1 ACK SYN", "SEND 12346 4322 1 ACK"]
    );
    link.run();
    closed_both_ways(&link);
}

#[test]
fn a_repeated_syn_ack_is_answered_with_the_same_handshake_ack() {
    let mut link = Link::new(&pattern(600));
    link.run_with({
        let mut syns = 0;
        move |toward, segment| {
            let syn = toward == SERVER && segment.header.flags == Flags::SYN;
            syns += usize::from(syn);
            if syn && syns == 1 {
                Fate::Duplicate
            } else {
                Fate::Deliver
            }
        }
    });
    closed_both_ways(&link);
    assert_eq!(
        link.written,
        pattern(600),
        "the repeated first segment is not written twice"
    );
    let client = link.client_lines();
    assert_eq!(
        client[1..5],
        [
            "RECV 4321 12346 1 ACK SYN",
            "SEND 12346 4322 1 ACK",
            "RECV 4321 12346 1 ACK SYN DUP",
            "SEND 12346 4322 1 ACK DUP"
        ]
    );
    let server = link.server_lines();
    assert!(
        server.contains(&"RECV 12346 4322 1 ACK DUP".to_owned()),
        "{server:?}"
    );
    assert!(
        server.contains(&"SEND 4322 12858 1 ACK DUP".to_owned()),
        "{server:?}"
    );
}

#[test]
fn lost_first_data_segment_is_sent_again() {
    let mut link = Link::new(b"first");
    link.deliver(SERVER);
    link.deliver(CLIENT);
    let lost = link.lose(SERVER);
    assert_eq!((lost.seq, lost.flags), (12346, Flags::ACK));
    link.at(100).deliver(SERVER);
    assert_eq!(link.client_lines()[3], "SEND 12346 4322 1 ACK DUP");
    assert_eq!(
        link.server_lines()[2..],
        ["RECV 12346 4322 1 ACK", "SEND 4322 12351 1 ACK"]
    );
    link.run();
    closed_both_ways(&link);
    assert_eq!(link.written, b"first");
}

#[test]
fn lost_ack_makes_a_duplicate_that_is_re_acked_and_not_written_twice() {
    let input = pattern(600);
    let mut link = Link::new(&input);
    link.deliver(SERVER);
    link.deliver(CLIENT);
    link.at(1).deliver(SERVER);
    assert_eq!(link.lose(CLIENT).ack, 12858);
    link.at(101).deliver(SERVER);
    link.deliver(CLIENT);
    assert_eq!(
        link.client_lines()[3..],
        [
            "SEND 12346 4322 1 ACK DUP",
            "RECV 4322 12858 1 ACK",
            "SEND 12858 4322 1 ACK"
        ]
    );
    assert_eq!(
        link.server_lines()[4..],
        ["RECV 12346 4322 1 ACK DUP", "SEND 4322 12858 1 ACK DUP"]
    );
    assert_eq!(link.written, input[..512]);
    link.run();
    closed_both_ways(&link);
    assert_eq!(link.written, input);
}

#[test]
fn lost_client_fin_is_sent_again() {
    let mut link = Link::new(b"");
    link.deliver(SERVER);
    link.deliver(CLIENT);
    link.deliver(SERVER);
    assert_eq!(link.lose(SERVER).flags, Flags::FIN);
    link.at(100);
    assert_eq!(
        link.client_lines()[3..],
        ["SEND 12346 0 1 FIN", "SEND 12346 0 1 FIN DUP"]
    );
    link.run();
    closed_both_ways(&link);
}

#[test]
fn lost_server_fin_is_sent_again_until_acked() {
    let mut link = Link::new(b"ab");
    for _ in 0..3 {
        link.deliver(SERVER);
        link.deliver(CLIENT);
    }
    assert_eq!(link.lose(CLIENT).flags, Flags::FIN);
    assert_eq!(link.client_lines().last().unwrap(), "RECV 4322 12349 1 ACK");
    assert_eq!(link.server.poll_timeout(), Some(link.ms(100)));
    link.at(100).deliver(CLIENT);
    assert_eq!(link.server_lines().last().unwrap(), "SEND 4322 0 1 FIN DUP");
    assert_eq!(
        link.client_lines(),
        ["RECV 4322 0 1 FIN", "SEND 12349 4323 1 ACK"]
    );
    link.run();
    closed_both_ways(&link);
}

#[test]
fn the_servers_fin_counts_as_the_ack_of_the_clients() {
    let mut link = Link::new(b"ab");
    for _ in 0..2 {
        link.deliver(SERVER);
        link.deliver(CLIENT);
    }
    link.deliver(SERVER);
    assert_eq!(link.lose(CLIENT).ack, 12349);
    link.deliver(CLIENT);
    assert_eq!(
        link.client_lines()[5..],
        ["RECV 4322 0 1 FIN", "SEND 12349 4323 1 ACK"]
    );
    link.run();
    closed_both_ways(&link);
}

#[test]
fn lost_final_ack_is_answered_again_during_the_fin_wait() {
    let mut link = Link::new(b"ab");
    for _ in 0..2 {
        link.deliver(SERVER);
        link.deliver(CLIENT);
    }
    link.deliver(SERVER);
    link.deliver(CLIENT);
    link.deliver(CLIENT);
    assert_eq!(link.lose(SERVER).ack, 4323);
    link.client_lines();
    link.at(100).deliver(CLIENT);
    assert_eq!(
        link.client_lines(),
        ["RECV 4322 0 1 FIN DUP", "SEND 12349 4323 1 ACK DUP"]
    );
    link.deliver(SERVER);
    assert_eq!(link.server_lines().last().unwrap(), "RECV 12349 4323 1 ACK");
    link.run();
    closed_both_ways(&link);
    // The fin wait counts from the first final ACK; a repeat does not extend it.
    assert_eq!(link.client_end.unwrap().1.as_millis(), 2000);
}

#[test]
fn without_the_final_ack_the_server_stops_after_the_fin_wait() {
    let mut link = Link::new(b"ab");
    link.run_with(|toward, segment| {
        if toward == SERVER && segment.header.ack == 4323 {
            Fate::Lose
        } else {
            Fate::Deliver
        }
    });
    let (end, at) = link.server_end.clone().unwrap();
    assert_eq!(end, Event::Finished(Ending::FinUnacknowledged));
    assert_eq!(at.as_millis(), 2000);
    assert_eq!(link.written, b"ab");
    let fins = link
        .server_lines()
        .iter()
        .filter(|line| line.starts_with("SEND 4322 0 1 FIN"))
        .count();
    assert_eq!(fins, 20, "sent at 0 and every 100 ms until 2 s");
    assert!(matches!(
        link.client_end,
        Some((Event::Finished(Ending::Closed), _))
    ));
}
