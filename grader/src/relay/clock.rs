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

/// How many times [`ScenarioClock::start`] may read the two clocks to find a tight pair.
const PAIRING_TRIES: usize = 16;

/// A pair read this tightly (monotonic before and after the wall clock) is taken at once.
const TIGHT_ENOUGH: Duration = Duration::from_micros(2);

impl ScenarioClock {
    pub fn start() -> ScenarioClock {
        ScenarioClock::paired(Instant::now, SystemTime::now)
    }

    /// Reads the wall clock between two monotonic readings, several times, and keeps the
    /// tightest bracket. A thread preempted between two back-to-back readings (a loaded
    /// machine does that for milliseconds) would otherwise put every kernel timestamp of
    /// the scenario that much early: a server's reply then seemed to come before the
    /// packet it answered (seen in a CI-like run, 2.5 ms early).
    fn paired(
        mut monotonic: impl FnMut() -> Instant,
        mut wall: impl FnMut() -> SystemTime,
    ) -> ScenarioClock {
        let mut best: Option<(Duration, ScenarioClock)> = None;
        for _ in 0..PAIRING_TRIES {
            let before = monotonic();
            let wall_now = wall();
            let after = monotonic();
            let bracket = after.saturating_duration_since(before);
            let candidate = ScenarioClock {
                origin: before + bracket / 2,
                origin_wall: wall_now,
            };
            if best
                .as_ref()
                .is_none_or(|(tightest, _)| bracket < *tightest)
            {
                best = Some((bracket, candidate));
            }
            if bracket <= TIGHT_ENOUGH {
                break;
            }
        }
        best.map(|(_, clock)| clock)
            .expect("PAIRING_TRIES is at least one")
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A thread preempted for 3 ms between the first two readings: the pair used is one
    /// read without a pause, so a kernel timestamp maps to its true time.
    #[test]
    fn a_pause_between_two_readings_does_not_shift_the_axis() {
        let base = Instant::now();
        let base_wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        // The true time, advanced 1 µs per reading, plus 3 ms once, just after the first.
        let elapsed = Cell::new(Duration::ZERO);
        let readings = Cell::new(0_u32);
        let tick = || {
            readings.set(readings.get() + 1);
            let step = if readings.get() == 2 {
                Duration::from_millis(3)
            } else {
                Duration::from_micros(1)
            };
            elapsed.set(elapsed.get() + step);
            elapsed.get()
        };
        let clock = ScenarioClock::paired(|| base + tick(), || base_wall + tick());
        // A datagram the kernel stamped 10 ms after `base`, read 20 µs later.
        let stamped = base_wall + Duration::from_millis(10);
        let read_at = (base + Duration::from_millis(10) + Duration::from_micros(20))
            .duration_since(clock.origin());
        let mapped = clock.from_wall(stamped, read_at);
        let truth = (base + Duration::from_millis(10)).duration_since(clock.origin());
        let error = mapped.abs_diff(truth);
        assert!(error <= Duration::from_micros(2), "off by {error:?}");
    }
}
