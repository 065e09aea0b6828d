//! Commands that work as printed (issue 21, point 5): a command given with its directory
//! runs in a copy of it; placeholders fill in typed lines as they do arguments; the
//! `replay:` line, pasted, grades again the same way; a program that cannot be started
//! exits 3 with the reason, and one that started and died (or opened the wrong transport)
//! is said to have done exactly that. Each diagnostic is proven on a program with exactly
//! that fault (`tests/fixtures/commands/`), beside the legal program that passes.

use crate::util::{example, fixture, grader, reference_binary, root};
use socklab_grader::exit_code;
use std::path::Path;
use std::process::Output;

/// The terminal report of `grader ARGS`, run in `dir`, and its exit code.
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output: Output = grader().current_dir(dir).args(args).output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_in(&root(), args)
}

/// The server of `fixture` graded on rdt3's no-loss scenario by the reference client.
fn grade_rdt3_server(server: &str) -> (i32, String, String) {
    let server = fixture(&format!("commands/{server}"));
    run(&[
        "check",
        "rdt3",
        "--scenario",
        "no-loss",
        "--budget",
        "2s",
        "--seed",
        "1",
        "--server",
        server.to_str().unwrap(),
    ])
}

#[test]
fn a_command_given_with_a_directory_runs_in_a_copy_of_it() {
    let good = example("rdt3/good");
    let client = example("rdt3/good/UDP_Client.py");
    // The README's form: relative paths in the command name files of the directory.
    for server in [good.clone(), example("rdt3/good/UDP_Server.py")] {
        let (code, stdout, stderr) = run(&[
            "check",
            "rdt3",
            "--scenario",
            "no-loss",
            "--client",
            &client,
            "--server",
            &server,
            "--server-cmd",
            "python3 UDP_Server.py {port}",
        ]);
        assert_eq!(code, exit_code::PASSED, "{server}:\n{stdout}{stderr}");
    }
    // The same command without its directory runs in an empty one: the grader warns when
    // the file is where the grader runs, and the server fails for want of it.
    let (code, stdout, stderr) = run_in(
        Path::new(&good),
        &[
            "check",
            "rdt3",
            "--scenario",
            "no-loss",
            "--budget",
            "2s",
            "--server-cmd",
            "python3 UDP_Server.py {port}",
        ],
    );
    assert_eq!(code, exit_code::FAILED, "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "warning: `UDP_Server.py` is in the current directory, but --server-cmd without \
             --server runs in an empty directory of its own; add `--server .`"
        ),
        "{stderr}"
    );
    assert!(
        stdout.contains("the server exited with status 2 before it bound udp port"),
        "{stdout}"
    );
}

#[test]
fn a_directory_without_a_command_is_refused_with_what_to_do() {
    let (code, _, stderr) = run(&["check", "rdt3", "--server", &example("rdt3/good")]);
    assert_eq!(code, exit_code::INVALID_INPUT, "{stderr}");
    assert!(
        stderr.contains("a directory with no build file")
            && stderr.contains("name the program file in it, or give the command"),
        "{stderr}"
    );
}

#[test]
fn placeholders_fill_in_the_lines_typed_on_stdin() {
    // The client asks for the file's name on stdin; the case types `{file}`. Typed as
    // written, the client would ask for a file named `{file}` and receive nothing.
    let case = fixture("commands/udp-file-asks.yaml");
    let client_dir = fixture("commands/asks-for-file");
    let command = format!(
        "python3 ask.py {} udp-file client --host {{host}} --port {{port}}",
        reference_binary()
    );
    let (code, stdout, stderr) = run(&[
        "check",
        case.to_str().unwrap(),
        "--client",
        client_dir.to_str().unwrap(),
        "--client-cmd",
        &command,
    ]);
    assert_eq!(code, exit_code::PASSED, "{stdout}{stderr}");
}

