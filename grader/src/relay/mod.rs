//! The relay between the two programs: real sockets driven by the pure link engine.

pub mod accept_probe;
pub mod admission;
pub mod clock;
mod dir_watch;
pub mod discovery;
pub mod engine;
pub mod first_packet;
pub mod queue;
pub mod routing;
pub mod server_backlog;
pub mod socket_dir;
pub mod stream_socket;
pub mod tcp;
pub mod tcp_bridge;
mod tcp_connection;
mod tcp_loop;
mod tcp_record;
pub mod udp;
mod udp_record;

pub use clock::ScenarioClock;
pub use engine::DecisionObserver;
pub use tcp::{ShaperSeed, TcpRelay, TcpRelayPlan};
pub use tcp_bridge::TcpBridge;
pub use udp::{RelayEndpoints, UdpRelay};

#[cfg(test)]
mod fuzz_tests;
