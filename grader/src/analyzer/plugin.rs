//! What an analyzer is: one plug-in that a case file chooses by name, with its parameters,
//! what it compiles from them at load, and how it judges a run.
//!
//! Each analyzer's folder implements [`Plugin`] on its parameters type and [`Judge`] on what
//! it compiles; the registry (`registry.rs`) lists them, one line each. Every method is
//! required, so an analyzer that leaves a piece out does not compile.
//!
//! The call order, for one case: at load, [`Plugin::packet_fields`], then
//! [`Plugin::validate_scenario`] for each scenario, then [`Plugin::compile`]; for each run,
//! [`Plugin::typed_input`] before the programs start, then [`Judge::timer_samples`] once the
//! run is over; once every run of the session is over, [`Judge::judge`] for each run.

use super::registry::Case;
use crate::case::WireFormat;
use crate::case::{CheckId, EndsWhen, PacketFields, Problems, Scenario, StdinScript, Transport};
use crate::check::{HandoutQuote, Outcome};
use crate::evidence::RunEvidence;
use crate::wire::Layout;
use std::fmt::Debug;
use std::net::Ipv4Addr;
use std::time::Duration;

/// An analyzer, implemented on the parameters a case file gives it.
pub trait Plugin: Debug + Sized {
    /// What [`Plugin::compile`] makes for judging.
    type Compiled: Judge;

    /// The checks it can perform (besides `startup`, which every case has).
    const CHECKS: &'static [CheckId];

    /// The transport its programs use.
    const TRANSPORT: Transport;

    /// What it calls the packets each program sends, for `grader explain`.
    const PACKET_NAMES: PacketNames;

    /// The packet layout it reads from the case's `wire` section, checked, with problems
    /// recorded: [`PacketFields::NoLayout`] for an analyzer that reads the programs' own
    /// formats.
    fn packet_fields(&self, wire: Option<&WireFormat>, problems: &mut Problems) -> PacketFields;

    /// Whether a scenario gives it what it needs (a typed integer, a file, an upload).
    fn validate_scenario(&self, scenario: &Scenario) -> Result<(), String>;

    /// Compiles its patterns and checks its parameters; `None` with the problems recorded.
    fn compile(
        &self,
        case: &Case,
        fields: PacketFields,
        problems: &mut Problems,
    ) -> Option<Self::Compiled>;

    /// What the grader types on the client's keyboard for it in a run (line-upload's
    /// files and answers); `None` for an analyzer that types nothing of its own.
    fn typed_input(&self, scenario: &Scenario, seed: u64, run_key: &str) -> Option<TypedInput>;
}

/// What an analyzer compiled at load: everything it needs to judge a run.
pub trait Judge: Debug + Send + Sync {
    /// The requirement `check` states in reports; `None` for a check it does not perform.
    fn requirement(&self, check: CheckId) -> Option<String>;

    /// The sentences of the handout `check` enforces, quoted verbatim with where they are,
    /// `startup` included (for `grader explain`); `None` for a check it does not perform.
    /// Kept in the analyzer's `handout.rs`.
    fn handout(&self, check: CheckId) -> Option<&'static [HandoutQuote]>;

    /// The outcomes of the run's checks, in the order asked for.
    fn judge(&self, run: &Run<'_>) -> Vec<Outcome>;

    /// The timer-driven retransmission gaps of one run, pooled across the session so the
    /// timer is judged on all of a program's evidence; empty for an analyzer that judges no
    /// timer.
    fn timer_samples(&self, run: &Run<'_>) -> Vec<Duration>;

    /// The packet layout it reads, for `grader explain`; `None` for the programs' own
    /// formats.
    fn packet_layout(&self) -> Option<&Layout>;
}

/// One run as an analyzer judges it.
#[derive(Clone, Copy, Debug)]
pub struct Run<'a> {
    pub scenario: &'a Scenario,
    /// The checks to perform, in the order reports list them.
    pub checks: &'a [CheckId],
    /// Which program's exit ended the scenario.
    pub ends_when: EndsWhen,
    pub evidence: &'a RunEvidence,
    /// The address the case asks `{host}` to be, if it asks for one.
    pub host: Option<Ipv4Addr>,
    /// [`Judge::timer_samples`] of every run of the session, this one included.
    pub session_timer_samples: &'a [Duration],
}

/// What the programs' packets are called: "data packet" and "ACK".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketNames {
    pub client: &'static str,
    pub server: &'static str,
}

impl PacketNames {
    /// For an analyzer whose packets have no names of their own.
    pub const PLAIN: PacketNames = PacketNames {
        client: "packet",
        server: "packet",
    };
}

/// Keyboard input an analyzer makes for a run.
#[derive(Debug)]
pub struct TypedInput {
    /// The files the typing uploads, each as its lines, in order.
    pub uploads: Vec<Vec<String>>,
    pub script: StdinScript,
}
