//! Which program plays each side, and the command line that starts it.

use crate::case::ProgramTemplates;
use crate::grading::build::program_command;
use crate::harness::submission::{interpreter_command, stage, stage_directory};
use crate::harness::template::{Placeholders, expand, expand_arguments, expand_with_program};
use std::path::{Path, PathBuf};

/// Why a program's command line could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CommandLineError {
    /// The template or command is wrong: fix the arguments or the case.
    #[error("{0}")]
    Template(#[from] crate::harness::template::TemplateError),
    /// The submission cannot be staged or has no way to run.
    #[error("{0}")]
    Submission(#[from] crate::harness::submission::SubmissionError),
    /// The build made no program of the name the template gives.
    #[error("{0}")]
    NotBuilt(#[from] crate::grading::build::LocateError),
    /// A compiled submission reached a run before its build (the session builds first).
    #[error("{} was not built before the scenarios", dir.display())]
    BuildSkipped { dir: PathBuf },
}

/// Who plays one side of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramChoice {
    /// The built-in reference peer.
    Reference,
    /// A student's file, run with its interpreter and the case's template, or with the
    /// arguments given on the command line (`--server-args '{port} .'`: arguments only).
    Submission {
        file: PathBuf,
        arguments: Option<String>,
    },
    /// A full command line, run as given (placeholders filled in), in a copy of
    /// `stage_from` when a directory is given (`--server DIR --server-cmd …`: its relative
    /// paths then work), else in an empty directory of its own.
    Command {
        command: String,
        stage_from: Option<PathBuf>,
    },
    /// A directory with a build file (`--client DIR` holding a `Makefile`, `*.java`, …),
    /// built once before the scenarios (see [`crate::grading::build`]) with `command`
    /// (`--build-cmd`), else the case's `build`, else its build file's usual command.
    Unbuilt {
        dir: PathBuf,
        command: Option<String>,
        arguments: Option<String>,
    },
    /// A directory built before the scenarios: each run gets a fresh copy of `output` and
    /// runs from it the program its template names, with the template's arguments (or
    /// `arguments`, as for a submission file).
    Built {
        dir: PathBuf,
        command: String,
        output: PathBuf,
        arguments: Option<String>,
    },
}

impl ProgramChoice {
    /// How reports name it.
    pub fn label(&self) -> String {
        match self {
            ProgramChoice::Reference => "reference".to_owned(),
            ProgramChoice::Submission { file, .. } => file.display().to_string(),
            ProgramChoice::Command {
                command,
                stage_from: None,
            } => format!("`{command}`"),
            ProgramChoice::Command {
                command,
                stage_from: Some(dir),
            } => format!("`{command}` in {}", dir.display()),
            ProgramChoice::Unbuilt { dir, .. } => dir.display().to_string(),
            ProgramChoice::Built { dir, command, .. } => {
                format!("{} (built with `{command}`)", dir.display())
            }
        }
    }

    /// The argv that starts this program in `dir` (where a submission, or the directory a
    /// command is given with, is staged first).
    pub fn command_line(
        &self,
        templates: &ProgramTemplates,
        reference_launcher: &[String],
        dir: &Path,
        values: &Placeholders,
    ) -> Result<Vec<String>, CommandLineError> {
        match self {
            ProgramChoice::Reference => {
                let mut argv = reference_launcher.to_vec();
                argv.extend(expand(&templates.reference, values)?);
                Ok(argv)
            }
            ProgramChoice::Submission { file, arguments } => {
                let staged = stage(file, dir)?;
                let program = interpreter_command(&staged)?;
                Ok(match arguments {
                    Some(arguments) => expand_arguments(arguments, &program, values)?,
                    None => expand_with_program(&templates.run, &program, values)?,
                })
            }
            ProgramChoice::Command {
                command,
                stage_from,
            } => {
                if let Some(source) = stage_from {
                    stage_directory(source, dir)?;
                }
                Ok(expand(command, values)?)
            }
            ProgramChoice::Unbuilt { dir, .. } => {
                Err(CommandLineError::BuildSkipped { dir: dir.clone() })
            }
            ProgramChoice::Built {
                output, arguments, ..
            } => {
                let staged = stage_directory(output, dir)?;
                let program = program_command(&staged, built_program_name(&templates.run))?;
                Ok(match arguments {
                    Some(arguments) => expand_arguments(arguments, &program, values)?,
                    None => expand_with_program(&templates.run, &program, values)?,
                })
            }
        }
    }
}

/// The program a `run` template names: its first word (`UDP_Server` of `UDP_Server
/// {port}`), which a compiled submission's build must make.
pub fn built_program_name(run_template: &str) -> &str {
    run_template
        .split_whitespace()
        .next()
        .unwrap_or(run_template)
}
