//! The tcp-over-udp checks on built conversations, without running anything: a correct
//! exchange passes every check, and each defect fails the check that exists for it.

use super::{TcpLikeEvidence, run_checks};
use crate::analyzer::tcp_like::LogStreams;
use crate::analyzer::tcp_like::OutputStream;
use crate::analyzer::tcp_like::TcpLikeParams;
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::trace::DeliveredCopy;
use crate::evidence::{
    Fate, FileEvidence, Line, Received, Stream, Transcript, WireEvent, WireTrace,
};
use crate::link::{Direction, DropCause};
use socklab_protocol::tcp_over_udp::{Flags, Header, Segment};
use std::time::Duration;

const PARAMS: TcpLikeParams = TcpLikeParams {
    seq_modulus: 204_800,
    logs: LogStreams {
        client: OutputStream::Stdout,
        server: OutputStream::Stderr,
    },
};
pub(super) const CLIENT_ISN: i32 = 12_345;
pub(super) const SERVER_ISN: i32 = 4_321;

/// A conversation under construction: datagrams, their fates, and both programs' logs.
#[derive(Default)]
pub(super) struct Wire {
    pub(super) events: Vec<WireEvent>,
    pub(super) order: u64,
    pub(super) client_log: Vec<String>,
    pub(super) server_log: Vec<String>,
    /// Log lines left out or changed on purpose.
    silent: bool,
}

impl Wire {
    /// One datagram from `direction`'s sender; `delivered` copies reach the peer (0: lost).
    pub(super) fn send(&mut self, direction: Direction, bytes: Vec<u8>, delivered: usize) {
        self.order += 1;
        let order = self.order;
        let nth = self
            .events
            .iter()
            .filter(|e| e.direction == direction)
            .count() as u32
            + 1;
        let at = Duration::from_millis(order);
        let copies: Vec<DeliveredCopy> = (0..delivered)
            .map(|_| {
                self.order += 1;
                DeliveredCopy {
                    order: self.order,
                    sent_at: Duration::from_millis(self.order),
                    altered_bytes: None,
                    alterations: Vec::new(),
                }
            })
            .collect();
        let repeated = self
            .events
            .iter()
            .any(|event| event.direction == direction && event.bytes == bytes);
        let received_repeat = self.events.iter().any(|event| {
            event.direction == direction
                && event.bytes == bytes
                && event.delivered().next().is_some()
        });
        let line = |kind: &str, dup: bool| {
            let segment = Segment::parse(&bytes).unwrap();
            format!("{kind} {}{}", segment.header, if dup { " DUP" } else { "" })
        };
        if !self.silent {
            let (sender, receiver) = match direction {
                Direction::ToServer => (&mut self.client_log, &mut self.server_log),
                Direction::ToClient => (&mut self.server_log, &mut self.client_log),
            };
            sender.push(line("SEND", repeated));
            for index in 0..delivered {
                receiver.push(line("RECV", received_repeat || index > 0));
            }
        }
        let fate = if copies.is_empty() {
            Fate::Dropped {
                cause: DropCause::Scripted,
            }
        } else {
            Fate::Delivered { copies }
        };
        self.events.push(WireEvent {
            direction,
            nth,
            order,
            received_at: at,
            from: None,
            to: None,
            bytes,
            fate,
        });
    }

    fn client(&mut self, seq: i32, ack: i32, conn: i16, flags: Flags, payload: &[u8]) {
        self.send(
            Direction::ToServer,
            segment(seq, ack, conn, flags, payload),
            1,
        );
    }

    fn server(&mut self, seq: i32, ack: i32, conn: i16, flags: Flags, payload: &[u8]) {
        self.send(
            Direction::ToClient,
            segment(seq, ack, conn, flags, payload),
            1,
        );
    }

    fn trace(&self) -> WireTrace {
        WireTrace {
            events: self.events.clone(),
            ..WireTrace::default()
        }
    }
}

pub(super) fn segment(seq: i32, ack: i32, conn_id: i16, flags: Flags, payload: &[u8]) -> Vec<u8> {
    Segment {
        header: Header {
            seq,
            ack,
            conn_id,
            flags,
        },
        payload,
    }
    .to_bytes()
}

