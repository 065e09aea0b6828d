//! The UDP relay's handle: start it in relay mode or as a bridge between the programs'
//! networks (transparent and preload modes), add mirrors while it runs, stop it to get the
//! trace.

use super::clock::ScenarioClock;
use super::engine::{DecisionObserver, RelayLoop};
use super::queue::DelayQueue;
use super::routing::{Claims, Endpoint, Networks, Routing};
use super::udp_record::UdpRecord;
use crate::evidence::held::HeldBytes;
use crate::evidence::{Role, WireTrace};
use crate::link::Impairment;
use std::io::{self, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

/// Where the relay listens for the client, and where the server is (relay mode).
#[derive(Clone, Copy, Debug)]
pub struct RelayEndpoints {
    /// The address clients send to; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The server's address.
    pub target: SocketAddr,
}

/// A running relay; [`UdpRelay::stop`] ends it and returns the trace.
#[derive(Debug)]
pub struct UdpRelay {
    listen_addr: Option<SocketAddr>,
    server_side_addr: Option<SocketAddr>,
    wake: UnixStream,
    activity: Arc<AtomicU64>,
    claims: Claims,
    new_endpoints: Sender<Endpoint>,
    networks: Option<Networks>,
    thread: JoinHandle<io::Result<WireTrace>>,
}

impl UdpRelay {
    /// Relay mode: clients send to `endpoints.listen`; datagrams go on to the server.
    pub fn start(
        endpoints: RelayEndpoints,
        to_server: Impairment,
        to_client: Impairment,
        clock: ScenarioClock,
        observer: Option<DecisionObserver>,
    ) -> io::Result<UdpRelay> {
        let client_side = UdpSocket::bind(endpoints.listen)?;
        Self::start_on(
            client_side,
            endpoints.target,
            to_server,
            to_client,
            clock,
            observer,
        )
    }

    /// Relay mode on a socket already bound for the client (relay mode's `[::]`, which
    /// only a private namespace may have): datagrams go on to the server at `target`.
    pub fn start_on(
        client_side: UdpSocket,
        target: SocketAddr,
        to_server: Impairment,
        to_client: Impairment,
        clock: ScenarioClock,
        observer: Option<DecisionObserver>,
    ) -> io::Result<UdpRelay> {
        let client_side = Endpoint::new(client_side, Role::Client)?;
        let loopback: SocketAddr = match target {
            SocketAddr::V4(_) => (Ipv4Addr::LOCALHOST, 0).into(),
            SocketAddr::V6(_) => (Ipv6Addr::LOCALHOST, 0).into(),
        };
        let server_side = Endpoint::new(UdpSocket::bind(loopback)?, Role::Server)?;
        let listen_addr = client_side.local;
        let server_side_addr = server_side.local;
        let routing = Routing::Nat {
            target,
            client_address: None,
        };
        let claims = Claims::default();
        let mut relay = Self::launch(
            vec![client_side, server_side],
            routing,
            claims,
            [to_server, to_client],
            clock,
            observer,
            None,
        )?;
        relay.listen_addr = Some(listen_addr);
        relay.server_side_addr = Some(server_side_addr);
        Ok(relay)
    }

    /// Transparent and preload modes: each program has a network of its own; the relay
    /// mirrors bound ports between them (see [`UdpRelay::mirror`]) and preserves every
    /// address.
    pub fn bridge(
        networks: Networks,
        to_server: Impairment,
        to_client: Impairment,
        clock: ScenarioClock,
    ) -> io::Result<UdpRelay> {
        let claims = Claims::default();
        let routing = Routing::Mirror {
            networks: networks.clone(),
            claims: Arc::clone(&claims),
        };
        Self::launch(
            Vec::new(),
            routing,
            claims,
            [to_server, to_client],
            clock,
            None,
            Some(networks),
        )
    }

    fn launch(
        endpoints: Vec<Endpoint>,
        routing: Routing,
        claims: Claims,
        impairments: [Impairment; 2],
        clock: ScenarioClock,
        observer: Option<DecisionObserver>,
        networks: Option<Networks>,
    ) -> io::Result<UdpRelay> {
        let (wake, wake_receiver) = UnixStream::pair()?;
        let (new_endpoints, new_endpoints_receiver) = channel();
        let activity = Arc::new(AtomicU64::new(0));
        let mut relay = RelayLoop {
            endpoints,
            routing,
            impairments,
            clock,
            queue: DelayQueue::default(),
            record: UdpRecord::default(),
            counts: [0, 0],
            order: 0,
            activity: Arc::clone(&activity),
            new_endpoints: new_endpoints_receiver,
            observer,
            queued: HeldBytes::new(super::engine::QUEUE_BYTES),
            buffer: vec![0; super::engine::RECEIVE_BUFFER],
            last_traffic: Duration::ZERO,
        };
        let thread = std::thread::Builder::new()
            .name("udp-relay".to_owned())
            .spawn(move || relay.run(wake_receiver))?;
        Ok(UdpRelay {
            listen_addr: None,
            server_side_addr: None,
            wake,
            activity,
            claims,
            new_endpoints,
            networks,
            thread,
        })
    }

    /// The address the client should send to (relay mode only).
    pub fn listen_addr(&self) -> Option<SocketAddr> {
        self.listen_addr
    }

    /// The address the relay sends to the server from, standing in for the client
    /// (relay mode only).
    pub fn server_side_addr(&self) -> Option<SocketAddr> {
        self.server_side_addr
    }

    /// Transparent and preload modes: makes `address`, which a program bound in the
    /// network of `bound_by`, reachable from the other program's network, by binding the
    /// same address there. Idempotent.
    pub fn mirror(&self, bound_by: Role, address: SocketAddr) -> io::Result<()> {
        let Some(networks) = &self.networks else {
            return Err(io::Error::other(
                "mirroring needs the transparent or preload mode",
            ));
        };
        let faces = match bound_by {
            Role::Server => Role::Client,
            Role::Client => Role::Server,
        };
        // Claim, bind and hand over under one lock (see `Routing::Mirror`).
        let mut claimed = self
            .claims
            .lock()
            .map_err(|_| io::Error::other("relay state poisoned"))?;
        // Already reachable: the same address, or the relay already holds that port there
        // (routing bound `127.0.0.1:N` for a datagram from the program's `0.0.0.0:N`
        // before discovery saw the wildcard; binding it too would fail as if the other
        // program had taken the port).
        if claimed
            .iter()
            .any(|(by, local)| *by == faces && super::routing::overlaps(*local, address))
        {
            return Ok(());
        }
        let endpoint = networks.bind(faces, address)?;
        self.new_endpoints
            .send(endpoint)
            .map_err(|_| io::Error::other("the relay has stopped"))?;
        claimed.push((faces, address));
        drop(claimed);
        (&self.wake).write_all(b"e")
    }

    /// Every address the relay has bound, and in which program's network: discovery
    /// uses it to tell the relay's sockets from the programs'.
    pub fn bound_addresses(&self) -> Vec<(Role, SocketAddr)> {
        self.claims
            .lock()
            .map(|claimed| claimed.clone())
            .unwrap_or_default()
    }

    /// When the relay last received or sent anything, since the scenario started.
    pub fn last_activity(&self) -> Option<Duration> {
        match self.activity.load(Ordering::Relaxed) {
            0 => None,
            micros => Some(Duration::from_micros(micros - 1)),
        }
    }

    /// Stops relaying and returns the trace. Copies still waiting for their delivery time
    /// stay in the trace with no delivered copy: they were in flight when the scenario ended.
    pub fn stop(self) -> io::Result<WireTrace> {
        // A failed write means the thread is already gone; join reports why.
        let _ = (&self.wake).write_all(b"s");
        self.thread
            .join()
            .map_err(|_| io::Error::other("the relay thread panicked"))?
    }
}
