//! The relay between the two programs: real sockets driven by the pure link engine.

pub mod clock;
pub mod queue;
pub mod udp;

pub use clock::ScenarioClock;
pub use udp::{RelayEndpoints, UdpRelay};
