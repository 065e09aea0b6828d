//! `--format ctrf`: the Common Test Report Format (specVersion 1.0.0, the schema of
//! github.com/ctrf-io/ctrf), one test per scenario run and check (`size-2048/file-copy`)
//! with its suite (case, run), duration, and the reason as its `message`.
//!
//! Outcomes map as in the other CI formats: a graded pass or non-strict pass is `passed`,
//! a graded failure or timeout `failed`, an unsupported or unexercised check and every
//! check of an informational run `skipped`, a check the grader could not judge `other`
//! (`rawStatus` keeps the grader's own word). Each test's `labels` carry the points its
//! run earned and could earn, whether the run was graded, and the seed that replays it;
//! with `--out`, its `attachments` are the run's capture and the bundle's `report.html`.

use crate::case::Grading;
use crate::check::{Outcome, Status};
use crate::grading::{GradeReport, ScenarioResult};
use crate::report::json::millis;
use crate::report::sanitize::printable;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// The CTRF specification version the report follows.
pub const SPEC_VERSION: &str = "1.0.0";

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ctrf {
    pub report_format: &'static str,
    pub spec_version: &'static str,
    pub generated_by: &'static str,
    pub results: CtrfResults,
}

#[derive(Debug, Serialize)]
pub struct CtrfResults {
    pub tool: Tool,
    pub summary: Summary,
    pub tests: Vec<CtrfTest>,
    /// The session as a whole: case, seed, points.
    pub extra: BTreeMap<&'static str, serde_json::Value>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub tests: u64,
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
    pub pending: u64,
    pub other: u64,
    pub suites: u64,
    /// Milliseconds since the Unix epoch.
    pub start: u64,
    pub stop: u64,
    pub duration: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CtrfTest {
    pub name: String,
    pub status: &'static str,
    pub raw_status: &'static str,
    /// Milliseconds: the run's, which all its checks share.
    pub duration: u64,
    pub suite: Vec<String>,
    pub message: String,
    pub labels: BTreeMap<&'static str, serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub name: String,
    pub content_type: &'static str,
    pub path: String,
}

/// The report; `bundle` is the `--out` folder when the evidence was kept there.
pub fn report(report: &GradeReport, bundle: Option<&Path>) -> Ctrf {
    let stop = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, millis);
    let duration = millis(report.wall_time);
    let mut summary = Summary {
        suites: report.scenarios.len() as u64,
        start: stop.saturating_sub(duration),
        stop,
        duration,
        ..Summary::default()
    };
    let mut tests = Vec::new();
    for scenario in &report.scenarios {
        for outcome in &scenario.outcomes {
            let test = test(report, scenario, outcome, bundle);
            summary.tests += 1;
            match test.status {
                "passed" => summary.passed += 1,
                "failed" => summary.failed += 1,
                "skipped" => summary.skipped += 1,
                _ => summary.other += 1,
            }
            tests.push(test);
        }
    }
    let (awarded, possible) = report.points();
    Ctrf {
        report_format: "CTRF",
        spec_version: SPEC_VERSION,
        generated_by: "socklab grader",
        results: CtrfResults {
            tool: Tool {
                name: "socklab grader",
                version: env!("CARGO_PKG_VERSION"),
            },
            summary,
            tests,
            extra: BTreeMap::from([
                ("case", report.case_name.clone().into()),
                ("seed", report.seed.into()),
                ("points", awarded.into()),
                ("maxPoints", possible.into()),
                ("mode", report.mode.clone().into()),
            ]),
        },
    }
}

pub fn render(report: &GradeReport, bundle: Option<&Path>) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&self::report(report, bundle))
}

fn test(
    report: &GradeReport,
    scenario: &ScenarioResult,
    outcome: &Outcome,
    bundle: Option<&Path>,
) -> CtrfTest {
    let graded = scenario.grading == Grading::Graded;
    let status = match (scenario.grading, outcome.status) {
        (_, Status::Error) => "other",
        (Grading::Informational, _) | (_, Status::Informational | Status::Unsupported) => "skipped",
        (Grading::Graded, Status::Pass | Status::NonStrict) => "passed",
        (Grading::Graded, Status::Fail | Status::Timeout) => "failed",
    };
    let labels = BTreeMap::from([
        ("scenario", scenario.key.clone().into()),
        ("check", outcome.check.name().into()),
        ("graded", graded.into()),
        ("points", scenario.points_awarded.into()),
        ("maxPoints", scenario.points_possible.into()),
        ("seed", report.seed.into()),
    ]);
    CtrfTest {
        name: format!("{}/{}", scenario.key, outcome.check),
        status,
        raw_status: outcome.status.label(),
        duration: millis(scenario.evidence.wall_time),
        suite: vec![report.case_name.clone(), scenario.key.clone()],
        message: message(outcome),
        labels,
        attachments: bundle.map_or_else(Vec::new, |dir| attachments(dir, scenario)),
    }
}

/// The run's capture and the bundle's page, where `bundle::write` puts them.
fn attachments(dir: &Path, scenario: &ScenarioResult) -> Vec<Attachment> {
    let run_dir = dir.join(scenario.key.replace('#', "_"));
    vec![
        Attachment {
            name: super::pcap::FILE_NAME.to_owned(),
            content_type: "application/x-pcapng",
            path: run_dir.join(super::pcap::FILE_NAME).display().to_string(),
        },
        Attachment {
            name: "report.html".to_owned(),
            content_type: "text/html",
            path: dir.join("report.html").display().to_string(),
        },
    ]
}

/// The requirement, and what was expected and seen.
fn message(outcome: &Outcome) -> String {
    let mut text = printable(&outcome.requirement).into_owned();
    if !outcome.expected.is_empty() {
        text.push_str(&format!("\nexpected: {}", printable(&outcome.expected)));
    }
    if !outcome.observed.is_empty() {
        text.push_str(&format!("\nobserved: {}", printable(&outcome.observed)));
    }
    text
}
