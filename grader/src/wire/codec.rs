//! Packing and unpacking packets with a [`Layout`], byte for byte as Python's `struct` does.
//!
//! Decoding never fails on content — any byte pattern is some value, exactly as in Python —
//! only on length, and a wrong length is a [`DecodeError`] value: a student's malformed
//! datagram is evidence for a verdict, never a panic. Encoding checks ranges the way
//! `struct.pack` does, so a test or tool cannot build a packet Python could not.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::half;
use super::layout::{ByteOrder, Field, FieldKind, Layout};
use super::value::Value;

/// A packet's field values, in layout order.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    fields: Vec<(String, Value)>,
}

/// A datagram whose length does not match the layout.
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
#[error("packet is {actual} bytes long but the layout needs exactly {expected}")]
pub struct DecodeError {
    pub expected: usize,
    pub actual: usize,
}

/// Values that `struct.pack` would refuse for this layout.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum EncodeError {
    #[error("the layout has {expected} fields but {given} values were given")]
    ValueCount { expected: usize, given: usize },
    #[error("field `{field}` ('{code}') needs {expected}, not {found}")]
    WrongType {
        field: String,
        code: char,
        expected: &'static str,
        found: Value,
    },
    #[error("field `{field}` ('{code}'): {value} is out of range {min}..={max}")]
    OutOfRange {
        field: String,
        code: char,
        value: i128,
        min: i128,
        max: i128,
    },
    #[error("field `{field}` ('{code}'): {value} is too large for a {size}-byte float")]
    FloatOverflow {
        field: String,
        code: char,
        size: usize,
        value: f64,
    },
}

impl Layout {
    /// Unpacks a packet (Python's `struct.unpack`); its length must be [`Layout::size`].
    pub fn decode(&self, bytes: &[u8]) -> Result<Decoded, DecodeError> {
        if bytes.len() != self.size() {
            return Err(DecodeError {
                expected: self.size(),
                actual: bytes.len(),
            });
        }
        let order = self.byte_order();
        let fields = self
            .fields()
            .iter()
            .map(|field| {
                let value = decode_field(field, order, &bytes[field.range()]);
                (field.name.to_owned(), value)
            })
            .collect();
        Ok(Decoded { fields })
    }

    /// Packs one value per field in layout order (Python's `struct.pack`); padding is zero.
    pub fn encode(&self, values: &[Value]) -> Result<Vec<u8>, EncodeError> {
        if values.len() != self.fields().len() {
            return Err(EncodeError::ValueCount {
                expected: self.fields().len(),
                given: values.len(),
            });
        }
        let order = self.byte_order();
        let mut packet = vec![0; self.size()];
        for (field, value) in self.fields().iter().zip(values) {
            encode_field(field, order, value, &mut packet[field.range()])?;
        }
        Ok(packet)
    }
}

impl Decoded {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value)
    }

    /// The field's integer; `None` if there is no such field or it is not an integer.
    pub fn int(&self, name: &str) -> Option<i128> {
        self.get(name).and_then(Value::as_int)
    }

    /// The field's bytes; `None` if there is no such field or it is not `c`, `s` or `p`.
    pub fn bytes(&self, name: &str) -> Option<&[u8]> {
        self.get(name).and_then(Value::as_bytes)
    }

    /// Names and values in layout order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.fields
            .iter()
            .map(|(name, value)| (name.as_str(), value))
    }
}

impl fmt::Display for Decoded {
    /// `ack=1 seq=0 data=b'NCC-1701' chksum=b'5f...'`, in layout order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, (name, value)) in self.fields.iter().enumerate() {
            if index > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{name}={value}")?;
        }
        Ok(())
    }
}

