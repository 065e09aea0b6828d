//! What the class page reads of one role's `grader check`: its runs and their outcomes,
//! from the `report.json` the batch keeps beside the role's evidence, and whether the
//! role's `report.html` is there to link to. Plain data, so the summary can be built and
//! tested without files.

use crate::check::Status;
use crate::report::json::REPORT_SCHEMA_VERSION;
use serde::Deserialize;

/// One graded role's evidence.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoleEvidence {
    /// The role's runs, as its report lists them; empty when it has no report.
    pub runs: Vec<ReportedRun>,
    /// Whether `OUT/<id>/<role>/report.html` exists.
    pub has_page: bool,
}

/// One scenario run of a role.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ReportedRun {
    /// The run's key (`add-42`, `lossy-soak#2`).
    pub name: String,
    /// Informational runs are reported, never scored, and never counted on the class page.
    pub graded: bool,
    pub outcomes: Vec<ReportedOutcome>,
}

/// One check's verdict in a run: the part the class page needs.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ReportedOutcome {
    pub check: String,
    pub status: Status,
    #[serde(default)]
    pub observed: String,
}

/// The runs of a `--format json` report, or why they cannot be read.
pub fn parse_report(text: &str) -> Result<Vec<ReportedRun>, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    struct Report {
        schema_version: u32,
        scenarios: Vec<ReportedRun>,
    }
    let report: Report = serde_json::from_str(text).map_err(|error| error.to_string())?;
    if report.schema_version != REPORT_SCHEMA_VERSION {
        return Err(format!(
            "schema-version {}, the class page reads {REPORT_SCHEMA_VERSION}",
            report.schema_version
        ));
    }
    Ok(report.scenarios)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_gives_its_runs_and_outcomes() {
        let text = r#"{"schema-version": 1, "case": "udp-add", "score": 0, "scenarios": [
            {"name": "add-42", "graded": true, "status": "fail", "outcomes": [
              {"check": "sum", "status": "fail", "requirement": "r", "expected": "99",
               "observed": "the server does not show the sum 99"},
              {"check": "names", "status": "pass", "requirement": "r", "expected": "",
               "observed": ""}]},
            {"name": "not-a-number", "graded": false, "outcomes": []}]}"#;
        let runs = parse_report(text).unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].outcomes[0].status, Status::Fail);
        assert_eq!(runs[0].outcomes[1].check, "names");
        assert!(!runs[1].graded);
        assert!(parse_report(r#"{"schema-version": 9, "scenarios": []}"#).is_err());
        assert!(parse_report("not json").is_err());
    }
}
