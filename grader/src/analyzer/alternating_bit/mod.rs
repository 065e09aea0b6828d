//! The alternating-bit analyzer (rdt 3.0, ASSIGNMENTS.md §1): an rdt 3.0 sender and an
//! rdt 2.2 receiver with a one-bit sequence number, in packets of the case's layout.
//! Its parameters, the conversation it decodes from the trace, and its checks, each in the
//! file of its concern.

mod checks;
pub mod completion;
pub mod conversation;
mod handout;
pub mod delivery;
pub mod logs;
pub mod packets;
mod params;
mod plugin;
pub mod receiver;
pub mod replies;
pub mod sender;
pub mod timer;

pub use checks::{Rdt3Evidence, run_checks};
pub use conversation::{Conversation, Message, Step, StepKind};
pub use params::{AlternatingBitParams, LogPattern, LogPatterns, TimerExpectation};
pub use plugin::{AlternatingBitJudge, LogMatchers};

#[cfg(test)]
mod server_tests;
#[cfg(test)]
mod tests;
