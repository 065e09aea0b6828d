//! Recognising a required log line whatever its exact wording.
//!
//! Part of the case model: a case's log patterns are compiled into matchers once, when the
//! case is loaded, and the checks only use them.

use regex::Regex;

/// A line counts when it matches `matches` and not `unless`: "Checksum: not corrupt" must
/// not count as a "corrupt" line, and Rust's regex has no look-around to say so in one
/// pattern.
#[derive(Clone, Debug)]
pub struct LineMatcher {
    matches: Regex,
    unless: Option<Regex>,
}

impl LineMatcher {
    pub fn new(matches: Regex, unless: Option<Regex>) -> LineMatcher {
        LineMatcher { matches, unless }
    }

    /// Whether `line` counts. Terminal escape sequences are removed first: a coloured
    /// `\x1b[31mSent\x1b[0m` is a "sent" line to the person who reads it, and must be one
    /// to the grader too.
    pub fn is_match(&self, line: &str) -> bool {
        let line = without_escape_sequences(line);
        self.matches.is_match(&line) && !self.unless.as_ref().is_some_and(|r| r.is_match(&line))
    }

    /// How people are told what was looked for.
    pub fn describe(&self) -> String {
        match &self.unless {
            Some(unless) => format!("/{}/ but not /{}/", self.matches, unless),
            None => format!("/{}/", self.matches),
        }
    }
}

/// `line` without ANSI/VT escape sequences (CSI such as colours, OSC such as a window
/// title, character-set designations, and two-character escapes).
fn without_escape_sequences(line: &str) -> std::borrow::Cow<'_, str> {
    static ESCAPES: std::sync::LazyLock<Option<Regex>> = std::sync::LazyLock::new(|| {
        Regex::new(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b[()*+#%].|\x1b[@-Z\\-_]|\u{9b}[0-?]*[ -/]*[@-~]").ok()
    });
    // Looked for byte by byte (`<[u8]>::contains` is a memchr): ESC, or the last byte of
    // the one-character CSI's UTF-8 (another character ending so only costs a regex pass).
    // Searching for the two chars instead decodes every character of every line, which
    // made judging a 4 MiB transcript take seconds.
    let bytes = line.as_bytes();
    match ESCAPES.as_ref() {
        Some(escapes) if bytes.contains(&0x1b) || bytes.contains(&0x9b) => {
            escapes.replace_all(line, "")
        }
        _ => std::borrow::Cow::Borrowed(line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unless_excludes_lines_that_also_match() {
        let matcher = LineMatcher::new(
            Regex::new("(?i)corrupt").unwrap(),
            Some(Regex::new(r"(?i)\bnot\s+corrupt").unwrap()),
        );
        assert!(matcher.is_match("Checksum: corrupt"));
        assert!(!matcher.is_match("Checksum: not corrupt"));
        assert!(!matcher.is_match("Sent Packet"));
    }

    #[test]
    fn escape_sequences_do_not_hide_a_line() {
        let sent = LineMatcher::new(Regex::new(r"(?i)\bsent\b").unwrap(), None);
        assert!(sent.is_match("\x1b[31msent\x1b[0m packet"));
        assert!(sent.is_match("\x1b]0;title\x07Sent packet"));
        assert!(!sent.is_match("\x1b[31mresent\x1b[0m"));
        assert_eq!(without_escape_sequences("a\x1b[2Jb\x1b(Bc"), "abc");
        // The one-character CSI, and a character whose UTF-8 also ends in 0x9b.
        assert_eq!(without_escape_sequences("a\u{9b}31mb"), "ab");
        assert_eq!(without_escape_sequences("a\u{5db}c"), "a\u{5db}c");
    }
}
