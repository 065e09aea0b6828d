//! The tcp-lines checks on recorded connections, without running anything.

use super::stream::encode;
use super::{LineUploadEvidence, run_checks};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::{
    Connection, ExitReason, Mark, ProducedFile, Segment, StreamRecord, Transcript, WireTrace,
};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

fn files() -> Vec<Vec<String>> {
    vec![vec!["one".to_owned(), "two".to_owned()]]
}

/// A stream sent as one read at `order` and delivered as one write at `order + 1`.
fn stream(bytes: Vec<u8>, order: u64) -> StreamRecord {
    let len = bytes.len() as u64;
    let segment = |order| Segment {
        at: Duration::from_millis(order),
        order,
        offset: 0,
        len,
    };
    StreamRecord {
        sent: len,
        delivered: len,
        bytes,
        reads: vec![segment(order)],
        writes: vec![segment(order + 1)],
        ended: Some(Mark {
            at: Duration::from_millis(order + 5),
            order: order + 5,
        }),
        ..StreamRecord::new()
    }
}

fn connection(to_server: Vec<u8>, answers: &[u8], answered_at: u64) -> WireTrace {
    WireTrace {
        connections: vec![Connection {
            nth: 1,
            opened_at: Duration::ZERO,
            connected_at: None,
            accepted_at: None,
            client_waited_until: None,
            dialed: SocketAddr::from((Ipv4Addr::LOCALHOST, 4000)),
            client: SocketAddr::from((Ipv4Addr::LOCALHOST, 50_000)),
            unreachable: None,
            to_server: stream(to_server, 1),
            to_client: stream(answers.to_vec(), answered_at),
            closed_at: Some(Duration::from_millis(20)),
            reset: None,
        }],
        ..WireTrace::default()
    }
}

fn saved(name: &str, bytes: &[u8]) -> ProducedFile {
    ProducedFile {
        name: name.to_owned(),
        size: bytes.len() as u64,
        bytes: Some(bytes.to_vec()),
        differs_from_original_at: None,
        compared: false,
    }
}

fn judge(trace: &WireTrace, server_files: &[ProducedFile], check: CheckId) -> Outcome {
    let accepted = regex::Regex::new("(?i)accept").unwrap();
    let quitting = regex::Regex::new("(?i)quit").unwrap();
    let client = Transcript {
        exit: Some(ExitReason::Exited { code: 0 }),
        ..Transcript::default()
    };
    let uploads = files();
    let evidence = LineUploadEvidence {
        accepted: &accepted,
        quitting: &quitting,
        uploads: &uploads,
        client: &client,
        server: &client,
        trace,
        server_files,
        stream_faults: None,
    };
    run_checks(&evidence, &[check]).remove(0)
}

#[test]
fn a_right_upload_passes_framing_status_and_files() {
    let trace = connection(encode(&files()), b"AQ", 10);
    let saved = [saved("1.txt", b"one\ntwo\n")];
    for check in [
        CheckId::Framing,
        CheckId::StatusBytes,
        CheckId::SavedFiles,
        CheckId::ServerClose,
    ] {
        let outcome = judge(&trace, &saved, check);
        assert_eq!(outcome.status, Status::Pass, "{check}: {outcome:?}");
    }
}

#[test]
fn a_little_endian_count_is_named_as_such() {
    let mut stream = encode(&files());
    stream[..4].copy_from_slice(&2u32.to_le_bytes());
    let outcome = judge(&connection(stream, b"", 10), &[], CheckId::Framing);
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("little-endian"),
        "{}",
        outcome.observed
    );
}

#[test]
fn crlf_line_ends_are_named() {
    let mut stream = 2u32.to_be_bytes().to_vec();
    stream.extend_from_slice(b"one\r\ntwo\r\n\0\0\0\0");
    let outcome = judge(&connection(stream, b"AQ", 10), &[], CheckId::Framing);
    assert_eq!(outcome.status, Status::Fail);
    assert!(outcome.observed.contains("\\r\\n"), "{}", outcome.observed);
}

#[test]
fn a_status_before_the_whole_file_was_delivered_fails() {
    // The answers were read at order 1, before the file's delivery at order 2.
    let outcome = judge(
        &connection(encode(&files()), b"AQ", 1),
        &[],
        CheckId::StatusBytes,
    );
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("before it had the whole file"),
        "{}",
        outcome.observed
    );
}

#[test]
fn a_wrong_status_byte_and_a_wrong_file_are_reported() {
    let outcome = judge(
        &connection(encode(&files()), b"AA", 10),
        &[],
        CheckId::StatusBytes,
    );
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("file 2 is 'A', not 'Q'"),
        "{}",
        outcome.observed
    );

    let trace = connection(encode(&files()), b"AQ", 10);
    let outcome = judge(
        &trace,
        &[saved("0.txt", b"one\ntwo\n")],
        CheckId::SavedFiles,
    );
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("no 1.txt"),
        "{}",
        outcome.observed
    );
    let outcome = judge(&trace, &[saved("1.txt", b"onetwo\n")], CheckId::SavedFiles);
    assert_eq!(outcome.status, Status::Fail);
    assert!(outcome.observed.contains("line 1"), "{}", outcome.observed);
}

#[test]
fn a_server_that_never_closes_fails_server_close() {
    let mut trace = connection(encode(&files()), b"AQ", 10);
    trace.connections[0].to_client.ended = None;
    let outcome = judge(&trace, &[], CheckId::ServerClose);
    assert_eq!(outcome.status, Status::Fail);
}
