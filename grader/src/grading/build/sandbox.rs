//! Building a submission's directory once, before the scenarios: in a fresh copy of it,
//! in the sandbox its programs run in (its own directory writable and nothing else, the
//! grader's files hidden, the same limits), offline, within a time budget.
//!
//! Offline means a network namespace of its own, with nothing but a loopback, where the
//! grader can make one (as root, or in a user namespace); elsewhere the build shares the
//! grader's network and only the tools' own offline settings hold (`CARGO_NET_OFFLINE`,
//! `GOPROXY=off`). A compiler's temporary files go to a folder inside the copy (`TMPDIR`),
//! since `/tmp` is read-only there, and the folder is removed after the build.

use crate::evidence::{ExitReason, Transcript};
use crate::harness::limits::Limits;
use crate::harness::process::{ProgramSpec, RunningProgram, StopReason};
use crate::harness::submission::{SubmissionError, stage_directory};
use crate::netns::NetNamespace;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a build may take unless `--build-budget` says otherwise: a course's C, Java
/// or Go program builds in seconds; a Rust one with no dependencies in well under this.
pub const DEFAULT_BUILD_BUDGET: Duration = Duration::from_secs(120);

/// Lines of the build's output a failure quotes, from its first error line.
pub const QUOTED_LINES: usize = 6;

/// Where the build's temporary files go, inside its copy.
const TEMPORARY_DIR: &str = ".socklab-build-tmp";

/// Between SIGTERM and SIGKILL when a build runs past its budget.
const GRACE: Duration = Duration::from_millis(500);

/// One build to make.
#[derive(Clone, Debug)]
pub struct BuildRequest<'a> {
    /// The submission's directory (never written: it is copied first).
    pub source: &'a Path,
    /// The shell command that builds it, run with `sh -c` in the copy.
    pub command: &'a str,
    /// A fresh directory for the copy, under `private_root`.
    pub into: &'a Path,
    /// The grader's work directory: the build sees nothing else of it.
    pub private_root: &'a Path,
    /// Directories the build may not read (`--out`, `--hide`).
    pub hidden: &'a [PathBuf],
    pub budget: Duration,
}

/// How a build ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BuildOutcome {
    /// The command exited 0.
    Built { took_ms: u64 },
    /// It did not: how it ended, and the lines a report quotes.
    Failed {
        ending: BuildEnding,
        lines: Vec<String>,
    },
}

/// How a failed build ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BuildEnding {
    Exited {
        code: i32,
    },
    Signalled {
        signal: i32,
    },
    /// Still running when its budget ran out, so the grader stopped it.
    OverBudget {
        budget_ms: u64,
    },
    /// The command could not be started at all.
    NotStarted {
        why: String,
    },
}

impl std::fmt::Display for BuildEnding {
    /// `exited with status 2`, `did not finish within 2m`: after "the build".
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildEnding::Exited { code } => write!(formatter, "exited with status {code}"),
            BuildEnding::Signalled { signal } => write!(formatter, "was killed by signal {signal}"),
            BuildEnding::OverBudget { budget_ms } => write!(
                formatter,
                "did not finish within its budget of {} and was stopped",
                humantime::format_duration(Duration::from_millis(*budget_ms))
            ),
            BuildEnding::NotStarted { why } => write!(formatter, "could not be started: {why}"),
        }
    }
}

/// Copies `request.source` into `request.into` and runs the build there; returns the copy
/// (the build's output, where the programs are then found) and how it ended. `Err` only
/// when the directory cannot be copied (too large, a link out of it).
pub fn run_build(request: &BuildRequest<'_>) -> Result<(PathBuf, BuildOutcome), SubmissionError> {
    let dir = stage_directory(request.source, request.into)?;
    let temporary = dir.join(TEMPORARY_DIR);
    let _ = std::fs::create_dir(&temporary);
    let started = Instant::now();
    let outcome = match spawn(request, &dir, &temporary, started) {
        Ok(program) => {
            let deadline = started + request.budget;
            let transcript = if program.wait_until(deadline) {
                program.finish()
            } else {
                program.stop(GRACE, StopReason::Deadline)
            };
            outcome(&transcript, request.budget, started.elapsed())
        }
        Err(why) => BuildOutcome::Failed {
            ending: BuildEnding::NotStarted { why },
            lines: Vec::new(),
        },
    };
    let _ = std::fs::remove_dir_all(&temporary);
    Ok((dir, outcome))
}

