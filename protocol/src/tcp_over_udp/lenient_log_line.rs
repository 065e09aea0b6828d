//! The `SEND`/`RECV`/`DROP` log line as the grader reads it from a student's program:
//! the same words as [`LogLine`](super::LogLine), found leniently.
//!
//! Students print these lines by hand, with their own spacing, case and extras, and the
//! grader judges what the numbers and flags say, not how they are typeset. So where the
//! strict reader takes exactly what the reference peers print, this one takes the verb
//! anywhere in the line and in any case, any run of white space between words, numbers
//! of any size (a number the header cannot hold is evidence against the program, not a
//! reason to skip its line), extra numbers after the first three (a window, say), and
//! any other words among the flags.

use std::sync::LazyLock;

use regex::Regex;

use super::log_line::Verb;
use super::segment::Flags;

/// `SEND 12346 4322 1 ACK DUP`, anywhere in a line, any case; numbers after the first
/// three (a window, say) are passed over.
static LOG_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(SEND|RECV|DROP)\s+(-?\d+)\s+(-?\d+)\s+(-?\d+)((?:\s+-?\d+)*)((?:\s+[A-Z]+)*)",
    )
    .unwrap_or_else(|error| unreachable!("a fixed pattern: {error}"))
});

/// What one line a student's program printed says about one datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LenientLogLine {
    /// What the program says it did with the datagram.
    pub verb: Verb,
    /// The sequence number, as printed (it may not fit the header's `i32`).
    pub seq: i64,
    /// The acknowledgement number, as printed.
    pub ack: i64,
    /// The connection id, as printed (it may not fit the header's `i16`).
    pub conn_id: i64,
    /// The flags named among the words after the numbers; other words are passed over.
    pub flags: Flags,
    /// Whether `DUP` is among those words.
    pub duplicate: bool,
}

impl LenientLogLine {
    /// Finds a log line in `text`; `None` when there is none, or when one of its three
    /// numbers does not fit an `i64`.
    pub fn parse(text: &str) -> Option<Self> {
        let captures = LOG_LINE.captures(text)?;
        let number = |index| captures.get(index)?.as_str().parse::<i64>().ok();
        let verb = match captures.get(1)?.as_str().to_ascii_uppercase().as_str() {
            "SEND" => Verb::Send,
            "RECV" => Verb::Recv,
            _ => Verb::Drop,
        };
        let mut flags = Flags::NONE;
        let mut duplicate = false;
        for word in captures
            .get(6)
            .map_or("", |m| m.as_str())
            .split_whitespace()
        {
            match word.to_ascii_uppercase().as_str() {
                "ACK" => flags = flags.with(Flags::ACK),
                "SYN" => flags = flags.with(Flags::SYN),
                "FIN" => flags = flags.with(Flags::FIN),
                "DUP" => duplicate = true,
                _ => {}
            }
        }
        Some(LenientLogLine {
            verb,
            seq: number(2)?,
            ack: number(3)?,
            conn_id: number(4)?,
            flags,
            duplicate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp_over_udp::{Header, LogLine};

    fn lenient(
        verb: Verb,
        (seq, ack, conn_id): (i64, i64, i64),
        flags: Flags,
        duplicate: bool,
    ) -> LenientLogLine {
        LenientLogLine {
            verb,
            seq,
            ack,
            conn_id,
            flags,
            duplicate,
        }
    }

    #[test]
    fn reads_every_line_the_strict_grammar_writes_alike() {
        let header = |seq, ack, conn_id, flags| Header {
            seq,
            ack,
            conn_id,
            flags,
        };
        for line in [
            LogLine::sent(header(204_799, 4322, 1, Flags::ACK), true),
            LogLine::received(header(4322, 0, 1, Flags::FIN), false),
            LogLine::received(header(4321, 12346, 1, Flags::SYN_ACK), true),
            LogLine::dropped(header(12346, 4322, 0, Flags::FIN_ACK)),
            LogLine::sent(header(-1, 0, 0, Flags::NONE), false),
        ] {
            let read = LenientLogLine::parse(&line.to_string()).unwrap();
            assert_eq!(
                read,
                lenient(
                    line.verb,
                    (
                        i64::from(line.header.seq),
                        i64::from(line.header.ack),
                        i64::from(line.header.conn_id)
                    ),
                    line.header.flags,
                    line.duplicate
                ),
                "{line}"
            );
        }
    }

    #[test]
    fn reads_what_students_print_around_the_words() {
        assert_eq!(
            LenientLogLine::parse("  [client] send\t12346  4322 1 dup ack  "),
            Some(lenient(Verb::Send, (12346, 4322, 1), Flags::ACK, true))
        );
        // Extra numbers (a window) are passed over, other words ignored, order free.
        assert_eq!(
            LenientLogLine::parse("RECV 1 2 3 512 FIN hello SYN"),
            Some(lenient(Verb::Recv, (1, 2, 3), Flags(1 | 2), false))
        );
        // Numbers beyond the header's types are kept for the judge to refuse.
        assert_eq!(
            LenientLogLine::parse("DROP 9999999999 -2 70000"),
            Some(lenient(
                Verb::Drop,
                (9_999_999_999, -2, 70_000),
                Flags::NONE,
                false
            ))
        );
    }

    #[test]
    fn passes_over_lines_that_are_not_log_lines() {
        for text in [
            "listening on 5005",
            "SEND 1 2",
            "RESEND 1 2 3",
            "SEND 1 2 x3",
            "SEND 1 2 99999999999999999999",
        ] {
            assert_eq!(LenientLogLine::parse(text), None, "{text:?}");
        }
    }
}
