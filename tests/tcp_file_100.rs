//! tcp-file-100 (ASSIGNMENTS.md §6): the reference pair passes, in a private namespace with
//! a documentation address; a dishonest error count, a persistent connection and times in
//! seconds fail; each reference defect and buggy example is caught by its check. The legal
//! variants pass: framing around the file (a header, a size and a hash), a `listen(1)`
//! server with a client that reconnects at once, and twenty connections opened at once —
//! the relay hands connections on in order, whole, and never counts its own keeping of
//! them as the programs' time.

use crate::util::{Graded, assert_fails_at_least, checks, example, grade, reference_binary};
use socklab_grader::exit_code;

fn with_defect(side: &str, defect: &str, scenario: &str) -> Graded {
    let reference = reference_binary();
    let (flag, command) = match side {
        "client" => (
            "--client-cmd",
            format!(
                "{reference} tcp-file-100 client --host {{host}} --port {{port}} --file {{file}} --defect {defect}"
            ),
        ),
        _ => (
            "--server-cmd",
            format!(
                "{reference} tcp-file-100 server --host {{host}} --port {{port}} --file {{file}} --defect {defect}"
            ),
        ),
    };
    grade(&[
        "tcp-file-100",
        "--seed",
        "5",
        "--budget",
        "5s",
        "--scenario",
        scenario,
        flag,
        &command,
    ])
}

