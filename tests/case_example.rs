//! README's worked example (`cases/examples/stop-and-wait.yaml`) lints, explains, and
//! grades the reference peers at full marks, so the README cannot rot.

use crate::util::{grader, passing_json_report, root};
use socklab_grader::exit_code;

const EXAMPLE: &str = "cases/examples/stop-and-wait.yaml";

#[test]
fn the_worked_example_lints_and_explains() {
    let output = grader()
        .current_dir(root())
        .args(["lint", EXAMPLE])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(exit_code::PASSED));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!("{EXAMPLE}: ok\n")
    );
    let output = grader()
        .current_dir(root())
        .args(["explain", EXAMPLE])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(exit_code::PASSED), "{stdout}");
    assert!(
        stdout.contains("drops the first transmission of the 1st ACK sent to the client"),
        "{stdout}"
    );
    assert!(stdout.contains("Total: 100 points."), "{stdout}");
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(
        readme.contains(&*stdout),
        "README's worked example shows another `grader explain` output; paste the new one"
    );
}

#[test]
fn the_worked_example_grades_the_reference_peers_at_full_marks() {
    let report = passing_json_report(&[EXAMPLE, "--seed", "1"]);
    assert_eq!(report["score"], 100.0, "{report}");
    let scenarios: Vec<&str> = report["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|scenario| scenario["name"].as_str().unwrap())
        .collect();
    assert_eq!(scenarios, ["clean", "lost-ack"]);
}
