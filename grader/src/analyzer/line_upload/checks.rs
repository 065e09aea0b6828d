//! Which tcp-lines checks a run gets, and everything they read about it.

use super::{files, framing, shown, status};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::{Connection, ProducedFile, Transcript, WireTrace};
use crate::link::stream::StreamSides;

/// Everything the tcp-lines checks read about one run.
#[derive(Debug)]
pub struct LineUploadEvidence<'a> {
    pub accepted: &'a regex::Regex,
    pub quitting: &'a regex::Regex,
    /// The files the grader typed, in order (the zero-line file follows them).
    pub uploads: &'a [Vec<String>],
    pub client: &'a Transcript,
    pub server: &'a Transcript,
    pub trace: &'a WireTrace,
    pub server_files: &'a [ProducedFile],
    /// The scenario's stream faults, to explain a failure they provoked.
    pub stream_faults: Option<&'a StreamSides>,
}

impl LineUploadEvidence<'_> {
    /// The upload's connection: the first the client opened (a second one is reported by
    /// the framing check).
    pub fn connection(&self) -> Option<&Connection> {
        self.trace.connections.first()
    }

    /// A sentence on how the scenario cut or joined the client's stream, for failures it
    /// may have caused.
    pub fn segmentation_hint(&self) -> String {
        let Some(faults) = self.stream_faults.map(|sides| &sides.to_server) else {
            return String::new();
        };
        if let Some(slice) = faults.slice {
            return format!(
                " (in this scenario the relay delivered the client's stream in {}-{}-byte pieces: TCP keeps no message boundaries, so the server must read until it has the whole 4-byte count and each whole line, not take one recv() as one message)",
                slice.min, slice.max
            );
        }
        if faults.coalesce.is_some() {
            return " (in this scenario the relay joined the client's writes into one segment: TCP keeps no message boundaries, so one recv() can hold the count and several lines)".to_owned();
        }
        String::new()
    }
}

/// Runs the requested checks, in the requested order.
pub fn run_checks(evidence: &LineUploadEvidence<'_>, checks: &[CheckId]) -> Vec<Outcome> {
    checks
        .iter()
        .map(|&check| match check {
            CheckId::Startup => Outcome::new(check, crate::check::startup::STARTUP)
                .observed("the server listened on its port and the client ran"),
            CheckId::Framing => framing::framing(evidence),
            CheckId::StatusBytes => status::status_bytes(evidence),
            CheckId::SavedFiles => files::saved_files(evidence),
            CheckId::ServerClose => status::server_close(evidence),
            CheckId::ClientStatus => shown::client_status(evidence),
            CheckId::Completion => status::completion(evidence),
            other => Outcome::new(other, "a check of another analyzer")
                .status(Status::Error)
                .observed(format!(
                    "the line-upload analyzer does not perform `{other}`"
                )),
        })
        .collect()
}

/// Bytes as a short, readable quotation.
pub fn quote(bytes: &[u8]) -> String {
    const MOST: usize = 60;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MOST)]);
    let mut quoted = format!("{:?}", text);
    if bytes.len() > MOST {
        quoted.push_str(&format!(" … ({} bytes)", bytes.len()));
    }
    quoted
}
