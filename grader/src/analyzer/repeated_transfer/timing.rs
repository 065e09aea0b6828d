//! Reported times: numbers of milliseconds that fit the connections as each program could
//! see them, and an average that is their mean.

use super::lines::{Reported, TransferReport};
use super::{RepeatedTransferEvidence, ordinal};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::{Connection, Role};
use std::time::Duration;

/// What `timings` requires, in the words its outcome states.
///
/// Handout 004, requirement 8: "count the average time used for one hundred times
/// transferring at server side. The time used to deliver the file includes connection
/// setup time, data transferring time, and connection close up time", and 9d/10d: "The
/// time used in millisecond to receive (send) “xyz” for nth time is:". Where a program
/// starts and stops its clock is its own choice; what is checked is that the numbers are
/// milliseconds of the time it could see.
pub const TIMINGS: &str = "each reported time is the transfer's duration in milliseconds";

/// The part of one connection's life a program could see, in milliseconds: at least
/// `least` (its own part, which any timing of the transfer covers most of), at most `most`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seen {
    pub least: f64,
    pub most: f64,
}

/// What `role` could see of `connection`.
///
/// The client's `connect()` returned when the relay took the connection (`opened_at`), and
/// nothing of the connection lasted past the relay's close. How little of it the client
/// saw is known only when it waited for the server's end of stream: a client that sends
/// and closes at once measures its `close()`, which returns as soon as its bytes are in its
/// socket's buffer, however long they then take to arrive. The server had the connection
/// from its `accept()` (where the relay saw it; else from when the connection reached its
/// queue, which the relay does only once the server has taken the one before) to its own
/// close. Time a connection waited in the relay for its turn is the client's (its bytes
/// waited, as they would have waited in its `connect()`), never the server's.
pub fn seen_by(connection: &Connection, role: Role) -> Seen {
    let opened = connection.opened_at;
    let over = opened + connection.duration();
    let millis = |from: Duration, to: Duration| to.saturating_sub(from).as_secs_f64() * 1e3;
    match role {
        Role::Client => Seen {
            least: connection
                .client_waited_until
                .map_or(0.0, |waited| millis(opened, waited.min(over))),
            most: millis(opened, over),
        },
        Role::Server => {
            let start = connection
                .accepted_at
                .or(connection.connected_at)
                .unwrap_or(opened);
            let own_end = connection
                .to_client
                .ended
                .map_or(over, |mark| mark.at)
                .min(over);
            Seen {
                least: millis(start, own_end),
                most: millis(start, over),
            }
        }
    }
}

pub fn timings(evidence: &RepeatedTransferEvidence<'_>) -> Outcome {
    let params = evidence.params;
    let outcome = Outcome::new(CheckId::Timings, TIMINGS)
    .expected(format!(
        "numbers of milliseconds, each at most {}× as long as the program had its connection (+{} ms), together at least {}% of the time it spent on them",
        params.most_multiple,
        params.slack.as_millis(),
        params.least_fraction * 100.0
    ));
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
        let mut least_total = 0.0;
        let mut paired = 0;
        for (n, time) in &report.times {
            let Some(value) = time.value.filter(|value| *value >= 0.0) else {
                return outcome.status(Status::Fail).observed(format!(
                    "the {role}'s time for the {} transfer, {:?}, is not a number of milliseconds",
                    ordinal(*n),
                    time.text
                ));
            };
            // The program's own number for the transfer names its connection: the relay
            // lets connections through in the order the client opened them.
            let Some(connection) = evidence
                .trace
                .connections
                .iter()
                .find(|connection| u64::from(connection.nth) == *n)
            else {
                continue;
            };
            let seen = seen_by(connection, role);
            if value > seen.most * params.most_multiple + slack + waited {
                let allowance = if waited > 0.0 {
                    format!(" (allowing the {waited:.1} ms it waited for a CPU)")
                } else {
                    String::new()
                };
                return outcome.status(Status::Fail).observed(format!(
                    "the {role} reported {} ms for the {} transfer, but it had that connection for {:.3} ms{allowance}",
                    time.text,
                    ordinal(*n),
                    seen.most
                ));
            }
            reported_total += value;
            least_total += seen.least;
            paired += 1;
        }
        if least_total > 0.0 && reported_total < least_total * params.least_fraction {
            return outcome.status(Status::Fail).observed(too_small(
                role,
                Totals {
                    paired,
                    reported: report.times.len(),
                    reported_total,
                    least_total,
                },
            ));
        }
    }
    outcome.observed("both programs' times are milliseconds that fit their connections")
}

/// The times a program reported, summed over those held against a connection.
struct Totals {
    /// Times that had a connection of their own, of `reported`.
    paired: usize,
    reported: usize,
    reported_total: f64,
    least_total: f64,
}

/// Why `role`'s times are too small, in words true of the times it was held to: only times
/// with a connection of their own are summed, so the sentence says which when not all.
fn too_small(role: Role, totals: Totals) -> String {
    let Totals {
        paired,
        reported,
        reported_total,
        least_total,
    } = totals;
    let (times, connections) = if paired == reported {
        (format!("the {role}'s times add up to"), "its connections")
    } else if paired == 1 {
        let time = format!(
            "the {role}'s time for the only one of its {reported} transfers that had a connection of its own is"
        );
        (time, "that connection")
    } else {
        let times = format!(
            "the {role}'s times for the {paired} of its {reported} transfers that had a connection of their own add up to"
        );
        (times, "those connections")
    };
    let ratio = least_total / reported_total.max(f64::MIN_POSITIVE);
    // A guess at the cause only when every time was held against its connection.
    let seconds =
        paired == reported && ((300.0..=3000.0).contains(&ratio) || reported_total == 0.0);
    format!(
        "{times} {reported_total:.6} ms while it spent at least {least_total:.3} ms on {connections}{}",
        if seconds {
            ": about a thousand times too small, as if they were seconds, not milliseconds"
        } else {
            ""
        }
    )
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
