//! Before the scenarios: build each compiled submission of the session once (once for
//! both sides when `--client` and `--server` name the same directory, once per submission
//! across a batch's `grader check`s with a [`BuildCache`]), and make sure the build made
//! the programs the case's templates name.

use super::cache::BuildCache;
use super::locate::program_command;
use super::sandbox::{BuildEnding, BuildOutcome, BuildRequest, run_build};
use super::system::BuildSystem;
use crate::analyzer::Case;
use crate::grading::program::{ProgramChoice, built_program_name};
use crate::grading::progress::Progress;
use crate::grading::run::{RunError, RunSettings};
use crate::harness::submission::SubmissionError;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The session's settings with every compiled submission built, or why one is not.
#[derive(Debug)]
pub enum Prepared {
    Ready(Box<RunSettings>),
    Failed(BuildFailure),
}

/// A compiled submission that did not build, or whose build did not make a program the
/// case runs: what every run's `build` outcome says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildFailure {
    pub dir: PathBuf,
    pub command: String,
    /// One sentence: how the build ended, or which program it did not make.
    pub problem: String,
    /// The compiler's first error lines, as it printed them.
    pub lines: Vec<String>,
}

/// Builds what `settings` names as [`ProgramChoice::Unbuilt`]; settings without any are
/// returned as they are. `Err` when a directory cannot be copied or its build kept.
pub fn build_programs(case: &Case, settings: &RunSettings) -> Result<Prepared, RunError> {
    let mut ready = settings.clone();
    // The builds made in this session, by directory and command.
    let mut made: Vec<(PathBuf, String, PathBuf, BuildOutcome)> = Vec::new();
    for (side, choice, template) in [
        ("client", &mut ready.client, &case.programs.client.run),
        ("server", &mut ready.server, &case.programs.server.run),
    ] {
        let ProgramChoice::Unbuilt {
            dir,
            command,
            arguments,
        } = choice.clone()
        else {
            continue;
        };
        let command = command
            .or_else(|| case.programs.build.clone())
            .or_else(|| BuildSystem::detect(&dir).map(|system| system.default_command().to_owned()))
            .unwrap_or_else(|| "make".to_owned());
        let known = made
            .iter()
            .find(|(source, used, ..)| *source == dir && *used == command);
        let (output, outcome) = match known {
            Some((_, _, output, outcome)) => (output.clone(), outcome.clone()),
            None => {
                let built = build_once(&dir, &command, side, settings)?;
                made.push((
                    dir.clone(),
                    command.clone(),
                    built.0.clone(),
                    built.1.clone(),
                ));
                built
            }
        };
        let failure = |problem: String, lines: Vec<String>| BuildFailure {
            dir: dir.clone(),
            command: command.clone(),
            problem,
            lines,
        };
        if let BuildOutcome::Failed { ending, lines } = outcome {
            return Ok(Prepared::Failed(failure(
                format!("the build {ending}"),
                lines,
            )));
        }
        if let Err(missing) = program_command(&output, built_program_name(template)) {
            return Ok(Prepared::Failed(failure(
                format!("the build succeeded, but {missing}"),
                Vec::new(),
            )));
        }
        *choice = ProgramChoice::Built {
            dir,
            command,
            output,
            arguments,
        };
    }
    Ok(Prepared::Ready(Box::new(ready)))
}

/// `dir` built with `command`: taken from the cache when it holds that build, else made
/// in the session's work directory (and kept in the cache, if any).
fn build_once(
    dir: &Path,
    command: &str,
    side: &str,
    settings: &RunSettings,
) -> Result<(PathBuf, BuildOutcome), RunError> {
    let cache = settings
        .build_cache
        .as_deref()
        .map(|dir| BuildCache { dir });
    if let Some(kept) = cache.and_then(|cache| cache.lookup(dir, command)) {
        return Ok(kept);
    }
    let into = settings.work_root.join(format!("build-{side}"));
    let uncopyable = |source: SubmissionError| RunError::Internal {
        context: format!("cannot build {}", dir.display()),
        source: std::io::Error::other(source.to_string()),
    };
    let built = run_build(&BuildRequest {
        source: dir,
        command,
        into: &into,
        private_root: &settings.work_root,
        hidden: &settings.hidden,
        budget: settings.build_budget,
    });
    // A directory too large to copy, or with a link out of it, is the submission's
    // fault: a build that could not start, not the grader's error.
    let (output, outcome) = built.unwrap_or_else(|error| {
        let ending = BuildEnding::NotStarted {
            why: format!("its directory cannot be copied: {error}"),
        };
        let lines = Vec::new();
        (into.clone(), BuildOutcome::Failed { ending, lines })
    });
    if let (Some(sink), BuildOutcome::Built { took_ms }) = (&settings.progress, &outcome) {
        sink.report(Progress::Built {
            dir,
            command,
            took: Duration::from_millis(*took_ms),
        });
    }
    match cache {
        Some(cache) => {
            let kept = cache
                .store(dir, command, &output, &outcome)
                .map_err(uncopyable)?;
            Ok((kept, outcome))
        }
        None => Ok((output, outcome)),
    }
}
