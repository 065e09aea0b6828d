//! What the rdt3 client and server socket loops share: why they stop, and the size of the
//! receive buffer. Addresses are resolved as for every peer ([`crate::address`]).

use std::io;
use std::net::SocketAddr;

pub use crate::address::{AddressError, local_for, resolve};

/// Big enough for any UDP datagram, so an oversized one is seen whole (and reported with
/// its true length) rather than silently cut to look like a packet.
pub const MAX_DATAGRAM: usize = 65536;

/// Why a peer's socket loop stopped: the client before every message was acknowledged,
/// the server at all.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The server's address could not be found.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// The client's own socket could not be made.
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
    /// A log line could not be written (stdout closed, say).
    #[error("cannot write the log")]
    Log { source: io::Error },
}
