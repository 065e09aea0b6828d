//! Transparent mode: programs that hard-code `127.0.0.1:5005` are graded unmodified, with
//! the same verdicts as the same logic taking arguments, side by side, leaving nothing.

use crate::util::{
    RDT3_GRADED_RUNS, example, exclusive_namespaces as exclusive, exited_with, failed_checks,
    grader, process_start_ticks, rdt3_verdicts,
};
use socklab_grader::exit_code;
use std::collections::BTreeSet;
use std::path::Path;

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

#[test]
fn hard_coded_pair_gets_the_verdicts_of_the_same_logic_taking_arguments() {
    let _namespaces = exclusive();
    let (fixed, arguments) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let output = check(
        "rdt3-fixed",
        "rdt3-fixed/good/UDP_Client.py",
        "rdt3-fixed/good/UDP_Server.py",
        fixed.path(),
        &[],
    );
    let stdout = exited_with(&output, exit_code::PASSED);
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
    assert_eq!(output.status.code(), Some(exit_code::PASSED));
    assert_eq!(rdt3_verdicts(fixed.path()), rdt3_verdicts(arguments.path()));
}

#[test]
fn server_that_replies_to_a_fixed_client_port_from_a_fresh_socket_is_graded() {
    let _namespaces = exclusive();
    let out = tempfile::tempdir().unwrap();
    let output = check(
        "rdt3-fixed",
        "rdt3-fixed/fixed-reply/UDP_Client.py",
        "rdt3-fixed/fixed-reply/UDP_Server.py",
        out.path(),
        &[],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(exit_code::PASSED), "{stdout}");
}

#[test]
fn buggy_hard_coded_server_fails_the_checks_it_fails_in_relay_mode() {
    let _namespaces = exclusive();
    for scenario in ["lost-ack", "corrupt-packet"] {
        let (fixed, arguments) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let budget = ["--budget", "3s", "--scenario", scenario];
        let output = check(
            "rdt3-fixed",
            "rdt3-fixed/good/UDP_Client.py",
            "rdt3-fixed/wrong-reack/UDP_Server.py",
            fixed.path(),
            &budget,
        );
        assert_eq!(output.status.code(), Some(exit_code::FAILED));
        let output = check(
            "rdt3",
            "rdt3/good/UDP_Client.py",
            "rdt3/wrong-reack/UDP_Server.py",
            arguments.path(),
            &budget,
        );
        assert_eq!(output.status.code(), Some(exit_code::FAILED));
        // The check the bug breaks fails in both modes. What follows from it (a stalled
        // transfer) depends on timing, in either mode alike, so it is not compared.
        for out in [fixed.path(), arguments.path()] {
            let failed = failed_checks(out, scenario);
            assert!(failed.contains("ack-behaviour"), "{scenario}: {failed:?}");
            assert!(
                !failed.contains("checksum") && !failed.contains("format"),
                "{scenario}: {failed:?}"
            );
        }
    }
}

/// Every network namespace some process is in right now.
/// The network namespaces of the processes our graders could have left behind: those that
/// started no later than `until` (clock ticks since boot, as `/proc/<pid>/stat` counts them)
/// and have no grader among their ancestors. The other tests' programs run at the same
/// time, and the kernel reuses a namespace's inode number as soon as it is gone; theirs
/// still run under their own grader, or started after ours were done.
fn namespaces_in_use(until: u64) -> Vec<String> {
    let grader_exe = std::fs::canonicalize(grader().get_program()).unwrap();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_string_lossy().parse::<u32>().ok())
        .filter(|&pid| process_start_ticks(pid).is_some_and(|started| started <= until))
        .filter(|&pid| !under_a_grader(pid, &grader_exe))
        .filter_map(|pid| std::fs::read_link(format!("/proc/{pid}/ns/net")).ok())
        .map(|link| link.display().to_string())
        .collect()
}

