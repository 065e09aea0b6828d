//! The client's copy equals the original byte for byte; a difference is reported by its
//! first offset and both sizes.
//!
//! The handout says only that the client "writes them to its local disk": the name is the
//! student's. Many save it as `received_<name>` or `<name>.copy`, because on one machine
//! in one folder the original would be overwritten. So the copy is the file of the same
//! name in the client's directory when it is there and right; otherwise whichever file the
//! client wrote holds the file (paired by what it carries), and when none does, the one it
//! wrote is compared and the difference reported.

use super::FileTransferEvidence;
use crate::case::CheckId;
use crate::check::copy_difference::explain;
use crate::check::{Outcome, Status};
use crate::evidence::{FileEvidence, ProducedFile, Received};

/// What `file-copy` requires, in the words its outcome states.
pub const FILE_COPY: &str = "the client writes the file to its local disk (in its directory, under any name), equal to the server's byte for byte";

pub fn file_copy(evidence: &FileTransferEvidence<'_>, file: &FileEvidence) -> Outcome {
    let outcome = Outcome::new(CheckId::FileCopy, FILE_COPY);
    let name = &file.name;
    if let Some(tampered) = &file.input_tampered {
        return outcome
            .status(Status::Fail)
            .expected("the server reads its file and leaves it unchanged")
            .observed(format!("{tampered}; no copy can be trusted against it"));
    }
    // Files the client wrote under other names than the one it was given.
    let others: Vec<&ProducedFile> = evidence
        .client_files
        .iter()
        .filter(|written| written.name != *name)
        .collect();
    if file.missing {
        let observed = match &file.received {
            Received::Absent if others.is_empty() => {
                "no such file on the server; the client wrote none".to_owned()
            }
            Received::Absent => format!(
                "no such file on the server; the client wrote {}",
                listed(&others)
            ),
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
        "a file in the client's directory (`{name}`, or a name of its own), {} bytes, equal to the original",
        file.original_size
    );
    let same_name_identical = matches!(
        &file.received,
        Received::File { bytes, .. } if *bytes == file.original
    );
    if !same_name_identical
        && let Some(copy) = others.iter().find(|written| written.is_copy())
    {
        return outcome.observed(format!(
            "identical, {} bytes, saved as `{}`",
            copy.size, copy.name
        ));
    }
    match &file.received {
        Received::File { bytes, size } => match explain(&file.original, bytes) {
            None => outcome.observed(format!("identical, {size} bytes")),
            Some(difference) => outcome
                .status(Status::Fail)
                .expected(expected)
                .observed(difference),
        },
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
        Received::Absent => {
            let observed = match others.as_slice() {
                [] => format!("the client wrote no file in its directory (none named `{name}`, nor any other)"),
                [only] => format!(
                    "the client wrote no `{name}`; it saved `{}`, and {}",
                    only.name,
                    difference(file, only)
                ),
                several => format!(
                    "the client wrote no `{name}`, and none of the {} files it wrote equals the original: {}",
                    several.len(),
                    listed(several)
                ),
            };
            outcome
                .status(Status::Fail)
                .expected(expected)
                .observed(observed)
        }
    }
}

/// How a file the client wrote under another name differs from the original.
fn difference(file: &FileEvidence, written: &ProducedFile) -> String {
    match (&written.bytes, written.differs_from_original_at) {
        (Some(bytes), _) => explain(&file.original, bytes)
            .map_or_else(|| "it is identical".to_owned(), |why| format!("in it {why}")),
        (None, Some(offset)) => format!(
            "it differs from the original from byte {offset} on; original {} bytes, copy {} bytes",
            file.original_size, written.size
        ),
        (None, None) => format!(
            "it could not be read back ({} bytes)",
            written.size
        ),
    }
}

/// `a.bin (10 bytes), log.txt (3 bytes)`, the first few.
fn listed(files: &[&ProducedFile]) -> String {
    const MOST: usize = 5;
    let mut names: Vec<String> = files
        .iter()
        .take(MOST)
        .map(|written| {
            let unit = if written.size == 1 { "byte" } else { "bytes" };
            format!("`{}` ({} {unit})", written.name, written.size)
        })
        .collect();
    if files.len() > MOST {
        names.push(format!("and {} more", files.len() - MOST));
    }
    names.join(", ")
}
