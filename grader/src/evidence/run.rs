//! Everything one run of a scenario left behind, as one value: what analyzers judge and
//! reports show.

use super::{FileEvidence, PortRelease, ProducedFile, Transcript, WireTrace};
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
    /// The files the client created or changed in its directory (a received copy saved
    /// under a name of its own), each compared with the handed-out file when there is one;
    /// a hard link to the handed-out file is not among them.
    pub client_files: Vec<ProducedFile>,
    /// The files the grader typed into the client (line-upload scenarios).
    pub uploads: Vec<Vec<String>>,
    /// The documentation address `{host}` named, when the run could use one (the case
    /// asks for a non-loopback address and a private namespace was made for it).
    pub test_address: Option<Ipv4Addr>,
}

impl RunEvidence {
    /// The evidence of a run that never happened (a program the submission lacks): no
    /// output, no wire, no files.
    pub fn not_run(scenario: usize) -> RunEvidence {
        RunEvidence {
            scenario,
            client: Transcript::default(),
            server: Transcript::default(),
            trace: WireTrace::default(),
            startup_failure: None,
            notes: Vec::new(),
            wall_time: Duration::ZERO,
            file: None,
            server_release: None,
            server_files: Vec::new(),
            client_files: Vec::new(),
            uploads: Vec::new(),
            test_address: None,
        }
    }
}
