//! Transparent mode for TCP programs: every port the server listens on, in its own network
//! namespace, is mirrored into the client's namespace by a listener whose connections the
//! TCP relay carries across — so a client that dials `127.0.0.1:5005` reaches a server that
//! listens on `127.0.0.1:5005`, with the relay (and its stream faults) between them, and the
//! server sees the client's own source port where it is free. Ports the server listens on
//! later in the run are found in its namespace's socket table and mirrored as they appear.

use super::clock::ScenarioClock;
use super::tcp::{ConnectionObserver, TcpRelay, TcpRelayPlan};
use crate::evidence::Connection;
use crate::harness::ports::{WaitEnded, poll_until};
use crate::netns::NetNamespace;
use crate::netns::socket_table::listening_tcp_addresses;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One relay per mirrored listening address; more are added while the run goes on.
#[derive(Debug)]
pub struct TcpBridge {
    relays: Arc<Mutex<Vec<TcpRelay>>>,
    /// The first relay's count of bytes held for the server (the typing gate's view).
    first_holding: Option<Arc<AtomicU64>>,
    /// What the watcher could not mirror, in plain words, for the report.
    notes: Arc<Mutex<Vec<String>>>,
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
    client_namespace: Arc<NetNamespace>,
    server_namespace: Arc<NetNamespace>,
    plan: TcpRelayPlan,
    clock: ScenarioClock,
}

impl Mirror {
    /// Listens on `address` in the client's namespace and relays each connection to the
    /// same address in the server's.
    fn relay(&self, address: SocketAddr) -> Result<TcpRelay, BridgeError> {
        let internal = |context: String| move |source| BridgeError::Internal { context, source };
        let listener = self
            .client_namespace
            .run_in(move || TcpListener::bind(address))
            .map_err(io::Error::other)
            .and_then(|bound| bound)
            .map_err(internal(format!(
                "cannot listen on {address} in the client's network namespace"
            )))?;
        let target = if address.ip().is_unspecified() {
            SocketAddr::from((Ipv4Addr::LOCALHOST, address.port()))
        } else {
            address
        };
        let plan = TcpRelayPlan {
            listen: address,
            target,
            keep_client_port: true,
            ..self.plan.clone()
        };
        let clock = self.clock;
        let observer: Option<ConnectionObserver> = None;
        self.server_namespace
            .run_in(move || TcpRelay::start_on(listener, plan, clock, observer))
            .map_err(io::Error::other)
            .and_then(|started| started)
            .map_err(internal(format!("cannot relay {address}")))
    }
}

impl TcpBridge {
    /// Waits until the server (process `server_pid`, in `server_namespace`) listens, then
    /// mirrors each of its listening addresses into `client_namespace`, and goes on
    /// mirroring every address it listens on later (a second port for a data connection,
    /// a listener reopened after the first client). `plan` gives the faults and seed; its
    /// addresses are filled in per mirrored port.
    pub fn start(
        client_namespace: &Arc<NetNamespace>,
        server_namespace: &Arc<NetNamespace>,
        server_pid: u32,
        plan: &TcpRelayPlan,
        clock: ScenarioClock,
        deadline: Instant,
        gave_up: impl Fn() -> bool,
    ) -> Result<TcpBridge, BridgeError> {
        let listening = wait_for_listeners(server_pid, deadline, gave_up)?;
        let mirror = Mirror {
            client_namespace: Arc::clone(client_namespace),
            server_namespace: Arc::clone(server_namespace),
            plan: plan.clone(),
            clock,
        };
        let mut relays = Vec::new();
        for &address in &listening {
            relays.push(mirror.relay(address)?);
        }
        let first_holding = relays.first().map(TcpRelay::holding);
        let relays = Arc::new(Mutex::new(relays));
        let notes: Arc<Mutex<Vec<String>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = {
            let (relays, notes, stop) =
                (Arc::clone(&relays), Arc::clone(&notes), Arc::clone(&stop));
            std::thread::Builder::new()
                .name("tcp-listen-discovery".to_owned())
                .spawn(move || {
                    watch_listeners(server_pid, listening, &mirror, &relays, &notes, &stop)
                })
                .ok()
        };
        Ok(TcpBridge {
            relays,
            first_holding,
            notes,
            stop,
            watcher,
        })
    }

    /// Bytes the first relay holds on their way to the server (the typing gate's view).
    pub fn holding(&self) -> Option<Arc<AtomicU64>> {
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

    /// Stops watching and every relay; their connections in the order they opened,
    /// numbered anew, and what could not be mirrored.
    pub fn stop(mut self) -> io::Result<(Vec<Connection>, Vec<String>)> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
        let relays =
            std::mem::take(&mut *self.relays.lock().unwrap_or_else(PoisonError::into_inner));
        let mut connections = Vec::new();
        for relay in relays {
            connections.extend(relay.stop()?);
        }
        connections.sort_by_key(|connection| connection.opened_at);
        for (index, connection) in connections.iter_mut().enumerate() {
            connection.nth = u32::try_from(index + 1).unwrap_or(u32::MAX);
        }
        let notes = self
            .notes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        Ok((connections, notes))
    }
}

/// How often the watcher looks again: at once after a change, backing off to 5 ms.
const FIRST_INTERVAL: Duration = Duration::from_millis(1);
const LONGEST_INTERVAL: Duration = Duration::from_millis(5);

/// Mirrors each address the server starts listening on after the first ones. The kernel
/// does not announce a `listen()`, so the namespace's socket table is polled, as UDP
/// discovery polls for binds.
fn watch_listeners(
    server_pid: u32,
    mut mirrored: Vec<SocketAddr>,
    mirror: &Mirror,
    relays: &Mutex<Vec<TcpRelay>>,
    notes: &Mutex<Vec<String>>,
    stop: &AtomicBool,
) {
    let mut interval = FIRST_INTERVAL;
    while !stop.load(Ordering::Relaxed) {
        // A server that has exited has no table left; that is not an error.
        let listening = listening_tcp_addresses(server_pid).unwrap_or_default();
        let mut found = false;
        for address in listening.into_iter().filter(SocketAddr::is_ipv4) {
            if mirrored.contains(&address) {
                continue;
            }
            mirrored.push(address);
            found = true;
            match mirror.relay(address) {
                Ok(relay) => relays
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(relay),
                Err(error) => notes
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(format!(
                        "the server listened on {address} during the run, but the grader could not make it reachable from the client: {error}"
                    )),
            }
        }
        interval = if found {
            FIRST_INTERVAL
        } else {
            (interval * 2).min(LONGEST_INTERVAL)
        };
        std::thread::sleep(interval);
    }
}

/// The server's listening IPv4 addresses, once it has any.
fn wait_for_listeners(
    server_pid: u32,
    deadline: Instant,
    gave_up: impl Fn() -> bool,
) -> Result<Vec<SocketAddr>, BridgeError> {
    poll_until(
        deadline,
        gave_up,
        || {
            let listening: Vec<SocketAddr> = listening_tcp_addresses(server_pid)
                .unwrap_or_default()
                .into_iter()
                .filter(SocketAddr::is_ipv4)
                .collect();
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
