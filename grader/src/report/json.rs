//! `--format json`: the whole result for machines — case, seed, mode, and per scenario run
//! its points and every check's outcome with its reason. Versioned: a consumer checks
//! `schema-version`, which changes whenever a field changes meaning or goes away (fields may
//! be added without a new version). Field order is the order of these structs.

use crate::case::Grading;
use crate::check::{Outcome, Status};
use crate::grading::{GradeReport, ScenarioResult};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde::Serialize;

/// The version of the report's shape.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// The result of one `grader check`, for machines.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct JsonReport<'a> {
    /// The report's shape; a consumer refuses a version it does not know.
    #[schemars(extend("const" = REPORT_SCHEMA_VERSION))]
    pub schema_version: u32,
    pub case: &'a str,
    pub title: &'a str,
    pub seed: u64,
    pub mode: &'a str,
    pub client: &'a str,
    pub server: &'a str,
    /// `passed` (every graded check passed), `failed`, or `error` (the grader could not
    /// judge something; never the submission's fault).
    #[schemars(extend("enum" = ["passed", "failed", "error"]))]
    pub status: &'static str,
    pub score: f64,
    pub max_score: f64,
    pub wall_time_ms: u64,
    pub scenarios: Vec<JsonScenario<'a>>,
}

/// One run of one scenario.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct JsonScenario<'a> {
    /// The run's key: the scenario's name, with `#n` for a repetition.
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about: Option<&'a str>,
    /// Informational runs are reported, never scored.
    pub graded: bool,
    pub status: Status,
    pub score: f64,
    pub max_score: f64,
    pub wall_time_ms: u64,
    /// What the grader noticed a program do, in plain words.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub notes: &'a [String],
    pub outcomes: &'a [Outcome],
}

impl<'a> JsonReport<'a> {
    pub fn new(report: &'a GradeReport) -> JsonReport<'a> {
        let (score, max_score) = report.points();
        JsonReport {
            schema_version: REPORT_SCHEMA_VERSION,
            case: &report.case_name,
            title: &report.case_title,
            seed: report.seed,
            mode: &report.mode,
            client: &report.client,
            server: &report.server,
            status: overall_status(report),
            score,
            max_score,
            wall_time_ms: millis(report.wall_time),
            scenarios: report.scenarios.iter().map(JsonScenario::new).collect(),
        }
    }
}

impl<'a> JsonScenario<'a> {
    fn new(scenario: &'a ScenarioResult) -> JsonScenario<'a> {
        JsonScenario {
            name: &scenario.key,
            about: scenario.about.as_deref(),
            graded: scenario.grading == Grading::Graded,
            status: scenario.status(),
            score: scenario.points_awarded,
            max_score: scenario.points_possible,
            wall_time_ms: millis(scenario.evidence.wall_time),
            notes: &scenario.evidence.notes,
            outcomes: &scenario.outcomes,
        }
    }
}

/// `passed`, `failed` or `error`, as the exit code says it.
pub fn overall_status(report: &GradeReport) -> &'static str {
    if report.any_failed() {
        "failed"
    } else if report.any_error() {
        "error"
    } else {
        "passed"
    }
}

pub(crate) fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The JSON Schema of the report (`grader schema --report`), derived from these structs so
/// it cannot drift from what [`render`] writes.
pub fn schema() -> Schema {
    let mut schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<JsonReport<'static>>();
    schema.insert(
        "title".to_owned(),
        format!("Socklab grade report (--format json, schema-version {REPORT_SCHEMA_VERSION})")
            .into(),
    );
    schema
}

/// The report as pretty JSON text.
pub fn render(report: &GradeReport) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&JsonReport::new(report))
}
