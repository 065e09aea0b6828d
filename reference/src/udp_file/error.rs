//! Why a udp-file peer stopped before finishing as it should.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::address::AddressError;
use crate::socket_error::SocketError;

/// Why a udp-file peer stopped: the client before the file was complete, the server at all.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The host and port gave no address.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// The socket, or the log, failed.
    #[error(transparent)]
    Socket(#[from] SocketError),
    /// The server's `--dir` is not a directory it can read.
    #[error("cannot serve files from {}", .dir.display())]
    Directory { dir: PathBuf, source: io::Error },
    /// The client's output file could not be created or written.
    #[error("cannot write {}", .path.display())]
    Output { path: PathBuf, source: io::Error },
    /// `--file` has no last component to name the output after, and `--out` is missing.
    #[error("cannot name the output file after {file:?}: give --out")]
    NoOutputName { file: String },
    /// The server stopped sending before the final, short block.
    #[error(
        "transfer incomplete: no block for {} after {bytes} bytes",
        humantime::format_duration(*.idle)
    )]
    Incomplete { idle: Duration, bytes: u64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_transfer_states_the_wait_and_the_bytes() {
        let error = PeerError::Incomplete {
            idle: Duration::from_secs(1),
            bytes: 4096,
        };
        assert_eq!(
            error.to_string(),
            "transfer incomplete: no block for 1s after 4096 bytes"
        );
    }
}
