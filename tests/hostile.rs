//! The hostile fixtures (`tests/fixtures/hostile/`), each graded as the client and as the
//! server against the reference peer (in rdt3, or in tcp-file-100 for the fixtures that
//! misuse TCP). Whatever a submission does, the grader must fail it
//! within the budget plus a few seconds, leave none of the run's processes behind (checked
//! by pid, never by name), keep its own peak memory under 300 MB, and say in its report
//! what the program attempted.
//!
//! A test collects every broken promise of its run before failing, so one run shows all
//! of them, with the report and the fixture's own output.

mod harness;

use crate::util::failed_checks;
use harness::{HostileRun, Peer, Role, SCENARIO, Setting};
use socklab_grader::exit_code;
use std::time::Duration;

/// A test module per fixture, with a test per role: `hostile::flood::as_client`, ...
macro_rules! as_client_and_server {
    ($($fixture:ident),* $(,)?) => {$(
        mod $fixture {
            #[test]
            fn as_client() {
                super::$fixture(super::Role::Client);
            }

            #[test]
            fn as_server() {
                super::$fixture(super::Role::Server);
            }
        }
    )*};
}

as_client_and_server!(
    ignores_sigterm,
    detached_grandchild,
    endless_output,
    newline_flood,
    flood,
    write_flood,
    silent_exit,
    file_escape,
    memory_hog,
    port_thief,
    escapes,
    fork_bomb,
);

fn ignores_sigterm(role: Role) {
    let mut run = HostileRun::grade("ignores_sigterm", role);
    // e.g. "the client was still running at the 2 s deadline and ignored SIGTERM; killed"
    run.report_names("that it ignored SIGTERM", &[role.name(), "SIGTERM"]);
    run.finish();
}

fn detached_grandchild(role: Role) {
    let mut run = HostileRun::grade("detached_grandchild", role);
    let printed = run
        .fixture_lines()
        .iter()
        .any(|l| l.contains("grandchild pid"));
    run.require(
        printed,
        "the grandchild's pid is not in the transcript".to_owned(),
    );
    // e.g. "the client left a process behind (pid N), which was killed"
    run.report_names("the process it left behind", &[role.name(), "behind"]);
    run.finish();
}

fn endless_output(role: Role) {
    let mut run = HostileRun::grade("endless_output", role);
    let dropped = run.fixture_transcript()["dropped_stdout_bytes"]
        .as_u64()
        .unwrap_or(0);
    run.require(
        dropped > 0,
        "the transcript counts no output past the cap".to_owned(),
    );
    let printed = format!("the {} printed", role.name());
    run.report_names(
        "the output past the cap",
        &[&printed, "past the output cap"],
    );
    run.finish();
}

/// Empty lines are the most lines a stream of a given size holds, and each one costs the
/// grader a record: 4 MiB of newlines once took a gigabyte and eight seconds to keep.
fn newline_flood(role: Role) {
    let mut run = HostileRun::grade("newline_flood", role);
    let transcript = run.fixture_transcript();
    let dropped = ["dropped_stdout_bytes", "dropped_stderr_bytes"]
        .map(|stream| transcript[stream].as_u64().unwrap_or(0));
    run.require(
        dropped.iter().all(|&bytes| bytes > 0),
        format!("the transcript counts no output past the cap on each stream: {dropped:?}"),
    );
    let printed = format!("the {} printed", role.name());
    run.report_names(
        "the output past the cap",
        &[&printed, "past the output cap"],
    );
    run.finish();
}

/// Random datagrams of 0–65 507 bytes as fast as Python sends them, in the scenario whose
/// fault counts the flooded direction's packets by payload (`lost-packet` for a client,
/// `lost-ack` for a server): that count once kept every distinct datagram, 944 MB in a
/// release build for ten seconds of flood.
fn flood(role: Role) {
    let scenario = match role {
        Role::Client => "lost-packet",
        Role::Server => "lost-ack",
    };
    let setting = Setting {
        // The flood the memory bound was written for lasted ten seconds against a server;
        // as a server, five seconds are enough to fail without the bound (about 500 MB in a
        // debug build) and keep the suite quick.
        budget: Duration::from_secs(match role {
            Role::Client => 10,
            Role::Server => 5,
        }),
        slack: Duration::from_secs(8),
        ..Setting::new("rdt3", scenario)
    };
    let mut run = HostileRun::grade_in("flood", role, setting);
    let flooded = run
        .fixture_lines()
        .iter()
        .any(|l| l.starts_with("flood: flooding"));
    run.require(flooded, "the fixture never started its flood".to_owned());
    // e.g. "note: a flood: 20086 datagrams to the server and 6266 to the client ..."
    run.report_names("the flood and its datagrams", &["flood", "datagrams"]);
    run.finish();
}

