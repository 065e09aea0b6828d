//! The client ends by itself once the short final block arrives. The classic hang — a
//! file whose size is a multiple of the block size, and no empty final datagram — fails
//! here at the deadline, with what the last block was and whose side it is on.

use super::FileTransferEvidence;
use super::blocks::summary;
use crate::case::CheckId;
use crate::check::program_end::exit_problem;
use crate::check::{Outcome, Status};
use crate::evidence::{FileEvidence, Role};
use crate::link::Direction;

/// What `completion` requires of a transfer in blocks of `block` bytes.
pub fn requirement(block: usize) -> String {
    format!("the client ends by itself at the first block shorter than {block} bytes")
}

pub fn completion(evidence: &FileTransferEvidence<'_>, file: &FileEvidence) -> Outcome {
    let block = evidence.params.block;
    let outcome = Outcome::new(CheckId::Completion, requirement(block));
    let Some((status, ending)) = exit_problem(evidence.client, Role::Client) else {
        return outcome.observed("the client exited with status 0");
    };
    match status {
        Status::Timeout => outcome
            .status(status)
            .expected(format!(
                "the client stops at the final block shorter than {block} bytes"
            ))
            .observed(format!("{ending}; {}", hang_reason(evidence, file))),
        // With no file to send, how the client gives up is the handout's silence.
        _ if file.missing => outcome
            .status(Status::Informational)
            .observed(format!("{ending}{}", evidence.client.last_error_note())),
        _ => outcome
            .status(status)
            .expected("exit status 0")
            .observed(format!("{ending}{}", evidence.client.last_error_note())),
    }
}

/// What the client last got, and whether the server ever sent the short block it waits
/// for.
fn hang_reason(evidence: &FileTransferEvidence<'_>, file: &FileEvidence) -> String {
    let block = evidence.params.block;
    let delivered: Vec<usize> = evidence
        .trace
        .direction(Direction::ToClient)
        .flat_map(|event| event.delivered().map(|(_, bytes)| bytes.len()))
        .collect();
    let sent_short = evidence
        .trace
        .direction(Direction::ToClient)
        .any(|event| event.bytes.len() < block);
    let multiple = file.original_size.is_multiple_of(block as u64);
    let last = match delivered.last() {
        None => "no block reached it".to_owned(),
        Some(size) => format!(
            "the last block it received was {size} bytes ({} in all)",
            summary(&delivered)
        ),
    };
    let whose = if !sent_short && multiple {
        format!(
            "; the file is {} bytes, a multiple of {block}, and the server never sent the empty datagram that ends it",
            file.original_size
        )
    } else if !sent_short {
        format!("; the server never sent a block shorter than {block} bytes")
    } else if delivered.iter().any(|&size| size < block) {
        format!(
            "; the final {} block reached it, and it kept waiting",
            if delivered.contains(&0) && multiple {
                "empty"
            } else {
                "short"
            }
        )
    } else {
        "; the final short block was lost on the way and the client never gave up".to_owned()
    };
    format!("{last}{whose}")
}
