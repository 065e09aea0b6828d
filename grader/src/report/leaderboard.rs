//! Gradescope's `leaderboard` array, from the case's `leaderboard:` columns: each entry a
//! `name`, a numeric `value` and its `order` (`asc` ranks the smallest first; Gradescope's
//! default is `desc`), as gradescope-autograders.readthedocs.io/en/latest/leaderboards/
//! describes the top-level `leaderboard` of results.json.
//!
//! Points only for what was judged, times only for what passed: a `score` column is the
//! points the named scenario's runs earned (or the session's total); a `seconds` column is
//! the mean time of the named scenario's runs, and is left out when one of them failed,
//! could not be judged, or was not run (`--scenario` chose others), so a broken submission
//! cannot top a "fastest" board.

use crate::analyzer::Case;
use crate::case::{Grading, LeaderboardColumn, LeaderboardOrder, LeaderboardValue};
use crate::check::Status;
use crate::grading::{GradeReport, ScenarioResult};
use serde::Serialize;

#[derive(Debug, PartialEq, Serialize)]
pub struct LeaderboardEntry {
    pub name: String,
    pub value: f64,
    pub order: LeaderboardOrder,
}

/// The entries the case's columns give for `report`, in the case's order.
pub fn leaderboard(report: &GradeReport, case: &Case) -> Vec<LeaderboardEntry> {
    case.leaderboard
        .iter()
        .filter_map(|column| entry(report, case, column))
        .collect()
}

fn entry(
    report: &GradeReport,
    case: &Case,
    column: &LeaderboardColumn,
) -> Option<LeaderboardEntry> {
    let runs: Vec<&ScenarioResult> = match &column.scenario {
        None => report.scenarios.iter().collect(),
        Some(name) => report
            .scenarios
            .iter()
            .filter(|run| case.scenarios[run.evidence.scenario].name.value == name.value)
            .collect(),
    };
    let value = match column.value {
        LeaderboardValue::Score => {
            let graded = runs.iter().filter(|run| run.grading == Grading::Graded);
            graded.map(|run| run.points_awarded).sum()
        }
        LeaderboardValue::Seconds => mean_seconds_of_passing(&runs)?,
    };
    Some(LeaderboardEntry {
        name: column.name.value.clone(),
        value,
        order: column.order.unwrap_or(match column.value {
            LeaderboardValue::Score => LeaderboardOrder::Desc,
            LeaderboardValue::Seconds => LeaderboardOrder::Asc,
        }),
    })
}

/// The runs' mean wall time in seconds (to the millisecond), when there are runs and none
/// failed or erred.
fn mean_seconds_of_passing(runs: &[&ScenarioResult]) -> Option<f64> {
    let clean = runs.iter().all(|run| {
        !run.failed()
            && !run
                .outcomes
                .iter()
                .any(|outcome| outcome.status == Status::Error)
    });
    if runs.is_empty() || !clean {
        return None;
    }
    let total: f64 = runs
        .iter()
        .map(|run| run.evidence.wall_time.as_secs_f64())
        .sum();
    let count = u32::try_from(runs.len()).ok()?;
    Some((total / f64::from(count) * 1000.0).round() / 1000.0)
}