fn decode_field(field: &Field, order: ByteOrder, raw: &[u8]) -> Value {
    match field.kind {
        FieldKind::Char | FieldKind::Bytes => Value::Bytes(raw.to_vec()),
        FieldKind::PascalString => match raw.split_first() {
            // Python clamps a length byte that points past the field.
            Some((&length, rest)) => Value::Bytes(rest[..rest.len().min(length.into())].to_vec()),
            None => Value::Bytes(Vec::new()),
        },
        FieldKind::Bool => Value::Bool(raw.iter().any(|&byte| byte != 0)),
        FieldKind::Unsigned => Value::Int(read_unsigned(raw, order).into()),
        FieldKind::Signed => {
            // Sign-extend by shifting the value to the top of an i64 and back.
            let shift = 64 - 8 * raw.len() as u32;
            let signed = ((read_unsigned(raw, order) << shift) as i64) >> shift;
            Value::Int(signed.into())
        }
        FieldKind::Float => Value::Float(match raw.len() {
            2 => half::to_f64(read_unsigned(raw, order) as u16),
            4 => f32::from_bits(read_unsigned(raw, order) as u32).into(),
            _ => f64::from_bits(read_unsigned(raw, order)),
        }),
    }
}

fn encode_field(
    field: &Field,
    order: ByteOrder,
    value: &Value,
    out: &mut [u8],
) -> Result<(), EncodeError> {
    let wrong_type = |expected| EncodeError::WrongType {
        field: field.name.to_owned(),
        code: field.code,
        expected,
        found: value.clone(),
    };
    match field.kind {
        FieldKind::Char => match value {
            Value::Bytes(bytes) if bytes.len() == 1 => out.copy_from_slice(bytes),
            _ => return Err(wrong_type("a bytes object of length 1")),
        },
        FieldKind::Bytes => {
            // Python truncates a long value and NUL-pads a short one.
            let bytes = value.as_bytes().ok_or_else(|| wrong_type("bytes"))?;
            let length = bytes.len().min(out.len());
            out[..length].copy_from_slice(&bytes[..length]);
        }
        FieldKind::PascalString => {
            let bytes = value.as_bytes().ok_or_else(|| wrong_type("bytes"))?;
            if let Some((length_byte, rest)) = out.split_first_mut() {
                let length = bytes.len().min(rest.len());
                rest[..length].copy_from_slice(&bytes[..length]);
                *length_byte = length.min(255) as u8;
            }
        }
        FieldKind::Bool => out[0] = u8::from(value.is_truthy()),
        FieldKind::Signed | FieldKind::Unsigned => {
            // Python's bool is an int, so `struct.pack('I', True)` works.
            let number = match value {
                Value::Int(number) => *number,
                Value::Bool(flag) => i128::from(*flag),
                _ => return Err(wrong_type("an integer")),
            };
            let bits = 8 * out.len() as u32;
            let (min, max) = match field.kind {
                FieldKind::Signed => (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1),
                _ => (0, (1i128 << bits) - 1),
            };
            if !(min..=max).contains(&number) {
                return Err(EncodeError::OutOfRange {
                    field: field.name.to_owned(),
                    code: field.code,
                    value: number,
                    min,
                    max,
                });
            }
            write_unsigned(out, number as u64, order);
        }
        FieldKind::Float => {
            let number = match value {
                Value::Float(number) => *number,
                Value::Int(number) => *number as f64,
                Value::Bool(flag) => f64::from(u8::from(*flag)),
                Value::Bytes(_) => return Err(wrong_type("a float")),
            };
            let overflow = || EncodeError::FloatOverflow {
                field: field.name.to_owned(),
                code: field.code,
                size: out.len(),
                value: number,
            };
            let bits = match out.len() {
                2 => half::from_f64(number).ok_or_else(overflow)?.into(),
                4 => {
                    let narrow = number as f32;
                    // Python refuses a finite value that rounds to infinity.
                    if narrow.is_infinite() && number.is_finite() {
                        return Err(overflow());
                    }
                    narrow.to_bits().into()
                }
                _ => number.to_bits(),
            };
            write_unsigned(out, bits, order);
        }
    }
    Ok(())
}

/// Reads up to eight bytes as an unsigned number.
fn read_unsigned(raw: &[u8], order: ByteOrder) -> u64 {
    let fold = |number: u64, &byte: &u8| (number << 8) | u64::from(byte);
    if order.is_little_endian() {
        raw.iter().rev().fold(0, fold)
    } else {
        raw.iter().fold(0, fold)
    }
}

