//! The udp-add checks on recorded runs, without running anything.

use super::{AddNumbersEvidence, run_checks};
use crate::analyzer::{Compiled, LoadedCase};
use crate::case::{CaseSource, CheckId, EndsWhen, load_case};
use crate::check::Status;
use crate::evidence::trace::DeliveredCopy;
use crate::evidence::{
    ExitReason, Fate, Line, PortRelease, Stream, Transcript, WireEvent, WireTrace,
};
use crate::link::Direction;
use std::time::Duration;

fn case() -> LoadedCase {
    load_case(&CaseSource::Builtin("udp-add".to_owned())).unwrap()
}

fn transcript(lines: &[&str], exit: ExitReason) -> Transcript {
    Transcript {
        lines: lines
            .iter()
            .map(|text| Line {
                at: Duration::ZERO,
                stream: Stream::Stdout,
                text: (*text).to_owned(),
            })
            .collect(),
        exit: Some(exit),
        ..Transcript::default()
    }
}

fn datagram(direction: Direction, order: u64, bytes: &[u8]) -> WireEvent {
    WireEvent {
        direction,
        nth: 1,
        order,
        received_at: Duration::ZERO,
        from: None,
        to: None,
        bytes: bytes.to_vec(),
        fate: Fate::Delivered {
            copies: vec![DeliveredCopy {
                order,
                sent_at: Duration::ZERO,
                altered_bytes: None,
                alterations: Vec::new(),
            }],
        },
    }
}

fn exchange_trace(request: &[u8], reply: &[u8]) -> WireTrace {
    WireTrace {
        events: vec![
            datagram(Direction::ToServer, 1, request),
            datagram(Direction::ToClient, 2, reply),
        ],
        ..WireTrace::default()
    }
}

const SERVER_OK: &[&str] = &[
    "Client: Client of Ada Lovelace",
    "Server: Server of Ada Lovelace",
    "42 + 57 = 99",
];
const CLIENT_OK: &[&str] = &[
    "Enter an integer: Client of Ada Lovelace talked to Server of Ada Lovelace",
    "42 + 57 = 99",
];

fn judge(
    typed: &str,
    client: &Transcript,
    server: &Transcript,
    trace: &WireTrace,
    release: Option<&PortRelease>,
    check: CheckId,
) -> crate::check::Outcome {
    let loaded = case();
    let Compiled::AddNumbers(judge) = &loaded.compiled else {
        unreachable!("the udp-add case uses the add-numbers analyzer")
    };
    let (params, names) = (&judge.params, &judge.names);
    let evidence = AddNumbersEvidence {
        params,
        names,
        typed,
        client,
        server,
        trace,
        server_release: release,
        ends_when: EndsWhen::ServerExits,
    };
    run_checks(&evidence, &[check]).remove(0)
}

fn good_trace() -> WireTrace {
    exchange_trace(b"Client of Ada Lovelace\n42", b"Server of Ada Lovelace\n57")
}

#[test]
fn a_correct_exchange_passes_every_check() {
    let client = transcript(CLIENT_OK, ExitReason::Exited { code: 0 });
    let server = transcript(SERVER_OK, ExitReason::StoppedByGrader);
    for check in [
        CheckId::Exchange,
        CheckId::Names,
        CheckId::Sum,
        CheckId::Completion,
    ] {
        let outcome = judge("42\n", &client, &server, &good_trace(), None, check);
        assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    }
}

#[test]
fn a_concatenated_sum_fails_with_what_was_shown() {
    let client = transcript(CLIENT_OK, ExitReason::Exited { code: 0 });
    let server = transcript(
        &[
            "Client of Ada Lovelace",
            "Server of Ada Lovelace",
            "42 57 4257",
        ],
        ExitReason::StoppedByGrader,
    );
    let outcome = judge("42", &client, &server, &good_trace(), None, CheckId::Sum);
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("does not show the sum 99"),
        "{}",
        outcome.observed
    );
    assert!(outcome.observed.contains("4257"), "{}", outcome.observed);
}

#[test]
fn a_missing_name_is_the_one_on_the_wire() {
    let client = transcript(
        &["42 + 57 = 99 Client of Ada Lovelace"],
        ExitReason::Exited { code: 0 },
    );
    let server = transcript(SERVER_OK, ExitReason::StoppedByGrader);
    let outcome = judge("42", &client, &server, &good_trace(), None, CheckId::Names);
    assert_eq!(outcome.status, Status::Fail);
    assert_eq!(
        outcome.observed,
        "the client does not show the server's name (\"Server of Ada Lovelace\")"
    );
}

