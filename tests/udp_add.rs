//! udp-add (ASSIGNMENTS.md §2): the reference pair passes; every reference defect and
//! every buggy example is caught by the check that exists for it, and by nothing else.

use crate::util::{Graded, checks, example, grade, reference_binary};
use socklab_grader::exit_code;

/// The reference client or server with `--defect`, against the other reference peer.
fn with_defect(side: &str, defect: &str, scenario: &str) -> Graded {
    let reference = reference_binary();
    let (flag, command) = match side {
        "client" => (
            "--client-cmd",
            format!("{reference} udp-add client --host {{host}} --port {{port}} --defect {defect}"),
        ),
        _ => (
            "--server-cmd",
            format!("{reference} udp-add server --port {{port}} --defect {defect}"),
        ),
    };
    grade(&[
        "udp-add",
        "--seed",
        "3",
        "--scenario",
        scenario,
        flag,
        &command,
    ])
}

fn assert_fails_only(graded: &Graded, run: &str, expected: &[&str]) {
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stdout);
    assert_eq!(graded.failed(run), checks(expected), "{}", graded.stdout);
    for check in expected {
        assert!(
            graded.stdout.contains(&format!("✗ {check} (")),
            "the report names {check}:\n{}",
            graded.stdout
        );
    }
}

#[test]
fn the_reference_pair_passes_every_scenario() {
    let graded = grade(&["udp-add", "--seed", "1"]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
    // The shutdown was really observed: the server exited and its port was free again.
    let shutdown = crate::util::outcomes(graded.out.path(), "out-of-range-0")
        .into_iter()
        .find(|outcome| outcome.check == "shutdown")
        .unwrap();
    assert!(shutdown.observed.contains("was free again"), "{shutdown:?}");
}

#[test]
fn a_server_that_adds_wrong_fails_sum() {
    assert_fails_only(
        &with_defect("server", "wrong-sum", "add-42"),
        "add-42",
        &["sum"],
    );
}

#[test]
fn a_client_that_adds_wrong_fails_sum() {
    assert_fails_only(
        &with_defect("client", "wrong-sum", "add-1"),
        "add-1",
        &["sum"],
    );
}

#[test]
fn a_server_that_forgets_the_client_name_fails_names() {
    let graded = with_defect("server", "no-client-name", "add-42");
    assert_fails_only(&graded, "add-42", &["names"]);
    assert!(
        graded.stdout.contains(
            "the server does not show the client's name (\"Client of Socklab Reference\")"
        ),
        "{}",
        graded.stdout
    );
}

#[test]
fn a_client_that_forgets_the_server_name_fails_names() {
    assert_fails_only(
        &with_defect("client", "no-server-name", "add-100"),
        "add-100",
        &["names"],
    );
}

#[test]
fn a_server_that_never_shuts_down_fails_shutdown() {
    let graded = with_defect("server", "no-shutdown", "out-of-range-101");
    assert_fails_only(&graded, "out-of-range-101", &["shutdown"]);
}

#[test]
fn a_server_whose_child_keeps_the_port_fails_shutdown() {
    let graded = with_defect("server", "hold-port", "out-of-range-0");
    assert_fails_only(&graded, "out-of-range-0", &["shutdown"]);
    assert!(
        graded.stdout.contains("could not be bound again"),
        "{}",
        graded.stdout
    );
}

#[test]
fn the_good_python_pair_passes() {
    let graded = grade(&[
        "udp-add",
        "--seed",
        "2",
        "--client",
        &example("udp-add/good/UDP_Client.py"),
        "--server",
        &example("udp-add/good/UDP_Server.py"),
    ]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
}

#[test]
fn string_concatenation_fails_sum() {
    let graded = grade(&[
        "udp-add",
        "--scenario",
        "add-42",
        "--server",
        &example("udp-add/string-sum/UDP_Server.py"),
    ]);
    assert_fails_only(&graded, "add-42", &["sum"]);
    assert!(
        graded.stdout.contains("does not show the sum 99"),
        "{}",
        graded.stdout
    );
}

#[test]
fn a_python_server_that_ignores_out_of_range_fails_shutdown() {
    let graded = grade(&[
        "udp-add",
        "--scenario",
        "out-of-range-0",
        "--budget",
        "1s",
        "--server",
        &example("udp-add/no-shutdown/UDP_Server.py"),
    ]);
    assert_fails_only(&graded, "out-of-range-0", &["shutdown"]);
}

#[test]
fn a_python_client_without_the_server_name_fails_names() {
    let graded = grade(&[
        "udp-add",
        "--scenario",
        "add-42",
        "--client",
        &example("udp-add/forgets-server-name/UDP_Client.py"),
    ]);
    assert_fails_only(&graded, "add-42", &["names"]);
}

/// A client that sends 24 when 42 was typed, as a misplaced `int()` or a swapped
/// variable would.
const WRONG_NUMBER_CLIENT: &str = "python3 -c \"import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); input(); s.sendto(b'Client of Ada\\n24',(sys.argv[1],int(sys.argv[2]))); print(s.recvfrom(100)[0].decode())\" {host} {port}";

/// A server that reads every request and never answers.
const SILENT_SERVER: &str = "python3 -c \"import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('127.0.0.1',int(sys.argv[1]))); [s.recvfrom(100) for _ in iter(int,1)]\" {port}";

#[test]
fn a_request_without_the_typed_integer_fails_exchange() {
    let graded = grade(&[
        "udp-add",
        "--scenario",
        "add-42",
        "--client-cmd",
        WRONG_NUMBER_CLIENT,
    ]);
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stdout);
    assert!(
        graded.failed("add-42").contains("exchange"),
        "{}",
        graded.stdout
    );
    assert!(
        graded
            .stdout
            .contains("the request carries the typed integer 42"),
        "{}",
        graded.stdout
    );
}

#[test]
fn a_server_that_never_replies_fails_exchange_and_the_client_cannot_complete() {
    let graded = grade(&[
        "udp-add",
        "--scenario",
        "add-42",
        "--server-cmd",
        SILENT_SERVER,
    ]);
    assert_fails_only(
        &graded,
        "add-42",
        &["completion", "exchange", "names", "sum"],
    );
    assert!(
        graded.stdout.contains("the server never replied"),
        "{}",
        graded.stdout
    );
    // The reference client gives up with its own error, which the report quotes.
    assert!(
        graded
            .stdout
            .contains("the client exited with status 1; its last error line"),
        "{}",
        graded.stdout
    );
}
