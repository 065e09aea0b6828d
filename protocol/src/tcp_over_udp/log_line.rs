//! The one log line per datagram that both tcp-over-udp programs print:
//! `SEND 12346 4322 1 ACK DUP`, `RECV 4321 12346 1 ACK SYN`, `DROP 12346 4322 0 ACK`.
//!
//! The grader matches these lines against the datagrams it saw on the wire, so their
//! wording is an interface: `Display` on [`LogLine`] writes it and [`LogLine::parse`]
//! reads it back exactly; [`LenientLogLine`](super::LenientLogLine) reads the same words
//! as students print them. Nothing else in the kit spells them.

use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

use super::segment::{Flags, Header};

/// What the program did with the datagram the line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// `SEND`: it put the datagram on the wire.
    Send,
    /// `RECV`: it received the datagram and used it.
    Recv,
    /// `DROP`: it received the datagram and discarded it (wrong connection id, say).
    Drop,
}

impl Verb {
    /// The line's first word.
    pub fn word(self) -> &'static str {
        match self {
            Verb::Send => "SEND",
            Verb::Recv => "RECV",
            Verb::Drop => "DROP",
        }
    }
}

/// One log line: the verb, the header's numbers and flags, and the `DUP` mark.
///
/// `duplicate` means "byte for byte identical to a datagram this program sent (for
/// `SEND`) or received (for `RECV`) before"; a `DROP` line never carries it, and
/// [`LogLine::dropped`] cannot make one that does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LogLine {
    pub verb: Verb,
    pub header: Header,
    pub duplicate: bool,
}

impl LogLine {
    /// A `SEND` line.
    pub fn sent(header: Header, duplicate: bool) -> Self {
        LogLine {
            verb: Verb::Send,
            header,
            duplicate,
        }
    }

    /// A `RECV` line.
    pub fn received(header: Header, duplicate: bool) -> Self {
        LogLine {
            verb: Verb::Recv,
            header,
            duplicate,
        }
    }

    /// A `DROP` line (never marked `DUP`).
    pub fn dropped(header: Header) -> Self {
        LogLine {
            verb: Verb::Drop,
            header,
            duplicate: false,
        }
    }

    /// Writes the line and flushes it, so the grader sees it when it happens.
    pub fn write_line<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        writeln!(out, "{self}")?;
        out.flush()
    }

    /// Reads a line exactly as [`Display`](fmt::Display) writes it (no newline): single
    /// spaces, decimal numbers, flag words in the order `ACK SYN FIN`, `DUP` last and
    /// never on `DROP`.
    pub fn parse(line: &str) -> Result<Self, LogLineError> {
        let mut words = line.split(' ');
        let verb = match words.next() {
            Some("SEND") => Verb::Send,
            Some("RECV") => Verb::Recv,
            Some("DROP") => Verb::Drop,
            _ => return Err(LogLineError::Verb),
        };
        let mut number = |field: &'static str| {
            let word = words.next().ok_or(LogLineError::Missing { field })?;
            Ok::<_, LogLineError>((field, word))
        };
        let (seq, ack, conn_id) = (number("seq")?, number("ack")?, number("conn_id")?);
        let header = Header {
            seq: seq.1.parse().map_err(|_| LogLineError::number(seq))?,
            ack: ack.1.parse().map_err(|_| LogLineError::number(ack))?,
            conn_id: conn_id
                .1
                .parse()
                .map_err(|_| LogLineError::number(conn_id))?,
            flags: Flags::NONE,
        };
        let mut line = LogLine {
            verb,
            header,
            duplicate: false,
        };
        // Each word must come later in `ORDER` than the one before it.
        const ORDER: [&str; 4] = ["ACK", "SYN", "FIN", "DUP"];
        let mut next_allowed = 0;
        for word in words {
            let position = ORDER[next_allowed..]
                .iter()
                .position(|allowed| *allowed == word)
                .map(|offset| next_allowed + offset)
                .ok_or_else(|| LogLineError::Word {
                    word: word.to_owned(),
                })?;
            next_allowed = position + 1;
            match word {
                "ACK" => line.header.flags = line.header.flags.with(Flags::ACK),
                "SYN" => line.header.flags = line.header.flags.with(Flags::SYN),
                "FIN" => line.header.flags = line.header.flags.with(Flags::FIN),
                _ if verb == Verb::Drop => return Err(LogLineError::DuplicateDrop),
                _ => line.duplicate = true,
            }
        }
        Ok(line)
    }
}

