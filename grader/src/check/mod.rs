//! Checks: each turns evidence into an [`Outcome`] that carries its own reason.

pub mod add_numbers;
pub mod copy_difference;
pub mod file_transfer;
pub mod line_upload;
pub mod outcome;
pub mod program_end;
pub mod rdt3;
pub mod repeated_transfer;
pub mod requirement;
pub mod tcp_like;

pub use outcome::{Outcome, Status};
