//! Each deliberate defect's deviation, shown in simulated time against a correct peer:
//! the evidence the grader's check (named in defect.rs) will see.

use std::time::Duration;

use super::defect::{ClientDefect, ServerDefect};
use super::event::{Awaiting, Ending, Event};
use super::link::{Fate, Link, Toward};

const CLIENT: Toward = Toward::Client;
const SERVER: Toward = Toward::Server;

fn client_with(input: &[u8], defect: ClientDefect) -> Link {
    Link::with_defects(input, &[defect], &[])
}

fn server_with(input: &[u8], defect: ServerDefect) -> Link {
    Link::with_defects(input, &[], &[defect])
}

/// The handshake, then the first data segment's ACK lost: the client retransmits it.
fn lose_the_first_data_ack(link: &mut Link) {
    link.deliver(SERVER);
    link.deliver(CLIENT);
    link.deliver(SERVER);
    link.lose(CLIENT);
    link.at(100).deliver(SERVER);
}

#[test]
fn write_duplicates_writes_a_retransmitted_segment_twice() {
    let mut link = server_with(b"once", ServerDefect::WriteDuplicates);
    lose_the_first_data_ack(&mut link);
    link.run();
    assert_eq!(link.written, b"onceonce");
    assert_eq!(
        link.server_lines()[4..6],
        ["RECV 12346 4322 1 ACK DUP", "SEND 4322 12350 1 ACK DUP"]
    );
}

#[test]
fn strip_nuls_loses_the_trailing_nuls_of_each_payload() {
    let mut input = vec![b'a'; 500];
    input.extend([0; 12]);
    input.extend(b"b\0\0");
    let mut link = server_with(&input, ServerDefect::StripNuls);
    link.run();
    let mut expected = vec![b'a'; 500];
    expected.push(b'b');
    assert_eq!(link.written, expected);
    assert!(
        matches!(link.client_end, Some((Event::Finished(Ending::Closed), _))),
        "the ACKs are right"
    );
}

#[test]
fn ack_no_wrap_acks_past_204800_and_the_client_gives_up() {
    let input = vec![7; 210_000];
    let mut link = server_with(&input, ServerDefect::AckNoWrap);
    link.run();
    // The segment at seq 204 346 ends at 58 once wrapped; this server says 204 858.
    let server = link.server_lines();
    assert!(
        server.contains(&"SEND 4322 204858 1 ACK".to_owned()),
        "{:?}",
        &server[server.len() - 3..]
    );
    let (end, _) = link.client_end.unwrap();
    assert_eq!(
        end,
        Event::GaveUp {
            idle: Duration::from_secs(10),
            awaiting: Awaiting::DataAck { ack: 58 }
        }
    );
    assert_eq!(
        link.written,
        input[..192_512],
        "the data up to the wrap arrived"
    );
}

#[test]
fn ack_no_wrap_is_invisible_below_the_wrap() {
    let input = vec![7; 20_000];
    let mut link = server_with(&input, ServerDefect::AckNoWrap);
    link.run();
    assert_eq!(link.written, input);
    assert!(matches!(
        link.client_end,
        Some((Event::Finished(Ending::Closed), _))
    ));
}

#[test]
fn no_fin_retransmit_sends_one_fin_and_stops_after_the_fin_wait() {
    let mut link = client_with(b"x", ClientDefect::NoFinRetransmit);
    link.run_with(|toward, segment| {
        if toward == SERVER && segment.header.flags.0 == 1 {
            Fate::Lose
        } else {
            Fate::Deliver
        }
    });
    let client = link.client_lines();
    let fins: Vec<&String> = client
        .iter()
        .filter(|line| line.ends_with("FIN") || line.ends_with("FIN DUP"))
        .collect();
    assert_eq!(fins, ["SEND 12347 0 1 FIN"]);
    let (end, at) = link.client_end.unwrap();
    assert_eq!(end, Event::Finished(Ending::FinUnacknowledged));
    assert_eq!(at.as_millis(), 2000);
    assert!(
        link.server_end.is_none(),
        "the server still waits for a FIN"
    );
    assert_eq!(link.written, b"x");
}

#[test]
fn text_only_replaces_invalid_utf8() {
    let mut link = client_with(b"a\xff\xfeb\0", ClientDefect::TextOnly);
    link.run();
    assert_eq!(link.written, "a\u{fffd}\u{fffd}b\0".as_bytes());
}

#[test]
fn ignore_conn_id_is_dropped_until_the_client_gives_up() {
    let mut link = client_with(b"x", ClientDefect::IgnoreConnId);
    link.run();
    let server = link.server_lines();
    assert_eq!(server[2], "DROP 12346 4322 0 ACK");
    assert!(server[2..].iter().all(|line| line.starts_with("DROP")));
    let (end, at) = link.client_end.unwrap();
    assert_eq!(
        end,
        Event::GaveUp {
            idle: Duration::from_secs(10),
            awaiting: Awaiting::DataAck { ack: 12347 }
        }
    );
    assert_eq!(at.as_millis(), 10_000);
    assert!(link.written.is_empty());
}

#[test]
fn no_dup_mark_hides_the_retransmission() {
    let mut link = client_with(b"once", ClientDefect::NoDupMark);
    lose_the_first_data_ack(&mut link);
    assert_eq!(
        link.client_lines()[2..],
        ["SEND 12346 4322 1 ACK", "SEND 12346 4322 1 ACK"]
    );
    assert_eq!(
        link.server_lines()[4],
        "RECV 12346 4322 1 ACK DUP",
        "the server still sees it"
    );
}

#[test]
fn misreport_log_shows_seq_plus_length_for_data() {
    let mut link = client_with(&[1; 600], ClientDefect::MisreportLog);
    link.run();
    let client = link.client_lines();
    assert_eq!(client[0], "SEND 12345 0 0 SYN", "no payload, no change");
    assert_eq!(client[2], "SEND 12858 4322 1 ACK");
    assert_eq!(client[4], "SEND 12946 4322 1 ACK");
    assert_eq!(client[6], "SEND 12946 0 1 FIN");
    let server = link.server_lines();
    assert_eq!(server[2], "RECV 12346 4322 1 ACK", "the wire says 12346");
    assert_eq!(server[4], "RECV 12858 4322 1 ACK");
}
