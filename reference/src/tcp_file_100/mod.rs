//! The same file sent 100 times over TCP, one connection per transfer, with timing: the
//! client sends the file's bytes and shuts down its sending side; the server reads to the
//! end of the stream, stores and compares the copy, and closes. The reported figures and
//! lines with their deliberate defects, and the thin socket loops and command line that
//! make them the `reference tcp-file-100 server` and `reference tcp-file-100 client` peers.
//! The English ordinals of those lines are `socklab_protocol::Ordinal`, which the grader
//! uses too.

pub mod cli;
pub mod client;
pub mod defect;
pub mod error;
pub mod event;
pub mod figures;
pub mod report;
pub mod server;

pub use client::{ClientConfig, run_client};
pub use defect::{ClientDefect, ServerDefect};
pub use error::PeerError;
pub use event::Event;
pub use figures::{Divisor, Elapsed, ErrorRate, Reading, TimeUnit, average};
pub use server::{Server, Tally};
pub use socklab_protocol::Ordinal;

#[cfg(test)]
mod client_tests;

#[cfg(test)]
mod server_tests;
