//! `--format classroom`: the result of a GitHub Classroom autograding runner, as the
//! `autograding-grading-reporter` action reads it (base64-encode it into the step's
//! `result` output): `{version: 1, status, max_score, tests: [...]}`, one test per
//! graded scenario run with its score.

use crate::case::Grading;
use crate::grading::GradeReport;
use crate::report::sanitize::printable;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct RunnerResult {
    pub version: u32,
    /// `pass`, `fail`, or `error` when the grader could not judge something.
    pub status: &'static str,
    pub max_score: f64,
    pub tests: Vec<ClassroomTest>,
}

#[derive(Debug, Serialize)]
pub struct ClassroomTest {
    pub name: String,
    pub status: &'static str,
    pub message: Option<String>,
    pub test_code: String,
    pub filename: String,
    pub line_no: u32,
    /// Seconds.
    pub duration: f64,
    pub score: f64,
}

pub fn result(report: &GradeReport) -> RunnerResult {
    let (_, max_score) = report.points();
    let tests = report
        .scenarios
        .iter()
        .filter(|scenario| scenario.grading == Grading::Graded)
        .map(|scenario| {
            let errored = scenario
                .outcomes
                .iter()
                .any(|outcome| outcome.status == crate::check::Status::Error);
            let reasons: Vec<String> = scenario
                .outcomes
                .iter()
                .filter(|outcome| outcome.status.is_failure())
                .map(|outcome| format!("{}: {}", outcome.check, printable(&outcome.observed)))
                .collect();
            ClassroomTest {
                name: scenario.key.clone(),
                status: if scenario.failed() {
                    "fail"
                } else if errored {
                    "error"
                } else {
                    "pass"
                },
                message: (!reasons.is_empty()).then(|| reasons.join("\n")),
                test_code: format!(
                    "grader check {} --seed {} --scenario {}",
                    report.case_name, report.seed, scenario.key
                ),
                filename: String::new(),
                line_no: 0,
                duration: scenario.evidence.wall_time.as_secs_f64(),
                score: scenario.points_awarded,
            }
        })
        .collect();
    RunnerResult {
        version: 1,
        status: match super::json::overall_status(report) {
            "failed" => "fail",
            "error" => "error",
            _ => "pass",
        },
        max_score,
        tests,
    }
}

pub fn render(report: &GradeReport) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&result(report))
}
