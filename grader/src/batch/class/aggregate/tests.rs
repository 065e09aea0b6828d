//! The class summary built from hand-made results and reports: what counts, where, and in
//! which order.

use super::*;
use crate::batch::class::reported::{ReportedOutcome, ReportedRun};
use crate::batch::result::{GradeOf, RoleResult};

fn grade() -> GradeOf {
    GradeOf {
        case: "udp-add".to_owned(),
        seed: 3,
        fingerprint: String::new(),
    }
}

fn role(role: Role, status: RoleStatus, points: f64) -> RoleResult {
    RoleResult {
        role,
        status,
        points,
        max: 50.0,
        client: None,
        server: None,
        scenarios: Vec::new(),
        exit_code: None,
        error: (status != RoleStatus::Graded).then(|| format!("why {}", status.name())),
    }
}

fn submission(id: &str, roles: Vec<RoleResult>) -> SubmissionResult {
    SubmissionResult::new(id.to_owned(), &grade(), roles)
}

fn outcome(check: &str, status: Status, observed: &str) -> ReportedOutcome {
    ReportedOutcome {
        check: check.to_owned(),
        status,
        observed: observed.to_owned(),
    }
}

fn run(name: &str, outcomes: Vec<ReportedOutcome>) -> ReportedRun {
    ReportedRun {
        name: name.to_owned(),
        graded: true,
        outcomes,
    }
}

/// A run in which `sum` and `names` pass.
fn passing(name: &str) -> ReportedRun {
    run(
        name,
        vec![
            outcome("names", Status::Pass, ""),
            outcome("sum", Status::Pass, ""),
        ],
    )
}

fn evidence(runs: Vec<ReportedRun>) -> RoleEvidence {
    RoleEvidence {
        runs,
        has_page: true,
    }
}

/// Six submissions: two good, two with the same wrong sum (other numbers), one whose
/// client forgets a name, one the grader could not judge, one without a client.
fn class() -> (Vec<SubmissionResult>, ClassEvidence) {
    let mut results = Vec::new();
    let mut all = ClassEvidence::new();
    let mut put = |id: &str, roles: Vec<(RoleResult, Option<RoleEvidence>)>| {
        let mut kept = Vec::new();
        for (result, evidence) in roles {
            if let Some(evidence) = evidence {
                all.insert((id.to_owned(), result.role), evidence);
            }
            kept.push(result);
        }
        results.push(submission(id, kept));
    };
    for id in ["ada", "bea"] {
        put(
            id,
            vec![
                (
                    role(Role::Client, RoleStatus::Graded, 50.0),
                    Some(evidence(vec![passing("add-42"), passing("add-1")])),
                ),
                (
                    role(Role::Server, RoleStatus::Graded, 50.0),
                    Some(evidence(vec![passing("add-42"), passing("add-1")])),
                ),
            ],
        );
    }
    for (id, sum, ports) in [("dan", 99, "33241, 38640"), ("eve", 58, "4")] {
        let wrong = outcome(
            "sum",
            Status::Fail,
            &format!("the server does not show the sum {sum} (integers it shows: {ports}, 57)"),
        );
        put(
            id,
            vec![
                (
                    role(Role::Client, RoleStatus::Graded, 50.0),
                    Some(evidence(vec![passing("add-42"), passing("add-1")])),
                ),
                (
                    role(Role::Server, RoleStatus::Graded, 20.0),
                    Some(evidence(vec![
                        run(
                            "add-42",
                            vec![outcome("names", Status::Pass, ""), wrong.clone()],
                        ),
                        run("add-1", vec![outcome("names", Status::Pass, ""), wrong]),
                        // Informational: never counted.
                        ReportedRun {
                            graded: false,
                            ..run("not-a-number", vec![outcome("sum", Status::Fail, "x")])
                        },
                    ])),
                ),
            ],
        );
    }
    put(
        "ivy",
        vec![
            (
                role(Role::Client, RoleStatus::Graded, 35.0),
                Some(RoleEvidence {
                    runs: vec![
                        run(
                            "add-42",
                            vec![
                                outcome(
                                    "names",
                                    Status::Fail,
                                    "the client does not show the server's name (\"Server of Ivy\")",
                                ),
                                outcome("sum", Status::Pass, ""),
                            ],
                        ),
                        run(
                            "add-1",
                            vec![
                                // The grader's own error and an unexercised check judge
                                // nothing.
                                outcome("names", Status::Error, "the grader failed"),
                                outcome("sum", Status::Informational, "not exercised"),
                            ],
                        ),
                    ],
                    has_page: false,
                }),
            ),
            (
                role(Role::Server, RoleStatus::Graded, 50.0),
                Some(evidence(vec![passing("add-42"), passing("add-1")])),
            ),
        ],
    );
    // The grader could not start its server: its client's failure must count nowhere.
    put(
        "lee",
        vec![
            (
                role(Role::Client, RoleStatus::Graded, 0.0),
                Some(evidence(vec![run(
                    "add-42",
                    vec![outcome(
                        "sum",
                        Status::Fail,
                        "the client does not show the sum 99",
                    )],
                )])),
            ),
            (role(Role::Server, RoleStatus::Error, 0.0), None),
        ],
    );
    put(
        "kit",
        vec![
            (role(Role::Client, RoleStatus::NotFound, 0.0), None),
            (
                role(Role::Server, RoleStatus::Graded, 50.0),
                Some(evidence(vec![passing("add-42"), passing("add-1")])),
            ),
        ],
    );
    results.sort_by(|a, b| a.id.cmp(&b.id));
    (results, all)
}

fn summary() -> ClassSummary {
    let (results, evidence) = class();
    summarise(ClassInput {
        case: "udp-add",
        seed: 3,
        results: &results,
        evidence: &evidence,
    })
}

