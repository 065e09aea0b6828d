//! The udp-file request: one datagram holding the name of a file in the server's directory.
//!
//! The name is the datagram's text with trailing whitespace and NULs cut (students send
//! `input()` lines and C strings). Only a plain name is served: anything that could reach
//! outside the directory (a `/`, `.` or `..`) is refused, because the grader runs students'
//! clients against this server and a path would be a way out of the case's files.

use std::fmt;

use crate::printable::Printable;

/// A plain file name, safe to join to the server's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

/// Why a request names no file the server may serve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The datagram is not UTF-8 (shown with the bad bytes replaced).
    #[error("{} (not UTF-8)", Printable(.lossy))]
    NotUtf8 { lossy: String },
    /// Nothing is left once trailing whitespace and NULs are cut.
    #[error("an empty name")]
    Empty,
    /// The name is a path, or a NUL inside it would cut it short.
    #[error("{} (refused: not a plain file name)", Printable(.name))]
    NotPlain { name: String },
}

impl FileName {
    /// Reads the request datagram.
    pub fn parse(datagram: &[u8]) -> Result<Self, NameError> {
        let text = std::str::from_utf8(datagram).map_err(|_| NameError::NotUtf8 {
            lossy: String::from_utf8_lossy(datagram).into_owned(),
        })?;
        let name =
            text.trim_end_matches(|character: char| character.is_whitespace() || character == '\0');
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if name.contains(['/', '\0']) || name == "." || name == ".." {
            return Err(NameError::NotPlain {
                name: name.to_owned(),
            });
        }
        Ok(FileName(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name as it goes in a log line, control characters escaped.
impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Printable(&self.0).fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(datagram: &[u8]) -> Result<String, NameError> {
        FileName::parse(datagram).map(|name| name.as_str().to_owned())
    }

    #[test]
    fn trailing_whitespace_and_nuls_are_cut() {
        for datagram in [
            &b"notes.txt"[..],
            b"notes.txt\n",
            b"notes.txt\r\n",
            b"notes.txt\0\0\0",
            b"notes.txt \t\0",
        ] {
            assert_eq!(parse(datagram), Ok("notes.txt".to_owned()), "{datagram:?}");
        }
        // Leading spaces are part of a name, however unwise.
        assert_eq!(parse(b" notes.txt"), Ok(" notes.txt".to_owned()));
        assert_eq!(parse(b".hidden"), Ok(".hidden".to_owned()));
    }

    #[test]
    fn paths_are_refused() {
        for name in ["../secret", "/etc/passwd", "a/b", "..", ".", "a\0b"] {
            assert_eq!(
                parse(name.as_bytes()),
                Err(NameError::NotPlain {
                    name: name.to_owned()
                }),
                "{name:?}"
            );
        }
    }

    #[test]
    fn empty_names_are_refused() {
        assert_eq!(parse(b""), Err(NameError::Empty));
        assert_eq!(parse(b"\n\0"), Err(NameError::Empty));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused() {
        let error = parse(b"caf\xe9").unwrap_err();
        assert_eq!(
            error,
            NameError::NotUtf8 {
                lossy: "caf\u{fffd}".to_owned()
            }
        );
        assert_eq!(error.to_string(), "caf\u{fffd} (not UTF-8)");
    }

    #[test]
    fn shown_names_stay_on_one_line() {
        let name = FileName::parse(b"a\rb").unwrap();
        assert_eq!(name.to_string(), "a\\rb");
        let error = parse(b"a/\rb").unwrap_err();
        assert_eq!(error.to_string(), "a/\\rb (refused: not a plain file name)");
    }
}
