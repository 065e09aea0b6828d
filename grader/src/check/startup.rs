//! The `startup` check every case has: both programs start.

/// What `startup` requires, whatever the analyzer.
pub const STARTUP: &str = "both programs start";
