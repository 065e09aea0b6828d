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
    let late = judge("101", &client, &running, &trace, None, CheckId::Shutdown);
    assert_eq!(late.status, Status::Fail);
    assert!(late.observed.contains("still running"), "{}", late.observed);
    let nothing_sent = judge(
        "0",
        &client,
        &exited,
        &WireTrace::default(),
        Some(&free),
        CheckId::Shutdown,
    );
    assert_eq!(nothing_sent.status, Status::Fail);
    assert!(
        nothing_sent.observed.contains("never sent it"),
        "{}",
        nothing_sent.observed
    );
}