/// Starts `sh -c COMMAND` in `dir` in the sandbox.
fn spawn(
    request: &BuildRequest<'_>,
    dir: &Path,
    temporary: &Path,
    origin: Instant,
) -> Result<RunningProgram, String> {
    let argv = vec!["sh".to_owned(), "-c".to_owned(), request.command.to_owned()];
    let mut spec = ProgramSpec::new(argv, dir.to_path_buf());
    spec.extra_env = vec![
        ("TMPDIR".to_owned(), temporary.display().to_string()),
        ("CARGO_NET_OFFLINE".to_owned(), "true".to_owned()),
        ("GOPROXY".to_owned(), "off".to_owned()),
        ("GOTOOLCHAIN".to_owned(), "local".to_owned()),
    ];
    spec.private_root = Some(request.private_root.to_path_buf());
    spec.hidden = request.hidden.to_vec();
    // No network but its own loopback, where a namespace can be made (see the module's doc).
    spec.network_namespace = NetNamespace::create().ok().map(Arc::new);
    spec.limits = Limits {
        cpu_time: request.budget,
        ..Limits::default()
    };
    RunningProgram::spawn(&spec, origin).map_err(|error| error.to_string())
}

/// How the build that left `transcript` ended, and what a failure quotes.
fn outcome(transcript: &Transcript, budget: Duration, took: Duration) -> BuildOutcome {
    let ending = match transcript.exit {
        Some(ExitReason::Exited { code: 0 }) => {
            return BuildOutcome::Built {
                took_ms: millis(took),
            };
        }
        Some(ExitReason::Exited { code }) => BuildEnding::Exited { code },
        Some(ExitReason::Signalled { signal }) => BuildEnding::Signalled { signal },
        Some(ExitReason::DeadlineExceeded | ExitReason::StoppedByGrader) | None => {
            BuildEnding::OverBudget {
                budget_ms: millis(budget),
            }
        }
    };
    let lines: Vec<String> = transcript
        .lines
        .iter()
        .map(|line| line.text.clone())
        .collect();
    BuildOutcome::Failed {
        ending,
        lines: first_error_lines(&lines),
    }
}

/// The compiler's first error and the lines after it (`UDP_Client.c:12:5: error: …` and
/// its context), up to [`QUOTED_LINES`]; the last lines when none says "error".
pub fn first_error_lines(lines: &[String]) -> Vec<String> {
    let start = lines
        .iter()
        .position(|line| line.to_ascii_lowercase().contains("error"))
        .unwrap_or_else(|| lines.len().saturating_sub(QUOTED_LINES));
    lines[start..].iter().take(QUOTED_LINES).cloned().collect()
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a directory holding `files` with `command`; the work directory is returned
    /// to keep the output alive.
    fn build(
        files: &[(&str, &str)],
        command: &str,
        budget: Duration,
    ) -> (tempfile::TempDir, PathBuf, BuildOutcome) {
        let work = tempfile::tempdir().unwrap();
        let source = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(source.path().join(name), text).unwrap();
        }
        let into = work.path().join("build");
        let (dir, outcome) = run_build(&BuildRequest {
            source: source.path(),
            command,
            into: &into,
            private_root: work.path(),
            hidden: &[],
            budget,
        })
        .unwrap();
        (work, dir, outcome)
    }

    #[test]
    fn a_build_runs_in_a_copy_and_leaves_its_output_there() {
        let (_work, dir, outcome) = build(
            &[("Makefile", "all:\n\techo built > out.txt\n")],
            "make",
            Duration::from_secs(30),
        );
        assert!(matches!(outcome, BuildOutcome::Built { .. }), "{outcome:?}");
        assert_eq!(
            std::fs::read_to_string(dir.join("out.txt")).unwrap(),
            "built\n"
        );
        assert!(!dir.join(TEMPORARY_DIR).exists());
    }

    #[test]
    fn a_build_is_offline_in_a_network_namespace_of_its_own() {
        if let Err(why) = NetNamespace::create() {
            println!("skipped: no network namespaces here ({why})");
            return;
        }
        let (_work, dir, outcome) = build(
            &[],
            "readlink /proc/self/ns/net > ns.txt",
            Duration::from_secs(30),
        );
        assert!(matches!(outcome, BuildOutcome::Built { .. }), "{outcome:?}");
        let theirs = std::fs::read_to_string(dir.join("ns.txt")).unwrap();
        let ours = std::fs::read_link("/proc/self/ns/net").unwrap();
        assert_ne!(theirs.trim(), ours.display().to_string());
    }

    #[test]
    fn a_failing_build_quotes_its_first_error() {
        // All on stderr: lines of two pipes have no order between them, and the point is
        // that what comes before the first error is not quoted.
        let script = "echo compiling >&2; echo 'a.c:3:1: error: expected ;' >&2; \
                      echo 'note: here' >&2; exit 2";
        let (_work, _, outcome) = build(&[], script, Duration::from_secs(30));
        let BuildOutcome::Failed { ending, lines } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(ending, BuildEnding::Exited { code: 2 });
        assert_eq!(lines, ["a.c:3:1: error: expected ;", "note: here"]);
    }

    #[test]
    fn a_build_past_its_budget_is_stopped_and_says_so() {
        let (_work, _, outcome) = build(&[], "sleep 30", Duration::from_millis(300));
        let BuildOutcome::Failed { ending, .. } = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(ending, BuildEnding::OverBudget { budget_ms: 300 });
        assert!(ending.to_string().contains("300ms"), "{ending}");
    }
}
