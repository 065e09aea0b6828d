//! A packet layout written the way handouts write it: Python `struct` syntax plus field names.
//!
//! `"I I 8s 32s"` with the names `ack, seq, data, chksum` is parsed following
//! <https://docs.python.org/3/library/struct.html> exactly — byte-order prefix, native sizes
//! and alignment padding, repeat counts, pad bytes — because the student's program packs its
//! datagrams with Python's `struct` module and the grader must read the same bytes the same
//! way. Students' formats drift, so the layout is data from the case file, never code.
//! The format string is read in the `format` module; packets are packed and unpacked
//! in [`codec`](super::codec).

use std::collections::BTreeSet;
use std::ops::Range;

use thiserror::Error;

use super::format::{Item, parse_items};

/// A parsed packet layout: named fields at fixed offsets in a fixed-size packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    format: String,
    byte_order: ByteOrder,
    fields: Vec<Field>,
    size: usize,
}

/// The first character of a format: byte order, sizes and alignment (Python's table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ByteOrder {
    /// `@` or no prefix: native order, native sizes, C alignment padding.
    NativeAligned,
    /// `=`: native order, standard sizes, no padding.
    Native,
    /// `<`: little-endian, standard sizes, no padding.
    Little,
    /// `>`: big-endian, standard sizes, no padding.
    Big,
    /// `!`: network order (big-endian), standard sizes, no padding.
    Network,
}

/// What a field holds, which decides the [`Value`](super::Value) it decodes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// `c`: one byte, decoded as a one-byte [`Value::Bytes`](super::Value::Bytes).
    Char,
    /// `b h i l q n`: a two's-complement integer.
    Signed,
    /// `B H I L Q N P`: an unsigned integer.
    Unsigned,
    /// `?`: a boolean; any non-zero byte is true.
    Bool,
    /// `e f d`: an IEEE 754 float of 2, 4 or 8 bytes.
    Float,
    /// `s`: a fixed-size byte string, NUL-padded when packed.
    Bytes,
    /// `p`: a Pascal string, a length byte followed by the bytes.
    PascalString,
}

/// One named field of a [`Layout`]: plain data, read by analyzers and fault scripts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    /// The `struct` type code, e.g. `'I'` or `'s'`, for messages students recognise.
    pub code: char,
    pub kind: FieldKind,
    /// Offset of the field's first byte in the packet.
    pub offset: usize,
    /// Size in bytes; for `s` and `p` the repeat count.
    pub size: usize,
}

/// A format string or its field names that cannot describe a packet.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("packet layout {format:?}: {kind}")]
pub struct LayoutError {
    /// The format string as the case file gave it.
    pub format: String,
    /// What is wrong with it.
    pub kind: LayoutErrorKind,
}

/// The ways a layout can be wrong. Positions are character indexes into the format.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum LayoutErrorKind {
    #[error("unknown type code {code:?} at position {position}")]
    UnknownCode { code: char, position: usize },
    #[error("byte-order character {code:?} at position {position} is only allowed first")]
    MisplacedByteOrder { code: char, position: usize },
    #[error(
        "type code {code:?} at position {position} exists only in native mode ('@' or no prefix)"
    )]
    NativeOnly { code: char, position: usize },
    #[error("repeat count at position {position} is not directly followed by a type code")]
    DanglingCount { position: usize },
    #[error("the packet size overflows")]
    TooLarge,
    #[error("{values} value fields but {names} field names ({})", .given.join(", "))]
    NameCount {
        values: usize,
        names: usize,
        given: Vec<String>,
    },
    #[error("field name number {index} is empty")]
    EmptyName { index: usize },
    #[error("field name {name:?} is used twice")]
    DuplicateName { name: String },
}

impl Layout {
    /// Parses a Python `struct` format and names its value-producing items in order.
    ///
    /// `8s` and `p` are one field each, `2I` is two, `3x` and alignment padding are none.
    pub fn parse(format: &str, names: &[String]) -> Result<Layout, LayoutError> {
        let fail = |kind| LayoutError {
            format: format.to_owned(),
            kind,
        };
        let (byte_order, items) = parse_items(format).map_err(fail)?;
        check_names(&items, names).map_err(fail)?;
        let (fields, size) =
            place_fields(&items, names).ok_or_else(|| fail(LayoutErrorKind::TooLarge))?;
        Ok(Layout {
            format: format.to_owned(),
            byte_order,
            fields,
            size,
        })
    }

    /// The format string as it was given.
    pub fn format(&self) -> &str {
        &self.format
    }

    pub fn byte_order(&self) -> ByteOrder {
        self.byte_order
    }

    /// The packet size in bytes, padding included (Python's `struct.calcsize`).
    pub fn size(&self) -> usize {
        self.size
    }

    /// The fields in packet order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|field| field.name == name)
    }
}

impl ByteOrder {
    /// Whether multi-byte numbers are stored least significant byte first.
    pub fn is_little_endian(self) -> bool {
        match self {
            ByteOrder::NativeAligned | ByteOrder::Native => cfg!(target_endian = "little"),
            ByteOrder::Little => true,
            ByteOrder::Big | ByteOrder::Network => false,
        }
    }
}

impl Field {
    /// The field's bytes within a packet.
    pub fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.size
    }
}