/// The verdict lines of a terminal report: each run's status line and each failed check,
/// without times.
fn verdicts(report: &str) -> Vec<String> {
    report
        .lines()
        .map(str::trim)
        .filter(|line| {
            ["PASS", "FAIL", "TIME", "ERROR", "INFO", "✗"]
                .iter()
                .any(|start| line.starts_with(start))
        })
        .map(|line| {
            // `FAIL   lost-packet   0/15  2.118 s`: the time varies, the rest must not.
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [status, key, points, _, "s", ..] if !status.starts_with('✗') => {
                    format!("{status} {key} {points}")
                }
                _ => line.split(": ").next().unwrap_or(line).to_owned(),
            }
        })
        .collect()
}

#[test]
fn the_printed_replay_line_grades_again_the_same_way() {
    // A YAML case by a relative path, and both programs by relative paths, all with
    // spaces in them: the line must quote them, and name the case by its path.
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    std::fs::create_dir(dir.join("my cases")).unwrap();
    std::fs::copy(
        root().join("cases/rdt3.yaml"),
        dir.join("my cases/rdt3 copy.yaml"),
    )
    .unwrap();
    std::fs::create_dir(dir.join("sub mission")).unwrap();
    for (from, to) in [
        ("rdt3/no-retransmit/UDP_Client.py", "UDP_Client.py"),
        ("rdt3/good/UDP_Server.py", "UDP_Server.py"),
    ] {
        std::fs::copy(example(from), dir.join("sub mission").join(to)).unwrap();
    }
    let (code, first, stderr) = run_in(
        dir,
        &[
            "check",
            "my cases/rdt3 copy.yaml",
            "--client",
            "sub mission/UDP_Client.py",
            "--server",
            "sub mission/UDP_Server.py",
            "--scenario",
            "no-loss",
            "--scenario",
            "lost-packet",
            "--seed",
            "11",
        ],
    );
    assert_eq!(code, exit_code::FAILED, "{first}{stderr}");
    let line = first
        .lines()
        .find_map(|line| line.strip_prefix("replay: "))
        .unwrap_or_else(|| panic!("no replay line in:\n{first}"));
    assert_eq!(
        line,
        "grader check 'my cases/rdt3 copy.yaml' --client 'sub mission/UDP_Client.py' \
         --server 'sub mission/UDP_Server.py' --seed 11 --mode relay --scenario lost-packet"
    );

    // Pasted into a shell in the same directory, with `grader` on PATH.
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_grader")).parent().unwrap();
    let path = format!(
        "{}:{}",
        binary_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let again = std::process::Command::new("sh")
        .args(["-c", line])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let replayed = String::from_utf8_lossy(&again.stdout);
    assert_eq!(again.status.code(), Some(exit_code::FAILED), "{replayed}");
    let lost_packet: Vec<String> = verdicts(&first)
        .into_iter()
        .skip_while(|verdict| !verdict.contains("lost-packet"))
        .collect();
    assert!(
        lost_packet
            .iter()
            .any(|verdict| verdict.starts_with("✗ retransmission")),
        "the client that never retransmits fails lost-packet for it: {lost_packet:?}"
    );
    assert_eq!(verdicts(&replayed), lost_packet, "{first}\n---\n{replayed}");
}

#[test]
fn a_syntax_error_is_told_by_its_status_and_traceback() {
    let (code, stdout, _) = grade_rdt3_server("syntax-error/UDP_Server.py");
    assert_eq!(code, exit_code::FAILED, "{stdout}");
    assert!(
        stdout.contains("observed: the server exited with status 1 before it bound udp port"),
        "{stdout}"
    );
    assert!(stdout.contains("; its traceback ends: ["), "{stdout}");
    assert!(
        stdout.contains("SyntaxError: '(' was never closed"),
        "{stdout}"
    );
    assert!(!stdout.contains("did not start"), "{stdout}");
}

#[test]
fn a_crash_is_told_by_its_signal() {
    let (code, stdout, _) = grade_rdt3_server("killed-by-signal/UDP_Server.py");
    assert_eq!(code, exit_code::FAILED, "{stdout}");
    assert!(
        stdout.contains(
            "observed: the server was killed by signal 11 (SIGSEGV: it crashed) before it \
             bound udp port"
        ),
        "{stdout}"
    );
}

#[test]
fn an_exit_is_told_by_its_status() {
    let (code, stdout, _) = grade_rdt3_server("exit-status/UDP_Server.py");
    assert_eq!(code, exit_code::FAILED, "{stdout}");
    assert!(
        stdout.contains("observed: the server exited with status 4 before it bound udp port"),
        "{stdout}"
    );
}

#[test]
fn a_tcp_server_given_a_udp_case_is_told_so() {
    let (code, stdout, _) = grade_rdt3_server("tcp-server/UDP_Server.py");
    assert_eq!(code, exit_code::FAILED, "{stdout}");
    let observed = stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix("observed: "))
        .unwrap_or_default();
    let port = observed
        .strip_prefix("the server did not bind udp port ")
        .and_then(|rest| rest.split(':').next())
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(
        observed,
        format!(
            "the server did not bind udp port {port}: it listened on TCP 127.0.0.1:{port}; \
             this case is UDP"
        )
    );
}

