//! The analyzers: each one plug-in, in a folder named after the name case files give it,
//! holding its parameters, how it decodes a run's trace, and its checks. [`plugin`] says
//! what an analyzer is; [`registry`] lists them, one line each.

pub mod add_numbers;
pub mod alternating_bit;
pub mod file_transfer;
pub mod line_upload;
pub mod plugin;
pub mod registry;
pub mod repeated_transfer;
pub mod tcp_like;

pub use plugin::{Judge, PacketNames, Plugin, Run, TypedInput};
pub use registry::{Analyzer, Case, Compiled, LoadedCase};
