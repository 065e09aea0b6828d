//! Which addresses the programs in a network namespace have bound, read from the kernel's
//! socket tables.
//!
//! In transparent mode the relay learns where a program listens (or sends from) by
//! watching its namespace, not by asking the program: `/proc/<pid>/net/udp` lists every
//! socket of the namespace that process `pid` is in, whatever language made it.

use super::error::NamespaceError;
use procfs::ProcError;
use procfs::net::TcpState;
use procfs::process::Process;
use std::net::SocketAddr;

/// The local addresses of the UDP sockets (v4 and v6) in the network namespace of process
/// `pid`, sorted, without duplicates and without unbound (port 0) entries.
pub fn bound_udp_addresses(pid: u32) -> Result<Vec<SocketAddr>, NamespaceError> {
    let process = open(pid)?;
    let error = |source| NamespaceError::SocketTable { pid, source };
    let mut addresses: Vec<SocketAddr> = process
        .udp()
        .map_err(error)?
        .into_iter()
        .map(|entry| entry.local_address)
        .collect();
    addresses.extend(
        without_ipv6(process.udp6())
            .map_err(error)?
            .into_iter()
            .map(|entry| entry.local_address),
    );
    Ok(tidy(addresses))
}

/// The local addresses of the TCP sockets in LISTEN state (v4 and v6) in the network
/// namespace of process `pid`, sorted and without duplicates.
pub fn listening_tcp_addresses(pid: u32) -> Result<Vec<SocketAddr>, NamespaceError> {
    let process = open(pid)?;
    let error = |source| NamespaceError::SocketTable { pid, source };
    let mut entries = process.tcp().map_err(error)?;
    entries.extend(without_ipv6(process.tcp6()).map_err(error)?);
    let addresses = entries
        .into_iter()
        .filter(|entry| entry.state == TcpState::Listen)
        .map(|entry| entry.local_address)
        .collect();
    Ok(tidy(addresses))
}

fn open(pid: u32) -> Result<Process, NamespaceError> {
    let error = |source| NamespaceError::SocketTable { pid, source };
    let raw = i32::try_from(pid).map_err(|_| error(ProcError::NotFound(None)))?;
    Process::new(raw).map_err(error)
}

/// An IPv6 table that does not exist (IPv6 disabled in the kernel) holds no sockets. The
/// IPv4 table was read first, so a process that has gone is already reported.
fn without_ipv6<T>(table: Result<Vec<T>, ProcError>) -> Result<Vec<T>, ProcError> {
    match table {
        Err(ProcError::NotFound(_)) => Ok(Vec::new()),
        other => other,
    }
}

/// Sorted (for stable reports and comparisons), deduplicated (several sockets may share
/// an address with `SO_REUSEADDR`), and without port 0.
fn tidy(mut addresses: Vec<SocketAddr>) -> Vec<SocketAddr> {
    addresses.retain(|address| address.port() != 0);
    addresses.sort_unstable();
    addresses.dedup();
    addresses
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netns::NetNamespace;
    use std::net::{Ipv4Addr, Ipv6Addr, TcpListener, UdpSocket};
    use std::sync::Arc;

    fn namespace() -> Arc<NetNamespace> {
        match NetNamespace::create() {
            Ok(namespace) => Arc::new(namespace),
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn lists_the_udp_and_tcp_sockets_of_the_namespace_only() {
        // Private namespaces, so fixed ports cannot collide with anything.
        let namespace = namespace();
        let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, 5005));
        let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, 6006));
        let listen = SocketAddr::from((Ipv4Addr::LOCALHOST, 7007));
        let sockets = namespace
            .run_in(move || {
                let udp = (UdpSocket::bind(v4)?, UdpSocket::bind(v6));
                let tcp = TcpListener::bind(listen)?;
                let connected = std::net::TcpStream::connect(listen)?;
                std::io::Result::Ok((udp, tcp, connected))
            })
            .unwrap()
            .unwrap();
        let ipv6 = sockets.0.1.is_ok();

        // Read through a process in the namespace: a child that waits on its stdin.
        let mut command = std::process::Command::new("cat");
        command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null());
        namespace.enter_before_exec(&mut command).unwrap();
        let mut child = command.spawn().unwrap();
        let pid = child.id();
        let udp = bound_udp_addresses(pid);
        let tcp = listening_tcp_addresses(pid);
        drop(child.stdin.take());
        child.wait().unwrap();

        let mut expected = vec![v4];
        if ipv6 {
            expected.push(v6);
        }
        assert_eq!(udp.unwrap(), expected);
        // The connected pair is not listening; only the listener counts.
        assert_eq!(tcp.unwrap(), [listen]);
        drop(sockets);

        let own = bound_udp_addresses(std::process::id()).unwrap();
        assert!(!own.contains(&v4), "{own:?}");
    }

    #[test]
    fn a_missing_process_is_an_error_naming_it() {
        let error = bound_udp_addresses(u32::MAX).unwrap_err();
        assert!(
            error.to_string().starts_with(&format!(
                "cannot read the socket table of process {}",
                u32::MAX
            )),
            "{error}"
        );
    }

    #[test]
    fn tidy_sorts_dedups_and_drops_port_zero() {
        let address = |port| SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        assert_eq!(
            tidy(vec![address(9), address(0), address(3), address(9)]),
            [address(3), address(9)]
        );
    }
}