/// "Client of …" is the handout's example: a pair that names itself otherwise is judged on
/// the names it really sent, found beside the integers whatever the framing.
#[test]
fn names_without_the_handouts_phrase_are_the_ones_sent() {
    let trace = exchange_trace(
        b"{\"name\": \"Alice Liddell\", \"number\": 42}",
        b"Number Cruncher|57",
    );
    let server = transcript(
        &["from Alice Liddell: 42", "I am Number Cruncher", "42 + 57 = 99"],
        ExitReason::StoppedByGrader,
    );
    let client = transcript(
        &["Alice Liddell here; Number Cruncher says 57", "42 + 57 = 99"],
        ExitReason::Exited { code: 0 },
    );
    let outcome = judge("42", &client, &server, &trace, None, CheckId::Names);
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    assert_eq!(
        outcome.observed,
        "both programs show \"Alice Liddell\" and \"Number Cruncher\""
    );

    let forgetful = transcript(&["from Alice Liddell: 42", "42 + 57 = 99"], ExitReason::StoppedByGrader);
    let outcome = judge("42", &client, &forgetful, &trace, None, CheckId::Names);
    assert_eq!(outcome.status, Status::Fail);
    assert_eq!(
        outcome.observed,
        "the server does not show the server's name (\"Number Cruncher\")"
    );
}

#[test]
fn a_request_without_the_typed_integer_fails_exchange() {
    let client = transcript(CLIENT_OK, ExitReason::Exited { code: 0 });
    let server = transcript(SERVER_OK, ExitReason::StoppedByGrader);
    let trace = exchange_trace(b"Client of Ada Lovelace\n24", b"Server of Ada Lovelace\n57");
    let outcome = judge("42", &client, &server, &trace, None, CheckId::Exchange);
    assert_eq!(outcome.status, Status::Fail, "{outcome:?}");
    // Packed as a 32-bit integer counts as carrying it.
    let mut packed = b"Client of Ada Lovelace".to_vec();
    packed.extend(42_i32.to_be_bytes());
    let trace = exchange_trace(&packed, b"Server of Ada Lovelace\n57");
    let outcome = judge("42", &client, &server, &trace, None, CheckId::Exchange);
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
}

#[test]
fn shutdown_needs_an_exit_and_a_free_port() {
    let client = transcript(&[], ExitReason::StoppedByGrader);
    let trace = WireTrace {
        events: vec![datagram(Direction::ToServer, 1, b"Client of Ada\n0")],
        ..WireTrace::default()
    };
    let exited = transcript(&["bye"], ExitReason::Exited { code: 0 });
    let free = PortRelease {
        port: 5005,
        free_again: true,
        error: None,
    };
    let held = PortRelease {
        port: 5005,
        free_again: false,
        error: Some("Address already in use".to_owned()),
    };
    let pass = judge(
        "0",
        &client,
        &exited,
        &trace,
        Some(&free),
        CheckId::Shutdown,
    );
    assert_eq!(pass.status, Status::Pass, "{pass:?}");
    let held = judge(
        "0",
        &client,
        &exited,
        &trace,
        Some(&held),
        CheckId::Shutdown,
    );
    assert_eq!(held.status, Status::Fail);
    assert!(
        held.observed.contains("could not be bound again"),
        "{}",
        held.observed
    );
    let running = transcript(&[], ExitReason::DeadlineExceeded);
    let trace_101 = WireTrace {
        events: vec![datagram(Direction::ToServer, 1, b"Client of Ada\n101")],
        ..WireTrace::default()
    };
    let late = judge("101", &client, &running, &trace_101, None, CheckId::Shutdown);
    assert_eq!(late.status, Status::Fail);
    assert_eq!(
        late.observed,
        "the server was still running at the scenario's deadline, after it was given 101 (to-server #1)"
    );
}

/// A request of two datagrams (the name, then the integer) and a reply of two (the
/// server's name, then its integer): every check finds what it needs across them.
#[test]
fn an_exchange_of_two_datagrams_each_way_passes_every_check() {
    let trace = timed_trace(&[
        (Direction::ToServer, 10, b"Client of Ada Lovelace"),
        (Direction::ToServer, 11, b"42"),
        (Direction::ToClient, 13, b"Server of Ada Lovelace"),
        (Direction::ToClient, 14, b"57"),
    ]);
    let client = transcript(CLIENT_OK, ExitReason::Exited { code: 0 });
    let server = transcript(SERVER_OK, ExitReason::StoppedByGrader);
    for check in [
        CheckId::Exchange,
        CheckId::Names,
        CheckId::Sum,
        CheckId::Completion,
    ] {
        let outcome = judge("42\n", &client, &server, &trace, None, check);
        assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    }
    let exchange = judge("42", &client, &server, &trace, None, CheckId::Exchange);
    assert_eq!(
        exchange.observed,
        "the client sent 2 datagrams: \"Client of Ada Lovelace\", then \"42\"; \
         the server answered with 2 datagrams: \"Server of Ada Lovelace\", then \"57\""
    );
}

