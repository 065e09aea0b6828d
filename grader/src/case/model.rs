//! The typed shape of a case file.
//!
//! Every type denies unknown fields and no enum is untagged or flattened, so a typo in a
//! case file is an error at its line and column rather than a silently ignored key.
//! Values that need checking beyond their type (a layout, a regex, a fault) are `Spanned`
//! so the loader can point at them too.

use super::yaml::Spanned;
use crate::link::{Netem, ScriptedFault};
use crate::wire::ChecksumSpec;
use serde::Deserialize;
use std::time::Duration;

/// One assignment: the programs, the wire format, the analyzer, the scenarios, the checks.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Case {
    /// Short identifier, as in `grader check rdt3`.
    pub name: String,
    /// One line for people.
    pub title: String,
    pub transport: Transport,
    pub programs: Programs,
    /// How long one scenario may run before its programs are stopped.
    #[serde(with = "crate::case::model::duration")]
    pub budget: Duration,
    /// After the client exits, the scenario ends once nothing has happened on the wire or in
    /// the server's output for this long.
    #[serde(with = "crate::case::model::duration")]
    pub quiet: Duration,
    pub wire: WireFormat,
    pub analyzer: Analyzer,
    pub scenarios: Vec<Scenario>,
    /// The checks run on every scenario, in the order reports list them.
    pub checks: Vec<CheckId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    Udp,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Programs {
    pub server: ProgramTemplates,
    pub client: ProgramTemplates,
    /// Set when the programs take no address arguments and use this port (as most real
    /// submissions do: `127.0.0.1:5005`). `--mode auto` then grades them in transparent
    /// mode; `{port}` in a template (the reference peers') is this port.
    #[serde(default)]
    pub hard_coded_port: Option<u16>,
}

/// How to start one side: a student's program, or the reference peer.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ProgramTemplates {
    /// Command-line template for a submission; its first word names the program and is
    /// replaced by how to run the submitted file (e.g. `python3 UDP_Server.py`).
    pub run: String,
    /// Arguments of the built-in reference peer (`grader reference ...`).
    pub reference: String,
}

/// The packet format, in the Python `struct` syntax the handouts use.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct WireFormat {
    pub layout: Spanned<String>,
    pub fields: Vec<String>,
    pub checksum: Option<Spanned<ChecksumSpec>>,
}

/// Which protocol analyzer decodes the wire trace, with its parameters.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Analyzer {
    /// rdt 3.0 sender and rdt 2.2 receiver with a one-bit sequence number.
    AlternatingBit(AlternatingBitParams),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AlternatingBitParams {
    /// The field that is 1 on an acknowledgement and 0 on data.
    pub ack_field: String,
    pub seq_field: String,
    pub data_field: String,
    /// How many distinct messages the client must get across.
    pub messages: usize,
    pub timer: TimerExpectation,
    pub logs: LogPatterns,
}

/// The sender's retransmission timer, judged at the median of the observed gaps.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TimerExpectation {
    #[serde(with = "crate::case::model::duration")]
    pub expect: Duration,
    #[serde(with = "crate::case::model::duration")]
    pub tolerance: Duration,
}

/// Regular expressions that recognise the required log lines, whatever their wording.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LogPatterns {
    pub sent: LogPattern,
    pub received: LogPattern,
    pub timer: LogPattern,
    pub corrupt: LogPattern,
}

/// A line counts when it matches `matches` and does not match `unless` ("not corrupt" must
/// not count as a "corrupt" line).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LogPattern {
    pub matches: Spanned<String>,
    #[serde(default)]
    pub unless: Option<Spanned<String>>,
}

/// One network situation to run the programs through.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Scenario {
    pub name: Spanned<String>,
    /// What the scenario exercises, for the report.
    #[serde(default)]
    pub about: Option<String>,
    #[serde(default)]
    pub points: u32,
    #[serde(default)]
    pub grading: Grading,
    /// Runs of the scenario, each with its own random streams; points are shared out.
    #[serde(default = "one")]
    pub repeat: u32,
    /// netem line applied in both directions (unless overridden per direction).
    #[serde(default)]
    pub netem: Option<Netem>,
    #[serde(default)]
    pub netem_to_server: Option<Netem>,
    #[serde(default)]
    pub netem_to_client: Option<Netem>,
    #[serde(default)]
    pub faults: Vec<Spanned<ScriptedFault>>,
    /// Overrides the case's budget for this scenario.
    #[serde(default, with = "crate::case::model::duration_option")]
    pub budget: Option<Duration>,
}

/// Whether a scenario counts towards the grade.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grading {
    #[default]
    Graded,
    /// Run and reported, never scored: shows what happens.
    Informational,
}

/// The checks an analyzer can perform; each is described in the report by its requirement.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum CheckId {
    /// The programs started: the server bound its port, the client ran.
    Startup,
    Format,
    Checksum,
    SeqAlternation,
    IdenticalRetransmission,
    RetransmissionTimer,
    AckBehaviour,
    SenderReaction,
    Delivery,
    Completion,
    LogLines,
}

impl CheckId {
    pub fn name(self) -> &'static str {
        match self {
            CheckId::Startup => "startup",
            CheckId::Format => "format",
            CheckId::Checksum => "checksum",
            CheckId::SeqAlternation => "seq-alternation",
            CheckId::IdenticalRetransmission => "identical-retransmission",
            CheckId::RetransmissionTimer => "retransmission-timer",
            CheckId::AckBehaviour => "ack-behaviour",
            CheckId::SenderReaction => "sender-reaction",
            CheckId::Delivery => "delivery",
            CheckId::Completion => "completion",
            CheckId::LogLines => "log-lines",
        }
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

fn one() -> u32 {
    1
}

/// Durations written the way people write them: `9ms`, `2s`, `1m 30s`.
pub(crate) mod duration {
    use serde::{Deserialize, Deserializer, de::Error};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(deserializer)?;
        humantime::parse_duration(&text)
            .map_err(|error| D::Error::custom(format!("invalid duration `{text}`: {error}")))
    }
}

pub(crate) mod duration_option {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Duration>, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped(#[serde(with = "super::duration")] Duration);
        Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|Wrapped(duration)| duration))
    }
}
