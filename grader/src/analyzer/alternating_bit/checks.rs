//! Which rdt 3.0 checks a run gets, and everything they read about it.

use super::{completion, delivery, logs, packets, receiver, sender, timer};
use crate::analyzer::alternating_bit::AlternatingBitParams;
use crate::analyzer::alternating_bit::Conversation;
use crate::analyzer::alternating_bit::LogMatchers;
use crate::case::CheckId;
use crate::check::Outcome;
use crate::evidence::Transcript;
use crate::wire::{ChecksumSpec, Layout};

/// Everything the rdt3 checks read about one scenario run.
#[derive(Debug)]
pub struct Rdt3Evidence<'a> {
    pub conversation: &'a Conversation,
    pub params: &'a AlternatingBitParams,
    pub logs: &'a LogMatchers,
    pub layout: &'a Layout,
    pub checksum: Option<&'a ChecksumSpec>,
    pub client: &'a Transcript,
    pub server: &'a Transcript,
    /// Every timer-driven retransmission gap of the session's runs (this one included),
    /// so the timer is judged on all the evidence of the client program.
    pub session_timer_samples: &'a [std::time::Duration],
}

/// Runs the requested checks, in the requested order.
pub fn run_checks(evidence: &Rdt3Evidence<'_>, checks: &[CheckId]) -> Vec<Outcome> {
    let timer = timer::TimerAnalysis::new(evidence);
    checks
        .iter()
        .map(|&check| match check {
            CheckId::Startup => Outcome::new(check, crate::check::startup::STARTUP)
                .observed("the server bound its port and the client ran"),
            CheckId::Format => packets::format(evidence),
            CheckId::Checksum => packets::checksum(evidence),
            CheckId::SeqAlternation => sender::seq_alternation(evidence),
            CheckId::IdenticalRetransmission => sender::identical_retransmission(evidence),
            CheckId::RetransmissionTimer => timer.check(evidence),
            CheckId::AckBehaviour => receiver::ack_behaviour(evidence),
            CheckId::SenderReaction => sender::sender_reaction(evidence),
            CheckId::Delivery => delivery::delivery(evidence),
            CheckId::Completion => completion::completion(evidence),
            CheckId::LogLines => logs::log_lines(evidence, &timer),
            other => Outcome::new(other, "a check of another analyzer")
                .status(crate::check::Status::Error)
                .observed(format!(
                    "the alternating-bit analyzer does not perform `{other}`"
                )),
        })
        .collect()
}
