//! Common checksum mistakes, recognised so a wrong checksum comes with its likely cause.
//!
//! "checksum mismatch" alone sends a student hunting; "the hex digest is upper-case" tells
//! them the fix. Each guess recomputes the checksum the way a student plausibly did and
//! compares it with what the packet carries. A packet the grader corrupted on purpose matches
//! none of them (its checksum was right for the bytes before the flip), so hints only ever
//! describe the student's own packets.

use super::checksum::{ChecksumAlgorithm, ChecksumSpec};
use super::layout::{FieldKind, Layout};

/// Names the mistake that explains `found`, most specific first; `None` when none does.
/// The spec must fit the layout and the packet must have the layout's length.
pub(super) fn explain(
    spec: &ChecksumSpec,
    layout: &Layout,
    packet: &[u8],
    expected: &[u8],
    found: &[u8],
) -> Option<String> {
    let algorithm = spec.algorithm;
    let hex = algorithm == ChecksumAlgorithm::Md5Hex;
    let covers = spec.over.join(", ");
    if hex && found == expected.to_ascii_uppercase() {
        return Some("the hex digest is upper-case; the handout's is lower-case".to_owned());
    }
    if hex && found.eq_ignore_ascii_case(expected) {
        return Some("the hex digest differs from the expected one only in letter case".to_owned());
    }
    if found.iter().all(|&byte| byte == 0) {
        return Some("the checksum field is all zero bytes; was it ever filled in?".to_owned());
    }
    let covered = spec.covered_bytes(layout, packet);
    let raw = ChecksumAlgorithm::Md5.digest(&covered);
    if hex && found.get(..raw.len()) == Some(&raw[..]) {
        return Some(
            "the field starts with the raw 16-byte MD5, not its 32-character hex form".to_owned(),
        );
    }
    if algorithm.digest(&with_zeroed_checksum(spec, layout, packet)) == found {
        return Some(format!(
            "matches the MD5 of the whole packet with a zeroed checksum field; \
             it should cover only {covers}"
        ));
    }
    let swapped = swapped_bytes(spec, layout, packet);
    if swapped != covered && algorithm.digest(&swapped) == found {
        return Some(format!(
            "matches the MD5 of {covers} packed in the opposite byte order"
        ));
    }
    if spec.over.len() > 1 {
        let fields = spec.over.iter().filter_map(|name| layout.field(name));
        for field in fields {
            if algorithm.digest(&packet[field.range()]) == found {
                let name = &field.name;
                return Some(format!(
                    "matches the MD5 of `{name}` alone; it should cover {covers}"
                ));
            }
        }
    }
    None
}

/// The whole packet with its checksum field zeroed, what `md5(packet)` before filling sees.
fn with_zeroed_checksum(spec: &ChecksumSpec, layout: &Layout, packet: &[u8]) -> Vec<u8> {
    let mut zeroed = packet.to_vec();
    if let Some(field) = layout.field(&spec.field) {
        zeroed[field.range()].fill(0);
    }
    zeroed
}

/// The covered fields with every multi-byte number reversed: what packing them with the
/// opposite byte order (`'!I I 8s'` instead of `'I I 8s'`) would have produced.
fn swapped_bytes(spec: &ChecksumSpec, layout: &Layout, packet: &[u8]) -> Vec<u8> {
    let mut swapped = Vec::new();
    for field in spec.over.iter().filter_map(|name| layout.field(name)) {
        let raw = &packet[field.range()];
        match field.kind {
            FieldKind::Signed | FieldKind::Unsigned | FieldKind::Float => {
                swapped.extend(raw.iter().rev());
            }
            _ => swapped.extend_from_slice(raw),
        }
    }
    swapped
}

#[cfg(test)]
mod tests {
    use super::super::checksum::ChecksumVerdict;
    use super::super::checksum::tests::rdt3;
    use super::super::value::Value;
    use super::*;

    /// An rdt3 packet with `checksum` in its checksum field (filled correctly when `None`).
    fn packet(ack: u32, checksum: Option<&[u8]>) -> Vec<u8> {
        let (layout, spec) = rdt3();
        let values = [
            ack.into(),
            Value::Int(0),
            b"NCC-1701".into(),
            Value::Bytes(Vec::new()),
        ];
        let mut packet = layout
            .encode(&values)
            .unwrap_or_else(|error| panic!("{error}"));
        match checksum {
            Some(checksum) => packet[16..].copy_from_slice(checksum),
            None => spec
                .fill(&layout, &mut packet)
                .unwrap_or_else(|error| panic!("{error}")),
        }
        packet
    }

    fn hint(packet: &[u8]) -> Option<String> {
        let (layout, spec) = rdt3();
        match spec.verify(&layout, packet) {
            ChecksumVerdict::Invalid { hint, .. } => hint,
            other => panic!("expected an invalid checksum, got {other:?}"),
        }
    }

    fn md5_hex(data: &[u8]) -> Vec<u8> {
        ChecksumAlgorithm::Md5Hex.digest(data)
    }

    #[test]
    fn letter_case_is_named() {
        let good = packet(0, None);
        let upper = packet(0, Some(&good[16..].to_ascii_uppercase()));
        let expected = "the hex digest is upper-case; the handout's is lower-case";
        assert_eq!(hint(&upper).as_deref(), Some(expected));
        // One letter flipped by case, as a grader's bit flip (0x20) in the checksum can do.
        let letter = good[16..].iter().position(u8::is_ascii_lowercase);
        let mut mixed = good.clone();
        if let Some(index) = letter {
            mixed[16 + index].make_ascii_uppercase();
        }
        let expected = "the hex digest differs from the expected one only in letter case";
        assert_eq!(hint(&mixed).as_deref(), Some(expected));
    }

    #[test]
    fn unfilled_and_raw_digests_are_named() {
        let zero = packet(0, Some(&[0; 32]));
        let expected = "the checksum field is all zero bytes; was it ever filled in?";
        assert_eq!(hint(&zero).as_deref(), Some(expected));
        let mut raw = ChecksumAlgorithm::Md5.digest(&packet(0, None)[..16]);
        raw.resize(32, b' ');
        let raw_hint = hint(&packet(0, Some(&raw)));
        assert!(raw_hint.is_some_and(|hint| hint.contains("raw 16-byte MD5")));
    }

    #[test]
    fn wrong_coverage_is_named() {
        let whole = md5_hex(&packet(0, Some(&[0; 32])));
        let expected = "matches the MD5 of the whole packet with a zeroed checksum field; \
                        it should cover only ack, seq, data";
        assert_eq!(hint(&packet(0, Some(&whole))).as_deref(), Some(expected));
        let data_only = md5_hex(b"NCC-1701");
        let expected = "matches the MD5 of `data` alone; it should cover ack, seq, data";
        assert_eq!(
            hint(&packet(0, Some(&data_only))).as_deref(),
            Some(expected)
        );
    }

    #[test]
    fn opposite_byte_order_is_named() {
        // The ack field must be non-zero: 0 reads the same in both byte orders.
        let mut big_endian = packet(1, None)[..16].to_vec();
        big_endian[..4].reverse();
        let swapped = packet(1, Some(&md5_hex(&big_endian)));
        let expected = "matches the MD5 of ack, seq, data packed in the opposite byte order";
        assert_eq!(hint(&swapped).as_deref(), Some(expected));
    }

    #[test]
    fn random_damage_has_no_hint() {
        let mut flipped = packet(0, None);
        flipped[10] ^= 0x01;
        assert_eq!(hint(&flipped), None);
        let mut garbage = packet(0, None);
        garbage[20] = b'z';
        assert_eq!(hint(&garbage), None);
    }
}
