//! How reports name times, datagrams, payloads and points, so every check and every report
//! says them the same way.
//!
//! A leaf that any module may use: it names nothing of the crate but [`Direction`], and the
//! link, which owns that, does not use it.

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

/// Points as people write them: `10`, `3.3`.
pub fn points(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// `to-server #3`: the third datagram the client sent.
pub fn datagram(direction: Direction, nth: u32) -> String {
    format!("{direction} #{nth}")
}

/// Message text as a person would read it: trailing NUL padding removed, other bytes that
/// are not printable ASCII escaped.
pub fn payload_text(bytes: &[u8]) -> String {
    let mut text = String::new();
    for &byte in without_padding(bytes) {
        push_byte(&mut text, byte);
    }
    text
}

/// [`payload_text`] made short enough for a label: a run of three or more equal escaped
/// bytes is written once with its count (`\x00×8`, the zero fields of a header), and the
/// text is cut after about `max_chars` characters with `…`.
pub fn payload_preview(bytes: &[u8], max_chars: usize) -> String {
    let mut text = String::new();
    let mut rest = without_padding(bytes);
    while let Some(&byte) = rest.first() {
        if text.chars().count() >= max_chars {
            text.push('…');
            break;
        }
        let run = rest.iter().take_while(|&&other| other == byte).count();
        if run >= 3 && !is_printable(byte) {
            push_byte(&mut text, byte);
            text.push_str(&format!("×{run}"));
            rest = &rest[run..];
        } else {
            push_byte(&mut text, byte);
            rest = &rest[1..];
        }
    }
    text
}

/// `"Delivered data: NCC-1701" at 0.012 s`: a line a program printed, as a report quotes
/// it, with control characters escaped and anything past `max_chars` characters cut (`…`).
pub fn output_line(text: &str, at: Duration, max_chars: usize) -> String {
    let mut quoted = String::new();
    for (count, character) in text.chars().enumerate() {
        if count == max_chars {
            quoted.push('…');
            break;
        }
        if character.is_control() {
            quoted.extend(character.escape_default());
        } else {
            quoted.push(character);
        }
    }
    format!("\"{quoted}\" at {}", seconds(at))
}

/// `bytes` without the NUL padding at its end.
fn without_padding(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&b| b != 0)
        .map_or(0, |last| last + 1);
    &bytes[..end]
}

fn is_printable(byte: u8) -> bool {
    byte.is_ascii_graphic() || byte == b' '
}

fn push_byte(text: &mut String, byte: u8) {
    if is_printable(byte) {
        text.push(char::from(byte));
    } else {
        text.push_str(&format!("\\x{byte:02x}"));
    }
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

    #[test]
    fn output_line_quotes_escapes_and_cuts() {
        let at = Duration::from_millis(12);
        assert_eq!(
            output_line("Sent packet: data=b'\\x00'", at, 80),
            "\"Sent packet: data=b'\\x00'\" at 0.012 s"
        );
        assert_eq!(
            output_line("a\x1b[0mb", at, 80),
            "\"a\\u{1b}[0mb\" at 0.012 s"
        );
        assert_eq!(output_line("abcdef", at, 3), "\"abc…\" at 0.012 s");
    }

    #[test]
    fn payload_preview_counts_runs_of_escapes_and_cuts_long_text() {
        assert_eq!(
            payload_preview(b"\0\0\0\0\x01\x01NCC-1701\0\0", 40),
            "\\x00×4\\x01\\x01NCC-1701"
        );
        assert_eq!(payload_preview(b"aaaaaaaaaa", 4), "aaaa…");
        assert_eq!(payload_preview(b"", 4), "");
    }
}
