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

/// Grades `args` and returns the outcome of `check` in `run`.
fn outcome_of(graded: &Graded, run: &str, check: &str) -> crate::util::Outcome {
    crate::util::outcomes(graded.out.path(), run)
        .into_iter()
        .find(|outcome| outcome.check == check)
        .unwrap_or_else(|| panic!("no {check} outcome in {run}:\n{}", graded.stdout))
}

/// Issue 20, point 2: the handout's "message" may be several datagrams. A pair that sends
/// the name and the integer as two datagrams, and answers the same way, passes every
/// graded scenario, and the report quotes every datagram of the exchange.
#[test]
fn a_pair_that_sends_two_datagrams_each_way_passes() {
    let graded = grade(&[
        "udp-add",
        "--seed",
        "4",
        "--client",
        &example("udp-add/two-datagrams/UDP_Client.py"),
        "--server",
        &example("udp-add/two-datagrams/UDP_Server.py"),
    ]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
    let exchange = outcome_of(&graded, "add-42", "exchange");
    assert_eq!(
        exchange.observed,
        "the client sent 2 datagrams: \"Client of Grace Hopper\", then \"42\"; \
         the server answered with 2 datagrams: \"Server of Grace Hopper\", then \"33\""
    );
}

/// "Client of …" is the handout's example: a pair that calls itself "Alice Liddell" and
/// "Number Cruncher" and frames its messages as JSON and `NAME|INTEGER` passes, judged on
/// the names it sent; each program passes against the reference peer too.
#[test]
fn a_pair_with_names_and_framing_of_its_own_passes() {
    let client = example("udp-add/own-names/UDP_Client.py");
    let server = example("udp-add/own-names/UDP_Server.py");
    let graded = grade(&[
        "udp-add", "--seed", "4", "--client", &client, "--server", &server,
    ]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
    let names = outcome_of(&graded, "add-42", "names");
    assert_eq!(
        names.observed,
        "both programs show \"Alice Liddell\" and \"Number Cruncher\""
    );
    for (flag, program) in [("--client", &client), ("--server", &server)] {
        let graded = grade(&["udp-add", "--seed", "4", flag, program]);
        assert_eq!(
            graded.code,
            Some(exit_code::PASSED),
            "{program}:\n{}",
            graded.stdout
        );
    }
}

/// Each two-datagram program also passes against the reference peer (the `client` and
/// `server` roles of `grader batch`): the reference server answers a name and an integer
/// sent apart in kind, and the reference client sends the integer again, alone, to a
/// server that took its one-datagram request for the name and waits.
#[test]
fn each_two_datagram_program_passes_against_the_reference_peer() {
    for (flag, program) in [
        ("--client", "udp-add/two-datagrams/UDP_Client.py"),
        ("--server", "udp-add/two-datagrams/UDP_Server.py"),
    ] {
        let graded = grade(&["udp-add", "--seed", "4", flag, &example(program)]);
        assert_eq!(
            graded.code,
            Some(exit_code::PASSED),
            "{program}:\n{}",
            graded.stdout
        );
        assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
    }
}

/// Answers the first datagram it gets (the name) at once, then reads and never answers.
const EARLY_SERVER: &str = "python3 -c \"import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('127.0.0.1',int(sys.argv[1]))); d,a=s.recvfrom(100); s.sendto(b'Server of Bob\\n57',a); [s.recvfrom(100) for _ in iter(int,1)]\" {port}";

/// Sends its name, waits for an answer, then sends the integer and waits half a second
/// for another; prints what it got.
const NAME_FIRST_CLIENT: &str = "python3 -c \"import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); n=input(); a=(sys.argv[1],int(sys.argv[2])); s.sendto(b'Client of Ada',a); print(s.recvfrom(100)[0]); s.sendto(n.encode(),a); s.settimeout(0.5); print(s.recvfrom(100)[0])\" {host} {port}";

/// Replies are paired with the integer by time, not by position: what the server sent
/// before the integer reached it answers nothing, and the report says so.
#[test]
fn a_datagram_sent_before_the_integer_arrived_is_no_reply() {
    let graded = grade(&[
        "udp-add",
        "--scenario",
        "add-42",
        "--client-cmd",
        NAME_FIRST_CLIENT,
        "--server-cmd",
        EARLY_SERVER,
    ]);
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stdout);
    let exchange = outcome_of(&graded, "add-42", "exchange");
    assert_eq!(exchange.status, "fail", "{}", graded.stdout);
    assert_eq!(
        exchange.observed,
        "the client sent 2 datagrams: \"Client of Ada\", then \"42\"; the server never replied \
         (before 42 reached it, it had sent \"Server of Bob\\x0a57\")"
    );
}

/// Issue 20, point 4: a client that refuses an out-of-range integer itself fails
/// `exchange`, which says the integer never reached the server and why that matters; the
/// server, never given it, is not judged on its shutdown ("after the client sent 0" would
/// be false) and is graded by the reference client instead (next test).
#[test]
fn a_client_that_refuses_out_of_range_fails_exchange_only() {
    let graded = grade(&[
        "udp-add",
        "--scenario",
        "out-of-range-0",
        "--client",
        &example("udp-add/refuses-out-of-range/UDP_Client.py"),
        "--server",
        &example("udp-add/good/UDP_Server.py"),
    ]);
    assert_fails_only(&graded, "out-of-range-0", &["exchange"]);
    assert!(
        graded.stdout.contains(
            "observed: the typed 0 never reached the server: the client sent nothing; it exited \
             with status 1; its last output line: \"Enter an integer between 1 and 100: Error: 0 \
             is not between 1 and 100\"; a client that refuses an out-of-range integer itself \
             never lets the server shut down"
        ),
        "{}",
        graded.stdout
    );
    let shutdown = outcome_of(&graded, "out-of-range-0", "shutdown");
    assert_eq!(shutdown.status, "informational");
    assert!(
        shutdown
            .observed
            .starts_with("not judged: 0 never reached the server (the client never sent 0)"),
        "{shutdown:?}"
    );
    assert!(graded.stdout.contains("total 0/25"), "{}", graded.stdout);
}

/// The same submission under `grader batch`: the case's `server` role grades the server's
/// shutdown with the reference client, so the right server earns its points although the
/// student's own client never lets it shut down.
#[test]
fn the_server_role_grades_the_shutdown_the_students_client_prevents() {
    let dir = tempfile::tempdir().unwrap();
    let submission = dir.path().join("class/ada");
    std::fs::create_dir_all(&submission).unwrap();
    for (from, to) in [
        (
            "udp-add/refuses-out-of-range/UDP_Client.py",
            "UDP_Client.py",
        ),
        ("udp-add/good/UDP_Server.py", "UDP_Server.py"),
    ] {
        std::fs::copy(example(from), submission.join(to)).unwrap();
    }
    let out = dir.path().join("out");
    let output = crate::util::grader()
        .arg("batch")
        .arg(dir.path().join("class"))
        .args([
            "--case",
            "udp-add",
            "--scenario",
            "out-of-range-0",
            "--jobs",
            "2",
        ])
        .arg("--out")
        .arg(&out)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(exit_code::PASSED),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("ada/result.json")).unwrap())
            .unwrap();
    let roles: Vec<(String, f64)> = result["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|role| {
            (
                role["role"].as_str().unwrap().to_owned(),
                role["points"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("client".to_owned(), 0.0),
            ("server".to_owned(), 30.0),
            ("pair".to_owned(), 0.0),
        ],
        "{result}"
    );
    let server_run = crate::util::outcomes(&out.join("ada/server"), "out-of-range-0");
    let shutdown = server_run
        .iter()
        .find(|outcome| outcome.check == "shutdown")
        .unwrap();
    assert_eq!(shutdown.status, "pass", "{shutdown:?}");
    assert!(shutdown.observed.contains("was free again"), "{shutdown:?}");
}

