//! One time axis per scenario, shared by output lines and the wire trace.
//!
//! The relay stamps arrivals with the kernel's receive timestamp (`SO_TIMESTAMPNS`), so a
//! busy relay thread does not add its own scheduling delay to a measured 9 ms timer. Those
//! stamps are wall-clock time; this type maps them onto the monotonic axis that everything
//! else uses.

use std::time::{Duration, Instant, SystemTime};

/// The start of a scenario on both clocks, read back to back.
#[derive(Clone, Copy, Debug)]
pub struct ScenarioClock {
    origin: Instant,
    origin_wall: SystemTime,
}

impl ScenarioClock {
    pub fn start() -> ScenarioClock {
        ScenarioClock {
            origin: Instant::now(),
            origin_wall: SystemTime::now(),
        }
    }

    pub fn origin(&self) -> Instant {
        self.origin
    }

    /// Time since the scenario started, by the monotonic clock.
    pub fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    /// Converts a kernel wall-clock timestamp to time since the scenario started.
    ///
    /// If the wall clock was stepped (NTP) the two axes disagree; the monotonic reading
    /// taken just after the receive is then used, because a wrong timestamp is worse than a
    /// slightly late one.
    pub fn from_wall(&self, wall: SystemTime, monotonic_fallback: Duration) -> Duration {
        const MAX_SKEW: Duration = Duration::from_millis(20);
        match wall.duration_since(self.origin_wall) {
            Ok(since) if since <= monotonic_fallback + MAX_SKEW => since.min(monotonic_fallback),
            _ => monotonic_fallback,
        }
    }
}
