//! `grader doctor`'s report for people: each facility with its status and, when it is
//! missing, its fixes; then the mode each kind of submission and each case would get.

use super::diagnosis::{Diagnosis, FindingStatus};
use std::fmt::Write;

/// The report as text, one facility per paragraph.
pub fn render(diagnosis: &Diagnosis) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "grader doctor: what this machine allows (grader {}, Linux {}, running as {})",
        diagnosis.grader_version, diagnosis.kernel, diagnosis.user
    );
    text.push('\n');
    for finding in &diagnosis.findings {
        let _ = writeln!(
            text,
            "  {:<9} {}: {}",
            format!("[{}]", finding.status.label()),
            finding.name,
            finding.detail
        );
        if finding.status != FindingStatus::Available {
            let _ = writeln!(text, "            used for: {}", finding.used_for);
        }
        for fix in &finding.fixes {
            let _ = writeln!(text, "            fix: {fix}");
        }
    }
    text.push_str("\nModes (--mode auto):\n");
    for mode in &diagnosis.modes {
        let _ = writeln!(
            text,
            "  {}: {} ({})",
            mode.description,
            mode.mode.unwrap_or("none works here"),
            mode.reason
        );
        if !mode.missing_for_transparent.is_empty() {
            text.push_str("    missing for transparent mode:\n");
            for missing in &mode.missing_for_transparent {
                let _ = writeln!(text, "      {missing}");
            }
        }
    }
    if !diagnosis.cases.is_empty() {
        text.push_str("\nCases:\n");
        let width = diagnosis
            .cases
            .iter()
            .map(|case| case.case.len())
            .max()
            .unwrap_or(0);
        for case in &diagnosis.cases {
            let _ = writeln!(
                text,
                "  {:<width$}  {:<11}  {}",
                case.case,
                case.mode.unwrap_or("none"),
                case.reason
            );
        }
    }
    if diagnosis.not_probed.is_empty() {
        text.push_str("\nEverything was probed.\n");
    } else {
        text.push_str("\nCould not probe:\n");
        for what in &diagnosis.not_probed {
            let _ = writeln!(text, "  {what}");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::diagnosis::{CaseMode, Finding, SubmissionMode};

    #[test]
    fn a_missing_facility_shows_its_use_and_fixes() {
        let diagnosis = Diagnosis {
            schema_version: 1,
            grader_version: "0.1.0".to_owned(),
            kernel: "6.8.0".to_owned(),
            user: "uid 1000".to_owned(),
            findings: vec![Finding {
                id: "socket-wrapper",
                name: "socket_wrapper",
                status: FindingStatus::Missing,
                detail: "not installed".to_owned(),
                used_for: "preload mode",
                fixes: vec!["sudo apt-get install libsocket-wrapper".to_owned()],
            }],
            modes: vec![SubmissionMode {
                submissions: "hard-coded",
                description: "programs that hard-code their address",
                mode: None,
                reason: "neither way is available".to_owned(),
                missing_for_transparent: vec!["network namespaces: refused".to_owned()],
            }],
            cases: vec![CaseMode {
                case: "rdt3".to_owned(),
                mode: Some("relay"),
                reason: "the programs take their addresses as arguments".to_owned(),
            }],
            not_probed: vec!["pids cgroups: the probe did not answer within 3.000 s".to_owned()],
        };
        let text = render(&diagnosis);
        assert!(
            text.contains("[missing] socket_wrapper: not installed"),
            "{text}"
        );
        assert!(text.contains("used for: preload mode"), "{text}");
        assert!(
            text.contains("fix: sudo apt-get install libsocket-wrapper"),
            "{text}"
        );
        assert!(text.contains("none works here"), "{text}");
        assert!(text.contains("missing for transparent mode:"), "{text}");
        assert!(text.contains("rdt3  relay"), "{text}");
        assert!(text.contains("Could not probe:\n  pids cgroups"), "{text}");
    }
}
