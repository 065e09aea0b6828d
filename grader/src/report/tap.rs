//! `--format tap`: the Test Anything Protocol, version 14 — a subtest per scenario run (a
//! `# Subtest:` comment, its test points indented four spaces, then the run's own test
//! point), a test point per check, and under each a YAML diagnostic block (`---` … `...`,
//! two spaces deeper than its test point) with the requirement, what was expected and what
//! was seen.
//!
//! Outcomes map so that only the student's failures fail: a graded failure or timeout is
//! `not ok`; an unsupported or unexercised check is `ok … # SKIP` (nothing was judged); an
//! informational run's checks are `# TODO` (reported, never graded, so a failure there
//! fails nothing); a check the grader itself could not judge ends the stream with `Bail
//! out!` (the run is broken, not the submission). Descriptions escape `#` and `\` as TAP 14
//! asks (`lossy-soak\#2`); diagnostic values are double-quoted YAML strings.

use crate::case::Grading;
use crate::check::{Outcome, Status};
use crate::grading::{GradeReport, ScenarioResult};
use crate::report::sanitize::printable;
use std::fmt::Write;

const INDENT: &str = "    ";

/// The report as a TAP 14 stream.
pub fn render(report: &GradeReport) -> String {
    let mut tap = String::from("TAP version 14\n");
    let (awarded, possible) = report.points();
    let _ = writeln!(
        tap,
        "# {} — {}: {awarded}/{possible} points, seed {} (replay with `grader check {} --seed {}`)",
        report.case_name,
        printable(&report.case_title),
        report.seed,
        report.case_name,
        report.seed
    );
    for (index, scenario) in report.scenarios.iter().enumerate() {
        if let Some(bail_out) = subtest(&mut tap, scenario) {
            let _ = writeln!(tap, "{INDENT}{bail_out}");
            return tap;
        }
        let _ = writeln!(tap, "{}", run_point(index + 1, scenario));
    }
    let _ = writeln!(tap, "1..{}", report.scenarios.len());
    tap
}

/// A stream that stops at once: nothing was graded, for `reason` (which says whose fault it
/// was).
pub fn bail_out(reason: &str) -> String {
    format!("TAP version 14\n{}\n", bail_out_line(reason))
}

fn bail_out_line(reason: &str) -> String {
    format!("Bail out! {}", one_line(reason))
}

/// Writes one run's subtest; returns the bail-out line when a check could not be judged.
fn subtest(tap: &mut String, scenario: &ScenarioResult) -> Option<String> {
    let _ = writeln!(tap, "# Subtest: {}", escape(&scenario.key));
    for (index, outcome) in scenario.outcomes.iter().enumerate() {
        if outcome.status == Status::Error {
            return Some(bail_out_line(&format!(
                "the grader failed, not the submission: {}/{} could not be judged: {}",
                scenario.key, outcome.check, outcome.observed
            )));
        }
        let _ = writeln!(
            tap,
            "{INDENT}{}",
            check_point(index + 1, outcome, scenario.grading)
        );
        diagnostics(tap, outcome);
    }
    let _ = writeln!(tap, "{INDENT}1..{}", scenario.outcomes.len());
    None
}

/// The run's own test point, after its subtest: `not ok` when a graded check failed.
fn run_point(number: usize, scenario: &ScenarioResult) -> String {
    let name = escape(&scenario.key);
    match scenario.grading {
        Grading::Informational => {
            format!("ok {number} - {name} # TODO informational run, reported and not graded")
        }
        Grading::Graded => format!(
            "{} {number} - {name} ({}/{} points)",
            if scenario.failed() { "not ok" } else { "ok" },
            scenario.points_awarded,
            scenario.points_possible
        ),
    }
}

