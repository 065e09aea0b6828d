//! Building the class summary from the submissions' results and their roles' reports:
//! results in, [`ClassSummary`] out, nothing read or written here.
//!
//! What counts: a submission whose status is `error` (the grader could not judge one of
//! its roles) counts nowhere but `not-graded`. In the others, only roles the grader judged
//! (`graded`), only graded runs, and only outcomes that judged something (pass,
//! non-strict, fail, timeout) count; an `error` outcome is the grader's and an
//! `informational` or `unsupported` one judged nothing.

use super::kind::observation_kind;
use super::reported::RoleEvidence;
use super::summary::{
    CLASS_SCHEMA_VERSION, CheckFailures, ClassSummary, FailureGroup, GroupMember, RoleRun,
    ScenarioFailures, ScoreBucket, StudentRole, StudentRow,
};
use crate::batch::result::{RoleStatus, SubmissionResult, SubmissionStatus};
use crate::batch::roles::Role;
use crate::check::Status;
use std::collections::{BTreeMap, BTreeSet};

/// The evidence of each graded role, by submission id and role.
pub type ClassEvidence = BTreeMap<(String, Role), RoleEvidence>;

/// What a class summary is made of.
#[derive(Clone, Copy, Debug)]
pub struct ClassInput<'a> {
    pub case: &'a str,
    pub seed: u64,
    /// Sorted by id, as `grades.csv` lists them.
    pub results: &'a [SubmissionResult],
    pub evidence: &'a ClassEvidence,
}

/// The class's summary (see the module's doc for what counts).
pub fn summarise(input: ClassInput<'_>) -> ClassSummary {
    let mut tally = Tally::default();
    let mut students = Vec::new();
    let mut not_graded = Vec::new();
    let mut buckets: Vec<Vec<String>> = vec![Vec::new(); BUCKETS];
    for result in input.results {
        let row = student_row(result, input.evidence);
        if result.status == SubmissionStatus::Error {
            not_graded.push(row);
            continue;
        }
        buckets[bucket_of(result.score, result.max)].push(result.id.clone());
        tally.add(result, input.evidence);
        students.push(row);
    }
    let checks = tally.checks();
    let order: Vec<&str> = checks.iter().map(|check| check.check.as_str()).collect();
    for student in &mut students {
        let failed = tally.failed_by.get(&student.id);
        student.failed_checks = order
            .iter()
            .filter(|check| failed.is_some_and(|set| set.contains(**check)))
            .map(|check| (*check).to_owned())
            .collect();
    }
    let groups = tally.groups(&order);
    ClassSummary {
        schema_version: CLASS_SCHEMA_VERSION,
        case: input.case.to_owned(),
        seed: input.seed,
        distribution: distribution(buckets),
        checks,
        groups,
        students,
        not_graded,
    }
}

/// Buckets of ten percentage points, and full marks alone.
const BUCKETS: usize = 11;

/// The bucket of `score` out of `max`: the percentage rounded to two decimals first, so a
/// sum of scaled points that falls a hair short of the maximum is still full marks.
fn bucket_of(score: f64, max: f64) -> usize {
    if max <= 0.0 {
        return 0;
    }
    let percent = (score / max * 10_000.0).round() / 100.0;
    if percent >= 100.0 {
        BUCKETS - 1
    } else {
        // In 0..10 by the clamp, so the cast keeps it whole.
        (percent / 10.0).floor().clamp(0.0, 9.0) as usize
    }
}

fn distribution(buckets: Vec<Vec<String>>) -> Vec<ScoreBucket> {
    buckets
        .into_iter()
        .enumerate()
        .map(|(index, ids)| {
            let from = u32::try_from(index * 10).unwrap_or(u32::MAX);
            let (to, label) = if index == BUCKETS - 1 {
                (100, "100".to_owned())
            } else {
                (from + 10, format!("{from}–{}", from + 9))
            };
            ScoreBucket {
                from_percent: from,
                to_percent: to,
                label,
                count: ids.len(),
                ids,
            }
        })
        .collect()
}

fn student_row(result: &SubmissionResult, evidence: &ClassEvidence) -> StudentRow {
    StudentRow {
        id: result.id.clone(),
        status: result.status,
        score: result.score,
        max: result.max,
        failed_checks: Vec::new(),
        roles: result
            .roles
            .iter()
            .map(|role| {
                let has_page = evidence
                    .get(&(result.id.clone(), role.role))
                    .is_some_and(|evidence| evidence.has_page);
                StudentRole {
                    role: role.role,
                    status: role.status,
                    points: role.points,
                    max: role.max,
                    report: has_page
                        .then(|| format!("{}/{}/report.html", result.id, role.role.name())),
                    why: role.error.clone(),
                }
            })
            .collect(),
    }
}

