//! How a received copy differs from the original, in words that point at the bug: NULs
//! stripped (a receiver undoing padding), bytes replaced by U+FFFD (data decoded as text),
//! a copy cut short or run long, or the first byte that differs.

use crate::evidence::first_difference;

/// `None` when the copy is identical.
pub fn explain(original: &[u8], copy: &[u8]) -> Option<String> {
    let offset = first_difference(original, copy)?;
    let sizes = format!(
        "original {} bytes, copy {} bytes",
        original.len(),
        copy.len()
    );
    if let Some(stripped) = nuls_removed(original, copy) {
        let first = stripped.first().copied().unwrap_or_default();
        return Some(format!(
            "{} NUL byte{} (0x00) of the original {} missing from the copy, the first at byte {first}, and nothing else differs: the receiver strips NULs (padding?) from the data it receives; {sizes}",
            stripped.len(),
            if stripped.len() == 1 { "" } else { "s" },
            if stripped.len() == 1 { "is" } else { "are" },
        ));
    }
    if let Some(repeat) = repeated_block(original, copy, offset) {
        return Some(format!(
            "bytes {offset}..{} of the copy repeat the {repeat} bytes before them, and nothing else differs: data was written twice (a resent segment taken for new data?); {sizes}",
            offset + repeat
        ));
    }
    const REPLACEMENT: [u8; 3] = [0xEF, 0xBF, 0xBD];
    if copy[offset..].starts_with(&REPLACEMENT) && std::str::from_utf8(original).is_err() {
        return Some(format!(
            "at byte {offset} the copy has ef bf bd (U+FFFD) where the original has 0x{:02x}: the data was decoded as UTF-8 text somewhere, and bytes that are not text were replaced; {sizes}",
            original[offset]
        ));
    }
    let detail = if offset < copy.len() && offset < original.len() {
        format!(
            "byte {offset} is 0x{:02x}, not 0x{:02x}",
            copy[offset], original[offset]
        )
    } else if copy.len() < original.len() {
        format!(
            "the copy ends at byte {offset}, {} bytes short",
            original.len() - copy.len()
        )
    } else {
        format!(
            "the copy goes on past the original's end at byte {offset}, {} bytes too many",
            copy.len() - original.len()
        )
    };
    Some(format!(
        "the copy differs from byte {offset} on ({detail}); {sizes}"
    ))
}

/// The length of the block the copy has at `offset` that repeats the bytes just before it,
/// when removing that block alone turns the copy into the original.
fn repeated_block(original: &[u8], copy: &[u8], offset: usize) -> Option<usize> {
    let extra = copy
        .len()
        .checked_sub(original.len())
        .filter(|&extra| extra > 0)?;
    let block = copy.get(offset..offset + extra)?;
    let before = offset
        .checked_sub(extra)
        .and_then(|start| copy.get(start..offset))?;
    (block == before && copy[offset + extra..] == original[offset..]).then_some(extra)
}

/// The offsets (in the original) of the NULs whose removal turns `original` into `copy`,
/// if removing NULs alone does it.
fn nuls_removed(original: &[u8], copy: &[u8]) -> Option<Vec<usize>> {
    if copy.len() >= original.len() {
        return None;
    }
    let mut removed = Vec::new();
    let mut rest = copy.iter().peekable();
    for (offset, byte) in original.iter().enumerate() {
        if rest.peek() == Some(&byte) {
            rest.next();
        } else if *byte == 0 {
            removed.push(offset);
        } else {
            return None;
        }
    }
    rest.peek().is_none().then_some(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_copies_need_no_explaining() {
        assert_eq!(explain(b"abc", b"abc"), None);
    }

    #[test]
    fn names_nuls_stripped_anywhere() {
        let original = [1, 0, 0, 2, 3, 0];
        let text = explain(&original, &[1, 2, 3]).unwrap();
        assert!(
            text.starts_with("3 NUL bytes (0x00) of the original are missing"),
            "{text}"
        );
        assert!(text.contains("the first at byte 1"), "{text}");
        let text = explain(&original, &[1, 0, 0, 2, 3]).unwrap();
        assert!(
            text.starts_with("1 NUL byte (0x00) of the original is missing"),
            "{text}"
        );
        assert!(text.contains("the first at byte 5"), "{text}");
    }

    #[test]
    fn names_text_decoding() {
        let original = [b'a', 0xFF, b'b'];
        let text = explain(&original, "a\u{FFFD}b".as_bytes()).unwrap();
        assert!(text.contains("decoded as UTF-8 text"), "{text}");
        assert!(text.contains("0xff"), "{text}");
    }

    #[test]
    fn names_a_block_written_twice() {
        let text = explain(b"abcdef", b"abcdcdef").unwrap();
        assert!(
            text.starts_with("bytes 4..6 of the copy repeat the 2 bytes before them"),
            "{text}"
        );
    }

    #[test]
    fn otherwise_names_the_first_difference() {
        assert!(
            explain(b"abcd", b"abxd")
                .unwrap()
                .contains("byte 2 is 0x78, not 0x63")
        );
        assert!(
            explain(b"abcd", b"ab")
                .unwrap()
                .contains("ends at byte 2, 2 bytes short")
        );
        assert!(
            explain(b"ab", b"abxy")
                .unwrap()
                .contains("2 bytes too many")
        );
        // A shorter copy that lost other bytes than NULs is not called stripping.
        assert!(
            explain(&[1, 2, 0], &[1])
                .unwrap()
                .contains("ends at byte 1")
        );
    }
}
