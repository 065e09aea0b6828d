//! `grader list` and `grader explain`: the built-in cases, and what a case grades in words,
//! each check with the handout's words it enforces.

use crate::util::grader;
use socklab_grader::analyzer::LoadedCase;
use socklab_grader::case::builtin::builtin_names;
use socklab_grader::case::{CaseSource, load_case};
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

/// Acceptance of issue 20: `grader explain` names, for every check (`startup` too), the
/// handout requirement it enforces, as a quote under the check's requirement.
#[test]
fn explain_quotes_the_handout_under_every_check_of_every_builtin_case() {
    for name in builtin_names() {
        let output = grader().args(["explain", name]).output().unwrap();
        assert_eq!(output.status.code(), Some(exit_code::PASSED), "{name}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let checks_section = stdout
            .split_once("\nChecks, on every scenario")
            .map(|(_, section)| section)
            .unwrap_or_else(|| panic!("{name}: no checks section:\n{stdout}"));
        let loaded: LoadedCase = load_case(&CaseSource::Builtin(name.to_owned())).unwrap();
        let listed = loaded.case.checks.iter().map(|check| check.name());
        for check in std::iter::once("startup").chain(listed) {
            let header = format!("\n  {check}: ");
            let (_, after) = checks_section
                .split_once(&header)
                .unwrap_or_else(|| panic!("{name}: `{check}` is not explained:\n{stdout}"));
            // The check's own lines: up to the next line indented by two spaces only.
            let own = after
                .split("\n  ")
                .skip(1)
                .take_while(|line| line.starts_with("  "))
                .collect::<Vec<_>>();
            let quotes = own.iter().filter(|line| {
                let line = line.trim_start();
                (line.starts_with("The handout") || line.starts_with("Implied by the handout"))
                    && line.contains(": “")
            });
            assert!(
                quotes.count() > 0,
                "{name}: `{check}` names no handout sentence:\n{stdout}"
            );
        }
    }
    let output = grader().args(["explain", "udp-file"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(
            "  request: the client sends the server a datagram holding the file's name.\n    The handout (part 4, File Transfer): “The client sends a datagram to the server with the\n      file name in the server's file system”"
        ),
        "{stdout}"
    );
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
