//! The tcp-lines checks on recorded connections, without running anything.

use super::stream::encode;
use super::{LineUploadEvidence, run_checks};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::{
    Connection, ExitReason, Line, Mark, ProducedFile, Segment, Stream, StreamRecord, Transcript,
    WireTrace,
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
    let exited = Transcript {
        exit: Some(ExitReason::Exited { code: 0 }),
        ..Transcript::default()
    };
    judge_programs(trace, server_files, check, &exited, &exited)
}

/// Like [`judge`], with what each program printed and how it ended.
fn judge_programs(
    trace: &WireTrace,
    server_files: &[ProducedFile],
    check: CheckId,
    client: &Transcript,
    server: &Transcript,
) -> Outcome {
    let accepted = regex::Regex::new("(?i)accept").unwrap();
    let quitting = regex::Regex::new("(?i)quit").unwrap();
    let uploads = files();
    let evidence = LineUploadEvidence {
        accepted: &accepted,
        quitting: &quitting,
        uploads: &uploads,
        client,
        server,
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

/// A client that printed `lines`, each at its millisecond, and exited 0.
fn client_printing(lines: &[(u64, &str)]) -> Transcript {
    Transcript {
        lines: lines
            .iter()
            .map(|&(at, text)| Line {
                at: Duration::from_millis(at),
                stream: Stream::Stdout,
                text: text.to_owned(),
            })
            .collect(),
        exit: Some(ExitReason::Exited { code: 0 }),
        ..Transcript::default()
    }
}

#[test]
fn a_status_reported_in_words_of_its_own_or_as_the_byte_passes() {
    // The answers `AQ` reach the relay at 10 ms.
    let trace = connection(encode(&files()), b"AQ", 10);
    let server = client_printing(&[]);
    for lines in [
        [(12, "Line 2: Server says: A"), (14, "Server says: Q")],
        [(12, "Status from server: b'A'"), (14, "status b'Q', bye")],
        [(12, "File accepted"), (14, "Server is quitting")],
    ] {
        let client = client_printing(&lines);
        let outcome = judge_programs(&trace, &[], CheckId::ClientStatus, &client, &server);
        assert_eq!(outcome.status, Status::Pass, "{lines:?}: {outcome:?}");
    }
}

#[test]
fn a_line_printed_before_the_server_answered_does_not_report_the_answer() {
    let trace = connection(encode(&files()), b"AQ", 10);
    let server = client_printing(&[]);
    // The prompt mentions quitting before any answer; nothing after the `Q` shows it.
    let client = client_printing(&[(5, "Number of lines (0 to quit): "), (12, "File accepted")]);
    let outcome = judge_programs(&trace, &[], CheckId::ClientStatus, &client, &server);
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome
            .observed
            .contains("the client showed 1 of the 2 answers, and no line after the answer `Q` to file 2 (read from the server at 10.0 ms) shows it: it printed nothing after it"),
        "{}",
        outcome.observed
    );
    // "Accepted" printed without waiting for the answer.
    let client = client_printing(&[(5, "File accepted"), (12, "Connection closed")]);
    let outcome = judge_programs(&trace, &[], CheckId::ClientStatus, &client, &server);
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.contains("its next lines: \"Connection closed\""),
        "{}",
        outcome.observed
    );
}

#[test]
fn a_server_that_keeps_listening_after_its_close_is_non_strict() {
    let trace = connection(encode(&files()), b"AQ", 10);
    let client = client_printing(&[(12, "File accepted"), (14, "Server is quitting")]);
    let mut server = client_printing(&[]);
    server.exit = Some(ExitReason::StoppedByGrader);
    server.stopped_at = Some(Duration::from_millis(100));
    let outcome = judge_programs(&trace, &[], CheckId::Completion, &client, &server);
    assert_eq!(outcome.status, Status::NonStrict, "{outcome:?}");
    assert!(
        outcome.observed.contains("closed the connection after its `Q`"),
        "{}",
        outcome.observed
    );
    // One that never closed the connection does not work: it fails.
    let mut open = trace.clone();
    open.connections[0].to_client.ended = None;
    let outcome = judge_programs(&open, &[], CheckId::Completion, &client, &server);
    assert_eq!(outcome.status, Status::Fail, "{outcome:?}");
}
