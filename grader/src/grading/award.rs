//! Points only for what was judged: a graded scenario earns its points through checks that
//! judged the run and passed (`pass`, or `non-strict`: works, but deviates from a SHOULD),
//! never through checks that could not judge it.
//!
//! A graded run with no failure and no judged pass (every check `informational` or
//! `unsupported`: the event the scenario exists for never happened, e.g. the out-of-range
//! integer never reached the server) fails, with an outcome of the grader's own
//! ([`CheckId::Judged`]) that says in plain words that nothing was judged and why, quoting
//! each check's own reason. A run whose checks could not judge because the grader itself
//! failed (`error`) earns nothing either, but stays the grader's error: it is never the
//! student's failure. `startup` ("both programs start") is a precondition, not a judgement
//! of what the scenario is for, so its pass earns nothing on its own.

use crate::case::{CheckId, Grading};
use crate::check::judged::JUDGED;
use crate::check::{Outcome, Status};

/// A scenario run's outcomes, completed by the rule, and the points they earn.
#[derive(Debug)]
pub struct Award {
    /// The checks' outcomes, with the grader's `judged` failure added when nothing was.
    pub outcomes: Vec<Outcome>,
    pub points_awarded: f64,
}

/// Applies the rule (see the module's doc) to one run's outcomes.
pub fn award(grading: Grading, points_possible: f64, mut outcomes: Vec<Outcome>) -> Award {
    if grading == Grading::Informational {
        return Award {
            outcomes,
            points_awarded: 0.0,
        };
    }
    let failed = outcomes.iter().any(|outcome| outcome.status.is_failure());
    let judged = outcomes.iter().any(judged_pass);
    let errored = outcomes
        .iter()
        .any(|outcome| outcome.status == Status::Error);
    if !failed && !judged && !errored {
        outcomes.push(nothing_judged(&outcomes));
    }
    let points_awarded = if !failed && judged {
        points_possible
    } else {
        0.0
    };
    Award {
        outcomes,
        points_awarded,
    }
}

/// A check other than `startup` that judged the run and found it right.
fn judged_pass(outcome: &Outcome) -> bool {
    outcome.check != CheckId::Startup && matches!(outcome.status, Status::Pass | Status::NonStrict)
}