#[test]
fn the_reference_pair_passes_on_a_documentation_address() {
    let graded = grade(&["tcp-file-100", "--seed", "1"]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
    let outcomes = crate::util::outcomes(graded.out.path(), "file-100kib");
    let address = outcomes.iter().find(|o| o.check == "address").unwrap();
    assert_eq!(address.status, "pass");
}

#[test]
fn a_dishonest_count_a_persistent_client_and_seconds_fail() {
    let dishonest = with_defect("server", "dishonest-error-count", "cut-transfer");
    assert_fails_at_least(&dishonest, "cut-transfer", &["error-count"]);
    assert!(
        dishonest.stdout.contains("reported 0"),
        "{}",
        dishonest.stdout
    );
    assert_fails_at_least(
        &with_defect("client", "persistent", "file-100kib"),
        "file-100kib",
        &["connections", "stored-copies", "completion"],
    );
    let seconds = with_defect("server", "seconds", "sliced-delayed");
    assert_fails_at_least(&seconds, "sliced-delayed", &["timings"]);
    assert!(
        seconds.stdout.contains("as if they were seconds"),
        "{}",
        seconds.stdout
    );
}

#[test]
fn each_other_defect_is_caught_by_its_check() {
    for (side, defect, check) in [
        ("server", "wrong-average", "average"),
        ("server", "missing-lines", "required-lines"),
        ("client", "seconds", "timings"),
        ("client", "wrong-average", "average"),
        ("client", "missing-lines", "required-lines"),
    ] {
        assert_fails_at_least(
            &with_defect(side, defect, "sliced-delayed"),
            "sliced-delayed",
            &[check],
        );
    }
}

#[test]
fn a_client_that_dials_the_loopback_fails_the_address_check() {
    let graded = grade(&[
        "tcp-file-100",
        "--seed",
        "5",
        "--scenario",
        "file-100kib",
        "--client",
        &example("tcp-file-100/good/TCP_Client.py"),
        "--client-args",
        "127.0.0.1 {port} {file}",
    ]);
    assert_fails_at_least(&graded, "file-100kib", &["address"]);
    assert_eq!(
        graded.failed("file-100kib"),
        checks(&["address"]),
        "{}",
        graded.stdout
    );
}

#[test]
fn the_good_examples_pass_and_each_buggy_one_fails_its_check() {
    let good = grade(&[
        "tcp-file-100",
        "--seed",
        "5",
        "--server",
        &example("tcp-file-100/good/TCP_Server.py"),
        "--client",
        &example("tcp-file-100/good/TCP_Client.py"),
    ]);
    assert_eq!(good.code, Some(exit_code::PASSED), "{}", good.stdout);
    for (flag, path, scenario, check) in [
        (
            "--client",
            "tcp-file-100/persistent/TCP_Client.py",
            "file-100kib",
            "connections",
        ),
        (
            "--server",
            "tcp-file-100/seconds/TCP_Server.py",
            "sliced-delayed",
            "timings",
        ),
        (
            "--server",
            "tcp-file-100/average-99/TCP_Server.py",
            "sliced-delayed",
            "average",
        ),
        (
            "--server",
            "tcp-file-100/dishonest/TCP_Server.py",
            "cut-transfer",
            "error-count",
        ),
    ] {
        let graded = grade(&[
            "tcp-file-100",
            "--seed",
            "5",
            "--budget",
            "5s",
            "--scenario",
            scenario,
            flag,
            &example(path),
        ]);
        assert_fails_at_least(&graded, scenario, &[check]);
    }
}

/// Grades the example pair in `client` and `server` (under `examples/tcp-file-100/`).
fn pair(client: &str, server: &str, seed: &str, scenarios: &[&str]) -> Graded {
    let client = example(&format!("tcp-file-100/{client}/TCP_Client.py"));
    let server = example(&format!("tcp-file-100/{server}/TCP_Server.py"));
    let mut args = vec![
        "tcp-file-100",
        "--seed",
        seed,
        "--client",
        &client,
        "--server",
        &server,
    ];
    for scenario in scenarios {
        args.extend(["--scenario", scenario]);
    }
    grade(&args)
}

/// The relay's record of one run's connections, in the order they were opened.
fn connections(graded: &Graded, run: &str) -> Vec<serde_json::Value> {
    let path = graded.out.path().join(run).join("connections.jsonl");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn micros(connection: &serde_json::Value, field: &str) -> Option<u64> {
    connection[field].as_u64()
}

/// Handout 004 asks students to "design and implement a protocol": a one-line header
/// (name, size, number) before the file, or its size before and its SHA-256 digest after,
/// is framing of their own, and each connection carries more than the file.
#[test]
fn framing_around_the_file_is_the_students_choice() {
    let header = pair("header", "header", "7", &[]);
    assert_eq!(header.code, Some(exit_code::PASSED), "{}", header.stdout);
    assert!(header.stdout.contains("total 100/100"), "{}", header.stdout);
    let carried = connections(&header, "file-100kib")[0]["to_server"]["sent"]
        .as_u64()
        .unwrap();
    assert!(carried > 102_400, "the header is on the wire: {carried}");

    let hashed = pair(
        "size-hash",
        "size-hash",
        "7",
        &["file-100kib", "cut-transfer"],
    );
    assert_eq!(hashed.code, Some(exit_code::PASSED), "{}", hashed.stdout);
    let carried = connections(&hashed, "file-100kib")[0]["to_server"]["sent"]
        .as_u64()
        .unwrap();
    assert_eq!(carried, 102_400 + 8 + 32);
}

/// Most templates use `listen(5)`; a server with `listen(1)` and a client that connects
/// again as soon as it has sent runs ahead of the server by up to 100 connections. Each
/// reaches the server whole and in order, the run does not end while the relay holds
/// some, and the time they waited in the relay is not the server's.
#[test]
fn a_listen_1_server_and_a_client_that_reconnects_at_once_pass_100_transfers() {
    let graded = pair("listen-1", "listen-1", "11", &[]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
    let connections = connections(&graded, "file-100kib");
    assert_eq!(connections.len(), 100);
    let client_done = connections
        .iter()
        .map(|connection| micros(connection, "opened_at").unwrap())
        .max()
        .unwrap();
    let held = connections
        .iter()
        .filter(|connection| micros(connection, "connected_at").unwrap() > client_done)
        .count();
    assert!(
        held > 0,
        "the client opened its 100th connection before some reached the server"
    );
    for pair in connections.windows(2) {
        let taken = micros(&pair[0], "accepted_at").or(micros(&pair[0], "connected_at"));
        assert!(
            taken.unwrap() <= micros(&pair[1], "connected_at").unwrap(),
            "the {} connection reached the server only once the one before was taken",
            pair[1]["nth"]
        );
    }
}

/// Twenty connections opened as fast as the client can (within about a millisecond on an
/// idle machine), then a file sent on each: those waiting in the relay reach a `listen(1)`
/// server one at a time, in the order they were opened.
#[test]
fn twenty_connections_opened_at_once_reach_a_listen_1_server_in_order() {
    let graded = pair("burst-20", "listen-1", "13", &["file-100kib"]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    let connections = connections(&graded, "file-100kib");
    assert_eq!(connections.len(), 100);
    let burst = &connections[..20];
    // How many wait in the relay at once depends on the machine's load (the relay connects
    // the second as soon as the server has accepted the first, maybe while the client is
    // still opening the rest); whatever waited, each reaches the server in the order it
    // was opened, and the grading passes (before the admission relay it failed: "the 4th
    // connection carried 0 bytes").
    let reached: Vec<u64> = burst
        .iter()
        .map(|connection| micros(connection, "connected_at").unwrap())
        .collect();
    assert!(
        reached.windows(2).all(|pair| pair[0] < pair[1]),
        "{reached:?}"
    );
}
