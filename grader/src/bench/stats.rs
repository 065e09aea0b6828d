//! Summaries of measured samples: median, p99, mean and spread, in microseconds.

use serde::Serialize;
use std::time::Duration;

/// A distribution of samples in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Distribution {
    pub count: usize,
    pub median_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
    pub stddev_us: f64,
}

impl Distribution {
    /// Summarises `samples` (any order); all zero when there are none.
    pub fn of(samples: &[f64]) -> Distribution {
        if samples.is_empty() {
            return Distribution::default();
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let count = sorted.len();
        let mean = sorted.iter().sum::<f64>() / count as f64;
        let variance = sorted.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / count as f64;
        Distribution {
            count,
            median_us: percentile(&sorted, 50.0),
            p99_us: percentile(&sorted, 99.0),
            max_us: sorted[count - 1],
            mean_us: mean,
            stddev_us: variance.sqrt(),
        }
    }

    /// Summarises durations.
    pub fn of_durations(samples: &[Duration]) -> Distribution {
        let micros: Vec<f64> = samples.iter().map(|d| micros(*d)).collect();
        Distribution::of(&micros)
    }
}

/// The nearest-rank percentile `p` (0–100) of `sorted` (ascending, not empty): the
/// smallest sample with at least `p` % of the samples at or below it.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A duration in (fractional) microseconds.
pub fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_of_one_to_a_hundred() {
        let samples: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let summary = Distribution::of(&samples);
        assert_eq!(summary.count, 100);
        assert_eq!(summary.median_us, 50.0);
        assert_eq!(summary.p99_us, 99.0);
        assert_eq!(summary.max_us, 100.0);
        assert_eq!(summary.mean_us, 50.5);
    }

    #[test]
    fn one_outlier_in_a_hundred_is_the_maximum_not_the_p99() {
        let mut samples = vec![10.0; 99];
        samples.push(5000.0);
        let summary = Distribution::of(&samples);
        assert_eq!(summary.median_us, 10.0);
        assert_eq!(summary.p99_us, 10.0);
        assert_eq!(summary.max_us, 5000.0);
        let mut two = samples.clone();
        two[0] = 4000.0;
        assert_eq!(Distribution::of(&two).p99_us, 4000.0);
    }

    #[test]
    fn spread_of_a_known_set_and_of_nothing() {
        let summary = Distribution::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(summary.mean_us, 5.0);
        assert_eq!(summary.stddev_us, 2.0);
        assert_eq!(Distribution::of(&[]), Distribution::default());
        let single = Distribution::of_durations(&[Duration::from_micros(7)]);
        assert_eq!((single.median_us, single.p99_us), (7.0, 7.0));
    }
}