/// tcp-file-100's reference peers handle one connection at a time, so what the fixture
/// writes into its other connections waits: in the kernel, then in the relay, which holds
/// at most its run's share and then stops reading them.
fn write_flood(role: Role) {
    let setting = Setting::new("tcp-file-100", "file-100kib");
    let mut run = HostileRun::grade_in("write_flood", role, setting);
    let writing = run
        .fixture_lines()
        .iter()
        .any(|l| l.starts_with("write_flood: writing on"));
    run.require(
        writing,
        "the fixture never wrote on a connection".to_owned(),
    );
    // e.g. "the 1st connection carried 4700672 bytes; the file is 102400"
    run.report_names("what the connections carried", &["connection", "bytes"]);
    run.finish();
}

/// 180 connections the fixture writes into as fast as they take it, to a server that
/// accepts them all and reads none, with receive buffers so small that what is written
/// waits in the relay. Before the relay's holding limits, it held up to 4 MiB for each
/// connection: over 500 MB in this run of a debug build. Now the run's connections hold
/// 8 MiB together, and the flood is slowed down by TCP's flow control instead.
#[test]
fn write_flood_into_a_sink() {
    let setting = Setting {
        // What the kernel buffers first (about 3 MB a connection) must fill before the
        // relay holds anything; a debug build takes some seconds to relay that much.
        budget: Duration::from_secs(5),
        // Judging and writing out 180 connections of bytes takes a debug build 4-5 s on
        // a loaded machine.
        slack: Duration::from_secs(8),
        // 180 connections rather than 100: room for 720 MiB in the relay before its limits.
        args: Some("{host} {port} {file} 180"),
        peer: Peer::Fixture("sink_server"),
        ..Setting::new("tcp-file-100", "file-100kib")
    };
    let mut run = HostileRun::grade_in("write_flood", Role::Client, setting);
    let writing = run
        .fixture_lines()
        .iter()
        .any(|l| l.starts_with("write_flood: writing on"));
    run.require(
        writing,
        "the fixture never wrote on a connection".to_owned(),
    );
    // e.g. "the client opened 180 connection(s) and sent 500346880 bytes in all"
    run.report_names(
        "what the connections carried",
        &["the client opened", "connection(s)", "bytes in all"],
    );
    run.finish();
}

/// Thousands of connections, most closed at once and some kept open, as a client.
#[test]
fn connection_flood() {
    let setting = Setting::new("tcp-file-100", "file-100kib");
    let mut run = HostileRun::grade_in("connection_flood", Role::Client, setting);
    let made = run
        .fixture_lines()
        .iter()
        .any(|l| l.starts_with("connection_flood: made"));
    run.require(
        made,
        "the fixture never made a hundred connections".to_owned(),
    );
    // The 201st open at once is refused: "for the 201st connection the relay refused: it
    // carries at most 200 connections at once"; a fixture slowed down by a busy machine
    // may not get there within the budget: "the client opened 180 connection(s) ...";
    // and once the reference server has served its 100 transfers and closed its listener,
    // the next connection is refused by the server: "for the 131st connection the server
    // refused the relay's connection to ...". Each is true of its own run.
    if run.stdout.contains("the relay refused") {
        run.report_names(
            "the connection the relay refused",
            &["connection", "the relay refused", "at most 200"],
        );
    } else if run
        .stdout
        .contains("the server refused the relay's connection")
    {
        run.report_names(
            "the connection the server refused",
            &["connection", "the server refused the relay's connection"],
        );
    } else {
        run.report_names(
            "the connections it opened",
            &["the client opened", "connection(s)"],
        );
    }
    run.finish();
}

fn silent_exit(role: Role) {
    let mut run = HostileRun::grade("silent_exit", role);
    run.report_names("that it exited", &[role.name(), "exited"]);
    run.finish();
}

