//! The timer check is right both ways: a 2 s timer fails it (see `examples`), and a correct
//! 9 ms Python client never fails it, run after run, on a loaded 2-core machine (the test
//! suite runs beside it). The three scenarios are the scripted ones that make the timer
//! expire; the check weighs all their timeouts together, as a full grading run does.

use crate::util::{TIMER_SCENARIOS, example, grader, outcomes, with_timer_scenarios};

#[test]
fn correct_python_client_passes_the_timer_check_thirty_times_in_a_row() {
    for attempt in 1..=30 {
        let out = tempfile::tempdir().unwrap();
        let output = grader()
            .args(["check", "rdt3", "--seed", &attempt.to_string()])
            .args(with_timer_scenarios("lost-packet"))
            .args(["--client", &example("rdt3/good/UDP_Client.py"), "--out"])
            .arg(out.path())
            .output()
            .unwrap();
        // The check weighs the three scenarios' timeouts together; each scenario reports
        // that verdict, or `informational` when its own run happened to need no timeout.
        let verdicts: Vec<(String, String)> = TIMER_SCENARIOS
            .into_iter()
            .filter_map(|run| {
                outcomes(out.path(), run)
                    .into_iter()
                    .find(|outcome| outcome.check == "retransmission-timer")
                    .map(|timer| (timer.status, timer.observed))
            })
            .collect();
        let report = String::from_utf8_lossy(&output.stdout);
        assert!(
            verdicts.iter().all(|(status, _)| status != "fail")
                && verdicts.iter().any(|(status, _)| status == "pass"),
            "attempt {attempt}: {verdicts:?}\n{report}"
        );
    }
}
