//! tcp-file-100 (ASSIGNMENTS.md §6): the reference pair passes, in a private namespace with
//! a documentation address; a dishonest error count, a persistent connection and times in
//! seconds fail; each reference defect and buggy example is caught by its check.

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
