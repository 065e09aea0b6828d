//! What a case file gives the alternating-bit analyzer (rdt 3.0): the packet fields it
//! reads, how many messages, the timer, and the log-line patterns.

use crate::case::yaml::{Spanned, unwritten};
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
    /// A server line that delivers a message (the line must also show the message's
    /// data), so that `delivery` can tell a message delivered twice. The handout requires
    /// no such line. When absent, the common wordings are recognised: a word starting with
    /// "deliver" or "extract" ("Delivered data: …", "deliver_data(…)"), unless the line
    /// says "not delivered", "already delivered" or "duplicate".
    // Boxed: the parameters are kept whole in the compiled judge, and the registry's
    // analyzer choice expects its variants' sizes far apart (`large_enum_variant`).
    #[serde(default)]
    pub delivered: Option<Box<LogPattern>>,
}

impl LogPatterns {
    /// The case's `delivered` pattern, or the default when it gives none.
    pub fn delivered_or_default(&self) -> LogPattern {
        self.delivered.as_deref().cloned().unwrap_or_else(|| LogPattern {
            matches: unwritten(DEFAULT_DELIVERED.to_owned()),
            unless: Some(unwritten(DEFAULT_NOT_DELIVERED.to_owned())),
        })
    }
}

/// The default `delivered` pattern: a word starting with "deliver" (delivered, delivering,
/// delivery, `deliver_data`) or "extract" (the textbook's `extract(rcvpkt, data)`). Lines
/// that merely receive ("Received packet: … data=…") must not count, or every
/// retransmission would look like a second delivery.
pub const DEFAULT_DELIVERED: &str = r"(?i)\bdeliver|\bextract(ed|ing|s)?\b";

/// What the default `delivered` pattern excludes: lines that say a packet is *not*
/// delivered, or is a duplicate of one already delivered.
pub const DEFAULT_NOT_DELIVERED: &str =
    r"(?i)\b(not|never|no|won'?t|don'?t|didn'?t|without)\s+(be\s+)?deliver|\bundeliver|\balready\s+deliver|\bduplicate";

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