/// `VERB seq ack conn_id[ ACK][ SYN][ FIN][ DUP]`, without the newline. Only the three
/// defined flags have words: the protocol's grammar has no place for other bits.
impl fmt::Display for LogLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Header {
            seq, ack, conn_id, ..
        } = self.header;
        write!(f, "{} {seq} {ack} {conn_id}", self.verb.word())?;
        for word in self.header.flags.words() {
            write!(f, " {word}")?;
        }
        if self.duplicate {
            f.write_str(" DUP")?;
        }
        Ok(())
    }
}

impl FromStr for LogLine {
    type Err = LogLineError;

    fn from_str(line: &str) -> Result<Self, Self::Err> {
        LogLine::parse(line)
    }
}

/// Why a line is not a log line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogLineError {
    #[error("the line does not start with SEND, RECV or DROP")]
    Verb,
    #[error("the line ends before its {field}")]
    Missing { field: &'static str },
    #[error("{field} is {text:?}, not a number that fits the header")]
    Number { field: &'static str, text: String },
    #[error("{word:?} is not ACK, SYN, FIN or DUP in that order, each at most once")]
    Word { word: String },
    #[error("a DROP line has no DUP mark")]
    DuplicateDrop,
}

impl LogLineError {
    fn number((field, text): (&'static str, &str)) -> Self {
        LogLineError::Number {
            field,
            text: text.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(seq: i32, ack: i32, conn_id: i16, flags: Flags) -> Header {
        Header {
            seq,
            ack,
            conn_id,
            flags,
        }
    }

    #[test]
    fn lines_as_the_protocol_spells_them() {
        let data = header(12346, 4322, 1, Flags::ACK);
        assert_eq!(
            LogLine::sent(data, true).to_string(),
            "SEND 12346 4322 1 ACK DUP"
        );
        assert_eq!(
            LogLine::received(header(4321, 12346, 1, Flags::SYN_ACK), false).to_string(),
            "RECV 4321 12346 1 ACK SYN"
        );
        assert_eq!(
            LogLine::dropped(header(12346, 4322, 0, Flags::FIN_ACK)).to_string(),
            "DROP 12346 4322 0 ACK FIN"
        );
        assert_eq!(
            LogLine::sent(header(12345, 0, 0, Flags::SYN), false).to_string(),
            "SEND 12345 0 0 SYN"
        );
        assert_eq!(
            LogLine::received(header(-1, 0, 0, Flags::NONE), true).to_string(),
            "RECV -1 0 0 DUP"
        );
    }

    #[test]
    fn undefined_flag_bits_have_no_word() {
        let line = LogLine::received(header(1, 2, 3, Flags(8 | 4)), false);
        assert_eq!(line.to_string(), "RECV 1 2 3 ACK");
    }

    #[test]
    fn parse_reads_back_what_display_writes() {
        for line in [
            LogLine::sent(header(204_799, 4322, 1, Flags::ACK), true),
            LogLine::received(header(4322, 0, 1, Flags::FIN), false),
            LogLine::received(header(4321, 12346, 1, Flags::SYN_ACK), true),
            LogLine::dropped(header(12346, 4322, 0, Flags::ACK)),
            LogLine::sent(header(0, 0, 0, Flags::NONE), false),
        ] {
            assert_eq!(LogLine::parse(&line.to_string()), Ok(line));
            assert_eq!(line.to_string().parse(), Ok(line));
        }
    }

    #[test]
    fn parse_refuses_anything_else() {
        for (text, error) in [
            ("listening on 5005", LogLineError::Verb),
            ("SEND 1 2", LogLineError::Missing { field: "conn_id" }),
            (
                "SEND 1 2 70000",
                LogLineError::Number {
                    field: "conn_id",
                    text: "70000".to_owned(),
                },
            ),
            (
                "RECV 1 2 3 SYN ACK",
                LogLineError::Word {
                    word: "ACK".to_owned(),
                },
            ),
            (
                "RECV 1 2 3 ACK ACK",
                LogLineError::Word {
                    word: "ACK".to_owned(),
                },
            ),
            (
                "SEND 1  2 3",
                LogLineError::Number {
                    field: "ack",
                    text: String::new(),
                },
            ),
            ("DROP 1 2 3 ACK DUP", LogLineError::DuplicateDrop),
        ] {
            assert_eq!(LogLine::parse(text), Err(error), "{text:?}");
        }
    }
}
