//! The value of one packet field, shown the way Python's `repr` shows it.
//!
//! Students print their packets with Python (`print(struct.unpack(...))`), so a verdict that
//! says `data=b'NCC-1701'` or `chksum=b'5f\x00...'` is something they can match against their
//! own output character for character.

use std::fmt;

/// A decoded field: what Python's `struct.unpack` would return for it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Every integer code (`b B h H i I l L q Q n N P`).
    Int(i128),
    /// `e`, `f` and `d`, widened to `f64` as Python does.
    Float(f64),
    /// `?`.
    Bool(bool),
    /// `c` (one byte), `s` and `p`.
    Bytes(Vec<u8>),
}

/// Displays bytes as a Python bytes literal: `b'NCC-1701'`, `b'\x00\n\\'`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BytesRepr<'a>(pub &'a [u8]);

impl Value {
    pub fn as_int(&self) -> Option<i128> {
        match self {
            Value::Int(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(value) => Some(value),
            _ => None,
        }
    }

    /// Python's truth value, which is what packing a value with `?` stores.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Int(value) => *value != 0,
            // NaN is truthy in Python, and `NaN != 0.0` holds.
            Value::Float(value) => *value != 0.0,
            Value::Bool(value) => *value,
            Value::Bytes(value) => !value.is_empty(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(value) => write!(f, "{value}"),
            Value::Float(value) => f.write_str(&python_float_repr(*value)),
            Value::Bool(true) => f.write_str("True"),
            Value::Bool(false) => f.write_str("False"),
            Value::Bytes(value) => BytesRepr(value).fmt(f),
        }
    }
}

impl fmt::Display for BytesRepr<'_> {
    /// Python's `bytes.__repr__`: single quotes unless the bytes hold `'` but no `"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quote = if self.0.contains(&b'\'') && !self.0.contains(&b'"') {
            '"'
        } else {
            '\''
        };
        write!(f, "b{quote}")?;
        for &byte in self.0 {
            match byte {
                b'\\' => f.write_str("\\\\")?,
                b'\t' => f.write_str("\\t")?,
                b'\n' => f.write_str("\\n")?,
                b'\r' => f.write_str("\\r")?,
                _ if char::from(byte) == quote => write!(f, "\\{quote}")?,
                0x20..=0x7e => write!(f, "{}", char::from(byte))?,
                _ => write!(f, "\\x{byte:02x}")?,
            }
        }
        write!(f, "{quote}")
    }
}

impl From<i128> for Value {
    fn from(value: i128) -> Value {
        Value::Int(value)
    }
}

impl From<u32> for Value {
    fn from(value: u32) -> Value {
        Value::Int(value.into())
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Value {
        Value::Int(value.into())
    }
}

impl From<f64> for Value {
    fn from(value: f64) -> Value {
        Value::Float(value)
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Value {
        Value::Bool(value)
    }
}

impl From<Vec<u8>> for Value {
    fn from(value: Vec<u8>) -> Value {
        Value::Bytes(value)
    }
}

impl From<&[u8]> for Value {
    fn from(value: &[u8]) -> Value {
        Value::Bytes(value.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for Value {
    fn from(value: &[u8; N]) -> Value {
        Value::Bytes(value.to_vec())
    }
}

/// Python's `repr(float)`: the shortest digits that round-trip, positional when the decimal
/// exponent is in -4..=15 (always with a fractional part), scientific otherwise.
fn python_float_repr(value: f64) -> String {
    if value.is_nan() {
        return "nan".to_owned();
    }
    if value.is_infinite() {
        return if value < 0.0 { "-inf" } else { "inf" }.to_owned();
    }
    if value == 0.0 {
        return if value.is_sign_negative() {
            "-0.0"
        } else {
            "0.0"
        }
        .to_owned();
    }
    // Rust's `{:e}` also prints the shortest round-tripping digits, e.g. "-1.2345e-5".
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific
        .split_once('e')
        .unwrap_or((scientific.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let body = if (-4..=15).contains(&exponent) {
        positional(&digits, exponent)
    } else {
        let (first, rest) = digits.split_at(1);
        let fraction = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!(
            "{first}{fraction}e{exponent_sign}{:02}",
            exponent.unsigned_abs()
        )
    };
    format!("{sign}{body}")
}

/// Digits `d.ddd` times ten to `exponent`, written without an exponent.
fn positional(digits: &str, exponent: i32) -> String {
    if exponent < 0 {
        let zeros = "0".repeat(exponent.unsigned_abs() as usize - 1);
        return format!("0.{zeros}{digits}");
    }
    let integer_length = exponent as usize + 1;
    if digits.len() <= integer_length {
        let zeros = "0".repeat(integer_length - digits.len());
        format!("{digits}{zeros}.0")
    } else {
        let (integer, fraction) = digits.split_at(integer_length);
        format!("{integer}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_repr_escapes_like_python() {
        // Expected strings from python3: repr(b'\x00\\\'"\n\t\r\x7f\xff a'), repr(b"'"),
        // repr(b'\'"').
        assert_eq!(
            BytesRepr(b"\x00\\'\"\n\t\r\x7f\xff a").to_string(),
            r#"b'\x00\\\'"\n\t\r\x7f\xff a'"#
        );
        assert_eq!(BytesRepr(b"'").to_string(), r#"b"'""#);
        assert_eq!(BytesRepr(b"'\"").to_string(), r#"b'\'"'"#);
        assert_eq!(Value::from(b"NCC-1701").to_string(), "b'NCC-1701'");
        assert_eq!(BytesRepr(b"").to_string(), "b''");
    }

    #[test]
    fn floats_print_as_python_repr() {
        // Expected strings from python3: repr(x) for each x.
        let cases = [
            (0.1, "0.1"),
            (1.5, "1.5"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (1e-4, "0.0001"),
            (1.5e-5, "1.5e-05"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (-2.5, "-2.5"),
            (100.0, "100.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (65504.0, "65504.0"),
            (3e-8, "3e-08"),
            (1234.5678, "1234.5678"),
            (-0.0, "-0.0"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (value, expected) in cases {
            assert_eq!(Value::Float(value).to_string(), expected, "{value:e}");
        }
    }

    #[test]
    fn other_values_print_as_python_repr() {
        assert_eq!(Value::Int(-7).to_string(), "-7");
        assert_eq!(Value::Bool(true).to_string(), "True");
        assert_eq!(Value::Bool(false).to_string(), "False");
    }

    #[test]
    fn truthiness_follows_python() {
        assert!(Value::Float(f64::NAN).is_truthy());
        assert!(!Value::Float(-0.0).is_truthy());
        assert!(!Value::Bytes(Vec::new()).is_truthy());
        assert!(Value::Int(-1).is_truthy());
    }
}
