//! `--format tap` on the correct and buggy pair, read by a real TAP 14 parser: node-tap's
//! `tap-parser` (the reference implementation TAP 14 was written from; Debian's
//! `node-tap-parser`, `apt-get install node-tap-parser`), in strict mode, so any line that
//! is not TAP fails the stream. Its JSON events say what a TAP consumer sees: the subtests,
//! each check's test point with its YAML diagnostics, the `# SKIP` and `# TODO`
//! directives, and a bail-out. Where the parser is not installed the tests say so and check
//! nothing else (CI installs it).

use crate::format_pair::{Server, filters, grade};
use serde_json::Value;
use socklab_grader::exit_code;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Debian installs the parser's modules here, outside Node's default search path.
const NODE_MODULES: &str = "/usr/share/nodejs";

/// The parser's events for `tap`, or `None` (said on stdout) when it is not installed.
fn parse(tap: &str) -> Option<Vec<Value>> {
    if !Path::new(NODE_MODULES).join("tap-parser").exists() {
        println!(
            "skipped the TAP 14 parser: no {NODE_MODULES}/tap-parser (Debian: apt-get install node-tap-parser)"
        );
        return None;
    }
    let mut child = Command::new("node")
        .arg(Path::new(NODE_MODULES).join("tap-parser/bin/cmd.js"))
        .args(["--strict", "--json=0"])
        .env("NODE_PATH", NODE_MODULES)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(tap.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let events: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "{error}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    Some(events)
}

/// The first event of `kind` among `events`.
fn event<'a>(events: &'a [Value], kind: &str) -> Option<&'a Value> {
    events
        .iter()
        .find(|event| event[0] == kind)
        .map(|event| &event[1])
}

/// The subtests' events, in order.
fn children(events: &[Value]) -> Vec<&[Value]> {
    events
        .iter()
        .filter(|event| event[0] == "child")
        .map(|event| event[1].as_array().unwrap().as_slice())
        .collect()
}

/// Test points of a subtest.
fn asserts(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter(|event| event[0] == "assert")
        .map(|event| &event[1])
        .collect()
}

/// What holds for any stream the grader writes: version 14, nothing that is not TAP (the
/// strict parser reports it as `extra` data or as a failure with a `tapError`), and each
/// subtest's plan equal to its test points.
fn well_formed(events: &[Value]) {
    assert_eq!(event(events, "version"), Some(&Value::from(14)));
    for child in children(events) {
        assert!(event(child, "extra").is_none(), "non-TAP data: {child:?}");
        let complete = event(child, "complete").unwrap();
        assert_eq!(complete["plan"]["end"], complete["count"], "{complete}");
        no_tap_errors(complete);
    }
    assert!(event(events, "extra").is_none(), "non-TAP data: {events:?}");
    no_tap_errors(event(events, "complete").unwrap());
}

/// The parser found nothing malformed in the stream that `complete` ends.
fn no_tap_errors(complete: &Value) {
    let failures = complete["failures"].as_array().cloned().unwrap_or_default();
    assert!(
        failures
            .iter()
            .all(|failure| failure.get("tapError").is_none()),
        "the parser refused the stream: {complete}"
    );
}

#[test]
fn a_failing_submission_fails_the_checks_it_failed_and_nothing_else() {
    let graded = grade("tap", Server::Buggy, &[]);
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stderr);
    let filters = filters(None);
    let filters: Vec<(&str, &str)> = filters
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    insta::with_settings!({filters => filters}, {
        insta::assert_snapshot!("tap", graded.stdout);
    });
    let Some(events) = parse(&graded.stdout) else {
        return;
    };
    well_formed(&events);
    let complete = event(&events, "complete").unwrap();
    assert_eq!(complete["ok"], false);
    assert_eq!(
        (complete["count"].as_u64(), complete["fail"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(
        complete["todo"].as_u64(),
        Some(1),
        "the informational run: {complete}"
    );
    let runs = children(&events);
    assert_eq!(runs.len(), 3);
    let failed: Vec<&str> = asserts(runs[1])
        .into_iter()
        .filter(|point| point["ok"] == false)
        .map(|point| point["name"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["block-sizes", "file-copy", "completion"]);
    let block_sizes = asserts(runs[1])[1];
    assert_eq!(
        block_sizes["diag"]["expected"],
        "2 datagrams: 2048, 0 for 2048 bytes"
    );
    assert!(
        block_sizes["diag"]["observed"]
            .as_str()
            .unwrap()
            .contains("the server must end with an empty datagram"),
        "{block_sizes}"
    );
    let informational = event(runs[2], "complete").unwrap();
    assert_eq!(
        informational["todo"], informational["count"],
        "every check of an informational run is TODO: {informational}"
    );
}

#[test]
fn a_correct_submission_passes_every_point() {
    let graded = grade("tap", Server::Correct, &[]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stderr);
    let Some(events) = parse(&graded.stdout) else {
        return;
    };
    well_formed(&events);
    let complete = event(&events, "complete").unwrap();
    assert_eq!(complete["ok"], true, "{complete}");
    assert_eq!(complete["pass"].as_u64(), Some(3));
}

#[test]
fn the_parser_refuses_what_tap_14_forbids() {
    // The parser is not a formality: a stray line inside a subtest, or a plan that does not
    // match its test points, fails the checks above.
    let graded = grade("tap", Server::Correct, &[]);
    let Some(events) = parse(&graded.stdout) else {
        return;
    };
    well_formed(&events);
    let stray = graded
        .stdout
        .replacen("    ok 1 - ", "    the client said hello\n    ok 1 - ", 1);
    let wrong_plan = graded.stdout.replacen("    1..4\n", "    1..5\n", 1);
    assert_ne!(wrong_plan, graded.stdout);
    for broken in [stray, wrong_plan] {
        let events = parse(&broken).unwrap();
        let refused = std::panic::catch_unwind(|| well_formed(&events));
        assert!(refused.is_err(), "accepted: {broken}");
    }
}

#[test]
fn a_grader_error_bails_out() {
    let out = tempfile::tempdir().unwrap();
    // The run's folder is taken by a file: the evidence cannot be written.
    std::fs::write(out.path().join("size-1"), "").unwrap();
    let graded = grade(
        "tap",
        Server::Correct,
        &["--out", out.path().to_str().unwrap()],
    );
    assert_eq!(graded.code, Some(exit_code::INTERNAL), "{}", graded.stderr);
    assert!(
        graded.stdout.starts_with("TAP version 14\nBail out! "),
        "{}",
        graded.stdout
    );
    let Some(events) = parse(&graded.stdout) else {
        return;
    };
    let bailout = event(&events, "bailout").expect("the parser sees a bail-out");
    assert!(
        bailout
            .as_str()
            .unwrap()
            .starts_with("the grader failed, not the submission: cannot write evidence"),
        "{bailout}"
    );
}