/// The server that never showed its own name, its number or the sum fails
/// exactly `names` and `sum`, naming what is missing.
#[test]
fn a_server_that_shows_only_the_client_name_fails_names_and_sum() {
    let graded = grade(&[
        "udp-add",
        "--scenario",
        "add-42",
        "--server",
        &example("udp-add/shows-only-client-name/UDP_Server.py"),
    ]);
    assert_fails_only(&graded, "add-42", &["names", "sum"]);
    for missing in [
        "the server does not show the server's name (\"Server of Ada Lovelace\")",
        "the server does not show the client's integer 42, the server's integer 57, the sum 99",
    ] {
        assert!(graded.stdout.contains(missing), "{}", graded.stdout);
    }
}

/// Issue 20, point 4, for any case: a graded scenario in which no check judged anything
/// earns nothing and fails on `judged`, saying so and quoting each check's reason. Here a
/// graded scenario types `abc`, which the good client refuses without sending anything.
#[test]
fn a_graded_scenario_with_nothing_judged_earns_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let case = std::fs::read_to_string(crate::util::root().join("cases/udp-add.yaml"))
        .unwrap()
        .replace(
            "\nchecks:\n",
            "  - name: graded-abc\n    points: 10\n    client-stdin: { lines: [\"abc\"] }\n    \
             checks: [exchange, shutdown]\n\nchecks:\n",
        );
    let case_file = dir.path().join("nothing-judged.yaml");
    std::fs::write(&case_file, case).unwrap();
    let graded = grade(&[
        case_file.to_str().unwrap(),
        "--scenario",
        "graded-abc",
        "--client",
        &example("udp-add/good/UDP_Client.py"),
    ]);
    assert_fails_only(&graded, "graded-abc", &["judged"]);
    assert!(graded.stdout.contains("0/10"), "{}", graded.stdout);
    assert!(
        graded.stdout.contains(
            "observed: nothing was judged, so the scenario earns no points (exchange: the client \
             sent nothing after \"abc\" was typed"
        ),
        "{}",
        graded.stdout
    );
}