/// Reading outside is not held against the grader (`/etc/hostname` is readable anywhere);
/// writing outside must fail, and a write that got through must at least be reported.
/// Where the grader can watch system calls, its report names the attempts themselves.
fn file_escape(role: Role) {
    let mut run = HostileRun::grade("file_escape", role);
    if watched() {
        // e.g. "the client tried to write outside its directory: ../server/planted-by-client.txt, ..."
        run.report_names(
            "its writes outside its directory",
            &[role.name(), "outside its directory", "planted-by-"],
        );
    }
    let planted = run
        .out
        .path()
        .join(format!("planted-by-file_escape-{}.txt", role.name()));
    run.require(
        !planted.exists(),
        format!(
            "the fixture planted {} in the grader's --out directory",
            planted.display()
        ),
    );
    let escaped_writes: Vec<String> = run
        .fixture_lines()
        .into_iter()
        .filter(|line| {
            ["planted", "overwrote", "opened for writing"]
                .iter()
                .any(|write| line.starts_with(&format!("file_escape: ESCAPED {write}")))
        })
        .collect();
    for line in &escaped_writes {
        let target = line.rsplit(' ').next().unwrap_or_default().to_owned();
        run.report_names(
            &format!("the write outside its directory ({line})"),
            &[&target],
        );
    }
    run.require(
        escaped_writes.is_empty(),
        format!("writes outside the program's directory got through: {escaped_writes:#?}"),
    );
    run.finish();
}

/// The fixture is refused memory at once where there is a limit, so "allocation failed"
/// in its output shows the limit; the report must then say the program hit it.
fn memory_hog(role: Role) {
    let mut run = HostileRun::grade("memory_hog", role);
    let limited = run
        .fixture_lines()
        .iter()
        .any(|l| l.starts_with("memory_hog: allocation failed"));
    run.require(
        limited,
        "no memory limit stopped the fixture (it never printed \"allocation failed\")".to_owned(),
    );
    // "the client used 205 MiB of memory, up against its 256 MiB limit ..."
    run.report_names("its memory limit", &[role.name(), "memory"]);
    run.finish();
}

/// In relay mode every port a program is told about belongs to the relay, so a program
/// cannot take its peer's port: its bind fails, and its grade fails with a clear verdict.
/// Where the grader can watch system calls, its report names the attempt too.
fn port_thief(role: Role) {
    let mut run = HostileRun::grade("port_thief", role);
    if watched() {
        // e.g. "the server tried to bind 127.0.0.1:N, the relay's port standing in for the
        // client (address in use)"
        run.report_names(
            "its bind to the relay's port",
            &[
                role.name(),
                "tried to bind",
                "the relay's port",
                "address in use",
            ],
        );
    }
    let lines = run.fixture_lines();
    let tried = lines
        .iter()
        .any(|l| l.starts_with("port_thief: could not bind"));
    let stolen = lines
        .iter()
        .find(|l| l.starts_with("port_thief: bound its peer's port"));
    run.require(
        tried,
        "the fixture never tried to take its peer's port".to_owned(),
    );
    run.require(
        stolen.is_none(),
        format!("the fixture took a port it must not have: {stolen:?}"),
    );
    let failed = failed_checks(run.out.path(), SCENARIO);
    run.require(!failed.is_empty(), "the run has no failed check".to_owned());
    run.finish();
}

/// Whether the grader watches programs' system calls here (seccomp user notification,
/// Linux 5.5): probed the way the grader installs it, in a throwaway child.
fn watched() -> bool {
    let watched = socklab_grader::harness::syscall_watch::available();
    if !watched {
        eprintln!("not checked: seccomp user notification is not available here");
    }
    watched
}

/// The report must hold no control character but the newline (no ESC, BEL, raw `\r`, nor
/// the one-byte C1 CSI), and the log lines in the program's output must still count.
fn escapes(role: Role) {
    let mut run = HostileRun::grade("escapes", role);
    let controls: Vec<char> = run
        .stdout
        .chars()
        .filter(|&c| (c.is_control() && c != '\n') || ('\u{80}'..='\u{9f}').contains(&c))
        .collect();
    run.require(
        controls.is_empty(),
        format!("the report holds raw control characters: {controls:?}"),
    );
    let utf8 = run.stdout_is_utf8;
    run.require(utf8, "the report is not valid UTF-8".to_owned());
    let logged = run.fixture_lines().iter().any(|l| l.contains("sent"));
    run.require(
        logged,
        "the fixture's log lines are not in its transcript".to_owned(),
    );
    let failed = failed_checks(run.out.path(), SCENARIO);
    run.require(
        !failed.contains("log-lines"),
        "its real \"sent\" and \"received\" lines did not count: log-lines failed".to_owned(),
    );
    run.finish();
}