/// What the server sent before the integer reached it is not its reply, wherever it
/// stands in the trace: a server that answers the name datagram alone and then falls
/// silent never replied to the integer.
#[test]
fn a_datagram_before_the_integer_arrived_is_no_reply() {
    let trace = timed_trace(&[
        (Direction::ToServer, 10, b"Client of Ada Lovelace"),
        (Direction::ToClient, 12, b"Server of Ada Lovelace\n57"),
        (Direction::ToServer, 20, b"42"),
    ]);
    let client = transcript(CLIENT_OK, ExitReason::Exited { code: 0 });
    let server = transcript(SERVER_OK, ExitReason::StoppedByGrader);
    let exchange = judge("42", &client, &server, &trace, None, CheckId::Exchange);
    assert_eq!(exchange.status, Status::Fail, "{exchange:?}");
    assert_eq!(
        exchange.observed,
        "the client sent 2 datagrams: \"Client of Ada Lovelace\", then \"42\"; the server never \
         replied (before 42 reached it, it had sent \"Server of Ada Lovelace\\x0a57\")"
    );
}

/// The server's integer is the one its reply carries, not one it sent before: a server
/// that sent 13 early and replied 57 is judged on 57.
#[test]
fn the_servers_integer_comes_from_its_reply() {
    let trace = timed_trace(&[
        (Direction::ToClient, 5, b"13"),
        (Direction::ToServer, 10, b"Client of Ada Lovelace\n42"),
        (Direction::ToClient, 12, b"Server of Ada Lovelace\n57"),
    ]);
    let client = transcript(CLIENT_OK, ExitReason::Exited { code: 0 });
    let server = transcript(&["Client of Ada Lovelace", "Server of Ada Lovelace", "42 + 13 = 55", "42 + 57 = 99"], ExitReason::StoppedByGrader);
    let sum = judge("42", &client, &server, &trace, None, CheckId::Sum);
    assert_eq!(sum.status, Status::Pass, "{sum:?}");
    assert_eq!(sum.observed, "both show 42 + 57 = 99");
}

/// A client that keeps an out-of-range integer to itself fails `exchange`, saying so; the
/// server, never given it, is not judged on its shutdown (never "after the client sent 0").
#[test]
fn an_out_of_range_integer_the_client_never_sent() {
    let trace = timed_trace(&[(Direction::ToServer, 10, b"Client of Ada Lovelace")]);
    let client = transcript(
        &["Enter an integer: 0 is not between 1 and 100"],
        ExitReason::Exited { code: 1 },
    );
    let server = transcript(&[], ExitReason::DeadlineExceeded);
    let exchange = judge("0", &client, &server, &trace, None, CheckId::Exchange);
    assert_eq!(exchange.status, Status::Fail, "{exchange:?}");
    assert_eq!(
        exchange.observed,
        "the typed 0 never reached the server: the client sent only \"Client of Ada Lovelace\"; \
         it exited with status 1; its last output line: \"Enter an integer: 0 is not between 1 \
         and 100\"; a client that refuses an out-of-range integer itself never lets the server \
         shut down, so this run cannot test the server's shutdown (the reference client does)"
    );
    let shutdown = judge("0", &client, &server, &trace, None, CheckId::Shutdown);
    assert_eq!(shutdown.status, Status::Informational, "{shutdown:?}");
    assert!(
        shutdown
            .observed
            .starts_with("not judged: 0 never reached the server (the client never sent 0)"),
        "{}",
        shutdown.observed
    );
    let silent = judge(
        "101",
        &client,
        &server,
        &WireTrace::default(),
        None,
        CheckId::Exchange,
    );
    assert!(
        silent
            .observed
            .starts_with("the typed 101 never reached the server: the client sent nothing;"),
        "{}",
        silent.observed
    );
}

/// Datagrams at the given times (ms), each delivered 1 ms after the relay received it.
fn timed_trace(datagrams: &[(Direction, u64, &[u8])]) -> WireTrace {
    let events = datagrams
        .iter()
        .zip(1_u64..)
        .map(|(&(direction, at, bytes), index)| {
            let mut event = datagram(direction, index * 2, bytes);
            event.received_at = Duration::from_millis(at);
            event.fate = Fate::Delivered {
                copies: vec![DeliveredCopy {
                    order: index * 2 + 1,
                    sent_at: Duration::from_millis(at + 1),
                    altered_bytes: None,
                    alterations: Vec::new(),
                }],
            };
            event
        })
        .collect();
    WireTrace {
        events,
        ..WireTrace::default()
    }
}