pub(super) fn wrap(value: i64) -> i32 {
    i32::try_from(value.rem_euclid(204_800)).unwrap()
}

/// A textbook exchange of `data`, with `tweak` called before each step to break it.
pub(super) fn conversation(data: &[u8], tweak: impl FnMut(&mut Wire, Step)) -> Wire {
    conversation_counting(data, <[u8]>::len, tweak)
}

/// The same, with both sides counting `count(chunk)` bytes of each 512-byte chunk (the
/// client's next seq, the server's ack): fewer than it carries when they take its last
/// NULs for padding.
pub(super) fn conversation_counting(
    data: &[u8],
    count: fn(&[u8]) -> usize,
    mut tweak: impl FnMut(&mut Wire, Step),
) -> Wire {
    let mut wire = Wire::default();
    let conn = 1;
    tweak(&mut wire, Step::Syn);
    wire.client(CLIENT_ISN, 0, 0, Flags::SYN, &[]);
    tweak(&mut wire, Step::SynAck);
    wire.server(SERVER_ISN, CLIENT_ISN + 1, conn, Flags::SYN_ACK, &[]);
    let server_next = SERVER_ISN + 1;
    let mut next = i64::from(CLIENT_ISN) + 1;
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(512).collect()
    };
    for (index, chunk) in chunks.iter().enumerate() {
        tweak(&mut wire, Step::Data(index));
        wire.client(wrap(next), server_next, conn, Flags::ACK, chunk);
        next += count(chunk) as i64;
        if !chunk.is_empty() {
            tweak(&mut wire, Step::DataAck(index));
            wire.server(server_next, wrap(next), conn, Flags::ACK, &[]);
        }
    }
    tweak(&mut wire, Step::Fin);
    wire.client(wrap(next), 0, conn, Flags::FIN, &[]);
    wire.server(server_next, wrap(next + 1), conn, Flags::ACK, &[]);
    tweak(&mut wire, Step::ServerFin);
    wire.server(server_next, 0, conn, Flags::FIN, &[]);
    tweak(&mut wire, Step::LastAck);
    wire.client(wrap(next + 1), server_next + 1, conn, Flags::ACK, &[]);
    wire
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    Syn,
    SynAck,
    Data(usize),
    DataAck(usize),
    Fin,
    ServerFin,
    LastAck,
}

fn transcript(log: &[String], stream: Stream) -> Transcript {
    Transcript {
        lines: log
            .iter()
            .enumerate()
            .map(|(index, text)| Line {
                at: Duration::from_millis(index as u64),
                stream,
                text: text.clone(),
            })
            .collect(),
        ended_at: Some(Duration::from_secs(60)),
        ..Transcript::default()
    }
}

fn file(data: &[u8], received: &[u8]) -> FileEvidence {
    FileEvidence {
        name: "data.bin".to_owned(),
        original: data.to_vec(),
        original_size: data.len() as u64,
        missing: false,
        received: Received::File {
            bytes: received.to_vec(),
            size: received.len() as u64,
        },
        input_tampered: None,
    }
}

pub(super) fn judge(wire: &Wire, data: &[u8], received: &[u8]) -> Vec<Outcome> {
    let client = transcript(&wire.client_log, Stream::Stdout);
    let server = transcript(&wire.server_log, Stream::Stderr);
    let trace = wire.trace();
    let file = file(data, received);
    let evidence = TcpLikeEvidence {
        params: &PARAMS,
        file: Some(&file),
        client: &client,
        server: &server,
        trace: &trace,
    };
    run_checks(
        &evidence,
        <TcpLikeParams as crate::analyzer::Plugin>::CHECKS,
    )
}

/// The checks that failed, and the whole outcomes for the assertion message.
pub(super) fn failures(outcomes: &[Outcome]) -> (Vec<CheckId>, String) {
    let failed = outcomes
        .iter()
        .filter(|outcome| outcome.status == Status::Fail)
        .map(|outcome| outcome.check)
        .collect();
    (failed, format!("{outcomes:#?}"))
}

pub(super) fn observed(outcomes: &[Outcome], check: CheckId) -> String {
    outcomes
        .iter()
        .find(|outcome| outcome.check == check)
        .map(|outcome| outcome.observed.clone())
        .unwrap_or_default()
}

