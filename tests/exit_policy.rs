//! The exit codes platforms expect: a format a platform takes as a grade (gradescope,
//! prairielearn, autolab) exits 0 once the result is written, whatever the score, and
//! `--exit-status verdict` brings back exit 1 on a failure; the CI formats exit 1 on a
//! failure, and `--exit-status written` makes it 0. A real grader error (the evidence
//! cannot be written: `--out`'s run folder is taken by a file; `--results` is a folder)
//! exits 70 and writes nothing a platform would take as a grade.

use crate::format_pair::{Server, grade};
use serde_json::Value;
use socklab_grader::exit_code;
use std::path::Path;

/// An `--out` folder whose first run's folder is a file, so the bundle cannot be written.
fn broken_out() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("size-1"), "").unwrap();
    out
}

fn path(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

#[test]
fn a_platform_format_exits_0_for_a_failing_student_unless_told_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results.json");
    let graded = grade("gradescope", Server::Buggy, &["--results", path(&results)]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stderr);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&results).unwrap()).unwrap();
    assert_eq!(written["score"].as_f64(), Some(10.0));
    let verdict = grade("gradescope", Server::Buggy, &["--exit-status", "verdict"]);
    assert_eq!(verdict.code, Some(exit_code::FAILED), "{}", verdict.stderr);
    assert!(
        serde_json::from_str::<Value>(&verdict.stdout).is_ok(),
        "still written"
    );
}

#[test]
fn a_ci_format_exits_1_for_a_failing_student_unless_told_otherwise() {
    let graded = grade("json", Server::Buggy, &[]);
    assert_eq!(graded.code, Some(exit_code::FAILED));
    let written = grade("json", Server::Buggy, &["--exit-status", "written"]);
    assert_eq!(written.code, Some(exit_code::PASSED), "{}", written.stderr);
    let report: Value = serde_json::from_str(&written.stdout).unwrap();
    assert_eq!(
        report["status"], "failed",
        "the report still says what failed"
    );
}

#[test]
fn a_grader_error_writes_no_gradescope_grade() {
    let out = broken_out();
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results.json");
    let graded = grade(
        "gradescope",
        Server::Buggy,
        &["--out", path(out.path()), "--results", path(&results)],
    );
    assert_eq!(graded.code, Some(exit_code::INTERNAL), "{}", graded.stderr);
    assert_eq!(graded.stdout, "", "no results on stdout");
    assert!(!results.exists(), "no results.json");
    assert!(
        graded.stderr.contains("cannot write evidence"),
        "{}",
        graded.stderr
    );
}

#[test]
fn a_grader_error_is_not_gradable_on_prairielearn() {
    let out = broken_out();
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results/results.json");
    let graded = grade(
        "prairielearn",
        Server::Buggy,
        &["--out", path(out.path()), "--results", path(&results)],
    );
    assert_eq!(graded.code, Some(exit_code::INTERNAL), "{}", graded.stderr);
    for text in [
        graded.stdout.clone(),
        std::fs::read_to_string(&results).unwrap(),
    ] {
        let written: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(written["gradable"], false, "{written}");
        assert!(written.get("score").is_none(), "{written}");
        let reason = written["format_errors"][0].as_str().unwrap();
        assert!(
            reason.starts_with("the grader failed, not the submission: cannot write evidence"),
            "{written}"
        );
    }
}

#[test]
fn a_program_that_cannot_start_is_not_graded_nor_blamed_on_the_grader() {
    let missing = "/nonexistent/server {port}";
    let graded = grade("prairielearn", Server::Correct, &["--server-cmd", missing]);
    assert_eq!(
        graded.code,
        Some(exit_code::PROGRAM_NOT_STARTED),
        "{}",
        graded.stderr
    );
    let written: Value = serde_json::from_str(&graded.stdout).unwrap();
    assert_eq!(written["gradable"], false, "{written}");
    let reason = written["format_errors"][0].as_str().unwrap();
    assert!(
        reason.starts_with("nothing was graded: cannot start the server"),
        "neither a grade nor the grader's fault: {reason}"
    );
    let autolab = grade("autolab", Server::Correct, &["--server-cmd", missing]);
    assert_eq!(autolab.code, Some(exit_code::PROGRAM_NOT_STARTED));
    let last = autolab.stdout.trim_end().lines().last().unwrap();
    assert!(serde_json::from_str::<Value>(last).is_err(), "{last}");
    assert!(last.contains("nothing was graded"), "{last}");
}

#[test]
fn a_results_file_that_cannot_be_written_is_a_grader_error() {
    let dir = tempfile::tempdir().unwrap();
    let graded = grade(
        "prairielearn",
        Server::Buggy,
        &["--results", path(dir.path())],
    );
    assert_eq!(graded.code, Some(exit_code::INTERNAL), "{}", graded.stderr);
    let written: Value = serde_json::from_str(&graded.stdout).unwrap();
    assert_eq!(
        written["gradable"], false,
        "stdout never had the grade: {written}"
    );
    assert!(
        graded.stderr.contains("cannot write --results"),
        "{}",
        graded.stderr
    );
}

#[test]
fn a_grader_error_writes_no_autolab_score() {
    let out = broken_out();
    let graded = grade("autolab", Server::Buggy, &["--out", path(out.path())]);
    assert_eq!(graded.code, Some(exit_code::INTERNAL), "{}", graded.stderr);
    let last = graded.stdout.trim_end().lines().last().unwrap();
    assert!(
        serde_json::from_str::<Value>(last).is_err(),
        "the last line must be no autoresult: {last}"
    );
    assert!(last.contains("No score was written"), "{last}");
}

#[test]
fn results_need_a_machine_format() {
    let graded = grade(
        "terminal",
        Server::Correct,
        &["--results", "/tmp/never-written.json"],
    );
    assert_eq!(
        graded.code,
        Some(exit_code::INVALID_INPUT),
        "{}",
        graded.stderr
    );
}
