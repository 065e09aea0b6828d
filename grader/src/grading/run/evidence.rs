//! What one run hands back: the evidence it left behind, or why it could not be performed
//! at all.

use crate::evidence::{FileEvidence, PortRelease, ProducedFile, Role, Transcript, WireTrace};
use crate::grading::program::CommandLineError;
use std::net::Ipv4Addr;
use std::time::Duration;

/// Everything one run left behind.
#[derive(Clone, Debug)]
pub struct RunEvidence {
    /// Index into `Case::scenarios` of the scenario this is a run of.
    pub scenario: usize,
    pub client: Transcript,
    pub server: Transcript,
    pub trace: WireTrace,
    /// Set when the scenario could not really start (the server never bound its port):
    /// the student's fault, reported as a failed `startup` check.
    pub startup_failure: Option<String>,
    /// What the grader noticed a program do to the network, in plain words (a port taken
    /// from its peer), shown under the scenario in reports.
    pub notes: Vec<String>,
    pub wall_time: Duration,
    /// The scenario's generated file and the receiver's copy of it.
    pub file: Option<FileEvidence>,
    /// After a server shut itself down (a server-exits scenario): could its port be bound
    /// again?
    pub server_release: Option<PortRelease>,
    /// The files the server created or changed in its directory (saved uploads, stored
    /// copies), each compared with the handed-out file when there is one.
    pub server_files: Vec<ProducedFile>,
    /// The files the grader typed into the client (line-upload scenarios).
    pub uploads: Vec<Vec<String>>,
    /// The documentation address `{host}` named, when the run could use one (the case
    /// asks for a non-loopback address and a private namespace was made for it).
    pub test_address: Option<Ipv4Addr>,
}

/// Why a run could not be performed at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The command line could not be built (bad template, or a submission with no way
    /// to run).
    #[error("cannot build the {role}'s command line: {source}")]
    CommandLine {
        role: Role,
        source: CommandLineError,
    },
    /// The program could not be started at all.
    #[error("cannot start the {role} (`{program}`): {message}")]
    Spawn {
        role: Role,
        program: String,
        message: String,
    },
    /// The mode needs network namespaces and none can be made here.
    #[error("{message}")]
    Namespace { message: String },
    /// The grader's own machinery failed.
    #[error("{context}: {source}")]
    Internal {
        context: String,
        source: std::io::Error,
    },
}

/// Turns a failure of the grader's own machinery into a [`RunError::Internal`] that says
/// what the grader was doing (`.map_err(internal("cannot …"))`).
pub(super) fn internal(context: &str) -> impl FnOnce(std::io::Error) -> RunError + use<> {
    let context = context.to_owned();
    move |source| RunError::Internal { context, source }
}
