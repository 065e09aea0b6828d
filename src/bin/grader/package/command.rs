//! `grader package PLATFORM --case CASE -o OUT`: the arguments, and which files each
//! platform gets.

use super::plan::Plan;
use super::scripts;
use super::write::{PackageFile, write_directory, write_zip};
use crate::error::GraderError;
use clap::{Args, ValueEnum};
use socklab_grader::case::CaseSource;
use socklab_grader::case::builtin::builtin_case;
use socklab_grader::case::load::load_case;
use socklab_grader::exit_code;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct PackageArgs {
    /// `gradescope` (an autograder.zip), `prairielearn` (an external-grader directory) or
    /// `github` (a GitHub Classroom / Actions workflow and what it runs, for a template
    /// repository).
    pub platform: Platform,
    /// A built-in case name (rdt3) or the path of a case YAML file; its text goes into the
    /// package.
    #[arg(long)]
    pub case: String,
    /// Where to write: the zip (gradescope) or the directory (prairielearn, github).
    #[arg(short = 'o', long = "out", value_name = "PATH")]
    pub out: PathBuf,
    /// The submission's client file name, without extension (default: the case's, as in
    /// its `run` template: `UDP_Client`).
    #[arg(long, value_name = "NAME")]
    pub client_name: Option<String>,
    /// The submission's server file name, without extension (default: the case's).
    #[arg(long, value_name = "NAME")]
    pub server_name: Option<String>,
    /// The seed every submission is graded with (default: the one `grader batch` derives
    /// from the case's name), so every student sees the same link.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// `grader package PLATFORM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Platform {
    Gradescope,
    Prairielearn,
    Github,
}

pub fn package(arguments: PackageArgs) -> Result<i32, GraderError> {
    let source = CaseSource::from_argument(&arguments.case);
    let loaded = load_case(&source).map_err(GraderError::InvalidCase)?;
    let case_text = match &source {
        CaseSource::Builtin(name) => builtin_case(name).unwrap_or_default().to_owned(),
        CaseSource::File(path) => {
            std::fs::read_to_string(path).map_err(|source| GraderError::ReadCaseFile {
                path: path.clone(),
                source,
            })?
        }
    };
    let plan = Plan::new(
        &loaded,
        case_text,
        arguments.client_name,
        arguments.server_name,
        arguments.seed,
    );
    // The running executable: the grader that built the package grades with it, and it
    // holds the reference peers (`grader reference`) for cases that use them.
    let grader = std::env::current_exe().map_err(|source| GraderError::OwnExecutable { source })?;
    let written = match arguments.platform {
        Platform::Gradescope => write_zip(
            &arguments.out,
            &[
                PackageFile::script("setup.sh", scripts::gradescope_setup(&plan)),
                PackageFile::script("run_autograder", scripts::gradescope_run(&plan)),
                PackageFile::text("case.yaml", plan.case_text.clone()),
                PackageFile::binary("grader", grader),
            ],
        ),
        Platform::Prairielearn => write_directory(
            &arguments.out,
            &[
                PackageFile::script(
                    "serverFilesCourse/socklab/run",
                    scripts::prairielearn_run(&plan),
                ),
                PackageFile::text(
                    "serverFilesCourse/socklab/case.yaml",
                    plan.case_text.clone(),
                ),
                PackageFile::binary("serverFilesCourse/socklab/grader", grader),
                PackageFile::text(
                    "info-externalGradingOptions.json",
                    scripts::prairielearn_options(&plan),
                ),
            ],
        ),
        Platform::Github => write_directory(
            &arguments.out,
            &[
                PackageFile::text(
                    ".github/workflows/socklab.yml",
                    scripts::github_workflow(&plan),
                ),
                PackageFile::script(".socklab/grade", scripts::github_grade(&plan)),
                PackageFile::text(".socklab/case.yaml", plan.case_text.clone()),
                PackageFile::binary(".socklab/grader", grader),
            ],
        ),
    };
    written.map_err(|source| GraderError::WritePackage {
        path: arguments.out.clone(),
        source,
    })?;
    eprintln!(
        "wrote {} for case {} (client {}.*, server {}.*, seed {})",
        arguments.out.display(),
        plan.case_name,
        plan.client_name,
        plan.server_name,
        plan.seed
    );
    Ok(exit_code::PASSED)
}
