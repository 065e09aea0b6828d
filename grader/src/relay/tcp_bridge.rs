//! Transparent mode for TCP programs: every port the server listens on, in its own network
//! namespace, is mirrored into the client's namespace by a listener whose connections the
//! TCP relay carries across — so a client that dials `127.0.0.1:5005` reaches a server that
//! listens on `127.0.0.1:5005`, with the relay (and its stream faults) between them, and the
//! server sees the client's own source port where it is free.

use super::clock::ScenarioClock;
use super::tcp::{ConnectionObserver, TcpRelay, TcpRelayPlan};
use crate::evidence::Connection;
use crate::harness::ports::{WaitEnded, poll_until};
use crate::netns::NetNamespace;
use crate::netns::socket_table::listening_tcp_addresses;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

/// One relay per mirrored listening address.
#[derive(Debug)]
pub struct TcpBridge {
    relays: Vec<TcpRelay>,
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

impl TcpBridge {
    /// Waits until the server (process `server_pid`, in `server_namespace`) listens, then
    /// mirrors each of its listening addresses into `client_namespace`. `plan` gives the
    /// faults and seed; its addresses are filled in per mirrored port.
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
        let internal = |context: String| move |source| BridgeError::Internal { context, source };
        let mut relays = Vec::new();
        for &address in &listening {
            let mirror = address;
            let listener = client_namespace
                .run_in(move || TcpListener::bind(mirror))
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
                ..plan.clone()
            };
            let observer: Option<ConnectionObserver> = None;
            let relay = server_namespace
                .run_in(move || TcpRelay::start_on(listener, plan, clock, observer))
                .map_err(io::Error::other)
                .and_then(|started| started)
                .map_err(internal(format!("cannot relay {address}")))?;
            relays.push(relay);
        }
        Ok(TcpBridge { relays })
    }

    /// Bytes the first relay holds on their way to the server (the typing gate's view).
    pub fn holding(&self) -> Option<Arc<AtomicU64>> {
        self.relays.first().map(TcpRelay::holding)
    }

    pub fn last_activity(&self) -> Option<Duration> {
        self.relays.iter().filter_map(TcpRelay::last_activity).max()
    }

    /// Stops every relay; their connections in the order they opened, numbered anew.
    pub fn stop(self) -> io::Result<Vec<Connection>> {
        let mut connections = Vec::new();
        for relay in self.relays {
            connections.extend(relay.stop()?);
        }
        connections.sort_by_key(|connection| connection.opened_at);
        for (index, connection) in connections.iter_mut().enumerate() {
            connection.nth = u32::try_from(index + 1).unwrap_or(u32::MAX);
        }
        Ok(connections)
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
