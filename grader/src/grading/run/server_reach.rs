//! Relay mode: where the relay reaches the server, and where it waits for the client, in
//! the address family each program uses. A server told `{port}` may listen on
//! `127.0.0.1`, `0.0.0.0`, `::` (dual-stack, as Java's ServerSocket does) or `::1` alone;
//! a client may dial `127.0.0.1` or `::1` (`localhost` is `::1` first on most systems).
//! On a real loopback each of them meets the other where their families meet, so the
//! relay, which stands between them, does too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, UdpSocket};

/// Where the relay reaches a server that was told `host` and `port` and is seen bound (or
/// listening) on `bound` (its socket table, any port): at `host` while it has an IPv4
/// address on the port (`0.0.0.0`, the loopback or the documentation address); at
/// `::1` when it has only IPv6 ones (`::1`, or `::` on a loopback case), as an IPv6
/// client would reach it; a `::` with a documentation address at that address (its
/// dual stack takes IPv4 too), since the case forbids the loopback.
pub(super) fn server_target(
    host: Ipv4Addr,
    documentation_address: bool,
    port: u16,
    bound: &[SocketAddr],
) -> SocketAddr {
    let on_port: Vec<IpAddr> = bound
        .iter()
        .filter(|address| address.port() == port)
        .map(SocketAddr::ip)
        .collect();
    let ipv6_only = !on_port.is_empty() && on_port.iter().all(IpAddr::is_ipv6);
    let loopback_only = on_port.contains(&IpAddr::V6(Ipv6Addr::LOCALHOST));
    if ipv6_only && (loopback_only || !documentation_address) {
        SocketAddr::from((Ipv6Addr::LOCALHOST, port))
    } else {
        SocketAddr::from((host, port))
    }
}

/// Binds the relay's TCP listener for the client: in a private namespace on every address
/// of both families (`[::]`, dual-stack: `127.0.0.1`, `::1` and the documentation address
/// alike), falling back to `ipv4` where IPv6 is off; on the host's loopback on `ipv4`
/// alone, so that nothing off the machine can reach it.
pub(super) fn client_listener(private: bool, ipv4: SocketAddr) -> std::io::Result<TcpListener> {
    if private && let Ok(listener) = TcpListener::bind((Ipv6Addr::UNSPECIFIED, ipv4.port())) {
        return Ok(listener);
    }
    TcpListener::bind(ipv4)
}

/// Binds the relay's UDP socket for the client, where [`client_listener`] binds its TCP
/// listener: `[::]` (dual-stack) in a private namespace, so a client that sends to `::1`
/// reaches it as one that sends to `127.0.0.1` does; `ipv4` on the host's loopback. Its
/// replies leave from the address each client sent to (the kernel picks the source of a
/// wildcard socket's datagram from the route back, which on the loopback is that address,
/// in the client's family), so a client whose socket is connected takes them.
pub(super) fn client_socket(private: bool, ipv4: SocketAddr) -> std::io::Result<UdpSocket> {
    if private && let Ok(socket) = UdpSocket::bind((Ipv6Addr::UNSPECIFIED, ipv4.port())) {
        return Ok(socket);
    }
    UdpSocket::bind(ipv4)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: Ipv4Addr = Ipv4Addr::LOCALHOST;

    fn address(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_ipv4_listener_is_reached_at_the_host_it_was_told() {
        for bound in ["127.0.0.1:5005", "0.0.0.0:5005"] {
            assert_eq!(
                server_target(HOST, false, 5005, &[address(bound)]),
                address("127.0.0.1:5005"),
                "{bound}"
            );
        }
        // Both families on the port: IPv4, as before.
        assert_eq!(
            server_target(
                HOST,
                false,
                5005,
                &[address("0.0.0.0:5005"), address("[::]:5005")]
            ),
            address("127.0.0.1:5005")
        );
    }

    #[test]
    fn an_ipv6_only_listener_is_reached_at_the_ipv6_loopback() {
        for bound in ["[::1]:5005", "[::]:5005"] {
            assert_eq!(
                server_target(HOST, false, 5005, &[address(bound)]),
                address("[::1]:5005"),
                "{bound}"
            );
        }
        // Another port's IPv6 socket says nothing about this one.
        assert_eq!(
            server_target(
                HOST,
                false,
                5005,
                &[address("[::1]:6006"), address("127.0.0.1:5005")]
            ),
            address("127.0.0.1:5005")
        );
    }

    #[test]
    fn a_documentation_address_reaches_a_dual_stack_server_over_ipv4() {
        let documentation = Ipv4Addr::new(192, 0, 2, 1);
        assert_eq!(
            server_target(documentation, true, 5005, &[address("[::]:5005")]),
            address("192.0.2.1:5005")
        );
        // A server on `::1` alone has only that address.
        assert_eq!(
            server_target(documentation, true, 5005, &[address("[::1]:5005")]),
            address("[::1]:5005")
        );
    }

    /// On the host's loopback the relay's UDP socket is IPv4 alone; in a private
    /// namespace it takes both families. (The wildcard is bound only in a namespace the
    /// test makes, never on the host's network; without one that half is skipped.)
    #[test]
    fn the_udp_socket_for_the_client_is_dual_stack_only_in_a_private_namespace() {
        let ipv4 = address("127.0.0.1:0");
        let host = client_socket(false, ipv4).unwrap();
        assert_eq!(host.local_addr().unwrap().ip(), IpAddr::V4(HOST));
        let Ok(namespace) = crate::netns::NetNamespace::create() else {
            eprintln!("skipped the private half: network namespaces cannot be made here");
            return;
        };
        let sources = namespace
            .run_in(move || {
                let private = client_socket(true, ipv4).unwrap();
                let local = private.local_addr().unwrap();
                if UdpSocket::bind("[::1]:0").is_err() {
                    // IPv6 is off: the IPv4 fallback.
                    assert_eq!(local.ip(), IpAddr::V4(HOST));
                    return Vec::new();
                }
                assert_eq!(local.ip(), IpAddr::V6(Ipv6Addr::UNSPECIFIED));
                private
                    .set_read_timeout(Some(std::time::Duration::from_secs(5)))
                    .unwrap();
                ["127.0.0.1:0", "[::1]:0"]
                    .into_iter()
                    .map(|from| {
                        let sender = UdpSocket::bind(from).unwrap();
                        let sent_from = sender.local_addr().unwrap().ip();
                        sender
                            .send_to(b"x", SocketAddr::new(sent_from, local.port()))
                            .unwrap();
                        let (_, source) = private.recv_from(&mut [0; 4]).unwrap();
                        (sent_from, source.ip().to_canonical())
                    })
                    .collect()
            })
            .unwrap();
        for (sent_from, seen) in sources {
            assert_eq!(seen, sent_from);
        }
    }

    #[test]
    fn nothing_seen_on_the_port_keeps_the_host() {
        assert_eq!(
            server_target(HOST, false, 5005, &[]),
            address("127.0.0.1:5005")
        );
    }
}
