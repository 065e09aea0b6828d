//! The udp-file checks on recorded runs, without running anything.

use super::blocks::{expected_sizes, summary};
use super::{FileTransferEvidence, run_checks};
use crate::analyzer::file_transfer::FileTransferParams;
use crate::case::CheckId;
use crate::check::Status;
use crate::evidence::trace::DeliveredCopy;
use crate::evidence::{
    ExitReason, Fate, FileEvidence, ProducedFile, Received, Transcript, WireEvent, WireTrace,
    first_difference,
};
use crate::link::Direction;
use std::time::Duration;

const PARAMS: FileTransferParams = FileTransferParams { block: 2048 };

fn datagram(direction: Direction, order: u64, bytes: Vec<u8>) -> WireEvent {
    WireEvent {
        direction,
        nth: 1,
        order,
        received_at: Duration::ZERO,
        from: None,
        to: None,
        bytes,
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

/// A request for `data.bin`, then blocks of the given sizes.
fn trace(block_sizes: &[usize]) -> WireTrace {
    let mut events = vec![datagram(Direction::ToServer, 0, b"data.bin".to_vec())];
    for (index, &size) in block_sizes.iter().enumerate() {
        events.push(datagram(
            Direction::ToClient,
            index as u64 + 1,
            vec![7; size],
        ));
    }
    WireTrace {
        events,
        ..WireTrace::default()
    }
}

fn file(size: usize, received: Option<Vec<u8>>) -> FileEvidence {
    FileEvidence {
        name: "data.bin".to_owned(),
        original: vec![7; size],
        original_size: size as u64,
        missing: false,
        received: match received {
            Some(bytes) => Received::File {
                size: bytes.len() as u64,
                bytes,
            },
            None => Received::Absent,
        },
        input_tampered: None,
    }
}

fn judge(
    trace: &WireTrace,
    file: &FileEvidence,
    client_exit: ExitReason,
    check: CheckId,
) -> crate::check::Outcome {
    judge_with_files(trace, file, client_exit, check, &[])
}

/// Like [`judge`], with the files the client wrote in its directory.
fn judge_with_files(
    trace: &WireTrace,
    file: &FileEvidence,
    client_exit: ExitReason,
    check: CheckId,
    client_files: &[ProducedFile],
) -> crate::check::Outcome {
    let client = Transcript {
        exit: Some(client_exit),
        ..Transcript::default()
    };
    let server = Transcript::default();
    let evidence = FileTransferEvidence {
        params: &PARAMS,
        file: Some(file),
        client: &client,
        server: &server,
        trace,
        client_files,
    };
    run_checks(&evidence, &[check]).remove(0)
}

#[test]
fn expected_sizes_end_with_a_short_block() {
    assert_eq!(expected_sizes(0, 2048), [0]);
    assert_eq!(expected_sizes(2047, 2048), [2047]);
    assert_eq!(expected_sizes(2048, 2048), [2048, 0]);
    assert_eq!(expected_sizes(4097, 2048), [2048, 2048, 1]);
    assert_eq!(
        summary(&expected_sizes(1_048_583, 2048)),
        "513 datagrams: 512 × 2048, 7"
    );
}

#[test]
fn a_correct_transfer_passes() {
    let ok = ExitReason::Exited { code: 0 };
    let file = file(4096, Some(vec![7; 4096]));
    for check in [
        CheckId::Request,
        CheckId::BlockSizes,
        CheckId::FileCopy,
        CheckId::Completion,
    ] {
        let outcome = judge(&trace(&[2048, 2048, 0]), &file, ok.clone(), check);
        assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    }
}

#[test]
fn block_size_mistakes_are_named() {
    let ok = ExitReason::Exited { code: 0 };
    let file = file(4096, Some(vec![7; 4096]));
    let no_end = judge(
        &trace(&[2048, 2048]),
        &file,
        ok.clone(),
        CheckId::BlockSizes,
    );
    assert_eq!(no_end.status, Status::Fail);
    assert!(
        no_end.observed.contains("must end with an empty datagram"),
        "{}",
        no_end.observed
    );
    let halves = judge(
        &trace(&[1024, 1024, 1024, 1024, 0]),
        &file,
        ok.clone(),
        CheckId::BlockSizes,
    );
    assert!(
        halves.observed.starts_with("block 1 was 1024 bytes"),
        "{}",
        halves.observed
    );
    let short_total = judge(&trace(&[2048, 100]), &file, ok, CheckId::BlockSizes);
    assert!(
        short_total.observed.contains("the file has 4096"),
        "{}",
        short_total.observed
    );
}

#[test]
fn a_differing_copy_reports_the_offset_and_sizes() {
    let mut copy = vec![7; 3000];
    copy[2500] = 8;
    let outcome = judge(
        &trace(&[2048, 952]),
        &file(3000, Some(copy)),
        ExitReason::Exited { code: 0 },
        CheckId::FileCopy,
    );
    assert_eq!(outcome.status, Status::Fail);
    assert_eq!(
        outcome.observed,
        "the copy differs from byte 2500 on (byte 2500 is 0x08, not 0x07); original 3000 bytes, copy 3000 bytes"
    );
    let absent = judge(
        &trace(&[2048, 952]),
        &file(3000, None),
        ExitReason::Exited { code: 0 },
        CheckId::FileCopy,
    );
    assert!(
        absent.observed.contains("wrote no file"),
        "{}",
        absent.observed
    );
}

#[test]
fn a_hang_says_what_the_last_block_was_and_whose_it_is() {
    let file = file(2048, Some(Vec::new()));
    let server_forgot = judge(
        &trace(&[2048]),
        &file,
        ExitReason::DeadlineExceeded,
        CheckId::Completion,
    );
    assert_eq!(server_forgot.status, Status::Timeout);
    assert!(
        server_forgot
            .observed
            .contains("the last block it received was 2048 bytes"),
        "{}",
        server_forgot.observed
    );
    assert!(
        server_forgot
            .observed
            .contains("never sent the empty datagram"),
        "{}",
        server_forgot.observed
    );
    let client_ignored = judge(
        &trace(&[2048, 0]),
        &file,
        ExitReason::DeadlineExceeded,
        CheckId::Completion,
    );
    assert!(
        client_ignored
            .observed
            .contains("the final empty block reached it, and it kept waiting"),
        "{}",
        client_ignored.observed
    );
}

/// A file the client wrote, as the grader reads it back, compared with `original`.
fn written(name: &str, bytes: &[u8], original: &[u8]) -> ProducedFile {
    ProducedFile {
        name: name.to_owned(),
        size: bytes.len() as u64,
        bytes: Some(bytes.to_vec()),
        differs_from_original_at: first_difference(original, bytes).map(|at| at as u64),
        compared: true,
    }
}

#[test]
fn a_copy_saved_under_a_name_of_its_own_passes_and_says_where() {
    let ok = ExitReason::Exited { code: 0 };
    let original = vec![7; 3000];
    let renamed = [written("received_data.bin", &original, &original)];
    let outcome = judge_with_files(
        &trace(&[2048, 952]),
        &file(3000, None),
        ok.clone(),
        CheckId::FileCopy,
        &renamed,
    );
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    assert_eq!(
        outcome.observed,
        "identical, 3000 bytes, saved as `received_data.bin`"
    );
    // Paired by what it carries: a wrong file under the given name and the right one
    // under another is a copy; a log beside a right copy changes nothing.
    let both = [
        written("client.log", b"asked for data.bin", &original),
        written("received_data.bin", &original, &original),
    ];
    let outcome = judge_with_files(
        &trace(&[2048, 952]),
        &file(3000, Some(vec![0; 10])),
        ok,
        CheckId::FileCopy,
        &both,
    );
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
}

#[test]
fn a_wrong_copy_under_another_name_fails_with_its_difference() {
    let ok = ExitReason::Exited { code: 0 };
    let original = vec![7; 3000];
    let short = [written("copy_of_data.bin", &original[..2048], &original)];
    let outcome = judge_with_files(
        &trace(&[2048, 952]),
        &file(3000, None),
        ok.clone(),
        CheckId::FileCopy,
        &short,
    );
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome
            .observed
            .starts_with("the client wrote no `data.bin`; it saved `copy_of_data.bin`, and in it "),
        "{}",
        outcome.observed
    );
    assert!(
        outcome.observed.contains("original 3000 bytes, copy 2048 bytes"),
        "{}",
        outcome.observed
    );
    let several = [
        written("a.bin", b"x", &original),
        written("b.bin", b"yy", &original),
    ];
    let outcome = judge_with_files(
        &trace(&[2048, 952]),
        &file(3000, None),
        ok,
        CheckId::FileCopy,
        &several,
    );
    assert_eq!(outcome.status, Status::Fail);
    assert_eq!(
        outcome.observed,
        "the client wrote no `data.bin`, and none of the 2 files it wrote equals the original: `a.bin` (1 byte), `b.bin` (2 bytes)"
    );
}

#[test]
fn the_request_is_any_datagram_holding_the_name() {
    let ok = ExitReason::Exited { code: 0 };
    let file = file(1, Some(vec![7]));
    let mut greeting_first = trace(&[1]);
    greeting_first.events.insert(
        0,
        datagram(Direction::ToServer, 0, b"HELLO".to_vec()),
    );
    let outcome = judge(&greeting_first, &file, ok.clone(), CheckId::Request);
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    assert!(
        outcome.observed.contains("in its datagram 2"),
        "{}",
        outcome.observed
    );
    let mut wrong_name = trace(&[1]);
    wrong_name.events[0].bytes = b"atad.bin".to_vec();
    let outcome = judge(&wrong_name, &file, ok, CheckId::Request);
    assert_eq!(outcome.status, Status::Fail);
    assert!(
        outcome.observed.starts_with("its first datagram was"),
        "{}",
        outcome.observed
    );
}

#[test]
fn datagrams_after_the_end_of_the_file_are_said() {
    let outcome = judge(
        &trace(&[2048, 1, 0]),
        &file(2049, Some(vec![7; 2049])),
        ExitReason::Exited { code: 0 },
        CheckId::BlockSizes,
    );
    assert_eq!(outcome.status, Status::Pass, "{outcome:?}");
    assert_eq!(
        outcome.observed,
        "2 datagrams: 2048, 1; after the end, 1 datagram: 0"
    );
}
