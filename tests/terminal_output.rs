//! What `grader` writes for a person at a terminal and for everything else: colour and a
//! progress bar only on a terminal, never colour with `NO_COLOR`; completions and man
//! pages generated from the command line's definition.

use crate::util::grader;
use socklab_grader::exit_code;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::process::{Command, Stdio};

/// Runs `grader` with stdout and stderr on a fresh pseudo-terminal, as a person at a
/// terminal would; returns everything it wrote there.
fn on_a_terminal(arguments: &[&str], environment: &[(&str, &str)]) -> String {
    let pty = nix::pty::openpty(None, None).expect("a pseudo-terminal");
    let mut command = Command::new(env!("CARGO_BIN_EXE_grader"));
    command
        .args(arguments)
        .env_remove("NO_COLOR")
        // Colour libraries take a terminal without a TERM as one that cannot show colour.
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null())
        .stdout(Stdio::from(pty.slave.try_clone().expect("dup")))
        .stderr(Stdio::from(pty.slave.try_clone().expect("dup")));
    for (name, value) in environment {
        command.env(name, value);
    }
    let mut child = command.spawn().expect("grader starts");
    // The grader (and nothing else) holds the terminal now: reading ends when it exits.
    // `command` keeps copies of the terminal's descriptors for another spawn: drop it too.
    drop(command);
    drop(pty.slave);
    let reader = std::thread::spawn(move || read_until_closed(pty.master));
    let status = child.wait().expect("grader ends");
    let output = reader.join().expect("reader");
    assert!(status.success(), "grader failed on a terminal:\n{output}");
    output
}

/// A pty's master reads EIO, not EOF, once every slave is closed: both mean the end.
fn read_until_closed(master: OwnedFd) -> String {
    let mut file = std::fs::File::from(master);
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match file.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(read) => bytes.extend_from_slice(&buffer[..read]),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whether the text holds an SGR sequence (colour or bold), `ESC [ … m`.
fn has_colour(text: &str) -> bool {
    regex::Regex::new("\x1b\\[[0-9;]*m")
        .expect("pattern")
        .is_match(text)
}

const ARGUMENTS: [&str; 5] = ["check", "rdt3", "--scenario", "no-loss", "--seed=1"];

#[test]
fn on_a_terminal_the_report_is_coloured_and_a_progress_bar_counts_the_runs() {
    let output = on_a_terminal(&ARGUMENTS, &[]);
    assert!(has_colour(&output), "no colour on a terminal:\n{output}");
    assert!(output.contains("1/1 runs"), "no progress bar:\n{output}");
    assert!(output.contains("PASS"), "{output}");
}

#[test]
fn no_color_turns_colour_off_even_on_a_terminal() {
    let output = on_a_terminal(&ARGUMENTS, &[("NO_COLOR", "1")]);
    assert!(!has_colour(&output), "colour despite NO_COLOR:\n{output:?}");
    assert!(output.contains("PASS"), "{output}");
}

#[test]
fn off_a_terminal_there_is_no_escape_sequence_and_no_progress_bar() {
    let output = Command::new(env!("CARGO_BIN_EXE_grader"))
        .args(ARGUMENTS)
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color")
        .output()
        .expect("grader runs");
    assert!(output.status.success());
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(
            !text.contains('\x1b'),
            "an escape byte in piped output:\n{text:?}"
        );
        assert!(
            !text.contains("runs  "),
            "a progress bar in piped output:\n{text}"
        );
    }
}

#[test]
fn completions_cover_every_subcommand_and_flag() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = grader()
            .args(["completions", shell])
            .output()
            .expect("runs");
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).expect("utf-8");
        for word in ["check", "proxy", "scenario", "format", "gradescope"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let bash = grader()
        .args(["completions", "bash"])
        .output()
        .expect("runs");
    let syntax = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(&bash.stdout)?;
            child.wait()
        })
        .expect("bash runs");
    assert!(syntax.success(), "the bash completion is not valid bash");
    grader()
        .args(["completions", "tcsh"])
        .assert()
        .code(exit_code::INVALID_INPUT);
}

#[test]
fn man_pages_are_roff_for_the_grader_and_each_subcommand() {
    let main = grader().arg("man").output().expect("runs");
    assert!(main.status.success());
    let main = String::from_utf8(main.stdout).expect("utf-8");
    assert!(main.contains(".TH grader 1"), "{main}");
    assert!(main.contains("grader\\-check(1)"), "{main}");

    let check = grader().args(["man", "check"]).output().expect("runs");
    let check = String::from_utf8(check.stdout).expect("utf-8");
    assert!(check.contains(".TH grader-check 1"), "{check}");
    assert!(check.contains(env!("CARGO_PKG_VERSION")), "{check}");
    assert!(check.contains("\\-\\-scenario"), "{check}");

    let unknown = grader()
        .args(["man", "nope"])
        .assert()
        .code(exit_code::INVALID_INPUT);
    let stderr = String::from_utf8_lossy(&unknown.get_output().stderr).into_owned();
    assert!(stderr.contains("check"), "{stderr}");
}

#[test]
fn a_failed_run_shows_the_end_of_each_programs_output_and_a_passed_run_does_not() {
    let failing = grader()
        .current_dir(crate::util::root())
        .args(["check", "rdt3", "--scenario", "no-loss", "--budget", "2s"])
        .args(["--client", "tests/fixtures/hostile/file_escape.py"])
        .output()
        .expect("grader runs");
    let report = crate::util::exited_with(&failing, exit_code::FAILED);
    assert!(report.contains("the client's last 4 of "), "{report}");
    assert!(report.contains("file_escape: blocked"), "{report}");
    assert!(report.contains("the server's output:"), "{report}");

    let passing = grader()
        .args(["check", "rdt3", "--scenario", "no-loss"])
        .output()
        .expect("grader runs");
    let report = crate::util::exited_with(&passing, exit_code::PASSED);
    assert!(!report.contains("output:"), "{report}");
    assert!(!report.contains("last "), "{report}");
}
