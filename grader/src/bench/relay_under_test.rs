//! The relay as `grader proxy` starts it: relay mode on `127.0.0.1:0`, seeded, with a netem
//! line and scripted faults towards the target (the replies are never impaired).

use crate::link::seed::stream_rng;
use crate::link::{Direction, Impairment, Netem, ScriptedFault};
use crate::relay::{DecisionObserver, RelayEndpoints, ScenarioClock, UdpRelay};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};

/// The seed of every bench relay: the figures do not depend on luck in the dice.
pub const BENCH_SEED: u64 = 10;

/// What the link does in a measurement.
#[derive(Clone, Debug, Default)]
pub struct LinkSetup {
    /// netem towards the target.
    pub netem: Option<Netem>,
    /// Faults towards the target (the relay's "server").
    pub faults: Vec<ScriptedFault>,
}

/// Starts a relay in front of `target`; clients send to its `listen_addr()`.
pub fn start_relay(
    target: SocketAddr,
    link: LinkSetup,
    observer: Option<DecisionObserver>,
) -> io::Result<UdpRelay> {
    let impairment = |direction, netem, faults| {
        Impairment::new(netem, faults, stream_rng(BENCH_SEED, "bench", direction))
            .map_err(io::Error::other)
    };
    UdpRelay::start(
        RelayEndpoints {
            listen: (Ipv4Addr::LOCALHOST, 0).into(),
            target,
        },
        impairment(Direction::ToServer, link.netem, link.faults)?,
        impairment(Direction::ToClient, None, Vec::new())?,
        ScenarioClock::start(),
        observer,
    )
}

/// The relay's client-side address (relay mode always has one).
pub fn listen_addr(relay: &UdpRelay) -> io::Result<SocketAddr> {
    relay
        .listen_addr()
        .ok_or_else(|| io::Error::other("the relay has no listening address"))
}
