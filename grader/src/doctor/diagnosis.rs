//! What `grader doctor` found, as plain data: one [`Finding`] per facility, the mode each
//! kind of submission would be graded in, and what could not be probed. Serialised as is
//! for `--format json`; fields keep their order, and a field that changes meaning or goes
//! away bumps [`DOCTOR_SCHEMA_VERSION`].

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde::Serialize;

/// The `schema-version` of `grader doctor --format json`.
pub const DOCTOR_SCHEMA_VERSION: u32 = 1;

/// Everything `grader doctor` says about this machine.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Diagnosis {
    pub schema_version: u32,
    /// The grader's version.
    pub grader_version: String,
    /// The kernel's release (`uname -r`).
    pub kernel: String,
    /// Who the grader runs as: `root`, or `uid N`.
    pub user: String,
    /// One finding per facility, in a fixed order.
    pub findings: Vec<Finding>,
    /// The mode each kind of submission would be graded in here.
    pub modes: Vec<SubmissionMode>,
    /// The mode `--mode auto` picks for each built-in case (and each `--case` given).
    pub cases: Vec<CaseMode>,
    /// What could not be probed, and why (empty when everything was).
    pub not_probed: Vec<String>,
}

/// One facility: whether it is there, what the grader uses it for, and how to get it.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Finding {
    /// Stable identifier: `network-namespaces`, `mount-namespaces`, `seccomp-notify`,
    /// `pids-cgroups`, `socket-wrapper`, `process-limit`, `loopback-ports`.
    pub id: &'static str,
    /// What people call it.
    pub name: &'static str,
    pub status: FindingStatus,
    /// What was found, in a sentence.
    pub detail: String,
    /// What the grader uses it for.
    pub used_for: &'static str,
    /// What to do to get it, most direct first (empty when nothing is missing).
    pub fixes: Vec<String>,
}

/// Whether a facility is usable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FindingStatus {
    /// There and working.
    Available,
    /// There, but with a limit that changes how the grader runs (the process limit).
    Limited,
    /// Not usable here.
    Missing,
    /// The probe did not answer in time or could not run.
    Unknown,
}

impl FindingStatus {
    pub fn label(self) -> &'static str {
        match self {
            FindingStatus::Available => "ok",
            FindingStatus::Limited => "limited",
            FindingStatus::Missing => "missing",
            FindingStatus::Unknown => "unknown",
        }
    }
}

/// The mode one kind of submission would be graded in.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct SubmissionMode {
    /// `arguments` (programs that take the port they are given) or `hard-coded`
    /// (programs that hard-code their address, `hard-coded-port` in the case).
    pub submissions: &'static str,
    /// Who those are, in words.
    pub description: &'static str,
    /// `relay`, `transparent` or `preload`; absent when none works here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<&'static str>,
    /// Why that mode, or why none.
    pub reason: String,
    /// What this machine lacks for transparent mode, the one that needs no library and
    /// sees every program as it would run alone (empty when it has it all).
    pub missing_for_transparent: Vec<String>,
}

/// The mode `--mode auto` picks for one case.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct CaseMode {
    /// The case's name (a built-in's, or the path given).
    pub case: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<&'static str>,
    pub reason: String,
}

/// The JSON Schema of `grader doctor --format json` (`grader schema --doctor`), derived
/// from these structs so it cannot drift from what is written.
pub fn schema() -> Schema {
    let mut schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Diagnosis>();
    schema.insert(
        "title".to_owned(),
        format!("Socklab grader doctor (--format json, schema-version {DOCTOR_SCHEMA_VERSION})")
            .into(),
    );
    schema
}
