//! Which exit code a `grader check` that graded ends with: the platforms' contract, per
//! format and `--exit-status`, in one place.
//!
//! A grading platform takes a non-zero exit for a broken grader: PrairieLearn reads
//! `results.json` only after an exit 0 (its grader host: `succeeded = !timedOut &&
//! ExitCode === 0`), Autolab's job runs under `make`, which prints an error line after the
//! autoresult when the grader exits non-zero (so the last line is no longer the score). So
//! the formats a platform takes as a grade (gradescope, prairielearn, autolab) exit 0 once
//! the result is written, whatever the score; CI formats exit 1 when a graded check failed,
//! so a pipeline goes red. `--exit-status` chooses the other behaviour for either. A check
//! the grader could not judge is the grader's error (70) in a platform format, which then
//! writes no grade at all; errors before a report exists have their own codes
//! (`GraderError::process_exit_code`).

use crate::args::{ExitStatus, ReportFormat};
use socklab_grader::exit_code;

/// Whether a grading platform takes this format's output as a student's grade.
pub fn is_platform(format: ReportFormat) -> bool {
    match format {
        ReportFormat::Gradescope | ReportFormat::Prairielearn | ReportFormat::Autolab => true,
        ReportFormat::Terminal
        | ReportFormat::Json
        | ReportFormat::Junit
        | ReportFormat::Tap
        | ReportFormat::Ctrf
        | ReportFormat::Classroom => false,
    }
}

/// `--exit-status` when it is not given.
pub fn default_exit_status(format: ReportFormat) -> ExitStatus {
    if is_platform(format) {
        ExitStatus::Written
    } else {
        ExitStatus::Verdict
    }
}

/// What a graded session found, as far as the exit code cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Findings {
    /// A graded check failed or timed out: the student's failure.
    pub failed: bool,
    /// A check could not be judged because the grader failed: never the student's.
    pub errored: bool,
}

/// The exit code of a session whose result was written in `format`.
pub fn exit_code(format: ReportFormat, chosen: Option<ExitStatus>, findings: Findings) -> i32 {
    let status = chosen.unwrap_or_else(|| default_exit_status(format));
    match status {
        ExitStatus::Verdict if findings.failed => exit_code::FAILED,
        ExitStatus::Verdict | ExitStatus::Written if findings.errored => exit_code::INTERNAL,
        ExitStatus::Verdict | ExitStatus::Written => exit_code::PASSED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAILED: Findings = Findings {
        failed: true,
        errored: false,
    };
    const PASSED: Findings = Findings {
        failed: false,
        errored: false,
    };
    const ERRORED: Findings = Findings {
        failed: false,
        errored: true,
    };

    #[test]
    fn a_platform_format_exits_0_whatever_the_score() {
        for format in [
            ReportFormat::Gradescope,
            ReportFormat::Prairielearn,
            ReportFormat::Autolab,
        ] {
            assert_eq!(exit_code(format, None, FAILED), exit_code::PASSED);
            assert_eq!(exit_code(format, None, PASSED), exit_code::PASSED);
            assert_eq!(
                exit_code(format, Some(ExitStatus::Verdict), FAILED),
                exit_code::FAILED,
                "--exit-status verdict restores exit 1"
            );
        }
    }

    #[test]
    fn a_ci_format_exits_1_on_a_failure_unless_told_otherwise() {
        for format in [
            ReportFormat::Terminal,
            ReportFormat::Json,
            ReportFormat::Junit,
            ReportFormat::Tap,
            ReportFormat::Ctrf,
            ReportFormat::Classroom,
        ] {
            assert_eq!(exit_code(format, None, FAILED), exit_code::FAILED);
            assert_eq!(exit_code(format, None, PASSED), exit_code::PASSED);
            assert_eq!(
                exit_code(format, Some(ExitStatus::Written), FAILED),
                exit_code::PASSED
            );
        }
    }

    #[test]
    fn a_grader_error_is_never_exit_0() {
        for format in [ReportFormat::Json, ReportFormat::Gradescope] {
            for status in [None, Some(ExitStatus::Verdict), Some(ExitStatus::Written)] {
                assert_eq!(exit_code(format, status, ERRORED), exit_code::INTERNAL);
            }
        }
    }
}
