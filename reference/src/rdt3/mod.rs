//! rdt 3.0 over UDP (ASSIGNMENTS.md §1): the sans-IO sender (rdt 3.0) and receiver
//! (rdt 2.2) with their deliberate defects, and the thin socket loops and command line
//! that make them the `reference rdt3 client` and `reference rdt3 server` peers. The
//! packet they exchange is `socklab_protocol::rdt3`, which the grader reads too.

pub mod cli;
pub mod client;
pub mod defect;
pub mod event;
pub mod receiver;
pub mod sender;
pub mod server;
pub mod socket;

pub use client::{ClientConfig, run_client};
pub use defect::{ClientDefect, ServerDefect};
pub use event::{Event, Integrity};
pub use receiver::Receiver;
pub use sender::Sender;
pub use server::{Served, Server};
pub use socket::PeerError;
pub use socklab_protocol::rdt3::{Packet, PacketError, Repr};

#[cfg(test)]
mod conversation_tests;
