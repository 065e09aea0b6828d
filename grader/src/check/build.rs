//! The `build` outcome of a compiled submission whose build failed: the grader's own,
//! given to every run (see `grading::build::failure`), never listed in a case.

/// What `build` requires, whatever the analyzer.
pub const BUILD: &str =
    "a compiled submission builds, and the build makes the programs the case runs";
