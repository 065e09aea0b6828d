//! What the udp-add peers print on stdout, and the exact line each report becomes.
//!
//! The grader matches these lines, so their wording is an interface: `Display` on
//! [`Event`] is the one place it is written down. The five summary lines are separate
//! events so that a defect can leave one out without rewording the others.

use std::fmt;
use std::io::{self, Write};

use super::message::{Message, NUMBERS};
use crate::printable::Printable;

/// One line of a peer's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The client's name, as it sent it.
    ClientName(String),
    /// The server's name, as it sent it.
    ServerName(String),
    /// The client's number.
    ClientNumber(i64),
    /// The server's number.
    ServerNumber(i64),
    /// The sum of the two numbers (or a defect's idea of it).
    Sum(i64),
    /// The server received an integer outside the range and stops.
    ShuttingDown { received: i64 },
    /// The client sent an integer outside the range, so expects no reply.
    SentOutOfRange { sent: i64 },
    /// The server had said nothing, so the client sent the integer again, alone (for a
    /// server that reads the name and the integer from two datagrams).
    SentIntegerAgain,
    /// The client sent text that is no integer and the server, rightly, did not answer.
    NoReply { sent: String },
    /// The client sent text that is no integer and the server answered anyway.
    Replied { sent: String, reply: String },
}

impl Event {
    /// Writes the line and flushes it, so whoever reads the output (the grader, with
    /// timestamps) sees each line when it happens rather than when a buffer fills.
    pub fn write_line<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        writeln!(out, "{self}")?;
        out.flush()
    }
}

/// The five lines both peers print after a good exchange, textbook order.
pub fn summary(client: &Message, server: &Message) -> Vec<Event> {
    vec![
        Event::ClientName(client.name.clone()),
        Event::ServerName(server.name.clone()),
        Event::ClientNumber(client.number),
        Event::ServerNumber(server.number),
        // Saturating: a peer's number is in range here, but the sum must not panic on data.
        Event::Sum(client.number.saturating_add(server.number)),
    ]
}

/// The line, without the newline.
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (low, high) = (NUMBERS.start(), NUMBERS.end());
        match self {
            Event::ClientName(name) => write!(f, "Client's name: {}", Printable(name)),
            Event::ServerName(name) => write!(f, "Server's name: {}", Printable(name)),
            Event::ClientNumber(number) => write!(f, "Client's number: {number}"),
            Event::ServerNumber(number) => write!(f, "Server's number: {number}"),
            Event::Sum(sum) => write!(f, "Sum: {sum}"),
            Event::ShuttingDown { received } => {
                write!(
                    f,
                    "Received {received}, outside {low}-{high}: shutting down"
                )
            }
            Event::SentOutOfRange { sent } => write!(
                f,
                "Sent {sent}, outside {low}-{high}: the server should shut down"
            ),
            // No digits: the grader reads the integers a client shows.
            Event::SentIntegerAgain => f.write_str(
                "No answer yet: sent the integer again, alone, \
                 for a server that reads the name and the integer separately",
            ),
            Event::NoReply { sent } => write!(f, "No reply (the server ignored {sent:?})"),
            Event::Replied { sent, reply } => {
                write!(f, "The server replied to {sent:?}: {reply:?}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(events: &[Event]) -> Vec<String> {
        events.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn summary_lines() {
        let client = Message::new("Client of Socklab Reference", 42);
        let server = Message::new("Server of Socklab Reference", 57);
        assert_eq!(
            lines(&summary(&client, &server)),
            [
                "Client's name: Client of Socklab Reference",
                "Server's name: Server of Socklab Reference",
                "Client's number: 42",
                "Server's number: 57",
                "Sum: 99",
            ]
        );
    }

    #[test]
    fn shutdown_lines() {
        assert_eq!(
            Event::ShuttingDown { received: 0 }.to_string(),
            "Received 0, outside 1-100: shutting down"
        );
        assert_eq!(
            Event::SentOutOfRange { sent: 101 }.to_string(),
            "Sent 101, outside 1-100: the server should shut down"
        );
    }

    #[test]
    fn text_that_is_no_integer_is_quoted_and_escaped() {
        assert_eq!(
            Event::NoReply {
                sent: "abc".to_owned()
            }
            .to_string(),
            "No reply (the server ignored \"abc\")"
        );
        assert_eq!(
            Event::Replied {
                sent: "a\"b".to_owned(),
                reply: "Server\n57".to_owned()
            }
            .to_string(),
            "The server replied to \"a\\\"b\": \"Server\\n57\""
        );
    }

    #[test]
    fn names_with_control_characters_stay_on_one_line() {
        assert_eq!(
            Event::ClientName("Client\r".to_owned()).to_string(),
            "Client's name: Client\\r"
        );
    }

    #[test]
    fn write_line_ends_the_line() {
        let mut out = Vec::new();
        Event::Sum(99).write_line(&mut out).unwrap();
        assert_eq!(out, b"Sum: 99\n");
    }
}
