//! `grader check --submission DIR`: the client and server taken from a submission's folder
//! the way `grader batch` finds them, for the platforms' entry scripts (`grader package`),
//! which then need no discovery of their own and no JSON of their own when a file is
//! missing or cannot be run: the student gets the grader's own report, scoring 0, saying
//! why.

use crate::args::CheckArgs;
use crate::error::GraderError;
use socklab_grader::analyzer::{Case, LoadedCase};
use socklab_grader::batch::{locate, program_name};
use socklab_grader::case::PlannedRun;
use socklab_grader::grading::build::BuildSystem;
use socklab_grader::grading::missing::{MissingPrograms, missing_programs_report};
use socklab_grader::grading::program::CommandLineError;
use socklab_grader::grading::{GradeReport, RunError, RunSettings};
use std::path::Path;

/// What keeps the submission from being run: each program's problem, and how reports name
/// both.
#[derive(Debug)]
pub struct Missing {
    problems: Vec<String>,
    client: String,
    server: String,
}

impl Missing {
    /// The report in which every run fails `startup` for these problems.
    pub fn report(
        &self,
        loaded: &LoadedCase,
        runs: &[PlannedRun],
        settings: &RunSettings,
    ) -> GradeReport {
        missing_programs_report(
            loaded,
            runs,
            &MissingPrograms {
                seed: settings.seed,
                mode: format!("{} ({})", settings.mode.mode.name(), settings.mode.reason),
                client: self.client.clone(),
                server: self.server.clone(),
                problems: &self.problems,
                replay: settings.replay.clone(),
            },
        )
    }
}

/// Finds the client and server in `dir` (named by `--client-name`/`--server-name` or the
/// case's `run` templates) and sets `--client`/`--server` to them; `Some` when one is
/// missing or ambiguous. A folder with a build file is given as both, to be built.
pub fn take_programs(
    case: &Case,
    dir: &Path,
    arguments: &mut CheckArgs,
) -> Result<Option<Missing>, GraderError> {
    if !dir.is_dir() {
        return Err(GraderError::NotASubmissionFolder {
            dir: dir.to_path_buf(),
        });
    }
    // A compiled submission: both programs come out of its build (see `grading::build`).
    if BuildSystem::detect(dir).is_some() {
        arguments.client = Some(dir.to_path_buf());
        arguments.server = Some(dir.to_path_buf());
        return Ok(None);
    }
    let name = |given: &Option<String>, run: &str| {
        given
            .clone()
            .unwrap_or_else(|| program_name(run).unwrap_or(run).to_owned())
    };
    let client_name = name(&arguments.client_name, &case.programs.client.run);
    let server_name = name(&arguments.server_name, &case.programs.server.run);
    let client = locate(dir, &client_name);
    let server = locate(dir, &server_name);
    let mut problems = Vec::new();
    for (role, located) in [("client", &client), ("server", &server)] {
        if let Some(problem) = located.problem(dir) {
            problems.push(format!("the {role}: {problem}"));
        }
    }
    let label = |file: Option<&Path>, name: &str| match file {
        Some(file) => file.display().to_string(),
        None => format!("{name} (not found)"),
    };
    if problems.is_empty() {
        arguments.client = client.file().map(Path::to_path_buf);
        arguments.server = server.file().map(Path::to_path_buf);
        return Ok(None);
    }
    Ok(Some(Missing {
        problems,
        client: label(client.file(), &client_name),
        server: label(server.file(), &server_name),
    }))
}

/// A grading of files found by `--submission` that stopped because one of them cannot be
/// run (no `#!` line and not executable, a link out of its folder, a folder too large):
/// the submission's failure, reported as such rather than as the grader's error. Any
/// other error is passed on.
pub fn unrunnable(error: RunError, settings: &RunSettings) -> Result<Missing, RunError> {
    match error {
        RunError::CommandLine {
            role,
            source: CommandLineError::Submission(problem),
        } => Ok(Missing {
            problems: vec![format!("the {role} cannot be run: {problem}")],
            client: settings.client.label(),
            server: settings.server.label(),
        }),
        other => Err(other),
    }
}
