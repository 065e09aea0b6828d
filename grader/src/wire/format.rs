//! Reading a Python `struct` format string into its byte order and items.
//!
//! This is the lexer half of [`Layout::parse`](super::Layout::parse): it follows CPython's
//! `prepare_s` character by character, so a format Python rejects is rejected here too (with
//! a position, which Python does not give), and the size tables are Python's native (x86-64
//! LP64) and standard ones.

use super::layout::{ByteOrder, FieldKind, LayoutErrorKind};

/// One item of a format: a type code and its repeat count.
pub(super) struct Item {
    pub(super) code: char,
    pub(super) count: usize,
    /// `None` for pad bytes (`x`), which hold no value.
    pub(super) kind: Option<FieldKind>,
    /// Bytes per repetition.
    pub(super) size: usize,
    /// 1 outside native mode, where Python never pads.
    pub(super) alignment: usize,
}

impl Item {
    /// How many named fields the item produces.
    pub(super) fn value_count(&self) -> usize {
        match self.kind {
            None => 0,
            Some(FieldKind::Bytes | FieldKind::PascalString) => 1,
            Some(_) => self.count,
        }
    }
}

/// Python's whitespace set for formats (`Py_ISSPACE`), which includes vertical tab.
fn is_python_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// Splits a format into its byte order and items, rejecting what Python rejects.
pub(super) fn parse_items(format: &str) -> Result<(ByteOrder, Vec<Item>), LayoutErrorKind> {
    let mut chars = format.chars().enumerate().peekable();
    // Only the very first character can be a prefix; Python reads " <I" as a bad format.
    let prefix = match chars.peek().map(|&(_, c)| c) {
        Some('@') => Some(ByteOrder::NativeAligned),
        Some('=') => Some(ByteOrder::Native),
        Some('<') => Some(ByteOrder::Little),
        Some('>') => Some(ByteOrder::Big),
        Some('!') => Some(ByteOrder::Network),
        _ => None,
    };
    if prefix.is_some() {
        chars.next();
    }
    let byte_order = prefix.unwrap_or(ByteOrder::NativeAligned);
    let mut items = Vec::new();
    while let Some((position, c)) = chars.next() {
        if is_python_space(c) {
            continue;
        }
        let (count, code_position, code) = match c.to_digit(10) {
            Some(first) => {
                let mut count = first as usize;
                // Like Python, the type code must follow the digits at once: "2 I" is an error.
                loop {
                    match chars.next() {
                        Some((_, digit @ '0'..='9')) => {
                            count = count
                                .checked_mul(10)
                                .and_then(|n| n.checked_add(digit as usize - '0' as usize))
                                .ok_or(LayoutErrorKind::TooLarge)?;
                        }
                        Some((_, space)) if is_python_space(space) => {
                            return Err(LayoutErrorKind::DanglingCount { position });
                        }
                        Some((at, code)) => break (count, at, code),
                        None => return Err(LayoutErrorKind::DanglingCount { position }),
                    }
                }
            }
            None => (1, position, c),
        };
        items.push(item(byte_order, code, count, code_position)?);
    }
    Ok((byte_order, items))
}

/// Looks a type code up in Python's native or standard table.
fn item(
    byte_order: ByteOrder,
    code: char,
    count: usize,
    position: usize,
) -> Result<Item, LayoutErrorKind> {
    let native = byte_order == ByteOrder::NativeAligned;
    // Native sizes are x86-64 Linux (LP64), where every number is aligned to its own size.
    let (kind, size) = match code {
        'x' => (None, 1),
        'c' => (Some(FieldKind::Char), 1),
        'b' => (Some(FieldKind::Signed), 1),
        'B' => (Some(FieldKind::Unsigned), 1),
        '?' => (Some(FieldKind::Bool), 1),
        'h' => (Some(FieldKind::Signed), 2),
        'H' => (Some(FieldKind::Unsigned), 2),
        'i' => (Some(FieldKind::Signed), 4),
        'I' => (Some(FieldKind::Unsigned), 4),
        'l' => (Some(FieldKind::Signed), if native { 8 } else { 4 }),
        'L' => (Some(FieldKind::Unsigned), if native { 8 } else { 4 }),
        'q' => (Some(FieldKind::Signed), 8),
        'Q' => (Some(FieldKind::Unsigned), 8),
        'n' if native => (Some(FieldKind::Signed), 8),
        'N' | 'P' if native => (Some(FieldKind::Unsigned), 8),
        'n' | 'N' | 'P' => return Err(LayoutErrorKind::NativeOnly { code, position }),
        'e' => (Some(FieldKind::Float), 2),
        'f' => (Some(FieldKind::Float), 4),
        'd' => (Some(FieldKind::Float), 8),
        's' => (Some(FieldKind::Bytes), 1),
        'p' => (Some(FieldKind::PascalString), 1),
        '@' | '=' | '<' | '>' | '!' => {
            return Err(LayoutErrorKind::MisplacedByteOrder { code, position });
        }
        _ => return Err(LayoutErrorKind::UnknownCode { code, position }),
    };
    Ok(Item {
        code,
        count,
        kind,
        size,
        alignment: if native { size } else { 1 },
    })
}

#[cfg(test)]
mod tests {
    use super::super::layout::Layout;
    use super::*;

    fn error_kind(format: &str, field_names: &[&str]) -> LayoutErrorKind {
        let names: Vec<String> = field_names.iter().map(|name| (*name).to_owned()).collect();
        match Layout::parse(format, &names) {
            Ok(layout) => panic!("{format:?} parsed: {layout:?}"),
            Err(error) => error.kind,
        }
    }

    #[test]
    fn rejects_what_python_rejects() {
        use LayoutErrorKind::*;
        let dangling = DanglingCount { position: 0 };
        assert_eq!(error_kind("2 I", &["a"]), dangling);
        assert_eq!(error_kind("5", &[]), dangling);
        let misplaced = |code, position| MisplacedByteOrder { code, position };
        assert_eq!(error_kind(" <I", &["a"]), misplaced('<', 1));
        assert_eq!(error_kind("I<", &["a"]), misplaced('<', 1));
        assert_eq!(
            error_kind("<n", &["a"]),
            NativeOnly {
                code: 'n',
                position: 1
            }
        );
        assert_eq!(
            error_kind("=P", &["a"]),
            NativeOnly {
                code: 'P',
                position: 1
            }
        );
        assert_eq!(
            error_kind("I z", &["a", "b"]),
            UnknownCode {
                code: 'z',
                position: 2
            }
        );
        assert_eq!(
            error_kind("I\0I", &["a", "b"]),
            UnknownCode {
                code: '\0',
                position: 1
            }
        );
        assert_eq!(error_kind("99999999999999999999s", &["a"]), TooLarge);
        assert_eq!(error_kind("9223372036854775807s 2s", &["a", "b"]), TooLarge);
    }

    #[test]
    fn items_keep_codes_counts_and_native_alignment() {
        let parsed = parse_items("@c 2I 3x 8s");
        let (order, items) = parsed.unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(order, ByteOrder::NativeAligned);
        let summary: Vec<(char, usize, usize, usize)> = items
            .iter()
            .map(|item| (item.code, item.count, item.size, item.value_count()))
            .collect();
        assert_eq!(
            summary,
            [
                ('c', 1, 1, 1),
                ('I', 2, 4, 2),
                ('x', 3, 1, 0),
                ('s', 8, 1, 1)
            ]
        );
        assert_eq!(items[1].alignment, 4);
        let standard = parse_items("!I").map(|(order, items)| (order, items[0].alignment));
        assert_eq!(standard, Ok((ByteOrder::Network, 1)));
    }
}
