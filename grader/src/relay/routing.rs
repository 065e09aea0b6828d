//! Where a datagram goes: the one thing the relay mode and the transparent bridge do
//! differently.
//!
//! - **Relay (NAT)**: the client sends to the relay's address; the relay forwards to the
//!   server from a socket of its own, and the server's replies go back to the client's last
//!   source address.
//! - **Mirror (transparent)**: each program runs in its own network namespace. A datagram
//!   from `s` to `d` in one namespace is re-sent from `s` to `d` in the other, from a relay
//!   socket bound at `s` there; so each program sees exactly the addresses it would see
//!   without the grader, ephemeral or hard-coded, replies to "the sender" and to a fixed
//!   port alike.
//! - **Mirror (preload)**: the same mirror, where each program's network is a
//!   socket_wrapper directory instead of a namespace (see `socket_dir`).

use super::socket_dir::{WrappedDatagram, address_of_path};
use crate::evidence::Role;
use crate::link::Direction;
use crate::netns::NetNamespace;
use nix::sys::socket::{
    ControlMessageOwned, MsgFlags, SockaddrLike, SockaddrStorage, UnixAddr, recvmsg,
};
use nix::sys::time::TimeSpec;
use std::io;
use std::io::IoSliceMut;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

/// One socket of the relay.
#[derive(Debug)]
pub struct Endpoint {
    pub socket: EndpointSocket,
    /// Which program's network this socket lives in and receives from.
    pub faces: Role,
    /// The address it stands for in that network.
    pub local: SocketAddr,
}

/// A relay socket: a UDP socket (relay and transparent modes), or a Unix datagram socket
/// in a program's socket_wrapper directory (preload mode). Either way the relay speaks in
/// the IP addresses the programs see.
#[derive(Debug)]
pub enum EndpointSocket {
    Udp(UdpSocket),
    Wrapped(WrappedDatagram),
}

impl EndpointSocket {
    pub fn send_to(&self, bytes: &[u8], to: SocketAddr) -> io::Result<usize> {
        match self {
            EndpointSocket::Udp(socket) => socket.send_to(bytes, to),
            EndpointSocket::Wrapped(socket) => socket.send_to(bytes, to),
        }
    }

    /// Reads one waiting datagram (without blocking) into `buffer`.
    pub fn receive(&self, buffer: &mut [u8]) -> nix::Result<Received> {
        match self {
            EndpointSocket::Udp(socket) => {
                receive_from::<SockaddrStorage>(socket.as_fd(), buffer, |storage| {
                    if let Some(v4) = storage.as_sockaddr_in() {
                        return Some(SocketAddr::from((v4.ip(), v4.port())));
                    }
                    // A dual-stack socket names an IPv4 sender `::ffff:a.b.c.d`; it sent
                    // from, and sees itself at, the IPv4 address.
                    storage
                        .as_sockaddr_in6()
                        .map(|v6| SocketAddr::from((v6.ip().to_canonical(), v6.port())))
                })
            }
            // Read as a Unix address: nix's generic storage loses a Unix address's length.
            EndpointSocket::Wrapped(socket) => {
                receive_from::<UnixAddr>(socket.socket.as_fd(), buffer, |unix| {
                    address_of_path(unix.path()?)
                })
            }
        }
    }
}

/// One datagram read from an endpoint.
#[derive(Debug)]
pub struct Received {
    pub length: usize,
    /// The sender, as it sees itself.
    pub source: Option<SocketAddr>,
    /// The kernel's receive timestamp.
    pub wall: Option<TimeSpec>,
}

fn receive_from<A: SockaddrLike>(
    fd: BorrowedFd<'_>,
    buffer: &mut [u8],
    address: impl Fn(&A) -> Option<SocketAddr>,
) -> nix::Result<Received> {
    let mut control = nix::cmsg_space!(TimeSpec);
    let mut iov = [IoSliceMut::new(buffer)];
    let message = recvmsg::<A>(
        fd.as_raw_fd(),
        &mut iov,
        Some(&mut control),
        MsgFlags::MSG_DONTWAIT,
    )?;
    let wall = message.cmsgs().ok().and_then(|mut cmsgs| {
        cmsgs.find_map(|cmsg| match cmsg {
            ControlMessageOwned::ScmTimestampns(stamp) => Some(stamp),
            _ => None,
        })
    });
    Ok(Received {
        length: message.bytes,
        source: message.address.as_ref().and_then(address),
        wall,
    })
}

impl AsFd for EndpointSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            EndpointSocket::Udp(socket) => socket.as_fd(),
            EndpointSocket::Wrapped(socket) => socket.socket.as_fd(),
        }
    }
}

