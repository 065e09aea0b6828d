//! Compiled submissions: a directory with a build file is built once, before the
//! scenarios, and its programs run from the build; a build that fails is every run's
//! `build` failure, quoting the compiler.

use crate::util::{exited_with, fixture, grader, root};
use socklab_grader::exit_code;
use std::path::Path;
use std::process::Command;

/// Whether `tool` runs here; a test that needs it prints why it skips when not.
fn have(tool: &str, version_flag: &str) -> bool {
    let found = Command::new(tool)
        .arg(version_flag)
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        println!("skipped: `{tool}` is not installed (.ci/run installs it)");
    }
    found
}

fn have_c_tools() -> bool {
    have("make", "--version") && have("cc", "--version")
}

/// The lines of `stderr` that say a build was made.
fn build_notes(stderr: &[u8]) -> usize {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|line| line.starts_with("note: built "))
        .count()
}

#[test]
fn the_c_pair_is_built_once_and_passes_rdt3() {
    if !have_c_tools() {
        return;
    }
    let output = grader()
        .current_dir(root())
        .args(["check", "rdt3"])
        .args([
            "--client",
            "examples/rdt3/c/",
            "--server",
            "examples/rdt3/c",
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = exited_with(&output, exit_code::PASSED);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["score"], report["max-score"], "{stdout}");
    // One directory for both sides: one build.
    assert_eq!(build_notes(&output.stderr), 1, "{output:?}");
    assert!(
        report["client"]
            .as_str()
            .unwrap()
            .ends_with("(built with `make`)"),
        "{stdout}"
    );
}

/// `examples/rdt3/c/` copied, with one semicolon of `UDP_Client.c` taken out, so that
/// `make` fails on exactly that line.
fn broken_copy_of_the_c_pair() -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    let example = root().join("examples/rdt3/c");
    for entry in std::fs::read_dir(&example).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, copy.path().join(path.file_name().unwrap())).unwrap();
    }
    let client = copy.path().join("UDP_Client.c");
    let source = std::fs::read_to_string(&client).unwrap();
    let line = "    uint32_t seq = 0;";
    assert!(
        source.contains(line),
        "examples/rdt3/c/UDP_Client.c changed"
    );
    std::fs::write(&client, source.replacen(line, "    uint32_t seq = 0", 1)).unwrap();
    copy
}

#[test]
fn a_build_that_fails_fails_every_run_quoting_the_compiler() {
    if !have_c_tools() {
        return;
    }
    let copy = broken_copy_of_the_c_pair();
    let broken = copy.path();
    let output = grader()
        .args(["check", "rdt3", "--format", "json"])
        .arg("--client")
        .arg(broken)
        .arg("--server")
        .arg(broken)
        .output()
        .unwrap();
    let stdout = exited_with(&output, exit_code::FAILED);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["score"], 0.0);
    let scenarios = report["scenarios"].as_array().unwrap();
    assert!(scenarios.len() > 1);
    for scenario in scenarios.iter().filter(|s| s["graded"] == true) {
        let outcome = &scenario["outcomes"][0];
        assert_eq!(outcome["check"], "build", "{scenario}");
        assert_eq!(outcome["status"], "fail", "{scenario}");
        let observed = outcome["observed"].as_str().unwrap();
        assert!(
            observed.contains("exited with status 2")
                && observed.contains("UDP_Client.c:")
                && observed.contains("error:"),
            "{observed}"
        );
        assert!(!observed.contains("did not start"), "{observed}");
    }
}

#[test]
fn a_directory_without_a_build_file_is_still_refused() {
    let output = grader()
        .args(["check", "rdt3", "--client"])
        .arg(root().join("examples/rdt3/good"))
        .output()
        .unwrap();
    exited_with(&output, exit_code::INVALID_INPUT);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no build file"), "{stderr}");
}

