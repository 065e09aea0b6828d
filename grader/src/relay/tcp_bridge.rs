//! Transparent and preload modes for TCP programs: every port the server listens on, in
//! its own network (a network namespace, or a socket_wrapper directory), is mirrored into
//! the client's network by a listener whose connections the TCP relay carries across — so
//! a client that dials `127.0.0.1:5005` reaches a server that listens on `127.0.0.1:5005`,
//! with the relay (and its stream faults) between them, and the server sees the client's
//! own source port where it is free. Ports the server listens on later in the run are found
//! in its network's socket table and mirrored as they appear.

use super::clock::ScenarioClock;
use super::routing::Networks;
use super::server_backlog::ServerBacklog;
use super::socket_dir::{SocketKind, listening_in, parse_file_name};
use super::stream_socket::{RelayListener, ServerNetwork, listen_on};
use super::tcp::{ConnectionObserver, TcpRelay, TcpRelayPlan};
use crate::evidence::WireTrace;
use crate::harness::ports::{WaitEnded, poll_until};
use crate::netns::socket_table::listening_tcp_addresses;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One relay per mirrored listening address; more are added while the run goes on.
#[derive(Debug)]
pub struct TcpBridge {
    relays: Arc<Mutex<Vec<TcpRelay>>>,
    /// The first relay's bytes on their way to the server (the typing gate's view).
    first_holding: Option<ServerBacklog>,
    /// What the watcher could not mirror, in plain words, for the report.
    notes: Arc<Mutex<Vec<String>>>,
    /// Preload mode: whether the client was seen with a socket of its own in its
    /// directory (one that bypasses socket_wrapper never is).
    client_appeared: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    watcher: Option<JoinHandle<()>>,
}

/// Why the bridge could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// The server listened on nothing in time (or exited first): the student's fault.
    #[error("{0}")]
    NotListening(String),
    /// The grader's own machinery failed.
    #[error("{context}: {source}")]
    Internal { context: String, source: io::Error },
}

/// What mirroring one listening address needs.
#[derive(Clone, Debug)]
struct Mirror {
    networks: Networks,
    /// The server, whose network namespace's socket table shows what it listens on.
    server_pid: u32,
    plan: TcpRelayPlan,
    clock: ScenarioClock,
}

impl Mirror {
    /// The addresses (IPv4 and IPv6) the server listens on now; none once it has exited.
    fn listening(&self) -> Vec<SocketAddr> {
        match &self.networks {
            Networks::Namespaces { .. } => {
                listening_tcp_addresses(self.server_pid).unwrap_or_default()
            }
            Networks::SocketDirs { server, .. } => listening_in(server).unwrap_or_default(),
        }
    }

    /// Listens on `address` in the client's network and relays each connection to the
    /// same address in the server's (a wildcard: to the address the client dialed, in
    /// its family; see `stream_socket::reached_at`).
    fn relay(&self, address: SocketAddr) -> Result<TcpRelay, BridgeError> {
        let internal = |context: String| move |source| BridgeError::Internal { context, source };
        let plan = TcpRelayPlan {
            listen: address,
            target: address,
            keep_client_port: true,
            ..self.plan.clone()
        };
        let clock = self.clock;
        let observer: Option<ConnectionObserver> = None;
        match &self.networks {
            Networks::Namespaces { client, server } => {
                let listener = client
                    .run_in(move || listen_on(address))
                    .map_err(io::Error::other)
                    .and_then(|bound| bound)
                    .map_err(internal(format!(
                        "cannot listen on {address} in the client's network namespace"
                    )))?;
                let plan = TcpRelayPlan {
                    server_network: ServerNetwork::Tcp,
                    ..plan
                };
                server
                    .run_in(move || {
                        TcpRelay::start_on(RelayListener::Tcp(listener), plan, clock, observer)
                    })
                    .map_err(io::Error::other)
                    .and_then(|started| started)
            }
            Networks::SocketDirs { client, server } => {
                let dialed = wrapped_mirror(address);
                let listener = RelayListener::wrapped(client, dialed).map_err(internal(
                    format!("cannot listen on {dialed} in the client's socket_wrapper directory"),
                ))?;
                let plan = TcpRelayPlan {
                    server_network: ServerNetwork::SocketDir(server.clone()),
                    ..plan
                };
                TcpRelay::start_on(listener, plan, clock, observer)
            }
        }
        .map_err(internal(format!("cannot relay {address}")))
    }
}

