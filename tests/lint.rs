//! `grader lint`: every error of every file, located `file:line:column`, exit 2 if any file
//! is invalid; `FILE: ok` and exit 0 when all are valid.

use crate::util::{fixture, grader};
use socklab_grader::case::builtin::builtin_names;
use socklab_grader::exit_code;

/// Runs `grader lint` from the fixtures' directory, so paths print as given.
fn lint(files: &[&str]) -> (Option<i32>, String) {
    let output = grader()
        .current_dir(fixture(""))
        .arg("lint")
        .args(files)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn a_wrong_type_is_located_on_its_line() {
    let (code, stdout) = lint(&["lint/wrong-type.yaml"]);
    assert_eq!(code, Some(exit_code::INVALID_INPUT), "{stdout}");
    assert!(
        stdout.starts_with("lint/wrong-type.yaml:2:"),
        "the title on line 2 is a list, not a string: {stdout}"
    );
}

#[test]
fn every_problem_after_parsing_is_reported_not_only_the_first() {
    let (code, stdout) = lint(&["lint/two-problems.yaml"]);
    assert_eq!(code, Some(exit_code::INVALID_INPUT), "{stdout}");
    assert!(
        stdout.contains("lint/two-problems.yaml:22:24: invalid pattern"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "lint/two-problems.yaml:32:11: a scenario named `lost-packet` already exists"
        ),
        "{stdout}"
    );
}

#[test]
fn good_and_bad_files_are_all_checked() {
    let (code, stdout) = lint(&["bad-cases/bad-layout.yaml", "bad-cases/valid.yaml"]);
    assert_eq!(code, Some(exit_code::INVALID_INPUT), "{stdout}");
    assert!(
        stdout.contains("bad-cases/bad-layout.yaml:11:11: invalid layout"),
        "{stdout}"
    );
    assert!(stdout.contains("bad-cases/valid.yaml: ok"), "{stdout}");
}

#[test]
fn every_builtin_case_lints_ok() {
    let names = builtin_names();
    let (code, stdout) = lint(&names);
    assert_eq!(code, Some(exit_code::PASSED), "{stdout}");
    for name in names {
        assert!(
            stdout.contains(&format!("<built-in>/{name}.yaml: ok")),
            "{stdout}"
        );
    }
}
