//! Whether a program holds its end of a TCP connection, asked of the kernel the way `ss`
//! asks it (a sock_diag lookup of one socket by its addresses).
//!
//! A connection the kernel has completed but the server's program has not yet taken with
//! `accept()` waits in the listening socket's queue as a socket without a file: its inode
//! is 0. Once `accept()` returns it, it has one, until the program closes it. The relay lets
//! the client's next connection through only once the server has taken the one before (see
//! [`super::admission`]), and the time it sees that is when the server's own clock for the
//! transfer can have started. On the client's side, a socket the client still holds when
//! the relay passes it the server's end of stream shows the client waited for it.
//!
//! The messages are built and read here as byte views with named field ranges
//! ([`request`], [`reply`]), so they are tested without a socket; [`AcceptProbe`] is the
//! thin part that sends them.

use nix::sys::socket::{
    AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, recv, sendto, socket,
};
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, OwnedFd};

/// Who holds one end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    /// No program yet: completed (or completing) by the kernel, it waits in a listening
    /// socket's queue for `accept()`.
    Queue,
    /// A program has it open (on a server's side: `accept()` returned it).
    Program,
    /// Nobody: closing or gone (its program closed it, or the connection was reset).
    Nobody,
}

/// A sock_diag socket in the calling thread's network namespace.
#[derive(Debug)]
pub struct AcceptProbe {
    socket: OwnedFd,
    sequence: u32,
}

impl AcceptProbe {
    /// Opens the probe in the calling thread's network namespace (the one the relay
    /// reaches the server from). Fails where the kernel has no sock_diag for TCP.
    pub fn open() -> io::Result<AcceptProbe> {
        let socket = socket(
            AddressFamily::Netlink,
            SockType::Datagram,
            SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
            SockProtocol::NetlinkSockDiag,
        )?;
        Ok(AcceptProbe {
            socket,
            sequence: 0,
        })
    }

    /// Who holds the socket whose own address is `local` and whose peer is `peer` (for
    /// the server's side of a relayed connection: the server's address as the relay
    /// dialed it, and the relay's end). Both in one family: an IPv4 connection to a
    /// dual-stack listener is looked up by its IPv4 addresses.
    pub fn holder(&mut self, local: SocketAddr, peer: SocketAddr) -> io::Result<Holder> {
        if local.is_ipv4() != peer.is_ipv4() {
            return Err(io::Error::other(format!(
                "{local} and {peer} are of different address families"
            )));
        }
        self.sequence = self.sequence.wrapping_add(1);
        let message = request::emit(self.sequence, local, peer);
        sendto(
            self.socket.as_raw_fd(),
            &message,
            &NetlinkAddr::new(0, 0),
            MsgFlags::empty(),
        )?;
        // The kernel answers within the send; a second message (the end of a dump) is
        // never sent for a lookup of one socket.
        let mut buffer = [0u8; 512];
        let length = recv(self.socket.as_raw_fd(), &mut buffer, MsgFlags::empty())?;
        reply::parse(&buffer[..length], self.sequence)
    }
}

/// A lookup of one TCP socket: a netlink header and an `inet_diag_req_v2`.
pub mod request {
    use std::net::{IpAddr, SocketAddr};

    /// `SOCK_DIAG_BY_FAMILY`.
    pub const SOCK_DIAG_BY_FAMILY: u16 = 20;
    const NLM_F_REQUEST: u16 = 1;
    const AF_INET: u8 = 2;
    const AF_INET6: u8 = 10;
    const IPPROTO_TCP: u8 = 6;
    /// The lookup matches any socket cookie.
    const NO_COOKIE: [u8; 8] = [0xff; 8];

    /// Byte ranges of the request (the netlink header, then `inet_diag_req_v2`, whose
    /// `inet_diag_sockid` names the socket by its own view: source is its local end).
    pub mod field {
        use std::ops::Range;
        pub const LENGTH: Range<usize> = 0..4;
        pub const TYPE: Range<usize> = 4..6;
        pub const FLAGS: Range<usize> = 6..8;
        pub const SEQUENCE: Range<usize> = 8..12;
        pub const PORT_ID: Range<usize> = 12..16;
        pub const FAMILY: usize = 16;
        pub const PROTOCOL: usize = 17;
        pub const EXTENSIONS: usize = 18;
        pub const PAD: usize = 19;
        pub const STATES: Range<usize> = 20..24;
        pub const SOURCE_PORT: Range<usize> = 24..26;
        pub const DESTINATION_PORT: Range<usize> = 26..28;
        pub const SOURCE: Range<usize> = 28..44;
        pub const DESTINATION: Range<usize> = 44..60;
        pub const INTERFACE: Range<usize> = 60..64;
        pub const COOKIE: Range<usize> = 64..72;
    }

    /// The request's length.
    pub const LENGTH: usize = field::COOKIE.end;

    /// The lookup of the socket whose own address is `local` and whose peer is `peer`
    /// (both of `local`'s family).
    pub fn emit(sequence: u32, local: SocketAddr, peer: SocketAddr) -> Vec<u8> {
        let mut message = vec![0u8; LENGTH];
        emit_into(&mut message, sequence, local, peer);
        message
    }

