//! Which udp-file checks a run gets, and everything they read about it.

use super::{blocks, completion, copy};
use crate::analyzer::file_transfer::FileTransferParams;
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::{FileEvidence, ProducedFile, Transcript, WireTrace};

/// Everything the udp-file checks read about one scenario run.
#[derive(Debug)]
pub struct FileTransferEvidence<'a> {
    pub params: &'a FileTransferParams,
    pub file: Option<&'a FileEvidence>,
    pub client: &'a Transcript,
    pub server: &'a Transcript,
    pub trace: &'a WireTrace,
    /// The files the client wrote in its directory (its copy may have a name of its own).
    pub client_files: &'a [ProducedFile],
}

/// Runs the requested checks, in the requested order.
pub fn run_checks(evidence: &FileTransferEvidence<'_>, checks: &[CheckId]) -> Vec<Outcome> {
    let Some(file) = evidence.file else {
        return vec![
            Outcome::new(CheckId::FileCopy, "the scenario hands out a file")
                .status(Status::Error)
                .observed("the scenario has no `file`; the file-transfer analyzer needs one"),
        ];
    };
    checks
        .iter()
        .map(|&check| match check {
            CheckId::Startup => Outcome::new(check, crate::check::startup::STARTUP)
                .observed("the server bound its port and the client ran"),
            CheckId::Request => blocks::request(evidence, file),
            CheckId::BlockSizes => blocks::block_sizes(evidence, file),
            CheckId::FileCopy => copy::file_copy(evidence, file),
            CheckId::Completion => completion::completion(evidence, file),
            other => Outcome::new(other, "a check of another analyzer")
                .status(Status::Error)
                .observed(format!(
                    "the file-transfer analyzer does not perform `{other}`"
                )),
        })
        .collect()
}
