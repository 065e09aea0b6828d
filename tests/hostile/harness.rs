//! Running one hostile fixture under the grader, and the promises every such run must
//! keep: exit code 1 within the budget plus a few seconds, none of the run's processes
//! left, the grader's own peak memory under 300 MB.

use crate::util::{fixture, process_start_ticks, transcript, transcript_lines, wait_until_ended};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use socklab_grader::exit_code;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The scenario most fixtures run in: nothing is broken on purpose but the program.
pub const SCENARIO: &str = "no-loss";

/// Where a fixture is graded: a built-in case and one of its scenarios, for how long,
/// and against whom.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    pub case: &'static str,
    pub scenario: &'static str,
    /// The scenario's budget (`--budget`).
    pub budget: Duration,
    /// What the grader may take past the budget.
    pub slack: Duration,
    /// The fixture's arguments instead of the case's (`--client-args`, `--server-args`).
    pub args: Option<&'static str>,
    /// The other program: the case's reference peer, or a second hostile fixture.
    pub peer: Peer,
}

/// Who plays the role the graded fixture does not.
#[derive(Clone, Copy, Debug)]
pub enum Peer {
    Reference,
    /// A fixture of `tests/fixtures/hostile/`, by name, for floods that need both ends.
    Fixture(&'static str),
}

impl Setting {
    /// `scenario` of `case`, for the usual budget, against the reference peer.
    pub const fn new(case: &'static str, scenario: &'static str) -> Setting {
        Setting {
            case,
            scenario,
            budget: BUDGET,
            slack: SLACK,
            args: None,
            peer: Peer::Reference,
        }
    }
}

/// rdt3's clean channel, where most fixtures run.
pub const RDT3: Setting = Setting::new("rdt3", SCENARIO);
const BUDGET: Duration = Duration::from_secs(2);
/// What the grader may take past the budget: startup, the grace period, judging, writing.
const SLACK: Duration = Duration::from_secs(5);
/// A grader still running this long is killed, so a hang fails the test instead of
/// hanging it; far past `BUDGET + SLACK`, so the failure can say how long it really took.
const HANG_LIMIT: Duration = Duration::from_secs(60);
/// How long the run's processes may take to disappear once the grader has exited.
const REAP_LIMIT: Duration = Duration::from_secs(2);
/// 300 MB, in the KiB that `VmHWM` counts.
const PEAK_RSS_LIMIT_KIB: u64 = 300_000_000 / 1024;

#[derive(Clone, Copy, Debug)]
pub enum Role {
    Client,
    Server,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Server => "server",
        }
    }

    fn other(self) -> Role {
        match self {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        }
    }

    fn flag(self) -> &'static str {
        match self {
            Role::Client => "--client",
            Role::Server => "--server",
        }
    }
}

/// One graded run of a fixture, and what was wrong with it so far.
#[derive(Debug)]
pub struct HostileRun {
    fixture: &'static str,
    role: Role,
    pub out: tempfile::TempDir,
    /// The report, lossily decoded.
    pub stdout: String,
    /// Whether the report was valid UTF-8 before decoding.
    pub stdout_is_utf8: bool,
    stderr: String,
    transcripts: [Result<serde_json::Value, String>; 2],
    problems: Vec<String>,
}

impl HostileRun {
    /// Grades `fixture` as `role` against the reference in rdt3's `no-loss`, then checks
    /// what every hostile run must hold: exit code 1 in time, none of its processes left,
    /// a small grader.
    pub fn grade(fixture: &'static str, role: Role) -> HostileRun {
        HostileRun::grade_in(fixture, role, RDT3)
    }

