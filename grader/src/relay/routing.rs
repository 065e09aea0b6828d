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

use crate::evidence::Role;
use crate::link::Direction;
use crate::netns::NetNamespace;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

/// One socket of the relay.
#[derive(Debug)]
pub struct Endpoint {
    pub socket: UdpSocket,
    /// Which program's network this socket lives in and receives from.
    pub faces: Role,
    pub local: SocketAddr,
}

impl Endpoint {
    pub fn new(socket: UdpSocket, faces: Role) -> io::Result<Endpoint> {
        socket.set_nonblocking(true)?;
        nix::sys::socket::setsockopt(
            &socket,
            nix::sys::socket::sockopt::ReceiveTimestampns,
            &true,
        )
        .map_err(io::Error::from)?;
        enlarge_receive_buffer(&socket);
        let local = socket.local_addr()?;
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
fn enlarge_receive_buffer(socket: &UdpSocket) {
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
        client: Arc<NetNamespace>,
        server: Arc<NetNamespace>,
        /// Every address bound in either namespace, claimed under this lock before the
        /// bind, by the relay thread and by discovery alike: two binders racing for one
        /// address would otherwise leave one of them without it.
        claims: Claims,
    },
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
            Routing::Mirror {
                client,
                server,
                claims,
            } => {
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
                let namespace = match other {
                    Role::Client => Arc::clone(client),
                    Role::Server => Arc::clone(server),
                };
                let socket = namespace
                    .run_in(move || UdpSocket::bind(source))
                    .ok()?
                    .ok()?;
                endpoints.push(Endpoint::new(socket, other).ok()?);
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
/// gets `0.0.0.0:port`, which discovery mirrors as such).
fn can_send_as(local: SocketAddr, source: SocketAddr) -> bool {
    local.port() == source.port() && (local.ip() == source.ip() || local.ip().is_unspecified())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
