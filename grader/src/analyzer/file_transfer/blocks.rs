//! The wire of a transfer: one request naming the file, then blocks of exactly the block
//! size ended by one shorter block — an empty datagram when the size is a multiple of it.
//!
//! Judged on what the server sent (every datagram reaches the relay before the link
//! decides its fate), so a lossy link does not blame the server for what the link lost.

use super::FileTransferEvidence;
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::FileEvidence;
use crate::link::Direction;
use crate::wording;

/// What `request` requires, in the words its outcome states.
pub const REQUEST: &str = "the client sends the server a datagram holding the file's name";

/// A datagram of the client holds the file's name. The handout says "a datagram ... with
/// the file name": how the name is wrapped (`GET name`, a trailing newline) is the
/// student's, and so is anything the client sends besides; the name split over several
/// datagrams is not a datagram with the name.
pub fn request(evidence: &FileTransferEvidence<'_>, file: &FileEvidence) -> Outcome {
    let outcome = Outcome::new(CheckId::Request, REQUEST);
    let sent: Vec<_> = evidence.trace.direction(Direction::ToServer).collect();
    let Some(first) = sent.first() else {
        return outcome
            .status(Status::Fail)
            .expected(format!("a datagram holding `{}`", file.name))
            .observed(format!(
                "the client sent nothing{}",
                evidence.client.last_error_note()
            ));
    };
    let name = file.name.as_bytes();
    let holds_name = |bytes: &[u8]| bytes.windows(name.len().max(1)).any(|window| window == name);
    match sent.iter().position(|event| holds_name(&event.bytes)) {
        Some(0) => outcome.observed(format!(
            "the client asked for {}",
            wording::payload_text(&first.bytes)
        )),
        Some(index) => outcome
            .observed(format!(
                "the client asked for {} in its datagram {} (before it: {})",
                wording::payload_text(&sent[index].bytes),
                index + 1,
                wording::payload_text(&first.bytes)
            ))
            .evidence(format!("to-server #{}", index + 1)),
        None => {
            let more = match sent.len() {
                1 => String::new(),
                count => format!(", and none of its {count} datagrams held the name"),
            };
            outcome
                .status(Status::Fail)
                .expected(format!("a datagram holding `{}`", file.name))
                .observed(format!(
                    "its first datagram was {}{more}",
                    wording::payload_text(&first.bytes)
                ))
                .evidence("to-server #1")
        }
    }
}

/// What `block-sizes` requires of blocks of `block` bytes.
pub fn block_sizes_requirement(block: usize) -> String {
    format!(
        "the server sends {block}-byte blocks, then one shorter block (an empty datagram when the size is a multiple of {block})"
    )
}

/// Every block but the last is exactly the block size; the last is shorter; together they
/// hold the file.
pub fn block_sizes(evidence: &FileTransferEvidence<'_>, file: &FileEvidence) -> Outcome {
    let block = evidence.params.block;
    let outcome = Outcome::new(CheckId::BlockSizes, block_sizes_requirement(block));
    if file.missing {
        return outcome.status(Status::Informational).observed(format!(
            "the file does not exist; the server sent {}",
            summary(&sizes(evidence))
        ));
    }
    let sizes = sizes(evidence);
    let expected = expected_sizes(file.original_size, block);
    let expected_text = format!("{} for {} bytes", summary(&expected), file.original_size);
    if sizes.is_empty() {
        return outcome
            .status(Status::Fail)
            .expected(expected_text)
            .observed("the server sent nothing");
    }
    // The first transfer ends at the first short block (a re-request may start another),
    // unless that block came early and the server went on sending: then it was not meant
    // as the end, and the whole sequence is what the server sent for the file.
    let end = sizes.iter().position(|&size| size < block);
    let transfer = match end {
        Some(end)
            if end + 1 < sizes.len()
                && sizes[..=end].iter().map(|&size| size as u64).sum::<u64>()
                    < file.original_size =>
        {
            &sizes[..]
        }
        Some(end) => &sizes[..=end],
        None => &sizes[..],
    };
    if let Some(index) = transfer[..transfer.len() - 1]
        .iter()
        .position(|&size| size != block)
    {
        return outcome
            .status(Status::Fail)
            .expected(expected_text)
            .observed(format!(
                "block {} was {} bytes; every block but the last must be exactly {block} (the server sent {})",
                index + 1,
                sizes[index],
                summary(transfer)
            ))
            .evidence(format!("to-client #{}", index + 1));
    }
    if let Some(&oversized) = transfer.iter().find(|&&size| size > block) {
        return outcome
            .status(Status::Fail)
            .expected(expected_text)
            .observed(format!(
                "a {oversized}-byte block; blocks are at most {block} bytes"
            ));
    }
    let total: u64 = transfer.iter().map(|&size| size as u64).sum();
    if end.is_none() {
        let why = if file.original_size.is_multiple_of(block as u64) {
            format!(
                ": the size is a multiple of {block}, so the server must end with an empty datagram"
            )
        } else {
            String::new()
        };
        return outcome
            .status(Status::Fail)
            .expected(expected_text)
            .observed(format!(
                "{} holding {total} bytes, and no block shorter than {block} ended them{why}",
                summary(transfer)
            ));
    }
    // What came after the block that ended the file (an extra empty "end" datagram, a
    // second transfer for a repeated request) is no block of this file, but it was sent.
    let after = match &sizes[transfer.len()..] {
        [] => String::new(),
        rest => format!("; after the end, {}", summary(rest)),
    };
    if total != file.original_size {
        return outcome
            .status(Status::Fail)
            .expected(expected_text)
            .observed(format!(
                "{} holding {total} bytes; the file has {}{after}",
                summary(transfer),
                file.original_size
            ));
    }
    outcome.observed(format!("{}{after}", summary(transfer)))
}

/// The sizes of the datagrams the server sent, in order.
fn sizes(evidence: &FileTransferEvidence<'_>) -> Vec<usize> {
    evidence
        .trace
        .direction(Direction::ToClient)
        .map(|event| event.bytes.len())
        .collect()
}

/// The block sizes a file of `size` bytes is sent in.
pub fn expected_sizes(size: u64, block: usize) -> Vec<usize> {
    let full = usize::try_from(size / block as u64).unwrap_or(usize::MAX);
    let rest = usize::try_from(size % block as u64).unwrap_or(0);
    let mut sizes = vec![block; full];
    sizes.push(rest);
    sizes
}

/// `3 datagrams: 2048, 2048, 0` — runs of equal sizes folded (`512 × 2048, 7`).
pub fn summary(sizes: &[usize]) -> String {
    if sizes.is_empty() {
        return "no datagrams".to_owned();
    }
    let mut parts: Vec<String> = Vec::new();
    let mut index = 0;
    while index < sizes.len() {
        let run = sizes[index..]
            .iter()
            .take_while(|&&size| size == sizes[index])
            .count();
        parts.push(if run > 2 {
            format!("{run} × {}", sizes[index])
        } else {
            vec![sizes[index].to_string(); run].join(", ")
        });
        index += run;
    }
    let count = sizes.len();
    format!(
        "{count} datagram{}: {}",
        if count == 1 { "" } else { "s" },
        parts.join(", ")
    )
}
