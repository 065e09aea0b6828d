//! Add two numbers over UDP: the client sends its name and an integer, the server prints
//! both names, both numbers and their sum and answers with its own name and number; an
//! integer outside 1..=100 shuts the server down. The message format, the sans-IO server
//! decisions with their deliberate defects, and the thin socket loops and command line that
//! make them the `reference udp-add server` and `reference udp-add client` peers.

pub mod cli;
pub mod client;
pub mod defect;
pub mod error;
pub mod event;
pub mod hold_port;
pub mod message;
pub mod reply;
pub mod responder;
pub mod server;

pub use client::{ClientConfig, run_client};
pub use defect::{ClientDefect, ServerDefect};
pub use error::PeerError;
pub use event::Event;
pub use message::{Message, NoInteger};
pub use responder::{AfterShutdown, Responder, Response};
pub use server::{Served, Server, Stop};
