//! Reading a udp-add message whatever its framing: the handout asks for "a string with its
//! name and the integer" and leaves the framing to the student, so a newline, `|`, JSON,
//! `key=value` or plain spaces between them are all legal, and both the grader (judging
//! what a program sent) and the reference peers (answering it) must find the two parts.
//!
//! A message is pieces of text with separators and numbers between them; the name is the
//! longest piece with letters in it that is not a field label, and the integer is the one
//! integer standing alone in the text.

/// Words a message uses to label its fields (`{"name": …, "number": …}`), never a name.
const LABELS: [&str; 14] = [
    "name", "number", "num", "integer", "int", "value", "msg", "message", "client", "server",
    "data", "type", "sum", "id",
];

/// The longest name-like piece of `text`, if any.
pub fn name_in(text: &str) -> Option<String> {
    name_pieces(text)
        .into_iter()
        .max_by_key(|piece| piece.chars().count())
}

/// The name-like pieces of one message: runs of letters, digits, spaces and the punctuation
/// names use (`.`, `'`, `-`, `_`), without integers at either end (`Alice 42` is "Alice"),
/// with at least two letters, and not a field label.
pub fn name_pieces(text: &str) -> Vec<String> {
    let in_name = |c: char| c.is_alphanumeric() || matches!(c, ' ' | '.' | '\'' | '-' | '_');
    text.split(|c: char| !in_name(c))
        .filter_map(|piece| {
            let words: Vec<&str> = piece.split(' ').filter(|w| !w.is_empty()).collect();
            let is_number = |word: &&str| word.parse::<i64>().is_ok();
            let start = words.iter().position(|w| !is_number(w))?;
            let end = words.iter().rposition(|w| !is_number(w))?;
            let name = words[start..=end].join(" ");
            let name = name.trim_matches(|c: char| matches!(c, '.' | '-' | '_' | '\''));
            let letters = name.chars().filter(|c| c.is_alphabetic()).count();
            let label = LABELS.iter().any(|label| label.eq_ignore_ascii_case(name));
            (letters >= 2 && !label).then(|| name.to_owned())
        })
        .collect()
}

/// The one integer standing alone in `text` (signed decimal digits with no letter beside
/// them, nor a `.` or `,` that joins them to more digits), as written; `None` when there is none or more than one, because
/// then the text does not say which integer is meant (`4 2`, `42.0`, `1,000`).
pub fn lone_integer_in(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let letter = |at: usize| {
        bytes
            .get(at)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b >= 0x80)
    };
    let digit = |at: Option<usize>| {
        at.and_then(|at| bytes.get(at))
            .is_some_and(u8::is_ascii_digit)
    };
    let point = |at: usize| bytes.get(at).is_some_and(|&b| b == b'.' || b == b',');
    // `.` and `,` join digits (`42.0`, `1,000`) but separate fields (`42,Alice`).
    let joined_after = |end: usize| letter(end) || (point(end) && digit(Some(end + 1)));
    let joined_before = |start: usize| {
        start > 0 && (letter(start - 1) || (point(start - 1) && digit(start.checked_sub(2))))
    };
    let mut found = None;
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        let digits_from = if matches!(bytes[at], b'-' | b'+') {
            at + 1
        } else {
            at
        };
        let mut end = digits_from;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        if end == digits_from {
            at += 1;
            continue;
        }
        let alone = !joined_before(start) && !joined_after(end);
        if alone {
            if found.is_some() {
                return None;
            }
            found = Some(&text[start..end]);
        }
        at = end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_common_framing_yields_the_name_and_the_integer() {
        for message in [
            "Alice Liddell\n42",
            "Alice Liddell|42",
            "42,Alice Liddell",
            "{\"name\": \"Alice Liddell\", \"number\": 42}",
            "name=Alice Liddell&n=42",
            "Alice Liddell 42",
        ] {
            assert_eq!(
                name_in(message).as_deref(),
                Some("Alice Liddell"),
                "{message}"
            );
            assert_eq!(lone_integer_in(message), Some("42"), "{message}");
        }
        assert_eq!(
            name_in("\0\0\0\x2aAlice Liddell").as_deref(),
            Some("Alice Liddell")
        );
    }

    #[test]
    fn numbers_labels_and_single_letters_are_no_name() {
        assert_eq!(name_in("42"), None);
        assert_eq!(name_in("{\"number\": 42, \"id\": 7}"), None);
        assert_eq!(name_in("x=42"), None);
        assert_eq!(name_in("O'Brien-Smith").as_deref(), Some("O'Brien-Smith"));
    }

    #[test]
    fn an_integer_is_alone_or_not_there() {
        assert_eq!(lone_integer_in("n=-5;"), Some("-5"));
        assert_eq!(lone_integer_in("Server of R2D2 said 7"), Some("7"));
        for ambiguous in ["4 2", "42.0", "1,000", "abc", "", "R2D2", "Client\n4 2"] {
            assert_eq!(lone_integer_in(ambiguous), None, "{ambiguous:?}");
        }
    }
}
