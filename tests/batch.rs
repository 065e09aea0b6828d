//! `grader batch` and `grader merge` on small classes built from `examples/`: grades for a
//! class, a re-run that keeps what is up to date, an interrupted batch resumed, shards
//! merged (with the class page of the whole class), programs that hard-code one port graded
//! at once, and the role matrix. The class page itself is tested in `class_page.rs`.
//!
//! The classes are graded with `tests/fixtures/rdt3-batch.yaml` (two scripted scenarios,
//! no timer check), so a grade depends only on the programs and the seeded link, and whole
//! grade files can be compared between runs.

use crate::util::{example, fixture, grader, process_start_ticks, wait_until_ended};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use socklab_grader::exit_code;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How long a whole test's batch may take before the test gives up waiting.
const PATIENCE: Duration = Duration::from_secs(120);

/// The class: one good submission and three buggy clients (each beside the good server),
/// with the files nested and renamed as students hand them in. Each bug shows the same way
/// in every run, so two gradings must agree: dee never retransmits, which passes `no-loss`
/// and fails `lost-packet` however busy the machine. (A client that does not log its
/// timeouts did not do: on a loaded machine its 9 ms timer sometimes expired in `no-loss`
/// too, and then, rightly, failed `log-lines` there.)
fn build_class(dir: &Path) {
    let put = |id: &str, from: &str, to: &str| put_example(&dir.join(id), from, to);
    put("ada", "rdt3/good/UDP_Client.py", "UDP_Client.py");
    put("ada", "rdt3/good/UDP_Server.py", "UDP_Server.py");
    put(
        "bob",
        "rdt3/bad-checksum/UDP_Client.py",
        "rdt3/UDP_Client.py",
    );
    put("bob", "rdt3/good/UDP_Server.py", "rdt3/UDP_Server.py");
    put("cy", "rdt3/stuck-seq/UDP_Client.py", "Sub/udp_client.PY");
    put("cy", "rdt3/good/UDP_Server.py", "Sub/udp_server.py");
    put("dee", "rdt3/no-retransmit/UDP_Client.py", "UDP_Client.py");
    put("dee", "rdt3/good/UDP_Server.py", "UDP_Server.py");
    // Debris that must not be taken for a program or a submission.
    put(
        "dee",
        "rdt3/stuck-seq/UDP_Client.py",
        "__MACOSX/UDP_Client.py",
    );
    put(".hidden", "rdt3/good/UDP_Client.py", "UDP_Client.py");
}

/// Copies `examples/<from>` to `submission/<to>`.
fn put_example(submission: &Path, from: &str, to: &str) {
    let target = submission.join(to);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::copy(example(from), &target).unwrap();
}

/// `grader batch CLASS --case <fixture> --out OUT ARGS...`, waited for.
fn batch(class: &Path, out: &Path, args: &[&str]) -> Output {
    batch_of(&fixture("rdt3-batch.yaml"), class, out, args)
}

/// `grader batch CLASS --case CASE --out OUT ARGS...`, waited for.
fn batch_of(case: &Path, class: &Path, out: &Path, args: &[&str]) -> Output {
    grader()
        .arg("batch")
        .arg(class)
        .arg("--case")
        .arg(case)
        .arg("--out")
        .arg(out)
        .args(args)
        .timeout(PATIENCE)
        .output()
        .unwrap()
}

fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `grades.csv` and `grades.json` of an output folder.
fn grade_files(out: &Path) -> (String, String) {
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    (read("grades.csv"), read("grades.json"))
}

/// The grades of the class graded once, uninterrupted and unsharded, with one job: what
/// every other way of grading it must reproduce byte for byte.
fn reference_grades() -> &'static (String, String) {
    static GRADES: OnceLock<(String, String)> = OnceLock::new();
    GRADES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        build_class(&dir.path().join("class"));
        let out = dir.path().join("out");
        let output = batch(&dir.path().join("class"), &out, &["--jobs", "1"]);
        assert_exit(&output, exit_code::PASSED);
        grade_files(&out)
    })
}

/// The score column of each row of a grades.csv, by id.
fn scores(csv: &str) -> Vec<(String, f64)> {
    csv.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (cells[0].to_owned(), cells[2].parse().unwrap())
        })
        .collect()
}

