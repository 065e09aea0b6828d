//! Where a program in one of the grader's namespaces sends: a packet socket on the
//! namespace's loopback reports the destination of the first UDP datagram, or of the first
//! TCP connection request (a SYN), that crosses it. `--mode auto` asks this of a client
//! graded alone, to find the port a client that hard-codes its server's address sends to
//! (its socket tables do not say: an unconnected UDP socket has no peer, and a refused
//! connection is gone before it can be read).
//!
//! Only namespaces the grader made hold the socket, so it sees the program's packets and
//! nothing of the machine's. The parsing is sans-IO ([`outbound`]); the socket is a thin
//! loop around it.

use crate::harness::ports::Protocol;
use crate::netns::NetNamespace;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{AddressFamily, MsgFlags, SockFlag, SockProtocol, SockType, recv, socket};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::Instant;

/// A packet a program sent: by which transport, to which address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outbound {
    pub protocol: Protocol,
    pub destination: SocketAddr,
}

impl std::fmt::Display for Outbound {
    /// `sent to UDP 127.0.0.1:12000`, `connected to TCP 127.0.0.1:12100`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = match self.protocol {
            Protocol::Udp => "sent to",
            Protocol::Tcp => "connected to",
        };
        let protocol = self.protocol.name().to_ascii_uppercase();
        write!(f, "{verb} {protocol} {}", self.destination)
    }
}

/// A packet socket on a namespace's loopback, open from before the program starts.
#[derive(Debug)]
pub struct PacketWatch {
    socket: OwnedFd,
}

impl PacketWatch {
    /// Opens the watch in `namespace` (a packet socket needs `CAP_NET_RAW` there, which
    /// the grader holds in the namespaces it makes).
    pub fn open(namespace: &NetNamespace) -> std::io::Result<PacketWatch> {
        let opened = namespace
            .run_in(|| {
                socket(
                    AddressFamily::Packet,
                    SockType::Datagram,
                    SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
                    SockProtocol::EthAll,
                )
            })
            .map_err(std::io::Error::other)?;
        Ok(PacketWatch {
            socket: opened.map_err(std::io::Error::from)?,
        })
    }

    /// The first packet of `protocol` seen, waiting until `deadline` or until `gave_up`
    /// holds (the program exited), checked every few milliseconds; `None` if none came.
    pub fn first(
        &self,
        protocol: Protocol,
        deadline: Instant,
        gave_up: impl Fn() -> bool,
    ) -> Option<Outbound> {
        let mut buffer = vec![0u8; 65_536];
        loop {
            // Everything queued is read before asking whether the program exited, so a
            // client that sent once and died at once is still seen.
            while let Ok(length) =
                recv(self.socket.as_raw_fd(), &mut buffer, MsgFlags::MSG_DONTWAIT)
            {
                match outbound(&buffer[..length.min(buffer.len())]) {
                    Some(packet) if packet.protocol == protocol => return Some(packet),
                    _ => {}
                }
            }
            let now = Instant::now();
            if gave_up() || now >= deadline {
                return None;
            }
            let wait = (deadline - now).min(std::time::Duration::from_millis(5));
            let mut readable = [PollFd::new(self.socket.as_fd(), PollFlags::POLLIN)];
            let millis = u16::try_from(wait.as_millis()).unwrap_or(u16::MAX);
            let _ = poll(&mut readable, PollTimeout::from(millis.max(1)));
        }
    }
}

