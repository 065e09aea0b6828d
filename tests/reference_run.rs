//! The reference peers graded against each other: the kit's own proof that it works.

use crate::util::{exited_with, fixture, grader};
use socklab_grader::exit_code;

#[test]
fn reference_against_itself_passes_every_graded_scenario() {
    let output = grader()
        .args(["check", "rdt3", "--seed", "1"])
        .output()
        .unwrap();
    let stdout = exited_with(&output, exit_code::PASSED);
    assert!(stdout.contains("seed 1"), "the seed is printed:\n{stdout}");
    assert!(stdout.contains("total 100/100"), "{stdout}");
    for scenario in [
        "no-loss",
        "lost-packet",
        "lost-ack",
        "premature-timeout",
        "corrupt-packet",
        "corrupt-ack",
        "lossy-soak#5",
        "handout-channel",
    ] {
        assert!(
            stdout.contains(scenario),
            "{scenario} is reported:\n{stdout}"
        );
    }
}

/// The terminal report of the scripted scenarios, times redacted.
#[test]
fn report_of_the_scripted_scenarios_is_stable() {
    let mut command = grader();
    command.args(["check", "rdt3", "--seed", "7"]);
    for scenario in [
        "no-loss",
        "lost-packet",
        "lost-ack",
        "premature-timeout",
        "corrupt-packet",
        "corrupt-ack",
    ] {
        command.args(["--scenario", scenario]);
    }
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(exit_code::PASSED));
    insta::with_settings!({filters => vec![(r"\d+\.\d{3} s", "[TIME]")]}, {
        insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
    });
}

/// What the two reference programs printed in the lost-packet scenario. The fixture case
/// gives the client a 300 ms timer so no premature timeout on a loaded machine can change
/// the conversation; times are left out.
#[test]
fn transcript_of_reference_against_itself_is_stable() {
    let out = tempfile::tempdir().unwrap();
    let output = grader()
        .args([
            "check",
            fixture("rdt3-patient.yaml").to_str().unwrap(),
            "--seed",
            "3",
            "--scenario",
            "lost-packet",
            "--out",
        ])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(exit_code::PASSED),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let mut transcript = String::new();
    for role in ["server", "client"] {
        let text =
            std::fs::read_to_string(out.path().join("lost-packet").join(format!("{role}.json")))
                .unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        for line in value["lines"].as_array().unwrap() {
            let text = line["text"].as_str().unwrap();
            transcript.push_str(&format!(
                "{role} {}: {text}\n",
                line["stream"].as_str().unwrap()
            ));
        }
    }
    insta::with_settings!({filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]")]}, {
        insta::assert_snapshot!(transcript);
    });
}
