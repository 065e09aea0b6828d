//! The ladder's vertical axis: where on the page a moment of the run is drawn.
//!
//! Time flows down at a fixed scale, with two exceptions that keep the picture readable.
//! Moments closer together than a text line are spread apart (a datagram and its reply a
//! tenth of a millisecond apart would otherwise print their labels on top of each other),
//! and an idle stretch longer than [`IDLE_GAP`] is cut down to a short break that says how
//! much time it skipped (a 2 s wait for a timeout would otherwise make the page metres
//! long). Between two drawn moments the axis stays linear, so a 9 ms timer still looks
//! longer than a 1 ms round trip.

use std::time::Duration;

/// Pixels per millisecond of the linear stretches.
pub const PIXELS_PER_MILLISECOND: f64 = 5.0;
/// The least distance between two drawn moments: one label's height.
pub const ROW_HEIGHT: f64 = 24.0;
/// Idle stretches longer than this are cut short.
pub const IDLE_GAP: Duration = Duration::from_millis(50);
/// How tall a cut-short stretch is drawn.
pub const BREAK_HEIGHT: f64 = 44.0;

/// The map from a run's moments to vertical positions.
#[derive(Debug)]
pub struct TimeAxis {
    /// Every moment something is drawn at, in time order, with its position.
    stops: Vec<Stop>,
    breaks: Vec<Break>,
    top: f64,
}

/// One drawn moment.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Stop {
    at: Duration,
    y: f64,
}

/// An idle stretch drawn shorter than it lasted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Break {
    pub top: f64,
    pub bottom: f64,
    /// The time between the last moment before the break and the first after it.
    pub skipped: Duration,
}

impl TimeAxis {
    /// Lays out `moments` (in any order, repeats allowed) from `top` down.
    pub fn new(moments: impl IntoIterator<Item = Duration>, top: f64) -> TimeAxis {
        let mut moments: Vec<Duration> = moments.into_iter().collect();
        moments.sort_unstable();
        moments.dedup();
        let mut stops: Vec<Stop> = Vec::with_capacity(moments.len());
        let mut breaks = Vec::new();
        for at in moments {
            let y = match stops.last() {
                None => top,
                Some(previous) => {
                    let gap = at - previous.at;
                    if gap > IDLE_GAP {
                        breaks.push(Break {
                            top: previous.y + ROW_HEIGHT / 2.0,
                            bottom: previous.y + ROW_HEIGHT / 2.0 + BREAK_HEIGHT,
                            skipped: gap,
                        });
                        previous.y + ROW_HEIGHT + BREAK_HEIGHT
                    } else {
                        let linear = gap.as_secs_f64() * 1000.0 * PIXELS_PER_MILLISECOND;
                        previous.y + linear.max(ROW_HEIGHT)
                    }
                }
            };
            stops.push(Stop { at, y });
        }
        TimeAxis { stops, breaks, top }
    }

    /// Where `at` is drawn: exactly at its stop when it is one of the moments, in between
    /// proportionally otherwise (before the first moment or after the last, at the edge).
    pub fn y(&self, at: Duration) -> f64 {
        let after = self.stops.partition_point(|stop| stop.at < at);
        match (
            after.checked_sub(1).map(|i| self.stops[i]),
            self.stops.get(after),
        ) {
            (_, Some(next)) if next.at == at => next.y,
            (Some(before), Some(next)) => {
                let fraction = (at - before.at).as_secs_f64() / (next.at - before.at).as_secs_f64();
                before.y + fraction * (next.y - before.y)
            }
            (Some(before), None) => before.y,
            (None, Some(next)) => next.y,
            (None, None) => self.top,
        }
    }

    /// The lowest drawn moment (the top when there is none).
    pub fn bottom(&self) -> f64 {
        self.stops.last().map_or(self.top, |stop| stop.y)
    }

    /// The idle stretches cut short, top to bottom.
    pub fn breaks(&self) -> &[Break] {
        &self.breaks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn linear_between_moments_far_enough_apart() {
        let axis = TimeAxis::new([10 * MS, 20 * MS, 40 * MS], 100.0);
        assert_eq!(axis.y(10 * MS), 100.0);
        assert_eq!(axis.y(20 * MS), 100.0 + 10.0 * PIXELS_PER_MILLISECOND);
        assert_eq!(axis.y(40 * MS), 100.0 + 30.0 * PIXELS_PER_MILLISECOND);
        assert_eq!(axis.y(30 * MS), 100.0 + 20.0 * PIXELS_PER_MILLISECOND);
        assert!(axis.breaks().is_empty());
    }

    #[test]
    fn moments_close_together_are_a_row_apart() {
        let axis = TimeAxis::new(
            [Duration::from_micros(100), Duration::from_micros(150)],
            0.0,
        );
        assert_eq!(axis.y(Duration::from_micros(150)), ROW_HEIGHT);
    }

    #[test]
    fn a_long_idle_stretch_becomes_a_break_that_keeps_its_length() {
        let axis = TimeAxis::new([Duration::ZERO, 2000 * MS, 2001 * MS], 0.0);
        let [gap] = axis.breaks() else {
            panic!("one break expected: {:?}", axis.breaks())
        };
        assert_eq!(gap.skipped, 2000 * MS);
        assert!(gap.top > 0.0 && gap.bottom < axis.y(2000 * MS));
        assert_eq!(axis.y(2000 * MS), ROW_HEIGHT + BREAK_HEIGHT);
        assert_eq!(axis.bottom(), axis.y(2001 * MS));
    }

    #[test]
    fn repeated_and_unordered_moments_are_one_stop_each() {
        let axis = TimeAxis::new([5 * MS, Duration::ZERO, 5 * MS], 0.0);
        assert_eq!(axis.y(Duration::ZERO), 0.0);
        assert_eq!(axis.bottom(), 5.0 * PIXELS_PER_MILLISECOND);
    }
}
