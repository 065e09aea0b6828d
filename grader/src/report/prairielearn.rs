//! `--format prairielearn`: `results.json` as PrairieLearn's external grader reads it — the
//! `score` as a fraction in 0..1, `gradable`, a `message` and `output` for the whole
//! submission, and one test per scenario run with its `points` of `max_points` (partial
//! credit), a `message` naming the failed checks and an `output` with every check's
//! verdict and reason.
//!
//! PrairieLearn's grader host reads the file only when the grading container exits 0, and
//! refuses one over 1 MiB ("The grading results were larger than 1MB"): [`render`] cuts the
//! outputs and messages until the whole file fits, and says so in the top `message`. Its
//! results page (`pl-external-grader-results`) shows per-test points only when every test
//! has both `points` and `max_points`, so an informational run carries `0` of `0` (shown as
//! information, not as a failure). A grader error (or a program that could not start) is
//! never a grade: [`not_gradable`] is `gradable: false` with the reason, which PrairieLearn
//! shows without using an attempt.

use super::json::overall_status;
use crate::case::Grading;
use crate::check::{Outcome, Status};
use crate::grading::{GradeReport, ScenarioResult};
use crate::report::sanitize::printable;
use serde::Serialize;

/// The most PrairieLearn's grader host accepts: `Buffer.byteLength(data) > 1024 * 1024`
/// fails the job.
pub const MAX_BYTES: usize = 1024 * 1024;

/// The sentence that ends a text cut to fit [`MAX_BYTES`].
const CUT: &str =
    "… [cut: PrairieLearn keeps at most 1 MB of results; `grader check --format json` has it all]";

