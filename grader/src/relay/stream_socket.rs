//! The TCP relay's sockets, whichever network the programs are on: real TCP sockets
//! (relay and transparent modes), or Unix stream sockets in the programs' socket_wrapper
//! directories (preload mode, where a program's TCP socket is a Unix stream socket named
//! after the address it stands for). The relay speaks in the IP addresses the programs see
//! either way.

use super::socket_dir::{SocketKind, address_of_path, file_name};
use nix::errno::Errno;
use nix::sys::socket::{
    AddressFamily, Backlog, SockFlag, SockType, SockaddrStorage, UnixAddr, bind, connect, listen,
    setsockopt, socket, sockopt,
};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

/// Where the relay reaches the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerNetwork {
    /// Over TCP, in the network namespace of the thread that starts the relay.
    Tcp,
    /// Preload mode: through the server's socket_wrapper directory.
    SocketDir(PathBuf),
}

/// One end of a relayed connection.
#[derive(Debug)]
pub enum RelayStream {
    Tcp(TcpStream),
    /// A Unix stream socket; `bound` is the socket file the relay made for it, removed
    /// when the stream is dropped (a socket file outlives its socket otherwise, and would
    /// keep the address taken for the next connection from the same port).
    Unix {
        stream: UnixStream,
        bound: Option<PathBuf>,
    },
}

impl RelayStream {
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        match self {
            RelayStream::Tcp(stream) => stream.shutdown(how),
            RelayStream::Unix { stream, .. } => stream.shutdown(how),
        }
    }

    /// Sends each write at once (TCP); a Unix stream has no Nagle to turn off.
    pub fn set_nodelay(&self) -> io::Result<()> {
        match self {
            RelayStream::Tcp(stream) => stream.set_nodelay(true),
            RelayStream::Unix { .. } => Ok(()),
        }
    }

    pub fn set_nonblocking(&self) -> io::Result<()> {
        match self {
            RelayStream::Tcp(stream) => stream.set_nonblocking(true),
            RelayStream::Unix { stream, .. } => stream.set_nonblocking(true),
        }
    }

    /// Makes closing the socket send an RST instead of a FIN (linger 0). Best effort: a
    /// socket already reset needs nothing more. A Unix stream has no reset: its peer sees
    /// the connection end (with an error if bytes were left unread).
    pub fn reset_on_close(&self) {
        if let RelayStream::Tcp(stream) = self {
            let _ = setsockopt(
                stream,
                sockopt::Linger,
                &nix::libc::linger {
                    l_onoff: 1,
                    l_linger: 0,
                },
            );
        }
    }

    /// The error a non-blocking connect ended with, if it did.
    pub fn connect_error(&self) -> nix::Result<i32> {
        match self {
            RelayStream::Tcp(stream) => nix::sys::socket::getsockopt(stream, sockopt::SocketError),
            RelayStream::Unix { stream, .. } => {
                nix::sys::socket::getsockopt(stream, sockopt::SocketError)
            }
        }
    }
}

impl Drop for RelayStream {
    fn drop(&mut self) {
        if let RelayStream::Unix {
            bound: Some(path), ..
        } = self
        {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Read for &RelayStream {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        match self {
            RelayStream::Tcp(stream) => (&*stream).read(buffer),
            RelayStream::Unix { stream, .. } => (&*stream).read(buffer),
        }
    }
}

impl Write for &RelayStream {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            RelayStream::Tcp(stream) => (&*stream).write(bytes),
            RelayStream::Unix { stream, .. } => (&*stream).write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsFd for RelayStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            RelayStream::Tcp(stream) => stream.as_fd(),
            RelayStream::Unix { stream, .. } => stream.as_fd(),
        }
    }
}

