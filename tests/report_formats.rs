//! `--format json | junit | gradescope | classroom` on one failing run: each format carries
//! the verdicts with their reasons, sums the points right, and keeps its documented shape
//! (snapshots, with times and paths redacted).

use crate::util::{grader, reference_binary, root};
use socklab_grader::exit_code;

/// A udp-file server that never sends the empty final block: `size-1` passes, `size-2048`
/// fails three checks, `missing-file` is informational.
fn run(format: &str) -> (Option<i32>, String) {
    let server = format!(
        "{} udp-file server --port {{port}} --defect no-empty-final",
        reference_binary()
    );
    let output = grader()
        .args([
            "check",
            "udp-file",
            "--seed",
            "3",
            "--budget",
            "1s",
            "--scenario",
            "size-1",
            "--scenario",
            "size-2048",
            "--scenario",
            "missing-file",
            "--server-cmd",
            &server,
            "--format",
            format,
        ])
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).expect("a machine format is UTF-8"),
    )
}

/// What varies between runs (the reference's path, the checkout, times), as insta filters.
pub fn filters() -> Vec<(String, String)> {
    vec![
        (regex_escape(reference_binary()), "[REFERENCE]".to_owned()),
        (
            regex_escape(&root().display().to_string()),
            "[ROOT]".to_owned(),
        ),
        (
            r#"time="[0-9.]+""#.to_owned(),
            r#"time="[TIME]""#.to_owned(),
        ),
        (
            r#""wall-time-ms": \d+"#.to_owned(),
            r#""wall-time-ms": "[MS]""#.to_owned(),
        ),
        (
            r#""execution_time": \d+"#.to_owned(),
            r#""execution_time": "[S]""#.to_owned(),
        ),
        (
            r#""duration": [0-9.e-]+"#.to_owned(),
            r#""duration": "[S]""#.to_owned(),
        ),
    ]
}