impl Endpoint {
    /// Sends `bytes` to `to`, written in this socket's own family where it is the other
    /// one: an IPv6 mirror of a dual-stack program reaches an IPv4 peer at its mapped
    /// address, and an IPv4 socket reaches a program's `::` wildcard at 127.0.0.1.
    pub fn send_to(&self, bytes: &[u8], to: SocketAddr) -> io::Result<usize> {
        let to = match (&self.socket, self.local, to) {
            (EndpointSocket::Udp(_), SocketAddr::V6(_), SocketAddr::V4(v4)) => {
                let ip = if v4.ip().is_unspecified() {
                    std::net::Ipv4Addr::LOCALHOST
                } else {
                    *v4.ip()
                };
                SocketAddr::from((ip.to_ipv6_mapped(), v4.port()))
            }
            (EndpointSocket::Udp(_), SocketAddr::V4(_), SocketAddr::V6(v6))
                if v6.ip().is_unspecified() =>
            {
                SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, v6.port()))
            }
            _ => to,
        };
        self.socket.send_to(bytes, to)
    }

    pub fn new(socket: UdpSocket, faces: Role) -> io::Result<Endpoint> {
        let local = socket.local_addr()?;
        Endpoint::prepare(EndpointSocket::Udp(socket), faces, local)
    }

    /// A relay socket in `faces`'s socket_wrapper directory, standing for `local`.
    pub fn wrapped(
        socket: WrappedDatagram,
        faces: Role,
        local: SocketAddr,
    ) -> io::Result<Endpoint> {
        Endpoint::prepare(EndpointSocket::Wrapped(socket), faces, local)
    }

    fn prepare(socket: EndpointSocket, faces: Role, local: SocketAddr) -> io::Result<Endpoint> {
        match &socket {
            EndpointSocket::Udp(udp) => udp.set_nonblocking(true)?,
            EndpointSocket::Wrapped(wrapped) => wrapped.socket.set_nonblocking(true)?,
        }
        nix::sys::socket::setsockopt(
            &socket,
            nix::sys::socket::sockopt::ReceiveTimestampns,
            &true,
        )
        .map_err(io::Error::from)?;
        enlarge_receive_buffer(&socket);
        Ok(Endpoint {
            socket,
            faces,
            local,
        })
    }

    /// Datagrams received here travel towards the other program.
    pub fn direction(&self) -> Direction {
        match self.faces {
            Role::Client => Direction::ToServer,
            Role::Server => Direction::ToClient,
        }
    }
}

/// What the relay asks for its receive buffers: a sender's burst (513 blocks of a 1 MiB
/// file at about 4 KiB of kernel memory each) must wait here, not be dropped by the kernel
/// before the relay has seen it — the link decides what is lost, not the grader's socket.
const RECEIVE_BUFFER: usize = 8 << 20;

/// Raises the socket's receive buffer past `net.core.rmem_max` where the grader may (as
/// root, `SO_RCVBUFFORCE`), else as far as the limit allows.
fn enlarge_receive_buffer(socket: &EndpointSocket) {
    use nix::sys::socket::{setsockopt, sockopt};
    // A smaller buffer only makes a flood lossier; the run goes on either way.
    if setsockopt(socket, sockopt::RcvBufForce, &RECEIVE_BUFFER).is_err() {
        let _ = setsockopt(socket, sockopt::RcvBuf, &RECEIVE_BUFFER);
    }
}

/// How the relay routes.
#[derive(Debug)]
pub enum Routing {
    Nat {
        target: SocketAddr,
        /// Where the client last sent from: replies go there.
        client_address: Option<SocketAddr>,
    },
    Mirror {
        networks: Networks,
        /// Every address bound in either network, claimed under this lock before the
        /// bind, by the relay thread and by discovery alike: two binders racing for one
        /// address would otherwise leave one of them without it.
        claims: Claims,
    },
}

/// The programs' two networks a mirror binds in.
#[derive(Clone, Debug)]
pub enum Networks {
    /// Transparent mode: a network namespace each.
    Namespaces {
        client: Arc<NetNamespace>,
        server: Arc<NetNamespace>,
    },
    /// Preload mode: a socket_wrapper directory each.
    SocketDirs { client: PathBuf, server: PathBuf },
}

impl Networks {
    /// A relay endpoint at `address` in the network of `faces`.
    pub fn bind(&self, faces: Role, address: SocketAddr) -> io::Result<Endpoint> {
        match self {
            Networks::Namespaces { client, server } => {
                let namespace = match faces {
                    Role::Client => client,
                    Role::Server => server,
                };
                let socket = namespace
                    .run_in(move || UdpSocket::bind(address))
                    .map_err(io::Error::other)??;
                Endpoint::new(socket, faces)
            }
            Networks::SocketDirs { client, server } => {
                let dir = match faces {
                    Role::Client => client,
                    Role::Server => server,
                };
                Endpoint::wrapped(WrappedDatagram::bind(dir, address)?, faces, address)
            }
        }
    }
}

