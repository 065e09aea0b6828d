//! The numbers the reference peers choose (initial sequence numbers, the connection id)
//! and their timers, and the conversions between the header's signed fields and sequence
//! numbers.

use std::time::Duration;

use socklab_protocol::tcp_over_udp::segment::SEQ_MODULUS;

/// The client's initial sequence number: its SYN's seq.
pub const CLIENT_ISN: u32 = 12345;
/// The server's initial sequence number: its SYN|ACK's seq.
pub const SERVER_ISN: u32 = 4321;
/// The id the server gives its one connection.
pub const SERVER_CONN_ID: i16 = 1;
/// The connection id on a SYN, before the server has chosen one.
pub const NO_CONN_ID: i16 = 0;

/// The handout's retransmission timeout (a constant in the Python examples).
pub const DEFAULT_RTO: Duration = Duration::from_millis(100);
/// How long the client answers the server's FIN after acknowledging it, and how long the
/// server retransmits its FIN before it stops anyway.
pub const DEFAULT_FIN_WAIT: Duration = Duration::from_secs(2);
/// How long the client waits without progress before it gives up.
pub const DEFAULT_GIVE_UP: Duration = Duration::from_secs(10);

/// The loops' receive buffer: big enough for any UDP datagram, so an oversized one is
/// seen whole (and reported with its true length) rather than cut to look like a segment.
pub const RECEIVE_BUFFER: usize = 65536;

/// The durations a machine runs on. The receiver uses the first two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timers {
    /// Between a segment and its identical retransmission.
    pub retransmission: Duration,
    /// The close's wait (see [`DEFAULT_FIN_WAIT`]).
    pub fin_wait: Duration,
    /// The client's limit on time without progress (see [`DEFAULT_GIVE_UP`]).
    pub give_up: Duration,
}

impl Default for Timers {
    /// The protocol's: 100 ms, 2 s, 10 s.
    fn default() -> Self {
        Timers {
            retransmission: DEFAULT_RTO,
            fin_wait: DEFAULT_FIN_WAIT,
            give_up: DEFAULT_GIVE_UP,
        }
    }
}

/// A header field as a sequence number, if it is one (0 to 204 799): a peer may send
/// anything, and a number out of range matches nothing.
pub fn sequence_number(field: i32) -> Option<u32> {
    u32::try_from(field).ok().filter(|&seq| seq < SEQ_MODULUS)
}

/// Whether a header field holds exactly `expected`.
pub fn field_is(field: i32, expected: u32) -> bool {
    i64::from(field) == i64::from(expected)
}

/// A number for a header field. Sequence numbers always fit; only the `ack-no-wrap`
/// defect's unwrapped count could grow past `i32::MAX`, on a file of 2 GiB, and stops
/// there.
pub fn to_field(number: u64) -> i32 {
    i32::try_from(number).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_numbers_in_the_sequence_space_are_sequence_numbers() {
        assert_eq!(sequence_number(0), Some(0));
        assert_eq!(sequence_number(204_799), Some(204_799));
        assert_eq!(sequence_number(204_800), None);
        assert_eq!(sequence_number(-1), None);
    }

    #[test]
    fn fields_compare_without_wrapping_around() {
        assert!(field_is(4322, 4322));
        assert!(!field_is(-1, u32::MAX));
        assert_eq!(to_field(204_801), 204_801);
        assert_eq!(to_field(u64::MAX), i32::MAX);
    }
}
