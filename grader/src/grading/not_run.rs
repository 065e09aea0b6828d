//! The scenarios of a grading in which no program could be run at all (a submission that
//! lacks a program, one that did not build): each planned run fails on the one outcome
//! that says why and earns nothing, so the report has every run and every format renders
//! it like a graded one.

use super::session::ScenarioResult;
use crate::analyzer::LoadedCase;
use crate::case::{Grading, PlannedRun};
use crate::check::Outcome;
use crate::evidence::RunEvidence;

/// One result per run in `runs`, each failed on `outcome` and worth nothing.
pub fn every_run_failed_on(
    loaded: &LoadedCase,
    runs: &[PlannedRun],
    outcome: &Outcome,
) -> Vec<ScenarioResult> {
    runs.iter()
        .map(|run| {
            let scenario = &loaded.case.scenarios[run.scenario];
            let points_possible = match scenario.grading {
                Grading::Graded => f64::from(scenario.points) / f64::from(scenario.repeat),
                Grading::Informational => 0.0,
            };
            ScenarioResult {
                key: run.key.clone(),
                about: scenario.about.clone(),
                grading: scenario.grading,
                points_possible,
                points_awarded: 0.0,
                outcomes: vec![outcome.clone()],
                evidence: RunEvidence::not_run(run.scenario),
            }
        })
        .collect()
}
