//! The units of a netem line — times, percentages, rates — read as tc reads them and written
//! back in one canonical spelling.

use super::NetemError;
use std::fmt;
use std::time::Duration;

/// What a time argument should look like, for error messages.
pub(super) const TIME: &str = "a time with a unit, such as 10ms, 0.5ms or 100us";
/// What a percentage argument should look like, for error messages.
pub(super) const PERCENT: &str = "a percentage between 0% and 100%, such as 40%";
/// What a rate argument should look like, for error messages.
pub(super) const RATE: &str = "a rate above zero with a unit, such as 1mbit or 125kbps";

/// tc's time units (matched case-insensitively), in nanoseconds. A bare number is refused:
/// tc reads it as microseconds, which nobody pasting `delay 10` means.
const TIME_UNITS: [(&str, f64); 12] = [
    ("s", 1e9),
    ("sec", 1e9),
    ("secs", 1e9),
    ("ms", 1e6),
    ("msec", 1e6),
    ("msecs", 1e6),
    ("us", 1e3),
    ("usec", 1e3),
    ("usecs", 1e3),
    ("ns", 1.0),
    ("nsec", 1.0),
    ("nsecs", 1.0),
];

/// tc's rate units (matched case-insensitively, as tc does, so `kbps` is kilobytes per
/// second), in bits per second. A bare number is bits per second, as in tc.
const RATE_UNITS: [(&str, f64); 19] = [
    ("", 1.0),
    ("bit", 1.0),
    ("kibit", 1024.0),
    ("kbit", 1e3),
    ("mibit", 1024.0 * 1024.0),
    ("mbit", 1e6),
    ("gibit", 1024.0 * 1024.0 * 1024.0),
    ("gbit", 1e9),
    ("tibit", 1024.0 * 1024.0 * 1024.0 * 1024.0),
    ("tbit", 1e12),
    ("bps", 8.0),
    ("kibps", 8.0 * 1024.0),
    ("kbps", 8e3),
    ("mibps", 8.0 * 1024.0 * 1024.0),
    ("mbps", 8e6),
    ("gibps", 8.0 * 1024.0 * 1024.0 * 1024.0),
    ("gbps", 8e9),
    ("tibps", 8.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0),
    ("tbps", 8e12),
];

/// A time argument of `option`, such as `10ms` or `0.5ms`.
pub(super) fn time(token: &str, option: &'static str) -> Result<Duration, NetemError> {
    let bad = || bad_value(option, token, TIME);
    let (number, unit) = split_number(token).ok_or_else(bad)?;
    let (_, scale) = TIME_UNITS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(unit))
        .ok_or_else(bad)?;
    let nanos = (number * scale).round();
    // Anything past a day is a typo, and keeping far below u64::MAX makes the cast exact.
    if !(0.0..=86_400e9).contains(&nanos) {
        return Err(bad());
    }
    Ok(Duration::from_nanos(nanos as u64))
}

/// A percentage argument of `option` (`40%`, or `40` as tc also allows), as a fraction.
pub(super) fn percent(token: &str, option: &'static str) -> Result<f64, NetemError> {
    let digits = token.strip_suffix('%').unwrap_or(token);
    match digits.parse::<f64>() {
        Ok(value) if (0.0..=100.0).contains(&value) => Ok(value / 100.0),
        _ => Err(bad_value(option, token, PERCENT)),
    }
}

/// A rate argument, such as `1mbit` or `125kbps`, in bits per second.
pub(crate) fn rate(token: &str) -> Result<u64, NetemError> {
    let bad = || bad_value("rate", token, RATE);
    let (number, unit) = split_number(token).ok_or_else(bad)?;
    let (_, scale) = RATE_UNITS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(unit))
        .ok_or_else(bad)?;
    let bits = (number * scale).round();
    if !(1.0..=1e15).contains(&bits) {
        return Err(bad());
    }
    Ok(bits as u64)
}

