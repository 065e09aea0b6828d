//! Why a udp-add peer stopped before finishing as it should.

use std::io;
use std::time::Duration;

use crate::address::AddressError;
use crate::socket_error::SocketError;

/// Why a udp-add peer's socket loop stopped: the client before printing its summary (or
/// its verdict on a bad number), the server before an out-of-range number.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The host and port gave no address.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// The socket, or the log, failed.
    #[error(transparent)]
    Socket(#[from] SocketError),
    /// Stdin could not be read.
    #[error("cannot read the integer from stdin")]
    Input { source: io::Error },
    /// Stdin ended before a line was typed.
    #[error("no integer on stdin")]
    NoInput,
    /// The server did not answer an in-range number in time.
    #[error("no reply from the server within {}", humantime::format_duration(*.timeout))]
    NoReply { timeout: Duration },
    /// The server's reply holds no integer.
    #[error("the server's reply holds no integer: {reply:?}")]
    MalformedReply { reply: String },
    /// The `hold-port` defect could not fork its child.
    #[error("cannot fork the process that holds the port")]
    Fork { source: io::Error },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_state_the_wait() {
        let error = PeerError::NoReply {
            timeout: Duration::from_secs(2),
        };
        assert_eq!(error.to_string(), "no reply from the server within 2s");
        assert_eq!(PeerError::NoInput.to_string(), "no integer on stdin");
    }
}