/// Forks past the limit are refused, and the fixture's first child and grandchild, which
/// would linger for 30 s, are checked by pid like every process of the run. As root the
/// limit is the grader's pids cgroup, which sees the refusals, so the report must name
/// them; otherwise it is `RLIMIT_NPROC`, whose refusals leave no trace the grader sees.
fn fork_bomb(role: Role) {
    let mut run = HostileRun::grade("fork_bomb", role);
    let lines = run.fixture_lines();
    let refused = lines
        .iter()
        .any(|l| l.starts_with("fork_bomb: fork refused"));
    run.require(
        refused,
        "no limit refused the fixture a fork (it never printed \"fork refused\")".to_owned(),
    );
    let witnesses = lines
        .iter()
        .filter(|l| l.starts_with("fork_bomb: ") && l.contains("grandchild pid "))
        .count();
    run.require(
        witnesses == 2,
        format!("the fixture printed {witnesses} of the 2 pids it leaves for the grader to kill"),
    );
    if nix::unistd::geteuid().is_root() {
        // e.g. "the client tried to start more than 128 processes; refused"
        run.report_names("that it hit its process limit", &[role.name(), "processes"]);
    }
    run.finish();
}

/// In relay mode the programs reach only the loopback of a network namespace of their
/// own: no other interface exists for them (checked without sending anything anywhere).
#[test]
fn relay_mode_programs_see_only_a_private_loopback() {
    let out = tempfile::tempdir().unwrap();
    let fixture = crate::util::fixture("hostile").join("interfaces.py");
    let output = crate::util::grader()
        .args([
            "check",
            "rdt3",
            "--scenario",
            "no-loss",
            "--budget",
            "2s",
            "--client",
        ])
        .arg(&fixture)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(exit_code::FAILED),
        "it sends nothing, so it fails"
    );
    let transcript: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("no-loss/client.json")).unwrap(),
    )
    .unwrap();
    let interfaces: Vec<&str> = transcript["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|line| line["text"].as_str()?.strip_prefix("interface "))
        .collect();
    assert_eq!(interfaces, ["lo"]);
    let grader_namespace = std::fs::read_link("/proc/self/ns/net").unwrap();
    let program_namespace = transcript["network_namespace"].as_u64().expect("recorded");
    assert_ne!(
        grader_namespace.display().to_string(),
        format!("net:[{program_namespace}]")
    );
}

/// `--out` and each `--hide` (a course's solutions, a class's other submissions) cannot
/// even be read by a program, also when one holds another; files elsewhere that every
/// user may read still can.
#[test]
fn out_and_hidden_directories_are_unreadable() {
    if !socklab_grader::harness::file_confinement::file_confinement_available() {
        eprintln!("skipped: mount namespaces are not available here, so nothing is hidden");
        return;
    }
    let course = tempfile::tempdir().unwrap();
    let class = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    std::fs::write(course.path().join("solution.py"), "SECRET-SOLUTION").unwrap();
    std::fs::create_dir(course.path().join("inner")).unwrap();
    std::fs::write(class.path().join("alice.py"), "SECRET-ALICE").unwrap();
    std::fs::write(out.path().join("grades.csv"), "SECRET-GRADES").unwrap();
    let probe = format!(
        "sh -c 'cat {course}/solution.py || echo course-hidden; cat {class}/alice.py || echo class-hidden; \
         cat {out}/grades.csv || echo out-hidden; head -c 0 /etc/hostname && echo system-readable'",
        course = course.path().display(),
        class = class.path().display(),
        out = out.path().display(),
    );
    let output = crate::util::grader()
        .current_dir(course.path())
        .args(["check", "rdt3", "--scenario", "no-loss", "--budget", "2s"])
        .args(["--client-cmd", &probe, "--hide"])
        .arg(class.path())
        .arg("--hide")
        .arg(course.path())
        .arg("--hide")
        .arg(course.path().join("inner"))
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    crate::util::exited_with(&output, exit_code::FAILED);
    let client = crate::util::transcript(out.path(), "no-loss", "client").unwrap();
    let lines = crate::util::transcript_lines(&client);
    for expected in [
        "course-hidden",
        "class-hidden",
        "out-hidden",
        "system-readable",
    ] {
        assert!(
            lines.iter().any(|line| line == expected),
            "{expected}: {lines:?}"
        );
    }
    assert!(
        !lines.iter().any(|line| line.contains("SECRET")),
        "a hidden file was read: {lines:?}"
    );
}