fn data(length: usize) -> Vec<u8> {
    (0..length).map(|index| (index % 251) as u8).collect()
}

#[test]
fn a_textbook_exchange_passes_every_check() {
    for length in [0, 1, 2048, 3000] {
        let data = data(length);
        let wire = conversation(&data, |_, _| {});
        let outcomes = judge(&wire, &data, &data);
        let (failed, all) = failures(&outcomes);
        assert!(failed.is_empty(), "{length} bytes: {all}");
    }
}

#[test]
fn sequence_numbers_that_wrap_pass_and_ones_that_do_not_fail() {
    let data = data(204_800);
    let wire = conversation(&data, |_, _| {});
    let outcomes = judge(&wire, &data, &data);
    assert!(
        failures(&outcomes).0.is_empty(),
        "{}",
        failures(&outcomes).1
    );
    assert!(observed(&outcomes, CheckId::SequenceNumbers).contains("wrapped"));

    // The server's acks count on past the modulus.
    let mut wire = conversation(&data, |_, _| {});
    for event in &mut wire.events {
        if event.direction == Direction::ToClient {
            let mut segment = Segment::parse(&event.bytes).unwrap();
            let unwrapped = i64::from(segment.header.ack);
            if segment.header.flags == Flags::ACK && unwrapped < 12_346 {
                segment.header.ack = (unwrapped + 204_800) as i32;
                event.bytes = segment.to_bytes();
            }
        }
    }
    let outcomes = judge(&wire, &data, &data);
    let (failed, all) = failures(&outcomes);
    assert!(failed.contains(&CheckId::SequenceNumbers), "{all}");
    assert!(failed.contains(&CheckId::Format), "{all}");
}

#[test]
fn a_lost_segment_must_be_resent_unchanged() {
    let data = data(2048);
    // Lost, then resent: fine, and the resent line says DUP.
    let wire = conversation(&data, |wire, step| {
        if step == Step::Data(1) {
            let (seq, ack) = (wrap(12_346 + 512), 4322);
            wire.send(
                Direction::ToServer,
                segment(seq, ack, 1, Flags::ACK, &data[512..1024]),
                0,
            );
        }
    });
    let outcomes = judge(&wire, &data, &data);
    assert!(
        failures(&outcomes).0.is_empty(),
        "{}",
        failures(&outcomes).1
    );
    assert!(observed(&outcomes, CheckId::LogLines).contains("all matching"));

    // Resent with other data.
    let wire = conversation(&data, |wire, step| {
        if step == Step::Data(1) {
            wire.send(
                Direction::ToServer,
                segment(12_858, 4322, 1, Flags::ACK, &[9; 512]),
                0,
            );
        }
    });
    let outcomes = judge(&wire, &data, &data);
    let (failed, all) = failures(&outcomes);
    assert_eq!(failed, [CheckId::IdenticalRetransmission], "{all}");

    // Lost and never resent: the FIN.
    let mut wire = conversation(&data, |_, _| {});
    let fin = wire
        .events
        .iter()
        .position(|event| Segment::parse(&event.bytes).unwrap().header.flags == Flags::FIN)
        .unwrap();
    wire.events[fin].fate = Fate::Dropped {
        cause: DropCause::Scripted,
    };
    let outcomes = judge(&wire, &data, &data);
    let (failed, _) = failures(&outcomes);
    assert!(failed.contains(&CheckId::IdenticalRetransmission));
    assert!(failed.contains(&CheckId::Close));
    assert!(observed(&outcomes, CheckId::Close).contains("never reached the server"));
}

#[test]
fn the_handshake_must_come_first_and_in_order() {
    let data = data(1000);
    // Data before any SYN|ACK.
    let wire = conversation(&data, |wire, step| {
        if step == Step::SynAck {
            wire.client(12_346, 0, 0, Flags::ACK, b"early");
        }
    });
    let outcomes = judge(&wire, &data, &data);
    assert!(failures(&outcomes).0.contains(&CheckId::Handshake));
    assert!(observed(&outcomes, CheckId::Handshake).contains("before any SYN|ACK"));

    // A SYN|ACK that acknowledges the wrong number.
    let mut wire = conversation(&data, |_, _| {});
    wire.events[1].bytes = segment(SERVER_ISN, CLIENT_ISN, 1, Flags::SYN_ACK, &[]);
    let outcomes = judge(&wire, &data, &data);
    assert!(
        failures(&outcomes).0.contains(&CheckId::Handshake),
        "{}",
        failures(&outcomes).1
    );
}

