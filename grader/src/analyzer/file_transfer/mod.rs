//! The file-transfer analyzer (udp-file, ASSIGNMENTS.md §3): the request, the block sizes
//! on the wire, the copy byte for byte, and a client that knows when the file has ended.

pub mod blocks;
mod checks;
pub mod completion;
pub mod copy;
mod handout;
mod params;
mod plugin;

pub use checks::{FileTransferEvidence, run_checks};
pub use params::FileTransferParams;
pub use plugin::FileTransferJudge;

#[cfg(test)]
mod tests;