/// Writes a time with the largest unit that keeps it exact (`10ms`, `1500us`).
pub(super) struct Time(pub Duration);

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        if nanos == 0 {
            return f.write_str("0ms");
        }
        let units = [
            (1_000_000_000, "s"),
            (1_000_000, "ms"),
            (1_000, "us"),
            (1, "ns"),
        ];
        let (scale, unit) = largest_exact_unit(nanos, &units);
        write!(f, "{}{unit}", nanos / scale)
    }
}

/// Writes a fraction as a percentage with no trailing zeros (`40%`, `0.1%`).
pub(super) struct Percent(pub f64);

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = format!("{:.6}", self.0 * 100.0);
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        write!(f, "{trimmed}%")
    }
}

/// Writes a rate in bits per second with the largest decimal unit that keeps it exact.
pub(super) struct Rate(pub u64);

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bits = u128::from(self.0);
        let units = [
            (1_000_000_000, "gbit"),
            (1_000_000, "mbit"),
            (1_000, "kbit"),
            (1, "bit"),
        ];
        let (scale, unit) = largest_exact_unit(bits, &units);
        write!(f, "{}{unit}", bits / scale)
    }
}

/// The first (largest) unit of `units` that divides `value` exactly; the last one is 1.
fn largest_exact_unit(value: u128, units: &[(u128, &'static str)]) -> (u128, &'static str) {
    units
        .iter()
        .copied()
        .find(|&(scale, _)| value.is_multiple_of(scale))
        .unwrap_or((1, ""))
}

/// Splits `12.5ms` into (12.5, "ms"); None if it does not start with a number.
fn split_number(token: &str) -> Option<(f64, &str)> {
    let end = token
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(token.len());
    let number = token[..end].parse::<f64>().ok()?;
    Some((number, &token[end..]))
}

fn bad_value(option: &'static str, token: &str, expected: &'static str) -> NetemError {
    NetemError::BadValue {
        option,
        token: token.to_owned(),
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_unit() {
        let read = |token| time(token, "delay").unwrap();
        assert_eq!(read("10ms"), Duration::from_millis(10));
        assert_eq!(read("0.5ms"), Duration::from_micros(500));
        assert_eq!(read("2sec"), Duration::from_secs(2));
        assert_eq!(read("250USEC"), Duration::from_micros(250));
        assert_eq!(read("7ns"), Duration::from_nanos(7));
        assert!(time("10", "delay").is_err());
        assert!(time("ms", "delay").is_err());
        assert!(time("1.2.3ms", "delay").is_err());
        assert!(time("2days", "delay").is_err());
    }

    #[test]
    fn rates_in_tc_units() {
        assert_eq!(rate("100").unwrap(), 100);
        assert_eq!(rate("1kbit").unwrap(), 1_000);
        assert_eq!(rate("1Kibit").unwrap(), 1_024);
        assert_eq!(rate("10mbit").unwrap(), 10_000_000);
        assert_eq!(rate("1bps").unwrap(), 8);
        assert_eq!(rate("125kbps").unwrap(), 1_000_000);
        assert_eq!(rate("2MBps").unwrap(), 16_000_000);
        assert!(rate("0.1bit").is_err());
        assert!(rate("fast").is_err());
    }

    #[test]
    fn percentages_with_or_without_sign() {
        assert_eq!(percent("40%", "loss").unwrap(), 0.4);
        assert_eq!(percent("40", "loss").unwrap(), 0.4);
        assert_eq!(percent("100%", "loss").unwrap(), 1.0);
        assert!(percent("100.5%", "loss").is_err());
        assert!(percent("nan%", "loss").is_err());
        assert!(percent("4 0%", "loss").is_err());
    }

    #[test]
    fn canonical_spellings() {
        assert_eq!(Time(Duration::from_micros(1500)).to_string(), "1500us");
        assert_eq!(Time(Duration::ZERO).to_string(), "0ms");
        assert_eq!(Percent(0.001).to_string(), "0.1%");
        assert_eq!(Percent(0.0).to_string(), "0%");
        assert_eq!(Percent(1.0).to_string(), "100%");
        assert_eq!(Rate(1_024).to_string(), "1024bit");
        assert_eq!(Rate(8_000).to_string(), "8kbit");
    }
}