#[test]
fn a_submission_the_grader_could_not_judge_counts_nowhere_but_apart() {
    let summary = summary();
    let ids = |rows: &[StudentRow]| rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&summary.not_graded), ["lee"]);
    assert_eq!(
        ids(&summary.students),
        ["ada", "bea", "dan", "eve", "ivy", "kit"]
    );
    let counted: usize = summary.distribution.iter().map(|b| b.count).sum();
    assert_eq!(counted, 6);
    assert!(
        summary
            .distribution
            .iter()
            .all(|b| !b.ids.contains(&"lee".to_owned()))
    );
    let sum = summary.checks.iter().find(|c| c.check == "sum").unwrap();
    assert_eq!(
        (sum.failed, sum.graded),
        (2, 6),
        "lee's failed sum is not counted"
    );
    assert!(
        summary
            .groups
            .iter()
            .all(|g| g.members.iter().all(|m| m.id != "lee"))
    );
    assert_eq!(
        summary.not_graded[0].roles[1].why.as_deref(),
        Some("why error")
    );
}

#[test]
fn the_distribution_has_eleven_buckets_and_full_marks_alone() {
    let summary = summary();
    let labels: Vec<&str> = summary
        .distribution
        .iter()
        .map(|b| b.label.as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "0–9", "10–19", "20–29", "30–39", "40–49", "50–59", "60–69", "70–79", "80–89", "90–99",
            "100"
        ]
    );
    let bucket = |label: &str| {
        let bucket = summary
            .distribution
            .iter()
            .find(|b| b.label == label)
            .unwrap();
        bucket.ids.clone()
    };
    assert_eq!(bucket("100"), ["ada", "bea"]);
    assert_eq!(bucket("70–79"), ["dan", "eve"]);
    assert_eq!(bucket("80–89"), ["ivy"]);
    assert_eq!(bucket("50–59"), ["kit"]);
    assert_eq!(summary.distribution[10].from_percent, 100);
    assert_eq!(summary.distribution[9].to_percent, 100);
    assert_eq!(
        bucket_of(99.999_999_9, 100.0),
        10,
        "a hair short is full marks"
    );
    assert_eq!(bucket_of(99.9, 100.0), 9);
    assert_eq!(bucket_of(0.0, 100.0), 0);
    assert_eq!(bucket_of(0.0, 0.0), 0, "nothing of nothing");
}

#[test]
fn checks_are_counted_once_per_submission_the_most_failed_first() {
    let summary = summary();
    let rows: Vec<(&str, usize, usize)> = summary
        .checks
        .iter()
        .map(|c| (c.check.as_str(), c.failed, c.graded))
        .collect();
    // sum failed for dan and eve (each in two runs, counted once); names for ivy alone.
    assert_eq!(rows, [("sum", 2, 6), ("names", 1, 6)]);
    let sum = &summary.checks[0];
    let scenarios: Vec<(&str, usize)> = sum
        .scenarios
        .iter()
        .map(|s| (s.scenario.as_str(), s.failed))
        .collect();
    assert_eq!(
        scenarios,
        [("add-42", 2), ("add-1", 2)],
        "in the case's order"
    );
    let failed = |id: &str| {
        summary
            .students
            .iter()
            .find(|s| s.id == id)
            .unwrap()
            .failed_checks
            .clone()
    };
    assert_eq!(failed("dan"), ["sum"]);
    assert_eq!(failed("ivy"), ["names"]);
    assert!(failed("ada").is_empty());
}

#[test]
fn the_same_check_failing_the_same_way_is_one_group_with_its_students() {
    let summary = summary();
    assert_eq!(summary.groups.len(), 2, "{:#?}", summary.groups);
    let sum = &summary.groups[0];
    assert_eq!(sum.check, "sum");
    assert_eq!(
        sum.kind,
        "the server does not show the sum N (integers it shows: N, …)"
    );
    assert_eq!(
        sum.example,
        "the server does not show the sum 99 (integers it shows: 33241, 38640, 57)"
    );
    let members: Vec<(&str, Vec<(Role, &str)>)> = sum
        .members
        .iter()
        .map(|m| {
            (
                m.id.as_str(),
                m.runs
                    .iter()
                    .map(|r| (r.role, r.scenario.as_str()))
                    .collect(),
            )
        })
        .collect();
    let runs = vec![(Role::Server, "add-42"), (Role::Server, "add-1")];
    assert_eq!(members, [("dan", runs.clone()), ("eve", runs)]);
    assert_eq!(summary.groups[1].check, "names");
    assert_eq!(summary.groups[1].members[0].id, "ivy");
}

#[test]
fn a_role_links_its_page_only_when_it_exists() {
    let summary = summary();
    let ivy = summary.students.iter().find(|s| s.id == "ivy").unwrap();
    assert_eq!(ivy.roles[0].report, None, "ivy's client page is missing");
    assert_eq!(
        ivy.roles[1].report.as_deref(),
        Some("ivy/server/report.html")
    );
    let kit = summary.students.iter().find(|s| s.id == "kit").unwrap();
    assert_eq!(kit.roles[0].status, RoleStatus::NotFound);
    assert_eq!(kit.roles[0].report, None);
    assert_eq!(kit.roles[0].why.as_deref(), Some("why not-found"));
}

#[test]
fn an_empty_class_has_empty_buckets_and_no_checks() {
    let summary = summarise(ClassInput {
        case: "udp-add",
        seed: 3,
        results: &[],
        evidence: &ClassEvidence::new(),
    });
    assert_eq!(summary.distribution.len(), 11);
    assert!(summary.distribution.iter().all(|b| b.count == 0));
    assert!(summary.checks.is_empty() && summary.groups.is_empty());
}
