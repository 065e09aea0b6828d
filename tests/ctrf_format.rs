//! `--format ctrf` on the correct and buggy pair, validated against the official CTRF JSON
//! Schema (vendored in tests/fixtures/ctrf with its source and version) by the `jsonschema`
//! crate: the document's shape, each test's status among CTRF's five, labels of the allowed
//! types. Then what the schema cannot say: the summary counts the tests, the points and the
//! seed ride as labels, and with `--out` the attachments name files that exist.

use crate::format_pair::{Server, filters, grade};
use crate::util::fixture;
use serde_json::Value;
use socklab_grader::exit_code;
use std::path::Path;

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("ctrf/ctrf.schema.json")).unwrap())
            .unwrap();
    jsonschema::validator_for(&schema).expect("the CTRF schema compiles")
}

/// Validates `text` against the schema and the summary against the tests; returns it.
fn valid_report(text: &str) -> Value {
    let report: Value = serde_json::from_str(text).expect("CTRF is JSON");
    let errors: Vec<String> = validator()
        .iter_errors(&report)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not CTRF: {errors:#?}");
    let tests = report["results"]["tests"].as_array().unwrap();
    let summary = &report["results"]["summary"];
    assert_eq!(summary["tests"].as_u64(), Some(tests.len() as u64));
    for status in ["passed", "failed", "skipped", "pending", "other"] {
        let counted = tests.iter().filter(|test| test["status"] == status).count();
        assert_eq!(summary[status].as_u64(), Some(counted as u64), "{status}");
    }
    assert!(summary["start"].as_u64() <= summary["stop"].as_u64());
    report
}

fn statuses(report: &Value, run: &str) -> Vec<(String, String)> {
    report["results"]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|test| test["labels"]["scenario"] == run)
        .map(|test| {
            (
                test["labels"]["check"].as_str().unwrap().to_owned(),
                test["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_failing_submission_is_valid_ctrf_with_points_seed_and_attachments() {
    let out = tempfile::tempdir().unwrap();
    let graded = grade(
        "ctrf",
        Server::Buggy,
        &["--out", out.path().to_str().unwrap()],
    );
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stderr);
    let report = valid_report(&graded.stdout);
    let failed: Vec<String> = statuses(&report, "size-2048")
        .into_iter()
        .filter(|(_, status)| status == "failed")
        .map(|(check, _)| check)
        .collect();
    assert_eq!(failed, ["block-sizes", "file-copy", "completion"]);
    assert!(
        statuses(&report, "missing-file")
            .iter()
            .all(|(_, status)| status == "skipped"),
        "an informational run is never a failure"
    );
    let tests = report["results"]["tests"].as_array().unwrap();
    for test in tests {
        let labels = &test["labels"];
        assert_eq!(labels["seed"], 3);
        assert!(labels["points"].is_number() && labels["maxPoints"].is_number());
        let attachments = test["attachments"].as_array().unwrap();
        let names: Vec<&str> = attachments
            .iter()
            .map(|attachment| attachment["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["trace.pcapng", "report.html"]);
        for attachment in attachments {
            let path = attachment["path"].as_str().unwrap();
            assert!(Path::new(path).is_file(), "attached but not there: {path}");
        }
    }
    assert_eq!(
        (
            report["results"]["extra"]["points"].as_f64(),
            report["results"]["extra"]["maxPoints"].as_f64()
        ),
        (Some(10.0), Some(25.0))
    );
    let mut filters = filters(Some(out.path()));
    for field in ["start", "stop", "duration"] {
        filters.push((
            format!(r#""{field}": \d+"#),
            format!(r#""{field}": "[MS]""#),
        ));
    }
    let filters: Vec<(&str, &str)> = filters
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!("ctrf", graded.stdout);
    });
}

#[test]
fn a_correct_submission_passes_and_has_no_attachments_without_out() {
    let graded = grade("ctrf", Server::Correct, &[]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stderr);
    let report = valid_report(&graded.stdout);
    assert_eq!(report["results"]["summary"]["failed"], 0);
    for test in report["results"]["tests"].as_array().unwrap() {
        assert!(test.get("attachments").is_none(), "{test}");
    }
}

#[test]
fn the_schema_refuses_what_ctrf_forbids() {
    // The validator is not a formality: a status outside CTRF's five is refused.
    let graded = grade("ctrf", Server::Correct, &[]);
    let mut report: Value = serde_json::from_str(&graded.stdout).unwrap();
    report["results"]["tests"][0]["status"] = "error".into();
    assert!(!validator().is_valid(&report));
}
