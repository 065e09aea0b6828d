//! Preload mode: programs that hard-code `127.0.0.1:5005` are graded under socket_wrapper,
//! as an unprivileged user with no capabilities, with the verdicts transparent mode gives,
//! leaving nothing behind.

use crate::unprivileged::{PATH, Readable, open_to_everyone};
use crate::util::{
    exclusive_namespaces, exited_with, failed_checks, rdt3_verdicts, root, with_timer_scenarios,
};
use socklab_grader::exit_code;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether this machine can run these tests (socket_wrapper installed, and `setpriv`
/// usable: the tests run as root); if so, the namespace lock, held for the test: graders as
/// nobody enter user namespaces of their own, and transparent mode makes network
/// namespaces, which would blur tests/transparent.rs's check for leftovers.
fn available() -> Option<std::sync::MutexGuard<'static, ()>> {
    let library = Path::new("/usr/lib/x86_64-linux-gnu/libsocket_wrapper.so").exists();
    if !library {
        eprintln!("skipped: libsocket-wrapper is not installed");
    }
    let root = nix::unistd::geteuid().is_root();
    if !root {
        eprintln!("skipped: switching to nobody needs root");
    }
    (library && root).then(exclusive_namespaces)
}

/// `check rdt3-fixed` arguments for a pair of examples under `readable`.
fn check_args<'a>(
    client: &'a str,
    server: &'a str,
    out: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    case_args("rdt3-fixed", client, server, out, extra)
}

/// `check CASE --seed 4 --client CLIENT --server SERVER --out OUT EXTRA...`.
fn case_args<'a>(
    case: &'a str,
    client: &'a str,
    server: &'a str,
    out: &'a str,
    extra: &[&'a str],
) -> Vec<&'a str> {
    let mut args = vec![
        "check", case, "--seed", "4", "--client", client, "--server", server, "--out", out,
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn hard_coded_pair_gets_the_verdicts_of_transparent_mode_as_nobody() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let (client, server) = (
        readable.example("rdt3-fixed/good/UDP_Client.py"),
        readable.example("rdt3-fixed/good/UDP_Server.py"),
    );
    let tmp = readable.writable_dir("tmp");
    let preload_out = readable.writable_dir("preload-out");
    let output = readable.grader_as_nobody(
        &tmp,
        &check_args(
            &client,
            &server,
            preload_out.to_str().unwrap(),
            &["--mode", "preload"],
        ),
    );
    let stdout = exited_with(&output, exit_code::PASSED);
    assert!(
        stdout.contains("mode preload (asked for with --mode preload)"),
        "{stdout}"
    );
    // Transparent mode, as root, is the standard to compare with.
    let transparent_out = tempfile::tempdir().unwrap();
    let output = crate::util::grader()
        .args(check_args(
            &client,
            &server,
            transparent_out.path().to_str().unwrap(),
            &["--mode", "transparent"],
        ))
        .output()
        .unwrap();
    exited_with(&output, exit_code::PASSED);
    assert_eq!(
        rdt3_verdicts(&preload_out),
        rdt3_verdicts(transparent_out.path())
    );
    assert_nothing_left(&tmp, &preload_out);
}

#[test]
fn server_that_replies_to_a_fixed_client_port_is_graded_as_nobody() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let tmp = readable.writable_dir("tmp");
    let out = readable.writable_dir("out");
    let output = readable.grader_as_nobody(
        &tmp,
        &check_args(
            &readable.example("rdt3-fixed/fixed-reply/UDP_Client.py"),
            &readable.example("rdt3-fixed/fixed-reply/UDP_Server.py"),
            out.to_str().unwrap(),
            &["--mode", "preload"],
        ),
    );
    exited_with(&output, exit_code::PASSED);
    assert_nothing_left(&tmp, &out);
}

