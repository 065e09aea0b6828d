//! Large socket buffers, so a whole file sent as one unpaced burst fits in the kernel.
//!
//! The server sends every block back to back, as students' servers do; on loopback a
//! datagram that finds the receiver's buffer full is dropped, not delayed, and the default
//! buffer (about 200 KiB) holds fewer than a hundred 2048-byte blocks. 4 MiB holds a 1 MiB
//! file with room to spare. `SO_RCVBUFFORCE` (allowed as root, as in the grader's sandbox)
//! ignores the `rmem_max` cap; plain `SO_RCVBUF` is the fallback, capped but still useful.

use std::io;
use std::os::fd::AsFd;

use nix::sys::socket::{setsockopt, sockopt};

/// The buffer size asked for on each side.
pub const SOCKET_BUFFER_LEN: usize = 4 << 20;

/// Asks for a [`SOCKET_BUFFER_LEN`] receive buffer, past the system cap if privileged.
pub fn enlarge_receive_buffer(socket: impl AsFd) -> io::Result<()> {
    setsockopt(&socket, sockopt::RcvBufForce, &SOCKET_BUFFER_LEN)
        .or_else(|_| setsockopt(&socket, sockopt::RcvBuf, &SOCKET_BUFFER_LEN))
        .map_err(io::Error::from)
}

/// Asks for a [`SOCKET_BUFFER_LEN`] send buffer, past the system cap if privileged.
pub fn enlarge_send_buffer(socket: impl AsFd) -> io::Result<()> {
    setsockopt(&socket, sockopt::SndBufForce, &SOCKET_BUFFER_LEN)
        .or_else(|_| setsockopt(&socket, sockopt::SndBuf, &SOCKET_BUFFER_LEN))
        .map_err(io::Error::from)
}

#[cfg(test)]
mod tests {
    use std::net::UdpSocket;

    use nix::sys::socket::getsockopt;

    use super::*;

    #[test]
    fn buffers_never_shrink() {
        // How far they grow depends on privileges and `rmem_max`; that they do not shrink
        // and that asking succeeds does not.
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let receive = getsockopt(&socket, sockopt::RcvBuf).unwrap();
        let send = getsockopt(&socket, sockopt::SndBuf).unwrap();
        enlarge_receive_buffer(&socket).unwrap();
        enlarge_send_buffer(&socket).unwrap();
        assert!(getsockopt(&socket, sockopt::RcvBuf).unwrap() >= receive);
        assert!(getsockopt(&socket, sockopt::SndBuf).unwrap() >= send);
    }
}
