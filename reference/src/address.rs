//! Turning `--host`/`--port` into socket addresses, the same way for every peer.
//!
//! Client and server resolve alike so that `--host localhost` on each side meets: IPv4 is
//! preferred, because the handouts and the servers' default (`127.0.0.1`) are IPv4 while
//! `localhost` often resolves to `::1` first.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

/// Why a host and port gave no address.
#[derive(Debug, thiserror::Error)]
pub enum AddressError {
    /// The resolver failed.
    #[error("cannot resolve {host}:{port}")]
    Resolve {
        host: String,
        port: u16,
        source: io::Error,
    },
    /// The resolver answered with no address.
    #[error("{host}:{port} resolves to no address")]
    NoAddress { host: String, port: u16 },
}

/// The address for `host` (a name or a literal) and `port`, IPv4 preferred.
pub fn resolve(host: &str, port: u16) -> Result<SocketAddr, AddressError> {
    let addresses: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|source| AddressError::Resolve {
            host: host.to_owned(),
            port,
            source,
        })?
        .collect();
    prefer_ipv4(&addresses).ok_or_else(|| AddressError::NoAddress {
        host: host.to_owned(),
        port,
    })
}

/// The first IPv4 address of a resolver's answer, else its first address.
fn prefer_ipv4(addresses: &[SocketAddr]) -> Option<SocketAddr> {
    addresses
        .iter()
        .find(|address| address.is_ipv4())
        .or_else(|| addresses.first())
        .copied()
}

/// Where a client talking to `peer` binds: the loopback of the same family when the peer
/// is on loopback (so the socket is reachable from nowhere else), otherwise the unspecified
/// address of that family; always an ephemeral port.
pub fn local_for(peer: SocketAddr) -> SocketAddr {
    let ip = match peer.ip() {
        IpAddr::V4(ip) if ip.is_loopback() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(ip) if ip.is_loopback() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    SocketAddr::new(ip, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_addresses_resolve_as_given() {
        assert_eq!(
            resolve("127.0.0.1", 5005).unwrap(),
            "127.0.0.1:5005".parse().unwrap()
        );
        assert_eq!(resolve("::1", 5005).unwrap(), "[::1]:5005".parse().unwrap());
    }

    #[test]
    fn resolving_prefers_ipv4() {
        // What `localhost` resolves to depends on the machine's hosts file; the choice
        // among the answers does not.
        let answer: Vec<SocketAddr> = ["[::1]:7", "127.0.0.1:7"]
            .map(|a| a.parse().unwrap())
            .to_vec();
        assert_eq!(prefer_ipv4(&answer), Some("127.0.0.1:7".parse().unwrap()));
        assert_eq!(prefer_ipv4(&answer[..1]), Some("[::1]:7".parse().unwrap()));
        assert_eq!(prefer_ipv4(&[]), None);
        assert_eq!(
            resolve("127.0.0.1", 7).unwrap(),
            "127.0.0.1:7".parse().unwrap()
        );
    }

    #[test]
    fn client_binds_the_matching_family() {
        let local = |peer: &str| local_for(peer.parse().unwrap()).to_string();
        assert_eq!(local("127.0.0.1:5005"), "127.0.0.1:0");
        assert_eq!(local("10.1.2.3:5005"), "0.0.0.0:0");
        assert_eq!(local("[::1]:5005"), "[::1]:0");
        assert_eq!(local("[2001:db8::1]:5005"), "[::]:0");
    }
}
