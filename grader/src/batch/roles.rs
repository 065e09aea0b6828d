//! The role matrix: which `grader check` runs make a submission's grade, and how many
//! points each is worth.
//!
//! A role says which side the student plays; the reference peer plays the other. The
//! case's `roles` gives each role its points; without it, the student's pair earns the
//! case's total, as `grader check` would give it.

use crate::analyzer::Case;
use crate::case::{Grading, RoleWeights};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which sides of a grading run are the student's.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The student's client against the reference server.
    Client,
    /// The reference client against the student's server.
    Server,
    /// The student's client and server together.
    Pair,
}

impl Role {
    /// Every role, in the order grades list them.
    pub const ALL: [Role; 3] = [Role::Client, Role::Server, Role::Pair];

    /// The name in grades and folder names.
    pub fn name(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Server => "server",
            Role::Pair => "pair",
        }
    }

    /// Whether the student's client runs in this role.
    pub fn uses_client(self) -> bool {
        matches!(self, Role::Client | Role::Pair)
    }

    /// Whether the student's server runs in this role.
    pub fn uses_server(self) -> bool {
        matches!(self, Role::Server | Role::Pair)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One role of the matrix with its points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeightedRole {
    pub role: Role,
    pub points: u32,
}

/// The roles a case grades, in [`Role::ALL`] order (see the module's doc).
pub fn role_matrix(case: &Case) -> Vec<WeightedRole> {
    let weights = case.roles.unwrap_or(RoleWeights {
        client: None,
        server: None,
        pair: Some(graded_points(case)),
    });
    Role::ALL
        .into_iter()
        .filter_map(|role| {
            let points = match role {
                Role::Client => weights.client,
                Role::Server => weights.server,
                Role::Pair => weights.pair,
            }?;
            Some(WeightedRole { role, points })
        })
        .collect()
}

/// The case's total: the points of its graded scenarios.
pub fn graded_points(case: &Case) -> u32 {
    case.scenarios
        .iter()
        .filter(|scenario| scenario.grading == Grading::Graded)
        .map(|scenario| scenario.points)
        .sum()
}

/// One graded run's share of a check's points, for a role that could not run: its grades
/// still list every scenario, at zero.
#[derive(Clone, Debug, PartialEq)]
pub struct RunShare {
    /// The run's key, as reports name it (`lossy-soak#2`).
    pub key: String,
    /// Its points in `grader check`'s scale.
    pub points: f64,
}

/// The graded runs of `runs` with their points, as `grader check` shares them out.
pub fn run_shares(case: &Case, runs: &[crate::case::PlannedRun]) -> Vec<RunShare> {
    runs.iter()
        .filter_map(|run| {
            let scenario = &case.scenarios[run.scenario];
            (scenario.grading == Grading::Graded).then(|| RunShare {
                key: run.key.clone(),
                points: f64::from(scenario.points) / f64::from(scenario.repeat),
            })
        })
        .collect()
}