/// The transport and destination of an IP packet (as a packet socket of type
/// `SOCK_DGRAM` gives it: from the IP header on), when it is a UDP datagram or a TCP
/// connection request (SYN without ACK); `None` for anything else (an ICMP error, a TCP
/// segment of a connection, a packet too short to hold its headers).
pub fn outbound(packet: &[u8]) -> Option<Outbound> {
    let version = packet.first()? >> 4;
    let (next, destination, transport): (u8, IpAddr, &[u8]) = match version {
        4 => {
            let header_length = usize::from(packet.first()? & 0x0f) * 4;
            let destination: [u8; 4] = packet.get(16..20)?.try_into().ok()?;
            (
                *packet.get(9)?,
                IpAddr::V4(Ipv4Addr::from(destination)),
                packet.get(header_length..)?,
            )
        }
        6 => {
            let destination: [u8; 16] = packet.get(24..40)?.try_into().ok()?;
            (
                *packet.get(6)?,
                IpAddr::V6(Ipv6Addr::from(destination)),
                packet.get(40..)?,
            )
        }
        _ => return None,
    };
    let port = u16::from_be_bytes(transport.get(2..4)?.try_into().ok()?);
    let protocol = match next {
        UDP => Protocol::Udp,
        TCP => {
            let flags = *transport.get(13)?;
            if flags & (SYN | ACK) != SYN {
                return None;
            }
            Protocol::Tcp
        }
        _ => return None,
    };
    Some(Outbound {
        protocol,
        destination: SocketAddr::new(destination, port),
    })
}

/// IP protocol numbers, and the TCP flags a connection request carries.
const TCP: u8 = 6;
const UDP: u8 = 17;
const SYN: u8 = 0x02;
const ACK: u8 = 0x10;

#[cfg(test)]
mod tests {
    use super::*;

    /// An IPv4 packet to 127.0.0.1:`port` carrying `transport` (a 20-byte header, no
    /// options; checksums are not looked at).
    fn ipv4(protocol: u8, port: u16, flags: u8) -> Vec<u8> {
        let mut packet = vec![0xa5; 20 + 20];
        packet[0] = 0x45;
        packet[9] = protocol;
        packet[16..20].copy_from_slice(&[127, 0, 0, 1]);
        packet[22..24].copy_from_slice(&port.to_be_bytes());
        packet[20 + 13] = flags;
        packet
    }

    #[test]
    fn a_udp_datagram_and_a_tcp_syn_give_their_destination() {
        let to = |port| SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        assert_eq!(
            outbound(&ipv4(UDP, 12000, 0)),
            Some(Outbound {
                protocol: Protocol::Udp,
                destination: to(12000)
            })
        );
        let syn = outbound(&ipv4(TCP, 12100, SYN)).unwrap();
        assert_eq!(syn.destination, to(12100));
        assert_eq!(syn.to_string(), "connected to TCP 127.0.0.1:12100");
    }

    #[test]
    fn segments_of_a_connection_icmp_and_short_packets_are_not_requests() {
        // The SYN-ACK, and a data segment, go from the server: not where the client sends.
        assert_eq!(outbound(&ipv4(TCP, 12100, SYN | ACK)), None);
        assert_eq!(outbound(&ipv4(TCP, 12100, ACK)), None);
        assert_eq!(outbound(&ipv4(1, 0, 0)), None);
        assert_eq!(outbound(&ipv4(UDP, 12000, 0)[..21]), None);
        assert_eq!(outbound(&[]), None);
    }

    #[test]
    fn an_ipv6_datagram_gives_its_destination() {
        let mut packet = vec![0xa5; 40 + 8];
        packet[0] = 0x60;
        packet[6] = UDP;
        packet[24..40].copy_from_slice(&Ipv6Addr::LOCALHOST.octets());
        packet[42..44].copy_from_slice(&5005u16.to_be_bytes());
        let seen = outbound(&packet).unwrap();
        assert_eq!(seen.to_string(), "sent to UDP [::1]:5005");
    }

    #[test]
    fn a_client_in_a_namespace_is_seen_sending_to_its_hard_coded_port() {
        let Ok(namespace) = NetNamespace::create() else {
            eprintln!("skipped: network namespaces cannot be made here");
            return;
        };
        let watch = PacketWatch::open(&namespace).unwrap();
        namespace
            .run_in(|| {
                let socket = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
                socket
                    .send_to(b"hello", (Ipv4Addr::LOCALHOST, 12000))
                    .unwrap();
            })
            .unwrap();
        let deadline = Instant::now() + std::time::Duration::from_secs(5);
        let seen = watch.first(Protocol::Udp, deadline, || false).unwrap();
        assert_eq!(seen.to_string(), "sent to UDP 127.0.0.1:12000");
        // Nothing of TCP was sent: the watch waits out its deadline.
        assert_eq!(watch.first(Protocol::Tcp, Instant::now(), || false), None);
    }
}
