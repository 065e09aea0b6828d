//! The repeated-transfer analyzer (tcp-file-100, ASSIGNMENTS.md §6): one connection per
//! transfer, every stored copy and the server's own count of bad ones, the required lines
//! for every transfer, times that are milliseconds and fit the connections, the average,
//! and an address that is not the loopback.

mod checks;
pub mod copies;
mod handout;
pub mod lines;
pub mod network;
mod params;
mod plugin;
pub mod timing;

pub use checks::{COMPLETION, RepeatedTransferEvidence, ordinal, run_checks};
pub use params::{RepeatedTransferParams, TransferLines};
pub use plugin::{RepeatedTransferJudge, TransferMatchers};

#[cfg(test)]
mod tests;
