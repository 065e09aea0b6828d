//! Malformed case files are rejected with `file:line:column: what`, and exit code 2.

use crate::util::{fixture, grader};
use socklab_grader::exit_code;

const MALFORMED: &[&str] = &[
    "bad-duration",
    "bad-file-size",
    "bad-fault",
    "bad-layout",
    "bad-netem",
    "bad-regex",
    "check-of-another-analyzer",
    "duplicate-scenario",
    "missing-file",
    "unknown-check",
    "unknown-fault-field",
    "unknown-field",
    "yaml-syntax",
];

/// `grader lint`-style: every error, run from the fixtures' directory so the path in the
/// message is the plain file name.
#[test]
fn malformed_cases_give_located_errors_and_exit_2() {
    let mut report = String::new();
    for name in MALFORMED {
        let output = grader()
            .current_dir(fixture("bad-cases"))
            .args([
                "check",
                &format!("./{name}.yaml"),
                "--scenario",
                "lost-packet",
            ])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(exit_code::INVALID_INPUT),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.starts_with(&format!("error: ./{name}.yaml:")),
            "{name}: the error starts with file:line:column: {stderr}"
        );
        report.push_str(&stderr);
    }
    insta::assert_snapshot!(report);
}

#[test]
fn the_valid_base_of_the_malformed_cases_loads() {
    // Guards the fixtures: each malformed case must fail for its one defect, not another.
    let output = grader()
        .current_dir(fixture("bad-cases"))
        .args(["check", "./valid.yaml", "--scenario", "nope"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no scenario named `nope`"), "{stderr}");
}

#[test]
fn unknown_builtin_case_names_the_ones_that_exist() {
    let output = grader().args(["check", "rdt4"]).output().unwrap();
    assert_eq!(output.status.code(), Some(exit_code::INVALID_INPUT));
    assert!(String::from_utf8_lossy(&output.stderr).contains("built-in cases: rdt3"));
}

#[test]
fn missing_submission_file_is_an_argument_error() {
    let output = grader()
        .args(["check", "rdt3", "--client", "no/such/UDP_Client.py"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(exit_code::INVALID_INPUT));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no such file"));
}

#[test]
fn program_that_cannot_start_exits_3() {
    let output = grader()
        .args([
            "check",
            "rdt3",
            "--scenario",
            "no-loss",
            "--server-cmd",
            "/nonexistent/server {port}",
        ])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(exit_code::PROGRAM_NOT_STARTED),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
