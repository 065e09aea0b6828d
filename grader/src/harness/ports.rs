//! Ports: picking a free one for a scenario, and knowing when a server has bound its own.
//!
//! A server is ready when its socket exists, not when it prints something (students print
//! "listening" before or after `bind`, or not at all). The kernel announces no `bind` or
//! `listen` to another process: no pidfd, inotify or netlink event says "this process now
//! has a socket" (`sock_diag` answers a query, it sends no news). The only way to see it is
//! the socket table, so [`wait_until_bound`] polls `/proc/net`, quickly at first and
//! backing off. It is a poll because nothing can be waited on; `relay::discovery`'s doc
//! lists every such poll in the grader.

use serde::{Deserialize, Serialize};
use std::io;
use std::net::{Ipv4Addr, TcpListener, UdpSocket};
use std::time::{Duration, Instant};
use thiserror::Error;

/// The transport a program's socket uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    Udp,
    Tcp,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Udp => "udp",
            Protocol::Tcp => "tcp",
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a server's port never showed up as bound.
#[derive(Debug, Error)]
pub enum NotBound {
    #[error("the program exited before it bound {protocol} port {port}")]
    Exited { protocol: Protocol, port: u16 },
    #[error("nothing bound {protocol} port {port} within {waited:?}")]
    Deadline {
        protocol: Protocol,
        port: u16,
        waited: Duration,
    },
    #[error("cannot read the kernel's {protocol} socket table: {source}")]
    SocketTable {
        protocol: Protocol,
        source: procfs::ProcError,
    },
}

/// A port that nothing on 127.0.0.1 uses right now, found by binding port 0 and letting the
/// socket go. Another process may take it before the server binds it; the server then
/// fails to bind, which the scenario reports rather than misjudges.
pub fn free_port(protocol: Protocol) -> io::Result<u16> {
    let address = (Ipv4Addr::LOCALHOST, 0);
    match protocol {
        Protocol::Udp => Ok(UdpSocket::bind(address)?.local_addr()?.port()),
        Protocol::Tcp => Ok(TcpListener::bind(address)?.local_addr()?.port()),
    }
}

/// Whether some socket in this network namespace is bound to local port `port` (on any
/// address, IPv4 or IPv6); for TCP only a listening socket counts.
pub fn is_bound(protocol: Protocol, port: u16) -> Result<bool, NotBound> {
    let table_error = |source| NotBound::SocketTable { protocol, source };
    match protocol {
        Protocol::Udp => {
            let v4 = procfs::net::udp().map_err(table_error)?;
            let v6 = without_missing_table(procfs::net::udp6()).map_err(table_error)?;
            Ok(v4
                .iter()
                .chain(&v6)
                .any(|entry| entry.local_address.port() == port))
        }
        Protocol::Tcp => {
            let v4 = procfs::net::tcp().map_err(table_error)?;
            let v6 = without_missing_table(procfs::net::tcp6()).map_err(table_error)?;
            Ok(v4.iter().chain(&v6).any(|entry| {
                entry.local_address.port() == port && entry.state == procfs::net::TcpState::Listen
            }))
        }
    }
}

/// Whether some socket in the network namespace of process `pid` is bound to `port`; a
/// process that is gone has no sockets.
pub fn is_bound_in(pid: u32, protocol: Protocol, port: u16) -> Result<bool, NotBound> {
    let table_error = |source| NotBound::SocketTable { protocol, source };
    let Ok(process) = procfs::process::Process::new(i32::try_from(pid).unwrap_or(i32::MAX)) else {
        return Ok(false);
    };
    // The process may exit between opening its /proc entry and reading its tables: then it
    // has no sockets, which is "not bound", not an error.
    let gone = |error: &procfs::ProcError| matches!(error, procfs::ProcError::NotFound(_));
    let entries = match protocol {
        Protocol::Udp => process.udp().and_then(|v4| {
            let v6 = without_missing_table(process.udp6())?;
            Ok(v4
                .into_iter()
                .chain(v6)
                .map(|entry| (entry.local_address.port(), true))
                .collect::<Vec<_>>())
        }),
        Protocol::Tcp => process.tcp().and_then(|v4| {
            let v6 = without_missing_table(process.tcp6())?;
            Ok(v4
                .into_iter()
                .chain(v6)
                .map(|entry| {
                    (
                        entry.local_address.port(),
                        entry.state == procfs::net::TcpState::Listen,
                    )
                })
                .collect::<Vec<_>>())
        }),
    };
    match entries {
        Ok(entries) => Ok(entries
            .iter()
            .any(|&(bound, counts)| bound == port && counts)),
        Err(error) if gone(&error) => Ok(false),
        Err(error) => Err(table_error(error)),
    }
}

