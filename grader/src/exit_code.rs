//! The grader's exit codes, one constant each, so scripts and CI can rely on them.

/// Every graded check passed.
pub const PASSED: i32 = 0;
/// At least one graded check failed (or timed out).
pub const FAILED: i32 = 1;
/// The case file or the command-line arguments are invalid.
pub const INVALID_INPUT: i32 = 2;
/// A program could not be started at all (missing file, not executable, no interpreter).
pub const PROGRAM_NOT_STARTED: i32 = 3;
/// The grader itself failed; never the student's fault.
pub const INTERNAL: i32 = 70;
/// Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it); nothing was judged.
pub const INTERRUPTED: i32 = 130;
