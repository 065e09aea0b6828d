//! Why a tcp-over-udp peer stopped before its connection ended as it should.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use super::event::Awaiting;
use crate::address::AddressError;

/// Why a tcp-over-udp peer stopped: the client before its close, the server at all.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The host and port gave no address.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// The peer's own socket could not be made.
    #[error("cannot bind a udp socket on {local}")]
    Bind {
        local: SocketAddr,
        source: io::Error,
    },
    /// A datagram could not be sent.
    #[error("cannot send to {peer}")]
    Send { peer: SocketAddr, source: io::Error },
    /// Waiting for or reading a datagram failed.
    #[error("cannot receive on {local}")]
    Receive {
        local: SocketAddr,
        source: io::Error,
    },
    /// The client's input could not be read.
    #[error("cannot read the input")]
    Input { source: io::Error },
    /// The server could not write the received bytes (stdout closed, say).
    #[error("cannot write the received bytes")]
    Output { source: io::Error },
    /// A log line could not be written.
    #[error("cannot write the log")]
    Log { source: io::Error },
    /// The client made no progress for `idle`.
    #[error(
        "gave up: no progress for {} while waiting for {awaiting}",
        humantime::format_duration(*.idle)
    )]
    GaveUp { idle: Duration, awaiting: Awaiting },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn giving_up_says_how_long_and_for_what() {
        let error = PeerError::GaveUp {
            idle: Duration::from_secs(10),
            awaiting: Awaiting::SynAck,
        };
        assert_eq!(
            error.to_string(),
            "gave up: no progress for 10s while waiting for the SYN|ACK"
        );
    }
}