/// Where the relay accepts the client's connections.
#[derive(Debug)]
pub enum RelayListener {
    Tcp(TcpListener),
    /// Preload mode: a Unix listener in the client's socket_wrapper directory, named after
    /// `address` (the server's address, as the client dials it); its file is removed when
    /// the listener is dropped.
    Wrapped {
        listener: UnixListener,
        address: SocketAddr,
        path: PathBuf,
    },
}

/// A connection just accepted.
#[derive(Debug)]
pub struct Accepted {
    pub stream: RelayStream,
    /// The address the client dialed.
    pub dialed: SocketAddr,
    /// The client's address, as it sees itself.
    pub client: SocketAddr,
}

impl RelayListener {
    /// Listens in `dir` (a socket_wrapper directory) under the name of `address`.
    pub fn wrapped(dir: &Path, address: SocketAddr) -> io::Result<RelayListener> {
        let name = file_name(SocketKind::Tcp, address)
            .ok_or_else(|| io::Error::other(format!("{address} has no socket_wrapper name")))?;
        let path = dir.join(name);
        let listener = UnixListener::bind(&path)?;
        Ok(RelayListener::Wrapped {
            listener,
            address,
            path,
        })
    }

    pub fn set_nonblocking(&self) -> io::Result<()> {
        match self {
            RelayListener::Tcp(listener) => listener.set_nonblocking(true),
            RelayListener::Wrapped { listener, .. } => listener.set_nonblocking(true),
        }
    }

    /// The address clients dial.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match self {
            RelayListener::Tcp(listener) => listener.local_addr(),
            RelayListener::Wrapped { address, .. } => Ok(*address),
        }
    }

    /// Accepts one waiting connection (non-blocking: `WouldBlock` when none waits).
    pub fn accept(&self) -> io::Result<Accepted> {
        match self {
            RelayListener::Tcp(listener) => {
                let (stream, client) = listener.accept()?;
                let dialed = stream.local_addr().or_else(|_| listener.local_addr())?;
                // A dual-stack listener sees an IPv4 client as `::ffff:a.b.c.d`; the
                // client dialed, and is, the IPv4 address.
                Ok(Accepted {
                    stream: RelayStream::Tcp(stream),
                    dialed: canonical(dialed),
                    client: canonical(client),
                })
            }
            RelayListener::Wrapped {
                listener, address, ..
            } => {
                let (stream, peer) = listener.accept()?;
                // socket_wrapper binds a client's socket before it connects, so its name is
                // the client's address; an unnamed peer (not a wrapped program) has none.
                let client = peer
                    .as_pathname()
                    .and_then(address_of_path)
                    .unwrap_or_else(|| SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)));
                Ok(Accepted {
                    stream: RelayStream::Unix {
                        stream,
                        bound: None,
                    },
                    dialed: *address,
                    client,
                })
            }
        }
    }
}

impl Drop for RelayListener {
    fn drop(&mut self) {
        if let RelayListener::Wrapped { path, .. } = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl AsFd for RelayListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            RelayListener::Tcp(listener) => listener.as_fd(),
            RelayListener::Wrapped { listener, .. } => listener.as_fd(),
        }
    }
}

/// Starts a non-blocking connect to the server at `target`, from the client's own port
/// `from` where that is free (so the server sees the address the client really used).
pub fn start_connect(
    network: &ServerNetwork,
    target: SocketAddr,
    from: Option<SocketAddr>,
) -> io::Result<RelayStream> {
    match network {
        ServerNetwork::Tcp => start_tcp_connect(target, from).map(RelayStream::Tcp),
        ServerNetwork::SocketDir(dir) => start_wrapped_connect(dir, target, from),
    }
}

