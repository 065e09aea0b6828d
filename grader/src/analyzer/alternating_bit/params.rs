//! What a case file gives the alternating-bit analyzer (rdt 3.0): the packet fields it
//! reads, how many messages, the timer, and the log-line patterns.

use crate::case::yaml::Spanned;
use schemars::JsonSchema;
use serde::Deserialize;
use std::time::Duration;

#[derive(Clone, Debug, Deserialize, JsonSchema)]
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
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TimerExpectation {
    #[serde(with = "crate::case::model::duration")]
    #[schemars(with = "crate::link::duration::DurationText")]
    pub expect: Duration,
    #[serde(with = "crate::case::model::duration")]
    #[schemars(with = "crate::link::duration::DurationText")]
    pub tolerance: Duration,
}

/// Regular expressions that recognise the required log lines, whatever their wording.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LogPatterns {
    pub sent: LogPattern,
    pub received: LogPattern,
    pub timer: LogPattern,
    pub corrupt: LogPattern,
}

/// A line counts when it matches `matches` and does not match `unless` ("not corrupt" must
/// not count as a "corrupt" line).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LogPattern {
    #[schemars(with = "String")]
    pub matches: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub unless: Option<Spanned<String>>,
}
