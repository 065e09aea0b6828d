//! The retransmission timer, measured on the wire.
//!
//! A sample is the gap between two transmissions of the same message with no ACK delivered
//! to the client in between: nothing but the timer can have caused the second one. The
//! verdict is taken at the median of every timeout of the session (the timer belongs to the
//! client program, not to a scenario), so one scheduling hiccup of a loaded machine cannot
//! fail a correct program, while a timer that is wrong is wrong at every sample.

use super::Rdt3Evidence;
use super::sender::acknowledges;
use crate::analyzer::alternating_bit::StepKind;
use crate::analyzer::alternating_bit::TimerExpectation;
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::link::Direction;
use crate::wording;
use std::time::Duration;

/// What `retransmission-timer` requires of the case's timer.
pub fn requirement(timer: &TimerExpectation) -> String {
    format!(
        "an unacknowledged packet is retransmitted when the {} timer expires",
        wording::millis(timer.expect)
    )
}

/// One timer-driven retransmission.
#[derive(Clone, Debug)]
pub struct TimerSample {
    pub message: usize,
    pub retransmission: usize,
    pub gap: Duration,
}

/// A send that got no ACK and was never retransmitted although the client kept running.
#[derive(Clone, Debug)]
pub struct Unanswered {
    pub message: usize,
    pub step: usize,
    pub waited: Duration,
}

#[derive(Clone, Debug, Default)]
pub struct TimerAnalysis {
    pub samples: Vec<TimerSample>,
    pub unanswered: Vec<Unanswered>,
}

impl TimerAnalysis {
    pub fn new(evidence: &Rdt3Evidence<'_>) -> TimerAnalysis {
        let conversation = evidence.conversation;
        let mut analysis = TimerAnalysis::default();
        let delivered_to_client: Vec<usize> = conversation
            .steps_of(StepKind::Delivered, Direction::ToClient)
            .map(|(index, _)| index)
            .collect();
        for (number, message) in conversation.messages.iter().enumerate() {
            for pair in message.transmissions.windows(2) {
                let (earlier, later) = (pair[0], pair[1]);
                let ack_between = delivered_to_client
                    .iter()
                    .any(|&d| d > earlier && d < later);
                if !ack_between {
                    analysis.samples.push(TimerSample {
                        message: number,
                        retransmission: later,
                        gap: conversation.steps[later].at - conversation.steps[earlier].at,
                    });
                }
            }
        }
        // The client's last datagram: if nothing acknowledged it and the client went on
        // running well past its timer, it failed to retransmit.
        let last_sent = conversation
            .steps_of(StepKind::Sent, Direction::ToServer)
            .map(|(index, _)| index)
            .last();
        let last_message = last_sent.and_then(|last| Some((last, conversation.message_of(last)?)));
        if let (Some((last, message)), Some(end)) = (last_message, evidence.client.ended_at) {
            // An ACK delivered after the message's first transmission answers it, even one
            // that reached the client before this retransmission: a client starved of CPU
            // may retransmit on an expired timer before it reads the ACK waiting for it.
            let seq = conversation.messages[message].seq;
            let first = conversation.messages[message].transmissions[0];
            let acked = delivered_to_client
                .iter()
                .any(|&d| d > first && acknowledges(conversation, d, seq));
            let waited = end.saturating_sub(conversation.steps[last].at);
            // Three timer periods, plus ten times the client's mean wait for a CPU: on a
            // busy machine a correct client may not even have run in the first three.
            let busy = evidence
                .client
                .cpu_wait
                .map_or(Duration::ZERO, |wait| wait.mean());
            let limit =
                (evidence.params.timer.expect + evidence.params.timer.tolerance) * 3 + busy * 10;
            if !acked && waited > limit {
                analysis.unanswered.push(Unanswered {
                    message,
                    step: last,
                    waited,
                });
            }
        }
        analysis
    }

    /// The gaps of the timer-driven retransmissions.
    pub fn gaps(&self) -> impl Iterator<Item = Duration> + '_ {
        self.samples.iter().map(|sample| sample.gap)
    }

    /// How many times the client's timer expired, as the wire shows it.
    pub fn timeouts(&self) -> usize {
        self.samples.len()
    }

    pub fn check(&self, evidence: &Rdt3Evidence<'_>) -> Outcome {
        let timer = evidence.params.timer;
        let conversation = evidence.conversation;
        let outcome =
            Outcome::new(CheckId::RetransmissionTimer, requirement(&timer)).expected(format!(
                "retransmission {} ± {} after an unanswered send (median)",
                wording::millis(timer.expect),
                wording::millis(timer.tolerance)
            ));
        if let Some(missing) = self.unanswered.first() {
            let step = &conversation.steps[missing.step];
            return outcome.status(Status::Fail).observed(format!(
                "message {} (seq {}, {}) got no ACK and was never retransmitted in the {} that followed",
                missing.message + 1,
                conversation.messages[missing.message].seq,
                step.describe(),
                wording::seconds(missing.waited)
            )).evidence(step.describe());
        }
        if self.samples.is_empty() {
            return outcome
                .status(Status::Informational)
                .observed("not exercised: no packet went unanswered");
        }
        let own: Vec<Duration> = self.samples.iter().map(|sample| sample.gap).collect();
        let pooled = if evidence.session_timer_samples.is_empty() {
            own.clone()
        } else {
            evidence.session_timer_samples.to_vec()
        };
        let (own_median, pooled_median) = (median(&own), median(&pooled));
        let mut summary = format!(
            "median {} over {} timeout{} in this scenario",
            wording::millis(own_median),
            own.len(),
            plural(own.len())
        );
        if pooled.len() > own.len() {
            summary.push_str(&format!(
                ", {} over all {} timeouts of the session",
                wording::millis(pooled_median),
                pooled.len()
            ));
        }
        // A busy machine serves a timer late by about as long as the client waits for a
        // CPU, so the allowed lateness grows by the client's mean wait (at most by the
        // tolerance again); the allowed earliness does not.
        let allowance = evidence
            .client
            .cpu_wait
            .map_or(Duration::ZERO, |wait| wait.mean())
            .min(timer.tolerance);
        if allowance >= Duration::from_micros(500) {
            summary.push_str(&format!(
                "; the machine was busy (the client waited {} for a CPU each time it woke, on average), so {} more lateness was allowed",
                wording::millis(allowance),
                wording::millis(allowance)
            ));
        }
        let within = |value: Duration, tolerance: Duration| {
            value + tolerance >= timer.expect && value <= timer.expect + tolerance + allowance
        };
        // The session's median is the verdict. A scenario whose own timeouts are far off
        // (several of them and most of them, beyond three tolerances plus a few CPU waits)
        // fails even when the others carry the median; a single late wake-up on a busy
        // machine does not, even in a scenario with only two timeouts.
        let busy = evidence
            .client
            .cpu_wait
            .map_or(Duration::ZERO, |wait| wait.mean());
        let far = timer.expect + timer.tolerance * 3 + busy * 3;
        let far_off = own
            .iter()
            .filter(|&&gap| gap > far || gap + timer.tolerance * 3 < timer.expect)
            .count();
        let grossly_off = far_off >= 2 && far_off * 2 > own.len();
        if !within(pooled_median, timer.tolerance) || grossly_off {
            let sample = &self.samples[0];
            return outcome
                .status(Status::Fail)
                .observed(summary)
                .evidence(conversation.steps[sample.retransmission].describe());
        }
        outcome.observed(summary)
    }
}

fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}
