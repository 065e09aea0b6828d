//! The verdict of one check on one scenario run, with its reason attached.

use crate::case::CheckId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a check concluded.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    /// Works, but deviates from a SHOULD of the handout.
    NonStrict,
    /// Reported, not graded (including a check the scenario did not exercise).
    Informational,
    /// The check cannot judge this submission or scenario.
    Unsupported,
    Fail,
    /// The program was still running at its deadline.
    Timeout,
    /// The grader itself could not judge; never blamed on the student.
    Error,
}

impl Status {
    /// Whether this status costs points.
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Fail | Status::Timeout)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::NonStrict => "non-strict",
            Status::Informational => "info",
            Status::Unsupported => "unsupported",
            Status::Fail => "fail",
            Status::Timeout => "timeout",
            Status::Error => "error",
        }
    }
}

/// One check's verdict: which requirement, what was expected, what was seen, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Outcome {
    pub check: CheckId,
    pub status: Status,
    /// The requirement in the handout's terms.
    pub requirement: String,
    pub expected: String,
    pub observed: String,
    /// Pointers into the evidence: datagrams (`to-server #3`), output lines, files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

impl Outcome {
    /// Starts an outcome for `check` with its requirement; the status and findings follow.
    pub fn new(check: CheckId, requirement: impl Into<String>) -> Outcome {
        Outcome {
            check,
            status: Status::Pass,
            requirement: requirement.into(),
            expected: String::new(),
            observed: String::new(),
            evidence: Vec::new(),
        }
    }

    pub fn status(mut self, status: Status) -> Outcome {
        self.status = status;
        self
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Outcome {
        self.expected = expected.into();
        self
    }

    pub fn observed(mut self, observed: impl Into<String>) -> Outcome {
        self.observed = observed.into();
        self
    }

    pub fn evidence(mut self, evidence: impl Into<String>) -> Outcome {
        self.evidence.push(evidence.into());
        self
    }
}