#[derive(Clone, Debug, Serialize)]
pub struct Results {
    pub gradable: bool,
    /// Awarded over possible points, in 0..1; absent when not gradable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub message: String,
    pub output: String,
    /// Why the submission could not be graded (with `gradable: false`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub format_errors: Vec<String>,
    pub tests: Vec<PrairieLearnTest>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PrairieLearnTest {
    pub name: String,
    pub description: String,
    pub points: f64,
    pub max_points: f64,
    pub message: String,
    pub output: String,
}

/// The results of a graded session.
pub fn results(report: &GradeReport) -> Results {
    let (awarded, possible) = report.points();
    let score = if possible > 0.0 {
        (awarded / possible).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Results {
        gradable: true,
        score: Some(score),
        message: format!(
            "{} — {} ({}): {awarded}/{possible} points, seed {} (replay with `grader check {} --seed {}`).",
            report.case_name,
            report.case_title,
            overall_status(report),
            report.seed,
            report.case_name,
            report.seed,
        ),
        output: format!(
            "client: {}\nserver: {}\nmode: {}",
            printable(&report.client),
            printable(&report.server),
            report.mode
        ),
        format_errors: Vec::new(),
        tests: report.scenarios.iter().map(test).collect(),
    }
}

/// What is written instead of a grade when nothing could be graded: `gradable: false` with
/// `reason` (which says whose fault it was), so PrairieLearn neither scores the submission
/// nor uses an attempt.
pub fn not_gradable(reason: &str) -> Results {
    let reason = printable(reason).into_owned();
    Results {
        gradable: false,
        score: None,
        message: format!("This submission was not graded: {reason}"),
        output: String::new(),
        format_errors: vec![reason],
        tests: Vec::new(),
    }
}

/// `results` as JSON text of at most [`MAX_BYTES`] with its line end.
pub fn render(results: Results) -> serde_json::Result<String> {
    let text = serde_json::to_string_pretty(&results)?;
    if fits(&text) {
        return Ok(text);
    }
    // Cut every long text to the same length, shorter each time, until the file fits.
    let mut limit = 64 * 1024;
    loop {
        let cut = cut_to(&results, limit);
        let text = serde_json::to_string_pretty(&cut)?;
        if fits(&text) || limit == 0 {
            return Ok(text);
        }
        limit /= 4;
    }
}

/// Whether `text` and its line end fit in [`MAX_BYTES`].
fn fits(text: &str) -> bool {
    text.len() < MAX_BYTES
}

/// `results` with each output and test message cut to `limit` bytes.
fn cut_to(results: &Results, limit: usize) -> Results {
    let mut cut = results.clone();
    cut.message.push_str(&format!(" {CUT}"));
    cut.output = shortened(&cut.output, limit);
    for test in &mut cut.tests {
        test.output = shortened(&test.output, limit);
        test.message = shortened(&test.message, limit);
        test.description = shortened(&test.description, limit);
    }
    cut
}

/// `text` cut to at most `limit` bytes at a character boundary, ending with [`CUT`].
fn shortened(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{CUT}", &text[..end])
}

fn test(scenario: &ScenarioResult) -> PrairieLearnTest {
    let graded = scenario.grading == Grading::Graded;
    let failed: Vec<&str> = scenario
        .outcomes
        .iter()
        .filter(|outcome| outcome.status.is_failure())
        .map(|outcome| outcome.check.name())
        .collect();
    let message = if !graded {
        "informational: reported, not graded".to_owned()
    } else if failed.is_empty() {
        "passed".to_owned()
    } else {
        format!("failed: {}", failed.join(", "))
    };
    PrairieLearnTest {
        name: scenario.key.clone(),
        description: scenario.about.clone().unwrap_or_default(),
        points: if graded { scenario.points_awarded } else { 0.0 },
        max_points: if graded {
            scenario.points_possible
        } else {
            0.0
        },
        message,
        output: output(scenario),
    }
}

/// Each check's verdict, and for those that did not pass what was expected and seen.
fn output(scenario: &ScenarioResult) -> String {
    let mut lines: Vec<String> = scenario.outcomes.iter().map(line).collect();
    for note in &scenario.evidence.notes {
        lines.push(format!("note: {}", printable(note)));
    }
    lines.join("\n")
}

fn line(outcome: &Outcome) -> String {
    let mut text = format!(
        "[{}] {}: {}",
        outcome.status.label(),
        outcome.check,
        printable(&outcome.requirement)
    );
    if outcome.status != Status::Pass {
        if !outcome.expected.is_empty() {
            text.push_str(&format!("\n    expected: {}", printable(&outcome.expected)));
        }
        if !outcome.observed.is_empty() {
            text.push_str(&format!("\n    observed: {}", printable(&outcome.observed)));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn huge_results() -> Results {
        let long = "x".repeat(300 * 1024);
        Results {
            gradable: true,
            score: Some(0.5),
            message: "udp-file: 5/10".to_owned(),
            output: long.clone(),
            format_errors: Vec::new(),
            tests: (0..6)
                .map(|index| PrairieLearnTest {
                    name: format!("run-{index}"),
                    description: String::new(),
                    points: 0.0,
                    max_points: 5.0,
                    message: "failed: file-copy".to_owned(),
                    output: format!("é{long}"),
                })
                .collect(),
        }
    }

    #[test]
    fn results_over_the_limit_are_cut_to_fit_and_say_so() {
        let results = huge_results();
        assert!(serde_json::to_string_pretty(&results).unwrap().len() > MAX_BYTES);
        let text = render(results).unwrap();
        assert!(text.len() < MAX_BYTES, "{} bytes", text.len());
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(
            parsed["message"]
                .as_str()
                .unwrap()
                .contains("cut: PrairieLearn")
        );
        assert_eq!(parsed["score"].as_f64(), Some(0.5));
        let tests = parsed["tests"].as_array().unwrap();
        assert_eq!(tests.len(), 6, "every test stays");
        for test in tests {
            assert!(test["output"].as_str().unwrap().ends_with(CUT));
            assert_eq!(test["max_points"].as_f64(), Some(5.0));
        }
    }

    #[test]
    fn results_within_the_limit_are_left_whole() {
        let mut results = huge_results();
        results.output = "short".to_owned();
        results.tests.truncate(1);
        let text = render(results).unwrap();
        assert!(!text.contains("cut: PrairieLearn"));
    }

    #[test]
    fn a_cut_never_splits_a_character() {
        assert_eq!(shortened("éé", 1), format!("{CUT}"));
        assert_eq!(shortened("éé", 3), format!("é{CUT}"));
        assert_eq!(shortened("éé", 4), "éé");
    }

    #[test]
    fn not_gradable_has_no_score_and_gives_the_reason() {
        let text = render(not_gradable("cannot write\x1b[2J")).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["gradable"], false);
        assert!(parsed.get("score").is_none());
        assert_eq!(parsed["format_errors"][0], "cannot write\\x1b[2J");
    }
}