/// Waits until a socket is bound to `port` (see [`is_bound`]), giving up with an error as
/// soon as `gave_up()` says the server is gone, or at `deadline`.
/// Whether every TCP socket in the network namespace of `pid` has an empty receive queue:
/// nothing sent on the loopback there is waiting to be read.
pub fn tcp_receive_queues_empty(pid: u32) -> bool {
    let Ok(process) = procfs::process::Process::new(pid as i32) else {
        return true;
    };
    let empty = |entries: procfs::ProcResult<Vec<procfs::net::TcpNetEntry>>| {
        entries.is_ok_and(|entries| entries.iter().all(|entry| entry.rx_queue == 0))
    };
    empty(process.tcp()) && empty(process.tcp6())
}

pub fn wait_until_bound(
    protocol: Protocol,
    port: u16,
    deadline: Instant,
    gave_up: impl Fn() -> bool,
) -> Result<(), NotBound> {
    wait_until_bound_by(None, protocol, port, deadline, gave_up)
}

/// [`wait_until_bound`] in the network namespace of process `pid` (the server's, when it
/// runs in a namespace of its own), or in the grader's when `None`.
pub fn wait_until_bound_by(
    pid: Option<u32>,
    protocol: Protocol,
    port: u16,
    deadline: Instant,
    gave_up: impl Fn() -> bool,
) -> Result<(), NotBound> {
    poll_until(
        deadline,
        gave_up,
        || {
            // Looked at before `gave_up`, so a server that bound and then crashed at once
            // is still seen as bound here and judged on what it did next.
            let bound = match pid {
                None => is_bound(protocol, port)?,
                Some(pid) => is_bound_in(pid, protocol, port)?,
            };
            Ok(bound.then_some(()))
        },
        |ended| match ended {
            WaitEnded::GaveUp => NotBound::Exited { protocol, port },
            WaitEnded::Deadline { waited } => NotBound::Deadline {
                protocol,
                port,
                waited,
            },
        },
    )
}

/// Why [`poll_until`] stopped without what it waited for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitEnded {
    /// `gave_up` said so (the program exited).
    GaveUp,
    Deadline {
        waited: Duration,
    },
}

/// Asks `probe` until it finds something (`Ok(Some)`), fails, `gave_up` holds, or the
/// deadline passes (then `ended` makes the error). A poll, with sleeps between the asks,
/// because the kernel announces no bind or listen (see the module's doc): the socket
/// tables are read again, quickly at first and backing off.
pub fn poll_until<T, E>(
    deadline: Instant,
    gave_up: impl Fn() -> bool,
    mut probe: impl FnMut() -> Result<Option<T>, E>,
    ended: impl Fn(WaitEnded) -> E,
) -> Result<T, E> {
    let started = Instant::now();
    let mut backoff = FIRST_BACKOFF;
    loop {
        if let Some(found) = probe()? {
            return Ok(found);
        }
        if gave_up() {
            return Err(ended(WaitEnded::GaveUp));
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(ended(WaitEnded::Deadline {
                waited: now.duration_since(started),
            }));
        }
        std::thread::sleep(backoff.min(deadline - now));
        backoff = (backoff * 2).min(LAST_BACKOFF);
    }
}

/// Most servers bind within a millisecond of starting (or of the interpreter loading), so
/// the first polls come quickly; the cap keeps a slow starter from costing a core.
const FIRST_BACKOFF: Duration = Duration::from_micros(200);
const LAST_BACKOFF: Duration = Duration::from_millis(5);

