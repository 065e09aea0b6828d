//! Every deliberate defect of the reference peers is caught by the check that exists for
//! it — and the checks about the other side, or unrelated rules, do not blame it.
//!
//! Each test plays one defective reference peer against a correct one in the scenario that
//! exposes the defect, and compares the set of failed checks exactly: the intended check,
//! plus only the failures that follow from it (a message that never arrives cannot be
//! shown by the server).

use crate::util::{checks, failed_checks, grader, reference_binary, with_timer_scenarios};
use socklab_grader::exit_code;

#[derive(Clone, Copy)]
enum Side {
    Client,
    Server,
}

/// The checks that fail in `scenario` when one reference peer has `defect`. The run also
/// plays the timer scenarios, so the timer is judged on as many timeouts as in a real
/// grading; only `scenario`'s failures are returned.
fn failures_with_defect(
    side: Side,
    defect: &str,
    scenario: &str,
) -> std::collections::BTreeSet<String> {
    let out = tempfile::tempdir().unwrap();
    let reference = reference_binary();
    let (flag, command) = match side {
        Side::Client => (
            "--client-cmd",
            format!("{reference} rdt3 client --host {{host}} --port {{port}} --defect {defect}"),
        ),
        Side::Server => (
            "--server-cmd",
            format!("{reference} rdt3 server --port {{port}} --defect {defect}"),
        ),
    };
    let output = grader()
        .args(["check", "rdt3", "--seed", "5", "--budget", "1500ms"])
        .args(with_timer_scenarios(scenario))
        .args([flag, &command, "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(exit_code::FAILED),
        "a defect must fail the run:\n{stdout}"
    );
    failed_checks(out.path(), scenario)
}

#[test]
fn client_that_never_retransmits_fails_the_timer_check() {
    assert_eq!(
        failures_with_defect(Side::Client, "no-retransmit", "lost-packet"),
        checks(&["completion", "delivery", "retransmission-timer"])
    );
}

/// The server rightly takes messages 2 and 3 for duplicates and never delivers them, so
/// `delivery` fails too, and says that the client sent them with the seq of the one before.
#[test]
fn client_with_a_fixed_seq_fails_seq_alternation() {
    assert_eq!(
        failures_with_defect(Side::Client, "fixed-seq", "no-loss"),
        checks(&["delivery", "seq-alternation"])
    );
}

#[test]
fn client_that_skips_the_checksum_moves_on_after_a_corrupt_ack() {
    assert_eq!(
        failures_with_defect(Side::Client, "skip-checksum", "corrupt-ack"),
        checks(&["log-lines", "sender-reaction"])
    );
}

#[test]
fn client_with_a_slow_timer_fails_the_timer_check() {
    assert_eq!(
        failures_with_defect(Side::Client, "slow-timer", "lost-packet"),
        checks(&["retransmission-timer"])
    );
}

#[test]
fn client_that_does_not_log_its_timer_fails_the_log_check() {
    assert_eq!(
        failures_with_defect(Side::Client, "silent-timer", "lost-packet"),
        checks(&["log-lines"])
    );
}

#[test]
fn server_that_skips_the_checksum_acks_a_corrupt_packet() {
    assert_eq!(
        failures_with_defect(Side::Server, "skip-checksum", "corrupt-packet"),
        checks(&["ack-behaviour", "delivery", "log-lines"])
    );
}

#[test]
fn server_that_re_acks_the_new_seq_fails_ack_behaviour() {
    assert_eq!(
        failures_with_defect(Side::Server, "ack-new-seq", "lost-ack"),
        checks(&["ack-behaviour", "completion"])
    );
}

/// The ACKs stay right (the duplicate is re-ACKed), so only `delivery` can see it.
#[test]
fn server_that_delivers_a_retransmission_again_fails_delivery() {
    assert_eq!(
        failures_with_defect(Side::Server, "deliver-twice", "lost-ack"),
        checks(&["delivery"])
    );
}
