//! Making text that came from a submission safe to show.
//!
//! A student's output, file names and messages end up in reports. Printed raw, an escape
//! sequence could clear the TA's screen, retitle the terminal, hide lines, or fake a PASS;
//! a bidirectional-override character could reorder what a reader sees. Every such
//! character is shown as a visible escape instead; everything else is left alone. For a web
//! page, [`markup`] also writes the characters HTML gives a meaning to as entities.

use std::borrow::Cow;

/// `text` with control characters (C0 but tab, DEL, C1) and bidirectional controls
/// replaced by visible escapes such as `\x1b` and `\u{202e}`.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut clean = String::with_capacity(text.len() + 8);
    for character in text.chars() {
        if !needs_escape(character) {
            clean.push(character);
        } else if u32::from(character) < 0x100 {
            clean.push_str(&format!("\\x{:02x}", u32::from(character)));
        } else {
            clean.push_str(&format!("\\u{{{:x}}}", u32::from(character)));
        }
    }
    Cow::Owned(clean)
}

/// `text` made safe to place in HTML or SVG, as element content or a quoted attribute:
/// [`printable`] first, so no control character reaches the page, then the five characters
/// markup gives a meaning to written as entities, so a student's `<script>` is shown, not
/// run.
pub fn markup(text: &str) -> String {
    let printable = printable(text);
    let mut escaped = String::with_capacity(printable.len());
    for character in printable.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn needs_escape(character: char) -> bool {
    (character.is_control() && character != '\t')
        || matches!(character, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_act_on_and_keeps_the_rest() {
        assert_eq!(printable("Sent packet: seq=0"), "Sent packet: seq=0");
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        assert_eq!(printable("\x1b[2Jwiped"), "\\x1b[2Jwiped");
        assert_eq!(printable("a\rb\u{7}"), "a\\x0db\\x07");
        assert_eq!(printable("\u{9b}31m"), "\\x9b31m");
        assert_eq!(printable("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(printable("café\tµ"), "café\tµ");
        assert!(!printable("\x1b]0;title\x07").contains('\x1b'));
    }

    #[test]
    fn markup_shows_tags_and_escapes_as_text() {
        assert_eq!(
            markup("<script>alert('x&y')</script>"),
            "&lt;script&gt;alert(&#39;x&amp;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(markup("a=\"1\"\x1b[31m"), "a=&quot;1&quot;\\x1b[31m");
        assert_eq!(markup("abc\u{202e}"), "abc\\u{202e}");
    }
}
