//! The class summary: what `class.json` holds and `class.html` shows — the score
//! distribution, the checks by how many submissions failed them, the failures grouped by
//! cause with their students, and one row per submission.
//!
//! Versioned like the `--format json` report: a consumer checks `schema-version`, which
//! changes whenever a field changes meaning or goes away (fields may be added without a new
//! version). `grader schema --class` prints the JSON Schema derived from these structs.

use crate::batch::result::{RoleStatus, SubmissionStatus};
use crate::batch::roles::Role;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde::Serialize;

/// The version of `class.json`'s shape.
pub const CLASS_SCHEMA_VERSION: u32 = 1;

/// A class's summary (`OUT/class.json`).
///
/// A submission the grader could not judge (a `grader check` that failed, a program that
/// could not be started) is in `not-graded` and nowhere else: it is in no bucket, no
/// check's counts and no group, so it never counts as a student's failure. A submission
/// with a program missing is the student's to fix and is counted with the points it earned.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ClassSummary {
    /// The summary's shape; a consumer refuses a version it does not know.
    #[schemars(extend("const" = CLASS_SCHEMA_VERSION))]
    pub schema_version: u32,
    pub case: String,
    pub seed: u64,
    /// The score distribution of the counted submissions, eleven buckets of the score as a
    /// percentage of the maximum: 0–9, 10–19, …, 90–99, and 100 (full marks) alone.
    pub distribution: Vec<ScoreBucket>,
    /// Every check judged in a graded run of a counted submission, the most failed first.
    pub checks: Vec<CheckFailures>,
    /// The failures grouped by cause: the same check failing with the same kind of
    /// observation; the largest group first.
    pub groups: Vec<FailureGroup>,
    /// The counted submissions, sorted by id.
    pub students: Vec<StudentRow>,
    /// The submissions the grader could not judge, sorted by id (see the type's doc).
    pub not_graded: Vec<StudentRow>,
}

/// One bar of the distribution: scores from `from-percent` % of the maximum up to, not
/// including, `to-percent` % (the last bucket, 100 to 100, is full marks).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ScoreBucket {
    pub from_percent: u32,
    pub to_percent: u32,
    /// How the page labels it: `0–9`, …, `90–99`, `100`.
    pub label: String,
    pub count: usize,
    /// The submissions in it, sorted.
    pub ids: Vec<String>,
}

/// One check across the class.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct CheckFailures {
    /// The check's name, as case files and reports write it.
    pub check: String,
    /// Counted submissions in which it failed (or timed out) in at least one graded run.
    pub failed: usize,
    /// Counted submissions in which it was judged (passed, failed, or deviated from a
    /// SHOULD) in at least one graded run.
    pub graded: usize,
    /// The scenario runs it failed in, in the case's order, each with how many submissions
    /// failed it there.
    pub scenarios: Vec<ScenarioFailures>,
}

/// How many submissions failed a check in one scenario run.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ScenarioFailures {
    /// The run's key (`add-42`, `lossy-soak#2`).
    pub scenario: String,
    pub failed: usize,
}

/// Submissions whose `check` failed with the same kind of observation.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct FailureGroup {
    pub check: String,
    /// The observation with what varies replaced (see [`super::observation_kind`]).
    pub kind: String,
    /// One real observation of the group: the first member's first.
    pub example: String,
    /// Sorted by id.
    pub members: Vec<GroupMember>,
}

/// A submission in a group, and where its failures of that kind were.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct GroupMember {
    pub id: String,
    /// In the order the roles and runs were graded.
    pub runs: Vec<RoleRun>,
}

/// One scenario run of one role.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct RoleRun {
    pub role: Role,
    pub scenario: String,
}

/// One submission: its grade, the checks it failed, and its roles.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct StudentRow {
    pub id: String,
    pub status: SubmissionStatus,
    /// As in `grades.csv`.
    pub score: f64,
    pub max: f64,
    /// The checks it failed in a graded run, in the order of the class's checks table.
    pub failed_checks: Vec<String>,
    pub roles: Vec<StudentRole>,
}

/// One role of a submission.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct StudentRole {
    pub role: Role,
    pub status: RoleStatus,
    pub points: f64,
    pub max: f64,
    /// Its `report.html`, relative to the batch's output folder, when it exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
    /// Why it earned nothing without being judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// The JSON Schema of `class.json` (`grader schema --class`), derived from these structs
/// so it cannot drift from what is written.
pub fn class_schema() -> Schema {
    let mut schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<ClassSummary>();
    schema.insert(
        "title".to_owned(),
        format!("Socklab class summary (class.json, schema-version {CLASS_SCHEMA_VERSION})").into(),
    );
    schema
}
