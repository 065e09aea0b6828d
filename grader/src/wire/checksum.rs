//! The checksum a packet carries in one of its fields, and how the grader judges it.
//!
//! rdt3's handout puts the lower-case hex MD5 of the first three fields into a 32-byte field.
//! The case file says which field, which algorithm and over which fields, so drifted student
//! formats can be graded too. When a student's checksum is wrong, [`ChecksumSpec::verify`]
//! asks the `mistake` module for the likely cause, so the verdict can say what they
//! probably did, not just that the bytes differ.

use std::fmt;

use md5::{Digest, Md5};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::codec::DecodeError;
use super::layout::{FieldKind, Layout};
use super::mistake;
use super::value::BytesRepr;

/// Where a packet's checksum lives and what it covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ChecksumSpec {
    /// The field that holds the checksum.
    pub field: String,
    pub algorithm: ChecksumAlgorithm,
    /// The fields whose raw bytes, concatenated in this order, are checksummed.
    pub over: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChecksumAlgorithm {
    /// `md5-hex`: the MD5 as 32 ASCII lower-case hex digits (`hashlib.md5(...).hexdigest()`).
    Md5Hex,
    /// `md5`: the raw 16-byte MD5 (`hashlib.md5(...).digest()`).
    Md5,
}

/// What the grader concluded about one packet's checksum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChecksumVerdict {
    Valid,
    /// The checksum field does not hold the checksum of the packet.
    Invalid {
        expected: Vec<u8>,
        found: Vec<u8>,
        /// What the student probably did instead, when a common mistake explains `found`.
        hint: Option<String>,
    },
    /// The packet does not even have the layout's length.
    Malformed(DecodeError),
    /// The spec does not fit the layout, so the grader cannot judge (a case-file error).
    SpecMismatch(String),
}

/// Why a checksum could not be computed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ChecksumError {
    #[error(transparent)]
    Malformed(#[from] DecodeError),
    #[error("checksum spec does not fit the layout: {0}")]
    SpecMismatch(String),
}

impl ChecksumSpec {
    /// Checks that the spec fits the layout: the fields exist, the checksum field is an `s`
    /// field of the digest's size, and it does not cover itself.
    pub fn validate(&self, layout: &Layout) -> Result<(), String> {
        let known = || {
            let names: Vec<&str> = layout.fields().iter().map(|f| f.name.as_str()).collect();
            names.join(", ")
        };
        let Some(field) = layout.field(&self.field) else {
            return Err(format!(
                "checksum field `{}` is not in the layout (its fields: {})",
                self.field,
                known()
            ));
        };
        if field.kind != FieldKind::Bytes {
            return Err(format!(
                "checksum field `{}` is '{}'; a digest needs an 's' field",
                self.field, field.code
            ));
        }
        let needed = self.algorithm.digest_size();
        if field.size != needed {
            return Err(format!(
                "checksum field `{}` is {} bytes but {} needs {needed}",
                self.field, field.size, self.algorithm
            ));
        }
        if self.over.is_empty() {
            return Err("`over` lists no fields".to_owned());
        }
        for (index, name) in self.over.iter().enumerate() {
            if *name == self.field {
                return Err(format!(
                    "`over` includes the checksum field `{name}` itself"
                ));
            }
            if layout.field(name).is_none() {
                return Err(format!(
                    "`over` names `{name}`, which is not in the layout (its fields: {})",
                    known()
                ));
            }
            if self.over[..index].contains(name) {
                return Err(format!("`over` lists `{name}` twice"));
            }
        }
        Ok(())
    }

    /// The checksum the packet should carry, computed from its `over` fields.
    pub fn expected(&self, layout: &Layout, packet: &[u8]) -> Result<Vec<u8>, ChecksumError> {
        self.validate(layout).map_err(ChecksumError::SpecMismatch)?;
        check_length(layout, packet)?;
        Ok(self.algorithm.digest(&self.covered_bytes(layout, packet)))
    }

    /// Judges the checksum field of one packet.
    pub fn verify(&self, layout: &Layout, packet: &[u8]) -> ChecksumVerdict {
        let expected = match self.expected(layout, packet) {
            Ok(expected) => expected,
            Err(ChecksumError::Malformed(error)) => return ChecksumVerdict::Malformed(error),
            Err(ChecksumError::SpecMismatch(reason)) => {
                return ChecksumVerdict::SpecMismatch(reason);
            }
        };
        let found = self.found(layout, packet).to_vec();
        if found == expected {
            return ChecksumVerdict::Valid;
        }
        let hint = mistake::explain(self, layout, packet, &expected, &found);
        ChecksumVerdict::Invalid {
            expected,
            found,
            hint,
        }
    }

