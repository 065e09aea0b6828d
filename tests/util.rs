//! What the integration tests share: running the binaries, and reading a run's evidence.

use assert_cmd::Command;
use socklab_grader::exit_code;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The repository's root, where `examples/` and `tests/fixtures/` are.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

pub fn example(path: &str) -> String {
    root().join("examples").join(path).display().to_string()
}

/// The standalone reference binary, for `--client-cmd`/`--server-cmd` with `--defect`.
pub fn reference_binary() -> &'static str {
    env!("CARGO_BIN_EXE_reference")
}

/// Held by every test that makes network or user namespaces: namespace inode numbers are
/// reused as soon as a namespace is gone, so "nothing is left in net:[N]"
/// (tests/transparent.rs) is only meaningful while no other test of this binary is making
/// namespaces.
pub fn exclusive_namespaces() -> std::sync::MutexGuard<'static, ()> {
    static NAMESPACES: std::sync::Mutex<()> = std::sync::Mutex::new(());
    NAMESPACES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The graded runs of rdt3 and rdt3-fixed (lossy-soak repeats five times).
pub const RDT3_GRADED_RUNS: &[&str] = &[
    "no-loss",
    "lost-packet",
    "lost-ack",
    "premature-timeout",
    "corrupt-packet",
    "corrupt-ack",
    "lossy-soak#1",
    "lossy-soak#2",
    "lossy-soak#3",
    "lossy-soak#4",
    "lossy-soak#5",
];

/// Every graded run's failed checks, as written by `--out`: the verdict. (Whether a check
/// was exercised at all, `informational` or `pass`, may differ between two runs on a busy
/// machine.)
pub fn rdt3_verdicts(out: &Path) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    RDT3_GRADED_RUNS
        .iter()
        .map(|run| ((*run).to_owned(), failed_checks(out, run)))
        .collect()
}

/// `grader` with colours off, so output can be compared.
pub fn grader() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_grader"));
    command.env("NO_COLOR", "1");
    command
}

/// The outcome of one check in one run, as written by `--out`.
#[derive(Debug, serde::Deserialize)]
pub struct Outcome {
    pub check: String,
    pub status: String,
    #[serde(default)]
    pub observed: String,
}