fn check_names(items: &[Item], names: &[String]) -> Result<(), LayoutErrorKind> {
    // Counting before building fields keeps "1000000000I" from allocating a billion fields.
    let values = items
        .iter()
        .try_fold(0usize, |sum, item| sum.checked_add(item.value_count()))
        .ok_or(LayoutErrorKind::TooLarge)?;
    if values != names.len() {
        return Err(LayoutErrorKind::NameCount {
            values,
            names: names.len(),
            given: names.to_vec(),
        });
    }
    if let Some(index) = names.iter().position(String::is_empty) {
        return Err(LayoutErrorKind::EmptyName { index: index + 1 });
    }
    let mut seen = BTreeSet::new();
    for name in names {
        if !seen.insert(name.as_str()) {
            return Err(LayoutErrorKind::DuplicateName { name: name.clone() });
        }
    }
    Ok(())
}

/// Assigns offsets the way Python's `calcsize` does; `None` when the size overflows.
/// `names` has exactly one name per value field (checked by `check_names`).
fn place_fields(items: &[Item], names: &[String]) -> Option<(Vec<Field>, usize)> {
    let mut names = names.iter();
    let mut fields = Vec::with_capacity(names.len());
    let mut offset = 0usize;
    for item in items {
        // Python aligns even for a zero count, which is how "llh0l" pads its end.
        offset = offset.checked_next_multiple_of(item.alignment)?;
        let total = item.count.checked_mul(item.size)?;
        let end = offset.checked_add(total)?;
        if end > isize::MAX as usize {
            return None;
        }
        match item.kind {
            None => {}
            Some(kind @ (FieldKind::Bytes | FieldKind::PascalString)) => {
                fields.push(field(names.next()?, item.code, kind, offset, total));
            }
            Some(kind) => {
                for index in 0..item.count {
                    let at = offset + index * item.size;
                    fields.push(field(names.next()?, item.code, kind, at, item.size));
                }
            }
        }
        offset = end;
    }
    Some((fields, offset))
}

fn field(name: &str, code: char, kind: FieldKind, offset: usize, size: usize) -> Field {
    Field {
        name: name.to_owned(),
        code,
        kind,
        offset,
        size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|name| (*name).to_owned()).collect()
    }

    /// Parses with generated names `f0, f1, ...` as many as the format needs.
    fn parse_anonymous(format: &str, count: usize) -> Layout {
        let names: Vec<String> = (0..count).map(|index| format!("f{index}")).collect();
        match Layout::parse(format, &names) {
            Ok(layout) => layout,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn sizes_match_python_calcsize() {
        // Expected sizes from python3: struct.calcsize(format).
        let cases = [
            ("I I 8s 32s", 4, 48),
            ("b i", 2, 8),
            ("<b i", 2, 5),
            ("ib", 2, 5),
            ("llh0l", 3, 24),
            ("?e", 2, 4),
            ("@cq", 2, 16),
            ("=l", 1, 4),
            ("@l", 1, 8),
            ("0p", 1, 0),
            ("0s", 1, 0),
            ("", 0, 0),
            ("I\tI\nI", 3, 12),
            ("<I ", 1, 4),
            ("< I", 1, 4),
            ("3xI", 1, 8),
            ("0x", 0, 0),
            ("256p", 1, 256),
        ];
        for (format, count, size) in cases {
            assert_eq!(parse_anonymous(format, count).size(), size, "{format:?}");
        }
    }

    #[test]
    fn rdt3_fields_have_handout_offsets() {
        let layout = Layout::parse("I I 8s 32s", &names(&["ack", "seq", "data", "chksum"]));
        let layout = layout.unwrap_or_else(|error| panic!("{error}"));
        let placed: Vec<(&str, char, usize, usize)> = layout
            .fields()
            .iter()
            .map(|field| (field.name.as_str(), field.code, field.offset, field.size))
            .collect();
        assert_eq!(
            placed,
            [
                ("ack", 'I', 0, 4),
                ("seq", 'I', 4, 4),
                ("data", 's', 8, 8),
                ("chksum", 's', 16, 32),
            ]
        );
        assert_eq!(
            layout.field("data").map(|field| field.kind),
            Some(FieldKind::Bytes)
        );
        assert_eq!(layout.field("chksum").map(Field::range), Some(16..48));
        assert_eq!(layout.field("missing"), None);
        assert_eq!(layout.byte_order(), ByteOrder::NativeAligned);
        assert_eq!(layout.format(), "I I 8s 32s");
    }

    #[test]
    fn repeat_counts_and_alignment_place_fields() {
        // "2I" is two fields, "3x" none; native 'q' after 'c' starts at 8.
        let layout = parse_anonymous("c 2I 3x q", 4);
        let offsets: Vec<usize> = layout.fields().iter().map(|field| field.offset).collect();
        assert_eq!(offsets, [0, 4, 8, 16]);
        assert_eq!(layout.size(), 24);
        let standard = parse_anonymous("<c 2I 3x q", 4);
        let offsets: Vec<usize> = standard.fields().iter().map(|field| field.offset).collect();
        assert_eq!(offsets, [0, 1, 5, 12]);
    }

    fn error_kind(format: &str, field_names: &[&str]) -> LayoutErrorKind {
        match Layout::parse(format, &names(field_names)) {
            Ok(layout) => panic!("{format:?} parsed: {layout:?}"),
            Err(error) => error.kind,
        }
    }

    #[test]
    fn names_must_match_value_fields() {
        let error = Layout::parse("I I 8s 32s", &names(&["ack", "seq", "data"]));
        let message = error.map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            message,
            "packet layout \"I I 8s 32s\": 4 value fields but 3 field names (ack, seq, data)"
        );
        let duplicate = error_kind("I I", &["seq", "seq"]);
        assert_eq!(
            duplicate,
            LayoutErrorKind::DuplicateName {
                name: "seq".to_owned()
            }
        );
        assert_eq!(
            error_kind("I I", &["seq", ""]),
            LayoutErrorKind::EmptyName { index: 2 }
        );
    }
}
