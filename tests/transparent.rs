//! Transparent mode: programs that hard-code `127.0.0.1:5005` are graded unmodified, with
//! the same verdicts as the same logic taking arguments, side by side, leaving nothing.

use crate::util::{example, failed_checks, grader, outcomes};
use std::collections::BTreeMap;
use std::path::Path;

const GRADED: &[&str] = &[
    "no-loss",
    "lost-packet",
    "lost-ack",
    "premature-timeout",
    "corrupt-packet",
    "corrupt-ack",
    "lossy-soak#1",
    "lossy-soak#2",
    "lossy-soak#3",
    "lossy-soak#4",
    "lossy-soak#5",
];

fn check(
    case: &str,
    client: &str,
    server: &str,
    out: &Path,
    extra: &[&str],
) -> std::process::Output {
    grader()
        .args([
            "check",
            case,
            "--seed",
            "4",
            "--client",
            &example(client),
            "--server",
            &example(server),
            "--out",
        ])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// Every graded scenario's check statuses, for comparing two gradings.
fn verdicts(out: &Path) -> BTreeMap<String, Vec<(String, String)>> {
    GRADED
        .iter()
        .map(|run| {
            let statuses = outcomes(out, run)
                .into_iter()
                .map(|o| (o.check, o.status))
                .collect();
            ((*run).to_owned(), statuses)
        })
        .collect()
}

#[test]
fn hard_coded_pair_gets_the_verdicts_of_the_same_logic_taking_arguments() {
    let (fixed, arguments) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let output = check(
        "rdt3-fixed",
        "rdt3-fixed/good/UDP_Client.py",
        "rdt3-fixed/good/UDP_Server.py",
        fixed.path(),
        &[],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("mode transparent (the case says its programs hard-code port 5005)"),
        "{stdout}"
    );
    let output = check(
        "rdt3",
        "rdt3/good/UDP_Client.py",
        "rdt3/good/UDP_Server.py",
        arguments.path(),
        &[],
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(verdicts(fixed.path()), verdicts(arguments.path()));
}

#[test]
fn server_that_replies_to_a_fixed_client_port_from_a_fresh_socket_is_graded() {
    let out = tempfile::tempdir().unwrap();
    let output = check(
        "rdt3-fixed",
        "rdt3-fixed/fixed-reply/UDP_Client.py",
        "rdt3-fixed/fixed-reply/UDP_Server.py",
        out.path(),
        &[],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
}

#[test]
fn buggy_hard_coded_server_fails_the_checks_it_fails_in_relay_mode() {
    for scenario in ["lost-ack", "corrupt-packet"] {
        let (fixed, arguments) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let budget = ["--budget", "1500ms", "--scenario", scenario];
        let output = check(
            "rdt3-fixed",
            "rdt3-fixed/good/UDP_Client.py",
            "rdt3-fixed/wrong-reack/UDP_Server.py",
            fixed.path(),
            &budget,
        );
        assert_eq!(output.status.code(), Some(1));
        let output = check(
            "rdt3",
            "rdt3/good/UDP_Client.py",
            "rdt3/wrong-reack/UDP_Server.py",
            arguments.path(),
            &budget,
        );
        assert_eq!(output.status.code(), Some(1));
        let failed = failed_checks(fixed.path(), scenario);
        assert!(failed.contains("ack-behaviour"), "{scenario}: {failed:?}");
        assert_eq!(
            failed,
            failed_checks(arguments.path(), scenario),
            "{scenario}"
        );
    }
}

/// Every network namespace some process is in right now.
fn namespaces_in_use() -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| std::fs::read_link(entry.path().join("ns/net")).ok())
        .map(|link| link.display().to_string())
        .collect()
}

#[test]
fn two_gradings_on_the_same_port_at_once_do_not_interfere_and_leave_nothing() {
    let mounts_before = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let outs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    // Two graders at once, each running two scenarios at once: four servers on 5005.
    let children: Vec<_> = outs
        .iter()
        .map(|out| {
            std::process::Command::new(grader().get_program())
                .args([
                    "check",
                    "rdt3-fixed",
                    "--seed",
                    "8",
                    "--jobs",
                    "2",
                    "--client",
                    &example("rdt3-fixed/good/UDP_Client.py"),
                    "--server",
                    &example("rdt3-fixed/good/UDP_Server.py"),
                    "--out",
                ])
                .arg(out.path())
                .env("NO_COLOR", "1")
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect::<Vec<_>>();
    for mut child in children {
        assert_eq!(child.wait().unwrap().code(), Some(0), "both gradings pass");
    }
    for out in &outs {
        for run in GRADED {
            let failed = failed_checks(out.path(), run);
            assert!(failed.is_empty(), "{run}: {failed:?}");
        }
    }
    // Nothing left: no process of the runs, no process in their namespaces, no mount.
    let in_use = namespaces_in_use();
    for out in &outs {
        for run in GRADED {
            for role in ["client", "server"] {
                let path = out
                    .path()
                    .join(run.replace('#', "_"))
                    .join(format!("{role}.json"));
                let transcript: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                let pid = transcript["pid"].as_u64().expect("the pid is recorded");
                assert!(
                    !Path::new(&format!("/proc/{pid}")).exists() || !is_ours(pid, &transcript),
                    "{run} {role} (pid {pid}) is still running"
                );
                let namespace = transcript["network_namespace"]
                    .as_u64()
                    .expect("the namespace is recorded");
                let link = format!("net:[{namespace}]");
                assert!(
                    !in_use.contains(&link),
                    "{run} {role}: something is still in {link}"
                );
            }
        }
    }
    assert_eq!(
        std::fs::read_to_string("/proc/self/mountinfo").unwrap(),
        mounts_before
    );
    assert!(
        !Path::new("/run/netns").exists()
            || std::fs::read_dir("/run/netns").unwrap().next().is_none()
    );
}

/// Whether `pid` still runs the program of `transcript` (and is not a reused pid).
fn is_ours(pid: u64, transcript: &serde_json::Value) -> bool {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let program = transcript["command"]
        .as_array()
        .and_then(|c| c.last())
        .and_then(|a| a.as_str())
        .unwrap_or("");
    String::from_utf8_lossy(&cmdline).contains(program)
}

/// This kernel has no `sch_netem`; `--mode tc` must say so before starting anything, and
/// name the modes that work instead.
#[test]
fn tc_mode_refuses_clearly_and_names_the_alternatives() {
    let output = grader()
        .args(["check", "rdt3", "--mode", "tc"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("netem"), "{stderr}");
    assert!(
        stderr.contains("--mode relay") && stderr.contains("--mode transparent"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing was graded");
}
