//! The handout's own words behind a check: every check names the sentence of the
//! assignment it enforces, quoted verbatim, so a student (`grader explain`) and an
//! instructor can see that the grader requires what the handout requires and nothing more.
//!
//! The quotes are the course's handouts as they are kept beside the kit
//! (`../shared/seeds/`), or the kit's summary of one (`../shared/ASSIGNMENTS.md`) where the
//! original is not reproduced; a test reads those files and finds every quote in the one it
//! names.

use std::fmt;

/// One sentence (or a self-contained part of one) of a handout, verbatim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandoutQuote {
    /// The words, exactly as the source has them (typos and curly quotes included); only
    /// whitespace may differ, and markdown's inline marks in the summary.
    pub text: &'static str,
    pub source: HandoutSource,
    /// Whether the check enforces what the words say, or what they imply.
    pub reading: Reading,
}

impl HandoutQuote {
    /// A sentence the check enforces as it is written.
    pub const fn says(source: HandoutSource, text: &'static str) -> HandoutQuote {
        HandoutQuote {
            text,
            source,
            reading: Reading::Says,
        }
    }

    /// The nearest sentence to what the check enforces, which the handout implies but never
    /// says (that a program exits, that rdt 3.0 resends the same packet).
    pub const fn implies(source: HandoutSource, text: &'static str) -> HandoutQuote {
        HandoutQuote {
            text,
            source,
            reading: Reading::Implies,
        }
    }
}

/// Where a quote is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandoutSource {
    /// A handout as the course gives it out: its file in `seeds/`, and the part quoted, in
    /// the handout's own terms.
    Seed {
        file: &'static str,
        part: &'static str,
    },
    /// The kit's summary of an assignment (`ASSIGNMENTS.md`), for a handout whose original
    /// text is not reproduced: its section.
    Summary { section: &'static str },
}

impl HandoutSource {
    /// The file holding the quote, relative to the course workspace's `shared/` folder.
    pub fn path(self) -> String {
        match self {
            HandoutSource::Seed { file, .. } => format!("seeds/{file}"),
            HandoutSource::Summary { .. } => "ASSIGNMENTS.md".to_owned(),
        }
    }
}

impl fmt::Display for HandoutSource {
    /// Where to look, for a student: "the handout (part 4, File Transfer)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandoutSource::Seed { part, .. } => write!(f, "the handout ({part})"),
            HandoutSource::Summary { section } => write!(f, "the handout's summary ({section})"),
        }
    }
}

/// How a check relates to the words it quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// The check enforces what the words say.
    Says,
    /// The words imply what the check enforces; the handout never says it outright.
    Implies,
}

/// `text` as the comparison sees it: runs of whitespace as one space, and markdown's inline
/// marks (`**`, backticks) left out, so a quote matches a source that wraps its lines or
/// sets a word in code.
pub fn normalised(text: &str) -> String {
    let unmarked = text.replace("**", "").replace('`', "");
    unmarked.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `quote` appears in `source`, whitespace and inline marks aside.
pub fn appears_in(quote: &str, source: &str) -> bool {
    normalised(source).contains(&normalised(quote))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_is_found_across_line_breaks_and_inline_marks_but_not_altered() {
        let source =
            "The server sends the file\n  in 2048 bytes chunks.\n**Header.** `'iihh'` native";
        assert!(appears_in(
            "The server sends the file in 2048 bytes chunks.",
            source
        ));
        assert!(appears_in("Header. 'iihh' native", source));
        assert!(!appears_in(
            "The server sends the file in 2048-byte chunks.",
            source
        ));
        assert!(!appears_in("sends the whole file", source));
    }

    #[test]
    fn sources_name_their_file_and_their_place() {
        let seed = HandoutSource::Seed {
            file: "001_x.txt",
            part: "part 4, File Transfer",
        };
        assert_eq!(seed.path(), "seeds/001_x.txt");
        assert_eq!(seed.to_string(), "the handout (part 4, File Transfer)");
        let summary = HandoutSource::Summary {
            section: "ASSIGNMENTS.md §5",
        };
        assert_eq!(summary.path(), "ASSIGNMENTS.md");
        assert_eq!(
            summary.to_string(),
            "the handout's summary (ASSIGNMENTS.md §5)"
        );
    }
}