#[test]
fn a_class_is_graded_and_a_second_run_keeps_every_result() {
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    build_class(&class);
    let out = dir.path().join("out");

    let started = Instant::now();
    let first = batch(&class, &out, &["--jobs", "2"]);
    let first_time = started.elapsed();
    assert_exit(&first, exit_code::PASSED);
    let (csv, json) = grade_files(&out);
    let scores = scores(&csv);
    let ids: Vec<&str> = scores.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["ada", "bob", "cy", "dee"], "{csv}");
    assert_eq!(
        scores[0].1, 25.0,
        "the good submission earns everything:\n{csv}"
    );
    assert!(
        scores[1..].iter().all(|(_, score)| *score < scores[0].1),
        "every buggy submission scores below the good one:\n{csv}"
    );
    assert!(
        csv.starts_with("id,status,score,max,pair,pair:no-loss,pair:lost-packet\n"),
        "{csv}"
    );
    assert_eq!(
        (&csv, &json),
        (&reference_grades().0, &reference_grades().1),
        "grades do not depend on --jobs"
    );
    let table = String::from_utf8_lossy(&first.stdout);
    assert!(
        table.contains("ada") && table.contains("25.00/25"),
        "{table}"
    );

    let modified = |id: &str| {
        std::fs::metadata(out.join(id).join("result.json"))
            .unwrap()
            .modified()
            .unwrap()
    };
    let before: Vec<_> = ids.iter().map(|id| modified(id)).collect();
    let started = Instant::now();
    let second = batch(&class, &out, &["--jobs", "2"]);
    let second_time = started.elapsed();
    assert_exit(&second, exit_code::PASSED);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("0 graded, 4 kept, 0 errors"),
        "nothing is graded again:\n{stderr}"
    );
    let after: Vec<_> = ids.iter().map(|id| modified(id)).collect();
    assert_eq!(before, after, "no result is rewritten");
    assert_eq!(
        grade_files(&out),
        (csv, json),
        "the grades are byte-identical"
    );
    eprintln!("first run {first_time:?}, second run {second_time:?}");

    // A changed file is graded again; the others are kept.
    let client = class.join("dee/UDP_Client.py");
    let mut text = std::fs::read_to_string(&client).unwrap();
    text.push_str("\n# resubmitted\n");
    std::fs::write(&client, text).unwrap();
    let third = batch(&class, &out, &["--jobs", "2"]);
    assert_exit(&third, exit_code::PASSED);
    let stderr = String::from_utf8_lossy(&third.stderr);
    assert!(stderr.contains("1 graded, 3 kept"), "{stderr}");
}

#[test]
fn an_interrupted_batch_resumes_to_the_same_grades() {
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    build_class(&class);
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_grader"))
        .arg("batch")
        .arg(&class)
        .arg("--case")
        .arg(fixture("rdt3-batch.yaml"))
        .args(["--jobs", "1", "--out"])
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let batch_pid = child.id();
    let since = process_start_ticks(batch_pid).expect("the batch's start time");
    // Off a terminal the batch logs a line as each check starts and each submission ends;
    // a thread hands them over, so the test waits on them with a deadline.
    let (lines, logged) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let mut log = Vec::new();
    // Interrupt once one submission is done and the next one's check is running.
    let deadline = Instant::now() + PATIENCE;
    let mut finished_one = false;
    let running_check = loop {
        let line = logged
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no submission finished in {PATIENCE:?}: {log:#?}"));
        log.push(line.clone());
        if line.contains(": graded ") {
            finished_one = true;
        } else if finished_one && let Some(pid) = started_pid(&line) {
            break pid;
        }
    };
    // The check, and whatever it has started of its programs so far.
    let running = descendants_of(running_check);
    kill(
        Pid::from_raw(i32::try_from(batch_pid).unwrap()),
        Signal::SIGTERM,
    )
    .unwrap();
    let status = child.wait().unwrap();
    reader.join().unwrap();
    log.extend(logged.try_iter());
    assert_eq!(status.code(), Some(exit_code::INTERRUPTED), "{log:#?}");
    let reap_deadline = Instant::now() + Duration::from_secs(5);
    let left: Vec<&u32> = running
        .iter()
        .filter(|pid| !wait_until_ended(**pid, since, reap_deadline))
        .collect();
    assert!(
        left.is_empty(),
        "processes of the batch still run: {left:?}"
    );
    assert!(
        !out.join("grades.csv").exists(),
        "an interrupted batch writes no grades"
    );
    let done = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|entry| entry.path().join("result.json").exists())
        .count();
    assert!(
        (1..4).contains(&done),
        "{done} results after the interruption"
    );

    let resumed = batch(&class, &out, &["--jobs", "1"]);
    assert_exit(&resumed, exit_code::PASSED);
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(
        stderr.contains(&format!("{} graded, {done} kept", 4 - done)),
        "the finished submissions are kept:\n{stderr}"
    );
    assert_eq!(&grade_files(&out), reference_grades());
}

