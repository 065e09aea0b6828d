//! The `hold-port` defect's afterlife: a forked child that keeps the server's socket open
//! after the server itself has exited.
//!
//! It reproduces a real student bug (a child process inheriting the socket), which is why
//! it forks rather than, say, spawning a helper: the port stays bound by a process the
//! server started, and the grader's shutdown check must notice that it cannot bind it.

use std::net::UdpSocket;
use std::thread;

use nix::unistd::{ForkResult, fork};

use super::defect::HOLD_PORT_FOR;
use super::error::PeerError;

/// Forks. The child keeps `socket` open for [`HOLD_PORT_FOR`] and exits with status 0
/// without returning; the parent closes its own copy and returns, free to exit.
///
/// Call it only while the process is single-threaded (as `reference udp-add server` is):
/// the child gets a copy of the calling thread alone, and another thread's locks would
/// stay locked in it forever.
pub fn hold_in_child(socket: UdpSocket) -> Result<(), PeerError> {
    #[expect(
        unsafe_code,
        reason = "fork is sound here: the server is single-threaded, and the child only \
                  sleeps and exits, touching no lock another thread could hold"
    )]
    // SAFETY: see the reason above; the caller guarantees a single thread.
    let forked = unsafe { fork() };
    match forked.map_err(|errno| PeerError::Fork {
        source: errno.into(),
    })? {
        ForkResult::Parent { .. } => {
            drop(socket);
            Ok(())
        }
        ForkResult::Child => {
            thread::sleep(HOLD_PORT_FOR);
            drop(socket);
            std::process::exit(0)
        }
    }
}
