//! `grader doctor` as root and as nobody: it answers quickly, names the mode each case would
//! use and, where namespaces are forbidden, what transparent mode lacks and how to get it;
//! and a low process limit makes `grader check` lower its own `--jobs` and still pass.

use crate::unprivileged::{PATH, Readable};
use crate::util::{exclusive_namespaces, exited_with, grader};
use serde_json::Value;
use socklab_grader::exit_code;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// `grader doctor --format json`'s output, checked against `grader schema --doctor`.
fn diagnosis(output: &Output) -> Value {
    let stdout = exited_with(output, exit_code::PASSED);
    let value: Value = serde_json::from_str(&stdout).expect("doctor --format json is JSON");
    let schema_output = grader().args(["schema", "--doctor"]).output().unwrap();
    let schema: Value = serde_json::from_slice(&schema_output.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    if let Err(error) = validator.validate(&value) {
        panic!("doctor's JSON does not match its schema: {error}\n{stdout}");
    }
    value
}

fn finding<'a>(diagnosis: &'a Value, id: &str) -> &'a Value {
    diagnosis["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

fn case_mode<'a>(diagnosis: &'a Value, case: &str) -> &'a Value {
    let cases = diagnosis["cases"].as_array().unwrap();
    let entry = cases.iter().find(|entry| entry["case"] == case).unwrap();
    &entry["mode"]
}

/// The mode for programs that hard-code their address agrees with the namespace finding:
/// transparent where namespaces can be made, and otherwise what is missing is named.
fn assert_hard_coded_mode_follows_namespaces(diagnosis: &Value) {
    let hard_coded = &diagnosis["modes"][1];
    assert_eq!(hard_coded["submissions"], "hard-coded");
    let missing = hard_coded["missing-for-transparent"].as_array().unwrap();
    if finding(diagnosis, "network-namespaces")["status"] == "available" {
        assert_eq!(hard_coded["mode"], "transparent");
        assert_eq!(case_mode(diagnosis, "rdt3-fixed"), "transparent");
        assert!(missing.is_empty(), "{missing:?}");
    } else {
        assert_ne!(hard_coded["mode"], "transparent");
        assert!(!missing.is_empty(), "{hard_coded}");
    }
    assert_eq!(diagnosis["modes"][0]["mode"], "relay");
    assert_eq!(case_mode(diagnosis, "rdt3"), "relay");
}

#[test]
fn doctor_as_root_names_each_case_s_mode_in_a_second_or_two() {
    let _namespaces = exclusive_namespaces();
    let started = Instant::now();
    let output = grader()
        .args(["doctor", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let diagnosis = diagnosis(&output);
    assert_hard_coded_mode_follows_namespaces(&diagnosis);
    if nix::unistd::geteuid().is_root() {
        assert_eq!(diagnosis["user"], "root");
        assert_eq!(
            finding(&diagnosis, "network-namespaces")["status"],
            "available"
        );
        assert_eq!(finding(&diagnosis, "process-limit")["status"], "available");
    }
    // People get the same findings in words.
    let text = exited_with(&grader().arg("doctor").output().unwrap(), exit_code::PASSED);
    for name in [
        "network namespaces",
        "seccomp user notification",
        "pids cgroups",
        "socket_wrapper",
        "process limit",
        "free loopback ports",
        "rdt3-fixed",
    ] {
        assert!(text.contains(name), "{name}:\n{text}");
    }
}

/// Whether tests may switch to nobody (they run as root in CI).
fn as_root() -> bool {
    let root = nix::unistd::geteuid().is_root();
    if !root {
        eprintln!("skipped: switching to nobody needs root");
    }
    root
}

#[test]
fn doctor_as_nobody_names_the_modes() {
    if !as_root() {
        return;
    }
    let _namespaces = exclusive_namespaces();
    let readable = Readable::new();
    let tmp = readable.writable_dir("tmp");
    let output = readable.grader_as_nobody(&tmp, &["doctor", "--format", "json"]);
    let diagnosis = diagnosis(&output);
    assert_eq!(diagnosis["user"], "uid 65534");
    assert_hard_coded_mode_follows_namespaces(&diagnosis);
    // Nobody cannot make cgroups under a root-owned hierarchy.
    let pids = finding(&diagnosis, "pids-cgroups");
    assert_ne!(pids["status"], "available", "{pids}");
    assert!(!pids["fixes"].as_array().unwrap().is_empty(), "{pids}");
}

/// As nobody in a user namespace that may make no more (a container's restriction, here
/// `user.max_user_namespaces` set to 0 in it), the doctor says transparent mode is out of
/// reach, names the setting and its fix, and sends hard-coded programs to preload mode.
#[test]
fn doctor_as_nobody_where_namespaces_are_forbidden_names_what_transparent_mode_lacks() {
    if !as_root() {
        return;
    }
    let _namespaces = exclusive_namespaces();
    let readable = Readable::new();
    let tmp = readable.writable_dir("tmp");
    let script = "echo 0 > /proc/sys/user/max_user_namespaces \
                  && exec setpriv --bounding-set=-all --inh-caps=-all \"$0\" \"$@\"";
    let output = Command::new("setpriv")
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        .args(["unshare", "--user", "--map-root-user", "sh", "-c", script])
        .arg(&readable.grader)
        .args(["doctor", "--format", "json"])
        .env("PATH", PATH)
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    if String::from_utf8_lossy(&output.stderr).contains("unshare failed") {
        eprintln!("skipped: nobody cannot make a user namespace here");
        return;
    }
    let diagnosis = diagnosis(&output);
    assert_eq!(diagnosis["user"], "uid 65534");
    let network = finding(&diagnosis, "network-namespaces");
    assert_eq!(network["status"], "missing", "{network}");
    let fixes = network["fixes"].to_string();
    assert!(
        fixes.contains("sudo sysctl -w user.max_user_namespaces="),
        "{fixes}"
    );
    let hard_coded = &diagnosis["modes"][1];
    let missing = hard_coded["missing-for-transparent"].to_string();
    assert!(
        missing.contains("user.max_user_namespaces is 0"),
        "{missing}"
    );
    let preload = finding(&diagnosis, "socket-wrapper")["status"] == "available";
    let expected = if preload { "preload" } else { "none" };
    assert_eq!(
        hard_coded["mode"].as_str().unwrap_or("none"),
        expected,
        "{hard_coded}"
    );
    assert_eq!(finding(&diagnosis, "mount-namespaces")["status"], "missing");
}

/// Under a process limit too low for four scenarios at once, `grader check --jobs 4` as
/// nobody lowers its own concurrency, says so in one line, and still passes.
#[test]
fn a_low_process_limit_lowers_jobs_and_the_grading_still_passes() {
    if !as_root() {
        return;
    }
    let _namespaces = exclusive_namespaces();
    let readable = Readable::new();
    let tmp = readable.writable_dir("tmp");
    let output = Command::new("setpriv")
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        .args(["prlimit", "--nproc=40"])
        .arg(&readable.grader)
        .args(["check", "udp-add", "--jobs", "4", "--seed", "7"])
        .env("NO_COLOR", "1")
        .env("PATH", PATH)
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    let stdout = exited_with(&output, exit_code::PASSED);
    assert!(stdout.contains("all graded scenarios pass"), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let notes: Vec<&str> = stderr
        .lines()
        .filter(|line| line.contains("RLIMIT_NPROC"))
        .collect();
    assert_eq!(notes.len(), 1, "{stderr}");
    assert!(notes[0].contains("is 40 for this user"), "{stderr}");
    assert!(notes[0].contains("instead of 4"), "{stderr}");
}
