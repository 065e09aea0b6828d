//! The retransmission timer, measured on the wire.
//!
//! A sample is the gap between two transmissions of the same message with no ACK delivered
//! to the client in between: nothing but the timer can have caused the second one. The
//! verdict is taken at the median so one scheduling hiccup of a loaded machine cannot fail
//! a correct program, while a timer that is wrong is wrong at every sample.

use super::Rdt3Evidence;
use super::sender::acknowledges;
use crate::analyze::{StepKind, describe};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::link::Direction;
use std::time::Duration;

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
            let seq = conversation.messages[message].seq;
            let acked = delivered_to_client
                .iter()
                .any(|&d| d > last && acknowledges(conversation, d, seq));
            let waited = end.saturating_sub(conversation.steps[last].at);
            let limit = evidence.params.timer.expect + evidence.params.timer.tolerance;
            if !acked && waited > limit * 3 {
                analysis.unanswered.push(Unanswered {
                    message,
                    step: last,
                    waited,
                });
            }
        }
        analysis
    }

    /// How many times the client's timer expired, as the wire shows it.
    pub fn timeouts(&self) -> usize {
        self.samples.len()
    }

    pub fn check(&self, evidence: &Rdt3Evidence<'_>) -> Outcome {
        let timer = evidence.params.timer;
        let conversation = evidence.conversation;
        let outcome = Outcome::new(
            CheckId::RetransmissionTimer,
            format!(
                "an unacknowledged packet is retransmitted when the {} timer expires",
                describe::millis(timer.expect)
            ),
        )
        .expected(format!(
            "retransmission {} ± {} after an unanswered send (median)",
            describe::millis(timer.expect),
            describe::millis(timer.tolerance)
        ));
        if let Some(missing) = self.unanswered.first() {
            let step = &conversation.steps[missing.step];
            return outcome.status(Status::Fail).observed(format!(
                "message {} (seq {}, {}) got no ACK and was never retransmitted in the {} that followed",
                missing.message + 1,
                conversation.messages[missing.message].seq,
                step.describe(),
                describe::seconds(missing.waited)
            )).evidence(step.describe());
        }
        if self.samples.is_empty() {
            return outcome
                .status(Status::Informational)
                .observed("not exercised: no packet went unanswered");
        }
        let mut gaps: Vec<Duration> = self.samples.iter().map(|sample| sample.gap).collect();
        gaps.sort();
        let median = gaps[gaps.len() / 2];
        let summary = format!(
            "median {} over {} timeout{} (min {}, max {})",
            describe::millis(median),
            gaps.len(),
            if gaps.len() == 1 { "" } else { "s" },
            describe::millis(gaps[0]),
            describe::millis(gaps[gaps.len() - 1])
        );
        let low = timer.expect.saturating_sub(timer.tolerance);
        let high = timer.expect + timer.tolerance;
        if median < low || median > high {
            let sample = &self.samples[0];
            return outcome
                .status(Status::Fail)
                .observed(summary)
                .evidence(conversation.steps[sample.retransmission].describe());
        }
        outcome.observed(summary)
    }
}