#[test]
fn check_submission_builds_a_compiled_submission() {
    if !have_c_tools() {
        return;
    }
    // What Gradescope's run_autograder runs (`grader package gradescope`).
    let output = grader()
        .current_dir(root())
        .args(["check", "rdt3", "--submission", "examples/rdt3/c"])
        .args(["--scenario", "no-loss", "--format", "gradescope"])
        .output()
        .unwrap();
    let stdout = exited_with(&output, exit_code::PASSED);
    let results: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(results["score"], 10.0, "{stdout}");
    assert_eq!(build_notes(&output.stderr), 1, "{output:?}");
}

#[test]
fn batch_builds_each_submission_once_for_all_its_roles() {
    if !have_c_tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut case = std::fs::read_to_string(fixture("rdt3-batch.yaml")).unwrap();
    case.push_str("\nroles:\n  client: 30\n  server: 30\n  pair: 40\n");
    let case_file = dir.path().join("roles.yaml");
    std::fs::write(&case_file, case).unwrap();
    let submission = dir.path().join("class/ada");
    copy_dir(&root().join("examples/rdt3/c"), &submission);
    let out = dir.path().join("out");
    let output = grader()
        .arg("batch")
        .arg(dir.path().join("class"))
        .arg("--case")
        .arg(&case_file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    exited_with(&output, exit_code::PASSED);
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("ada/result.json")).unwrap())
            .unwrap();
    assert_eq!(result["score"], 100.0, "{result}");
    assert_eq!(result["roles"][2]["client"], "(built)", "{result}");
    // Three `grader check`s (client, server, pair), one build.
    let log = std::fs::read_to_string(out.join("ada/build/builds.log")).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(log.contains("built with `make`"), "{log}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn the_java_server_passes_tcp_lines_with_the_reference_client() {
    if !have("javac", "-version") {
        return;
    }
    let output = grader()
        .current_dir(root())
        .args(["check", "tcp-lines", "--server", "examples/tcp-lines/java"])
        .args(["--scenario", "three-files", "--scenario", "sliced"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = exited_with(&output, exit_code::PASSED);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["score"], report["max-score"], "{stdout}");
    // The JVM's start-up write of its own coredump_filter is no attempt of the student's.
    assert!(!stdout.contains("coredump_filter"), "{stdout}");
    assert!(
        report["server"]
            .as_str()
            .unwrap()
            .contains("(built with `javac"),
        "{stdout}"
    );
}

#[test]
fn the_cases_build_command_is_used_and_a_build_that_misses_a_program_fails() {
    if !have_c_tools() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let case = std::fs::read_to_string(fixture("rdt3-batch.yaml"))
        .unwrap()
        .replacen(
            "programs:\n",
            "programs:\n  build: \"make UDP_Client UDP_Server\"\n",
            1,
        );
    let case_file = dir.path().join("built.yaml");
    std::fs::write(&case_file, case).unwrap();
    let pair = root().join("examples/rdt3/c");
    let check = |extra: &[&str]| {
        grader()
            .arg("check")
            .arg(&case_file)
            .arg("--client")
            .arg(&pair)
            .arg("--server")
            .arg(&pair)
            .args(extra)
            .args(["--format", "json"])
            .output()
            .unwrap()
    };
    let output = check(&[]);
    exited_with(&output, exit_code::PASSED);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("with `make UDP_Client UDP_Server` in"),
        "{stderr}"
    );

    // --build-cmd wins over the case; this one makes the server only.
    let output = check(&["--build-cmd", "make UDP_Server"]);
    let stdout = exited_with(&output, exit_code::FAILED);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let outcome = &report["scenarios"][0]["outcomes"][0];
    assert_eq!(outcome["check"], "build", "{stdout}");
    let observed = outcome["observed"].as_str().unwrap();
    assert!(
        observed.contains("the build succeeded, but the build made no executable and no Java class named `UDP_Client`"),
        "{observed}"
    );
}
