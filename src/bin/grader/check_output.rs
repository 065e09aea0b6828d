//! What `grader check` writes once grading is over: the evidence bundle (`--out`), then the
//! report in its format on stdout and in `--results`; or, when the grader failed, what each
//! format says instead of a grade.
//!
//! The bundle is written first and the report last, so that a failure anywhere (the bundle,
//! `--results`, stdout) happens before a platform could have read a grade: the grade is the
//! last thing written, and only when everything before it worked.

use crate::args::{CheckArgs, ExitStatus, ReportFormat};
use crate::error::GraderError;
use crate::exit_policy::{self, Findings};
use socklab_grader::analyzer::Case;
use socklab_grader::check::Status;
use socklab_grader::exit_code;
use socklab_grader::grading::GradeReport;
use socklab_grader::report::{self, bundle, terminal::write_report};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where and how the result of one `grader check` is written.
#[derive(Debug)]
pub struct Delivery {
    pub format: ReportFormat,
    pub results: Option<PathBuf>,
    pub autolab_problem: Option<String>,
    pub exit_status: Option<ExitStatus>,
    pub out: Option<PathBuf>,
}

impl Delivery {
    /// The delivery `arguments` ask for; `--results` needs a machine format.
    pub fn from_arguments(arguments: &CheckArgs) -> Result<Delivery, GraderError> {
        if arguments.results.is_some() && arguments.format == ReportFormat::Terminal {
            return Err(GraderError::ResultsWithTerminal);
        }
        Ok(Delivery {
            format: arguments.format,
            results: arguments.results.clone(),
            autolab_problem: arguments.autolab_problem.clone(),
            exit_status: arguments.exit_status,
            out: arguments.out.clone(),
        })
    }

    /// Writes the bundle, then the report; returns the exit code.
    pub fn deliver(&self, report: &GradeReport, case: &Case) -> Result<i32, GraderError> {
        if let Some(dir) = &self.out {
            bundle::write(dir, report).map_err(|source| GraderError::WriteEvidence {
                dir: dir.clone(),
                source,
            })?;
        }
        let findings = Findings {
            failed: report.any_failed(),
            errored: report.any_error(),
        };
        if findings.errored && exit_policy::is_platform(self.format) {
            // A grade with holes the grader made is no grade: write none.
            return Err(GraderError::Unjudged {
                checks: unjudged(report),
            });
        }
        match self.render(report, case)? {
            Some(text) => {
                if let Some(path) = &self.results {
                    write_results(path, &text)?;
                }
                // Plain bytes: a machine format never carries terminal styling.
                writeln!(std::io::stdout(), "{text}").map_err(cannot_write)?;
            }
            None => write_report(&mut anstream::stdout(), report).map_err(cannot_write)?,
        }
        Ok(exit_policy::exit_code(
            self.format,
            self.exit_status,
            findings,
        ))
    }

    /// After `error`, what the format says in place of a grade, on stdout and in
    /// `--results`: PrairieLearn's `gradable: false`, TAP's `Bail out!`, a line Autolab
    /// cannot take for a score. The other formats write nothing (Gradescope then shows the
    /// run as failed, with no score). Best effort: the error is what `main` reports.
    pub fn no_grade(&self, error: &GraderError) {
        let reason = why_not_graded(error);
        let text = match self.format {
            ReportFormat::Prairielearn => {
                report::prairielearn::render(report::prairielearn::not_gradable(&reason)).ok()
            }
            ReportFormat::Tap => Some(report::tap::bail_out(&reason).trim_end().to_owned()),
            ReportFormat::Autolab => Some(report::autolab::no_score(&reason)),
            ReportFormat::Terminal
            | ReportFormat::Json
            | ReportFormat::Junit
            | ReportFormat::Ctrf
            | ReportFormat::Gradescope
            | ReportFormat::Classroom => None,
        };
        let Some(text) = text else { return };
        if let Some(path) = &self.results
            && !matches!(error, GraderError::WriteResults { .. })
        {
            let _ = write_results(path, &text);
        }
        let _ = writeln!(std::io::stdout(), "{text}");
    }

    /// The report as text, or `None` for the terminal's, which is written styled.
    fn render(&self, report: &GradeReport, case: &Case) -> Result<Option<String>, GraderError> {
        let text = match self.format {
            ReportFormat::Terminal => return Ok(None),
            ReportFormat::Json => report::json::render(report).map_err(cannot_write)?,
            ReportFormat::Junit => report::junit::render(report).map_err(cannot_write)?,
            ReportFormat::Tap => report::tap::render(report).trim_end().to_owned(),
            ReportFormat::Ctrf => {
                report::ctrf::render(report, self.out.as_deref()).map_err(cannot_write)?
            }
            ReportFormat::Gradescope => {
                report::gradescope::render(report, case).map_err(cannot_write)?
            }
            ReportFormat::Classroom => report::classroom::render(report).map_err(cannot_write)?,
            ReportFormat::Prairielearn => {
                report::prairielearn::render(report::prairielearn::results(report))
                    .map_err(cannot_write)?
            }
            ReportFormat::Autolab => {
                let problem = self.autolab_problem.as_deref().unwrap_or(&report.case_name);
                report::autolab::render(report, problem).map_err(cannot_write)?
            }
        };
        Ok(Some(text))
    }
}

/// Why nothing was graded, blaming the grader only when it failed (exit 70): a program that
/// could not start (3) or a setup refused (2: the case, the arguments, a missing file) may
/// be the submission's doing or the course's, and the error says which.
fn why_not_graded(error: &GraderError) -> String {
    if error.process_exit_code() == exit_code::INTERNAL {
        format!("the grader failed, not the submission: {error}")
    } else {
        format!("nothing was graded: {error}")
    }
}

/// `text` and its line end to `path`, its folders made first (PrairieLearn does not make
/// `/grade/results`).
fn write_results(path: &Path, text: &str) -> Result<(), GraderError> {
    let write = || -> std::io::Result<()> {
        if let Some(parent) = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, format!("{text}\n"))
    };
    write().map_err(|source| GraderError::WriteResults {
        path: path.to_path_buf(),
        source,
    })
}

/// The checks the grader could not judge, as `run/check (why)`.
fn unjudged(report: &GradeReport) -> String {
    let mut unjudged = Vec::new();
    for scenario in &report.scenarios {
        for outcome in &scenario.outcomes {
            if outcome.status == Status::Error {
                unjudged.push(format!(
                    "{}/{} ({})",
                    scenario.key, outcome.check, outcome.observed
                ));
            }
        }
    }
    unjudged.join(", ")
}

/// The report could not be rendered in its format, or not written out.
fn cannot_write(reason: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> GraderError {
    GraderError::WriteReport {
        reason: reason.into(),
    }
}
