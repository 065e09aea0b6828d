//! The client's stream carries each typed file as a big-endian count and its lines, then
//! the zero-line file, on one connection.

use super::stream::{StreamProblem, decode};
use super::{LineUploadEvidence, quote};
use crate::case::CheckId;
use crate::check::{Outcome, Status};

/// What `framing` requires, in the words its outcome states.
pub const FRAMING: &str = "for each file the client sends a 4-byte big-endian line count, then each line ended by \\n; a zero count ends the upload";

pub fn framing(evidence: &LineUploadEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::Framing, FRAMING);
    let expected = expected_text(evidence.uploads);
    let fail = |observed: String| {
        Outcome::new(outcome.check, outcome.requirement.clone())
            .status(Status::Fail)
            .expected(expected.clone())
            .observed(observed)
    };
    let Some(connection) = evidence.connection() else {
        return fail(format!(
            "the client never connected{}",
            evidence.client.last_error_note()
        ));
    };
    let stream = &connection.to_server;
    if !stream.bytes_complete {
        return outcome
            .status(Status::Error)
            .observed(format!(
                "the client's stream ({} bytes) is longer than the grader keeps, so it cannot be decoded",
                stream.sent
            ));
    }
    let connections = evidence.trace.connections_opened();
    let decoded = decode(&stream.bytes);
    for (index, file) in decoded.files.iter().enumerate() {
        let typed: &[String] = evidence.uploads.get(index).map_or(&[], Vec::as_slice);
        let wanted = typed.len() as u32;
        if file.count != wanted {
            let mut observed = format!(
                "file {}: the count is {} (bytes {}), not {wanted}",
                index + 1,
                file.count,
                hex::encode(file.count.to_be_bytes())
            );
            if file.count.swap_bytes() == wanted {
                observed.push_str(&format!(
                    ": that is {wanted} in little-endian byte order; the handout asks for big-endian (`!I` or `>I` in Python's struct)"
                ));
            }
            return fail(observed);
        }
        for (line_index, (sent, typed)) in file.lines.iter().zip(typed).enumerate() {
            if sent.as_slice() != typed.as_bytes() {
                let mut observed = format!(
                    "file {}, line {}: sent {}, typed {}",
                    index + 1,
                    line_index + 1,
                    quote(sent),
                    quote(typed.as_bytes())
                );
                if sent.strip_suffix(b"\r") == Some(typed.as_bytes()) {
                    observed.push_str(": the line ends with \\r\\n; lines end with \\n alone");
                }
                return fail(observed);
            }
        }
    }
    let files_sent = decoded.files.len();
    let observed = match decoded.problem {
        None if files_sent == evidence.uploads.len() + 1 => None,
        None => Some(format!(
            "the client ended the upload after {} file(s); {} were typed",
            files_sent - 1,
            evidence.uploads.len()
        )),
        Some(StreamProblem::NoEnd) => Some(format!(
            "after {files_sent} file(s) the client sent no zero-line file (its stream ends at byte {})",
            stream.sent
        )),
        Some(StreamProblem::CountCut { file, bytes }) => Some(format!(
            "file {file}: the stream ends {bytes} byte(s) into the 4-byte count"
        )),
        Some(StreamProblem::LinesCut {
            file,
            count,
            complete_lines,
        }) => {
            let typed = evidence.uploads.get(file - 1).map_or(0, Vec::len) as u32;
            let mut observed = format!(
                "file {file}: the count says {count} lines but the stream ends after {complete_lines} whole line(s)"
            );
            if count != typed && count.swap_bytes() == typed {
                observed.push_str(&format!(
                    ": the count's bytes {} are {typed} in little-endian byte order; the handout asks for big-endian (`!I` or `>I` in Python's struct)",
                    hex::encode(count.to_be_bytes())
                ));
            } else if count != typed {
                observed.push_str(&format!(" ({typed} were typed)"));
            }
            Some(observed)
        }
        Some(StreamProblem::TrailingBytes { bytes }) => {
            Some(format!("{bytes} byte(s) follow the zero-line file"))
        }
    };
    if let Some(observed) = observed {
        return fail(observed);
    }
    if connections > 1 {
        return fail(format!(
            "the client opened {connections} connections; the upload uses one"
        ));
    }
    outcome.observed(format!(
        "{} file(s) and the zero-line file, {} bytes, framed as typed",
        evidence.uploads.len(),
        stream.sent
    ))
}

fn expected_text(uploads: &[Vec<String>]) -> String {
    let counts: Vec<String> = uploads.iter().map(|file| file.len().to_string()).collect();
    if counts.is_empty() {
        "just the zero-line file (count 0)".to_owned()
    } else {
        format!(
            "files of {} line(s) as typed, then the zero-line file",
            counts.join(", ")
        )
    }
}
