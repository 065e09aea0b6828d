//! What sits between the two programs of a run: the relay or bridge of its mode and
//! transport, asked for its activity while the run goes on, and for the ports it holds and
//! its trace once the run is over. [`super::network_start`] starts it.

use super::notes::never_appeared;
use crate::evidence::{Role, WireTrace};
use crate::grading::attempt_notes::{HeldPort, Holder};
use crate::harness::process::RunningProgram;
use crate::relay::discovery::Discovery;
use crate::relay::{TcpBridge, TcpRelay, UdpRelay};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// What sits between the two programs in one run.
#[derive(Debug)]
pub(super) enum Network {
    /// Relay mode, UDP: the client talks to the relay's port.
    Relay(UdpRelay),
    /// Relay mode, TCP.
    Tcp(TcpRelay),
    /// Transparent mode, UDP: the bridge mirrors each port a program binds into the other
    /// program's namespace, as discovery finds them.
    Transparent {
        relay: Arc<UdpRelay>,
        discovery: Discovery,
    },
    /// Transparent and preload modes, TCP: the server's listening ports mirrored.
    MirroredTcp { bridge: TcpBridge, preload: bool },
    /// Preload mode, UDP: the same bridge between two socket_wrapper directories.
    Preload {
        relay: Arc<UdpRelay>,
        discovery: Discovery,
    },
}

impl Network {
    /// When a packet last went through, since the scenario clock's origin.
    pub fn last_activity(&self) -> Option<Duration> {
        match self {
            Network::Relay(relay) => relay.last_activity(),
            Network::Tcp(relay) => relay.last_activity(),
            Network::Transparent { relay, .. } | Network::Preload { relay, .. } => {
                relay.last_activity()
            }
            Network::MirroredTcp { bridge, .. } => bridge.last_activity(),
        }
    }

    /// Whether the network holds something it has not passed on: a TCP connection the
    /// client opened that has not reached the server yet, or bytes or an end of stream in
    /// the relay. The run is not quiet while it does. Only the TCP relays keep what
    /// they are given until the server can take it; the UDP ones are not asked.
    pub fn holds_undelivered(&self) -> bool {
        match self {
            Network::Tcp(relay) => relay.holds_undelivered(),
            Network::MirroredTcp { bridge, .. } => bridge.holds_undelivered(),
            Network::Relay(_) | Network::Transparent { .. } | Network::Preload { .. } => false,
        }
    }

    /// Transparent mode, UDP: has discovery watch the client's binds too, once it runs.
    pub fn watch_client(&self, client: &RunningProgram) {
        if let Network::Transparent { discovery, .. } = self {
            discovery.watch(Role::Client, client.pid());
        }
    }

    /// The ports held in this run by the relay, and by the server (at `server`), that no
    /// other program may take; those known held from `ready` on say so.
    pub fn held_ports(&self, server: SocketAddr, ready: Duration) -> Vec<HeldPort> {
        let held = |address, holder, seen_by, since| HeldPort {
            address,
            holder,
            seen_by,
            since,
        };
        let relay_for = |role| Holder::Relay {
            standing_in_for: role,
        };
        let the_servers = held(server, Holder::Program(Role::Server), None, Some(ready));
        match self {
            Network::Relay(relay) => [
                Some(the_servers),
                relay
                    .listen_addr()
                    .map(|address| held(address, relay_for(Role::Server), None, Some(ready))),
                relay
                    .server_side_addr()
                    .map(|address| held(address, relay_for(Role::Client), None, Some(ready))),
            ]
            .into_iter()
            .flatten()
            .collect(),
            Network::Tcp(relay) => vec![
                the_servers,
                held(
                    relay.listen_addr(),
                    relay_for(Role::Server),
                    None,
                    Some(ready),
                ),
            ],
            // Each program has a network of its own, where it binds the ports it likes;
            // only the relay's mirrors there stand in for the other program. When each
            // was made is not kept, so whether a bind came after it is not known.
            Network::Transparent { relay, .. } | Network::Preload { relay, .. } => relay
                .bound_addresses()
                .into_iter()
                .map(|(faces, address)| held(address, relay_for(faces.peer()), Some(faces), None))
                .collect(),
            Network::MirroredTcp { .. } => vec![held(
                server,
                relay_for(Role::Server),
                Some(Role::Client),
                None,
            )],
        }
    }

    /// Stops relaying; returns the trace and what the bridge could not do.
    pub fn stop(self) -> std::io::Result<(WireTrace, Vec<String>)> {
        match self {
            Network::Relay(relay) => Ok((relay.stop()?, Vec::new())),
            Network::Tcp(relay) => Ok((relay.stop()?, Vec::new())),
            Network::MirroredTcp { bridge, preload } => {
                let client_appeared = bridge.client_appeared();
                let (trace, mut notes) = bridge.stop()?;
                if preload && trace.connections.is_empty() && !client_appeared {
                    notes.push(never_appeared(Role::Client));
                }
                Ok((trace, notes))
            }
            Network::Transparent { relay, discovery } => {
                let notes = discovery.notes();
                Ok((stop_bridge(relay, discovery)?, notes))
            }
            Network::Preload { relay, discovery } => {
                let mut notes = discovery.notes();
                if !discovery.has_appeared(Role::Client) {
                    notes.push(never_appeared(Role::Client));
                }
                Ok((stop_bridge(relay, discovery)?, notes))
            }
        }
    }
}

/// Stops a UDP bridge and the discovery that feeds it; returns the bridge's trace.
fn stop_bridge(relay: Arc<UdpRelay>, discovery: Discovery) -> std::io::Result<WireTrace> {
    // Discovery holds the other handle; once it has stopped, the relay is ours.
    discovery.stop();
    Arc::try_unwrap(relay)
        .map_err(|_| std::io::Error::other("the bridge is still shared"))?
        .stop()
}
