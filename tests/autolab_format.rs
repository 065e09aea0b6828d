//! `--format autolab` on the correct and buggy pair, read as Autolab reads a job's output:
//! Tango's autodriver sends the grader's stdout and stderr to one file, and Autolab takes
//! its last line (`feedback.rstrip.lines.last`) as the autoresult, quotes bare keys with
//! `gsub(/([a-zA-Z0-9]+):/, '"\1":')`, parses it as JSON and records each of `scores` under
//! the problem of that exact name. The line before it may be the semantic feedback.

use crate::format_pair::{Server, arguments};
use serde_json::Value;
use socklab_grader::exit_code;
use std::process::Stdio;

/// The grader's stdout and stderr in one file, as the autodriver keeps them.
fn autodriver_output(server: Server, extra: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("output.log");
    let file = std::fs::File::create(&path).unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_grader"))
        .env("NO_COLOR", "1")
        .args(arguments("autolab", server))
        .args(extra)
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .status()
        .unwrap();
    (status.code(), std::fs::read_to_string(&path).unwrap())
}

/// The autoresult as Autolab parses it: the last line of the output, keys quoted.
fn autoresult(output: &str) -> Value {
    let last = output.trim_end().lines().last().expect("some output");
    let quoted = regex::Regex::new(r"([a-zA-Z0-9]+):")
        .unwrap()
        .replace_all(last, "\"$1\":");
    assert_eq!(quoted, last, "Autolab's key quoting would rewrite the line");
    serde_json::from_str(last).unwrap_or_else(|error| panic!("{error}: {last}"))
}

/// The line before the autoresult: Autolab's semantic feedback.
fn semantic(output: &str) -> Value {
    let lines: Vec<&str> = output.trim_end().lines().collect();
    let line = lines[lines.len() - 2];
    let semantic: Value = serde_json::from_str(line).unwrap();
    assert_eq!(semantic["_presentation"], "semantic");
    semantic
}

#[test]
fn a_failing_submission_gets_its_points_on_the_last_line_and_exit_0() {
    let (code, output) = autodriver_output(Server::Buggy, &[]);
    assert_eq!(
        code,
        Some(exit_code::PASSED),
        "make would add a line: {output}"
    );
    let result = autoresult(&output);
    let scores = result["scores"].as_object().unwrap();
    assert_eq!(scores.len(), 1, "{result}");
    assert_eq!(
        scores["udp-file"].as_f64(),
        Some(10.0),
        "default problem name"
    );
    let scoreboard = result["scoreboard"].as_array().unwrap();
    assert!(scoreboard.iter().all(Value::is_number), "{result}");
    let runs = &semantic(&output)["Scenarios"];
    assert_eq!(runs["size-1"]["passed"], true);
    assert_eq!(runs["size-2048"]["passed"], false);
    assert!(
        runs["size-2048"]["hint"]
            .as_str()
            .unwrap()
            .contains("block-sizes: "),
        "{runs}"
    );
    assert!(
        output.contains("size-2048"),
        "the report for people comes first"
    );
}

#[test]
fn the_rules_refuse_what_autolab_would_misread() {
    // Not a formality: a line after the autoresult (make's error line, say) or a bare colon
    // that Autolab's key quoting would rewrite fails the reading above.
    let (_, output) = autodriver_output(Server::Correct, &[]);
    autoresult(&output);
    let after = format!("{output}make: *** [Makefile:2: autograde] Error 1\n");
    let colon = format!("{output}{{\"scores\":{{\"Part:1\":25.0}},\"scoreboard\":[25.0]}}\n");
    for broken in [after, colon] {
        let refused = std::panic::catch_unwind(|| autoresult(&broken));
        assert!(refused.is_err(), "accepted: {broken}");
    }
}

#[test]
fn a_correct_submission_gets_full_points_under_the_named_problem() {
    let (code, output) = autodriver_output(Server::Correct, &["--autolab-problem", "Part:1"]);
    assert_eq!(code, Some(exit_code::PASSED), "{output}");
    let result = autoresult(&output);
    assert_eq!(result["scores"]["Part:1"].as_f64(), Some(25.0), "{result}");
    assert_eq!(result["scoreboard"][0].as_f64(), Some(25.0));
}
