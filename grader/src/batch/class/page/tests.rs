//! The class page rendered from a hand-made summary: its policy, its sections, its links,
//! and that nothing a student wrote reaches it unescaped.

use super::*;
use crate::batch::class::summary::{
    CLASS_SCHEMA_VERSION, CheckFailures, GroupMember, RoleRun, ScenarioFailures, ScoreBucket,
};
use crate::batch::result::SubmissionStatus;
use crate::batch::roles::Role;

/// A folder name may hold anything but `/` and NUL.
const HOSTILE: &str = "<script>alert('x')<\\script> & \"#?%";

fn role(role: Role, status: RoleStatus, report: Option<&str>, why: Option<&str>) -> StudentRole {
    StudentRole {
        role,
        status,
        points: 0.0,
        max: 50.0,
        report: report.map(str::to_owned),
        why: why.map(str::to_owned),
    }
}

fn summary() -> ClassSummary {
    let student = |id: &str, score: f64, roles: Vec<StudentRole>| StudentRow {
        id: id.to_owned(),
        status: SubmissionStatus::Graded,
        score,
        max: 100.0,
        failed_checks: if score < 100.0 {
            vec!["sum".to_owned()]
        } else {
            Vec::new()
        },
        roles,
    };
    let hostile_page = format!("{HOSTILE}/server/report.html");
    ClassSummary {
        schema_version: CLASS_SCHEMA_VERSION,
        case: "udp-add".to_owned(),
        seed: 9,
        distribution: (0..11)
            .map(|index| ScoreBucket {
                from_percent: index * 10,
                to_percent: (index * 10 + 10).min(100),
                label: format!("b{index}"),
                count: usize::from(index == 7) + usize::from(index == 10),
                ids: Vec::new(),
            })
            .collect(),
        checks: vec![
            CheckFailures {
                check: "sum".to_owned(),
                failed: 1,
                graded: 2,
                scenarios: vec![ScenarioFailures {
                    scenario: "add-42".to_owned(),
                    failed: 1,
                }],
            },
            CheckFailures {
                check: "names".to_owned(),
                failed: 0,
                graded: 2,
                scenarios: Vec::new(),
            },
        ],
        groups: vec![FailureGroup {
            check: "sum".to_owned(),
            kind: "the server does not show the sum N (integers it shows: N, …)".to_owned(),
            example: format!("the server printed {HOSTILE}"),
            members: vec![GroupMember {
                id: HOSTILE.to_owned(),
                runs: vec![RoleRun {
                    role: Role::Server,
                    scenario: "add-42".to_owned(),
                }],
            }],
        }],
        students: vec![
            student(
                "ada",
                100.0,
                vec![
                    role(
                        Role::Client,
                        RoleStatus::Graded,
                        Some("ada/client/report.html"),
                        None,
                    ),
                    role(Role::Server, RoleStatus::Graded, None, None),
                ],
            ),
            student(
                HOSTILE,
                75.0,
                vec![
                    role(Role::Client, RoleStatus::NotFound, None, Some("not found")),
                    role(Role::Server, RoleStatus::Graded, Some(&hostile_page), None),
                ],
            ),
        ],
        not_graded: vec![StudentRow {
            id: "lee".to_owned(),
            status: SubmissionStatus::Error,
            score: 0.0,
            max: 100.0,
            failed_checks: Vec::new(),
            roles: vec![role(
                Role::Server,
                RoleStatus::Error,
                None,
                Some("grader check exited with code 3: cannot start <UDP_Server>"),
            )],
        }],
    }
}

#[test]
fn the_page_is_self_contained_under_the_reports_policy() {
    let page = render_page(&summary());
    assert!(page.contains(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">"
    )));
    assert!(!page.contains("<script"), "no script, and none let in");
    assert!(!page.contains("src="), "nothing fetched");
    assert!(
        !page
            .replace("http://www.w3.org/2000/svg", "")
            .contains("://"),
        "no address but the SVG namespace's"
    );
    for section in ["distribution", "checks", "groups", "students", "not-graded"] {
        assert!(
            page.contains(&format!("<section id=\"{section}\">")),
            "{section}"
        );
    }
    assert_eq!(
        page.matches(chart::BAR_COLOUR).count(),
        2,
        "two non-empty buckets"
    );
    assert!(page.contains(CHECKS_RULE_COLOUR));
}

#[test]
fn every_student_string_is_escaped() {
    let page = render_page(&summary());
    let escaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;\\script&gt; &amp; &quot;#?%";
    assert!(
        page.contains(&format!("<td>{escaped}</td>")),
        "the id in its row"
    );
    assert!(
        page.contains(&format!("the server printed {escaped}")),
        "the example"
    );
    assert!(
        page.contains("cannot start &lt;UDP_Server&gt;"),
        "the reason"
    );
}

#[test]
fn reports_are_linked_relatively_and_only_when_they_exist() {
    let page = render_page(&summary());
    assert!(page.contains("<a href=\"ada/client/report.html\">client</a> · server"));
    assert!(
        page.contains(
            "<a href=\"%3Cscript%3Ealert%28%27x%27%29%3C%5Cscript%3E%20%26%20%22%23%3F%25/server/report.html\">server</a>"
        ),
        "an id's every special byte is percent-encoded"
    );
    assert!(page.contains("client <span class=\"status status-not-found\">not-found</span>"));
    // A group's member leads to the submission's row.
    assert!(page.contains("<tr id=\"student-2\">"));
    assert!(page.contains("<li><a href=\"#student-2\">&lt;script&gt;"));
}

#[test]
fn a_submission_the_grader_could_not_judge_is_listed_apart() {
    let page = render_page(&summary());
    let (counted, apart) = page.split_once("<section id=\"not-graded\">").unwrap();
    assert!(!counted.contains("lee"), "lee is in no table above");
    assert!(apart.contains(
        "<li><strong>lee</strong>: server <span class=\"status status-error\">error</span>: \
         grader check exited with code 3"
    ));
    assert!(page.contains("3 · 2 graded, 1 with full marks · 1 not graded"));
}

#[test]
fn the_checks_table_has_a_row_per_check_with_its_counts() {
    let page = render_page(&summary());
    assert!(page.contains(
        "<tr><td><code>sum</code></td><td class=\"number failed\">1 / 2</td><td>add-42 (1)</td></tr>"
    ));
    assert!(
        page.contains(
            "<tr><td><code>names</code></td><td class=\"number\">0 / 2</td><td></td></tr>"
        )
    );
}

#[test]
fn href_encodes_all_but_unreserved_bytes() {
    assert_eq!(href("a b/c#d/report.html"), "a%20b/c%23d/report.html");
    assert_eq!(href("é/x"), "%C3%A9/x");
    assert_eq!(href("A-z_0.9~"), "A-z_0.9~");
}
