//! The client's copy equals the original byte for byte; a difference is reported by its
//! first offset and both sizes.

use crate::case::CheckId;
use crate::check::copy_difference::explain;
use crate::check::{Outcome, Status};
use crate::evidence::{FileEvidence, Received};

/// What `file-copy` requires, in the words its outcome states.
pub const FILE_COPY: &str = "the client's file equals the server's byte for byte";

pub fn file_copy(file: &FileEvidence) -> Outcome {
    let outcome = Outcome::new(CheckId::FileCopy, FILE_COPY);
    let name = &file.name;
    if let Some(tampered) = &file.input_tampered {
        return outcome
            .status(Status::Fail)
            .expected("the server reads its file and leaves it unchanged")
            .observed(format!("{tampered}; no copy can be trusted against it"));
    }
    if file.missing {
        let observed = match &file.received {
            Received::Absent => "no such file on the server; the client wrote none".to_owned(),
            Received::File { size, .. } => {
                format!("no such file on the server; the client wrote `{name}` of {size} bytes")
            }
            Received::NotAFile | Received::TooLarge { .. } => {
                format!("no such file on the server; the client left something odd at `{name}`")
            }
        };
        return outcome.status(Status::Informational).observed(observed);
    }
    let expected = format!(
        "`{name}` in the client's directory, {} bytes, equal to the original",
        file.original_size
    );
    match &file.received {
        Received::Absent => outcome
            .status(Status::Fail)
            .expected(expected)
            .observed(format!("the client wrote no file named `{name}` in its directory")),
        Received::NotAFile => outcome
            .status(Status::Fail)
            .expected(expected)
            .observed(format!(
                "`{name}` in the client's directory is not a file of its own (a directory, a link, or the server's file itself)"
            )),
        Received::TooLarge { size } => outcome
            .status(Status::Fail)
            .expected(expected)
            .observed(format!("the client's `{name}` is {size} bytes")),
        Received::File { bytes, size } => match explain(&file.original, bytes) {
            None => outcome.observed(format!("identical, {size} bytes")),
            Some(difference) => outcome
                .status(Status::Fail)
                .expected(expected)
                .observed(difference),
        },
    }
}