/// Whether a running grader is among `pid`'s ancestors.
fn under_a_grader(pid: u32, grader_exe: &Path) -> bool {
    let mut current = pid;
    for _ in 0..64 {
        let stat = std::fs::read_to_string(format!("/proc/{current}/stat")).unwrap_or_default();
        let Some(parent) = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|parent| parent.parse::<u32>().ok())
        else {
            return false;
        };
        if parent <= 1 {
            return false;
        }
        // Any build of the grader: another checkout's tests may run at the same time.
        if std::fs::read_link(format!("/proc/{parent}/exe"))
            .is_ok_and(|exe| exe.file_name() == grader_exe.file_name())
        {
            return true;
        }
        current = parent;
    }
    false
}

/// Now, in clock ticks since boot.
fn ticks_now() -> u64 {
    let uptime = std::fs::read_to_string("/proc/uptime").unwrap();
    let seconds: f64 = uptime.split_whitespace().next().unwrap().parse().unwrap();
    let per_second = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .unwrap()
        .unwrap_or(100);
    // Rounded up: a process started in this very tick counts as ours.
    (seconds * per_second as f64).ceil() as u64 + 1
}

#[test]
fn two_gradings_on_the_same_port_at_once_do_not_interfere_and_leave_nothing() {
    let _namespaces = exclusive();
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
    for (mut child, out) in children.into_iter().zip(&outs) {
        let code = child.wait().unwrap().code();
        // On a failure, which run failed which checks and how.
        let failures: Vec<String> = RDT3_GRADED_RUNS
            .iter()
            .flat_map(|run| {
                crate::util::outcomes(out.path(), run)
                    .into_iter()
                    .filter(|outcome| outcome.status != "pass")
                    .map(move |outcome| {
                        format!(
                            "{run}: {} {}: {}",
                            outcome.check, outcome.status, outcome.observed
                        )
                    })
            })
            .collect();
        assert_eq!(
            code,
            Some(exit_code::PASSED),
            "both gradings pass: {failures:#?}"
        );
    }
    let graders_done = ticks_now();
    for out in &outs {
        for run in RDT3_GRADED_RUNS {
            let failed = failed_checks(out.path(), run);
            assert!(failed.is_empty(), "{run}: {failed:?}");
        }
    }
    // Nothing left: no process of the runs, no process in their namespaces, no mount.
    let in_use = namespaces_in_use(graders_done);
    for out in &outs {
        for run in RDT3_GRADED_RUNS {
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
    assert_eq!(
        output.status.code(),
        Some(exit_code::INVALID_INPUT),
        "{stderr}"
    );
    assert!(stderr.contains("netem"), "{stderr}");
    assert!(
        stderr.contains("--mode relay") && stderr.contains("--mode transparent"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "nothing was graded");
}

/// The tcp-lines case as it would read for programs that take no arguments and use
/// 127.0.0.1:12100 (the examples' default), written into `dir`.
fn hard_coded_tcp_lines(dir: &Path) -> String {
    let case = std::fs::read_to_string(crate::util::root().join("cases/tcp-lines.yaml")).unwrap();
    let case = case
        .replace("run: \"tcp_server {port}\"", "run: \"tcp_server\"")
        .replace("run: \"tcp_client {host} {port}\"", "run: \"tcp_client\"")
        .replace(
            "    reference: \"tcp-lines client --host {host} --port {port}\"\n",
            "    reference: \"tcp-lines client --host {host} --port {port}\"\n  hard-coded-port: 12100\n",
        );
    assert!(case.contains("hard-coded-port: 12100"), "{case}");
    let path = dir.join("tcp-lines-hard-coded.yaml");
    std::fs::write(&path, case).unwrap();
    path.display().to_string()
}

#[test]
fn hard_coded_tcp_programs_get_the_verdicts_they_get_with_arguments() {
    let _namespaces = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let case = hard_coded_tcp_lines(dir.path());
    let out = tempfile::tempdir().unwrap();
    let good = check(
        &case,
        "tcp-lines/good/tcp_client.py",
        "tcp-lines/good/tcp_server.py",
        out.path(),
        &[],
    );
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert_eq!(good.status.code(), Some(exit_code::PASSED), "{stdout}");
    assert!(
        stdout.contains("mode transparent (the case says its programs hard-code port 12100)")
            && stdout.contains("total 100/100"),
        "{stdout}"
    );
    // The relay's stream faults reach them too: one recv() per message fails when sliced.
    let out = tempfile::tempdir().unwrap();
    let one_recv = check(
        &case,
        "tcp-lines/good/tcp_client.py",
        "tcp-lines/one-recv/tcp_server.py",
        out.path(),
        &["--scenario", "one-file", "--scenario", "sliced"],
    );
    assert_eq!(one_recv.status.code(), Some(exit_code::FAILED));
    assert!(failed_checks(out.path(), "one-file").is_empty());
    assert!(failed_checks(out.path(), "sliced").contains("saved-files"));
}

#[test]
fn a_hard_coded_tcp_server_sees_the_port_the_client_bound() {
    let _namespaces = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let case = hard_coded_tcp_lines(dir.path());
    let out = tempfile::tempdir().unwrap();
    check(
        &case,
        "../tests/fixtures/hard-coded-tcp/client.py",
        "../tests/fixtures/hard-coded-tcp/server.py",
        out.path(),
        &["--scenario", "quit-at-once", "--budget", "2s"],
    );
    let server = crate::util::transcript(out.path(), "quit-at-once", "server").unwrap();
    let lines = crate::util::transcript_lines(&server);
    assert!(
        lines.iter().any(|line| line == "peer 127.0.0.1:6006"),
        "{lines:?}"
    );
}

#[test]
fn a_port_the_server_listens_on_later_is_mirrored_too() {
    let _namespaces = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let case = hard_coded_tcp_lines(dir.path());
    let out = tempfile::tempdir().unwrap();
    check(
        &case,
        "../tests/fixtures/hard-coded-tcp/late_client.py",
        "../tests/fixtures/hard-coded-tcp/late_server.py",
        out.path(),
        &["--scenario", "quit-at-once", "--budget", "3s"],
    );
    let server = crate::util::transcript(out.path(), "quit-at-once", "server").unwrap();
    let lines = crate::util::transcript_lines(&server);
    assert!(
        lines
            .iter()
            .any(|line| line == "second connection said hello"),
        "the second port was not reachable: {lines:?}"
    );
    let connections =
        std::fs::read_to_string(out.path().join("quit-at-once/connections.jsonl")).unwrap();
    let dialed: Vec<u64> = connections
        .lines()
        .map(|line| {
            let connection: serde_json::Value = serde_json::from_str(line).unwrap();
            let dialed = connection["dialed"].as_str().unwrap().to_owned();
            dialed.rsplit(':').next().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(
        dialed,
        [12100, 12101],
        "both connections went through the relay"
    );
}

/// A case that forbids the loopback (tcp-file-100 names 192.0.2.1) works in transparent
/// mode too: the address is made local in both programs' namespaces, the client is told
/// it, and every connection is made to it.
#[test]
fn a_documentation_host_is_local_in_both_namespaces() {
    let _namespaces = exclusive();
    let out = tempfile::tempdir().unwrap();
    let output = grader()
        .args(["check", "tcp-file-100", "--mode", "transparent"])
        .args(["--scenario", "file-100kib", "--seed", "3", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    exited_with(&output, exit_code::PASSED);
    let connections =
        std::fs::read_to_string(out.path().join("file-100kib/connections.jsonl")).unwrap();
    let dialed: BTreeSet<String> = connections
        .lines()
        .map(|line| {
            let connection: serde_json::Value = serde_json::from_str(line).unwrap();
            connection["dialed"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(dialed, BTreeSet::from(["192.0.2.1:5005".to_owned()]));
}
