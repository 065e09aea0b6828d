//! The impairment engine: netem's vocabulary and scripted faults, pure and seeded.
//!
//! Nothing here touches a socket or a clock; the [`crate::relay`] feeds each datagram in with
//! the current time and applies the [`Decision`] it gets back.

pub mod decision;
pub mod direction;
pub mod duration;
mod fate;
pub mod impairment;
pub mod netem;
pub mod scripted;
pub mod seed;
pub mod stream;

pub use decision::{Alteration, Copy, Decision, DropCause, Origin};
pub use direction::Direction;
pub use impairment::{Impairment, ImpairmentError};
pub use netem::{Netem, NetemError};
pub use scripted::{PacketSelector, ScriptedFault};
pub use seed::stream_rng;
