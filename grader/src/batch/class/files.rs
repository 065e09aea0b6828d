//! The class page's files: reading what each role's `grader check` left in the batch's
//! output (`OUT/<id>/<role>/report.json` and `report.html`), and writing `OUT/class.html`
//! and `OUT/class.json`.

use super::aggregate::ClassEvidence;
use super::page::render_page;
use super::reported::{RoleEvidence, parse_report};
use super::summary::ClassSummary;
use crate::batch::result::{SubmissionResult, write_atomically};
use std::path::Path;

/// The class page's file names in the batch's output folder.
pub const CLASS_HTML: &str = "class.html";
pub const CLASS_JSON: &str = "class.json";

/// Each role's evidence under `out`. A role without a `report.json` that parses (one that
/// was not run, or a grader error) has no runs; the batch only marks a role `graded` once
/// its report parsed, so a graded role always has them.
pub fn read_evidence(out: &Path, results: &[SubmissionResult]) -> ClassEvidence {
    let mut evidence = ClassEvidence::new();
    for result in results {
        for role in &result.roles {
            let dir = out.join(&result.id).join(role.role.name());
            let runs = std::fs::read_to_string(dir.join("report.json"))
                .ok()
                .and_then(|text| parse_report(&text).ok())
                .unwrap_or_default();
            let has_page = dir.join("report.html").is_file();
            evidence.insert(
                (result.id.clone(), role.role),
                RoleEvidence { runs, has_page },
            );
        }
    }
    evidence
}

/// Writes `class.json` and `class.html` into `out`, each atomically.
pub fn write_class(out: &Path, summary: &ClassSummary) -> std::io::Result<()> {
    let json = serde_json::to_string_pretty(summary).map_err(std::io::Error::other)?;
    write_atomically(&out.join(CLASS_JSON), format!("{json}\n").as_bytes())?;
    write_atomically(&out.join(CLASS_HTML), render_page(summary).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::class::{ClassInput, summarise};
    use crate::batch::result::{GradeOf, RoleResult, RoleStatus};
    use crate::batch::roles::Role;

    #[test]
    fn reads_each_roles_report_and_page_and_writes_both_files() {
        let out = tempfile::tempdir().unwrap();
        let grade = GradeOf {
            case: "udp-add".to_owned(),
            seed: 1,
            fingerprint: String::new(),
        };
        let role = |role, status| RoleResult {
            role,
            status,
            points: 0.0,
            max: 10.0,
            client: None,
            server: None,
            scenarios: Vec::new(),
            exit_code: None,
            error: None,
        };
        let result = SubmissionResult::new(
            "a b".to_owned(),
            &grade,
            vec![
                role(Role::Client, RoleStatus::Graded),
                role(Role::Server, RoleStatus::Graded),
            ],
        );
        let client = out.path().join("a b/client");
        std::fs::create_dir_all(&client).unwrap();
        std::fs::write(
            client.join("report.json"),
            r#"{"schema-version": 1, "scenarios": [{"name": "add-42", "graded": true,
                "outcomes": [{"check": "sum", "status": "fail", "observed": "no sum"}]}]}"#,
        )
        .unwrap();
        std::fs::write(client.join("report.html"), "<!DOCTYPE html>").unwrap();
        let results = [result];
        let evidence = read_evidence(out.path(), &results);
        let client = &evidence[&("a b".to_owned(), Role::Client)];
        assert!(client.has_page);
        assert_eq!(client.runs[0].outcomes[0].check, "sum");
        let server = &evidence[&("a b".to_owned(), Role::Server)];
        assert_eq!(server, &RoleEvidence::default());

        let summary = summarise(ClassInput {
            case: "udp-add",
            seed: 1,
            results: &results,
            evidence: &evidence,
        });
        write_class(out.path(), &summary).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.path().join(CLASS_JSON)).unwrap())
                .unwrap();
        assert_eq!(json["schema-version"], 1);
        assert_eq!(json["checks"][0]["check"], "sum");
        assert_eq!(
            json["students"][0]["roles"][0]["report"],
            "a b/client/report.html"
        );
        let page = std::fs::read_to_string(out.path().join(CLASS_HTML)).unwrap();
        assert!(page.contains("href=\"a%20b/client/report.html\""), "{page}");
    }
}
