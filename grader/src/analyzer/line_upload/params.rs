//! What a case file gives the line-upload analyzer (tcp-lines): the answers the grader
//! types and how the client shows each status.

use crate::case::yaml::Spanned;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LineUploadParams {
    /// What the grader types at the client's prompts besides the files themselves.
    pub answers: UploadAnswers,
    /// Patterns that recognise the client showing each status byte.
    pub client_shows: StatusPatterns,
}

/// The client's dialogue: after each accepted file it asks whether to send another.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct UploadAnswers {
    /// Typed to send another file.
    pub another: String,
    /// Typed after the last file (the client then sends the zero-line file).
    pub finish: String,
    /// Typed at the first prompt of a scenario that uploads nothing: a zero line count.
    pub quit_at_once: String,
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StatusPatterns {
    #[schemars(with = "String")]
    pub accepted: Spanned<String>,
    #[schemars(with = "String")]
    pub quitting: Spanned<String>,
}
