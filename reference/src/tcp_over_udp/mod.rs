//! A TCP-like transport over UDP (ASSIGNMENTS.md §5): the `'iihh'` segment, a three-way
//! handshake with a server-chosen connection id, stop-and-wait data with byte-counting
//! sequence numbers that wrap at 204 800, and a FIN close with a 2-second wait. The
//! sans-IO sender (client) and receiver (server) with their deliberate defects, the log
//! line both print, and the thin socket loops that make them the
//! `reference tcp-over-udp client` and `reference tcp-over-udp server` peers.

pub mod client;
pub mod defect;
pub mod error;
pub mod event;
pub mod log_line;
pub mod numbers;
pub mod receiver;
pub mod segment;
pub mod sender;
mod sender_state;
pub mod server;
mod wire;

pub use client::{ClientConfig, run_client};
pub use defect::{ClientDefect, ServerDefect};
pub use error::PeerError;
pub use event::{Awaiting, Ending, Event};
pub use log_line::{LogLine, LogLineError, Verb};
pub use numbers::Timers;
pub use receiver::Receiver;
pub use segment::{
    Flags, HEADER_LEN, Header, MAX_PAYLOAD, SEQ_MODULUS, Segment, SegmentError, seq_add,
};
pub use sender::Sender;
pub use server::{ServerConfig, run_server};

#[cfg(test)]
mod link;

#[cfg(test)]
mod conversation_tests;

#[cfg(test)]
mod defect_tests;

#[cfg(test)]
mod transfer_tests;