#[test]
fn buggy_hard_coded_server_fails_the_checks_it_fails_in_transparent_mode() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let (client, server) = (
        readable.example("rdt3-fixed/good/UDP_Client.py"),
        readable.example("rdt3-fixed/wrong-reack/UDP_Server.py"),
    );
    let tmp = readable.writable_dir("tmp");
    for scenario in ["lost-ack", "corrupt-packet"] {
        let out = readable.writable_dir(scenario);
        let extra = [
            "--mode",
            "preload",
            "--budget",
            "3s",
            "--scenario",
            scenario,
        ];
        let output = readable.grader_as_nobody(
            &tmp,
            &check_args(&client, &server, out.to_str().unwrap(), &extra),
        );
        assert_eq!(output.status.code(), Some(exit_code::FAILED));
        // As in transparent mode (tests/transparent.rs): the check the bug breaks fails;
        // what follows from it depends on timing and is not compared.
        let failed = failed_checks(&out, scenario);
        assert!(failed.contains("ack-behaviour"), "{scenario}: {failed:?}");
        assert!(
            !failed.contains("checksum") && !failed.contains("format"),
            "{scenario}: {failed:?}"
        );
    }
    assert_nothing_left(&tmp, &tmp);
}

/// Where network namespaces are forbidden (here: a user namespace that may make no more
/// user namespaces, entered with no capabilities), auto mode grades hard-coded programs
/// in preload mode and says why.
#[test]
fn auto_mode_chooses_preload_where_namespaces_are_forbidden() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let out = readable.writable_dir("out");
    let tmp = readable.writable_dir("tmp");
    let script = "echo 0 > /proc/sys/user/max_user_namespaces \
                  && exec setpriv --bounding-set=-all --inh-caps=-all \"$0\" \"$@\"";
    let output = Command::new("unshare")
        .args(["--user", "--map-root-user", "sh", "-c", script])
        .arg(&readable.grader)
        .args(check_args(
            &readable.example("rdt3-fixed/good/UDP_Client.py"),
            &readable.example("rdt3-fixed/good/UDP_Server.py"),
            out.to_str().unwrap(),
            &with_timer_scenarios("lost-ack"),
        ))
        .env("NO_COLOR", "1")
        .env("PATH", PATH)
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    if String::from_utf8_lossy(&output.stderr).contains("unshare failed") {
        eprintln!("skipped: user namespaces cannot be made here");
        return;
    }
    let stdout = exited_with(&output, exit_code::PASSED);
    assert!(
        stdout.contains(
            "mode preload (the case says its programs hard-code port 5005, and network namespaces cannot be made here)"
        ),
        "{stdout}"
    );
}

/// A program socket_wrapper never reaches (here: one that opens no socket, as a
/// statically linked one would look) is named in a note, not silently failed.
#[test]
fn a_program_that_never_appears_in_its_directory_gets_a_note() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let tmp = readable.writable_dir("tmp");
    let out = readable.writable_dir("out");
    let (client, server) = (
        readable.example("rdt3-fixed/good/UDP_Client.py"),
        readable.example("rdt3-fixed/good/UDP_Server.py"),
    );
    let silent_client = ["--client-cmd", "sleep 0.2", "--server", &server];
    let silent_server = ["--client", &client, "--server-cmd", "sleep 5"];
    for (role, programs) in [("client", silent_client), ("server", silent_server)] {
        let mut args = vec![
            "check",
            "rdt3-fixed",
            "--mode",
            "preload",
            "--scenario",
            "no-loss",
            "--budget",
            "1s",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(programs);
        let stdout = exited_with(&readable.grader_as_nobody(&tmp, &args), 1);
        // The client's as a note under the scenario, the server's as why it did not start.
        let said = format!("the {role} never made a socket in its socket_wrapper directory");
        assert!(stdout.contains(&said), "{stdout}");
    }
    assert_nothing_left(&tmp, &out);
}

/// The scenarios of the tcp-lines case.
const RUNS: [&str; 7] = [
    "one-file",
    "three-files",
    "quit-at-once",
    "long-line",
    "thousand-lines",
    "sliced",
    "coalesced",
];

