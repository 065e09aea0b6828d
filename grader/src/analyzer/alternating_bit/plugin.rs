//! The alternating-bit analyzer as a plug-in: its packet layout and log-line patterns
//! compiled at load, and each run decoded into a conversation and judged.

use super::params::{AlternatingBitParams, LogPattern};
use super::{Conversation, Rdt3Evidence, completion, delivery, logs, packets, receiver};
use super::{run_checks, sender, timer};
use crate::analyzer::plugin::{Judge, PacketNames, Plugin, Run, TypedInput};
use crate::analyzer::registry::Case;
use crate::case::line_matcher::LineMatcher;
use crate::case::yaml::Position;
use crate::case::{
    CheckId, PacketFields, Problems, Scenario, Transport, WireFormat, compile_pattern,
    refuse_upload,
};
use crate::check::{HandoutQuote, Outcome};
use crate::wire::{ChecksumSpec, Layout};
use std::time::Duration;

/// The compiled log-line patterns of the alternating-bit analyzer.
#[derive(Debug)]
pub struct LogMatchers {
    pub sent: LineMatcher,
    pub received: LineMatcher,
    pub timer: LineMatcher,
    pub corrupt: LineMatcher,
    /// A server line that delivers a message.
    pub delivered: LineMatcher,
}

/// What the alternating-bit analyzer compiles at load.
#[derive(Debug)]
pub struct AlternatingBitJudge {
    pub(super) params: AlternatingBitParams,
    pub(super) layout: Layout,
    pub(super) logs: LogMatchers,
    pub(super) checksum: Option<ChecksumSpec>,
}

impl Plugin for AlternatingBitParams {
    type Compiled = AlternatingBitJudge;

    const CHECKS: &'static [CheckId] = &[
        CheckId::Format,
        CheckId::Checksum,
        CheckId::SeqAlternation,
        CheckId::IdenticalRetransmission,
        CheckId::RetransmissionTimer,
        CheckId::AckBehaviour,
        CheckId::SenderReaction,
        CheckId::Delivery,
        CheckId::Completion,
        CheckId::LogLines,
    ];

    const TRANSPORT: Transport = Transport::Udp;

    const PACKET_NAMES: PacketNames = PacketNames {
        client: "data packet",
        server: "ACK",
    };

    /// The layout, with its checksum and the fields the analyzer names checked.
    fn packet_fields(&self, wire: Option<&WireFormat>, problems: &mut Problems) -> PacketFields {
        let Some(wire) = wire else {
            problems.report(
                None,
                "the alternating-bit analyzer needs a `wire` section (layout and fields)",
            );
            return PacketFields::Broken;
        };
        let layout = Layout::parse(&wire.layout.value, &wire.fields).map_err(|error| {
            (
                Some(Position::of(&wire.layout)),
                format!("invalid layout: {error}"),
            )
        });
        let Some(layout) = problems.keep(layout) else {
            return PacketFields::Broken;
        };
        let mut fits = true;
        if let Some(checksum) = &wire.checksum
            && let Err(message) = checksum.value.validate(&layout)
        {
            problems.report(
                Some(Position::of(checksum)),
                format!("invalid checksum: {message}"),
            );
            fits = false;
        }
        for field in [&self.ack_field, &self.seq_field, &self.data_field] {
            if layout.field(field).is_none() {
                problems.report(
                    Some(Position::of(&wire.layout)),
                    format!(
                        "the analyzer names the field `{field}`, which the layout does not have (fields: {})",
                        wire.fields.join(", ")
                    ),
                );
                fits = false;
            }
        }
        if fits {
            PacketFields::Layout(layout)
        } else {
            PacketFields::Broken
        }
    }

    fn validate_scenario(&self, scenario: &Scenario) -> Result<(), String> {
        refuse_upload(scenario)
    }

    fn compile(
        &self,
        case: &Case,
        fields: PacketFields,
        problems: &mut Problems,
    ) -> Option<AlternatingBitJudge> {
        let logs = &self.logs;
        let [sent, received, timer, corrupt] =
            [&logs.sent, &logs.received, &logs.timer, &logs.corrupt]
                .map(|pattern| compile_matcher(pattern, problems));
        let delivered = compile_matcher(&logs.delivered_or_default(), problems);
        let PacketFields::Layout(layout) = fields else {
            return None;
        };
        Some(AlternatingBitJudge {
            params: self.clone(),
            layout,
            logs: LogMatchers {
                sent: sent?,
                received: received?,
                timer: timer?,
                corrupt: corrupt?,
                delivered: delivered?,
            },
            checksum: case
                .wire
                .as_ref()
                .and_then(|wire| wire.checksum.as_ref())
                .map(|spanned| spanned.value.clone()),
        })
    }

    fn typed_input(&self, _: &Scenario, _: u64, _: &str) -> Option<TypedInput> {
        None
    }
}

impl AlternatingBitJudge {
    /// Decodes the run as an alternating-bit conversation and hands `use_it` what the
    /// checks read.
    fn with_evidence<R>(&self, run: &Run<'_>, use_it: impl FnOnce(&Rdt3Evidence<'_>) -> R) -> R {
        let checksum = self.checksum.as_ref();
        let evidence = run.evidence;
        let conversation =
            Conversation::analyze(&evidence.trace, &self.layout, checksum, &self.params);
        use_it(&Rdt3Evidence {
            conversation: &conversation,
            params: &self.params,
            logs: &self.logs,
            layout: &self.layout,
            checksum,
            client: &evidence.client,
            server: &evidence.server,
            session_timer_samples: run.session_timer_samples,
        })
    }
}

impl Judge for AlternatingBitJudge {
    fn requirement(&self, check: CheckId) -> Option<String> {
        use CheckId as C;
        let text = match check {
            C::Format => return Some(packets::format_requirement(&self.layout)),
            C::Checksum => return Some(packets::checksum_requirement(self.checksum.as_ref())),
            C::RetransmissionTimer => return Some(timer::requirement(&self.params.timer)),
            C::Completion => return Some(completion::requirement(self.params.messages)),
            C::SeqAlternation => sender::SEQ_ALTERNATION,
            C::IdenticalRetransmission => sender::IDENTICAL_RETRANSMISSION,
            C::SenderReaction => sender::SENDER_REACTION,
            C::AckBehaviour => receiver::ACK_BEHAVIOUR,
            C::Delivery => delivery::DELIVERY,
            C::LogLines => logs::LOG_LINES,
            _ => return None,
        };
        Some(text.to_owned())
    }

    fn handout(&self, check: CheckId) -> Option<&'static [HandoutQuote]> {
        super::handout::quotes(check)
    }

    fn judge(&self, run: &Run<'_>) -> Vec<Outcome> {
        self.with_evidence(run, |evidence| run_checks(evidence, run.checks))
    }

    fn timer_samples(&self, run: &Run<'_>) -> Vec<Duration> {
        self.with_evidence(run, |evidence| {
            timer::TimerAnalysis::new(evidence).gaps().collect()
        })
    }

    fn packet_layout(&self) -> Option<&Layout> {
        Some(&self.layout)
    }
}

/// A log-line pattern and its `unless`, each compiled; `None` with the problems recorded.
fn compile_matcher(pattern: &LogPattern, problems: &mut Problems) -> Option<LineMatcher> {
    let matches = problems.keep(compile_pattern(&pattern.matches, &[]));
    let unless = match &pattern.unless {
        Some(unless) => Some(problems.keep(compile_pattern(unless, &[]))?),
        None => None,
    };
    Some(LineMatcher::new(matches?, unless))
}
