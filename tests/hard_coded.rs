//! Hard-coded addresses found by the grader itself: with `--mode auto` and the ordinary
//! case (no `hard-coded-port`), a pair whose server binds a port of its own is graded in
//! transparent mode (preload where namespaces are forbidden) on that port, says so in its
//! mode line, and takes no more than one scenario's budget longer than the same logic
//! taking arguments.

use crate::unprivileged::{PATH, Readable, copy_tree};
use crate::util::{example, exclusive_namespaces, exited_with, grader, root};
use socklab_grader::case::CaseSource;
use socklab_grader::case::load::load_case;
use socklab_grader::exit_code;
use std::process::Command;
use std::time::Duration;

/// A case, its hard-coded pair and its argument-taking pair (client, server).
struct Pair {
    case: &'static str,
    hard_coded: (&'static str, &'static str),
    arguments: (&'static str, &'static str),
    /// What the mode line says the server did.
    bound: &'static str,
}

const PAIRS: &[Pair] = &[
    Pair {
        case: "rdt3",
        hard_coded: (
            "rdt3/hard-coded-8080/UDP_Client.py",
            "rdt3/hard-coded-8080/UDP_Server.py",
        ),
        arguments: ("rdt3/good/UDP_Client.py", "rdt3/good/UDP_Server.py"),
        bound: "the server bound UDP 127.0.0.1:8080 instead of the port it was given",
    },
    Pair {
        case: "udp-add",
        hard_coded: (
            "udp-add/hard-coded/UDP_Client.py",
            "udp-add/hard-coded/UDP_Server.py",
        ),
        arguments: ("udp-add/good/UDP_Client.py", "udp-add/good/UDP_Server.py"),
        bound: "the server bound UDP 127.0.0.1:12000 instead of the port it was given",
    },
    Pair {
        case: "tcp-lines",
        hard_coded: (
            "tcp-lines/hard-coded/tcp_client.py",
            "tcp-lines/hard-coded/tcp_server.py",
        ),
        arguments: (
            "tcp-lines/good/tcp_client.py",
            "tcp-lines/good/tcp_server.py",
        ),
        bound: "the server listened on TCP 127.0.0.1:12100 instead of the port it was given",
    },
    Pair {
        case: "tcp-file-100",
        hard_coded: (
            "tcp-file-100/hard-coded/TCP_Client.py",
            "tcp-file-100/hard-coded/TCP_Server.py",
        ),
        arguments: (
            "tcp-file-100/good/TCP_Client.py",
            "tcp-file-100/good/TCP_Server.py",
        ),
        bound: "the server listened on TCP 0.0.0.0:31435 instead of the port it was given",
    },
];

/// `grader check CASE --client C --server S --seed 7 --format json`, nothing else: its
/// JSON report (the grading must pass).
fn graded(case: &str, (client, server): (&str, &str)) -> serde_json::Value {
    let output = grader()
        .args(["check", case, "--client", &example(client)])
        .args([
            "--server",
            &example(server),
            "--seed",
            "7",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let stdout = exited_with(&output, exit_code::PASSED);
    serde_json::from_str(&stdout).expect("the report is JSON")
}

fn wall_time(report: &serde_json::Value) -> Duration {
    Duration::from_millis(report["wall-time-ms"].as_u64().expect("wall-time-ms"))
}

/// The case's budget: what one scenario may take.
fn budget(case: &str) -> Duration {
    load_case::<socklab_grader::analyzer::Analyzer>(&CaseSource::from_argument(case))
        .unwrap()
        .case
        .budget
}

/// Each hard-coded pair passes its ordinary case with no flag but the programs, in
/// transparent mode, and its grading (the probe start included) takes no more than one
/// scenario's budget longer than the argument-taking pair's on the same seed, which is
/// graded through the relay. The figures are printed (`--nocapture`).
#[test]
fn hard_coded_pairs_pass_the_ordinary_cases_in_transparent_mode_within_one_budget() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: transparent mode is tested as root");
        return;
    }
    let _namespaces = exclusive_namespaces();
    for pair in PAIRS {
        let hard_coded = graded(pair.case, pair.hard_coded);
        let mode = hard_coded["mode"].as_str().unwrap_or_default();
        assert_eq!(
            mode,
            format!("transparent ({}: graded in transparent mode)", pair.bound),
            "{}",
            pair.case
        );
        let arguments = graded(pair.case, pair.arguments);
        assert_eq!(
            arguments["mode"],
            "relay (the programs take their addresses as arguments)"
        );
        assert_eq!(hard_coded["score"], arguments["score"], "{}", pair.case);
        let (hard, taking) = (wall_time(&hard_coded), wall_time(&arguments));
        eprintln!(
            "{}: hard-coded {hard:?}, taking arguments {taking:?}, budget {:?}",
            pair.case,
            budget(pair.case)
        );
        assert!(
            hard <= taking + budget(pair.case),
            "{}: the hard-coded pair took {hard:?}, the argument-taking one {taking:?}",
            pair.case
        );
    }
}

