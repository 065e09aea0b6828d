//! `grader batch` writes the class page, `class.html` and `class.json`, for a class of 12
//! udp-add submissions built from `examples/udp-add/`: good pairs, the buggy servers and
//! clients (two students share each of two bugs), one without a client, one whose server
//! cannot be started (the grader's to look at, never the student's failure), and one whose
//! id is markup. `class.json` is checked against `grader schema --class`, and its numbers
//! against `grades.json` and the roles' own reports; where Chromium is installed, the page
//! is rendered and the screenshot must show the chart's bars (one per non-empty bucket)
//! and the checks table's rules (one per row and the header's). Hiding the chart or the
//! table with CSS, or dropping one bar or one row, makes this test fail.

use crate::html_report::{on_path, screenshot};
use crate::schema::{assert_rejects, schema};
use crate::util::{example, grader};
use serde_json::{Value, json};
use socklab_grader::batch::class::chart::BAR_COLOUR;
use socklab_grader::batch::class::page::CHECKS_RULE_COLOUR;
use socklab_grader::exit_code;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

/// How long the class's batch may take before the test gives up waiting.
const PATIENCE: Duration = Duration::from_secs(240);

/// A submission id that is markup, quotes and a link's special characters.
const HOSTILE_ID: &str = "hal <i>&\"'#?";

/// The class (see the module's doc). Two scenarios keep it to about 30 s on two cores:
/// `add-42` shows every in-range bug, `out-of-range-0` every shutdown bug.
fn build_class(class: &Path) {
    let put = |id: &str, from: &str, to: &str| {
        let target = class.join(id).join(to);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(example(&format!("udp-add/{from}")), target).unwrap();
    };
    let pair = |id: &str, client: &str, server: &str| {
        put(id, &format!("{client}/UDP_Client.py"), "UDP_Client.py");
        put(id, &format!("{server}/UDP_Server.py"), "UDP_Server.py");
    };
    pair("ada", "good", "good");
    pair("bea", "good", "good");
    pair("cal", "two-datagrams", "two-datagrams");
    pair("dan", "good", "string-sum");
    pair("eve", "good", "string-sum");
    pair("fay", "good", "no-shutdown");
    pair("gus", "refuses-out-of-range", "good");
    pair(HOSTILE_ID, "good", "shows-only-client-name");
    pair("ivy", "forgets-server-name", "good");
    pair("jo", "forgets-server-name", "good");
    put("kit", "good/UDP_Server.py", "UDP_Server.py");
    put("lee", "good/UDP_Client.py", "UDP_Client.py");
    // Not executable and no `#!` line: `grader check` cannot start it (exit 3).
    std::fs::write(class.join("lee/UDP_Server"), "this is not a program\n").unwrap();
}

#[test]
fn a_class_of_twelve_gets_a_page_and_a_summary_that_match_its_grades() {
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    build_class(&class);
    let out = dir.path().join("out");
    let output = grader()
        .arg("batch")
        .arg(&class)
        .args(["--case", "udp-add", "--jobs", "2"])
        .args(["--scenario", "add-42", "--scenario", "out-of-range-0"])
        .arg("--out")
        .arg(&out)
        .timeout(PATIENCE)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // lee's server could not be started: the batch says an instructor must look.
    assert_eq!(output.status.code(), Some(exit_code::FAILED), "{stderr}");
    assert!(stderr.contains("class.html"), "{stderr}");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(out.join(name)).unwrap()).unwrap()
    };
    let grades = read("grades.json");
    let summary = read("class.json");
    assert_eq!(summary["schema-version"], 1);
    assert_eq!(summary["case"], "udp-add");
    assert_eq!(summary["seed"], grades["seed"]);
    let validator = schema(&["--class"]);
    assert!(
        validator.is_valid(&summary),
        "class.json against `grader schema --class`: {:?}",
        validator
            .iter_errors(&summary)
            .map(|error| format!("{}: {error}", error.instance_path()))
            .collect::<Vec<_>>()
    );
    assert_rejects(&validator, &summary, "schema-version 2", |summary| {
        summary["schema-version"] = json!(2);
    });
    assert_rejects(&validator, &summary, "a count as text", |summary| {
        summary["distribution"][0]["count"] = json!("1");
    });

    let (counted, apart) = students_match_the_grades(&grades, &summary);
    assert_eq!(apart, ["lee"]);
    assert_eq!(counted.len(), 11);
    distribution_matches_the_scores(&grades, &summary);
    checks_match_the_reports(&out, &grades, &summary);
    groups_are_the_bugs_the_class_shares(&summary);

    let page_path = out.join("class.html");
    let page = std::fs::read_to_string(&page_path).unwrap();
    assert!(
        page.contains("<td>hal &lt;i&gt;&amp;&quot;&#39;#?</td>") && !page.contains("<i>"),
        "the hostile id is shown, escaped"
    );
    assert!(
        page.contains("<a href=\"hal%20%3Ci%3E%26%22%27%23%3F/server/report.html\">server</a>"),
        "and its link is percent-encoded"
    );
    assert!(page.contains("<a href=\"kit/server/report.html\">server</a>"));
    assert!(
        page.contains("client <span class=\"status status-not-found\">not-found</span>"),
        "kit's client was not found, so it has no link"
    );
    let (above, not_graded) = page.split_once("<section id=\"not-graded\">").unwrap();
    assert!(not_graded.contains("<strong>lee</strong>") && !above.contains(">lee<"));
    assert!(not_graded.contains("is not executable and has no #! line"));

    rendered_page_shows_the_chart_and_the_table(&page_path, &summary);
}