#[test]
fn a_udp_server_given_a_tcp_case_is_told_so() {
    let server = fixture("commands/udp-server/server.py");
    let (code, stdout, _) = run(&[
        "check",
        "tcp-lines",
        "--scenario",
        "one-file",
        "--budget",
        "2s",
        "--server",
        server.to_str().unwrap(),
        "--server-args",
        "{port}",
    ]);
    assert_eq!(code, exit_code::FAILED, "{stdout}");
    assert!(
        stdout.contains("the server did not bind tcp port "),
        "{stdout}"
    );
    assert!(stdout.contains(": it bound UDP 127.0.0.1:"), "{stdout}");
    assert!(stdout.contains("; this case is TCP"), "{stdout}");
}

#[test]
fn a_program_that_cannot_be_started_exits_3_with_the_reason() {
    let (code, stdout, stderr) = grade_rdt3_server("no-interpreter/UDP_Server.py");
    assert_eq!(code, exit_code::PROGRAM_NOT_STARTED, "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "cannot start the server (`socklab-no-such-interpreter`): no program \
             `socklab-no-such-interpreter` on PATH: is it installed?"
        ),
        "{stderr}"
    );

    let (code, stdout, stderr) = grade_rdt3_server("not-executable/UDP_Server");
    assert_eq!(code, exit_code::PROGRAM_NOT_STARTED, "{stdout}{stderr}");
    assert!(
        stderr.contains("is not executable and has no #! line"),
        "{stderr}"
    );

    let (code, stdout, stderr) = run(&[
        "check",
        "rdt3",
        "--scenario",
        "no-loss",
        "--server-cmd",
        "./no-such-server {port}",
    ]);
    assert_eq!(code, exit_code::PROGRAM_NOT_STARTED, "{stdout}{stderr}");
    assert!(
        stderr.contains("there is no file `./no-such-server`"),
        "{stderr}"
    );

    // The file is there, but not the interpreter its `#!` line names: say that, not that
    // the file is missing.
    let dir = fixture("commands/shebang-not-installed");
    let (code, stdout, stderr) = run(&[
        "check",
        "rdt3",
        "--scenario",
        "no-loss",
        "--server",
        dir.to_str().unwrap(),
        "--server-cmd",
        "./UDP_Server {port}",
    ]);
    assert_eq!(code, exit_code::PROGRAM_NOT_STARTED, "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "cannot start the server (`./UDP_Server`): `./UDP_Server` is there, but its first \
             line `#!/usr/bin/socklab-no-such-interpreter` names an interpreter that is not \
             installed"
        ),
        "{stderr}"
    );
}
