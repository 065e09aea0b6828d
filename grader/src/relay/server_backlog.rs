//! Whether the server has read everything the client has sent it through the TCP relay:
//! the typing gate's view, so that a line is typed only once the server has taken the
//! one before (else a line-by-line typist would be judged on segments joined in a queue).
//!
//! The client's bytes can be held on their way in four places: the relay's socket from the
//! client (sent, not yet read by the relay: `SIOCINQ` on it); the relay itself (read, not
//! yet written on), counted here; the relay's socket to the server (written, not yet
//! taken by the server's socket: `SIOCOUTQ`, unacknowledged bytes on TCP); and the
//! server's socket. A TCP socket's queue is in the server's socket table, which the
//! scenario reads itself. A Unix stream socket (preload mode) shows no queue there, but
//! what its reader has not read is still charged to the relay's sending socket, so
//! `SIOCOUTQ` on it covers the last place too.

use crate::harness::queued_bytes::{Queue, queued};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// A shared view of one relay's bytes on their way to the server.
#[derive(Clone, Debug, Default)]
pub struct ServerBacklog {
    /// Bytes read from the client and not yet written to the server.
    pub holding: Arc<AtomicU64>,
    /// Each live connection's sockets, by connection number (copies of the relay's own
    /// descriptors, dropped when their connection is over).
    watched: Arc<Mutex<Vec<Watched>>>,
}

impl ServerBacklog {
    /// A backlog that counts held bytes in `holding` (the relay's recorder's count).
    pub fn new(holding: Arc<AtomicU64>) -> ServerBacklog {
        ServerBacklog {
            holding,
            watched: Arc::default(),
        }
    }

    /// Whether nothing the client sent is left unread by the server, as far as the relay
    /// can see (the server's TCP queues are the caller's to check).
    pub fn is_clear(&self) -> bool {
        if self.holding.load(Ordering::SeqCst) != 0 {
            return false;
        }
        self.watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .all(|watched| {
                let clear = |unread: Option<i32>| unread.is_none_or(|unread| unread == 0);
                clear(queued(watched.from_client.as_fd(), Queue::Unread))
                    && watched
                        .to_server
                        .as_ref()
                        .is_none_or(|socket| clear(queued(socket.as_fd(), Queue::Unsent)))
            })
    }

    /// Watches connection `nth` from the moment it is accepted: the relay's socket from the
    /// client (the connection may wait in the relay before it reaches the server).
    pub fn watch(&self, nth: u32, from_client: OwnedFd) {
        self.watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Watched {
                nth,
                from_client,
                to_server: None,
            });
    }

    /// Connection `nth` has reached the server: its socket to the server is watched too.
    pub fn reached_server(&self, nth: u32, to_server: OwnedFd) {
        if let Some(watched) = self
            .watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter_mut()
            .find(|watched| watched.nth == nth)
        {
            watched.to_server = Some(to_server);
        }
    }

    /// The relay has stopped: no socket of it is watched (nor kept open) any longer.
    pub fn forget_all(&self) {
        self.watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Connection `nth` is over: its socket no longer holds anything for the server.
    pub fn forget(&self, nth: u32) {
        self.watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|watched| watched.nth != nth);
    }
}

/// One live connection's sockets.
#[derive(Debug)]
struct Watched {
    nth: u32,
    from_client: OwnedFd,
    to_server: Option<OwnedFd>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;

    #[test]
    fn unread_bytes_on_either_side_of_the_relay_hold_the_gate_until_read() {
        let (mut relay_side, mut server_side) = UnixStream::pair().unwrap();
        let (mut client_side, mut from_client) = UnixStream::pair().unwrap();
        let backlog = ServerBacklog::default();
        backlog.watch(1, OwnedFd::from(from_client.try_clone().unwrap()));
        assert!(backlog.is_clear());
        backlog.reached_server(1, OwnedFd::from(relay_side.try_clone().unwrap()));
        client_side.write_all(b"typed\n").unwrap();
        assert!(!backlog.is_clear(), "the relay has not read it yet");
        let mut typed = [0u8; 6];
        from_client.read_exact(&mut typed).unwrap();
        assert!(backlog.is_clear());
        relay_side.write_all(b"a line\n").unwrap();
        assert!(!backlog.is_clear());
        let mut read = [0u8; 7];
        server_side.read_exact(&mut read).unwrap();
        assert!(backlog.is_clear());
        relay_side.write_all(b"unread").unwrap();
        backlog.forget(1);
        assert!(backlog.is_clear());
        backlog.holding.store(3, Ordering::SeqCst);
        assert!(!backlog.is_clear());
    }
}
