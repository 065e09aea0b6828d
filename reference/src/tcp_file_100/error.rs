//! Why a tcp-file-100 peer stopped before its last transfer.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::address::AddressError;
use crate::socket_error::SocketError;

/// Why a tcp-file-100 peer stopped. A transfer that goes wrong on the wire is no error for
/// the server, which counts it as incorrect and goes on; for the client it is one.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The host and port gave no address.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// The socket, or the log, failed.
    #[error(transparent)]
    Socket(#[from] SocketError),
    /// The file to send, or the server's standard file, could not be read.
    #[error("cannot read {}", .path.display())]
    File { path: PathBuf, source: io::Error },
    /// The server's `--dir` is not a directory it can read.
    #[error("cannot store copies in {}", .dir.display())]
    Directory { dir: PathBuf, source: io::Error },
    /// A received copy could not be stored.
    #[error("cannot store {}", .path.display())]
    Store { path: PathBuf, source: io::Error },
    /// The server refused every connection for as long as the client retried.
    #[error(
        "{peer} refused the connection for {}",
        humantime::format_duration(*.retried)
    )]
    Refused {
        peer: SocketAddr,
        retried: Duration,
        source: io::Error,
    },
    /// The client's transfer failed on the wire (a reset, say).
    #[error("transfer {nth} to {peer} failed")]
    Transfer {
        peer: SocketAddr,
        nth: u32,
        source: io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_where_and_how_long() {
        let error = PeerError::Refused {
            peer: "10.0.0.2:5005".parse().unwrap(),
            retried: Duration::from_secs(2),
            source: io::ErrorKind::ConnectionRefused.into(),
        };
        assert_eq!(
            error.to_string(),
            "10.0.0.2:5005 refused the connection for 2s"
        );
        let error = PeerError::Transfer {
            peer: "10.0.0.2:5005".parse().unwrap(),
            nth: 7,
            source: io::ErrorKind::ConnectionReset.into(),
        };
        assert_eq!(error.to_string(), "transfer 7 to 10.0.0.2:5005 failed");
    }
}
