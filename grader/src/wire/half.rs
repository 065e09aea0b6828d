//! IEEE 754 half precision (`struct`'s `e` code), converted exactly as CPython does it.
//!
//! Rust's `f16` is not stable, and the rounding must match CPython's `PyFloat_Pack2` /
//! `PyFloat_Unpack2` (round half to even, gradual underflow, overflow refused) so that a
//! packet the grader builds is the packet Python would build.

/// Widens half-precision bits to an `f64` (exact: every half is a double).
pub(crate) fn to_f64(bits: u16) -> f64 {
    let negative = bits & 0x8000 != 0;
    let exponent = i32::from((bits >> 10) & 0x1f);
    let fraction = f64::from(bits & 0x3ff) / 1024.0;
    let magnitude = match exponent {
        0x1f if fraction == 0.0 => f64::INFINITY,
        0x1f => f64::NAN,
        // Subnormal: no implicit leading one, fixed exponent.
        0 => fraction * 2f64.powi(-14),
        _ => (1.0 + fraction) * 2f64.powi(exponent - 15),
    };
    if negative { -magnitude } else { magnitude }
}

/// Rounds an `f64` to half precision, half to even; `None` when a finite value is too
/// large (Python's "float too large to pack with e format").
pub(crate) fn from_f64(value: f64) -> Option<u16> {
    let sign = u16::from(value.is_sign_negative()) << 15;
    if value == 0.0 {
        return Some(sign);
    }
    if value.is_infinite() {
        return Some(sign | 0x7c00);
    }
    if value.is_nan() {
        return Some(sign | 0x7c00 | 0x200);
    }
    let magnitude = value.abs();
    // Split into fraction in [1, 2) and exponent, like `frexp` followed by doubling.
    let raw_exponent = ((magnitude.to_bits() >> 52) & 0x7ff) as i32;
    if raw_exponent == 0 {
        // A subnormal double is far below 2**-25, the smallest half that rounds up.
        return Some(sign);
    }
    let mut exponent = raw_exponent - 1023;
    let mut fraction = f64::from_bits((magnitude.to_bits() & ((1 << 52) - 1)) | (1023 << 52));
    if exponent >= 16 {
        return None;
    } else if exponent < -25 {
        fraction = 0.0;
        exponent = 0;
    } else if exponent < -14 {
        // Gradual underflow: scale into the subnormal range (exact, a power of two).
        fraction *= 2f64.powi(14 + exponent);
        exponent = 0;
    } else {
        exponent += 15;
        fraction -= 1.0;
    }
    fraction *= 1024.0;
    let mut bits = fraction as u16;
    let remainder = fraction - f64::from(bits);
    if remainder > 0.5 || (remainder == 0.5 && bits % 2 == 1) {
        bits += 1;
        if bits == 1024 {
            // The carry ran out of the fraction into the exponent.
            bits = 0;
            exponent += 1;
            if exponent == 31 {
                return None;
            }
        }
    }
    Some(sign | ((exponent as u16) << 10) | bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_like_python() {
        // Expected bits from python3: struct.pack('<e', x).hex(), read as a little-endian u16.
        let smallest = 5.960464477539063e-08;
        let cases = [
            (1.0, 0x3c00),
            (65504.0, 0x7bff),
            (65519.0, 0x7bff),
            (0.1, 0x2e66),
            (-0.0, 0x8000),
            (f64::NEG_INFINITY, 0xfc00),
            (f64::NAN, 0x7e00),
            (1e-8, 0x0000),
            (3e-8, 0x0001),
            (smallest / 2.0, 0x0000),
            (smallest * 1.5, 0x0002),
            (smallest / 2.0 * 1.0000001, 0x0001),
        ];
        for (value, expected) in cases {
            assert_eq!(from_f64(value), Some(expected), "{value:e}");
        }
    }

    #[test]
    fn refuses_what_python_refuses() {
        // python3: struct.pack('<e', 65520.0) raises "float too large to pack with e format".
        assert_eq!(from_f64(65520.0), None);
        assert_eq!(from_f64(-1e300), None);
    }

    #[test]
    fn unpacks_like_python() {
        // python3: struct.unpack('<e', bytes.fromhex('0100')) == (5.960464477539063e-08,)
        assert_eq!(to_f64(0x0001), 5.960464477539063e-08);
        assert_eq!(to_f64(0x7c00), f64::INFINITY);
        assert!(to_f64(0x7e00).is_nan());
        assert_eq!(to_f64(0xc000), -2.0);
    }

    #[test]
    fn every_half_round_trips() {
        for bits in 0..=u16::MAX {
            let value = to_f64(bits);
            if value.is_nan() {
                continue;
            }
            assert_eq!(from_f64(value), Some(bits), "{bits:#06x}");
        }
    }
}
