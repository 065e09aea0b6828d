//! Which program plays each side, and the command line that starts it.

use crate::case::ProgramTemplates;
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
        }
    }
}
