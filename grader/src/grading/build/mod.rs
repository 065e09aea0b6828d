//! Compiled submissions: a directory with a build file, built once before the scenarios
//! in the sandbox, whose programs then run from the build's output.

pub mod cache;
pub mod failure;
pub mod locate;
pub mod prepare;
pub mod sandbox;
pub mod system;

pub use cache::{BUILDS_LOG, BuildCache};
pub use failure::build_failure_report;
pub use locate::{LocateError, program_command};
pub use prepare::{BuildFailure, Prepared, build_programs};
pub use sandbox::{BuildEnding, BuildOutcome, DEFAULT_BUILD_BUDGET};
pub use system::BuildSystem;