impl TcpBridge {
    /// Waits until the server (process `server_pid`, in `networks`' server network)
    /// listens, then mirrors each of its listening addresses into the client's network,
    /// and goes on mirroring every address it listens on later (a second port for a data
    /// connection, a listener reopened after the first client). `plan` gives the faults
    /// and seed; its addresses are filled in per mirrored port.
    pub fn start(
        networks: &Networks,
        server_pid: u32,
        plan: &TcpRelayPlan,
        clock: ScenarioClock,
        deadline: Instant,
        gave_up: impl Fn() -> bool,
    ) -> Result<TcpBridge, BridgeError> {
        let mirror = Mirror {
            networks: networks.clone(),
            server_pid,
            plan: plan.clone(),
            clock,
        };
        let listening = wait_for_listeners(&mirror, deadline, gave_up)?;
        let mut relays = Vec::new();
        for &address in &listening {
            relays.push(mirror.relay(address)?);
        }
        let first_holding = relays.first().map(TcpRelay::holding);
        let relays = Arc::new(Mutex::new(relays));
        let notes: Arc<Mutex<Vec<String>>> = Arc::default();
        let client_appeared = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = {
            let watch = Watch {
                relays: Arc::clone(&relays),
                notes: Arc::clone(&notes),
                client_appeared: Arc::clone(&client_appeared),
                stop: Arc::clone(&stop),
            };
            std::thread::Builder::new()
                .name("tcp-listen-discovery".to_owned())
                .spawn(move || watch.run(listening, &mirror))
                .ok()
        };
        Ok(TcpBridge {
            relays,
            first_holding,
            notes,
            client_appeared,
            stop,
            watcher,
        })
    }

    /// Preload mode: whether the client was ever seen with a socket in its directory
    /// (always false in transparent mode, where nothing looks).
    pub fn client_appeared(&self) -> bool {
        self.client_appeared.load(Ordering::Relaxed)
    }

    /// Bytes the first relay holds on their way to the server (the typing gate's view).
    pub fn holding(&self) -> Option<ServerBacklog> {
        self.first_holding.clone()
    }

    pub fn last_activity(&self) -> Option<Duration> {
        self.relays
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter_map(TcpRelay::last_activity)
            .max()
    }

    /// Whether any relay holds something it has not passed on (see
    /// [`TcpRelay::holds_undelivered`]).
    pub fn holds_undelivered(&self) -> bool {
        self.relays
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .any(TcpRelay::holds_undelivered)
    }

    /// Stops watching and every relay; their connections in the order they opened,
    /// numbered anew (with those only counted), and what could not be mirrored.
    pub fn stop(mut self) -> io::Result<(WireTrace, Vec<String>)> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
        let relays =
            std::mem::take(&mut *self.relays.lock().unwrap_or_else(PoisonError::into_inner));
        let mut trace = WireTrace::default();
        for relay in relays {
            let relayed = relay.stop()?;
            trace.connections.extend(relayed.connections);
            trace.unrecorded.connections += relayed.unrecorded.connections;
        }
        trace
            .connections
            .sort_by_key(|connection| connection.opened_at);
        for (index, connection) in trace.connections.iter_mut().enumerate() {
            connection.nth = u32::try_from(index + 1).unwrap_or(u32::MAX);
        }
        let notes = self
            .notes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        Ok((trace, notes))
    }
}

/// How often the watcher looks again: at once after a change, backing off to 5 ms.
const FIRST_INTERVAL: Duration = Duration::from_millis(1);
const LONGEST_INTERVAL: Duration = Duration::from_millis(5);