/// A hard-coded server graded alone: the reference client is pointed at the port it bound.
#[test]
fn a_hard_coded_server_alone_meets_the_reference_client_on_its_port() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: transparent mode is tested as root");
        return;
    }
    let _namespaces = exclusive_namespaces();
    let output = grader()
        .args(["check", "rdt3", "--seed", "7", "--scenario", "lost-ack"])
        .args(["--server", &example("rdt3/hard-coded-8080/UDP_Server.py")])
        .args(["--format", "gradescope"])
        .output()
        .unwrap();
    let stdout = exited_with(&output, exit_code::PASSED);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["score"], 15.0, "{stdout}");
    let summary = report["output"].as_str().unwrap_or_default();
    assert!(
        summary.contains("mode transparent (the server bound UDP 127.0.0.1:8080"),
        "{summary}"
    );
    // The replay finds the port again rather than grading on transparent mode's default.
    assert!(summary.contains("--mode auto"), "{summary}");
}

/// A server run by a command that gives it no port is hard-coded by definition: the mode
/// line says so, and the scenario passes on the port it bound.
#[test]
fn a_server_whose_command_gives_it_no_port_is_graded_on_the_port_it_bound() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: transparent mode is tested as root");
        return;
    }
    let _namespaces = exclusive_namespaces();
    let output = grader()
        .args(["check", "rdt3", "--seed", "7", "--scenario", "no-loss"])
        .args(["--server", &example("rdt3/hard-coded-8080/")])
        .args(["--server-cmd", "python3 UDP_Server.py", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&exited_with(&output, exit_code::PASSED)).unwrap();
    assert_eq!(
        report["mode"],
        "transparent (the server bound UDP 127.0.0.1:8080, and its command line gives it no \
         port: graded in transparent mode)"
    );
}

/// A hard-coded client graded alone: the port it sends (UDP) or connects (TCP) to is
/// found from its first packet, and the reference server is run there.
#[test]
fn a_hard_coded_client_alone_meets_the_reference_server_on_the_port_it_sends_to() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: transparent mode is tested as root");
        return;
    }
    let _namespaces = exclusive_namespaces();
    for (case, scenario, client, seen) in [
        (
            "rdt3",
            "lost-packet",
            "rdt3/hard-coded-8080/UDP_Client.py",
            "the client sent to UDP 127.0.0.1:8080",
        ),
        (
            "tcp-lines",
            "sliced",
            "tcp-lines/hard-coded/tcp_client.py",
            "the client connected to TCP 127.0.0.1:12100",
        ),
    ] {
        let output = grader()
            .args(["check", case, "--seed", "7", "--scenario", scenario])
            .args(["--client", &example(client), "--format", "json"])
            .output()
            .unwrap();
        let stdout = exited_with(&output, exit_code::PASSED);
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(
            report["mode"],
            format!(
                "transparent ({seen} instead of the port it was given: graded in transparent \
                 mode)"
            )
        );
    }
    // The argument-taking client sends where it is told: the relay, as before.
    let output = grader()
        .args(["check", "rdt3", "--seed", "7", "--scenario", "lost-packet"])
        .args(["--client", &example("rdt3/good/UDP_Client.py")])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&exited_with(&output, exit_code::PASSED)).unwrap();
    assert_eq!(
        report["mode"],
        "relay (the programs take their addresses as arguments)"
    );
}

/// As nobody, where namespaces are forbidden (nobody's own user namespace, which allows no
/// more, entered with no capabilities), the hard-coded pairs are graded in preload mode
/// and pass, and the mode line says why.
#[test]
fn hard_coded_pairs_pass_in_preload_mode_where_namespaces_are_forbidden() {
    let library = std::path::Path::new("/usr/lib/x86_64-linux-gnu/libsocket_wrapper.so");
    if !library.exists() {
        eprintln!("skipped: libsocket-wrapper is not installed");
        return;
    }
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: forbidding namespaces needs root");
        return;
    }
    let _namespaces = exclusive_namespaces();
    let readable = Readable::new();
    for dir in ["rdt3", "udp-add", "tcp-lines", "tcp-file-100"] {
        copy_tree(
            &root().join("examples").join(dir),
            &readable.dir.path().join(dir),
        );
    }
    let tmp = readable.writable_dir("tmp");
    let script = "echo 0 > /proc/sys/user/max_user_namespaces \
                  && exec setpriv --bounding-set=-all --inh-caps=-all \"$0\" \"$@\"";
    for pair in PAIRS {
        let output = Command::new("setpriv")
            .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .args(["unshare", "--user", "--map-root-user", "sh", "-c", script])
            .arg(&readable.grader)
            .args(["check", pair.case, "--seed", "7"])
            .args(["--client", &readable.example(pair.hard_coded.0)])
            .args(["--server", &readable.example(pair.hard_coded.1)])
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
        let mode = format!(
            "mode preload ({}: graded in preload mode, as network namespaces cannot be made here)",
            pair.bound
        );
        assert!(stdout.contains(&mode), "{}: {stdout}", pair.case);
    }
}