/// The counts as the counted submissions are added, in grading order.
#[derive(Default)]
struct Tally {
    /// Checks and runs in the order first seen: the case's order.
    check_order: Vec<String>,
    run_order: Vec<String>,
    /// check → submissions that had it judged / failed it.
    judged: BTreeMap<String, BTreeSet<String>>,
    failed: BTreeMap<String, BTreeSet<String>>,
    /// (check, run) → submissions that failed it there.
    failed_in: BTreeMap<(String, String), BTreeSet<String>>,
    /// id → the checks it failed.
    failed_by: BTreeMap<String, BTreeSet<String>>,
    /// (check, kind) → id → its failures of that kind.
    groups: BTreeMap<(String, String), BTreeMap<String, MemberFailures>>,
    /// (check, kind) → the order the group was first seen, for a stable tie-break.
    group_order: BTreeMap<(String, String), usize>,
}

/// One submission's failures of one kind.
struct MemberFailures {
    runs: Vec<RoleRun>,
    first_observed: String,
}

impl Tally {
    fn add(&mut self, result: &SubmissionResult, evidence: &ClassEvidence) {
        let id = &result.id;
        for role in result
            .roles
            .iter()
            .filter(|role| role.status == RoleStatus::Graded)
        {
            let Some(evidence) = evidence.get(&(id.clone(), role.role)) else {
                continue;
            };
            for run in evidence.runs.iter().filter(|run| run.graded) {
                remember(&mut self.run_order, &run.name);
                for outcome in &run.outcomes {
                    let failed = outcome.status.is_failure();
                    if !(failed || matches!(outcome.status, Status::Pass | Status::NonStrict)) {
                        continue;
                    }
                    let check = &outcome.check;
                    remember(&mut self.check_order, check);
                    insert(&mut self.judged, check, id);
                    if !failed {
                        continue;
                    }
                    insert(&mut self.failed, check, id);
                    insert(&mut self.failed_by, id, check);
                    let at = (check.clone(), run.name.clone());
                    self.failed_in.entry(at).or_default().insert(id.clone());
                    let key = (check.clone(), observation_kind(&outcome.observed));
                    let next = self.group_order.len();
                    self.group_order.entry(key.clone()).or_insert(next);
                    let member = self
                        .groups
                        .entry(key)
                        .or_default()
                        .entry(id.clone())
                        .or_insert_with(|| MemberFailures {
                            runs: Vec::new(),
                            first_observed: outcome.observed.clone(),
                        });
                    let here = RoleRun {
                        role: role.role,
                        scenario: run.name.clone(),
                    };
                    if !member.runs.contains(&here) {
                        member.runs.push(here);
                    }
                }
            }
        }
    }

    /// The checks table: the most failed first, then in the case's order.
    fn checks(&self) -> Vec<CheckFailures> {
        let count = |map: &BTreeMap<String, BTreeSet<String>>, check: &str| {
            map.get(check).map_or(0, BTreeSet::len)
        };
        let mut checks: Vec<CheckFailures> = self
            .check_order
            .iter()
            .map(|check| CheckFailures {
                check: check.clone(),
                failed: count(&self.failed, check),
                graded: count(&self.judged, check),
                scenarios: self
                    .run_order
                    .iter()
                    .filter_map(|run| {
                        let ids = self.failed_in.get(&(check.clone(), run.clone()))?;
                        Some(ScenarioFailures {
                            scenario: run.clone(),
                            failed: ids.len(),
                        })
                    })
                    .collect(),
            })
            .collect();
        // Stable: equal counts keep the case's order.
        checks.sort_by_key(|check| std::cmp::Reverse(check.failed));
        checks
    }

    /// The groups: the largest first, then by the check's place in `order`, then first
    /// seen.
    fn groups(&self, order: &[&str]) -> Vec<FailureGroup> {
        let mut groups: Vec<(usize, usize, usize, FailureGroup)> = self
            .groups
            .iter()
            .map(|((check, kind), members)| {
                let example = members
                    .values()
                    .next()
                    .map(|member| member.first_observed.clone())
                    .unwrap_or_default();
                let group = FailureGroup {
                    check: check.clone(),
                    kind: kind.clone(),
                    example,
                    members: members
                        .iter()
                        .map(|(id, member)| GroupMember {
                            id: id.clone(),
                            runs: member.runs.clone(),
                        })
                        .collect(),
                };
                let place = order.iter().position(|c| c == check).unwrap_or(usize::MAX);
                let seen = self.group_order[&(check.clone(), kind.clone())];
                (members.len(), place, seen, group)
            })
            .collect();
        groups.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        groups.into_iter().map(|(.., group)| group).collect()
    }
}

fn remember(order: &mut Vec<String>, name: &str) {
    if !order.iter().any(|known| known == name) {
        order.push(name.to_owned());
    }
}

fn insert(map: &mut BTreeMap<String, BTreeSet<String>>, key: &str, value: &str) {
    map.entry(key.to_owned())
        .or_default()
        .insert(value.to_owned());
}

#[cfg(test)]
mod tests;