#[test]
fn shards_merged_equal_the_whole_class() {
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    build_class(&class);
    let first = dir.path().join("shard-1");
    let second = dir.path().join("shard-2");
    assert_exit(
        &batch(&class, &first, &["--jobs", "2", "--shard", "1/2"]),
        exit_code::PASSED,
    );
    assert_exit(
        &batch(&class, &second, &["--jobs", "2", "--shard", "2/2"]),
        exit_code::PASSED,
    );
    let first_csv = grade_files(&first).0;
    assert_eq!(
        scores(&first_csv)
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>(),
        ["ada", "cy"],
        "{first_csv}"
    );
    assert!(grade_files(&second).1.contains("\"shard\": \"2/2\""));

    let merged = dir.path().join("merged");
    let output = grader()
        .arg("merge")
        .arg(&first)
        .arg(&second)
        .arg("--out")
        .arg(&merged)
        .output()
        .unwrap();
    assert_exit(&output, exit_code::PASSED);
    assert_eq!(&grade_files(&merged), reference_grades());
    assert!(merged.join("bob/pair/no-loss/trace.jsonl").exists());
    // The joined class page has every submission, each linking its report in the join.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(merged.join("class.json")).unwrap()).unwrap();
    let students = summary["students"].as_array().unwrap();
    let ids: Vec<&str> = students.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["ada", "bob", "cy", "dee"], "{summary}");
    for student in students {
        let report = student["roles"][0]["report"].as_str().unwrap();
        assert!(merged.join(report).is_file(), "{report}");
    }
    let counted: u64 = summary["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bucket| bucket["count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 4);
    assert!(
        std::fs::read_to_string(merged.join("class.html"))
            .unwrap()
            .contains("<a href=\"bob/pair/report.html\">pair</a>")
    );

    // A shard graded with another seed is not the same class's result: refused.
    let other = dir.path().join("other");
    assert_exit(
        &batch(&class, &other, &["--shard", "1/2", "--seed", "99"]),
        exit_code::PASSED,
    );
    let refused = grader()
        .arg("merge")
        .arg(&first)
        .arg(&other)
        .arg("--out")
        .arg(dir.path().join("refused"))
        .output()
        .unwrap();
    assert_exit(&refused, exit_code::INVALID_INPUT);
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("two different results"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn submissions_that_hard_code_one_port_are_graded_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    for id in ["first", "second"] {
        for program in ["UDP_Client.py", "UDP_Server.py"] {
            let target = class.join(id).join(program);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(example(&format!("rdt3-fixed/good/{program}")), target).unwrap();
        }
    }
    let out = dir.path().join("out");
    let output = grader()
        .arg("batch")
        .arg(&class)
        .args([
            "--case",
            "rdt3-fixed",
            "--jobs",
            "2",
            "--scenario",
            "no-loss",
        ])
        .arg("--out")
        .arg(&out)
        .timeout(PATIENCE)
        .output()
        .unwrap();
    assert_exit(&output, exit_code::PASSED);
    let csv = grade_files(&out).0;
    assert_eq!(
        scores(&csv),
        [("first".to_owned(), 100.0), ("second".to_owned(), 100.0)],
        "{csv}"
    );
}

