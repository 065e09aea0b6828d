//! Making text that came from a submission safe to show.
//!
//! A student's output, file names and messages end up in reports. Printed raw, an escape
//! sequence could clear the TA's screen, retitle the terminal, hide lines, or fake a PASS;
//! a bidirectional-override character could reorder what a reader sees. Every such
//! character is shown as a visible escape instead; everything else is left alone.

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
}
