//! tcp-lines (ASSIGNMENTS.md §4): the reference pair passes every scenario; a server that
//! takes one recv() as one message passes on a plain loopback and fails when the relay
//! slices the stream; each reference defect and buggy example is caught by its check.

use crate::util::{
    Graded, assert_fails_at_least, checks, example, grade, outcomes, reference_binary,
};
use socklab_grader::exit_code;

fn with_defect(side: &str, defect: &str, scenario: &str) -> Graded {
    let reference = reference_binary();
    let (flag, command) = match side {
        "client" => (
            "--client-cmd",
            format!(
                "{reference} tcp-lines client --host {{host}} --port {{port}} --defect {defect}"
            ),
        ),
        _ => (
            "--server-cmd",
            format!(
                "{reference} tcp-lines server --host {{host}} --port {{port}} --defect {defect}"
            ),
        ),
    };
    grade(&[
        "tcp-lines",
        "--seed",
        "5",
        "--budget",
        "3s",
        "--scenario",
        scenario,
        flag,
        &command,
    ])
}

#[test]
fn the_reference_pair_passes_every_scenario() {
    let graded = grade(&["tcp-lines", "--seed", "1"]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
}

#[test]
fn one_recv_per_message_passes_on_loopback_and_fails_when_sliced_saying_why() {
    let plain = with_defect("server", "one-recv", "one-file");
    assert_eq!(plain.code, Some(exit_code::PASSED), "{}", plain.stdout);
    let sliced = with_defect("server", "one-recv", "sliced");
    assert_fails_at_least(&sliced, "sliced", &["saved-files"]);
    assert!(
        sliced.stdout.contains("1-3-byte pieces")
            && sliced.stdout.contains("not take one recv() as one message"),
        "{}",
        sliced.stdout
    );
}

#[test]
fn the_one_recv_example_passes_on_loopback_and_fails_when_sliced() {
    let server = example("tcp-lines/one-recv/tcp_server.py");
    let plain = grade(&[
        "tcp-lines",
        "--seed",
        "5",
        "--scenario",
        "one-file",
        "--server",
        &server,
    ]);
    assert_eq!(plain.code, Some(exit_code::PASSED), "{}", plain.stdout);
    let sliced = grade(&[
        "tcp-lines",
        "--seed",
        "5",
        "--budget",
        "3s",
        "--scenario",
        "sliced",
        "--server",
        &server,
    ]);
    assert_fails_at_least(&sliced, "sliced", &["saved-files"]);
    assert!(
        sliced.stdout.contains("1-3-byte pieces"),
        "{}",
        sliced.stdout
    );
}

#[test]
fn each_server_defect_is_caught_by_its_check() {
    for (defect, scenario, check) in [
        ("zero-based-names", "three-files", "saved-files"),
        ("early-status", "one-file", "status-bytes"),
        ("no-close", "one-file", "server-close"),
        ("no-close", "three-files", "completion"),
        ("no-quit-status", "one-file", "status-bytes"),
        ("one-recv", "coalesced", "saved-files"),
    ] {
        assert_fails_at_least(&with_defect("server", defect, scenario), scenario, &[check]);
    }
}

#[test]
fn each_client_defect_is_caught_by_its_check() {
    let little_endian = with_defect("client", "little-endian-count", "one-file");
    assert_fails_at_least(&little_endian, "one-file", &["framing"]);
    assert!(
        little_endian.stdout.contains("little-endian"),
        "{}",
        little_endian.stdout
    );
    let crlf = with_defect("client", "crlf-lines", "one-file");
    assert_fails_at_least(&crlf, "one-file", &["framing"]);
    assert_fails_at_least(
        &with_defect("client", "hide-status", "three-files"),
        "three-files",
        &["client-status"],
    );
}

#[test]
fn the_good_examples_pass_and_each_buggy_one_fails_its_check() {
    let good = grade(&[
        "tcp-lines",
        "--seed",
        "5",
        "--server",
        &example("tcp-lines/good/tcp_server.py"),
        "--client",
        &example("tcp-lines/good/tcp_client.py"),
    ]);
    assert_eq!(good.code, Some(exit_code::PASSED), "{}", good.stdout);
    for (flag, path, scenario, check) in [
        (
            "--server",
            "tcp-lines/early-status/tcp_server.py",
            "one-file",
            "status-bytes",
        ),
        (
            "--server",
            "tcp-lines/zero-based/tcp_server.py",
            "three-files",
            "saved-files",
        ),
        (
            "--client",
            "tcp-lines/little-endian/tcp_client.py",
            "one-file",
            "framing",
        ),
    ] {
        let graded = grade(&[
            "tcp-lines",
            "--seed",
            "5",
            "--budget",
            "3s",
            "--scenario",
            scenario,
            flag,
            &example(path),
        ]);
        assert_fails_at_least(&graded, scenario, &[check]);
    }
}

/// "Report the status to the user (e.g. “File accepted”)": the words are an example. A
/// client that prints the byte as it came (`Server response: b'A'`) passes `client-status`;
/// one that reports nothing fails it, and nothing else.
#[test]
fn a_status_shown_as_the_byte_passes_and_a_status_not_shown_fails() {
    let shown = grade(&[
        "tcp-lines",
        "--seed",
        "5",
        "--client",
        &example("tcp-lines/status-as-byte/tcp_client.py"),
    ]);
    assert_eq!(shown.code, Some(exit_code::PASSED), "{}", shown.stdout);
    assert!(shown.stdout.contains("total 100/100"), "{}", shown.stdout);
    let silent = grade(&[
        "tcp-lines",
        "--seed",
        "5",
        "--scenario",
        "one-file",
        "--client",
        &example("tcp-lines/silent-status/tcp_client.py"),
    ]);
    assert_eq!(silent.code, Some(exit_code::FAILED), "{}", silent.stdout);
    assert_eq!(
        silent.failed("one-file"),
        checks(&["client-status"]),
        "{}",
        silent.stdout
    );
    assert!(
        silent.stdout.contains(
            "the client showed 0 of the 2 answers, and no line after the answer `A` to file 1"
        ),
        "{}",
        silent.stdout
    );
}

/// A server that closes the connection after its `Q` and then waits for the next client
/// works: `completion` is non-strict and every scenario earns its points. One that dies
/// with a traceback after the same close fails `completion` alone.
#[test]
fn a_server_that_keeps_listening_is_non_strict_and_one_that_crashes_fails_completion() {
    let listening = grade(&[
        "tcp-lines",
        "--seed",
        "5",
        "--server",
        &example("tcp-lines/keeps-listening/tcp_server.py"),
    ]);
    assert_eq!(
        listening.code,
        Some(exit_code::PASSED),
        "{}",
        listening.stdout
    );
    assert!(
        listening.stdout.contains("total 100/100"),
        "{}",
        listening.stdout
    );
    let completion = outcomes(listening.out.path(), "three-files")
        .into_iter()
        .find(|outcome| outcome.check == "completion")
        .unwrap();
    assert_eq!(completion.status, "non-strict", "{}", listening.stdout);
    let crashing = grade(&[
        "tcp-lines",
        "--seed",
        "5",
        "--scenario",
        "one-file",
        "--server",
        &example("tcp-lines/accept-after-close/tcp_server.py"),
    ]);
    assert_eq!(
        crashing.failed("one-file"),
        checks(&["completion"]),
        "{}",
        crashing.stdout
    );
    assert!(
        crashing.stdout.contains("the server exited with status 1"),
        "{}",
        crashing.stdout
    );
}
