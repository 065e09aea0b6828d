//! A TCP-like transport over UDP (ASSIGNMENTS.md §5): a three-way handshake with a
//! server-chosen connection id, stop-and-wait data with byte-counting sequence numbers that
//! wrap at 204 800, and a FIN close with a 2-second wait. The sans-IO sender (client) and
//! receiver (server) with their deliberate defects, and the thin socket loops and command
//! line that make them the `reference tcp-over-udp client` and `reference tcp-over-udp
//! server` peers. The `'iihh'` segment and the log line both print are
//! `socklab_protocol::tcp_over_udp`, which the grader reads too.

pub mod cli;
pub mod client;
pub mod defect;
pub mod error;
pub mod event;
pub mod numbers;
pub mod receiver;
pub mod sender;
mod sender_state;
pub mod server;
mod wire;

pub use client::{ClientConfig, run_client};
pub use defect::{ClientDefect, ServerDefect};
pub use error::PeerError;
pub use event::{Awaiting, Ending, Event};
pub use numbers::Timers;
pub use receiver::Receiver;
pub use sender::Sender;
pub use server::{ServerConfig, run_server};
pub use socklab_protocol::tcp_over_udp::{
    Flags, HEADER_LEN, Header, MAX_PAYLOAD, SEQ_MODULUS, Segment, SegmentError, seq_add,
};
pub use socklab_protocol::tcp_over_udp::{LogLine, LogLineError, Verb};

#[cfg(test)]
mod link;

#[cfg(test)]
mod conversation_tests;

#[cfg(test)]
mod defect_tests;

#[cfg(test)]
mod transfer_tests;
