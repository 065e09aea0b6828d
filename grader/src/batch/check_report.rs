//! Reading what one `grader check --format json` child said into a role's result.
//!
//! A child that exits 0 or 1 has judged the submission (passed or failed) and printed its
//! report; any other ending (invalid input 2, a program that could not start 3, the
//! grader's own failure 70, a signal) or a report that does not parse is the grader's
//! error for that role, recorded with the last lines of the child's stderr so the
//! instructor sees why without digging.

use super::result::{RoleResult, RoleStatus, ScenarioPoints, scaled};
use super::roles::Role;
use crate::exit_code;
use crate::report::json::REPORT_SCHEMA_VERSION;
use serde::Deserialize;

/// How many of the child's last stderr lines an error keeps.
const STDERR_LINES: usize = 5;

/// What one child printed and how it ended.
#[derive(Clone, Copy, Debug)]
pub struct CheckOutput<'a> {
    /// `None` when a signal ended it.
    pub exit_code: Option<i32>,
    pub stdout: &'a str,
    pub stderr: &'a str,
}

/// The role's result from its child's output; `weight` is the role's points.
pub fn role_result(role: Role, weight: u32, output: CheckOutput<'_>) -> RoleResult {
    let judged = matches!(
        output.exit_code,
        Some(exit_code::PASSED | exit_code::FAILED)
    );
    let report = if judged {
        parse(output.stdout)
    } else {
        Err(match output.exit_code {
            Some(code) => format!("grader check exited with code {code}"),
            None => "grader check was killed by a signal".to_owned(),
        })
    };
    let max = f64::from(weight);
    match report {
        Ok(report) => RoleResult {
            role,
            status: RoleStatus::Graded,
            points: scaled(max, report.score, report.max_score),
            max,
            client: None,
            server: None,
            scenarios: report
                .scenarios
                .iter()
                .filter(|scenario| scenario.graded)
                .map(|scenario| ScenarioPoints {
                    name: scenario.name.clone(),
                    points: scaled(max, scenario.score, report.max_score),
                    max: scaled(max, scenario.max_score, report.max_score),
                })
                .collect(),
            exit_code: output.exit_code,
            error: None,
        },
        Err(why) => RoleResult {
            role,
            status: RoleStatus::Error,
            points: 0.0,
            max,
            client: None,
            server: None,
            scenarios: Vec::new(),
            exit_code: output.exit_code,
            error: Some(with_stderr(&why, output.stderr)),
        },
    }
}

/// The part of the `--format json` report a grade needs.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct CheckReport {
    schema_version: u32,
    score: f64,
    max_score: f64,
    scenarios: Vec<CheckScenario>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct CheckScenario {
    name: String,
    graded: bool,
    score: f64,
    max_score: f64,
}

fn parse(stdout: &str) -> Result<CheckReport, String> {
    let report: CheckReport = serde_json::from_str(stdout)
        .map_err(|error| format!("grader check's JSON report does not parse: {error}"))?;
    if report.schema_version != REPORT_SCHEMA_VERSION {
        return Err(format!(
            "grader check's report has schema-version {}, this batch reads {REPORT_SCHEMA_VERSION}",
            report.schema_version
        ));
    }
    Ok(report)
}

fn with_stderr(why: &str, stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let last = &lines[lines.len().saturating_sub(STDERR_LINES)..];
    if last.is_empty() {
        why.to_owned()
    } else {
        format!("{why}: {}", last.join(" / "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"{"schema-version": 1, "case": "rdt3", "score": 10.0,
        "max-score": 25.0, "scenarios": [
          {"name": "no-loss", "graded": true, "score": 10.0, "max-score": 10.0},
          {"name": "lost-packet", "graded": true, "score": 0.0, "max-score": 15.0},
          {"name": "handout-channel", "graded": false, "score": 0.0, "max-score": 0.0}]}"#;

    #[test]
    fn a_judged_run_scales_its_points_to_the_role() {
        let output = CheckOutput {
            exit_code: Some(1),
            stdout: REPORT,
            stderr: "",
        };
        let role = role_result(Role::Server, 50, output);
        assert_eq!(role.status, RoleStatus::Graded);
        assert_eq!(role.points, 20.0);
        assert_eq!(role.max, 50.0);
        let names: Vec<&str> = role.scenarios.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["no-loss", "lost-packet"]);
        assert_eq!(role.scenarios[1].max, 30.0);
    }

    #[test]
    fn a_failed_child_is_an_error_with_its_last_stderr_lines() {
        let stderr = "one\ntwo\nthree\nfour\nfive\nerror: cannot start python3\n";
        let output = CheckOutput {
            exit_code: Some(3),
            stdout: "",
            stderr,
        };
        let role = role_result(Role::Pair, 10, output);
        assert_eq!(role.status, RoleStatus::Error);
        assert_eq!(role.points, 0.0);
        assert_eq!(
            role.error.as_deref(),
            Some(
                "grader check exited with code 3: two / three / four / five / error: cannot \
                 start python3"
            )
        );
    }

    #[test]
    fn a_report_that_does_not_parse_is_an_error() {
        let output = CheckOutput {
            exit_code: Some(0),
            stdout: "PASS",
            stderr: "",
        };
        let role = role_result(Role::Pair, 10, output);
        assert_eq!(role.status, RoleStatus::Error);
        assert!(role.error.unwrap().contains("does not parse"));
    }
}
