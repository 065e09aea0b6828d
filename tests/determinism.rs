//! Same case, same seed, same programs: the same fate for every datagram.

use crate::util::{fixture, grader, trace};
use socklab_grader::exit_code;
use std::path::Path;

/// Every datagram as (direction, nth, bytes, what happened to it), without times.
fn fates(out: &Path) -> Vec<String> {
    trace(out, "soak")
        .into_iter()
        .map(|event| {
            let fate = &event["fate"];
            let summary = if let Some(dropped) = fate.get("dropped") {
                format!("dropped {}", dropped["cause"])
            } else {
                let copies = fate["delivered"]["copies"].as_array().unwrap();
                let altered: Vec<String> = copies
                    .iter()
                    .map(|copy| copy["alterations"].to_string())
                    .collect();
                format!("delivered {altered:?}")
            };
            format!(
                "{} #{} {} {summary}",
                event["direction"], event["nth"], event["bytes"]
            )
        })
        .collect()
}

fn run(seed: &str) -> Vec<String> {
    let out = tempfile::tempdir().unwrap();
    let output = grader()
        .args([
            "check",
            fixture("rdt3-patient.yaml").to_str().unwrap(),
            "--scenario",
            "soak",
            "--seed",
            seed,
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
    fates(out.path())
}

#[test]
fn same_seed_gives_the_same_fates_and_another_seed_does_not() {
    let first = run("11");
    let second = run("11");
    assert!(first.len() > 6, "the soak exercised the link: {first:#?}");
    assert!(
        first.iter().any(|fate| fate.contains("dropped")),
        "{first:#?}"
    );
    assert_eq!(first, second, "same seed, different fates");
    let other = run("12");
    assert_ne!(first, other, "a different seed changes the fates");
}
