//! The line-upload analyzer (tcp-lines, ASSIGNMENTS.md §4): the files the grader types into
//! the client, the client's framing, the server's status bytes and their timing, the saved
//! files, the server's close after `Q`, and the client showing each status.

mod checks;
pub mod files;
pub mod framing;
mod handout;
mod params;
mod plugin;
pub mod shown;
pub mod status;
pub mod stream;
pub mod uploads;

pub use checks::{LineUploadEvidence, quote, run_checks};
pub use params::{LineUploadParams, StatusPatterns, UploadAnswers};
pub use plugin::{LineUploadJudge, UPLOAD_PROMPT_TIMEOUT};

#[cfg(test)]
mod tests;
