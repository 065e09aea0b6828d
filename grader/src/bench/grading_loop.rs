//! The grading loop's cost: `grader check rdt3` on the reference peers, run as a child of
//! its own, timed on the wall, with the grader's own CPU told apart from its programs'.
//!
//! The split comes from the child's `/proc/PID/stat` read while it is a zombie (waited for
//! with `WNOWAIT`, not yet reaped): `utime + stime` is the grader's own, `cutime + cstime`
//! that of the programs (and reference peers) it started and reaped. Both are in clock
//! ticks (10 ms), so per scenario the resolution is 10 ms divided by the scenarios.

use super::stats::Distribution;
use nix::sys::wait::{Id, WaitPidFlag, waitid};
use serde::Serialize;
use std::io;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One `grader check` run.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct CheckRun {
    pub wall_ms: f64,
    /// The grader's own CPU (user + system).
    pub grader_cpu_ms: f64,
    /// The CPU of the programs it ran.
    pub programs_cpu_ms: f64,
    pub scenarios: usize,
    /// The check's exit code (0: every graded check passed).
    pub exit_code: i32,
}

/// Several runs, summarised.
#[derive(Clone, Debug, Serialize)]
pub struct GradingFigures {
    pub case: String,
    pub runs: Vec<CheckRun>,
    /// The median and the slowest whole `grader check`.
    pub wall_ms_median: f64,
    pub wall_ms_max: f64,
    /// The grader's own CPU per scenario: the median and the highest of the runs.
    pub grader_cpu_per_scenario_ms_median: f64,
    pub grader_cpu_per_scenario_ms_max: f64,
}

/// Runs `grader check CASE --format json` `runs` times with `grader`.
pub fn measure(grader: &Path, case: &str, runs: usize) -> io::Result<GradingFigures> {
    let runs: Vec<CheckRun> = (0..runs)
        .map(|_| check_once(grader, case))
        .collect::<io::Result<_>>()?;
    let wall = Distribution::of(&runs.iter().map(|run| run.wall_ms).collect::<Vec<_>>());
    let per_scenario: Vec<f64> = runs
        .iter()
        .map(|run| run.grader_cpu_ms / run.scenarios.max(1) as f64)
        .collect();
    let per_scenario = Distribution::of(&per_scenario);
    // `Distribution` is unit-free arithmetic; these samples are milliseconds.
    Ok(GradingFigures {
        case: case.to_owned(),
        runs,
        wall_ms_median: wall.median_us,
        wall_ms_max: wall.max_us,
        grader_cpu_per_scenario_ms_median: per_scenario.median_us,
        grader_cpu_per_scenario_ms_max: per_scenario.max_us,
    })
}

fn check_once(grader: &Path, case: &str) -> io::Result<CheckRun> {
    let started = Instant::now();
    let mut child = Command::new(grader)
        .args(["check", case, "--format", "json"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    // Read to its end while the child runs, so a full pipe cannot stall it.
    let mut stdout = Vec::new();
    if let Some(mut pipe) = child.stdout.take() {
        io::Read::read_to_end(&mut pipe, &mut stdout)?;
    }
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
    // Exited but not reaped: its /proc entry still holds its CPU times.
    waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT).map_err(io::Error::from)?;
    let wall = started.elapsed();
    let cpu = zombie_cpu(child.id());
    let status = child.wait()?;
    let (grader_cpu, programs_cpu) = cpu?;
    let report: serde_json::Value = serde_json::from_slice(&stdout).unwrap_or_default();
    let scenarios = report["scenarios"].as_array().map_or(0, Vec::len);
    Ok(CheckRun {
        wall_ms: millis(wall),
        grader_cpu_ms: millis(grader_cpu),
        programs_cpu_ms: millis(programs_cpu),
        scenarios,
        exit_code: status.code().unwrap_or(-1),
    })
}

/// The exited (not yet reaped) process's own CPU and its reaped children's.
fn zombie_cpu(pid: u32) -> io::Result<(Duration, Duration)> {
    let stat = procfs::process::Process::new(i32::try_from(pid).unwrap_or(i32::MAX))
        .and_then(|process| process.stat())
        .map_err(io::Error::other)?;
    let tick = 1.0 / procfs::ticks_per_second() as f64;
    let own = (stat.utime + stat.stime) as f64 * tick;
    let children = (stat.cutime + stat.cstime).max(0) as f64 * tick;
    Ok((
        Duration::from_secs_f64(own),
        Duration::from_secs_f64(children),
    ))
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