/// The failure that says nothing was judged, and each check's own reason why not.
fn nothing_judged(outcomes: &[Outcome]) -> Outcome {
    let reasons: Vec<String> = outcomes
        .iter()
        .filter(|outcome| outcome.check != CheckId::Startup)
        .map(|outcome| {
            let reason = if outcome.observed.is_empty() {
                outcome.status.label()
            } else {
                outcome.observed.as_str()
            };
            format!("{}: {reason}", outcome.check)
        })
        .collect();
    let observed = if reasons.is_empty() {
        "nothing was judged: the scenario has no check besides startup".to_owned()
    } else {
        format!(
            "nothing was judged, so the scenario earns no points ({})",
            reasons.join("; ")
        )
    };
    Outcome::new(CheckId::Judged, JUDGED)
        .status(Status::Fail)
        .expected("at least one check judges what the scenario exists for, and passes")
        .observed(observed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::LoadedCase;
    use crate::case::builtin::BUILTIN_CASES;
    use crate::case::{CaseSource, load_case};

    fn outcome(check: CheckId, status: Status) -> Outcome {
        Outcome::new(check, "a requirement")
            .status(status)
            .observed(format!("{check} was {}", status.label()))
    }

    fn builtin(name: &str) -> LoadedCase {
        load_case(&CaseSource::Builtin(name.to_owned()))
            .unwrap_or_else(|error| panic!("{name}: {error:?}"))
    }

    /// The acceptance of issue 20: no graded scenario of any built-in case earns points
    /// when all its checks were informational or not judged; one whose checks all errored
    /// earns nothing and is the grader's error, not the student's failure; one judged pass
    /// earns the points.
    #[test]
    fn no_builtin_scenario_earns_points_for_nothing_judged() {
        let mut graded = 0;
        for (name, _) in BUILTIN_CASES {
            let loaded = builtin(name);
            let case = &loaded.case;
            for scenario in &case.scenarios {
                if scenario.grading != Grading::Graded {
                    continue;
                }
                graded += 1;
                let where_ = format!("{name}/{}", scenario.name.value);
                let checks = scenario.checks(case);
                let possible = f64::from(scenario.points);
                assert!(possible > 0.0, "{where_} is graded with no points");
                let all = |status: Status| -> Vec<Outcome> {
                    std::iter::once(outcome(CheckId::Startup, Status::Pass))
                        .chain(checks.iter().map(|&check| outcome(check, status)))
                        .collect()
                };
                for status in [Status::Informational, Status::Unsupported] {
                    let result = award(Grading::Graded, possible, all(status));
                    assert_eq!(result.points_awarded, 0.0, "{where_}: all {status:?}");
                    let judged = result.outcomes.last().unwrap();
                    assert_eq!(
                        (judged.check, judged.status),
                        (CheckId::Judged, Status::Fail),
                        "{where_}: {judged:?}"
                    );
                    for check in checks {
                        assert!(
                            judged.observed.contains(&format!("{check}: {check} was")),
                            "{where_}: the reason quotes {check}: {}",
                            judged.observed
                        );
                    }
                }
                let errored = award(Grading::Graded, possible, all(Status::Error));
                assert_eq!(errored.points_awarded, 0.0, "{where_}: all errors");
                assert!(
                    errored
                        .outcomes
                        .iter()
                        .all(|outcome| !outcome.status.is_failure()),
                    "{where_}: a grader error is not the student's failure"
                );
                let mut one_pass = all(Status::Informational);
                one_pass.last_mut().unwrap().status = Status::Pass;
                let passed = award(Grading::Graded, possible, one_pass);
                assert_eq!(passed.points_awarded, possible, "{where_}");
                assert!(passed.outcomes.iter().all(|o| o.check != CheckId::Judged));
            }
        }
        assert!(graded >= 40, "only {graded} graded scenarios were seen");
    }

    #[test]
    fn startup_alone_is_not_a_judgement() {
        let result = award(
            Grading::Graded,
            10.0,
            vec![outcome(CheckId::Startup, Status::Pass)],
        );
        assert_eq!(result.points_awarded, 0.0);
        assert_eq!(
            result.outcomes[1].observed,
            "nothing was judged: the scenario has no check besides startup"
        );
    }

    #[test]
    fn a_failure_earns_nothing_and_needs_no_added_reason() {
        let outcomes = vec![
            outcome(CheckId::Exchange, Status::Fail),
            outcome(CheckId::Shutdown, Status::Informational),
        ];
        let result = award(Grading::Graded, 25.0, outcomes.clone());
        assert_eq!(result.points_awarded, 0.0);
        assert_eq!(result.outcomes, outcomes);
    }

    #[test]
    fn non_strict_is_a_judged_pass() {
        let result = award(
            Grading::Graded,
            25.0,
            vec![
                outcome(CheckId::Exchange, Status::Informational),
                outcome(CheckId::Shutdown, Status::NonStrict),
            ],
        );
        assert_eq!(result.points_awarded, 25.0);
        assert_eq!(result.outcomes.len(), 2);
    }

    #[test]
    fn an_error_beside_a_judged_pass_keeps_the_pass_points() {
        let result = award(
            Grading::Graded,
            25.0,
            vec![
                outcome(CheckId::Exchange, Status::Pass),
                outcome(CheckId::Shutdown, Status::Error),
            ],
        );
        assert_eq!(result.points_awarded, 25.0);
    }

    #[test]
    fn informational_scenarios_are_never_scored_nor_failed() {
        let outcomes = vec![outcome(CheckId::Exchange, Status::Informational)];
        let result = award(Grading::Informational, 0.0, outcomes.clone());
        assert_eq!(result.points_awarded, 0.0);
        assert_eq!(result.outcomes, outcomes);
    }
}