#[test]
fn a_resent_syn_that_crosses_the_syn_ack_is_no_fault() {
    let data = data(1000);
    let wire = conversation(&data, |wire, step| {
        if step == Step::Data(0) {
            wire.client(CLIENT_ISN, 0, 0, Flags::SYN, &[]);
        }
    });
    let outcomes = judge(&wire, &data, &data);
    let (failed, all) = failures(&outcomes);
    // The server would answer the repeat; the check only needs the client's side right.
    assert!(
        !failed.contains(&CheckId::Handshake) && !failed.contains(&CheckId::ConnectionId),
        "{all}"
    );
}

#[test]
fn the_connection_id_must_be_the_servers() {
    let data = data(1000);
    let mut wire = conversation(&data, |_, _| {});
    for event in wire.events.iter_mut().skip(2) {
        if event.direction == Direction::ToServer {
            let mut segment = Segment::parse(&event.bytes).unwrap();
            segment.header.conn_id = 0;
            event.bytes = segment.to_bytes();
        }
    }
    let outcomes = judge(&wire, &data, &data);
    let (failed, all) = failures(&outcomes);
    assert!(failed.contains(&CheckId::ConnectionId), "{all}");
    assert!(observed(&outcomes, CheckId::ConnectionId).contains("client datagram #2"));
}

#[test]
fn the_close_needs_both_fins_answered() {
    let data = data(100);
    // The server never sends its FIN.
    let mut wire = conversation(&data, |_, _| {});
    wire.events.retain(|event| {
        Segment::parse(&event.bytes).unwrap().header.flags != Flags::FIN
            || event.direction == Direction::ToServer
    });
    wire.events.pop();
    let outcomes = judge(&wire, &data, &data);
    assert!(failures(&outcomes).0.contains(&CheckId::Close));
    assert!(observed(&outcomes, CheckId::Close).contains("never sent a FIN"));

    // A repeated server FIN that arrives after the client has gone.
    let wire = conversation(&data, |wire, step| {
        if step == Step::LastAck {
            wire.send(
                Direction::ToClient,
                segment(SERVER_ISN + 1, 0, 1, Flags::FIN, &[]),
                1,
            );
        }
    });
    let client_gone = Duration::from_millis(wire.order - 3);
    let mut client = transcript(&wire.client_log, Stream::Stdout);
    client.ended_at = Some(client_gone);
    let server = transcript(&wire.server_log, Stream::Stderr);
    let trace = wire.trace();
    let file = file(&data, &data);
    let evidence = TcpLikeEvidence {
        params: &PARAMS,
        file: Some(&file),
        client: &client,
        server: &server,
        trace: &trace,
    };
    let outcomes = run_checks(&evidence, &[CheckId::Close]);
    assert_eq!(outcomes[0].status, Status::Fail, "{outcomes:#?}");
    assert!(observed(&outcomes, CheckId::Close).contains("after the client had exited"));
}

#[test]
fn log_lines_must_match_the_wire() {
    let data = data(1500);
    let good = conversation(&data, |_, _| {});

    // A SEND line with the seq after the data instead of before.
    let mut wire = conversation(&data, |_, _| {});
    wire.client_log[2] = wire.client_log[2].replace("12346", "12858");
    let outcomes = judge(&wire, &data, &data);
    assert_eq!(failures(&outcomes).0, [CheckId::LogLines]);
    let why = observed(&outcomes, CheckId::LogLines);
    assert!(
        why.contains("SEND line #2 `SEND 12858 4322 1 ACK`"),
        "{why}"
    );
    assert!(
        why.contains("seq 12346 ack 4322 conn 1 ACK, 512 bytes of data"),
        "{why}"
    );

    // A DUP on a first sending.
    let mut wire = conversation(&data, |_, _| {});
    wire.client_log[0].push_str(" DUP");
    let outcomes = judge(&wire, &data, &data);
    assert!(observed(&outcomes, CheckId::LogLines).contains("says DUP"));

    // No RECV lines at all on the server.
    let mut wire = conversation(&data, |_, _| {});
    wire.server_log.retain(|line| !line.starts_with("RECV"));
    let outcomes = judge(&wire, &data, &data);
    assert!(observed(&outcomes, CheckId::LogLines).contains("RECV/DROP lines, but"));

    // Flags in another order and lower case still match.
    let mut wire = good;
    for line in &mut wire.server_log {
        *line = line.replace("ACK SYN", "syn ack");
    }
    let outcomes = judge(&wire, &data, &data);
    assert!(
        failures(&outcomes).0.is_empty(),
        "{}",
        failures(&outcomes).1
    );
}

