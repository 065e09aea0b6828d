//! Test helpers for the harness: shell snippets run as programs, the way the grader runs
//! them, waiting (with a deadline) for other processes to die, and running a test alone
//! in a test process of its own.

use crate::evidence::{Stream, Transcript};
use crate::harness::orphans::{Subreaper, become_subreaper};
use crate::harness::process::{ProgramSpec, RunningProgram};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// How long any one wait in a test may take before it counts as a failure.
pub(crate) const BUDGET: Duration = Duration::from_secs(20);

/// A spec running `script` with `sh -c` in a fresh directory (kept while the `TempDir` is).
pub(crate) fn sh(script: &str) -> (TempDir, ProgramSpec) {
    let dir = tempfile::tempdir().unwrap();
    let argv = ["sh", "-c", script].map(str::to_owned).to_vec();
    let spec = ProgramSpec::new(argv, dir.path().to_path_buf());
    (dir, spec)
}

/// Starts `spec`, with the test process made a child subreaper first, as `main` makes the
/// grader. The subreaper is held for the whole test run, so it never sweeps on drop.
pub(crate) fn start(spec: &ProgramSpec) -> RunningProgram {
    static SUBREAPER: OnceLock<Option<Subreaper>> = OnceLock::new();
    SUBREAPER.get_or_init(|| become_subreaper().ok());
    match RunningProgram::spawn(spec, Instant::now()) {
        Ok(program) => program,
        Err(error) => panic!("{error}"),
    }
}

/// The texts of one stream's lines.
pub(crate) fn texts(transcript: &Transcript, stream: Stream) -> Vec<&str> {
    transcript
        .stream(stream)
        .map(|line| line.text.as_str())
        .collect()
}

/// The first output line, once there is one.
pub(crate) fn first_line(program: &RunningProgram) -> String {
    assert!(program.wait_for_lines(1, Instant::now() + BUDGET));
    program.lines_since(0)[0].text.clone()
}

/// Whether a process is gone (a zombie waiting for a reaper counts: it runs no more).
pub(crate) fn is_gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with(['Z', 'X'])),
    }
}

/// Waits on a condition that no event announces (another process's death) with a
/// deadline, as `wait_until_bound` does.
pub(crate) fn eventually(condition: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + BUDGET;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    condition()
}

/// Set by [`run_alone`] to the name of the test it runs.
const ALONE: &str = "SOCKLAB_TEST_ALONE";

/// Whether this process runs only the test `name`, as [`run_alone`] starts it. Run with
/// the others (`--include-ignored`), an alone test does nothing: some end with
/// `stop_all_now`, after which no test could start a program, or turn pidfds off for the
/// whole process.
pub(crate) fn is_alone(name: &str) -> bool {
    std::env::var(ALONE).is_ok_and(|alone| alone.ends_with(&format!("::{name}")))
}

/// Runs the ignored test `name` of `module` (the caller's `module_path!()`) alone in a
/// fresh test process, so no other test's sweep, `stop_all_now` or process-wide switch
/// can interfere with (or suffer from) it.
pub(crate) fn run_alone(module: &str, name: &str) {
    let module = module.split_once("::").map_or(module, |(_, path)| path);
    let name = format!("{module}::{name}");
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([&name, "--exact", "--ignored", "--test-threads=1"])
        .env(ALONE, &name)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "{name}:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