/// The tcp-lines case for one program that asks its role (`cases/examples/`), with the
/// good one-program example and, in `buggy/`, a copy that numbers its files from 0.
fn one_program_tcp_lines(readable: &Readable) -> (String, String, String) {
    let case = root().join("cases/examples/tcp-lines-one-program.yaml");
    let good = readable.example("tcp-lines/one-program/tcp.py");
    let buggy_dir = readable.writable_dir("buggy");
    let buggy = buggy_dir.join("tcp.py");
    let source = std::fs::read_to_string(&good).unwrap();
    let numbered_from_one = "        file_number = 1\n";
    assert_eq!(source.matches(numbered_from_one).count(), 1);
    std::fs::write(
        &buggy,
        source.replace(numbered_from_one, "        file_number = 0\n"),
    )
    .unwrap();
    std::fs::set_permissions(&buggy, std::fs::Permissions::from_mode(0o755)).unwrap();
    let copied = readable.dir.path().join("tcp-lines-one-program.yaml");
    std::fs::copy(case, &copied).unwrap();
    open_to_everyone(&copied);
    (
        copied.display().to_string(),
        good,
        buggy.display().to_string(),
    )
}

/// The handout's tcp-lines template as students hand it in: one program, its address
/// hard-coded, asking on stdin whether to send or receive. As nobody, in preload mode, it
/// is graded unmodified with every scenario and gets the verdicts transparent mode gives
/// it as root; a copy with one bug fails the check that bug breaks.
#[test]
fn one_tcp_program_that_asks_its_role_is_graded_as_nobody() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let (case, good, buggy) = one_program_tcp_lines(&readable);
    let tmp = readable.writable_dir("tmp");
    let preload_out = readable.writable_dir("preload-out");
    let args = |program: &str, out: &Path, mode: &str| -> Vec<String> {
        case_args(
            &case,
            program,
            program,
            out.to_str().unwrap(),
            &["--mode", mode],
        )
        .into_iter()
        .map(str::to_owned)
        .collect()
    };
    let as_nobody = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        readable.grader_as_nobody(&tmp, &args)
    };
    let stdout = exited_with(&as_nobody(args(&good, &preload_out, "preload")), 0);
    assert!(stdout.contains("mode preload"), "{stdout}");
    assert!(stdout.contains("all graded scenarios pass"), "{stdout}");
    // The role was typed first, and the server saw the client's own port.
    let server = crate::util::transcript(&preload_out, "one-file", "server").unwrap();
    let said = server["lines"].to_string();
    assert!(said.contains("Connection from ('127.0.0.1', "), "{said}");
    assert!(!said.contains("Please type s or r"), "{said}");

    let transparent_out = tempfile::tempdir().unwrap();
    let output = crate::util::grader()
        .args(args(&good, transparent_out.path(), "transparent"))
        .output()
        .unwrap();
    exited_with(&output, exit_code::PASSED);
    for run in RUNS {
        assert_eq!(
            failed_checks(&preload_out, run),
            failed_checks(transparent_out.path(), run),
            "{run}"
        );
    }

    let buggy_out = readable.writable_dir("buggy-out");
    let output = as_nobody(args(&buggy, &buggy_out, "preload"));
    exited_with(&output, exit_code::FAILED);
    for run in ["one-file", "three-files"] {
        let failed = failed_checks(&buggy_out, run);
        assert!(failed.contains("saved-files"), "{run}: {failed:?}");
    }
    assert_nothing_left(&tmp, &preload_out);
}