    /// Computes the checksum and writes it into the packet's checksum field.
    pub fn fill(&self, layout: &Layout, packet: &mut [u8]) -> Result<(), ChecksumError> {
        let expected = self.expected(layout, packet)?;
        let range = layout
            .field(&self.field)
            .map(|field| field.range())
            .ok_or_else(|| ChecksumError::SpecMismatch(format!("no field `{}`", self.field)))?;
        packet[range].copy_from_slice(&expected);
        Ok(())
    }

    /// The checksum field's bytes; only called once the spec and length are checked.
    fn found<'a>(&self, layout: &Layout, packet: &'a [u8]) -> &'a [u8] {
        layout
            .field(&self.field)
            .map_or(&[], |field| &packet[field.range()])
    }

    /// The `over` fields' raw bytes, concatenated in the order listed.
    pub(super) fn covered_bytes(&self, layout: &Layout, packet: &[u8]) -> Vec<u8> {
        self.over
            .iter()
            .filter_map(|name| layout.field(name))
            .flat_map(|field| &packet[field.range()])
            .copied()
            .collect()
    }
}

impl ChecksumAlgorithm {
    /// The checksum of `data` as it is stored in the packet.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let digest = Md5::digest(data);
        match self {
            ChecksumAlgorithm::Md5Hex => hex::encode(digest).into_bytes(),
            ChecksumAlgorithm::Md5 => digest.to_vec(),
        }
    }

    /// The algorithm in words, for verdicts: "the lower-case hex MD5 of ack, seq, data".
    pub fn describe(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Md5Hex => "lower-case hex MD5",
            ChecksumAlgorithm::Md5 => "raw 16-byte MD5",
        }
    }

    /// How many bytes the stored checksum takes.
    pub fn digest_size(self) -> usize {
        match self {
            ChecksumAlgorithm::Md5Hex => 32,
            ChecksumAlgorithm::Md5 => 16,
        }
    }
}

impl fmt::Display for ChecksumAlgorithm {
    /// The name case files use.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChecksumAlgorithm::Md5Hex => "md5-hex",
            ChecksumAlgorithm::Md5 => "md5",
        })
    }
}

impl fmt::Display for ChecksumVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChecksumVerdict::Valid => f.write_str("checksum valid"),
            ChecksumVerdict::Invalid {
                expected,
                found,
                hint,
            } => {
                write!(
                    f,
                    "checksum mismatch: expected {}, found {}",
                    BytesRepr(expected),
                    BytesRepr(found)
                )?;
                match hint {
                    Some(hint) => write!(f, " ({hint})"),
                    None => Ok(()),
                }
            }
            ChecksumVerdict::Malformed(error) => write!(f, "{error}"),
            ChecksumVerdict::SpecMismatch(reason) => {
                write!(f, "cannot check the checksum: {reason}")
            }
        }
    }
}