#[test]
fn a_missing_client_still_earns_the_server_role() {
    let dir = tempfile::tempdir().unwrap();
    let mut case = std::fs::read_to_string(fixture("rdt3-batch.yaml")).unwrap();
    case.push_str("\nroles:\n  client: 30\n  server: 30\n  pair: 40\n");
    let case_file = dir.path().join("roles.yaml");
    std::fs::write(&case_file, case).unwrap();
    let class = dir.path().join("class");
    put_example(
        &class.join("eve"),
        "rdt3/good/UDP_Server.py",
        "UDP_Server.py",
    );
    let out = dir.path().join("out");
    let output = batch_of(&case_file, &class, &out, &[]);
    assert_exit(&output, exit_code::PASSED);
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("eve/result.json")).unwrap())
            .unwrap();
    assert_eq!(result["status"], "not-found");
    assert_eq!(result["score"], 30.0);
    assert_eq!(result["max"], 100.0);
    let roles: Vec<(String, String, f64)> = result["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|role| {
            (
                role["role"].as_str().unwrap().to_owned(),
                role["status"].as_str().unwrap().to_owned(),
                role["points"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("client".to_owned(), "not-found".to_owned(), 0.0),
            ("server".to_owned(), "graded".to_owned(), 30.0),
            ("pair".to_owned(), "not-found".to_owned(), 0.0),
        ]
    );
    assert!(
        result["roles"][0]["error"]
            .as_str()
            .unwrap()
            .contains("no file named UDP_Client"),
        "{result}"
    );
    let csv = grade_files(&out).0;
    assert!(
        csv.starts_with("id,status,score,max,client,server,pair,client:no-loss,"),
        "{csv}"
    );
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("not-found") && table.contains("30.00/30"),
        "{table}"
    );
}

#[test]
fn locate_prints_the_programs_batch_would_grade() {
    let dir = tempfile::tempdir().unwrap();
    build_class(dir.path());
    let output = grader()
        .args(["locate", "--case", "rdt3"])
        .arg(dir.path().join("cy"))
        .output()
        .unwrap();
    assert_exit(&output, exit_code::PASSED);
    let cy = dir.path().join("cy/Sub");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!(
            "client {}\nserver {}\n",
            cy.join("udp_client.PY").display(),
            cy.join("udp_server.py").display()
        )
    );
    let server_only = dir.path().join("server-only");
    put_example(&server_only, "rdt3/good/UDP_Server.py", "UDP_Server.py");
    let missing = grader()
        .args(["locate", "--case", "rdt3", "--program", "client"])
        .arg(&server_only)
        .output()
        .unwrap();
    assert_exit(&missing, exit_code::FAILED);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no file named UDP_Client"));
}

/// Every process descending from `pid` now (children, their children, …), from `/proc`.
/// The pid in a `batch: ID ROLE: grader check started (pid N)` line.
fn started_pid(line: &str) -> Option<u32> {
    line.split_once("grader check started (pid ")?
        .1
        .strip_suffix(')')?
        .parse()
        .ok()
}

fn descendants_of(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        // The parent is the second field after the command name (which may hold spaces).
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|parent| parent.parse().ok());
        if let Some(parent) = parent {
            parents.push((child, parent));
        }
    }
    let mut found = vec![pid];
    let mut index = 0;
    while index < found.len() {
        let parent = found[index];
        found.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(child, _)| *child),
        );
        index += 1;
    }
    found.remove(0);
    found
}

/// A `grader check` child that outlives its deadline (a hung grader; the test shortens the
/// deadline to 1 s and gives the child a client that ignores SIGTERM and sleeps, so the
/// child needs its whole 5 s budget) is stopped, and its submission recorded as an error
/// that says why, while the batch goes on.
#[test]
fn a_child_past_its_deadline_is_stopped_and_recorded_as_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    let slow = class.join("slow");
    std::fs::create_dir_all(&slow).unwrap();
    std::fs::copy(
        crate::util::fixture("hostile/ignores_sigterm.py"),
        slow.join("UDP_Client.py"),
    )
    .unwrap();
    put_example(&slow, "rdt3/good/UDP_Server.py", "UDP_Server.py");
    let out = dir.path().join("out");
    let started = std::time::Instant::now();
    let output = grader()
        .arg("batch")
        .arg(&class)
        .arg("--case")
        .arg(fixture("rdt3-batch.yaml"))
        .arg("--out")
        .arg(&out)
        .args(["--scenario", "no-loss"])
        .env("SOCKLAB_BATCH_CHILD_DEADLINE_MS", "1000")
        .timeout(PATIENCE)
        .output()
        .unwrap();
    assert_exit(&output, exit_code::FAILED);
    let elapsed = started.elapsed();
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("slow/result.json")).unwrap())
            .unwrap();
    assert_eq!(result["status"], "error", "{result}");
    let text = result.to_string();
    assert!(text.contains("still running after 1 s"), "{text}");
    // Stopped at its deadline, well before the 5 s budget it would otherwise have used.
    assert!(elapsed < std::time::Duration::from_secs(5), "{elapsed:?}");
}