#[test]
fn a_missing_dup_on_a_resent_segment_fails() {
    let data = data(1024);
    let mut wire = conversation(&data, |wire, step| {
        if step == Step::Data(0) {
            wire.send(
                Direction::ToServer,
                segment(12_346, 4322, 1, Flags::ACK, &data[..512]),
                0,
            );
        }
    });
    for line in &mut wire.client_log {
        *line = line.replace(" DUP", "");
    }
    let outcomes = judge(&wire, &data, &data);
    assert_eq!(failures(&outcomes).0, [CheckId::LogLines]);
    assert!(observed(&outcomes, CheckId::LogLines).contains("has no DUP"));
}

#[test]
fn a_segment_written_twice_fails_the_copy() {
    let data = data(1024);
    let wire = conversation(&data, |_, _| {});
    let mut twice = data[..512].to_vec();
    twice.extend_from_slice(&data);
    let outcomes = judge(&wire, &data, &twice);
    assert_eq!(failures(&outcomes).0, [CheckId::FileCopy]);
    assert!(observed(&outcomes, CheckId::FileCopy).contains("written twice"));
}

#[test]
fn garbage_is_a_format_failure_not_a_panic() {
    let data = data(10);
    let mut wire = conversation(&data, |_, _| {});
    wire.silent = true;
    wire.send(Direction::ToServer, vec![1, 2, 3], 1);
    wire.send(Direction::ToClient, vec![0; 12 + 600], 1);
    let outcomes = judge(&wire, &data, &data);
    assert!(failures(&outcomes).0.contains(&CheckId::Format));
    let why = observed(&outcomes, CheckId::Format);
    assert!(why.contains("shorter than the 12-byte header"), "{why}");
    assert!(why.contains("more than the 512 allowed"), "{why}");
}

#[test]
fn new_data_that_repeats_bytes_after_the_wrap_may_go_with_or_without_dup() {
    let block = data(204_800);
    let mut repeating = block.clone();
    repeating.extend_from_slice(&block[..1024]);
    // The builder marks DUP by the bytes, as the reference peers do.
    let mut wire = conversation(&repeating, |_, _| {});
    let outcomes = judge(&wire, &repeating, &repeating);
    assert!(
        failures(&outcomes).0.is_empty(),
        "{}",
        failures(&outcomes).1
    );
    assert!(wire.client_log.iter().any(|line| line.ends_with("ACK DUP")));
    // A student's program marks only what it resends.
    for line in &mut wire.client_log {
        *line = line.replace(" DUP", "");
    }
    let outcomes = judge(&wire, &repeating, &repeating);
    assert!(
        failures(&outcomes).0.is_empty(),
        "{}",
        failures(&outcomes).1
    );
}

#[test]
fn the_same_ack_again_after_the_servers_fin_is_no_fault() {
    // The client's FIN came twice (duplicated on the way); the server had sent its ACK and
    // its FIN, and answers the repeat with the same ACK again, byte for byte.
    let data = data(1000);
    let fin_ack = CLIENT_ISN + 1 + 1000 + 1;
    let wire = conversation(&data, |wire, step| {
        if step == Step::LastAck {
            wire.server(SERVER_ISN + 1, fin_ack, 1, Flags::ACK, &[]);
        }
    });
    let outcomes = judge(&wire, &data, &data);
    let (failed, all) = failures(&outcomes);
    assert!(failed.is_empty(), "{all}");
}