/// A TCP server that hard-codes its port is graded in preload mode with the verdicts
/// transparent mode gives: the good pair passes, one that takes one recv() per message
/// fails where the relay cuts the stream (a long line arrives whole, as on the loopback:
/// socket_wrapper's stream reads are raised from its 1500-byte default).
#[test]
fn hard_coded_tcp_pairs_get_the_verdicts_of_transparent_mode() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let (case, _, _) = one_program_tcp_lines(&readable);
    // The two-program examples take the case's port as their default: no arguments.
    let case_text = std::fs::read_to_string(&case)
        .unwrap()
        .replace(
            "run: \"tcp\"\n    role-answer: \"r\"",
            "run: \"tcp_server\"",
        )
        .replace(
            "run: \"tcp\"\n    role-answer: \"s\"",
            "run: \"tcp_client\"",
        );
    let case = readable.dir.path().join("tcp-lines-two-programs.yaml");
    std::fs::write(&case, case_text).unwrap();
    open_to_everyone(&case);
    let tmp = readable.writable_dir("tmp");
    let client = readable.example("tcp-lines/good/tcp_client.py");
    for server in ["good", "one-recv"] {
        let server = readable.example(&format!("tcp-lines/{server}/tcp_server.py"));
        let preload_out = readable.writable_dir(&format!("preload-{}", server.len()));
        let transparent_out = tempfile::tempdir().unwrap();
        let args = |out: &Path, mode: &str| -> Vec<String> {
            let (case, out) = (case.to_str().unwrap(), out.to_str().unwrap());
            case_args(case, &client, &server, out, &["--mode", mode])
                .into_iter()
                .map(str::to_owned)
                .collect()
        };
        let preload_args = args(&preload_out, "preload");
        let preload_args: Vec<&str> = preload_args.iter().map(String::as_str).collect();
        let preload = readable.grader_as_nobody(&tmp, &preload_args);
        let transparent = crate::util::grader()
            .args(args(transparent_out.path(), "transparent"))
            .output()
            .unwrap();
        assert_eq!(preload.status.code(), transparent.status.code(), "{server}");
        // Both pairs get every verdict transparent mode gives them (the typist waits for
        // each line to be read and to reach the server before it types the next, in
        // either mode, so a one-recv() server meets the same lines in the same reads).
        for run in RUNS {
            assert_eq!(
                failed_checks(&preload_out, run),
                failed_checks(transparent_out.path(), run),
                "{server}: {run}"
            );
        }
        if server.contains("one-recv") {
            assert!(failed_checks(&preload_out, "sliced").contains("saved-files"));
        }
        assert_nothing_left(&tmp, &preload_out);
    }
}

/// After a grading: its work directory (every socket file with it) is gone from `tmp`,
/// no socket file is in the evidence, and no program of it still runs.
fn assert_nothing_left(tmp: &Path, out: &Path) {
    let left: Vec<_> = std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    let mut sockets = Vec::new();
    find_sockets(out, &mut sockets);
    assert!(
        sockets.is_empty(),
        "socket files in the evidence: {sockets:?}"
    );
    for entry in walk(out) {
        if entry
            .file_name()
            .is_some_and(|name| name == "client.json" || name == "server.json")
        {
            let transcript: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&entry).unwrap()).unwrap();
            let Some(pid) = transcript["pid"].as_u64() else {
                continue;
            };
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            // The program's own file, as its command line named it.
            let program = transcript["command"]
                .as_array()
                .and_then(|words| words.iter().rev().find_map(|word| word.as_str()))
                .unwrap_or_default()
                .to_owned();
            assert!(
                program.is_empty() || !String::from_utf8_lossy(&cmdline).contains(&program),
                "{} (pid {pid}) still runs",
                entry.display()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn find_sockets(dir: &Path, sockets: &mut Vec<PathBuf>) {
    use std::os::unix::fs::FileTypeExt;
    for path in walk(dir) {
        if std::fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_socket()) {
            sockets.push(path);
        }
    }
}

/// As nobody the grader enters a user namespace of its own, and auto mode picks transparent
/// mode. The relay then often binds a client's source address `127.0.0.1:N` for its first
/// datagram before discovery sees the client's wildcard `0.0.0.0:N`: that port is already
/// reachable, and must not be reported as taken by the other program.
#[test]
fn transparent_mode_as_nobody_reports_no_port_as_taken() {
    let Some(_namespaces) = available() else {
        return;
    };
    let readable = Readable::new();
    let tmp = readable.writable_dir("tmp");
    let out = readable.writable_dir("out");
    let output = readable.grader_as_nobody(
        &tmp,
        &check_args(
            &readable.example("rdt3-fixed/good/UDP_Client.py"),
            &readable.example("rdt3-fixed/good/UDP_Server.py"),
            out.to_str().unwrap(),
            &[],
        ),
    );
    let stdout = exited_with(&output, exit_code::PASSED);
    assert!(stdout.contains("mode transparent"), "{stdout}");
    assert!(
        !stdout.contains("could not make it reachable"),
        "a false note:\n{stdout}"
    );
    assert_nothing_left(&tmp, &out);
}