fn check_point(number: usize, outcome: &Outcome, grading: Grading) -> String {
    let name = escape(outcome.check.name());
    let ok = if outcome.status.is_failure() {
        "not ok"
    } else {
        "ok"
    };
    let directive = match (grading, outcome.status) {
        (Grading::Informational, _) => " # TODO informational run, not graded".to_owned(),
        (Grading::Graded, Status::Unsupported) => format!(
            " # SKIP unsupported: {}",
            one_line(&escape(&outcome.observed))
        ),
        (Grading::Graded, Status::Informational) => format!(
            " # SKIP not exercised: {}",
            one_line(&escape(&outcome.observed))
        ),
        _ => String::new(),
    };
    format!("{ok} {number} - {name}{directive}")
}

/// The YAML block under a check's test point: its status and reason.
fn diagnostics(tap: &mut String, outcome: &Outcome) {
    let block = format!("{INDENT}  ");
    let _ = writeln!(tap, "{block}---");
    let _ = writeln!(tap, "{block}status: {}", outcome.status.label());
    let _ = writeln!(tap, "{block}requirement: {}", quoted(&outcome.requirement));
    if !outcome.expected.is_empty() {
        let _ = writeln!(tap, "{block}expected: {}", quoted(&outcome.expected));
    }
    if !outcome.observed.is_empty() {
        let _ = writeln!(tap, "{block}observed: {}", quoted(&outcome.observed));
    }
    if !outcome.evidence.is_empty() {
        let _ = writeln!(tap, "{block}evidence:");
        for pointer in &outcome.evidence {
            let _ = writeln!(tap, "{block}  - {}", quoted(pointer));
        }
    }
    let _ = writeln!(tap, "{block}...");
}

/// A YAML double-quoted scalar: a JSON string is one (YAML 1.2), and it holds no line break
/// or control character, so the block stays line by line.
fn quoted(text: &str) -> String {
    serde_json::Value::String(printable(text).into_owned()).to_string()
}

/// A description or directive reason: `\` and `#` escaped, as TAP 14 reads them.
fn escape(text: &str) -> String {
    printable(text).replace('\\', "\\\\").replace('#', "\\#")
}

/// `text` on one line: a line break would end the test point.
fn one_line(text: &str) -> String {
    printable(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repetition_key_is_escaped() {
        assert_eq!(escape("lossy-soak#2"), "lossy-soak\\#2");
        assert_eq!(escape("a\\b"), "a\\\\b");
    }

    #[test]
    fn a_reason_never_breaks_the_line() {
        assert_eq!(one_line("a\nb"), "a\\x0ab");
        assert_eq!(quoted("say \"hi\"\n"), "\"say \\\"hi\\\"\\\\x0a\"");
    }

    #[test]
    fn only_a_graded_failure_is_not_ok() {
        use crate::case::CheckId;
        let outcome = |status| {
            Outcome::new(CheckId::RetransmissionTimer, "retransmits after a timeout")
                .status(status)
                .observed("no loss # happened")
        };
        let point = |status, grading| check_point(3, &outcome(status), grading);
        assert_eq!(
            point(Status::Fail, Grading::Graded),
            "not ok 3 - retransmission-timer"
        );
        assert_eq!(
            point(Status::Timeout, Grading::Graded),
            "not ok 3 - retransmission-timer"
        );
        assert_eq!(
            point(Status::NonStrict, Grading::Graded),
            "ok 3 - retransmission-timer"
        );
        assert_eq!(
            point(Status::Informational, Grading::Graded),
            "ok 3 - retransmission-timer # SKIP not exercised: no loss \\# happened"
        );
        assert_eq!(
            point(Status::Unsupported, Grading::Graded),
            "ok 3 - retransmission-timer # SKIP unsupported: no loss \\# happened"
        );
        assert_eq!(
            point(Status::Fail, Grading::Informational),
            "not ok 3 - retransmission-timer # TODO informational run, not graded"
        );
    }

    #[test]
    fn a_grader_failure_bails_out() {
        assert_eq!(
            bail_out("the grader failed: cannot write\nx"),
            "TAP version 14\nBail out! the grader failed: cannot write\\x0ax\n"
        );
    }
}
