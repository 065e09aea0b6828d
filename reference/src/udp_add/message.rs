//! The udp-add message: a name, a newline, an integer in decimal (`"Client of X\n42"`).
//!
//! Both directions use it: the client sends its name and number, the server answers with
//! its own. Students' peers are sloppy about the framing (a trailing newline, `\r\n`, a C
//! string's NUL, padding around the digits), so parsing is liberal: the name is the first
//! line and the number is the last line that reads as an integer; a message not framed by
//! lines (`Alice|42`, JSON) is read by its one free-standing integer and its name-like text. Bytes that are not UTF-8
//! are replaced rather than refused, so they still show up in the log.

use std::num::IntErrorKind;
use std::ops::RangeInclusive;

use socklab_protocol::udp_add;

/// Big enough for any UDP datagram, so a peer reads an oversized message whole, not cut.
pub const MAX_DATAGRAM: usize = 65536;

/// The numbers the handout allows; any other integer tells the server to shut down.
pub const NUMBERS: RangeInclusive<i64> = 1..=100;

/// One side's name and number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Who is speaking (`Client of ...`, `Server of ...`); may be empty.
    pub name: String,
    /// The integer, in range or not.
    pub number: i64,
}

/// A datagram that holds no line reading as an integer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no integer in {text:?}")]
pub struct NoInteger {
    /// The datagram as text (invalid UTF-8 replaced).
    pub text: String,
}

impl Message {
    /// A message to send.
    pub fn new(name: impl Into<String>, number: i64) -> Self {
        Message {
            name: name.into(),
            number,
        }
    }

    /// Reads a datagram: the number is the last line that is an integer, the name the first
    /// line unless that line is the number itself (then the name is empty).
    pub fn parse(datagram: &[u8]) -> Result<Self, NoInteger> {
        let text = String::from_utf8_lossy(datagram);
        let lines: Vec<&str> = text.lines().collect();
        let found = lines
            .iter()
            .enumerate()
            .rev()
            .find_map(|(index, line)| parse_integer(line).map(|number| (index, number)));
        let Some((index, number)) = found else {
            return Self::parse_framed(&text).ok_or_else(|| NoInteger {
                text: text.into_owned(),
            });
        };
        let name = if index == 0 { "" } else { trim(lines[0]) };
        Ok(Message::new(name, number))
    }

    /// Reads a message framed some other way than by lines (`Alice|42`, JSON,
    /// `name=Alice&n=42`): the handout leaves the framing to the student, so the reference
    /// answers any message whose one free-standing integer and name can be told apart.
    fn parse_framed(text: &str) -> Option<Self> {
        let number = parse_integer(udp_add::lone_integer_in(text)?)?;
        let name = udp_add::name_in(text).unwrap_or_default();
        Some(Message::new(name, number))
    }

    /// The datagram: `NAME\nNUMBER`, no trailing newline (as the handout's Python sends).
    pub fn emit(&self) -> Vec<u8> {
        request(&self.name, &self.number.to_string())
    }
}

/// The client's datagram: its name and the text exactly as typed, number or not, because
/// the grader uses the reference client to see what a server does with bad input.
pub fn request(name: &str, typed: &str) -> Vec<u8> {
    format!("{name}\n{typed}").into_bytes()
}

/// The integer `text` holds once trimmed, if any. Digits too many for an `i64` still make
/// an integer, just an out-of-range one, so it saturates instead of being "not a number".
pub fn parse_integer(text: &str) -> Option<i64> {
    match trim(text).parse::<i64>() {
        Ok(number) => Some(number),
        Err(error) => match error.kind() {
            IntErrorKind::PosOverflow => Some(i64::MAX),
            IntErrorKind::NegOverflow => Some(i64::MIN),
            _ => None,
        },
    }
}

/// Whether the handout allows `number`.
pub fn in_range(number: i64) -> bool {
    NUMBERS.contains(&number)
}

