//! File transfer over UDP in 2048-byte blocks: the client sends a file name, the server
//! answers with the file in full blocks and ends it with a shorter one (empty when the size
//! is a multiple of 2048). The request's name rules, the block plan and the sans-IO
//! download with their deliberate defects, and the thin socket loops and command line that
//! make them the `reference udp-file server` and `reference udp-file client` peers.

pub mod blocks;
pub mod buffers;
pub mod cli;
pub mod client;
pub mod defect;
pub mod download;
pub mod error;
pub mod event;
pub mod name;
pub mod server;

pub use blocks::{BLOCK_LEN, plan};
pub use client::{ClientConfig, run_client};
pub use defect::{ClientDefect, ServerDefect};
pub use download::{Accepted, Download, Progress};
pub use error::PeerError;
pub use event::Event;
pub use name::{FileName, NameError};
pub use server::{Served, Server};
