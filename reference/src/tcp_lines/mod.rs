//! Multi-file line upload over one TCP connection: for each file the client sends a 4-byte
//! big-endian line count and the lines, each ended by `\n`; the server saves it as `k.txt`
//! and answers `A`, or `Q` for the zero-line message that ends the connection. The wire
//! format, the sans-IO stream decoder (and the `one-recv` defect's reader), the client's
//! prompts, and the thin socket loops and command line that make them the `reference
//! tcp-lines server` and `reference tcp-lines client` peers.

pub mod cli;
pub mod client;
pub mod decoder;
pub mod defect;
pub mod error;
pub mod event;
pub mod message;
pub mod one_recv;
pub mod prompt;
pub mod server;

pub use client::{ClientConfig, run_client};
pub use decoder::{DecodeError, Decoded, MessageDecoder};
pub use defect::{ClientDefect, ServerDefect};
pub use error::PeerError;
pub use event::Event;
pub use message::{Message, Status, encode_message};
pub use one_recv::OneRecvReader;
pub use prompt::{Another, Prompt};
pub use server::{Finish, Server, hold_until_killed};

#[cfg(test)]
mod server_tests;
