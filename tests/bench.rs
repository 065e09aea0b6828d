//! `grader bench --quick` runs every part and prints one JSON line of the documented
//! shape. Timings are reported, never asserted: only counts and shape are checked here.

use crate::util::grader;
use socklab_grader::exit_code;

#[test]
fn quick_bench_prints_one_json_line_with_sane_counts() {
    let output = grader()
        .args(["bench", "--quick", "--json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "only the JSON line: {stdout}");
    let report: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(report["schema_version"], 1);
    assert!(report["machine"]["cores"].as_u64().unwrap() >= 1);

    let latency = &report["latency"];
    assert_eq!(latency["direct"]["count"], 400);
    assert_eq!(latency["relay"]["count"], 400);
    assert_eq!(latency["plain"]["count"], 400);
    assert_eq!(latency["unanswered"], 0);
    for path in ["direct", "relay", "plain"] {
        let rtt = &latency[path];
        assert!(rtt["median_us"].as_f64().unwrap() > 0.0);
        assert!(rtt["p99_us"].as_f64().unwrap() >= rtt["median_us"].as_f64().unwrap());
    }

    let throughput = report["throughput"].as_array().unwrap();
    let sizes: Vec<u64> = throughput
        .iter()
        .map(|t| t["size"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [64, 1400]);
    for figures in throughput {
        for path in ["direct", "relay"] {
            let counts = &figures[path];
            assert!(counts["sent"].as_u64().unwrap() > 0, "{figures}");
            // A fault-free relay on loopback neither loses, duplicates nor reorders.
            assert_eq!(counts["duplicated"], 0, "{figures}");
            assert_eq!(counts["reordered"], 0, "{figures}");
        }
    }

    for kind in ["netem", "scripted", "jitter"] {
        let delay = &report["delay"][kind];
        assert_eq!(delay["missing"], 0, "{kind}: {delay}");
        assert_eq!(delay["error"]["count"], 20, "{kind}");
        // The relay never delivers before the chosen time (a kernel stamp is no earlier
        // than the send it follows).
        assert!(
            delay["delivered"]["median_us"].as_f64().unwrap() >= 5_000.0,
            "{kind}"
        );
    }
    assert_eq!(report["delay"]["netem"]["chosen"]["median_us"], 10_000.0);

    let grading = &report["grading"];
    assert_eq!(grading["case"], "rdt3");
    let run = &grading["runs"][0];
    assert_eq!(run["exit_code"], exit_code::PASSED, "{run}");
    assert!(run["scenarios"].as_u64().unwrap() >= 6, "{run}");
    assert!(report["scale"].is_null());

    let targets: Vec<&str> = report["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(targets.contains(&"relay-added-median"), "{targets:?}");
    assert!(
        targets.contains(&"check-grader-cpu-per-scenario"),
        "{targets:?}"
    );
}
