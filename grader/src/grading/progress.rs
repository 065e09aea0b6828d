//! Live progress of a grading session, for whoever shows it (the command line's progress
//! bar): each run as it starts and ends, and the connections of a long TCP run.
//!
//! Grading never waits on it and never reads anything back: a sink only observes.

use std::sync::Arc;

/// One thing that happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress<'a> {
    /// A run's programs are being started.
    Started { key: &'a str },
    /// A TCP run's relay has opened its `opened`-th connection (a hundred transfers take
    /// seconds; this is what moves meanwhile).
    Connections { key: &'a str, opened: u32 },
    /// A run has ended and its evidence is collected.
    Finished { key: &'a str },
    /// A compiled submission was built, before any run (once per build actually made: not
    /// when both sides share it, nor when it was kept from an earlier check).
    Built {
        dir: &'a std::path::Path,
        command: &'a str,
        took: std::time::Duration,
    },
}

/// Where progress goes.
#[derive(Clone)]
pub struct ProgressSink(Arc<ProgressFn>);

/// What a [`ProgressSink`] calls.
pub type ProgressFn = dyn Fn(Progress<'_>) + Send + Sync;

impl ProgressSink {
    pub fn new(report: impl Fn(Progress<'_>) + Send + Sync + 'static) -> ProgressSink {
        ProgressSink(Arc::new(report))
    }

    pub fn report(&self, progress: Progress<'_>) {
        (self.0)(progress);
    }
}

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressSink")
    }
}