/// The watcher thread's share of the bridge.
struct Watch {
    relays: Arc<Mutex<Vec<TcpRelay>>>,
    notes: Arc<Mutex<Vec<String>>>,
    client_appeared: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl Watch {
    /// Mirrors each address the server starts listening on after the first ones. A poll,
    /// with sleeps: the kernel announces no `listen()` to another process (see
    /// `harness::ports`; in preload mode the socket file appears at `bind`, and only
    /// `/proc/net/unix` shows when it listens), so the network's socket table is read
    /// again and again, as UDP discovery does for binds. In preload mode each round also
    /// looks for the client's own sockets in its directory.
    fn run(self, mut mirrored: Vec<SocketAddr>, mirror: &Mirror) {
        let mut interval = FIRST_INTERVAL;
        while !self.stop.load(Ordering::Relaxed) {
            let mut found = false;
            for address in mirror.listening() {
                if mirrored.contains(&address) {
                    continue;
                }
                mirrored.push(address);
                found = true;
                match mirror.relay(address) {
                    Ok(relay) => self
                        .relays
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(relay),
                    Err(error) => self
                        .notes
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(format!(
                            "the server listened on {address} during the run, but the grader could not make it reachable from the client: {error}"
                        )),
                }
            }
            if let Networks::SocketDirs { client, .. } = &mirror.networks
                && !self.client_appeared.load(Ordering::Relaxed)
                && has_own_socket(client, &mirrored)
            {
                self.client_appeared.store(true, Ordering::Relaxed);
            }
            interval = if found {
                FIRST_INTERVAL
            } else {
                (interval * 2).min(LONGEST_INTERVAL)
            };
            std::thread::sleep(interval);
        }
    }
}

/// The address the mirror of the server's `address` takes in the client's socket_wrapper
/// directory. socket_wrapper gives an IPv6 socket bound to `::` a file of its own IPv6
/// network (`fd00::5357:5f01`), which no IPv4 client looks for and no student dials: the
/// mirror takes the IPv4 name, as a dual-stack server on a real loopback is reached at
/// 127.0.0.1.
fn wrapped_mirror(address: SocketAddr) -> SocketAddr {
    match address {
        SocketAddr::V6(_) => SocketAddr::from((Ipv4Addr::LOCALHOST, address.port())),
        SocketAddr::V4(_) => address,
    }
}

/// Whether `dir` (the client's socket_wrapper directory) holds a socket the relay did not
/// make: the relay's own there are the TCP listeners for the `mirrored` addresses, so a
/// client's UDP socket on a mirrored port is the client's.
fn has_own_socket(dir: &std::path::Path, mirrored: &[SocketAddr]) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        entry
            .file_name()
            .to_str()
            .and_then(parse_file_name)
            .is_none_or(|(kind, address)| {
                kind != SocketKind::Tcp
                    || !mirrored
                        .iter()
                        .any(|&mirror| wrapped_mirror(mirror) == address)
            })
    })
}

/// The server's listening addresses, once it has any: polled for with
/// [`poll_until`], since no event announces a `listen()`.
fn wait_for_listeners(
    mirror: &Mirror,
    deadline: Instant,
    gave_up: impl Fn() -> bool,
) -> Result<Vec<SocketAddr>, BridgeError> {
    poll_until(
        deadline,
        gave_up,
        || {
            let listening = mirror.listening();
            Ok((!listening.is_empty()).then_some(listening))
        },
        |ended| {
            BridgeError::NotListening(match ended {
                WaitEnded::GaveUp => "it exited before it listened on a tcp port".to_owned(),
                WaitEnded::Deadline { .. } => "it listened on no tcp port in time".to_owned(),
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay::socket_dir::file_name;

    /// The relay's mirror of the server's port is not the client's socket; the client's
    /// own socket is, even a UDP one on that same port.
    #[test]
    fn only_a_socket_other_than_the_relays_mirror_is_the_clients() {
        let dir = tempfile::tempdir().unwrap();
        let mirrored = SocketAddr::from(([127, 0, 0, 1], 12_100));
        let touch = |kind| {
            let name = file_name(kind, mirrored).unwrap();
            std::fs::write(dir.path().join(name), b"").unwrap();
        };
        touch(SocketKind::Tcp);
        assert!(!has_own_socket(dir.path(), &[mirrored]));
        touch(SocketKind::Udp);
        assert!(has_own_socket(dir.path(), &[mirrored]));
    }
}
