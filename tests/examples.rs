//! The student-style examples: the good pair passes, each buggy program fails for its bug
//! and the report names the requirement it broke.

use crate::util::{
    checks, example, exited_with, failed_checks, grade, grader, outcomes, with_timer_scenarios,
};
use socklab_grader::exit_code;

/// Also: neither program is seen trying anything the sandbox stops, so no note says so
/// (the hostile tests show the same words where a program does), and neither transcript
/// records a write outside its directory.
#[test]
fn good_python_pair_passes_every_graded_scenario() {
    let out = tempfile::tempdir().unwrap();
    let output = grader()
        .args([
            "check",
            "rdt3",
            "--seed",
            "2",
            "--client",
            &example("rdt3/good/UDP_Client.py"),
            "--server",
            &example("rdt3/good/UDP_Server.py"),
            "--out",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    let stdout = exited_with(&output, exit_code::PASSED);
    assert!(stdout.contains("total 100/100"), "{stdout}");
    for attempt in ["tried to write outside", "tried to bind"] {
        assert!(!stdout.contains(attempt), "{stdout}");
    }
    let mut transcripts = 0;
    for run in std::fs::read_dir(out.path()).unwrap() {
        let run = run.unwrap().path();
        for role in ["client", "server"] {
            let Ok(text) = std::fs::read_to_string(run.join(format!("{role}.json"))) else {
                continue;
            };
            transcripts += 1;
            assert!(!text.contains("write-outside"), "{}: {text}", run.display());
        }
    }
    assert!(
        transcripts >= 2,
        "no transcript in {}",
        out.path().display()
    );
}

/// Grades one buggy program (the other side played by the reference) in one scenario.
fn assert_buggy_fails(flag: &str, path: &str, scenario: &str, check: &str) {
    let out = tempfile::tempdir().unwrap();
    let output = grader()
        .args([
            "check",
            "rdt3",
            "--seed",
            "2",
            "--budget",
            "3s",
            "--scenario",
            scenario,
            flag,
            &example(path),
            "--out",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(exit_code::FAILED),
        "{path} must fail:\n{stdout}"
    );
    assert!(
        failed_checks(out.path(), scenario).contains(check),
        "{path} must fail {check}:\n{stdout}"
    );
    assert!(
        stdout.contains(&format!("✗ {check} (fail)")),
        "the report names {check}:\n{stdout}"
    );
}

#[test]
fn slow_timer_fails_the_timer_check() {
    assert_buggy_fails(
        "--client",
        "rdt3/slow-timer/UDP_Client.py",
        "lost-packet",
        "retransmission-timer",
    );
}

#[test]
fn a_client_that_never_retransmits_fails_the_timer_check() {
    assert_buggy_fails(
        "--client",
        "rdt3/no-retransmit/UDP_Client.py",
        "lost-packet",
        "retransmission-timer",
    );
}

#[test]
fn stuck_seq_fails_seq_alternation() {
    assert_buggy_fails(
        "--client",
        "rdt3/stuck-seq/UDP_Client.py",
        "no-loss",
        "seq-alternation",
    );
}

#[test]
fn bad_checksum_fails_the_checksum_check() {
    assert_buggy_fails(
        "--client",
        "rdt3/bad-checksum/UDP_Client.py",
        "no-loss",
        "checksum",
    );
}

#[test]
fn silent_timeout_fails_the_log_check() {
    assert_buggy_fails(
        "--client",
        "rdt3/silent-timeout/UDP_Client.py",
        "lost-packet",
        "log-lines",
    );
}

#[test]
fn advancing_on_a_bad_ack_fails_sender_reaction() {
    assert_buggy_fails(
        "--client",
        "rdt3/advance-on-bad-ack/UDP_Client.py",
        "corrupt-ack",
        "sender-reaction",
    );
}

#[test]
fn server_without_checksum_check_fails_ack_behaviour() {
    assert_buggy_fails(
        "--server",
        "rdt3/no-checksum-check/UDP_Server.py",
        "corrupt-packet",
        "ack-behaviour",
    );
}

#[test]
fn server_that_re_acks_the_wrong_seq_fails_ack_behaviour() {
    assert_buggy_fails(
        "--server",
        "rdt3/wrong-reack/UDP_Server.py",
        "lost-ack",
        "ack-behaviour",
    );
}

/// Delivering a retransmission a second time is the one defect: its ACKs are right, so
/// `delivery` alone fails, and its reason quotes both lines with their times.
#[test]
fn server_that_delivers_twice_fails_delivery_with_both_lines() {
    let mut args = vec!["rdt3", "--seed", "2", "--budget", "3s"];
    args.extend(with_timer_scenarios("lost-ack"));
    let server = example("rdt3/deliver-twice/UDP_Server.py");
    args.extend(["--server", &server]);
    let graded = grade(&args);
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stdout);
    assert_eq!(
        graded.failed("lost-ack"),
        checks(&["delivery"]),
        "{}",
        graded.stdout
    );
    let delivery = outcomes(graded.out.path(), "lost-ack")
        .into_iter()
        .find(|outcome| outcome.check == "delivery")
        .unwrap();
    assert!(
        delivery
            .observed
            .contains("delivered message 1 `NCC-1701` twice")
            && delivery
                .observed
                .matches("\"Delivered data: NCC-1701\" at ")
                .count()
                == 2,
        "{}",
        delivery.observed
    );
}

/// A course template's loss simulator withholds ACKs on purpose and still logs "Sent
/// packet" for them: legal (a withheld ACK is a lost ACK), so every graded scenario passes.
/// `ack-behaviour` pairs each ACK with the packet it answers by content and time, so the
/// missing ones shift nothing, and it says which packets got none and that the log claims
/// a reply the relay never saw.
#[test]
fn server_with_a_loss_simulator_passes_every_graded_scenario() {
    let server = example("rdt3/loss-simulator/UDP_Server.py");
    let graded = grade(&["rdt3", "--seed", "2", "--server", &server]);
    assert_eq!(graded.code, Some(exit_code::PASSED), "{}", graded.stdout);
    assert!(graded.stdout.contains("total 100/100"), "{}", graded.stdout);
    // The seeded simulator loses the 1st ACK: the packet it was for is named, with the
    // log line that claims it was sent.
    let ack_behaviour = outcomes(graded.out.path(), "no-loss")
        .into_iter()
        .find(|outcome| outcome.check == "ack-behaviour")
        .unwrap();
    assert!(
        ack_behaviour.observed.contains("to-server #1 delivered at")
            && ack_behaviour.observed.contains("got no ACK")
            && ack_behaviour
                .observed
                .contains("\"Sent packet: ack=1 seq=0"),
        "{}",
        ack_behaviour.observed
    );
}

#[test]
fn server_that_dies_before_binding_fails_startup_with_its_last_words() {
    let output = grader()
        .args([
            "check",
            "rdt3",
            "--scenario",
            "no-loss",
            "--server-cmd",
            "python3 -c \"import sys; sys.exit('cannot bind: address in use')\"",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(exit_code::FAILED), "{stdout}");
    assert!(stdout.contains("✗ startup (fail)"), "{stdout}");
    assert!(
        stdout.contains("the server exited with status 1 before it bound udp port"),
        "{stdout}"
    );
    assert!(
        stdout.contains("cannot bind: address in use"),
        "the server's own error is shown:\n{stdout}"
    );
}
