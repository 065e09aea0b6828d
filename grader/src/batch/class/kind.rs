//! The kind of an observation: an `observed:` sentence with what varies from one
//! submission to the next (numbers, ports, addresses, file names, times, quoted output)
//! replaced, so the class page can group failures that share a cause.
//!
//! Two students whose client "waited a median 2000.4 ms over 1 timeout" and "a median
//! 1999.8 ms over 2 timeouts" made the same mistake; a class page that listed them apart
//! would hide it. The whole rule is [`observation_kind`], so it can be read and tested in
//! one place.

use regex::{Captures, Regex};
use std::sync::LazyLock;

/// The kind of `observed`, by these replacements, in this order:
///
/// 1. quoted text, `"…"` (with `\"` inside), `“…”` and `` `…` ``, becomes an empty quote
///    `"…"`: what a program printed, sent, or named a file is the student's own, and the
///    words around it say what was wrong with it;
/// 2. an IPv4 address, with or without `:port`, becomes `ADDRESS`;
/// 3. a path (`/tmp/x/y`, `./out`, `~/f`) and a file name with an extension
///    (`UDP_Client.py`, `sample.txt`; an extension starts with a letter and has 2 to 8
///    characters, so `e.g.` and `2.5` are not file names) become `FILE`;
/// 4. a time, a number with a unit (`2000.4 ms`, `0.031 s`, `9ms`, `5 µs`), becomes `TIME`;
/// 5. a run of 8 or more hexadecimal digits with both a digit and a letter among them (a
///    checksum) becomes `HEX`, and `0x1f` becomes `N`;
/// 6. an ordinal (`2nd`, `11th`) becomes `Nth`, and every other number (ports, counts,
///    sequence numbers, `#3`) becomes `N`;
/// 7. the word after a number loses a plural `s` (`N timeouts` and `N timeout` are one
///    kind), unless it ends in `ss` or is one of `is was has does its this as us yes`;
/// 8. a list of replaced items (`N, N, N`) becomes its first item and `…` (`N, …`),
///    whatever its length;
/// 9. runs of white space become one space, and the ends are trimmed.
///
/// So "median 2000.4 ms over 1 timeout" and "median 1999.8 ms over 2 timeouts" are both
/// "median TIME over N timeout". Status, check and scenario are not part of the kind: the
/// class page groups by check and kind, and lists each member's runs.
pub fn observation_kind(observed: &str) -> String {
    let mut text = observed.to_owned();
    for (pattern, replacement) in RULES.iter() {
        text = pattern.replace_all(&text, *replacement).into_owned();
    }
    text = HEX_RUN
        .replace_all(&text, |found: &Captures<'_>| {
            let run = &found[0];
            if run.chars().any(|c| c.is_ascii_digit())
                && run.chars().any(|c| c.is_ascii_alphabetic())
            {
                "HEX".to_owned()
            } else {
                run.to_owned()
            }
        })
        .into_owned();
    for (pattern, replacement) in NUMBER_RULES.iter() {
        text = pattern.replace_all(&text, *replacement).into_owned();
    }
    text = AFTER_NUMBER
        .replace_all(&text, |found: &Captures<'_>| {
            format!("{}{}", &found[1], singular(&found[2]))
        })
        .into_owned();
    text = LIST.replace_all(&text, "$1, …").into_owned();
    WHITE_SPACE.replace_all(text.trim(), " ").into_owned()
}

/// `word` without a plural `s` (see [`observation_kind`], rule 7).
fn singular(word: &str) -> &str {
    const KEPT: [&str; 9] = ["is", "was", "has", "does", "its", "this", "as", "us", "yes"];
    let lower = word.to_lowercase();
    if word.len() > 1
        && lower.ends_with('s')
        && !lower.ends_with("ss")
        && !KEPT.contains(&lower.as_str())
    {
        &word[..word.len() - 1]
    } else {
        word
    }
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|error| panic!("the pattern {pattern:?}: {error}"))
}

/// Rules 1 to 4, in order.
static RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    vec![
        (regex(r#""(?:[^"\\]|\\.)*""#), "\"…\""),
        (regex(r"“[^”]*”"), "\"…\""),
        (regex(r"`[^`]*`"), "\"…\""),
        (regex(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b"), "ADDRESS"),
        (
            regex(r"(^|[\s(\[=])(?:~|\.{1,2})?/[^\s,;:)\]]+"),
            "${1}FILE",
        ),
        (
            regex(r"\b[\w-]+(?:\.[\w-]+)*\.[A-Za-z][A-Za-z0-9]{1,7}\b"),
            "FILE",
        ),
        (regex(r"\b\d+(?:\.\d+)?\s?(?:ms|s|µs|us|ns|min)\b"), "TIME"),
    ]
});

/// Rule 5's checksums.
static HEX_RUN: LazyLock<Regex> = LazyLock::new(|| regex(r"\b[0-9a-fA-F]{8,}\b"));

/// Rules 5 (`0x…`) and 6, in order.
static NUMBER_RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    vec![
        (regex(r"\b0x[0-9a-fA-F]+\b"), "N"),
        (regex(r"\b\d+(?:st|nd|rd|th)\b"), "Nth"),
        (regex(r"\b\d+(?:\.\d+)?\b"), "N"),
    ]
});

