//! `--format prairielearn` on the correct and buggy pair, checked by the rules of its
//! consumer: PrairieLearn's grader host reads `results.json` only after an exit 0 and only
//! up to 1 MiB, and must parse it as JSON; its results processing takes `score` as a number
//! in 0..1 and `gradable` as a boolean; its results page (`pl-external-grader-results`)
//! reads each test's `name`, `description`, `message` and `output` as text and shows
//! points only when every test has numeric `points` and `max_points`.

use crate::format_pair::{Server, filters, grade};
use serde_json::Value;
use socklab_grader::exit_code;

/// Every rule PrairieLearn applies to a gradable results.json; returns the score.
fn check_results(text: &str) -> f64 {
    // The file is the text and its line end.
    assert!(
        text.len() < 1024 * 1024,
        "over PrairieLearn's 1 MB: {}",
        text.len()
    );
    let results: Value = serde_json::from_str(text).expect("results.json is JSON");
    assert_eq!(results["gradable"], Value::Bool(true), "{results}");
    let score = results["score"].as_f64().expect("score is a number");
    assert!((0.0..=1.0).contains(&score), "score {score} outside 0..1");
    for field in ["message", "output"] {
        assert!(results[field].is_string(), "{field}: {results}");
    }
    let tests = results["tests"].as_array().expect("tests is an array");
    assert!(!tests.is_empty());
    let (mut points, mut max_points) = (0.0, 0.0);
    for test in tests {
        for field in ["name", "description", "message", "output"] {
            assert!(test[field].is_string(), "{field} is not text: {test}");
        }
        let earned = test["points"].as_f64().expect("points is a number");
        let possible = test["max_points"].as_f64().expect("max_points is a number");
        assert!((0.0..=possible).contains(&earned), "{test}");
        points += earned;
        max_points += possible;
    }
    assert!(
        (score - points / max_points).abs() < 1e-9,
        "the score is the tests' points over their maximum: {score} vs {points}/{max_points}"
    );
    score
}

#[test]
fn a_failing_submission_gets_its_partial_score_and_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("results/results.json");
    let graded = grade(
        "prairielearn",
        Server::Buggy,
        &["--results", file.to_str().unwrap()],
    );
    assert_eq!(
        graded.code,
        Some(exit_code::PASSED),
        "PrairieLearn reads results only after exit 0: {}",
        graded.stderr
    );
    assert_eq!(check_results(&graded.stdout), 0.4);
    let written = std::fs::read_to_string(&file).expect("--results made its folder");
    assert_eq!(written, graded.stdout, "the file holds what stdout shows");
    let results: Value = serde_json::from_str(&graded.stdout).unwrap();
    let tests = results["tests"].as_array().unwrap();
    assert_eq!(tests[1]["name"], "size-2048");
    assert_eq!(
        tests[1]["message"],
        "failed: block-sizes, file-copy, completion"
    );
    assert!(
        tests[1]["output"]
            .as_str()
            .unwrap()
            .contains("the server must end with an empty datagram"),
        "{}",
        tests[1]
    );
    assert_eq!(
        (tests[2]["points"].as_f64(), tests[2]["max_points"].as_f64()),
        (Some(0.0), Some(0.0)),
        "an informational run counts for nothing"
    );
    let filters = filters(None);
    let filters: Vec<(&str, &str)> = filters
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!("prairielearn", graded.stdout);
    });
}

#[test]
fn a_correct_submission_scores_1() {
    let graded = grade("prairielearn", Server::Correct, &[]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stderr);
    assert_eq!(check_results(&graded.stdout), 1.0);
}

#[test]
fn the_rules_refuse_what_prairielearn_would() {
    // The checks are not a formality: each breaks on results PrairieLearn would refuse or
    // show wrongly.
    let graded = grade("prairielearn", Server::Correct, &[]);
    let good: Value = serde_json::from_str(&graded.stdout).unwrap();
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut results = good.clone();
        edit(&mut results);
        results.to_string()
    };
    let cases = [
        (
            "a score over 1",
            broken(&|results| results["score"] = 1.5.into()),
        ),
        (
            "a score as text",
            broken(&|results| results["score"] = "1".into()),
        ),
        (
            "points as text",
            broken(&|results| results["tests"][0]["points"] = "10".into()),
        ),
        (
            "no max_points",
            broken(&|results| results["tests"][0]["max_points"] = Value::Null),
        ),
        (
            "a score that is not the tests' share",
            broken(&|results| results["tests"][0]["points"] = 0.into()),
        ),
        (
            "over 1 MB",
            broken(&|results| results["output"] = "x".repeat(1024 * 1024).into()),
        ),
        (
            "not gradable",
            broken(&|results| results["gradable"] = false.into()),
        ),
    ];
    for (why, text) in cases {
        let refused = std::panic::catch_unwind(|| check_results(&text));
        assert!(refused.is_err(), "accepted {why}");
    }
}
