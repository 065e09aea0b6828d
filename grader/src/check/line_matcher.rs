//! Recognising a required log line whatever its exact wording.

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

    pub fn is_match(&self, line: &str) -> bool {
        self.matches.is_match(line) && !self.unless.as_ref().is_some_and(|r| r.is_match(line))
    }

    /// How people are told what was looked for.
    pub fn describe(&self) -> String {
        match &self.unless {
            Some(unless) => format!("/{}/ but not /{}/", self.matches, unless),
            None => format!("/{}/", self.matches),
        }
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
}
