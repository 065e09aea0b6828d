//! The TCP side of the wire trace: each connection through the relay, its two byte
//! streams, every read and write with its time, and how each side ended.
//!
//! The bytes themselves are kept up to a limit (the analyzers of line-oriented protocols
//! need the whole stream; a hundred 1 MiB transfers need only their lengths and times).

use super::trace::micros;
use crate::link::Direction;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::time::Duration;

/// One connection a client made through the relay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// 1-based, in the order the relay accepted them.
    pub nth: u32,
    /// When the relay accepted the client's connection, since the scenario started: about
    /// when the client's `connect()` returned.
    #[serde(with = "micros")]
    pub opened_at: Duration,
    /// When the relay's connection to the server was set up (the server's kernel had it
    /// in the program's queue): connections are kept in the relay, in order, until the
    /// server has taken the one before (see `relay/admission.rs`). `None` if it never was.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::trace::micros_option"
    )]
    pub connected_at: Option<Duration>,
    /// When the relay saw that the server's program had accepted it (`accept()` returned
    /// it), at most a few milliseconds late: the earliest its own timing of the transfer
    /// can start. `None` where that cannot be seen (Unix sockets, no sock_diag), or when
    /// the server had closed it before the relay looked.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::trace::micros_option"
    )]
    pub accepted_at: Option<Duration>,
    /// When the relay passed the server's end of stream to the client while the client's
    /// program still held its socket (as the kernel showed it): the client waited for the
    /// server, so its own time for the transfer lasted at least until then. `None` if it
    /// had closed first, or where the client's socket cannot be seen (it is in another
    /// network namespace, or a Unix socket).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::trace::micros_option"
    )]
    pub client_waited_until: Option<Duration>,
    /// The address the client connected to.
    pub dialed: SocketAddr,
    /// The client's own address.
    pub client: SocketAddr,
    /// Why the relay could not open the server's side, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unreachable: Option<String>,
    pub to_server: StreamRecord,
    pub to_client: StreamRecord,
    /// When both directions had ended and the relay closed both sockets.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::trace::micros_option"
    )]
    pub closed_at: Option<Duration>,
    /// Set when the connection ended with a reset, and by whom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset: Option<ResetBy>,
}

/// Who reset a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResetBy {
    Client,
    Server,
    /// A `reset` fault of the scenario.
    Relay,
}

impl Connection {
    pub fn stream(&self, direction: Direction) -> &StreamRecord {
        match direction {
            Direction::ToServer => &self.to_server,
            Direction::ToClient => &self.to_client,
        }
    }

    pub fn direction_mut(&mut self, direction: Direction) -> &mut StreamRecord {
        match direction {
            Direction::ToServer => &mut self.to_server,
            Direction::ToClient => &mut self.to_client,
        }
    }

    /// How long the connection lasted at the relay: from accept to both sides closed (or
    /// to the last thing seen on it, when it never closed).
    pub fn duration(&self) -> Duration {
        let last_seen = [&self.to_server, &self.to_client]
            .into_iter()
            .flat_map(|stream| {
                stream
                    .reads
                    .last()
                    .map(|segment| segment.at)
                    .into_iter()
                    .chain(stream.ended.map(|mark| mark.at))
            })
            .max()
            .unwrap_or(self.opened_at);
        self.closed_at
            .unwrap_or(last_seen)
            .saturating_sub(self.opened_at)
    }
}

/// One direction of a connection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamRecord {
    /// Bytes the sending program wrote (read by the relay).
    pub sent: u64,
    /// Bytes the relay wrote to the receiving program.
    pub delivered: u64,
    /// The stream's first bytes as the sender wrote them: all of them unless the stream
    /// was longer than the record keeps (see `bytes_complete`).
    #[serde(with = "super::trace::hex_bytes")]
    pub bytes: Vec<u8>,
    /// Whether `bytes` holds the whole stream.
    pub bytes_complete: bool,
    /// The relay's reads from the sender, in order.
    pub reads: Vec<Segment>,
    /// The relay's writes to the receiver, in order.
    pub writes: Vec<Segment>,
    /// Reads and writes past the record's limit: counted, not kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unrecorded_segments: u64,
    /// The sender closed its side (FIN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<Mark>,
    /// The relay closed the receiver's side (FIN), after delivering everything it would.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<Mark>,
    /// Bytes read after a `cut` or `reset` fault and never delivered.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub discarded: u64,
}

impl StreamRecord {
    /// An empty record of a stream that has not started.
    pub fn new() -> StreamRecord {
        StreamRecord {
            bytes_complete: true,
            ..StreamRecord::default()
        }
    }

    /// The time and order at which the byte at `offset` was delivered to the receiver.
    pub fn delivery_of(&self, offset: u64) -> Option<&Segment> {
        self.writes
            .iter()
            .find(|segment| segment.offset <= offset && offset < segment.offset + segment.len)
    }

    /// The read that brought the byte at `offset` from the sender.
    pub fn read_of(&self, offset: u64) -> Option<&Segment> {
        self.reads
            .iter()
            .find(|segment| segment.offset <= offset && offset < segment.offset + segment.len)
    }
}

/// One read or write of a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    #[serde(with = "micros")]
    pub at: Duration,
    /// Position in the relay's single sequence of actions (see `WireEvent::order`).
    pub order: u64,
    /// Where in the stream its first byte is.
    pub offset: u64,
    pub len: u64,
}

/// A moment in the relay's sequence of actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    #[serde(with = "micros")]
    pub at: Duration,
    pub order: u64,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}
