//! `--format junit`: one `<testsuite>` per case, one `<testcase>` per scenario run and
//! check (`lost-ack/ack-behaviour`), so CI systems (GitLab's `artifacts:reports:junit`)
//! list each requirement. A graded failure is a `<failure>` with the reason; the grader's
//! own error an `<error>`; informational, unsupported or not-graded outcomes `<skipped>`
//! with what was seen.

use crate::case::Grading;
use crate::check::{Outcome, Status};
use crate::grading::GradeReport;
use crate::report::sanitize::printable;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

pub fn render(report: &GradeReport) -> Result<String, quick_junit::SerializeError> {
    let mut junit = Report::new(format!("socklab {}", report.case_name));
    junit.set_time(report.wall_time);
    let mut suite = TestSuite::new(report.case_name.clone());
    suite.set_time(report.wall_time);
    for scenario in &report.scenarios {
        for outcome in &scenario.outcomes {
            let name = format!("{}/{}", scenario.key, outcome.check);
            let mut case = TestCase::new(name, status(outcome, scenario.grading));
            case.set_classname(format!("{}.{}", report.case_name, scenario.key));
            case.set_time(scenario.evidence.wall_time);
            suite.add_test_case(case);
        }
    }
    junit.add_test_suite(suite);
    junit.to_string()
}

fn status(outcome: &Outcome, grading: Grading) -> TestCaseStatus {
    let reason = reason(outcome);
    let mut status = match (grading, outcome.status) {
        (Grading::Graded, Status::Pass | Status::NonStrict) => return TestCaseStatus::success(),
        (Grading::Graded, Status::Fail | Status::Timeout) => {
            TestCaseStatus::non_success(NonSuccessKind::Failure)
        }
        (_, Status::Error) => TestCaseStatus::non_success(NonSuccessKind::Error),
        (Grading::Informational, _) | (_, Status::Informational | Status::Unsupported) => {
            TestCaseStatus::skipped()
        }
    };
    status.set_message(printable(&first_line(&reason)).into_owned());
    status.set_type(outcome.status.label());
    // Line by line, so the breaks stay breaks and only what a program wrote is escaped.
    let lines: Vec<String> = reason
        .lines()
        .map(|line| printable(line).into_owned())
        .collect();
    status.set_description(lines.join("\n"));
    status
}

/// The requirement, what was expected and what was seen, as one text.
fn reason(outcome: &Outcome) -> String {
    let mut text = outcome.requirement.clone();
    if !outcome.expected.is_empty() {
        text.push_str(&format!("\nexpected: {}", outcome.expected));
    }
    if !outcome.observed.is_empty() {
        text.push_str(&format!("\nobserved: {}", outcome.observed));
    }
    text
}

fn first_line(text: &str) -> String {
    let observed = text
        .lines()
        .find_map(|line| line.strip_prefix("observed: "))
        .unwrap_or_else(|| text.lines().next().unwrap_or_default());
    observed.to_owned()
}
