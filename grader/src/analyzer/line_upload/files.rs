//! The server saves the k-th file as `k.txt`, holding exactly the lines sent.

use super::{LineUploadEvidence, quote};
use crate::case::CheckId;
use crate::check::{Outcome, Status};

/// What `saved-files` requires, in the words its outcome states.
pub const SAVED_FILES: &str =
    "the server saves the k-th file as k.txt (from 1.txt) holding exactly its lines";

pub fn saved_files(evidence: &LineUploadEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::SavedFiles, SAVED_FILES);
    let count = evidence.uploads.len();
    let expected = match count {
        0 => "no file saved (the zero-line file may be saved empty)".to_owned(),
        1 => "1.txt with the typed lines".to_owned(),
        _ => format!("1.txt … {count}.txt, each with its typed lines"),
    };
    let hint = evidence.segmentation_hint();
    let found: Vec<&str> = evidence
        .server_files
        .iter()
        .map(|file| file.name.as_str())
        .collect();
    let fail = |observed: String| {
        Outcome::new(CheckId::SavedFiles, outcome.requirement.clone())
            .status(Status::Fail)
            .expected(expected.clone())
            .observed(format!(
                "{observed}{hint}{}",
                evidence.server.last_error_note()
            ))
    };
    for (index, lines) in evidence.uploads.iter().enumerate() {
        let name = format!("{}.txt", index + 1);
        let Some(file) = evidence.server_files.iter().find(|file| file.name == name) else {
            return fail(format!(
                "no {name} in the server's directory (it wrote: {})",
                if found.is_empty() {
                    "nothing".to_owned()
                } else {
                    found.join(", ")
                }
            ));
        };
        let Some(bytes) = &file.bytes else {
            return fail(format!(
                "{name} is {} bytes, far more than was sent",
                file.size
            ));
        };
        let joined = lines.join("\n");
        // The last newline is the server's choice; everything else is the lines exactly.
        if *bytes != format!("{joined}\n").as_bytes() && *bytes != joined.as_bytes() {
            let saved: Vec<&[u8]> = bytes
                .strip_suffix(b"\n")
                .unwrap_or(bytes)
                .split(|&byte| byte == b'\n')
                .collect();
            let observed = match saved
                .iter()
                .zip(lines)
                .position(|(saved, typed)| *saved != typed.as_bytes())
            {
                Some(line) => format!(
                    "{name}, line {}: {} where {} was sent",
                    line + 1,
                    quote(saved[line]),
                    quote(lines[line].as_bytes())
                ),
                None => format!(
                    "{name} holds {} line(s); {} were sent",
                    saved.len(),
                    lines.len()
                ),
            };
            return fail(observed);
        }
    }
    let after = format!("{}.txt", count + 1);
    if let Some(extra) = evidence
        .server_files
        .iter()
        .find(|file| file.name == after && file.size > 0)
    {
        return fail(format!(
            "{after} ({} bytes) was saved, but only {count} file(s) were sent",
            extra.size
        ));
    }
    outcome
        .expected(expected)
        .observed(format!("{count} file(s) saved with exactly the lines sent"))
}
