//! What the rdt3 client and server socket loops share: why they stop, and the size of the
//! receive buffer. Addresses are resolved as for every peer ([`crate::address`]).

pub use crate::address::{AddressError, local_for, resolve};
use crate::socket_error::SocketError;

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
    /// The socket, or the log, failed.
    #[error(transparent)]
    Socket(#[from] SocketError),
}
