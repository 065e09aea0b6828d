//! Gathering what a run left behind into its evidence: the programs' transcripts, the
//! wire trace, the notes about the programs, and the files they produced or received. A
//! run whose server never started is gathered too, with what little there is.

use super::addressing::Addressing;
use super::completion::OverBecause;
use super::directories::RunDirs;
use super::error::{RunError, internal};
use super::inputs::Inputs;
use super::network::Network;
use super::notes::{attempts, ending_notes};
use super::programs::GRACE;
use super::startup_failure::StartupFailure;
use crate::analyzer::Case;
use crate::case::{ProgramOutput, Transport};
use crate::evidence::RunEvidence;
use crate::evidence::{PortRelease, Role, Transcript, WireTrace};
use crate::grading::input_files::HandedOut;
use crate::grading::produced_files::DirSnapshot;
use crate::harness::own_sockets::sockets_of_session;
use crate::harness::process::RunningProgram;
use crate::relay::ScenarioClock;
use std::net::Ipv4Addr;
use std::time::Duration;

/// A run that is over, its programs ended, its network still up.
pub(super) struct Finished<'a> {
    /// Index into `Case::scenarios` of the scenario this is a run of.
    pub scenario: usize,
    pub case: &'a Case,
    pub budget: Duration,
    pub dirs: &'a RunDirs,
    pub addressing: &'a Addressing,
    pub clock: ScenarioClock,
    pub client: Transcript,
    pub server: Transcript,
    pub network: Network,
    /// When the server had bound its port and the relay held its own, in scenario time.
    pub network_ready_at: Duration,
    pub server_release: Option<PortRelease>,
    /// The server's directory as it was handed over, to tell what the server produced.
    pub server_snapshot: DirSnapshot,
    /// The client's directory as it was handed over, to tell what the client produced.
    pub client_snapshot: DirSnapshot,
    pub inputs: Inputs<'a>,
}

impl Finished<'_> {
    /// Stops the network and gathers the run's evidence.
    pub fn collect(self) -> Result<RunEvidence, RunError> {
        let (client, server, dirs) = (&self.client, &self.server, self.dirs);
        // Read before it stops: in the bridging modes, the relay's mirrors are made as it
        // runs.
        let held = self
            .network
            .held_ports(self.addressing.server().into(), self.network_ready_at);
        let (trace, mut notes) = self.network.stop().map_err(internal("the relay failed"))?;
        notes.extend(ending_notes(Role::Client, client, self.budget));
        notes.extend(ending_notes(Role::Server, server, self.budget));
        notes.extend(attempts(Role::Client, client, server, dirs, &held));
        notes.extend(attempts(Role::Server, server, client, dirs, &held));
        let (handed_out, uploads) = self.inputs.into_evidence();
        let original = handed_out.as_ref().map(HandedOut::original);
        let server_files = self.server_snapshot.produced(&dirs.server, original);
        // A copy may be saved under any name; a link to the original is not a copy.
        let mut client_files = self.client_snapshot.produced(&dirs.client, original);
        if let Some(handed_out) = &handed_out {
            client_files.retain(|file| !handed_out.is_linked_at(&dirs.client.join(&file.name)));
        }
        // The copy is where the receiving program put it: its stdout (`> FILE`), else the
        // file of that name in the client's directory.
        let programs = &self.case.programs;
        let received_at = [
            (&programs.server, Role::Server),
            (&programs.client, Role::Client),
        ]
        .into_iter()
        .find(|(templates, _)| templates.stdout == ProgramOutput::ReceivedFile)
        .map(|(_, role)| dirs.stdout_path(role));
        let file = handed_out.map(|handed_out| match &received_at {
            Some(path) => handed_out.collect_from(path),
            None => handed_out.collect(&dirs.client),
        });
        Ok(RunEvidence {
            scenario: self.scenario,
            file,
            server_release: self.server_release,
            server_files,
            client_files,
            uploads,
            test_address: self.addressing.test_address,
            client: self.client,
            server: self.server,
            trace,
            startup_failure: None,
            notes,
            wall_time: self.clock.now(),
        })
    }
}

/// A run whose server did not start.
#[derive(Debug)]
pub(super) struct NeverStarted<'a> {
    /// Index into `Case::scenarios` of the scenario this is a run of.
    pub scenario: usize,
    pub budget: Duration,
    pub dirs: &'a RunDirs,
    pub clock: ScenarioClock,
    pub test_address: Option<Ipv4Addr>,
    /// Why the completion rule called the run over ([`OverBecause::StartupFailed`]).
    pub over: OverBecause,
    /// The case's transport and the port the server was given, to say what it did instead.
    pub transport: Transport,
    pub port: u16,
}

impl NeverStarted<'_> {
    /// Stops `server` and gathers the run's evidence: why it did not start (how it ended,
    /// or what it opened instead, else the network's `why`), as the `startup` check reports
    /// it, the server's transcript, and what it was seen doing.
    pub fn collect(self, server: RunningProgram, why: &str) -> RunEvidence {
        // Read while it still runs: its sockets close when it is stopped.
        let sockets = if server.has_exited() {
            Vec::new()
        } else {
            sockets_of_session(server.pid())
        };
        let server = server.stop(GRACE, self.over.stop_reason(Role::Server));
        let failure = StartupFailure {
            server: &server,
            why,
            sockets: &sockets,
            transport: self.transport,
            port: self.port,
        }
        .describe();
        let mut notes = ending_notes(Role::Server, &server, self.budget);
        // No port of the run is held yet but the server's own: only its writes can tell.
        let peer = Transcript::default();
        notes.extend(attempts(Role::Server, &server, &peer, self.dirs, &[]));
        RunEvidence {
            scenario: self.scenario,
            notes,
            client: Transcript::default(),
            server,
            trace: WireTrace::default(),
            startup_failure: Some(failure),
            wall_time: self.clock.now(),
            file: None,
            server_release: None,
            server_files: Vec::new(),
            client_files: Vec::new(),
            uploads: Vec::new(),
            test_address: self.test_address,
        }
    }
}