    /// [`HostileRun::grade`] in another case or scenario.
    pub fn grade_in(fixture: &'static str, role: Role, setting: Setting) -> HostileRun {
        let out = tempfile::tempdir().expect("a temporary directory");
        let (output, elapsed, since) = run_grader(fixture, role, setting, out.path());
        let mut run = HostileRun {
            fixture,
            role,
            transcripts: [
                transcript(out.path(), setting.scenario, "client"),
                transcript(out.path(), setting.scenario, "server"),
            ],
            out,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stdout_is_utf8: std::str::from_utf8(&output.stdout).is_ok(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            problems: Vec::new(),
        };
        run.require(
            output.status.code() == Some(exit_code::FAILED),
            format!(
                "the grader ended with {} instead of exit code 1",
                output.status
            ),
        );
        let Setting { budget, slack, .. } = setting;
        run.require(
            elapsed <= budget + slack,
            format!(
                "the grader took {elapsed:.1?}, more than the {budget:?} budget plus {slack:?}"
            ),
        );
        if let Peer::Reference = setting.peer {
            // The reference peer is a good program: the grader must see it try nothing.
            let peer = role.other().name();
            let noted = run
                .stdout
                .lines()
                .find(|line| line.contains(&format!("the {peer} tried to")))
                .map(str::to_owned);
            run.require(
                noted.is_none(),
                format!("the report notes an attempt of the reference {peer}: {noted:?}"),
            );
        }
        run.check_no_process_left(since);
        run.check_peak_memory();
        run
    }

    /// The fixture's own transcript (`Null` when there is none; that is already a problem).
    pub fn fixture_transcript(&self) -> &serde_json::Value {
        static MISSING: serde_json::Value = serde_json::Value::Null;
        let index = match self.role {
            Role::Client => 0,
            Role::Server => 1,
        };
        self.transcripts[index].as_ref().unwrap_or(&MISSING)
    }

    pub fn fixture_lines(&self) -> Vec<String> {
        transcript_lines(self.fixture_transcript())
    }

    pub fn require(&mut self, holds: bool, problem: String) {
        if !holds {
            self.problems.push(problem);
        }
    }

    /// Some line of the report holds every one of `words` in the grader's own words. The
    /// header is left out (it names the fixture's file, and so every fixture's attempt),
    /// and so is whatever the report quotes of the fixture's output (the fixtures say
    /// what they attempt): the grader must have seen it for itself.
    pub fn report_names(&mut self, what: &str, words: &[&str]) {
        let quoted: BTreeSet<String> = self
            .fixture_lines()
            .into_iter()
            .filter(|line| !line.is_empty())
            .flat_map(|line| {
                // Reports quote output as Rust's Debug does: escaped, in double quotes.
                let escaped = format!("{line:?}");
                [line, escaped]
            })
            .collect();
        let named = self
            .stdout
            .lines()
            .skip_while(|line| !line.is_empty())
            .map(|line| {
                quoted.iter().fold(line.to_owned(), |own, quote| {
                    own.replace(quote.as_str(), "")
                })
            })
            .any(|own| words.iter().all(|word| own.contains(word)));
        self.require(
            named,
            format!("the report does not name {what}: no line holds all of {words:?}"),
        );
    }

    /// Every pid the run recorded (both programs, and what the fixture said it forked)
    /// is gone soon after the grader exits; any left is reported, then killed.
    fn check_no_process_left(&mut self, since: u64) {
        let mut pids: Vec<(u32, String)> = Vec::new();
        for (role, transcript) in ["client", "server"].iter().zip(&self.transcripts) {
            match transcript {
                Ok(value) => match value["pid"].as_u64().and_then(|p| u32::try_from(p).ok()) {
                    Some(pid) => pids.push((pid, format!("the {role}"))),
                    // A client is never started when the server did not start.
                    None if value["command"].as_array().is_none_or(Vec::is_empty) => {}
                    None => self
                        .problems
                        .push(format!("the {role}'s transcript has a command but no pid")),
                },
                Err(error) => self.problems.push(error.clone()),
            }
        }
        for line in self.fixture_lines() {
            if let Some((_, pid)) = line.split_once("grandchild pid ")
                && let Ok(pid) = pid.trim().parse()
            {
                pids.push((pid, format!("the {}'s grandchild", self.role.name())));
            }
        }
        let deadline = Instant::now() + REAP_LIMIT;
        let left: Vec<&(u32, String)> = pids
            .iter()
            .filter(|(pid, _)| !wait_until_ended(*pid, since, deadline))
            .collect();
        let work_root = self.work_root();
        for (pid, who) in left {
            self.problems.push(format!(
                "{who} (pid {pid}) is still running {REAP_LIMIT:?} after the grader exited"
            ));
            // So it does not outlive the test; only once its cwd shows it is of this run.
            let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap_or_default();
            if work_root.as_ref().is_some_and(|root| cwd.starts_with(root)) {
                kill_process(*pid);
            }
        }
    }

    fn check_peak_memory(&mut self) {
        let path = self.out.path().join("session.json");
        let peak = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .and_then(|session| session["grader_peak_rss_kib"].as_u64());
        match peak {
            None => self.problems.push(format!(
                "{} does not give the grader's peak memory",
                path.display()
            )),
            Some(kib) => self.require(
                kib < PEAK_RSS_LIMIT_KIB,
                format!(
                    "the grader's peak memory was {} MB ({} MiB), over 300 MB",
                    kib * 1024 / 1_000_000,
                    kib / 1024
                ),
            ),
        }
    }

    /// The grader's work directory for the run (`/tmp/socklab-XXXX`), from where the
    /// fixture was staged: the directory the run's processes have as their cwd.
    fn work_root(&self) -> Option<PathBuf> {
        let name = format!("{}.py", self.fixture);
        let command = self.fixture_transcript()["command"].as_array()?;
        let staged = command
            .iter()
            .filter_map(|arg| arg.as_str())
            .find(|arg| arg.ends_with(&name))?;
        Path::new(staged)
            .ancestors()
            .find(|dir| {
                dir.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("socklab-"))
            })
            .map(Path::to_path_buf)
    }

