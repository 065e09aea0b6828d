//! Reported times: numbers of milliseconds that fit the connections the relay measured,
//! and an average that is their mean.

use super::lines::{Reported, TransferReport};
use super::{RepeatedTransferEvidence, ordinal};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::Role;

/// What `timings` requires, in the words its outcome states.
pub const TIMINGS: &str = "each reported time is the transfer's duration in milliseconds";

pub fn timings(evidence: &RepeatedTransferEvidence<'_>) -> Outcome {
    let params = evidence.params;
    let outcome = Outcome::new(CheckId::Timings, TIMINGS)
    .expected(format!(
        "numbers of milliseconds, each at most {}× its connection's life at the relay (+{} ms), together at least {}% of it",
        params.most_multiple,
        params.slack.as_millis(),
        params.least_fraction * 100.0
    ));
    let durations: Vec<f64> = evidence
        .trace
        .connections
        .iter()
        .map(|connection| connection.duration().as_secs_f64() * 1e3)
        .collect();
    let slack = params.slack.as_secs_f64() * 1e3;
    for role in [Role::Server, Role::Client] {
        let transcript = evidence.transcript(role);
        // A program kept off the CPU (a busy grading machine) measures that wait into
        // whichever transfer it fell in, which the relay never sees; allow all of it. A
        // unit error (seconds, microseconds) is a thousand times off and still fails.
        let waited = transcript
            .cpu_wait
            .map_or(0.0, |wait| wait.total.as_secs_f64() * 1e3);
        let report = TransferReport::read(transcript, evidence.matchers(role));
        if report.times.is_empty() {
            return outcome
                .status(Status::Fail)
                .observed(format!("the {role} reported no times"));
        }
        let mut reported_total = 0.0;
        let mut measured_total = 0.0;
        for (index, (n, time)) in report.times.iter().enumerate() {
            let Some(value) = time.value.filter(|value| *value >= 0.0) else {
                return outcome.status(Status::Fail).observed(format!(
                    "the {role}'s time for the {} transfer, {:?}, is not a number of milliseconds",
                    ordinal(*n),
                    time.text
                ));
            };
            let Some(measured) = durations.get(index) else {
                continue;
            };
            if value > measured * params.most_multiple + slack + waited {
                let allowance = if waited > 0.0 {
                    format!(" (allowing the {waited:.1} ms it waited for a CPU)")
                } else {
                    String::new()
                };
                return outcome.status(Status::Fail).observed(format!(
                    "the {role} reported {} ms for the {} transfer, but its connection lasted {measured:.3} ms at the relay{allowance}",
                    time.text,
                    ordinal(*n)
                ));
            }
            reported_total += value;
            measured_total += measured;
        }
        if measured_total > 0.0 && reported_total < measured_total * params.least_fraction {
            let ratio = measured_total / reported_total.max(f64::MIN_POSITIVE);
            let seconds = (300.0..=3000.0).contains(&ratio) || reported_total == 0.0;
            return outcome.status(Status::Fail).observed(format!(
                "the {role}'s times add up to {reported_total:.6} ms while the connections lasted {measured_total:.3} ms at the relay{}",
                if seconds {
                    ": about a thousand times too small, as if they were seconds, not milliseconds"
                } else {
                    ""
                }
            ));
        }
    }
    outcome.observed("both programs' times are milliseconds that fit the connections")
}

/// What `average` requires, in the words its outcome states.
pub const AVERAGE: &str = "the reported average is the mean of the reported times";

pub fn average(evidence: &RepeatedTransferEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::Average, AVERAGE);
    for role in [Role::Server, Role::Client] {
        let report = TransferReport::read(evidence.transcript(role), evidence.matchers(role));
        let values: Vec<f64> = report
            .times
            .iter()
            .filter_map(|(_, time)| time.value)
            .collect();
        let Some(average) = &report.average else {
            return outcome
                .status(Status::Fail)
                .observed(format!("the {role} reported no average"));
        };
        let Some(printed) = average.value else {
            return outcome.status(Status::Fail).observed(format!(
                "the {role}'s average, {:?}, is not a number",
                average.text
            ));
        };
        if values.is_empty() {
            return outcome
                .status(Status::Fail)
                .observed(format!("the {role} reported an average but no times"));
        }
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let tolerance = rounding(report.times.iter().map(|(_, time)| time))
            + rounding(std::iter::once(average))
            + mean.abs() * 1e-6;
        if (printed - mean).abs() > tolerance {
            let sum = mean * values.len() as f64;
            let divisor = sum / printed;
            let hint = if (divisor - divisor.round()).abs() < 0.02
                && divisor.round() as usize != values.len()
            {
                format!(" (the sum divided by {})", divisor.round())
            } else {
                String::new()
            };
            return outcome
                .status(Status::Fail)
                .expected(format!(
                    "{mean:.6} ± {tolerance:.6}, the mean of its {} times",
                    values.len()
                ))
                .observed(format!("the {role} reported {}{hint}", average.text));
        }
    }
    outcome.observed("both averages are the mean of the times, to their printed precision")
}

/// Half a unit of the last printed digit of the least precise of `values`: what printing
/// them rounded can account for.
fn rounding<'a>(values: impl Iterator<Item = &'a Reported>) -> f64 {
    values
        .map(|value| {
            let text = value.text.to_ascii_lowercase();
            if text.contains('e') {
                return value.value.unwrap_or(0.0).abs() * 1e-6;
            }
            let decimals = text
                .split_once('.')
                .map_or(0, |(_, fraction)| fraction.len());
            0.5 * 10f64.powi(-(decimals as i32))
        })
        .fold(0.0, f64::max)
}