fn check_length(layout: &Layout, packet: &[u8]) -> Result<(), DecodeError> {
    if packet.len() == layout.size() {
        Ok(())
    } else {
        Err(DecodeError {
            expected: layout.size(),
            actual: packet.len(),
        })
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The rdt3 data packet (ack 0, seq 0, b'NCC-1701') with its checksum, from python3:
    ///   h = hashlib.md5(struct.pack('I I 8s', 0, 0, b'NCC-1701')).hexdigest()
    ///     == 'e4d48cc025bf08b68a1db367bb58e177'
    ///   struct.pack('I I 8s 32s', 0, 0, b'NCC-1701', h.encode()).hex()
    const RDT3_PACKET: &str = "00000000000000004e43432d31373031\
        6534643438636330323562663038623638613164623336376262353865313737";
    const RDT3_DIGEST: &[u8] = b"e4d48cc025bf08b68a1db367bb58e177";

    /// The rdt3 layout and its checksum, as the built-in case declares them.
    pub(in crate::wire) fn rdt3() -> (Layout, ChecksumSpec) {
        let names = ["ack", "seq", "data", "chksum"].map(String::from);
        let layout = Layout::parse("I I 8s 32s", &names).unwrap_or_else(|error| panic!("{error}"));
        let spec = ChecksumSpec {
            field: "chksum".to_owned(),
            algorithm: ChecksumAlgorithm::Md5Hex,
            over: ["ack", "seq", "data"].map(String::from).to_vec(),
        };
        (layout, spec)
    }

    fn packet() -> Vec<u8> {
        hex::decode(RDT3_PACKET).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn python_packet_is_valid() {
        let (layout, spec) = rdt3();
        assert_eq!(spec.validate(&layout), Ok(()));
        assert_eq!(spec.verify(&layout, &packet()), ChecksumVerdict::Valid);
        assert_eq!(spec.expected(&layout, &packet()), Ok(RDT3_DIGEST.to_vec()));
    }

    #[test]
    fn fill_writes_what_python_computes() {
        let (layout, spec) = rdt3();
        let mut filled = packet();
        filled[16..].fill(0xa5);
        assert_eq!(spec.fill(&layout, &mut filled), Ok(()));
        assert_eq!(filled, packet());
        let mut short = vec![0; 47];
        let error = ChecksumError::Malformed(DecodeError {
            expected: 48,
            actual: 47,
        });
        assert_eq!(spec.fill(&layout, &mut short), Err(error));
    }

    #[test]
    fn flipped_bit_is_invalid_without_a_hint() {
        let (layout, spec) = rdt3();
        let mut corrupt = packet();
        corrupt[9] ^= 0x04;
        let verdict = spec.verify(&layout, &corrupt);
        let ChecksumVerdict::Invalid {
            expected,
            found,
            hint,
        } = &verdict
        else {
            panic!("{verdict:?}");
        };
        assert_eq!(found, RDT3_DIGEST);
        assert_ne!(expected, found);
        assert_eq!(hint, &None);
        let text = verdict.to_string();
        assert!(text.starts_with("checksum mismatch: expected b'"), "{text}");
        assert!(
            text.ends_with("found b'e4d48cc025bf08b68a1db367bb58e177'"),
            "{text}"
        );
    }

    #[test]
    fn short_packet_is_malformed() {
        let (layout, spec) = rdt3();
        let verdict = spec.verify(&layout, &packet()[..40]);
        let error = DecodeError {
            expected: 48,
            actual: 40,
        };
        assert_eq!(verdict, ChecksumVerdict::Malformed(error));
    }

    #[test]
    fn validate_rejects_specs_that_do_not_fit() {
        let (layout, spec) = rdt3();
        let with = |change: fn(&mut ChecksumSpec)| {
            let mut spec = spec.clone();
            change(&mut spec);
            spec.validate(&layout)
                .map_err(|message| message.to_string())
        };
        let missing = with(|spec| spec.field = "md5".to_owned());
        let expected =
            "checksum field `md5` is not in the layout (its fields: ack, seq, data, chksum)";
        assert_eq!(missing, Err(expected.to_owned()));
        let raw = with(|spec| spec.algorithm = ChecksumAlgorithm::Md5);
        let expected = "checksum field `chksum` is 32 bytes but md5 needs 16";
        assert_eq!(raw, Err(expected.to_owned()));
        let number = with(|spec| spec.field = "seq".to_owned());
        let expected = "checksum field `seq` is 'I'; a digest needs an 's' field";
        assert_eq!(number, Err(expected.to_owned()));
        let itself = with(|spec| spec.over.push("chksum".to_owned()));
        let expected = "`over` includes the checksum field `chksum` itself";
        assert_eq!(itself, Err(expected.to_owned()));
        let unknown = with(|spec| spec.over.push("payload".to_owned()));
        assert!(unknown.is_err_and(|message| message.starts_with("`over` names `payload`")));
        let twice = with(|spec| spec.over.push("seq".to_owned()));
        assert_eq!(twice, Err("`over` lists `seq` twice".to_owned()));
        let empty = with(|spec| spec.over.clear());
        assert_eq!(empty, Err("`over` lists no fields".to_owned()));

        let mut bad = spec.clone();
        bad.field = "md5".to_owned();
        let verdict = bad.verify(&layout, &packet());
        assert!(
            matches!(verdict, ChecksumVerdict::SpecMismatch(_)),
            "{verdict:?}"
        );
    }

    #[test]
    fn spec_reads_from_case_syntax() {
        let json = r#"{"field": "chksum", "algorithm": "md5-hex", "over": ["ack", "seq", "data"]}"#;
        let spec: ChecksumSpec =
            serde_json::from_str(json).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(spec, rdt3().1);
        let raw = r#"{"field": "c", "algorithm": "md5", "over": ["a"]}"#;
        let spec: Result<ChecksumSpec, _> = serde_json::from_str(raw);
        assert!(spec.is_ok_and(|spec| spec.algorithm == ChecksumAlgorithm::Md5));
        let unknown = r#"{"field": "c", "algorithm": "md5", "over": [], "salt": 1}"#;
        assert!(serde_json::from_str::<ChecksumSpec>(unknown).is_err());
    }
}