    /// [`emit`] into a buffer of [`LENGTH`] bytes, writing every byte of it.
    pub fn emit_into(message: &mut [u8], sequence: u32, local: SocketAddr, peer: SocketAddr) {
        message[field::LENGTH].copy_from_slice(&(LENGTH as u32).to_ne_bytes());
        message[field::TYPE].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
        message[field::FLAGS].copy_from_slice(&NLM_F_REQUEST.to_ne_bytes());
        message[field::SEQUENCE].copy_from_slice(&sequence.to_ne_bytes());
        message[field::PORT_ID].copy_from_slice(&0u32.to_ne_bytes());
        message[field::FAMILY] = if local.is_ipv4() { AF_INET } else { AF_INET6 };
        message[field::PROTOCOL] = IPPROTO_TCP;
        message[field::EXTENSIONS] = 0;
        message[field::PAD] = 0;
        // Every state: a lookup of one socket by its addresses does not filter on them.
        message[field::STATES].copy_from_slice(&u32::MAX.to_ne_bytes());
        message[field::SOURCE_PORT].copy_from_slice(&local.port().to_be_bytes());
        message[field::DESTINATION_PORT].copy_from_slice(&peer.port().to_be_bytes());
        for (range, address) in [(field::SOURCE, local), (field::DESTINATION, peer)] {
            let slot = &mut message[range];
            slot.fill(0);
            match address.ip() {
                IpAddr::V4(v4) => slot[..4].copy_from_slice(&v4.octets()),
                IpAddr::V6(v6) => slot.copy_from_slice(&v6.octets()),
            }
        }
        message[field::INTERFACE].copy_from_slice(&0u32.to_ne_bytes());
        message[field::COOKIE].copy_from_slice(&NO_COOKIE);
    }
}

/// The kernel's answer: an `inet_diag_msg`, or a netlink error.
pub mod reply {
    use super::Holder;
    use std::io;

    const NLMSG_ERROR: u16 = 2;
    const HEADER: usize = 16;

    /// Byte ranges of the reply (the netlink header, then `inet_diag_msg`, or the error
    /// code of an `nlmsgerr`).
    pub mod field {
        use std::ops::Range;
        pub const LENGTH: Range<usize> = 0..4;
        pub const TYPE: Range<usize> = 4..6;
        pub const SEQUENCE: Range<usize> = 8..12;
        pub const ERROR: Range<usize> = 16..20;
        pub const STATE: usize = 17;
        pub const DESTINATION_PORT: Range<usize> = 22..24;
        pub const INODE: Range<usize> = 84..88;
    }

    /// TCP states, as `include/net/tcp_states.h` numbers them.
    mod state {
        pub const ESTABLISHED: u8 = 1;
        pub const SYN_RECV: u8 = 3;
        pub const CLOSE_WAIT: u8 = 8;
        pub const LISTEN: u8 = 10;
        pub const NEW_SYN_RECV: u8 = 12;
    }

    /// Reads the answer to request `sequence`.
    pub fn parse(message: &[u8], sequence: u32) -> io::Result<Holder> {
        let malformed = |what: &str| io::Error::other(format!("sock_diag reply: {what}"));
        let read_u32 = |range: std::ops::Range<usize>| {
            message
                .get(range)
                .map(|bytes| u32::from_ne_bytes(bytes.try_into().unwrap_or_default()))
        };
        let length = read_u32(field::LENGTH).ok_or_else(|| malformed("too short"))?;
        if (length as usize) > message.len() || (length as usize) < HEADER {
            return Err(malformed("its length does not fit"));
        }
        if read_u32(field::SEQUENCE) != Some(sequence) {
            return Err(malformed("it answers another request"));
        }
        let kind = message
            .get(field::TYPE)
            .map(|bytes| u16::from_ne_bytes([bytes[0], bytes[1]]));
        if kind == Some(NLMSG_ERROR) {
            let code = read_u32(field::ERROR).ok_or_else(|| malformed("no error code"))? as i32;
            return match -code {
                // No such connection: that end is gone.
                nix::libc::ENOENT => Ok(Holder::Nobody),
                errno => Err(io::Error::from_raw_os_error(errno)),
            };
        }
        let state = *message
            .get(field::STATE)
            .ok_or_else(|| malformed("no state"))?;
        let inode = read_u32(field::INODE).ok_or_else(|| malformed("no inode"))?;
        let peer_port = message.get(field::DESTINATION_PORT);
        // A lookup that finds no connection falls back to the listening socket, which has
        // no peer: the connection is not there.
        if state == state::LISTEN || peer_port == Some(&[0, 0]) {
            return Ok(Holder::Nobody);
        }
        Ok(match (inode, state) {
            (0, state::SYN_RECV | state::NEW_SYN_RECV | state::ESTABLISHED | state::CLOSE_WAIT) => {
                Holder::Queue
            }
            // A socket the program closed has no file any more either, but it is past
            // the queue: FIN-WAIT, CLOSING, LAST-ACK, TIME-WAIT.
            (0, _) => Holder::Nobody,
            _ => Holder::Program,
        })
    }
}

#[cfg(test)]
#[path = "accept_probe_tests.rs"]
mod tests;
