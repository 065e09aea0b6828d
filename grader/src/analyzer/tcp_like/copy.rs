//! The server's stdout (`server PORT > RECEIVED_FILE`) equals the client's stdin file byte
//! for byte.

use crate::case::CheckId;
use crate::check::copy_difference::explain;
use crate::check::{Outcome, Status};
use crate::evidence::{FileEvidence, Received};

/// What `file-copy` requires, in the words its outcome states.
pub const FILE_COPY: &str =
    "what the server writes to its stdout equals the file on the client's stdin, byte for byte";

pub fn received_copy(file: &FileEvidence) -> Outcome {
    let outcome = Outcome::new(CheckId::FileCopy, FILE_COPY);
    if let Some(tampered) = &file.input_tampered {
        return outcome
            .status(Status::Fail)
            .expected("the client's copy of the file left unchanged")
            .observed(format!("{tampered}; no comparison can be trusted"));
    }
    let expected = format!(
        "{} bytes on the server's stdout, equal to `{}`",
        file.original_size, file.name
    );
    match &file.received {
        Received::File { bytes, size } => match explain(&file.original, bytes) {
            None => outcome.observed(format!("identical, {size} bytes")),
            Some(difference) => outcome
                .status(Status::Fail)
                .expected(expected)
                .observed(difference),
        },
        Received::TooLarge { size } => outcome
            .status(Status::Fail)
            .expected(expected)
            .observed(format!("the server wrote {size} bytes")),
        Received::Absent | Received::NotAFile => outcome
            .status(Status::Fail)
            .expected(expected)
            .observed("the server's stdout could not be read back"),
    }
}
