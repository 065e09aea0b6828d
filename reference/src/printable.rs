//! Text that came from a peer, shown on one line of a log.
//!
//! Names and file names arrive in a student's datagram and may hold anything: a carriage
//! return or a NUL would garble the grader's line matching, or hide what was really sent.
//! Printable characters (any script) pass through, so a log reads as the peer meant it.

use std::fmt;

/// Displays `text` with control characters escaped (`\r`, `\u{0}`, ...), nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Printable<'a>(pub &'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for character in self.0.chars() {
            if character.is_control() {
                write!(f, "{}", character.escape_default())?;
            } else {
                write!(f, "{character}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_passes_through() {
        assert_eq!(
            Printable("Client of Zoë \"Z\"").to_string(),
            "Client of Zoë \"Z\""
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(Printable("a\r\nb\0\t").to_string(), "a\\r\\nb\\u{0}\\t");
    }
}
