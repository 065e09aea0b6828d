//! How reports name times, datagrams and payloads, so every check says them the same way.

use crate::link::Direction;
use std::time::Duration;

/// `0.031 s`: scenario times in seconds with millisecond precision.
pub fn seconds(at: Duration) -> String {
    format!("{:.3} s", at.as_secs_f64())
}

/// `9.2 ms`: intervals in milliseconds.
pub fn millis(interval: Duration) -> String {
    format!("{:.1} ms", interval.as_secs_f64() * 1000.0)
}

/// `to-server #3`: the third datagram the client sent.
pub fn datagram(direction: Direction, nth: u32) -> String {
    format!("{direction} #{nth}")
}

/// Message text as a person would read it: trailing NUL padding removed, other bytes that
/// are not printable ASCII escaped.
pub fn payload_text(bytes: &[u8]) -> String {
    let end = bytes
        .iter()
        .rposition(|&b| b != 0)
        .map_or(0, |last| last + 1);
    let mut text = String::new();
    for &byte in &bytes[..end] {
        if byte.is_ascii_graphic() || byte == b' ' {
            text.push(char::from(byte));
        } else {
            text.push_str(&format!("\\x{byte:02x}"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_text_trims_padding_and_escapes_the_rest() {
        assert_eq!(payload_text(b"NCC-1701"), "NCC-1701");
        assert_eq!(payload_text(b"AB\0\0"), "AB");
        assert_eq!(payload_text(b"A\x01B\0"), "A\\x01B");
    }
}
