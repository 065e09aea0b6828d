//! Test helpers for the harness: shell snippets run as programs, the way the grader runs
//! them, and waiting (with a deadline) for other processes to die.

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
