//! What a case file gives the repeated-transfer analyzer (tcp-file-100): how many
//! transfers, the required lines as patterns, and how reported times must fit.

use crate::case::yaml::Spanned;
use schemars::JsonSchema;
use serde::Deserialize;
use std::time::Duration;

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RepeatedTransferParams {
    /// How many transfers (connections) a run makes.
    pub transfers: u32,
    pub server: TransferLines,
    pub client: TransferLines,
    /// Finds the server's count of incorrect transfers; the number is the group `count`.
    #[schemars(with = "String")]
    pub error_count: Spanned<String>,
    /// The reported times are milliseconds: their total must be at least this fraction of
    /// the time the program spent on its connections (a program's own timing can leave
    /// out the handshake and the close, but a time in seconds is a thousand times too
    /// small). Time a connection waited in the relay for the server is never the server's.
    #[serde(default = "default_least_fraction")]
    pub least_fraction: f64,
    /// ... and each at most this multiple of the time the program had its connection (the
    /// client from its connect, the server from its accept, to the close), plus `slack`.
    #[serde(default = "default_most_multiple")]
    pub most_multiple: f64,
    #[serde(default = "default_slack", with = "crate::case::model::duration")]
    #[schemars(with = "crate::link::duration::DurationText")]
    pub slack: Duration,
}

fn default_least_fraction() -> f64 {
    0.05
}

fn default_most_multiple() -> f64 {
    2.0
}

fn default_slack() -> Duration {
    Duration::from_millis(20)
}

/// The required lines of one program of a repeated transfer, as patterns. `each-start`,
/// `each-end` and `each-time` capture the transfer's number as the group `n`;
/// `each-time` and `average` capture the milliseconds as `ms`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TransferLines {
    /// The line before the first transfer ("I am ready …", "I am connecting …").
    #[schemars(with = "String")]
    pub opening: Spanned<String>,
    #[schemars(with = "String")]
    pub each_start: Spanned<String>,
    #[schemars(with = "String")]
    pub each_end: Spanned<String>,
    #[schemars(with = "String")]
    pub each_time: Spanned<String>,
    #[schemars(with = "String")]
    pub average: Spanned<String>,
    /// The last line ("I am done").
    #[schemars(with = "String")]
    pub closing: Spanned<String>,
}
