//! One submission's result (`OUT/<id>/result.json`): its status and points per role and
//! per scenario, and the fingerprint that lets a re-run keep it.
//!
//! Written when the submission is done, through a temporary file renamed into place, so
//! an interrupted batch leaves either a whole result or none: never half of one that a
//! re-run would take for finished.

use super::roles::{Role, RunShare};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file name of a submission's result inside its folder of the batch's output.
pub const RESULT_FILE: &str = "result.json";

/// A submission's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SubmissionResult {
    /// The submission's folder name.
    pub id: String,
    /// The case's name.
    pub case: String,
    pub status: SubmissionStatus,
    pub score: f64,
    pub max: f64,
    pub seed: u64,
    /// See [`super::fingerprint`].
    pub fingerprint: String,
    pub roles: Vec<RoleResult>,
}

/// `graded` (every role ran), `not-found` (a role's program is missing or ambiguous: the
/// student's to fix), or `error` (the grader could not judge a role: an instructor's to
/// look at).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SubmissionStatus {
    Graded,
    NotFound,
    Error,
}

impl SubmissionStatus {
    pub fn name(self) -> &'static str {
        match self {
            SubmissionStatus::Graded => "graded",
            SubmissionStatus::NotFound => "not-found",
            SubmissionStatus::Error => "error",
        }
    }
}

/// One role's run: its points in the role's scale, and per scenario run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RoleResult {
    pub role: Role,
    pub status: RoleStatus,
    pub points: f64,
    pub max: f64,
    /// The student's files this role ran, relative to the submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    pub scenarios: Vec<ScenarioPoints>,
    /// `grader check`'s exit code (none when it did not run or was killed by a signal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// Why the role earned nothing without being judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A role's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RoleStatus {
    /// `grader check` judged it (whatever the score).
    Graded,
    /// A program it needs is not in the submission.
    NotFound,
    /// Several files could be a program it needs.
    Ambiguous,
    /// `grader check` failed or wrote no report.
    Error,
}

impl RoleStatus {
    pub fn name(self) -> &'static str {
        match self {
            RoleStatus::Graded => "graded",
            RoleStatus::NotFound => "not-found",
            RoleStatus::Ambiguous => "ambiguous",
            RoleStatus::Error => "error",
        }
    }
}

/// A scenario run's points within a role.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ScenarioPoints {
    pub name: String,
    pub points: f64,
    pub max: f64,
}

impl RoleResult {
    /// A role that earned nothing without being judged (`status` is not `graded`): every
    /// scenario listed at zero.
    pub fn unjudged(
        role: Role,
        weight: u32,
        status: RoleStatus,
        error: String,
        shares: &[RunShare],
    ) -> RoleResult {
        let total: f64 = shares.iter().map(|share| share.points).sum();
        let max = f64::from(weight);
        RoleResult {
            role,
            status,
            points: 0.0,
            max,
            client: None,
            server: None,
            scenarios: shares
                .iter()
                .map(|share| ScenarioPoints {
                    name: share.key.clone(),
                    points: 0.0,
                    max: scaled(max, share.points, total),
                })
                .collect(),
            exit_code: None,
            error: Some(error),
        }
    }
}

impl SubmissionResult {
    /// The result of a submission whose roles are done; its status is the worst of theirs.
    pub fn new(id: String, grade: &GradeOf, roles: Vec<RoleResult>) -> Self {
        let status = if roles.iter().any(|role| role.status == RoleStatus::Error) {
            SubmissionStatus::Error
        } else if roles.iter().any(|role| role.status != RoleStatus::Graded) {
            SubmissionStatus::NotFound
        } else {
            SubmissionStatus::Graded
        };
        SubmissionResult {
            id,
            case: grade.case.clone(),
            status,
            score: roles.iter().map(|role| role.points).sum(),
            max: roles.iter().map(|role| role.max).sum(),
            seed: grade.seed,
            fingerprint: grade.fingerprint.clone(),
            roles,
        }
    }
}

/// What a submission was graded against: the case's name, the seed, and the
/// [`super::fingerprint`] of all the grade depends on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GradeOf {
    pub case: String,
    pub seed: u64,
    pub fingerprint: String,
}

/// `weight × part / whole`, and nothing of nothing.
pub fn scaled(weight: f64, part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        weight * part / whole
    } else {
        0.0
    }
}

/// Writes `result` to `dir/result.json` atomically (see the module's doc).
pub fn write_result(dir: &Path, result: &SubmissionResult) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(result).map_err(std::io::Error::other)?;
    write_atomically(&dir.join(RESULT_FILE), format!("{text}\n").as_bytes())
}

/// The result in `dir`, if there is one that parses; a broken one counts as none, so the
/// submission is graded again.
pub fn read_result(dir: &Path) -> Option<SubmissionResult> {
    let text = std::fs::read_to_string(dir.join(RESULT_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes `bytes` to `path` through a temporary file in the same folder, renamed over it:
/// a reader sees the old content or the new, never a part.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let folder = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    std::fs::create_dir_all(&folder)?;
    let mut temporary = tempfile::Builder::new()
        .prefix(".partial-")
        .tempfile_in(&folder)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grade_of() -> GradeOf {
        GradeOf {
            case: "rdt3".to_owned(),
            seed: 5,
            fingerprint: "f".to_owned(),
        }
    }

    #[test]
    fn a_role_that_did_not_run_lists_its_scenarios_at_zero() {
        let shares = [
            RunShare {
                key: "no-loss".to_owned(),
                points: 10.0,
            },
            RunShare {
                key: "lost-packet".to_owned(),
                points: 15.0,
            },
        ];
        let role = RoleResult::unjudged(
            Role::Client,
            30,
            RoleStatus::NotFound,
            "not found".to_owned(),
            &shares,
        );
        assert_eq!(role.points, 0.0);
        assert_eq!(role.max, 30.0);
        assert_eq!(role.scenarios[0].max, 12.0);
        assert_eq!(role.scenarios[1].max, 18.0);
    }

    #[test]
    fn a_submission_is_as_bad_as_its_worst_role() {
        let role = |status| RoleResult::unjudged(Role::Pair, 10, status, String::new(), &[]);
        let result = |statuses: &[RoleStatus]| {
            SubmissionResult::new(
                "a".to_owned(),
                &grade_of(),
                statuses.iter().map(|status| role(*status)).collect(),
            )
            .status
        };
        assert_eq!(result(&[RoleStatus::Graded]), SubmissionStatus::Graded);
        assert_eq!(
            result(&[RoleStatus::Graded, RoleStatus::Ambiguous]),
            SubmissionStatus::NotFound
        );
        assert_eq!(
            result(&[RoleStatus::NotFound, RoleStatus::Error]),
            SubmissionStatus::Error
        );
    }

    #[test]
    fn a_result_round_trips_and_replaces_the_old_one_whole() {
        let dir = tempfile::tempdir().unwrap();
        let result = SubmissionResult::new("ada".to_owned(), &grade_of(), vec![]);
        write_result(dir.path(), &result).unwrap();
        assert_eq!(read_result(dir.path()), Some(result));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
        std::fs::write(dir.path().join(RESULT_FILE), "{").unwrap();
        assert_eq!(read_result(dir.path()), None);
    }
}
