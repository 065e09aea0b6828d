//! The timer check is right both ways: a 2 s timer fails it (see `examples`), and a correct
//! 9 ms Python client never fails it, run after run, on a loaded 2-core machine (the test
//! suite runs beside it). The three scenarios are the scripted ones that make the timer
//! expire; the check weighs all their timeouts together, as a full grading run does.

use crate::util::{example, grader, outcomes};

#[test]
fn correct_python_client_passes_the_timer_check_thirty_times_in_a_row() {
    for attempt in 1..=30 {
        let out = tempfile::tempdir().unwrap();
        let output = grader()
            .args([
                "check",
                "rdt3",
                "--seed",
                &attempt.to_string(),
                "--scenario",
                "lost-packet",
                "--scenario",
                "lost-ack",
                "--scenario",
                "premature-timeout",
                "--client",
                &example("rdt3/good/UDP_Client.py"),
                "--out",
            ])
            .arg(out.path())
            .output()
            .unwrap();
        let timer = outcomes(out.path(), "lost-packet")
            .into_iter()
            .find(|outcome| outcome.check == "retransmission-timer")
            .expect("the timer check ran");
        assert_eq!(
            timer.status,
            "pass",
            "attempt {attempt}: {}\n{}",
            timer.observed,
            String::from_utf8_lossy(&output.stdout)
        );
    }
}
