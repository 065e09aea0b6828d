//! The tcp-like analyzer (tcp-over-udp, ASSIGNMENTS.md §5): the segments decoded from the
//! trace, and the checks on them: segments that parse, the handshake and the connection id,
//! sequence and acknowledgement numbers (with wrap), retransmissions, the close, the
//! received file, and log lines that tell the truth about the wire. NUL padding is not
//! payload: each segment's counted bytes are settled once, from its numbers (`padding`).

mod checks;
pub mod close;
pub mod connection;
pub mod copy;
pub mod format;
mod handout;
pub mod log;
pub mod numbers;
pub mod padding;
mod params;
mod plugin;
pub mod segments;

pub use checks::{TcpLikeEvidence, run_checks, seq_add};
pub use params::{LogStreams, OutputStream, TcpLikeParams};
pub use plugin::TcpLikeJudge;

#[cfg(test)]
mod padding_tests;
#[cfg(test)]
mod tests;
