//! Analyzers decode a wire trace into protocol events, using the case's packet layout.

pub mod alternating_bit;
pub mod segments;

pub use alternating_bit::{Conversation, Message, Step, StepKind};
