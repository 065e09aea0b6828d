//! The tcp-lines client's questions on stdin and how it reads the answers.
//!
//! The grader drives the client by writing the answers to its stdin, so the prompts are
//! printed as Python's `input()` prints them: no newline, flushed at once. End of input is
//! an answer too, the one that ends the conversation soonest: no more lines (a count of 0)
//! and no further file.

use std::fmt;
use std::io::{self, BufRead, Write};

use super::error::PeerError;
use super::event::Event;
use crate::socket_error::SocketError;

/// One question the client asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// How many lines the next file has.
    Count,
    /// The text of line `number` (from 1).
    Line { number: u32 },
    /// Whether to send another file after one was accepted.
    Another,
}

/// The answer to [`Prompt::Another`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Another {
    /// `y` or `yes`, any case: the next file.
    Yes,
    /// Anything else, end of input included: the zero-line message.
    No,
}

impl Prompt {
    /// Prints the prompt, without a newline, and flushes it.
    pub fn write<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        write!(out, "{self}")?;
        out.flush()
    }
}

/// The prompt as printed.
impl fmt::Display for Prompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Prompt::Count => write!(f, "Number of lines to send: "),
            Prompt::Line { number } => write!(f, "Line {number}: "),
            Prompt::Another => write!(f, "Send another file? (y/n): "),
        }
    }
}

/// Asks for the number of lines until the answer is one; end of input is 0.
pub fn ask_count<R, W>(input: &mut R, out: &mut W) -> Result<u32, PeerError>
where
    R: BufRead + ?Sized,
    W: Write + ?Sized,
{
    loop {
        let Some(typed) = ask(Prompt::Count, input, out)? else {
            return Ok(0);
        };
        let typed = String::from_utf8_lossy(&typed).into_owned();
        match parse_count(&typed) {
            Some(count) => return Ok(count),
            None => Event::NotACount { typed }
                .write_line(out)
                .map_err(|source| SocketError::Log { source })?,
        }
    }
}

/// Asks for line `number`; `None` at end of input.
pub fn ask_line<R, W>(number: u32, input: &mut R, out: &mut W) -> Result<Option<Vec<u8>>, PeerError>
where
    R: BufRead + ?Sized,
    W: Write + ?Sized,
{
    ask(Prompt::Line { number }, input, out)
}

/// Asks whether to send another file.
pub fn ask_another<R, W>(input: &mut R, out: &mut W) -> Result<Another, PeerError>
where
    R: BufRead + ?Sized,
    W: Write + ?Sized,
{
    let typed = ask(Prompt::Another, input, out)?;
    Ok(typed.map_or(Another::No, |typed| {
        parse_another(&String::from_utf8_lossy(&typed))
    }))
}

/// A line count as typed: an unsigned decimal integer, spaces around it allowed.
pub fn parse_count(typed: &str) -> Option<u32> {
    typed.trim().parse().ok()
}

/// `y` or `yes` in any case, spaces around it allowed, is yes; anything else no.
pub fn parse_another(typed: &str) -> Another {
    let typed = typed.trim();
    if typed.eq_ignore_ascii_case("y") || typed.eq_ignore_ascii_case("yes") {
        Another::Yes
    } else {
        Another::No
    }
}

/// Prints `prompt` and reads one line, without its `\n` or `\r\n`; `None` at end of input.
fn ask<R, W>(prompt: Prompt, input: &mut R, out: &mut W) -> Result<Option<Vec<u8>>, PeerError>
where
    R: BufRead + ?Sized,
    W: Write + ?Sized,
{
    prompt
        .write(out)
        .map_err(|source| SocketError::Log { source })?;
    let mut line = Vec::new();
    let read = input
        .read_until(b'\n', &mut line)
        .map_err(|source| PeerError::Input { source })?;
    if read == 0 {
        return Ok(None);
    }
    if line.ends_with(b"\n") {
        line.pop();
        if line.ends_with(b"\r") {
            line.pop();
        }
    }
    Ok(Some(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `question` on `typed` and returns its answer and everything printed.
    fn answer<T>(
        typed: &str,
        question: impl FnOnce(&mut &[u8], &mut Vec<u8>) -> Result<T, PeerError>,
    ) -> (T, String) {
        let mut input = typed.as_bytes();
        let mut out = Vec::new();
        let answer = question(&mut input, &mut out).unwrap();
        (answer, String::from_utf8(out).unwrap())
    }

    #[test]
    fn prompts() {
        assert_eq!(Prompt::Count.to_string(), "Number of lines to send: ");
        assert_eq!(Prompt::Line { number: 12 }.to_string(), "Line 12: ");
        assert_eq!(Prompt::Another.to_string(), "Send another file? (y/n): ");
    }

    #[test]
    fn counts_are_asked_for_until_one_is_given() {
        let (count, out) = answer("3\n", |input, out| ask_count(input, out));
        assert_eq!((count, out.as_str()), (3, "Number of lines to send: "));

        let (count, out) = answer("three\n-1\n 7 \r\n", |input, out| ask_count(input, out));
        assert_eq!(count, 7);
        assert_eq!(
            out,
            "Number of lines to send: Not a number of lines (0 to 4294967295): \"three\"\n\
             Number of lines to send: Not a number of lines (0 to 4294967295): \"-1\"\n\
             Number of lines to send: "
        );
    }

    #[test]
    fn end_of_input_is_a_count_of_zero() {
        assert_eq!(answer("", |input, out| ask_count(input, out)).0, 0);
        assert_eq!(answer("x\n", |input, out| ask_count(input, out)).0, 0);
        assert_eq!(answer("4", |input, out| ask_count(input, out)).0, 4);
    }

    #[test]
    fn count_parsing() {
        assert_eq!(parse_count("0"), Some(0));
        assert_eq!(parse_count("4294967295"), Some(u32::MAX));
        for bad in ["", " ", "4294967296", "-1", "1.5", "0x10", "1 2"] {
            assert_eq!(parse_count(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn lines_lose_only_their_terminator() {
        let (line, out) = answer("  a b \r\nrest", |input, out| ask_line(2, input, out));
        assert_eq!(line.unwrap(), b"  a b ");
        assert_eq!(out, "Line 2: ");
        let (line, _) = answer("\n", |input, out| ask_line(1, input, out));
        assert_eq!(line.unwrap(), b"");
        let (line, _) = answer("last", |input, out| ask_line(1, input, out));
        assert_eq!(line.unwrap(), b"last");
        let (line, _) = answer("", |input, out| ask_line(1, input, out));
        assert_eq!(line, None);
    }

    #[test]
    fn yes_in_any_case_sends_another() {
        for typed in ["y", "Y", "yes", "YeS", " y "] {
            assert_eq!(parse_another(typed), Another::Yes, "{typed:?}");
        }
        for typed in ["", "n", "no", "yess", "sure"] {
            assert_eq!(parse_another(typed), Another::No, "{typed:?}");
        }
        let (another, out) = answer("", |input, out| ask_another(input, out));
        assert_eq!(another, Another::No);
        assert_eq!(out, "Send another file? (y/n): ");
    }
}
