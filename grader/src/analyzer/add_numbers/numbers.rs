//! Finding integers in what students print and send, whatever the format around them.

/// The line the grader typed, measured against the assignment's range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Typed {
    InRange(i64),
    /// An integer outside the range: the server must shut down.
    OutOfRange(i64),
    /// Not an integer at all: the server should survive it.
    NotANumber(String),
}

impl Typed {
    /// Classifies the first line of `typed` against the inclusive `range`.
    pub fn classify(typed: &str, range: [i64; 2]) -> Typed {
        let line = typed.lines().next().unwrap_or("").trim();
        match line.parse::<i64>() {
            Ok(value) if (range[0]..=range[1]).contains(&value) => Typed::InRange(value),
            Ok(value) => Typed::OutOfRange(value),
            Err(_) => Typed::NotANumber(line.to_owned()),
        }
    }

    /// The integer typed, if it was one.
    pub fn value(&self) -> Option<i64> {
        match self {
            Typed::InRange(value) | Typed::OutOfRange(value) => Some(*value),
            Typed::NotANumber(_) => None,
        }
    }
}

/// Every whole integer written in `text`: digits not glued to letters, digits or a
/// decimal point, with a minus sign when one comes right before them. `42` counts in
/// "sum: 42." and "(42)", not in "x42", "42b" or "4.2".
pub fn integers_in(text: &str) -> Vec<i64> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        if !bytes[index].is_ascii_digit() {
            index += 1;
            continue;
        }
        let start = index;
        while index < bytes.len() && bytes[index].is_ascii_digit() {
            index += 1;
        }
        let before = start.checked_sub(1).map(|i| bytes[i]);
        let glued_before = before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            || (before == Some(b'.') && start >= 2 && bytes[start - 2].is_ascii_digit());
        let after = bytes.get(index).copied();
        let glued_after = after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            || (after == Some(b'.') && bytes.get(index + 1).is_some_and(u8::is_ascii_digit));
        if glued_before || glued_after {
            continue;
        }
        let negative =
            before == Some(b'-') && (start < 2 || !bytes[start - 2].is_ascii_alphanumeric());
        let digits = &text[start..index];
        if let Ok(value) = digits.parse::<i64>() {
            found.push(if negative { -value } else { value });
        }
    }
    found
}

/// Whether `bytes` carry `value`: as decimal text, or packed as a 32- or 64-bit integer
/// in either byte order (`struct.pack('!i', n)` and friends).
pub fn carries(bytes: &[u8], value: i64) -> bool {
    if integers_in(&String::from_utf8_lossy(bytes)).contains(&value) {
        return true;
    }
    let mut encodings: Vec<Vec<u8>> =
        vec![value.to_be_bytes().to_vec(), value.to_le_bytes().to_vec()];
    if let Ok(narrow) = i32::try_from(value) {
        encodings.push(narrow.to_be_bytes().to_vec());
        encodings.push(narrow.to_le_bytes().to_vec());
    }
    encodings.iter().any(|encoding| {
        bytes
            .windows(encoding.len())
            .any(|window| window == encoding)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_lines_are_classified() {
        let range = [1, 100];
        assert_eq!(Typed::classify(" 42 \n", range), Typed::InRange(42));
        assert_eq!(Typed::classify("100", range), Typed::InRange(100));
        assert_eq!(Typed::classify("0\n", range), Typed::OutOfRange(0));
        assert_eq!(Typed::classify("101", range), Typed::OutOfRange(101));
        assert_eq!(Typed::classify("-5", range), Typed::OutOfRange(-5));
        assert_eq!(
            Typed::classify("abc\n", range),
            Typed::NotANumber("abc".to_owned())
        );
        assert_eq!(Typed::classify("", range), Typed::NotANumber(String::new()));
    }

    #[test]
    fn integers_are_whole_tokens() {
        assert_eq!(integers_in("sum: 99."), [99]);
        assert_eq!(integers_in("42 + 57 = 99"), [42, 57, 99]);
        assert_eq!(integers_in("(42),57;4257"), [42, 57, 4257]);
        assert_eq!(integers_in("x42 42b 4.2 a_1"), Vec::<i64>::new());
        assert_eq!(integers_in("got -5, range 1-100"), [-5, 1, 100]);
        assert_eq!(integers_in("Client of Ada\n42"), [42]);
        assert_eq!(integers_in("{\"n\": 42}"), [42]);
    }

    #[test]
    fn carried_as_text_or_packed() {
        assert!(carries(b"Client of Ada\n42", 42));
        assert!(!carries(b"Client of Ada\n420", 42));
        assert!(carries(&[b'x', 0, 0, 0, 42], 42));
        assert!(carries(&[42, 0, 0, 0], 42));
        assert!(carries(&42_i64.to_be_bytes(), 42));
        assert!(!carries(b"nothing here", 7));
    }
}