/// Whitespace and the NUL a C peer may send after its string.
fn trim(text: &str) -> &str {
    text.trim_matches(|character: char| character.is_whitespace() || character == '\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Message, NoInteger> {
        Message::parse(text.as_bytes())
    }

    #[test]
    fn emit_then_parse_round_trips() {
        let message = Message::new("Server of Socklab Reference", 57);
        assert_eq!(message.emit(), b"Server of Socklab Reference\n57");
        assert_eq!(Message::parse(&message.emit()), Ok(message));
    }

    #[test]
    fn sloppy_framing_is_accepted() {
        let expected = Ok(Message::new("Client of X", 42));
        for text in [
            "Client of X\n42",
            "Client of X\n42\n",
            "Client of X\r\n42\r\n",
            " Client of X \n 42 \n",
            "Client of X\n42\0",
            "Client of X\n\n+42\n\n",
        ] {
            assert_eq!(parse(text), expected, "{text:?}");
        }
    }

    #[test]
    fn other_framings_are_read_by_their_lone_integer() {
        for text in [
            "Alice Liddell|42",
            "{\"name\": \"Alice Liddell\", \"number\": 42}",
            "Alice Liddell 42",
        ] {
            assert_eq!(
                parse(text),
                Ok(Message::new("Alice Liddell", 42)),
                "{text:?}"
            );
        }
        assert_eq!(parse("{\"number\": 101}"), Ok(Message::new("", 101)));
    }

    #[test]
    fn the_last_integer_line_wins() {
        assert_eq!(parse("7\n8\n9"), Ok(Message::new("7", 9)));
        assert_eq!(
            parse("Client\n42\nnot a number"),
            Ok(Message::new("Client", 42))
        );
    }

    #[test]
    fn a_lone_number_has_no_name() {
        assert_eq!(parse("42"), Ok(Message::new("", 42)));
        assert_eq!(parse(" 42 "), Ok(Message::new("", 42)));
    }

    #[test]
    fn out_of_range_integers_are_still_integers() {
        assert_eq!(parse("C\n-5"), Ok(Message::new("C", -5)));
        assert_eq!(parse("C\n0"), Ok(Message::new("C", 0)));
        assert_eq!(parse("C\n101"), Ok(Message::new("C", 101)));
        assert_eq!(
            parse("C\n99999999999999999999999"),
            Ok(Message::new("C", i64::MAX))
        );
        assert_eq!(
            parse("C\n-99999999999999999999999"),
            Ok(Message::new("C", i64::MIN))
        );
    }

    #[test]
    fn no_integer_is_an_error_carrying_the_text() {
        for text in [
            "",
            "\n",
            "Client\nabc",
            "Client\n4 2",
            "Client\n42.0",
            "Client",
        ] {
            assert_eq!(
                parse(text),
                Err(NoInteger {
                    text: text.to_owned()
                }),
                "{text:?}"
            );
        }
    }

    #[test]
    fn invalid_utf8_is_replaced_not_refused() {
        assert_eq!(
            Message::parse(b"Cli\xffent\n42"),
            Ok(Message::new("Cli\u{fffd}ent", 42))
        );
        assert_eq!(
            Message::parse(b"\xff"),
            Err(NoInteger {
                text: "\u{fffd}".to_owned()
            })
        );
    }

    #[test]
    fn integers_in_typed_text() {
        assert_eq!(parse_integer("42"), Some(42));
        assert_eq!(parse_integer(" 42 \n"), Some(42));
        assert_eq!(parse_integer("-5"), Some(-5));
        assert_eq!(parse_integer("abc"), None);
        assert_eq!(parse_integer(""), None);
    }

    #[test]
    fn the_handout_range() {
        assert!(!in_range(0));
        assert!(in_range(1));
        assert!(in_range(100));
        assert!(!in_range(101));
        assert!(!in_range(-5));
    }

    #[test]
    fn requests_carry_the_text_as_typed() {
        assert_eq!(request("Client of X", "abc"), b"Client of X\nabc");
        assert_eq!(request("Client of X", "0"), b"Client of X\n0");
    }
}
