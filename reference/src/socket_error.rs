//! Why a peer's socket, or the log it writes, failed: the failures every peer shares,
//! in the same words for every peer, written once.
//!
//! Each assignment's `PeerError` wraps [`SocketError`] transparently (the same message
//! and the same chain of causes, so `error: cannot send to 127.0.0.1:5005: Connection
//! refused` reads as before) and adds what only that assignment can fail on.

use std::io;
use std::net::SocketAddr;

/// Why a socket operation, or writing the log, failed.
#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    /// A UDP peer's own socket could not be made.
    #[error("cannot bind a udp socket on {local}")]
    Bind {
        local: SocketAddr,
        source: io::Error,
    },
    /// A TCP server could not listen.
    #[error("cannot listen for tcp connections on {local}")]
    Listen {
        local: SocketAddr,
        source: io::Error,
    },
    /// A TCP server's `accept()` failed.
    #[error("cannot accept a connection on {local}")]
    Accept {
        local: SocketAddr,
        source: io::Error,
    },
    /// A TCP client could not connect.
    #[error("cannot connect to {peer}")]
    Connect { peer: SocketAddr, source: io::Error },
    /// A datagram, or bytes on a connection, could not be sent (the peer reset the
    /// connection, say).
    #[error("cannot send to {peer}")]
    Send { peer: SocketAddr, source: io::Error },
    /// Waiting for or reading a datagram on the peer's own UDP socket failed.
    #[error("cannot receive on {local}")]
    Receive {
        local: SocketAddr,
        source: io::Error,
    },
    /// Bytes could not be received from a TCP connection.
    #[error("cannot receive from {peer}")]
    ReceiveFrom { peer: SocketAddr, source: io::Error },
    /// A log line could not be written (stdout closed, say).
    #[error("cannot write the log")]
    Log { source: io::Error },
}

#[cfg(test)]
mod tests {
    use std::error::Error;

    use super::*;

    #[test]
    fn messages_name_the_address_and_keep_the_cause() {
        let address: SocketAddr = "127.0.0.1:5005".parse().unwrap();
        let refused = || io::Error::from(io::ErrorKind::ConnectionRefused);
        for (error, message) in [
            (
                SocketError::Bind {
                    local: address,
                    source: refused(),
                },
                "cannot bind a udp socket on 127.0.0.1:5005",
            ),
            (
                SocketError::Listen {
                    local: address,
                    source: refused(),
                },
                "cannot listen for tcp connections on 127.0.0.1:5005",
            ),
            (
                SocketError::Accept {
                    local: address,
                    source: refused(),
                },
                "cannot accept a connection on 127.0.0.1:5005",
            ),
            (
                SocketError::Connect {
                    peer: address,
                    source: refused(),
                },
                "cannot connect to 127.0.0.1:5005",
            ),
            (
                SocketError::Send {
                    peer: address,
                    source: refused(),
                },
                "cannot send to 127.0.0.1:5005",
            ),
            (
                SocketError::Receive {
                    local: address,
                    source: refused(),
                },
                "cannot receive on 127.0.0.1:5005",
            ),
            (
                SocketError::ReceiveFrom {
                    peer: address,
                    source: refused(),
                },
                "cannot receive from 127.0.0.1:5005",
            ),
            (
                SocketError::Log { source: refused() },
                "cannot write the log",
            ),
        ] {
            assert_eq!(error.to_string(), message);
            assert!(error.source().is_some(), "{message}");
        }
    }
}
