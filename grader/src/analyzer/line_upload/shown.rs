//! The client reports each status byte to the user. The handout: "Await the status byte
//! sent by the server. Report the status to the user (e.g. “File accepted”)": the wording
//! is an example, so a status is shown by a line that says it in the case's words
//! (`client-shows`: "accepted", "quitting") or that shows the byte itself (`Status: A`,
//! `Server replied b'A'`).
//!
//! Each status is paired with a line by time: the line must come after the relay read the
//! byte from the server, since a line printed before the server had answered does not
//! report the answer (a prompt that mentions quitting, a message printed without waiting).
//! The relay stamps a read before it passes the byte on, and the grader stamps a line
//! after the client printed it, so a line that reports the byte is never stamped before.

use super::LineUploadEvidence;
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::Line;

/// What `client-status` requires, in the words its outcome states.
pub const CLIENT_STATUS: &str = "the client reports each status it receives to the user, in words of its own (e.g. \"File accepted\") or as the status byte itself";

pub fn client_status(evidence: &LineUploadEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::ClientStatus, CLIENT_STATUS);
    let Some(connection) = evidence.connection() else {
        return outcome
            .status(Status::Informational)
            .observed("the client never connected, so it received no status");
    };
    let answers = &connection.to_client;
    // Each `A` or `Q` the server sent, with when the relay had it.
    let statuses: Vec<(usize, u8, std::time::Duration)> = answers
        .bytes
        .iter()
        .enumerate()
        .filter(|(_, byte)| matches!(byte, b'A' | b'Q'))
        .filter_map(|(index, &byte)| {
            // A status that never reached the client is not one it could show.
            answers.delivery_of(index as u64)?;
            let read = answers.read_of(index as u64)?;
            Some((index, byte, read.at))
        })
        .collect();
    let expected = format!(
        "after each status, a line matching /{}/ for `A` and /{}/ for `Q`, or showing the byte itself",
        evidence.accepted.as_str(),
        evidence.quitting.as_str()
    );
    if statuses.is_empty() {
        return outcome.status(Status::Informational).observed(format!(
            "no status reached the client (the server answered {:?}), so there was none to show",
            String::from_utf8_lossy(&answers.bytes)
        ));
    }
    let lines = &evidence.client.lines;
    let mut next_line = 0;
    for (shown, &(index, byte, answered_at)) in statuses.iter().enumerate() {
        let found = lines[next_line..]
            .iter()
            .position(|line| line.at >= answered_at && shows(evidence, line, byte));
        let Some(offset) = found else {
            // The lines it printed after the answer, past the one that showed the last.
            let after: Vec<String> = lines[next_line..]
                .iter()
                .filter(|line| line.at >= answered_at)
                .take(2)
                .map(|line| format!("{:?}", line.text))
                .collect();
            let printed = if after.is_empty() {
                "it printed nothing after it".to_owned()
            } else {
                format!("its next lines: {}", after.join(", "))
            };
            return outcome
                .status(Status::Fail)
                .expected(expected)
                .observed(format!(
                    "the server answered {:?}; the client showed {shown} of the {} answers, and no line after the answer `{}` to file {} (read from the server at {:.1} ms) shows it: {printed}",
                    String::from_utf8_lossy(&answers.bytes),
                    statuses.len(),
                    char::from(byte),
                    index + 1,
                    answered_at.as_secs_f64() * 1e3
                ));
        };
        next_line += offset + 1;
    }
    outcome.expected(expected).observed(format!(
        "each of the {} answers {:?} shown by a line printed after it",
        statuses.len(),
        String::from_utf8_lossy(&answers.bytes)
    ))
}

/// Whether `line` reports the status `byte`: in the case's words, or as the byte itself.
fn shows(evidence: &LineUploadEvidence<'_>, line: &Line, byte: u8) -> bool {
    let words = match byte {
        b'A' => evidence.accepted,
        _ => evidence.quitting,
    };
    words.is_match(&line.text) || holds_character(&line.text, char::from(byte))
}

/// Whether `text` holds `character` on its own, not inside a word: `Status: A`, `b'A'`,
/// `[Q]`, but not `Add another file?`.
fn holds_character(text: &str, character: char) -> bool {
    let letters: Vec<char> = text.chars().collect();
    letters.iter().enumerate().any(|(at, &letter)| {
        let alone = |neighbour: Option<&char>| neighbour.is_none_or(|c| !c.is_alphanumeric());
        letter == character
            && alone(at.checked_sub(1).and_then(|before| letters.get(before)))
            && alone(letters.get(at + 1))
    })
}

#[cfg(test)]
mod tests {
    use super::holds_character;

    #[test]
    fn the_byte_itself_is_found_on_its_own_only() {
        for line in ["Status: A", "Server replied b'A'", "[A]", "A", "got 'A' from server"] {
            assert!(holds_character(line, 'A'), "{line}");
        }
        for line in ["Add another file? (y/n)", "ACK", "Status: a", "File accepted"] {
            assert!(!holds_character(line, 'A'), "{line}");
        }
    }
}