    /// Fails with every problem found, the report and the fixture's output.
    pub fn finish(self) {
        if self.problems.is_empty() {
            return;
        }
        let lines = self.fixture_lines();
        panic!(
            "{} as the {}:\n- {}\n\nreport:\n{}\ngrader stderr:\n{}\nthe fixture's first lines:\n{:#?}",
            self.fixture,
            self.role.name(),
            self.problems.join("\n- "),
            self.stdout,
            self.stderr,
            &lines[..lines.len().min(12)]
        );
    }
}

/// Runs the grader on one fixture; returns its output, how long it took, and when it
/// started (in `/proc` ticks: every process of the run started at or after it).
fn run_grader(
    fixture_name: &str,
    role: Role,
    setting: Setting,
    out: &Path,
) -> (Output, Duration, u64) {
    let file = fixture("hostile").join(format!("{fixture_name}.py"));
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_grader"))
        .env("NO_COLOR", "1")
        .args([
            "check",
            setting.case,
            "--scenario",
            setting.scenario,
            "--budget",
        ])
        .arg(format!("{}ms", setting.budget.as_millis()))
        // As a course container might: far above what an rdt3 program needs, and quick
        // for the memory hog to run into and fill (filling is the kernel zeroing pages:
        // 0.6 s of CPU for 448 MiB, which a loaded machine stretched past the budget, so
        // the hog was killed before it had used enough to be named).
        .args(["--memory-limit", "256MiB"])
        .arg(role.flag())
        .arg(&file)
        .args(
            setting
                .args
                .map(|args| [format!("{}-args", role.flag()), args.to_owned()])
                .into_iter()
                .flatten(),
        )
        .args(match setting.peer {
            Peer::Reference => Vec::new(),
            Peer::Fixture(peer) => vec![
                role.other().flag().into(),
                fixture("hostile")
                    .join(format!("{peer}.py"))
                    .into_os_string(),
            ],
        })
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the grader starts");
    let pid = child.id();
    // Not yet waited for, so it is at least a zombie and its /proc entry is there.
    let since = process_start_ticks(pid).expect("the grader's start time");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    let output = receiver.recv_timeout(HANG_LIMIT).or_else(|_| {
        // Still ours to kill: the waiting thread has not reaped it.
        kill_process(pid);
        receiver.recv_timeout(HANG_LIMIT)
    });
    let elapsed = started.elapsed();
    let output = output
        .expect("the grader ends once killed")
        .expect("the grader's output can be read");
    (output, elapsed, since)
}

fn kill_process(pid: u32) {
    if let Ok(raw) = i32::try_from(pid) {
        let _ = kill(Pid::from_raw(raw), Signal::SIGKILL);
    }
}
