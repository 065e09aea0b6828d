//! `--format gradescope`: `results.json` as Gradescope's autograder specification reads it —
//! the total `score`, `execution_time`, Markdown `output`, and one test per scenario run
//! with its share of the points (partial credit), status, the failed checks' reasons, tags
//! and the scenario's `visibility` (hidden scenarios stay hidden until the case says).
//! Informational runs carry no score. When the case has `leaderboard:` columns, the
//! `leaderboard` array Gradescope ranks submissions by (see [`super::leaderboard`]).

use super::json::overall_status;
use crate::analyzer::Case;
use crate::case::{Grading, Visibility};
use crate::check::{Outcome, Status};
use crate::grading::{GradeReport, ScenarioResult};
use crate::report::leaderboard::{LeaderboardEntry, leaderboard};
use crate::report::sanitize::printable;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Results {
    pub score: f64,
    pub max_score: f64,
    /// Seconds, as Gradescope counts them.
    pub execution_time: u64,
    pub output: String,
    pub output_format: &'static str,
    pub test_output_format: &'static str,
    pub tests: Vec<GradescopeTest>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leaderboard: Vec<LeaderboardEntry>,
}

#[derive(Debug, Serialize)]
pub struct GradescopeTest {
    pub name: String,
    pub number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_score: Option<f64>,
    pub status: &'static str,
    pub output: String,
    pub tags: Vec<String>,
    pub visibility: Visibility,
}

pub fn results(report: &GradeReport, case: &Case) -> Results {
    let (score, max_score) = report.points();
    let tests = report
        .scenarios
        .iter()
        .enumerate()
        .map(|(index, scenario)| test(report, case, index, scenario))
        .collect();
    Results {
        score,
        max_score,
        execution_time: report.wall_time.as_secs(),
        output: format!(
            "**{}** — {} ({}): {score}/{max_score}, seed {} (replay with `{}`), mode {}.",
            report.case_name,
            report.case_title,
            overall_status(report),
            report.seed,
            report.replay.command(),
            report.mode
        ),
        output_format: "md",
        test_output_format: "md",
        tests,
        leaderboard: leaderboard(report, case),
    }
}

fn test(
    report: &GradeReport,
    case: &Case,
    index: usize,
    scenario: &ScenarioResult,
) -> GradescopeTest {
    let graded = scenario.grading == Grading::Graded;
    let visibility = case
        .scenarios
        .iter()
        .find(|planned| planned.name.value == base_name(&scenario.key))
        .map_or(Visibility::Visible, |planned| planned.visibility);
    let mut tags = vec![report.case_name.clone()];
    if !graded {
        tags.push("informational".to_owned());
    }
    GradescopeTest {
        name: match &scenario.about {
            Some(about) => format!("{}: {about}", scenario.key),
            None => scenario.key.clone(),
        },
        number: (index + 1).to_string(),
        score: graded.then_some(scenario.points_awarded),
        max_score: graded.then_some(scenario.points_possible),
        status: if scenario.failed() {
            "failed"
        } else {
            "passed"
        },
        output: output(scenario),
        tags,
        visibility,
    }
}

/// Each check's verdict; the reasons of those that did not pass.
fn output(scenario: &ScenarioResult) -> String {
    let mut lines = Vec::new();
    for outcome in &scenario.outcomes {
        lines.push(line(outcome));
    }
    for note in &scenario.evidence.notes {
        lines.push(format!("- note: {}", printable(note)));
    }
    lines.join("\n")
}

fn line(outcome: &Outcome) -> String {
    let mut text = format!(
        "- `{}` **{}**: {}",
        outcome.check,
        outcome.status.label(),
        printable(&outcome.requirement)
    );
    if outcome.status != Status::Pass {
        if !outcome.expected.is_empty() {
            text.push_str(&format!("\n  - expected: {}", printable(&outcome.expected)));
        }
        if !outcome.observed.is_empty() {
            text.push_str(&format!("\n  - observed: {}", printable(&outcome.observed)));
        }
    }
    text
}

/// `lossy-soak#3` → `lossy-soak`.
fn base_name(key: &str) -> &str {
    key.split('#').next().unwrap_or(key)
}

pub fn render(report: &GradeReport, case: &Case) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&results(report, case))
}
