//! What every analyzer's checks share: the [`Outcome`] a check returns with its reason, the
//! [`HandoutQuote`] it enforces, and helpers for judging programs' exits and files. Each
//! analyzer's own checks live in its folder under `crate::analyzer`.

pub mod build;
pub mod copy_difference;
pub mod handout;
pub mod judged;
pub mod outcome;
pub mod program_end;
pub mod startup;

pub use handout::{HandoutQuote, HandoutSource, Reading};
pub use outcome::{Outcome, Status};