/// Reads `--out DIR/<run>/outcomes.json`.
pub fn outcomes(out: &Path, run: &str) -> Vec<Outcome> {
    let path = out.join(run.replace('#', "_")).join("outcomes.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text).expect("outcomes.json parses")
}

/// The checks that failed (or timed out) in one run.
pub fn failed_checks(out: &Path, run: &str) -> BTreeSet<String> {
    outcomes(out, run)
        .into_iter()
        .filter(|outcome| outcome.status == "fail" || outcome.status == "timeout")
        .map(|outcome| outcome.check)
        .collect()
}

/// The rdt3 scenarios whose scripted faults make the client's timer expire.
pub const TIMER_SCENARIOS: [&str; 3] = ["lost-packet", "lost-ack", "premature-timeout"];

/// `--scenario` arguments for `run` followed by the other timer scenarios. The timer check
/// weighs every timeout of the session together, as a full grading run does; a run of
/// `lost-packet` alone has a single timeout, and one late wake-up of the client on a loaded
/// machine would fail a correct timer (a CI run saw exactly that). A test that needs a
/// passing grade, or a verdict about something else, plays these beside its scenario.
pub fn with_timer_scenarios(run: &str) -> Vec<&str> {
    std::iter::once(run)
        .chain(TIMER_SCENARIOS.into_iter().filter(|timer| *timer != run))
        .flat_map(|name| ["--scenario", name])
        .collect()
}

/// Reads `--out DIR/<run>/trace.jsonl` as JSON values.
pub fn trace(out: &Path, run: &str) -> Vec<serde_json::Value> {
    let path = out.join(run.replace('#', "_")).join("trace.jsonl");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
        .lines()
        .map(|line| serde_json::from_str(line).expect("trace line parses"))
        .collect()
}

/// Set of check names, for comparing with `failed_checks`.
pub fn checks(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

/// Reads `--out DIR/<run>/<role>.json`, one program's transcript (`role`: `client` or
/// `server`); the error says which file is missing or broken, for a test that reports
/// every problem of a run at once rather than stopping at the first.
pub fn transcript(out: &Path, run: &str, role: &str) -> Result<serde_json::Value, String> {
    let path = out.join(run.replace('#', "_")).join(format!("{role}.json"));
    let text = std::fs::read_to_string(&path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|error| format!("{} does not parse: {error}", path.display()))
}

/// The text of each output line of a transcript read with [`transcript`].
pub fn transcript_lines(transcript: &serde_json::Value) -> Vec<String> {
    transcript["lines"]
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .filter_map(|line| line["text"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// When process `pid` started, in clock ticks since boot (field 22 of `/proc/<pid>/stat`);
/// `None` when there is no such process. Comparing start times tells a process of a run
/// from an older one that was given a recycled pid.
pub fn process_start_ticks(pid: u32) -> Option<u64> {
    process_stat(pid)?.1
}

/// Whether `pid` is a process that is still running (a zombie is not: it has ended and
/// only waits to be reaped) and started no earlier than `since` ([`process_start_ticks`]).
pub fn process_running_since(pid: u32, since: u64) -> bool {
    match process_stat(pid) {
        Some((state, Some(started))) => state != 'Z' && state != 'X' && started >= since,
        _ => false,
    }
}

/// Waits until `pid` (a process started no earlier than `since`, not necessarily our child)
/// has ended, or `deadline` passes; true when it has ended. Waits on a pidfd, which becomes
/// readable when the process exits, so nothing is polled.
pub fn wait_until_ended(pid: u32, since: u64, deadline: std::time::Instant) -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    let Some(pidfd) = pidfd_open(pid) else {
        // No such process (any more), or no pidfds on this kernel: look once.
        return !process_running_since(pid, since);
    };
    // Opened before this look: an end in between still makes the pidfd readable.
    if !process_running_since(pid, since) {
        return true;
    }
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let timeout = PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(pidfd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, timeout) {
            Ok(0) => return !process_running_since(pid, since),
            Ok(_) => return true,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return !process_running_since(pid, since),
        }
    }
}

#[expect(
    unsafe_code,
    reason = "nix has no pidfd_open; the descriptor the kernel returns is owned here alone"
)]
fn pidfd_open(pid: u32) -> Option<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    let pid = nix::libc::pid_t::try_from(pid).ok()?;
    // SAFETY: a plain system call on integers; it returns a new descriptor or -1.
    let fd = unsafe { nix::libc::syscall(nix::libc::SYS_pidfd_open, pid, 0) };
    let fd = i32::try_from(fd).ok().filter(|fd| *fd >= 0)?;
    // SAFETY: `fd` was just returned by the kernel and nothing else holds it.
    Some(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) })
}

/// The state letter and start time of `/proc/<pid>/stat`.
fn process_stat(pid: u32) -> Option<(char, Option<u64>)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name in parentheses may hold spaces and parentheses: split after the last.
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    // Fields are numbered from 1 with the state 3rd, so starttime (22nd) is 19 after it.
    Some((state, fields.get(19).and_then(|ticks| ticks.parse().ok())))
}

/// One `grader check` run with its evidence kept: exit code, report, and bundle.
pub struct Graded {
    pub code: Option<i32>,
    pub stdout: String,
    pub out: tempfile::TempDir,
}

impl Graded {
    /// The checks that failed (or timed out) in one run of the bundle.
    pub fn failed(&self, run: &str) -> BTreeSet<String> {
        failed_checks(self.out.path(), run)
    }
}

/// Runs `grader check ARGS... --out TMP`.
pub fn grade(args: &[&str]) -> Graded {
    let out = tempfile::tempdir().unwrap();
    let output = grader()
        .arg("check")
        .args(args)
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    Graded {
        code: output.status.code(),
        stdout: format!(
            "{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        out,
    }
}

/// Asserts that the session failed and that `run` failed at least the `expected` checks.
pub fn assert_fails_at_least(graded: &Graded, run: &str, expected: &[&str]) {
    assert_eq!(graded.code, Some(exit_code::FAILED), "{}", graded.stdout);
    let failed = graded.failed(run);
    assert!(
        checks(expected).is_subset(&failed),
        "{run} must fail {expected:?}, failed {failed:?}:\n{}",
        graded.stdout
    );
}

/// Runs `grader check ARGS... --format json` from the repository's root, which must pass
/// (exit 0), and returns its report.
pub fn passing_json_report(args: &[&str]) -> serde_json::Value {
    let output = grader()
        .current_dir(root())
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = exited_with(&output, exit_code::PASSED);
    serde_json::from_str(&stdout).expect("the report is JSON")
}

/// Asserts the command exited with `code` (showing both streams when not); its stdout.
pub fn exited_with(output: &std::process::Output, code: i32) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