/// The IPv6 tables do not exist on a kernel without IPv6, which just means no IPv6 sockets.
fn without_missing_table<T>(table: procfs::ProcResult<Vec<T>>) -> procfs::ProcResult<Vec<T>> {
    match table {
        Err(procfs::ProcError::NotFound(_)) => Ok(Vec::new()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::process::{ProgramSpec, RunningProgram, StopReason};

    const BUDGET: Duration = Duration::from_secs(20);

    fn python_server(protocol: Protocol, port: u16, dir: &std::path::Path) -> RunningProgram {
        let script = match protocol {
            Protocol::Udp => {
                "import socket, sys, time\n\
                 s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
                 s.bind(('127.0.0.1', int(sys.argv[1])))\n\
                 time.sleep(60)\n"
            }
            Protocol::Tcp => {
                "import socket, sys, time\n\
                 s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)\n\
                 s.bind(('::', int(sys.argv[1])))\n\
                 s.listen()\n\
                 time.sleep(60)\n"
            }
        };
        let argv = ["python3", "-c", script, &port.to_string()].map(str::to_owned);
        let spec = ProgramSpec::new(argv.to_vec(), dir.to_path_buf());
        match RunningProgram::spawn(&spec, Instant::now()) {
            Ok(program) => program,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn free_ports_are_bindable() {
        let port = free_port(Protocol::Udp).unwrap();
        assert_ne!(port, 0);
        assert!(!is_bound(Protocol::Udp, port).unwrap());
        UdpSocket::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
        let port = free_port(Protocol::Tcp).unwrap();
        assert!(!is_bound(Protocol::Tcp, port).unwrap());
        let _listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
        assert!(is_bound(Protocol::Tcp, port).unwrap());
    }

    #[test]
    fn sees_a_udp_server_bind() {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port(Protocol::Udp).unwrap();
        let server = python_server(Protocol::Udp, port, dir.path());
        let bound = wait_until_bound(Protocol::Udp, port, Instant::now() + BUDGET, || {
            server.has_exited()
        });
        let transcript = server.stop(Duration::from_secs(1), StopReason::Complete);
        assert!(bound.is_ok(), "{bound:?}\n{}", transcript.text());
    }

    #[test]
    fn sees_a_tcp_server_listen_on_ipv6() {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port(Protocol::Tcp).unwrap();
        let server = python_server(Protocol::Tcp, port, dir.path());
        let bound = wait_until_bound(Protocol::Tcp, port, Instant::now() + BUDGET, || {
            server.has_exited()
        });
        let transcript = server.stop(Duration::from_secs(1), StopReason::Complete);
        // A kernel without IPv6 makes python fail to bind `::`; that is not what this tests.
        if transcript.text().contains("Address family not supported") {
            return;
        }
        assert!(bound.is_ok(), "{bound:?}\n{}", transcript.text());
    }

    #[test]
    fn gives_up_quickly_when_the_server_exits_without_binding() {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port(Protocol::Udp).unwrap();
        let argv = ["sh", "-c", "exit 1"].map(str::to_owned).to_vec();
        let spec = ProgramSpec::new(argv, dir.path().to_path_buf());
        let program = RunningProgram::spawn(&spec, Instant::now()).unwrap();
        let started = Instant::now();
        let bound = wait_until_bound(Protocol::Udp, port, started + BUDGET, || {
            program.has_exited()
        });
        assert!(matches!(bound, Err(NotBound::Exited { .. })), "{bound:?}");
        assert!(started.elapsed() < BUDGET / 2);
        program.finish();
    }

    #[test]
    fn gives_up_at_the_deadline() {
        let port = free_port(Protocol::Udp).unwrap();
        let deadline = Instant::now() + Duration::from_millis(20);
        let bound = wait_until_bound(Protocol::Udp, port, deadline, || false);
        assert!(matches!(bound, Err(NotBound::Deadline { .. })), "{bound:?}");
        assert!(Instant::now() >= deadline);
    }
}