pub fn regex_escape(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '/' || c == '_' || c == '-' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

fn snapshot(name: &str, text: &str) {
    let filters = filters();
    let filters: Vec<(&str, &str)> = filters
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn json_is_versioned_and_carries_every_outcome() {
    let (code, text) = run("json");
    assert_eq!(code, Some(exit_code::FAILED), "{text}");
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["schema-version"], 1);
    assert_eq!(report["status"], "failed");
    assert_eq!(
        (report["score"].as_f64(), report["max-score"].as_f64()),
        (Some(10.0), Some(25.0))
    );
    let failed: Vec<&str> = report["scenarios"][1]["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|outcome| outcome["status"] != "pass")
        .map(|outcome| outcome["check"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["block-sizes", "file-copy", "completion"]);
    snapshot("json", &text);
}

#[test]
fn junit_has_a_failure_with_its_reason_for_each_failed_check() {
    let (code, text) = run("junit");
    assert_eq!(code, Some(exit_code::FAILED), "{text}");
    assert_eq!(text.matches("<failure ").count(), 3, "{text}");
    assert!(
        text.contains("<testcase name=\"size-2048/block-sizes\""),
        "{text}"
    );
    assert!(
        text.contains("the server must end with an empty datagram"),
        "{text}"
    );
    assert_eq!(
        text.matches("<skipped ").count(),
        4,
        "informational runs are skipped: {text}"
    );
    snapshot("junit", &text);
}

#[test]
fn gradescope_results_sum_with_partial_credit() {
    let (code, text) = run("gradescope");
    assert_eq!(
        code,
        Some(exit_code::PASSED),
        "a platform format exits 0 once the result is written: {text}"
    );
    let results: serde_json::Value = serde_json::from_str(&text).unwrap();
    let tests = results["tests"].as_array().unwrap();
    let sum: f64 = tests.iter().filter_map(|test| test["score"].as_f64()).sum();
    let max: f64 = tests
        .iter()
        .filter_map(|test| test["max_score"].as_f64())
        .sum();
    assert_eq!(
        (results["score"].as_f64(), results["max_score"].as_f64()),
        (Some(sum), Some(max))
    );
    assert_eq!((sum, max), (10.0, 25.0));
    let informational = &tests[2];
    assert!(informational.get("score").is_none() && informational.get("max_score").is_none());
    assert_eq!(results["output_format"], "md");
    for test in tests {
        assert!(["passed", "failed"].contains(&test["status"].as_str().unwrap()));
        assert_eq!(test["visibility"], "visible");
    }
    snapshot("gradescope", &text);
}

#[test]
fn classroom_result_has_the_runner_shape() {
    let (code, text) = run("classroom");
    assert_eq!(code, Some(exit_code::FAILED), "{text}");
    let result: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(result["version"], 1);
    assert_eq!(result["status"], "fail");
    assert_eq!(result["max_score"].as_f64(), Some(25.0));
    let tests = result["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 2, "graded runs only: {text}");
    for test in tests {
        for field in [
            "name",
            "status",
            "message",
            "test_code",
            "filename",
            "line_no",
            "duration",
            "score",
        ] {
            assert!(test.get(field).is_some(), "{field} missing: {test}");
        }
        assert!(["pass", "fail", "error"].contains(&test["status"].as_str().unwrap()));
    }
    assert_eq!(tests[1]["status"], "fail");
    snapshot("classroom", &text);
}

#[test]
fn gradescope_visibility_comes_from_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let case = std::fs::read_to_string(root().join("cases/udp-file.yaml")).unwrap();
    let anchor = "  - name: size-2048\n";
    assert!(case.contains(anchor));
    let case = case.replace(
        anchor,
        "  - name: size-2048\n    visibility: after_due_date\n",
    );
    let path = dir.path().join("udp-file-hidden.yaml");
    std::fs::write(&path, case).unwrap();
    let output = grader()
        .args(["check"])
        .arg(&path)
        .args([
            "--seed",
            "3",
            "--scenario",
            "size-1",
            "--scenario",
            "size-2048",
        ])
        .args(["--format", "gradescope"])
        .output()
        .unwrap();
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let visibility: Vec<&str> = results["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|test| test["visibility"].as_str().unwrap())
        .collect();
    assert_eq!(visibility, ["visible", "after_due_date"]);
}

/// udp-file with a leaderboard: the total score, and the time `size-1` and `size-2048` took.
fn case_with_leaderboard(dir: &std::path::Path) -> std::path::PathBuf {
    let case = std::fs::read_to_string(root().join("cases/udp-file.yaml")).unwrap();
    let case = format!(
        "{case}\nleaderboard:\n  - name: Score\n    value: score\n  - name: Small file (s)\n    value: seconds\n    scenario: size-1\n  - name: One block (s)\n    value: seconds\n    scenario: size-2048\n"
    );
    let path = dir.join("udp-file-leaderboard.yaml");
    std::fs::write(&path, case).unwrap();
    path
}

fn leaderboard_of(case: &std::path::Path, server: Option<&str>) -> Vec<serde_json::Value> {
    let mut command = grader();
    command.args(["check"]).arg(case).args([
        "--seed",
        "3",
        "--budget",
        "1s",
        "--scenario",
        "size-1",
        "--scenario",
        "size-2048",
        "--format",
        "gradescope",
    ]);
    if let Some(server) = server {
        command.args(["--server-cmd", server]);
    }
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(exit_code::PASSED));
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    results["leaderboard"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn gradescope_leaderboard_ranks_points_and_the_times_of_passing_runs() {
    let dir = tempfile::tempdir().unwrap();
    let case = case_with_leaderboard(dir.path());
    let correct = leaderboard_of(&case, None);
    let names: Vec<&str> = correct
        .iter()
        .map(|entry| entry["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Score", "Small file (s)", "One block (s)"]);
    assert_eq!(correct[0]["value"].as_f64(), Some(25.0));
    assert_eq!(correct[0]["order"], "desc");
    for entry in &correct[1..] {
        assert!(entry["value"].as_f64().unwrap() > 0.0, "{entry}");
        assert_eq!(entry["order"], "asc", "the fastest first");
    }
    let server = format!(
        "{} udp-file server --port {{port}} --defect no-empty-final",
        reference_binary()
    );
    let buggy = leaderboard_of(&case, Some(&server));
    let names: Vec<&str> = buggy
        .iter()
        .map(|entry| entry["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Score", "Small file (s)"],
        "a failed run's time ranks nothing"
    );
    assert_eq!(buggy[0]["value"].as_f64(), Some(10.0));
}

#[test]
fn a_leaderboard_without_a_leaderboard_field_is_left_out() {
    let (_, text) = run("gradescope");
    let results: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(results.get("leaderboard").is_none(), "{text}");
}

#[test]
fn a_leaderboard_column_must_name_a_scenario_it_can_time() {
    let dir = tempfile::tempdir().unwrap();
    let case = std::fs::read_to_string(root().join("cases/udp-file.yaml")).unwrap();
    let case = format!(
        "{case}\nleaderboard:\n  - name: Time (s)\n    value: seconds\n  - name: Other\n    value: score\n    scenario: no-such-scenario\n"
    );
    let path = dir.path().join("udp-file-bad-leaderboard.yaml");
    std::fs::write(&path, case).unwrap();
    let output = grader().arg("lint").arg(&path).output().unwrap();
    // `grader lint` lists the problems on stdout, one `file:line:column: ...` each.
    let problems = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(exit_code::INVALID_INPUT),
        "{problems}"
    );
    assert!(
        problems.contains("a `seconds` leaderboard column needs the `scenario`"),
        "{problems}"
    );
    assert!(
        problems.contains("the leaderboard names no scenario of the case: `no-such-scenario`"),
        "{problems}"
    );
}