/// Writes the low `out.len()` bytes of `number`.
fn write_unsigned(out: &mut [u8], number: u64, order: ByteOrder) {
    let bytes = number.to_le_bytes();
    let low = &bytes[..out.len()];
    if order.is_little_endian() {
        out.copy_from_slice(low);
    } else {
        for (slot, byte) in out.iter_mut().zip(low.iter().rev()) {
            *slot = *byte;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(format: &str, count: usize) -> Layout {
        let names: Vec<String> = (0..count).map(|index| format!("f{index}")).collect();
        Layout::parse(format, &names).unwrap_or_else(|error| panic!("{error}"))
    }

    fn bytes(hex: &str) -> Vec<u8> {
        hex::decode(hex).unwrap_or_else(|error| panic!("{hex}: {error}"))
    }

    fn int(value: i128) -> Value {
        Value::Int(value)
    }

    #[test]
    fn packs_and_unpacks_like_python() {
        // Each hex string was produced once with python3:
        //   struct.pack(format, *values).hex()
        let max64 = i128::from(u64::MAX);
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            (
                "I I 8s 32s",
                vec![int(1), int(0), b"NCC-1701".into(), (&[b'a'; 32]).into()],
                "01000000000000004e43432d31373031\
                 6161616161616161616161616161616161616161616161616161616161616161",
            ),
            ("b i", vec![int(-2), int(0x01020304)], "fe00000004030201"),
            ("<b i", vec![int(-2), int(0x01020304)], "fe04030201"),
            (
                "iihh",
                vec![int(-1), int(2), int(-3), int(4)],
                "ffffffff02000000fdff0400",
            ),
            ("!H", vec![int(5005)], "138d"),
            (">q", vec![int(-2)], "fffffffffffffffe"),
            ("=l", vec![int(-5)], "fbffffff"),
            ("@l", vec![int(-5)], "fbffffffffffffff"),
            (
                "llh0l",
                vec![int(1), int(2), int(3)],
                "010000000000000002000000000000000300000000000000",
            ),
            (
                "c?x3pe",
                vec![b"Z".into(), true.into(), b"he".into(), 1.5.into()],
                "5a0100026865003e",
            ),
            (
                "<Hd",
                vec![int(65535), (-2.5).into()],
                "ffff00000000000004c0",
            ),
            (
                "2I 3x B",
                vec![int(7), int(8), int(9)],
                "070000000800000000000009",
            ),
            (
                "@cqcP",
                vec![b"a".into(), int(-3), b"b".into(), int(max64)],
                "6100000000000000fdffffffffffffff6200000000000000ffffffffffffffff",
            ),
            (
                ">bBhHiIlLqQ",
                [-128, 255, -32768, 65535, -(1 << 31), (1 << 32) - 1]
                    .into_iter()
                    .chain([-(1 << 31), (1 << 32) - 1, -(1 << 63), max64])
                    .map(int)
                    .collect(),
                "80ff8000ffff80000000ffffffff80000000ffffffff8000000000000000ffffffffffffffff",
            ),
        ];
        for (format, values, hex) in cases {
            let layout = layout(format, values.len());
            let packed = layout
                .encode(&values)
                .unwrap_or_else(|error| panic!("{format:?}: {error}"));
            assert_eq!(hex::encode(&packed), hex, "{format:?}");
            let decoded = layout
                .decode(&packed)
                .unwrap_or_else(|error| panic!("{format:?}: {error}"));
            let unpacked: Vec<Value> = decoded.iter().map(|(_, value)| value.clone()).collect();
            assert_eq!(unpacked, values, "{format:?}");
        }
    }

    #[test]
    fn packs_lossy_values_like_python() {
        // python3: struct.pack('4s 4s', b'abcdef', b'ab').hex() truncates and pads.
        let strings = layout("4s 4s", 2).encode(&[b"abcdef".into(), b"ab".into()]);
        assert_eq!(strings.map(hex::encode), Ok("6162636461620000".to_owned()));
        // python3: struct.pack('<f', 0.1).hex() and its unpack, 0.10000000149011612.
        let float = layout("<f", 1);
        assert_eq!(
            float.encode(&[0.1.into()]).map(hex::encode),
            Ok("cdcccc3d".to_owned())
        );
        let decoded = float.decode(&bytes("cdcccc3d")).map(|d| d.to_string());
        assert_eq!(decoded, Ok("f0=0.10000000149011612".to_owned()));
        // python3: struct.pack('I', True) is 01000000; pack('?', 5) is 01.
        let flags = layout("<I?", 2).encode(&[true.into(), int(5)]);
        assert_eq!(flags.map(hex::encode), Ok("0100000001".to_owned()));
    }

    #[test]
    fn unpacks_any_bytes_like_python() {
        // python3: struct.unpack('3p?', bytes.fromhex('09616202')) == (b'ab', True): the
        // Pascal length byte 9 is clamped to the field, and any non-zero byte is True.
        let decoded = layout("3p?", 2).decode(&bytes("09616202"));
        let decoded = decoded.unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(decoded.bytes("f0"), Some(&b"ab"[..]));
        assert_eq!(decoded.get("f1"), Some(&Value::Bool(true)));
    }

    #[test]
    fn decoded_reads_and_prints_fields_in_order() {
        let names = ["ack", "seq", "data", "chksum"].map(String::from);
        let layout = Layout::parse("I I 8s 32s", &names).unwrap_or_else(|error| panic!("{error}"));
        let mut packet = bytes("01000000000000004e43432d31373031");
        packet.extend(b"5f".iter().chain(&[0; 30]));
        let decoded = layout
            .decode(&packet)
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(decoded.int("ack"), Some(1));
        assert_eq!(decoded.int("data"), None);
        assert_eq!(decoded.bytes("data"), Some(&b"NCC-1701"[..]));
        assert_eq!(decoded.get("nope"), None);
        let zeros = "\\x00".repeat(30);
        assert_eq!(
            decoded.to_string(),
            format!("ack=1 seq=0 data=b'NCC-1701' chksum=b'5f{zeros}'")
        );
    }

    #[test]
    fn wrong_length_is_an_error_value() {
        let layout = layout("I I 8s 32s", 4);
        let error = layout.decode(&[0; 47]);
        assert_eq!(
            error,
            Err(DecodeError {
                expected: 48,
                actual: 47
            })
        );
        let message = error.map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            message,
            "packet is 47 bytes long but the layout needs exactly 48"
        );
        assert!(layout.decode(&[]).is_err());
    }

    #[test]
    fn refuses_values_python_refuses() {
        let unsigned = layout("I", 1).encode(&[int(-1)]);
        let message = unsigned.map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            message,
            "field `f0` ('I'): -1 is out of range 0..=4294967295"
        );
        let signed = layout("b", 1).encode(&[int(128)]);
        assert!(matches!(
            signed,
            Err(EncodeError::OutOfRange { max: 127, .. })
        ));
        let char = layout("c", 1).encode(&[b"ab".into()]);
        let message = char.map(|_| ()).unwrap_err().to_string();
        assert_eq!(
            message,
            "field `f0` ('c') needs a bytes object of length 1, not b'ab'"
        );
        let count = layout("I I", 2).encode(&[int(1)]);
        assert_eq!(
            count,
            Err(EncodeError::ValueCount {
                expected: 2,
                given: 1
            })
        );
        let text = layout("8s", 1).encode(&[int(1)]);
        assert!(matches!(
            text,
            Err(EncodeError::WrongType {
                expected: "bytes",
                ..
            })
        ));
        // python3: struct.pack('<f', 1e39) and struct.pack('<e', 65520.0) raise OverflowError.
        let float = layout("<f", 1).encode(&[1e39.into()]);
        assert!(matches!(
            float,
            Err(EncodeError::FloatOverflow { size: 4, .. })
        ));
        let half = layout("<e", 1).encode(&[65520.0.into()]);
        assert!(matches!(
            half,
            Err(EncodeError::FloatOverflow { size: 2, .. })
        ));
        assert!(layout("<f", 1).encode(&[f64::INFINITY.into()]).is_ok());
    }
}