/// The addresses the relay has bound, and in whose namespace.
pub type Claims = Arc<Mutex<Vec<(Role, SocketAddr)>>>;

/// Where one datagram is to be sent: from which endpoint, to which address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    pub via: usize,
    pub to: SocketAddr,
}

impl Routing {
    /// Routes a datagram that arrived at `endpoints[arrival]` from `source`, binding a new
    /// endpoint in the other namespace when the mirror needs one. `None`: it cannot be
    /// delivered (a reply before the client ever sent, or a port the relay cannot take).
    pub fn route(
        &mut self,
        endpoints: &mut Vec<Endpoint>,
        handed_over: &Receiver<Endpoint>,
        arrival: usize,
        source: Option<SocketAddr>,
    ) -> Option<Route> {
        let faces = endpoints[arrival].faces;
        match self {
            Routing::Nat {
                target,
                client_address,
            } => match faces {
                Role::Client => {
                    *client_address = source.or(*client_address);
                    let via = endpoints.iter().position(|e| e.faces == Role::Server)?;
                    Some(Route { via, to: *target })
                }
                Role::Server => {
                    let via = endpoints.iter().position(|e| e.faces == Role::Client)?;
                    Some(Route {
                        via,
                        to: (*client_address)?,
                    })
                }
            },
            Routing::Mirror { networks, claims } => {
                let source = source?;
                let to = endpoints[arrival].local;
                let other = match faces {
                    Role::Client => Role::Server,
                    Role::Server => Role::Client,
                };
                let find = |endpoints: &[Endpoint]| {
                    endpoints
                        .iter()
                        .position(|e| e.faces == other && can_send_as(e.local, source))
                };
                if let Some(via) = find(endpoints) {
                    return Some(Route { via, to });
                }
                let mut claimed = claims.lock().ok()?;
                if claimed
                    .iter()
                    .any(|(by, local)| *by == other && can_send_as(*local, source))
                {
                    // Discovery bound it and handed it over before releasing the claim.
                    endpoints.extend(handed_over.try_iter());
                    return find(endpoints).map(|via| Route { via, to });
                }
                endpoints.push(networks.bind(other, source).ok()?);
                claimed.push((other, source));
                Some(Route {
                    via: endpoints.len() - 1,
                    to,
                })
            }
        }
    }
}

/// Whether a socket bound at `local` sends with `source` as its source address: the same
/// address, or the same port on the wildcard address (a program that never called `bind`
/// gets `0.0.0.0:port`, which discovery mirrors as such) of `source`'s family, or on the
/// IPv6 wildcard, whose sockets are dual-stack.
fn can_send_as(local: SocketAddr, source: SocketAddr) -> bool {
    let wildcard = local.ip().is_unspecified() && (local.is_ipv6() || source.is_ipv4());
    local.port() == source.port() && (local.ip() == source.ip() || wildcard)
}

