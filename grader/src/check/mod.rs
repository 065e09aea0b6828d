//! What every analyzer's checks share: the [`Outcome`] a check returns with its reason, and
//! helpers for judging programs' exits and files. Each analyzer's own checks live in its
//! folder under `crate::analyzer`.

pub mod copy_difference;
pub mod judged;
pub mod outcome;
pub mod program_end;
pub mod startup;

pub use outcome::{Outcome, Status};
