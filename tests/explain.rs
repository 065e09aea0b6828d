//! `grader list` and `grader explain`: the built-in cases, and what a case grades in words.

use crate::util::grader;
use socklab_grader::case::builtin::builtin_names;
use socklab_grader::exit_code;

#[test]
fn list_names_every_builtin_case_with_its_transport() {
    let output = grader().arg("list").output().unwrap();
    assert_eq!(output.status.code(), Some(exit_code::PASSED));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let names = builtin_names();
    assert_eq!(lines.len(), names.len(), "{stdout}");
    for (line, name) in lines.iter().zip(names) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words[0], name, "{line}");
        assert!(matches!(words[1], "udp" | "tcp"), "{line}");
        assert!(words[2].parse::<usize>().is_ok_and(|n| n > 0), "{line}");
    }
    assert!(
        stdout.contains("rdt 3.0 over UDP with MD5 checksums"),
        "{stdout}"
    );
}

#[test]
fn explain_rdt3() {
    let output = grader().args(["explain", "rdt3"]).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(exit_code::PASSED),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    insta::assert_snapshot!(String::from_utf8(output.stdout).unwrap());
}

#[test]
fn explain_refuses_an_invalid_case_with_its_errors() {
    let output = grader()
        .args(["explain", "tests/fixtures/lint/two-problems.yaml"])
        .current_dir(crate::util::root())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(exit_code::INVALID_INPUT));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(":22:24: invalid pattern"), "{stderr}");
    assert!(stderr.contains(":32:11: a scenario named"), "{stderr}");
}