/// Whether sockets bound at `a` and `b` in one network would take the same port: the
/// same address, or the same port with either on the wildcard address (of the other's
/// family, or the dual-stack IPv6 one).
pub fn overlaps(a: SocketAddr, b: SocketAddr) -> bool {
    let covers = |wide: SocketAddr, other: SocketAddr| {
        wide.ip().is_unspecified() && (wide.is_ipv6() || other.is_ipv4())
    };
    a.port() == b.port() && (a.ip() == b.ip() || covers(a, b) || covers(b, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_and_a_specific_address_of_one_port_overlap() {
        let address = |text: &str| text.parse::<SocketAddr>().unwrap();
        assert!(overlaps(address("127.0.0.1:6006"), address("0.0.0.0:6006")));
        assert!(overlaps(address("0.0.0.0:6006"), address("127.0.0.1:6006")));
        assert!(overlaps(
            address("127.0.0.1:6006"),
            address("127.0.0.1:6006")
        ));
        assert!(!overlaps(
            address("127.0.0.1:6006"),
            address("127.0.0.2:6006")
        ));
        assert!(!overlaps(address("0.0.0.0:6006"), address("0.0.0.0:6007")));
        // `[::]` is dual-stack; `0.0.0.0` is IPv4 alone.
        assert!(overlaps(address("[::]:6006"), address("127.0.0.1:6006")));
        assert!(overlaps(address("127.0.0.1:6006"), address("[::]:6006")));
        assert!(!overlaps(address("0.0.0.0:6006"), address("[::1]:6006")));
        assert!(!overlaps(address("[::1]:6006"), address("0.0.0.0:6006")));
    }

    #[test]
    fn a_wildcard_socket_sends_as_any_address_of_its_port() {
        let address = |text: &str| text.parse::<SocketAddr>().unwrap();
        assert!(can_send_as(
            address("127.0.0.1:6006"),
            address("127.0.0.1:6006")
        ));
        assert!(can_send_as(
            address("0.0.0.0:6006"),
            address("127.0.0.1:6006")
        ));
        assert!(!can_send_as(
            address("127.0.0.1:6007"),
            address("127.0.0.1:6006")
        ));
        assert!(!can_send_as(
            address("127.0.0.2:6006"),
            address("127.0.0.1:6006")
        ));
    }

    #[test]
    fn an_ipv6_wildcard_sends_as_both_families_and_an_ipv4_one_as_ipv4_only() {
        let address = |text: &str| text.parse::<SocketAddr>().unwrap();
        assert!(can_send_as(address("[::]:6006"), address("127.0.0.1:6006")));
        assert!(can_send_as(address("[::]:6006"), address("[::1]:6006")));
        assert!(!can_send_as(address("0.0.0.0:6006"), address("[::1]:6006")));
        assert!(!can_send_as(
            address("[::1]:6006"),
            address("127.0.0.1:6006")
        ));
    }

    /// A datagram between a dual-stack program and an IPv4 one crosses families: each
    /// relay socket sends in its own.
    #[test]
    fn each_socket_sends_in_its_own_family() {
        let namespace = match crate::netns::NetNamespace::create() {
            Ok(namespace) => namespace,
            Err(error) => panic!("{error}"),
        };
        namespace
            .run_in(|| {
                let ipv6 = match UdpSocket::bind("[::]:0") {
                    Ok(socket) => socket,
                    // Where IPv6 is off there is nothing to cross.
                    Err(_) => return,
                };
                let ipv4 = UdpSocket::bind("127.0.0.1:0").unwrap();
                let (ipv6_port, ipv4_port) = (
                    ipv6.local_addr().unwrap().port(),
                    ipv4.local_addr().unwrap().port(),
                );
                let ipv6 = Endpoint::new(ipv6, Role::Client).unwrap();
                let ipv4 = Endpoint::new(ipv4, Role::Server).unwrap();
                let wildcard_ipv4 = SocketAddr::from(([0, 0, 0, 0], ipv4_port));
                ipv6.send_to(b"to v4", wildcard_ipv4).unwrap();
                let wildcard_ipv6: SocketAddr = format!("[::]:{ipv6_port}").parse().unwrap();
                ipv4.send_to(b"to v6", wildcard_ipv6).unwrap();
                let mut buffer = [0u8; 16];
                // Loopback delivers a datagram before its send returns.
                let wait = |endpoint: &Endpoint, buffer: &mut [u8]| {
                    endpoint
                        .socket
                        .receive(buffer)
                        .expect("the datagram is there")
                };
                let at_ipv4 = wait(&ipv4, &mut buffer);
                assert_eq!(&buffer[..at_ipv4.length], b"to v4");
                // Seen from the IPv4 socket, the dual-stack sender is IPv4.
                assert_eq!(
                    at_ipv4.source,
                    Some(SocketAddr::from(([127, 0, 0, 1], ipv6_port)))
                );
                let at_ipv6 = wait(&ipv6, &mut buffer);
                assert_eq!(&buffer[..at_ipv6.length], b"to v6");
                // The mapped address is written as the IPv4 one it is.
                assert_eq!(
                    at_ipv6.source,
                    Some(SocketAddr::from(([127, 0, 0, 1], ipv4_port)))
                );
            })
            .unwrap();
    }
}

#[cfg(test)]
mod wrapped_tests {
    use super::*;

    #[test]
    fn a_wrapped_endpoint_names_its_sender_by_the_address_its_file_stands_for() {
        let dir = tempfile::tempdir().unwrap();
        let server: SocketAddr = "127.0.0.1:5005".parse().unwrap();
        let client: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        let networks = Networks::SocketDirs {
            client: dir.path().to_path_buf(),
            server: dir.path().to_path_buf(),
        };
        let receiver = networks.bind(Role::Client, server).unwrap();
        let sender = networks.bind(Role::Client, client).unwrap();
        sender.socket.send_to(b"ping", server).unwrap();
        let mut buffer = [0u8; 16];
        let received = receiver.socket.receive(&mut buffer).unwrap();
        assert_eq!((received.length, received.source), (4, Some(client)));
        assert!(
            received.wall.is_some(),
            "unix datagrams carry receive timestamps too"
        );
    }
}