/// Rule 7: a number and the word after it.
static AFTER_NUMBER: LazyLock<Regex> = LazyLock::new(|| regex(r"(\bN\s+)([A-Za-z]+)\b"));

/// Rule 8: two or more replaced items in a row, separated by commas.
static LIST: LazyLock<Regex> = LazyLock::new(|| {
    let item = r#"(?:\b(?:N|TIME|FILE|ADDRESS|HEX)\b|"…")"#;
    regex(&format!(r"({item})(?:,\s*{item})+(?:,\s*…)?"))
});

static WHITE_SPACE: LazyLock<Regex> = LazyLock::new(|| regex(r"\s+"));

#[cfg(test)]
mod tests {
    use super::*;

    fn same_kind(first: &str, second: &str) {
        assert_eq!(
            observation_kind(first),
            observation_kind(second),
            "{first:?} and {second:?} should be one kind"
        );
    }

    #[test]
    fn times_and_counts_that_differ_are_one_kind() {
        same_kind(
            "median 2000.4 ms over 1 timeout",
            "median 1999.8 ms over 2 timeouts",
        );
        assert_eq!(
            observation_kind("median 2000.4 ms over 1 timeout"),
            "median TIME over N timeout"
        );
        same_kind("closed at 12.5 ms", "closed at 9ms");
        same_kind(
            "delivered it only at 0.031 s",
            "delivered it only at 1.250 s",
        );
    }

    #[test]
    fn ports_addresses_and_file_names_are_replaced() {
        same_kind(
            "the server exited after 0 and port 34479 was free again",
            "the server exited after 101 and port 48060 was free again",
        );
        assert_eq!(
            observation_kind("the server exited after 0 and port 34479 was free again"),
            "the server exited after N and port N was free again"
        );
        same_kind(
            "no reply from 10.0.0.2:5005",
            "no reply from 127.0.0.1:41234",
        );
        same_kind(
            "the client wrote no file named UDP_Client.py in /tmp/.tmpXyZ/client",
            "the client wrote no file named received-data.bin in /tmp/.tmpAbC/client",
        );
        assert_eq!(
            observation_kind("it wrote copy.txt, not sample.txt"),
            "it wrote FILE, not FILE"
        );
    }

    #[test]
    fn quoted_output_and_lists_of_any_length_are_one_kind() {
        same_kind(
            r#"the client does not show the server's name ("Server of Ada Lovelace")"#,
            r#"the client does not show the server's name ("Server of Grace \"G\" Hopper")"#,
        );
        same_kind(
            "the server does not show the sum 99 (integers it shows: 33241, 38640, 42, 57, 4257)",
            "the server does not show the sum 58 (integers it shows: 46419, 1, 57, 157)",
        );
        assert_eq!(
            observation_kind("the server does not show the sum 99 (integers it shows: 1, 2, 3)"),
            "the server does not show the sum N (integers it shows: N, …)"
        );
        same_kind(
            "the client printed `Sum: 4257`",
            "the client printed “Sum 12”",
        );
        same_kind(
            "the checksum 5d41402abc4b2a76b9719d911017c592 is wrong",
            "the checksum 7d793037a0760186574b0282f2f435e7 is wrong",
        );
        same_kind(
            "the 2nd data packet, to-server #3",
            "the 11th data packet, to-server #12",
        );
    }

    #[test]
    fn different_mistakes_stay_apart() {
        let kinds = [
            "the client does not show the server's name (\"Server of Ada\")",
            "the server does not show the client's name (\"Client of Ada\")",
            "the server exited after 0 and port 1 was free again",
            "the server kept serving after 0",
            "median 2000.4 ms over 1 timeout",
            "median 2000.4 ms over 1 retransmission",
        ]
        .map(observation_kind);
        let distinct: std::collections::BTreeSet<&String> = kinds.iter().collect();
        assert_eq!(distinct.len(), kinds.len(), "{kinds:#?}");
    }

    #[test]
    fn words_that_are_not_plurals_keep_their_s_and_fixed_wording_is_kept() {
        assert_eq!(
            observation_kind("status 1 was given; 3 bytes less, 2 process"),
            "status N was given; N byte less, N process"
        );
        assert_eq!(
            observation_kind("e.g. 2.5 of them, rdt3 and md5"),
            "e.g. N of them, rdt3 and md5"
        );
        assert_eq!(observation_kind("  a \n b\t"), "a b");
        assert_eq!(observation_kind(""), "");
    }
}