fn start_tcp_connect(target: SocketAddr, from: Option<SocketAddr>) -> io::Result<TcpStream> {
    let family = match target {
        SocketAddr::V4(_) => AddressFamily::Inet,
        SocketAddr::V6(_) => AddressFamily::Inet6,
    };
    let socket = socket(
        family,
        SockType::Stream,
        SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    if let Some(client) = from {
        // The client's port on the server's side too, on the address family and loopback
        // the server is reached at; taken already (the server's own port, say), the
        // kernel picks one, as it would for any client.
        let own = SockaddrStorage::from(SocketAddr::new(target.ip(), client.port()));
        let _ = setsockopt(&socket, sockopt::ReuseAddr, &true)
            .and_then(|()| bind(socket.as_raw_fd(), &own));
    }
    match connect(socket.as_raw_fd(), &SockaddrStorage::from(target)) {
        Ok(()) | Err(Errno::EINPROGRESS) => Ok(TcpStream::from(socket)),
        Err(errno) => Err(errno.into()),
    }
}

/// Listens on `address` as [`TcpListener::bind`] does, except that an IPv6 wildcard whose
/// IPv4 half is taken already (a server that listens on both `0.0.0.0:P` and an
/// IPv6-only `[::]:P`, mirrored one after the other) is bound IPv6-only.
pub fn listen_on(address: SocketAddr) -> io::Result<TcpListener> {
    match TcpListener::bind(address) {
        Err(error)
            if error.kind() == io::ErrorKind::AddrInUse
                && address.is_ipv6()
                && address.ip().is_unspecified() =>
        {
            let socket = socket(
                AddressFamily::Inet6,
                SockType::Stream,
                SockFlag::SOCK_CLOEXEC,
                None,
            )?;
            setsockopt(&socket, sockopt::ReuseAddr, &true)?;
            setsockopt(&socket, sockopt::Ipv6V6Only, &true)?;
            bind(socket.as_raw_fd(), &SockaddrStorage::from(address))?;
            listen(&socket, Backlog::MAXCONN)?;
            Ok(TcpListener::from(socket))
        }
        bound => bound,
    }
}

/// `address`, with an IPv4-mapped IPv6 address (how a dual-stack socket names an IPv4
/// peer) written as the IPv4 address it is.
pub fn canonical(address: SocketAddr) -> SocketAddr {
    SocketAddr::new(address.ip().to_canonical(), address.port())
}

/// Where the server is reached for a client that dialed `dialed`: at `target`, or, where
/// `target` is a wildcard (the server listens on every address), at the address the client
/// dialed, which is local in the server's network too (its loopback, or the run's
/// documentation address), in the family the client used. (The mirror of a wildcard
/// listens on that same wildcard, so an IPv4 one is never dialed over IPv6.)
pub fn reached_at(target: SocketAddr, dialed: SocketAddr) -> SocketAddr {
    if target.ip().is_unspecified() {
        SocketAddr::new(canonical(dialed).ip(), target.port())
    } else {
        target
    }
}

/// The first port tried for the relay's own socket in the server's directory when the
/// client's port is taken there: the start of the dynamic range, as a kernel would pick.
const FIRST_SPARE_PORT: u16 = 49_152;

/// Connects to the server's socket for `target` in its socket_wrapper directory, from a
/// socket the relay binds there under the client's name (or a free one): socket_wrapper
/// tells the server a peer's address from its socket's name, and refuses an unnamed peer.
fn start_wrapped_connect(
    dir: &Path,
    target: SocketAddr,
    from: Option<SocketAddr>,
) -> io::Result<RelayStream> {
    let target_name = file_name(SocketKind::Tcp, target)
        .ok_or_else(|| io::Error::other(format!("{target} has no socket_wrapper name")))?;
    let socket = socket(
        AddressFamily::Unix,
        SockType::Stream,
        SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    let bound = bind_wrapped(&socket, dir, target, from)?;
    let stream = RelayStream::Unix {
        stream: UnixStream::from(socket),
        bound: Some(bound),
    };
    let address = UnixAddr::new(&dir.join(target_name))?;
    match connect(stream.as_fd().as_raw_fd(), &address) {
        Ok(()) | Err(Errno::EINPROGRESS) => Ok(stream),
        // A Unix listener whose queue is full refuses at once rather than later: the
        // caller tries again once the server has had time to accept (`WouldBlock`).
        Err(Errno::EAGAIN) => Err(io::Error::new(
            io::ErrorKind::WouldBlock,
            "the server's queue of connections waiting to be accepted is full",
        )),
        Err(errno) => Err(errno.into()),
    }
}

/// Binds `socket` in `dir` under the client's address `from`, else under the first free
/// port from [`FIRST_SPARE_PORT`]; returns the path.
fn bind_wrapped(
    socket: &OwnedFd,
    dir: &Path,
    target: SocketAddr,
    from: Option<SocketAddr>,
) -> io::Result<PathBuf> {
    // The server's own family: socket_wrapper tells an IPv6 server a peer's address only
    // from an IPv6 socket file.
    let host = target.ip();
    let spare = (FIRST_SPARE_PORT..=u16::MAX).map(|port| SocketAddr::from((host, port)));
    let client = from.map(|from| SocketAddr::from((host, from.port())));
    for address in client.into_iter().chain(spare) {
        if address == target {
            continue;
        }
        let Some(name) = file_name(SocketKind::Tcp, address) else {
            continue;
        };
        let path = dir.join(name);
        match bind(socket.as_raw_fd(), &UnixAddr::new(&path)?) {
            Ok(()) => return Ok(path),
            Err(Errno::EADDRINUSE) => continue,
            Err(errno) => return Err(errno.into()),
        }
    }
    Err(io::Error::other(format!(
        "no free port name left in {}",
        dir.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_wildcard_is_reached_at_the_address_dialed_in_its_family() {
        let wildcard = address("[::]:12100");
        assert_eq!(
            reached_at(wildcard, address("[::ffff:127.0.0.1]:12100")),
            address("127.0.0.1:12100")
        );
        assert_eq!(
            reached_at(wildcard, address("[::1]:12100")),
            address("[::1]:12100")
        );
        assert_eq!(
            reached_at(address("0.0.0.0:12100"), address("192.0.2.1:12100")),
            address("192.0.2.1:12100")
        );
        // A specific address is reached there, whatever was dialed.
        assert_eq!(
            reached_at(address("[::1]:12100"), address("127.0.0.1:12100")),
            address("[::1]:12100")
        );
    }

    /// A server on `0.0.0.0:P` and an IPv6-only `[::]:P`: the second mirror is bound
    /// IPv6-only beside the first, so each family reaches its own.
    #[test]
    fn an_ipv6_wildcard_beside_an_ipv4_one_is_bound_ipv6_only() {
        let ipv4 = TcpListener::bind("0.0.0.0:0").unwrap();
        let port = ipv4.local_addr().unwrap().port();
        let Ok(ipv6) = listen_on(SocketAddr::from((std::net::Ipv6Addr::UNSPECIFIED, port))) else {
            // Where IPv6 is off there is no second wildcard.
            return;
        };
        assert_eq!(ipv6.local_addr().unwrap().port(), port);
        let _v4_client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let _v6_client = TcpStream::connect(("::1", port)).unwrap();
        let (_, from_v4) = ipv4.accept().unwrap();
        let (_, from_v6) = ipv6.accept().unwrap();
        assert!(from_v4.is_ipv4(), "{from_v4}");
        assert_eq!(from_v6.ip(), std::net::Ipv6Addr::LOCALHOST, "{from_v6}");
        // Alone, `[::]` is dual-stack as `TcpListener::bind` makes it.
        drop((ipv4, ipv6));
        let dual = listen_on(SocketAddr::from((std::net::Ipv6Addr::UNSPECIFIED, 0))).unwrap();
        let port = dual.local_addr().unwrap().port();
        let _client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (_, from) = dual.accept().unwrap();
        assert_eq!(canonical(from).ip(), Ipv4Addr::LOCALHOST);
    }
}
