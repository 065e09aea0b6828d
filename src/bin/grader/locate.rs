//! `grader locate`: where `grader batch` finds a submission's programs, for scripts that
//! grade one submission (a Gradescope `run_autograder`) and should find files the same way.

use crate::error::GraderError;
use clap::Args;
use socklab_grader::batch::{Located, locate_programs};
use socklab_grader::case::CaseSource;
use socklab_grader::case::load::load_case;
use socklab_grader::exit_code;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct LocateArgs {
    /// The submission's folder.
    pub dir: PathBuf,
    /// A built-in case name (rdt3) or the path of a case YAML file: it names the programs.
    #[arg(long)]
    pub case: String,
    /// Print only this program's path (`client` or `server`).
    #[arg(long, value_enum)]
    pub program: Option<Side>,
}

/// One of the two programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Side {
    Client,
    Server,
}

/// Prints `client PATH` and `server PATH` (or one bare path with `--program`); exits 1,
/// saying why on stderr, when a program asked for is not found or is ambiguous.
pub fn locate(arguments: LocateArgs) -> Result<i32, GraderError> {
    let loaded =
        load_case(&CaseSource::from_argument(&arguments.case)).map_err(GraderError::InvalidCase)?;
    if !arguments.dir.is_dir() {
        return Err(GraderError::NotASubmissionFolder { dir: arguments.dir });
    }
    let programs = locate_programs(&loaded.case, &arguments.dir);
    let wanted: Vec<(&str, &Located)> = match arguments.program {
        Some(Side::Client) => vec![("client", &programs.client)],
        Some(Side::Server) => vec![("server", &programs.server)],
        None => vec![("client", &programs.client), ("server", &programs.server)],
    };
    let mut stdout = std::io::stdout();
    let mut code = exit_code::PASSED;
    for (side, located) in wanted {
        let line = match (located.file(), arguments.program) {
            (Some(file), Some(_)) => file.display().to_string(),
            (Some(file), None) => format!("{side} {}", file.display()),
            (None, _) => {
                let problem = located.problem(&arguments.dir).unwrap_or_default();
                eprintln!("{side}: {problem}");
                code = exit_code::FAILED;
                continue;
            }
        };
        writeln!(stdout, "{line}").map_err(|source| GraderError::WriteOutput { source })?;
    }
    Ok(code)
}
