//! The figures the tcp-file-100 peers report and how they are written: each transfer's
//! time, the average time, and the server's error rate.
//!
//! Durations are kept in whole microseconds, the resolution of a millisecond printed with
//! three decimals, so a printed time is exactly the time that was kept and the printed
//! average is exactly the mean of the kept times (to the microsecond): the grader checks
//! the average against the times it reads, and floating point would blur that for nothing.

use std::fmt;
use std::time::Duration;

/// How long one transfer took, to the microsecond.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Elapsed {
    micros: u64,
}

impl Elapsed {
    /// `micros` microseconds.
    pub const fn from_micros(micros: u64) -> Self {
        Elapsed { micros }
    }

    /// `duration`, rounded to the nearest microsecond (saturating past 584 000 years).
    pub fn from_duration(duration: Duration) -> Self {
        let micros = (duration.as_nanos() + 500) / 1000;
        Elapsed {
            micros: u64::try_from(micros).unwrap_or(u64::MAX),
        }
    }

    /// The whole microseconds.
    pub const fn as_micros(self) -> u64 {
        self.micros
    }
}

/// The unit a time is printed in. The lines always say "in millisecond"; only the number
/// changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// What the handout asks: milliseconds with three decimals (`1.234`).
    Milliseconds,
    /// The `seconds` defect: the same time in seconds, six decimals so nothing is lost
    /// (`0.001234`).
    Seconds,
}

/// A time as printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    /// The time.
    pub elapsed: Elapsed,
    /// The unit its number is in.
    pub unit: TimeUnit,
}

impl fmt::Display for Reading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.elapsed.as_micros();
        match self.unit {
            TimeUnit::Milliseconds => write!(f, "{}.{:03}", micros / 1000, micros % 1000),
            TimeUnit::Seconds => write!(f, "{}.{:06}", micros / 1_000_000, micros % 1_000_000),
        }
    }
}

/// What the sum of the times is divided by to make the average.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Divisor {
    /// The number of times: the mean.
    Count,
    /// One less (the `wrong-average` defect); with a single time, that time.
    CountMinusOne,
}

/// The average of `times`, rounded to the nearest microsecond; zero for no times.
pub fn average(times: &[Elapsed], divisor: Divisor) -> Elapsed {
    let count = times.len() as u128;
    let divisor = match divisor {
        Divisor::Count => count,
        Divisor::CountMinusOne => count.saturating_sub(1),
    }
    .max(1);
    let sum: u128 = times.iter().map(|time| u128::from(time.as_micros())).sum();
    let mean = (sum + divisor / 2) / divisor;
    Elapsed::from_micros(u64::try_from(mean).unwrap_or(u64::MAX))
}

/// The share of incorrect transfers, printed as a percentage without the `%`: a whole
/// number when it is one (`1` for 1 of 100), else rounded to three decimals with trailing
/// zeros dropped (`33.333` for 1 of 3, `12.5` for 1 of 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorRate {
    /// How many copies differed from the standard file.
    pub incorrect: u64,
    /// How many transfers there were (0 is taken for 1).
    pub count: u64,
}

impl fmt::Display for ErrorRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = u128::from(self.count.max(1));
        // Thousandths of a percent, rounded half up.
        let thousandths = (u128::from(self.incorrect) * 100_000 + count / 2) / count;
        let (whole, fraction) = (thousandths / 1000, thousandths % 1000);
        if fraction == 0 {
            return write!(f, "{whole}");
        }
        let decimals = format!("{fraction:03}");
        write!(f, "{whole}.{}", decimals.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(micros: u64, unit: TimeUnit) -> String {
        Reading {
            elapsed: Elapsed::from_micros(micros),
            unit,
        }
        .to_string()
    }

    #[test]
    fn durations_round_to_the_microsecond() {
        let micros = |nanos| Elapsed::from_duration(Duration::from_nanos(nanos)).as_micros();
        assert_eq!(micros(0), 0);
        assert_eq!(micros(499), 0);
        assert_eq!(micros(500), 1);
        assert_eq!(micros(1_234_567), 1235);
        assert_eq!(
            Elapsed::from_duration(Duration::MAX).as_micros(),
            u64::MAX,
            "saturates"
        );
    }

    #[test]
    fn milliseconds_have_three_decimals() {
        assert_eq!(reading(1234, TimeUnit::Milliseconds), "1.234");
        assert_eq!(reading(5, TimeUnit::Milliseconds), "0.005");
        assert_eq!(reading(0, TimeUnit::Milliseconds), "0.000");
        assert_eq!(reading(12_345_000, TimeUnit::Milliseconds), "12345.000");
    }

    #[test]
    fn seconds_are_the_same_number_divided_by_a_thousand() {
        assert_eq!(reading(1234, TimeUnit::Seconds), "0.001234");
        assert_eq!(reading(2_500_000, TimeUnit::Seconds), "2.500000");
    }

    #[test]
    fn the_average_is_the_mean_unless_a_defect_says_otherwise() {
        let times = [1000, 2000, 4000].map(Elapsed::from_micros);
        assert_eq!(average(&times, Divisor::Count).as_micros(), 2333);
        assert_eq!(average(&times, Divisor::CountMinusOne).as_micros(), 3500);
        // Half a microsecond rounds up.
        let times = [1, 2].map(Elapsed::from_micros);
        assert_eq!(average(&times, Divisor::Count).as_micros(), 2);
    }

    #[test]
    fn degenerate_averages_do_not_divide_by_zero() {
        assert_eq!(average(&[], Divisor::Count), Elapsed::default());
        assert_eq!(average(&[], Divisor::CountMinusOne), Elapsed::default());
        let one = [Elapsed::from_micros(7)];
        assert_eq!(average(&one, Divisor::CountMinusOne).as_micros(), 7);
    }

    #[test]
    fn error_rates() {
        let rate = |incorrect, count| ErrorRate { incorrect, count }.to_string();
        assert_eq!(rate(0, 100), "0");
        assert_eq!(rate(1, 100), "1");
        assert_eq!(rate(100, 100), "100");
        assert_eq!(rate(1, 3), "33.333");
        assert_eq!(rate(2, 3), "66.667");
        assert_eq!(rate(1, 8), "12.5");
        assert_eq!(rate(1, 5), "20");
        assert_eq!(rate(1, 1000), "0.1");
        assert_eq!(rate(1, 200_000), "0.001");
        assert_eq!(rate(1, 300_000), "0");
        assert_eq!(rate(0, 0), "0");
    }
}
