//! What the tcp-over-udp machines report to the loop that drives them: log lines to print,
//! bytes to write, and how the connection ended.

use std::fmt;
use std::io::{self, Write};
use std::time::Duration;

use socklab_protocol::tcp_over_udp::log_line::LogLine;
use socklab_protocol::tcp_over_udp::segment::SegmentError;

/// One thing a [`Sender`](super::Sender) or [`Receiver`](super::Receiver) did or saw, in
/// the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A `SEND`, `RECV` or `DROP` line to print (and flush) at once.
    Log(LogLine),
    /// A datagram that is not a segment at all (shorter than the header, or a payload over
    /// 512 bytes). It has no numbers for a `DROP` line; [`Display`](fmt::Display) gives
    /// the "other line" the protocol allows instead.
    NotASegment { length: usize, error: SegmentError },
    /// In-order bytes the receiver takes (the server writes them to stdout, flushed).
    Deliver(Vec<u8>),
    /// The connection is over; the program exits 0.
    Finished(Ending),
    /// The sender made no progress for `idle` while waiting for `awaiting`; the program
    /// exits 1.
    GaveUp { idle: Duration, awaiting: Awaiting },
}

impl Event {
    /// Writes the event's line and flushes it, so the grader sees it when it happens.
    pub fn write_line<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        writeln!(out, "{self}")?;
        out.flush()
    }
}

/// How a connection ended well enough to exit 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Both FINs were acknowledged: for the server, the client's final ACK came; for the
    /// client, its fin wait ran out after it acknowledged the server's FIN.
    Closed,
    /// Our FIN was never acknowledged within the fin wait and we stopped anyway: the
    /// server does so by design (the data is complete), the client only with the
    /// `no-fin-retransmit` defect.
    FinUnacknowledged,
}

/// What the sender was waiting for when it gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Awaiting {
    /// The server's SYN|ACK.
    SynAck,
    /// The ACK of the data segment that makes the server expect `ack` next.
    DataAck { ack: u32 },
    /// The ACK of our FIN (or the server's FIN, which counts as one).
    FinAck,
    /// The server's FIN, after ours was acknowledged.
    ServerFin,
}

impl fmt::Display for Awaiting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Awaiting::SynAck => f.write_str("the SYN|ACK"),
            Awaiting::DataAck { ack } => write!(f, "an ACK with ack {ack}"),
            Awaiting::FinAck => f.write_str("the ACK of the FIN"),
            Awaiting::ServerFin => f.write_str("the server's FIN"),
        }
    }
}

/// The line a log shows for the event, when it has one; the loops print only
/// [`Event::Log`] and [`Event::NotASegment`].
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Log(line) => line.fmt(f),
            Event::NotASegment { length, error } => {
                write!(f, "not a segment: a {length}-byte datagram ({error})")
            }
            Event::Deliver(bytes) => write!(f, "deliver {} bytes", bytes.len()),
            Event::Finished(Ending::Closed) => f.write_str("closed"),
            Event::Finished(Ending::FinUnacknowledged) => {
                f.write_str("closed without an ACK of the FIN")
            }
            Event::GaveUp { idle, awaiting } => write!(
                f,
                "gave up: no progress for {} while waiting for {awaiting}",
                humantime::format_duration(*idle)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let event = Event::NotASegment {
            length: 5,
            error: SegmentError::TooShort { actual: 5 },
        };
        assert_eq!(
            event.to_string(),
            "not a segment: a 5-byte datagram (datagram is 5 bytes, shorter than the 12-byte header)"
        );
        let event = Event::GaveUp {
            idle: Duration::from_secs(10),
            awaiting: Awaiting::DataAck { ack: 12858 },
        };
        assert_eq!(
            event.to_string(),
            "gave up: no progress for 10s while waiting for an ACK with ack 12858"
        );
    }
}
