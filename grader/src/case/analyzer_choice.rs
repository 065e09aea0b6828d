//! What the case layer asks of the analyzer a case chooses.
//!
//! A case file names its analyzer (`analyzer: { alternating-bit: … }`); loading must
//! validate the rest of the case against it and compile what judging needs. The case layer
//! states those needs here and never names an analyzer: the registry of analyzers
//! (`crate::analyzer`) implements this trait, so data flows one way, from the case model up
//! to the analyzers that read it.

use super::model::{Case, CheckId, Scenario, Transport, WireFormat};
use super::validate::Problems;
use crate::wire::Layout;
use std::fmt::Debug;

/// The analyzer a case chooses, as loading sees it.
pub trait AnalyzerChoice: Debug + Sized {
    /// What loading compiles once for judging every run.
    type Compiled: Debug;

    /// The name case files use (`alternating-bit`).
    fn name(&self) -> &'static str;

    /// The checks it can perform (besides `startup`, which every case has).
    fn checks(&self) -> &'static [CheckId];

    /// The transport its programs use.
    fn transport(&self) -> Transport;

    /// The packet layout it reads from the case's `wire` section, checked; problems are
    /// recorded. Scripted faults that name a packet field resolve against it.
    fn packet_fields(&self, wire: Option<&WireFormat>, problems: &mut Problems) -> PacketFields;

    /// Whether a scenario gives this analyzer what it needs (a typed integer, a file, an
    /// upload); the message says what is missing.
    fn validate_scenario(&self, scenario: &Scenario) -> Result<(), String>;

    /// Compiles its patterns and checks its parameters, once the rest of the case has been
    /// checked; `None` with the problems recorded.
    fn compile(
        &self,
        case: &Case<Self>,
        fields: PacketFields,
        problems: &mut Problems,
    ) -> Option<Self::Compiled>;
}

/// What faults that name a packet field can be resolved against.
#[derive(Debug)]
pub enum PacketFields {
    /// The analyzer reads no packet layout.
    NoLayout,
    /// The layout has problems of its own, already recorded.
    Broken,
    Layout(Layout),
}

/// The refusal every analyzer but line-upload gives a scenario with an `upload`.
pub fn refuse_upload(scenario: &Scenario) -> Result<(), String> {
    match scenario.upload {
        Some(_) => Err("`upload` is for the line-upload analyzer".to_owned()),
        None => Ok(()),
    }
}
