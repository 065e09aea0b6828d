//! Why a tcp-over-udp peer stopped before its connection ended as it should.

use std::io;
use std::time::Duration;

use super::event::Awaiting;
use crate::address::AddressError;
use crate::socket_error::SocketError;

/// Why a tcp-over-udp peer stopped: the client before its close, the server at all.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The host and port gave no address.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// The socket, or the log, failed.
    #[error(transparent)]
    Socket(#[from] SocketError),
    /// The client's input could not be read.
    #[error("cannot read the input")]
    Input { source: io::Error },
    /// The server could not write the received bytes (stdout closed, say).
    #[error("cannot write the received bytes")]
    Output { source: io::Error },
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
