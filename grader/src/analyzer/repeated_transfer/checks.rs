//! Which tcp-file-100 checks a run gets, what they read about it, and the `completion` check.

use super::{copies, lines, network, timing};
use crate::analyzer::repeated_transfer::RepeatedTransferParams;
use crate::analyzer::repeated_transfer::TransferMatchers;
use crate::case::CheckId;
use crate::check::program_end::exit_problem;
use crate::check::{Outcome, Status};
use crate::evidence::{FileEvidence, ProducedFile, Role, Transcript, WireTrace};
use std::net::Ipv4Addr;

/// Everything the tcp-file-100 checks read about one run.
#[derive(Debug)]
pub struct RepeatedTransferEvidence<'a> {
    pub params: &'a RepeatedTransferParams,
    pub server_lines: &'a TransferMatchers,
    pub client_lines: &'a TransferMatchers,
    pub error_count: &'a regex::Regex,
    /// The standard file handed to both programs.
    pub file: Option<&'a FileEvidence>,
    pub client: &'a Transcript,
    pub server: &'a Transcript,
    pub trace: &'a WireTrace,
    pub server_files: &'a [ProducedFile],
    /// The documentation address the run used for `{host}`, if it could use one.
    pub test_address: Option<Ipv4Addr>,
    /// The address the case asks for.
    pub host: Option<Ipv4Addr>,
}

impl RepeatedTransferEvidence<'_> {
    pub fn transcript(&self, role: Role) -> &Transcript {
        match role {
            Role::Client => self.client,
            Role::Server => self.server,
        }
    }

    pub fn matchers(&self, role: Role) -> &TransferMatchers {
        match role {
            Role::Client => self.client_lines,
            Role::Server => self.server_lines,
        }
    }

    /// Connections the scenario's relay ended early on purpose (a `cut` or `reset`):
    /// their copies are expected to differ.
    pub fn cut_connections(&self) -> usize {
        self.trace
            .connections
            .iter()
            .filter(|connection| {
                connection.to_server.discarded > 0
                    || connection.reset == Some(crate::evidence::ResetBy::Relay)
            })
            .count()
    }
}

/// Runs the requested checks, in the requested order.
pub fn run_checks(evidence: &RepeatedTransferEvidence<'_>, checks: &[CheckId]) -> Vec<Outcome> {
    checks
        .iter()
        .map(|&check| match check {
            CheckId::Startup => Outcome::new(check, crate::check::startup::STARTUP)
                .observed("the server listened on its port and the client ran"),
            CheckId::Connections => network::connections(evidence),
            CheckId::Address => network::address(evidence),
            CheckId::StoredCopies => copies::stored_copies(evidence),
            CheckId::ErrorCount => copies::error_count(evidence),
            CheckId::RequiredLines => lines::required_lines(evidence),
            CheckId::Timings => timing::timings(evidence),
            CheckId::Average => timing::average(evidence),
            CheckId::Completion => completion(evidence),
            other => Outcome::new(other, "a check of another analyzer")
                .status(Status::Error)
                .observed(format!(
                    "the repeated-transfer analyzer does not perform `{other}`"
                )),
        })
        .collect()
}

/// What `completion` requires, in the words its outcome states.
pub const COMPLETION: &str = "both programs finish by themselves after the last transfer";

fn completion(evidence: &RepeatedTransferEvidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::Completion, COMPLETION)
        .expected("the client and the server exit with status 0");
    for role in [Role::Client, Role::Server] {
        let transcript = evidence.transcript(role);
        if let Some((status, why)) = exit_problem(transcript, role) {
            return outcome
                .status(status)
                .observed(format!("{why}{}", transcript.last_error_note()));
        }
    }
    outcome.observed("both exited with status 0")
}

/// "1st", "2nd", "3rd", "4th", … for reasons, by the reference peers' rule; a number too
/// large for it (read from a program's output) keeps its digits.
pub fn ordinal(n: u64) -> String {
    match u32::try_from(n) {
        Ok(n) => socklab_protocol::Ordinal(n).to_string(),
        Err(_) => format!("{n}th"),
    }
}