/// The counted students with their grades' scores, and the ids listed apart: exactly the
/// submissions whose status is `error`.
fn students_match_the_grades(grades: &Value, summary: &Value) -> (Vec<String>, Vec<String>) {
    let ids = |rows: &[&Value]| -> Vec<String> {
        rows.iter()
            .map(|row| row["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let rows = |field: &str| -> Vec<&Value> { summary[field].as_array().unwrap().iter().collect() };
    let submissions = grades["submissions"].as_array().unwrap();
    assert_eq!(submissions.len(), 12);
    let (errors, judged): (Vec<&Value>, Vec<&Value>) =
        submissions.iter().partition(|s| s["status"] == "error");
    let counted = ids(&rows("students"));
    let apart = ids(&rows("not-graded"));
    assert_eq!(counted, ids(&judged));
    assert_eq!(apart, ids(&errors));
    for (row, grade) in rows("students").into_iter().zip(judged) {
        assert_eq!(
            (&row["score"], &row["max"], &row["status"]),
            (&grade["score"], &grade["max"], &grade["status"]),
            "{}",
            row["id"]
        );
    }
    (counted, apart)
}

/// Each counted submission is in the bucket its percentage says, and in no other.
fn distribution_matches_the_scores(grades: &Value, summary: &Value) {
    let buckets = summary["distribution"].as_array().unwrap();
    assert_eq!(buckets.len(), 11);
    let mut expected: Vec<Vec<String>> = vec![Vec::new(); 11];
    for grade in grades["submissions"].as_array().unwrap() {
        if grade["status"] == "error" {
            continue;
        }
        let percent = grade["score"].as_f64().unwrap() / grade["max"].as_f64().unwrap() * 100.0;
        let percent = (percent * 100.0).round() / 100.0;
        let index = if percent >= 100.0 {
            10
        } else {
            (percent / 10.0).floor() as usize
        };
        expected[index].push(grade["id"].as_str().unwrap().to_owned());
    }
    for (bucket, ids) in buckets.iter().zip(&expected) {
        let got: Vec<&str> = bucket["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap())
            .collect();
        assert_eq!(got, *ids, "bucket {}", bucket["label"]);
        assert_eq!(bucket["count"], ids.len());
    }
    assert_eq!(
        expected[10],
        ["ada", "bea", "cal"],
        "the good pairs earn full marks"
    );
}

/// Every check's counts, recounted from the roles' own `report.json` files: a submission
/// failed a check when a graded run of a graded role failed it, and had it judged when a
/// graded run passed or failed it.
fn checks_match_the_reports(out: &Path, grades: &Value, summary: &Value) {
    let mut failed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut judged: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for grade in grades["submissions"].as_array().unwrap() {
        let id = grade["id"].as_str().unwrap();
        if grade["status"] == "error" {
            continue;
        }
        for role in grade["roles"].as_array().unwrap() {
            if role["status"] != "graded" {
                continue;
            }
            let path = out
                .join(id)
                .join(role["role"].as_str().unwrap())
                .join("report.json");
            let report: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for run in report["scenarios"].as_array().unwrap() {
                if run["graded"] != true {
                    continue;
                }
                for outcome in run["outcomes"].as_array().unwrap() {
                    let check = outcome["check"].as_str().unwrap().to_owned();
                    let status = outcome["status"].as_str().unwrap();
                    if ["pass", "non-strict", "fail", "timeout"].contains(&status) {
                        judged
                            .entry(check.clone())
                            .or_default()
                            .insert(id.to_owned());
                    }
                    if ["fail", "timeout"].contains(&status) {
                        failed.entry(check).or_default().insert(id.to_owned());
                    }
                }
            }
        }
    }
    let rows = summary["checks"].as_array().unwrap();
    let got: BTreeMap<String, (usize, usize)> = rows
        .iter()
        .map(|row| {
            let count = |field: &str| usize::try_from(row[field].as_u64().unwrap()).unwrap();
            (
                row["check"].as_str().unwrap().to_owned(),
                (count("failed"), count("graded")),
            )
        })
        .collect();
    let expected: BTreeMap<String, (usize, usize)> = judged
        .iter()
        .map(|(check, ids)| {
            let failed = failed.get(check).map_or(0, BTreeSet::len);
            (check.clone(), (failed, ids.len()))
        })
        .collect();
    assert_eq!(got, expected);
    let order: Vec<u64> = rows
        .iter()
        .map(|row| row["failed"].as_u64().unwrap())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] >= w[1]),
        "most failed first: {order:?}"
    );
    assert_eq!(got["names"].0, 3, "ivy, jo and hal");
    assert_eq!(got["sum"].0, 3, "dan, eve and hal");
}

/// The bugs two students share are one group each, with both students in it.
fn groups_are_the_bugs_the_class_shares(summary: &Value) {
    let groups: Vec<(String, String, Vec<String>)> = summary["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|group| {
            let members = group["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|member| member["id"].as_str().unwrap().to_owned())
                .collect();
            (
                group["check"].as_str().unwrap().to_owned(),
                group["kind"].as_str().unwrap().to_owned(),
                members,
            )
        })
        .collect();
    let members_of = |check: &str, kind: &str| -> Vec<String> {
        groups
            .iter()
            .find(|(c, k, _)| c == check && k.contains(kind))
            .map(|(.., members)| members.clone())
            .unwrap_or_else(|| panic!("no {check} group of {kind:?} in {groups:#?}"))
    };
    // The ports and sums in their observations differ; their kind does not.
    assert_eq!(members_of("sum", "does not show the sum N"), ["dan", "eve"]);
    assert_eq!(
        members_of("names", "the client does not show the server's name"),
        ["ivy", "jo"]
    );
    assert_eq!(members_of("shutdown", "still running"), ["fay"]);
    assert_eq!(members_of("exchange", "never reached the server"), ["gus"]);
    assert_eq!(
        groups[0].2.len(),
        2,
        "the largest groups first: {groups:#?}"
    );
    assert!(
        groups
            .iter()
            .all(|(.., members)| !members.contains(&"lee".to_owned())),
        "a grader error is never a student's failure"
    );
}

/// Renders the page in headless Chromium (skipped, saying so, without it) and finds in the
/// screenshot the chart's bars (one run of the bar colour per non-empty bucket, along the
/// row just above the baseline) and the checks table's rules (one line per row and the
/// header's).
fn rendered_page_shows_the_chart_and_the_table(page: &Path, summary: &Value) {
    let Some(chromium) = on_path("chromium") else {
        println!(
            "skipped the browser half: no `chromium` on PATH, so class.html was not rendered \
             (Debian: apt-get install chromium)"
        );
        return;
    };
    println!("rendering with {}", chromium.display());
    let shot = page.with_file_name("class.png");
    let (code, log) = screenshot(page, &shot);
    assert_eq!(code, Some(0), "screenshot-report failed:\n{log}");
    assert!(!log.contains("CONSOLE"), "the console spoke:\n{log}");
    let image = Image::read(&shot);

    let bar = colour(BAR_COLOUR);
    let bottom = (0..image.height)
        .rev()
        .find(|&y| (0..image.width).any(|x| image.pixel(x, y) == bar))
        .expect("no bar of the chart in the screenshot");
    let bars = image.runs(bottom - 2, bar, 10).len();
    let non_empty = summary["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|bucket| bucket["count"].as_u64().unwrap() > 0)
        .count();
    assert_eq!(bars, non_empty, "one bar per non-empty bucket");

    let rule = colour(CHECKS_RULE_COLOUR);
    let rules = (0..image.height)
        .filter(|&y| image.runs(y, rule, 200).len() == 1)
        .count();
    let rows = summary["checks"].as_array().unwrap().len();
    assert!(rows >= 4, "the class fails several checks");
    assert_eq!(
        rules,
        rows + 1,
        "a rule under the header and under each check's row"
    );
}

/// `#rrggbb` as bytes.
fn colour(hex: &str) -> [u8; 3] {
    let channel = |at: usize| u8::from_str_radix(&hex[at..at + 2], 16).unwrap();
    [channel(1), channel(3), channel(5)]
}

/// A decoded screenshot, 8-bit RGB or RGBA.
struct Image {
    width: usize,
    height: usize,
    channels: usize,
    bytes: Vec<u8>,
}

impl Image {
    fn read(path: &Path) -> Image {
        let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        let mut decoder = png::Decoder::new(file);
        decoder.set_transformations(png::Transformations::normalize_to_color8());
        let mut reader = decoder.read_info().unwrap();
        let mut bytes = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut bytes).unwrap();
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            other => panic!("a screenshot in {other:?}"),
        };
        bytes.truncate(info.buffer_size());
        Image {
            width: info.width as usize,
            height: info.height as usize,
            channels,
            bytes,
        }
    }

    fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let at = (y * self.width + x) * self.channels;
        [self.bytes[at], self.bytes[at + 1], self.bytes[at + 2]]
    }

    /// The runs of `colour` along row `y` at least `longest` pixels long.
    fn runs(&self, y: usize, colour: [u8; 3], longest: usize) -> Vec<usize> {
        let mut runs = Vec::new();
        let mut length = 0;
        for x in 0..=self.width {
            if x < self.width && self.pixel(x, y) == colour {
                length += 1;
            } else {
                if length >= longest {
                    runs.push(length);
                }
                length = 0;
            }
        }
        runs
    }
}
