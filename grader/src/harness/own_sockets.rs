//! The internet sockets a program holds: what it bound or listens on, whatever the case
//! expected, so a server that did not start on its port can be told what it did open (a
//! TCP listener where the case is UDP, a UDP socket on a port of its own choosing).
//!
//! A program leads a session of its own (see `process`), so its processes are those of
//! that session. Each one's open descriptors name their sockets by inode
//! (`/proc/<pid>/fd/N` → `socket:[inode]`), and the socket tables of its network namespace
//! (`/proc/<pid>/net/{tcp,tcp6,udp,udp6}`) say what each inode is bound to. Only the
//! program's own sockets count: the namespace may hold the grader's, the relay's or other
//! programs' sockets too.

use super::ports::Protocol;
use procfs::net::TcpState;
use procfs::process::{FDTarget, Process};
use std::collections::BTreeSet;
use std::net::SocketAddr;

/// One socket a program holds, bound to a local address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OwnSocket {
    pub protocol: Protocol,
    pub address: SocketAddr,
    /// For TCP: whether it listens (else it is connected, or only bound).
    pub listening: bool,
}

impl std::fmt::Display for OwnSocket {
    /// `listened on TCP 127.0.0.1:8001`, `bound UDP [::]:5005`: what the program did.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.listening {
            "listened on"
        } else {
            "bound"
        };
        let protocol = self.protocol.name().to_ascii_uppercase();
        write!(f, "{verb} {protocol} {}", self.address)
    }
}

/// The sockets bound to a port (port 0, a socket made but never bound, is left out) by any
/// process of the session `leader` leads, sorted. A process that ends while it is read
/// simply holds nothing; nothing here is an error, since this only adds to a report.
pub fn sockets_of_session(leader: u32) -> Vec<OwnSocket> {
    let Ok(leader) = i32::try_from(leader) else {
        return Vec::new();
    };
    let Ok(processes) = procfs::process::all_processes() else {
        return Vec::new();
    };
    let mut sockets = BTreeSet::new();
    for process in processes.flatten() {
        if process.stat().is_ok_and(|stat| stat.session == leader) {
            sockets.extend(sockets_of(&process));
        }
    }
    sockets.into_iter().collect()
}

/// The bound sockets one process holds.
fn sockets_of(process: &Process) -> Vec<OwnSocket> {
    let Ok(descriptors) = process.fd() else {
        return Vec::new();
    };
    let inodes: BTreeSet<u64> = descriptors
        .flatten()
        .filter_map(|descriptor| match descriptor.target {
            FDTarget::Socket(inode) => Some(inode),
            _ => None,
        })
        .collect();
    if inodes.is_empty() {
        return Vec::new();
    }
    let mut sockets = Vec::new();
    let tcp = [process.tcp(), process.tcp6()];
    for entry in tcp.into_iter().flat_map(Result::unwrap_or_default) {
        if inodes.contains(&entry.inode) {
            sockets.push(OwnSocket {
                protocol: Protocol::Tcp,
                address: entry.local_address,
                listening: entry.state == TcpState::Listen,
            });
        }
    }
    let udp = [process.udp(), process.udp6()];
    for entry in udp.into_iter().flat_map(Result::unwrap_or_default) {
        if inodes.contains(&entry.inode) {
            sockets.push(OwnSocket {
                protocol: Protocol::Udp,
                address: entry.local_address,
                listening: false,
            });
        }
    }
    sockets.retain(|socket| socket.address.port() != 0);
    sockets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::process::{ProgramSpec, StopReason};
    use crate::harness::test_programs::{first_line, start};
    use std::net::Ipv4Addr;
    use std::time::Duration;

    #[test]
    fn a_programs_own_listener_and_udp_socket_are_found_and_no_others() {
        // A socket of the grader in the same namespace, which is not the program's.
        let graders = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let script = "import socket, time\n\
            t = socket.socket(); t.bind(('127.0.0.1', 0)); t.listen()\n\
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0))\n\
            unbound = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
            print(t.getsockname()[1], u.getsockname()[1], flush=True)\n\
            time.sleep(30)\n";
        let dir = tempfile::tempdir().unwrap();
        let argv = ["python3", "-c", script].map(str::to_owned).to_vec();
        let program = start(&ProgramSpec::new(argv, dir.path().to_path_buf()));
        // Printed once both sockets are bound.
        let ports: Vec<u16> = first_line(&program)
            .split_whitespace()
            .map(|port| port.parse().unwrap())
            .collect();
        let found = sockets_of_session(program.pid());
        let _ = program.stop(Duration::from_millis(100), StopReason::Complete);

        let tcp = OwnSocket {
            protocol: Protocol::Tcp,
            address: SocketAddr::from((Ipv4Addr::LOCALHOST, ports[0])),
            listening: true,
        };
        let udp = OwnSocket {
            protocol: Protocol::Udp,
            address: SocketAddr::from((Ipv4Addr::LOCALHOST, ports[1])),
            listening: false,
        };
        assert_eq!(found, vec![udp, tcp]);
        assert!(
            !found
                .iter()
                .any(|socket| socket.address == graders.local_addr().unwrap())
        );
        assert_eq!(
            tcp.to_string(),
            format!("listened on TCP 127.0.0.1:{}", ports[0])
        );
        assert_eq!(udp.to_string(), format!("bound UDP 127.0.0.1:{}", ports[1]));
    }

    #[test]
    fn a_session_that_does_not_exist_holds_nothing() {
        assert!(sockets_of_session(u32::MAX).is_empty());
    }
}
