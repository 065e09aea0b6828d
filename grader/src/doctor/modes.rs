//! Which mode each kind of submission, and each case, would be graded in on a machine
//! with given facilities: the grader's own mode choice (`choose_mode`,
//! `hard_coded_mode`), asked with what the doctor probed.

use super::diagnosis::{CaseMode, Finding, SubmissionMode};
use crate::case::{CaseSource, load_case};
use crate::grading::mode::DEFAULT_TRANSPARENT_PORT;
use crate::grading::{Facilities, ModeChoice, choose_mode, hard_coded_mode, relay_mode};

/// The two kinds of submission and their modes here; `network` is the network-namespace
/// finding, whose fixes are what transparent mode lacks.
pub fn submission_modes(facilities: &Facilities, network: &Finding) -> Vec<SubmissionMode> {
    let missing_for_transparent = if facilities.namespaces {
        Vec::new()
    } else {
        let mut missing = vec![format!("network namespaces: {}", network.detail)];
        missing.extend(network.fixes.iter().map(|fix| format!("fix: {fix}")));
        missing
    };
    let relay = relay_mode();
    let hard_coded = hard_coded_mode(DEFAULT_TRANSPARENT_PORT, facilities);
    vec![
        SubmissionMode {
            submissions: "arguments",
            description: "programs that take the port they are given",
            mode: Some(relay.mode.name()),
            reason: format!("{}: needs no privileges", relay.reason),
            missing_for_transparent: Vec::new(),
        },
        SubmissionMode {
            submissions: "hard-coded",
            description: "programs that hard-code their address (127.0.0.1:5005)",
            mode: hard_coded.as_ref().ok().map(|chosen| chosen.mode.name()),
            reason: match &hard_coded {
                Ok(chosen) => chosen.reason.clone(),
                Err(error) => error.to_string(),
            },
            missing_for_transparent,
        },
    ]
}

/// The mode `--mode auto` picks for each of `cases` (built-in names or paths).
pub fn case_modes(cases: &[String], facilities: &Facilities) -> Vec<CaseMode> {
    cases
        .iter()
        .map(|argument| {
            let source = CaseSource::from_argument(argument);
            match load_case(&source) {
                Ok(loaded) => {
                    match choose_mode(ModeChoice::Auto, &loaded.case, || facilities.clone()) {
                        Ok(chosen) => CaseMode {
                            case: argument.clone(),
                            mode: Some(chosen.mode.name()),
                            reason: chosen.reason,
                        },
                        Err(error) => CaseMode {
                            case: argument.clone(),
                            mode: None,
                            reason: error.to_string(),
                        },
                    }
                }
                Err(errors) => CaseMode {
                    case: argument.clone(),
                    mode: None,
                    reason: format!("the case does not load: {errors}"),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::namespaces::network_finding;
    use crate::netns::NamespacePrivilege;
    use std::path::PathBuf;

    fn facilities(namespaces: bool, socket_wrapper: bool) -> Facilities {
        Facilities {
            namespaces,
            socket_wrapper: socket_wrapper.then(|| PathBuf::from("/lib/libsocket_wrapper.so")),
        }
    }

    #[test]
    fn without_namespaces_hard_coded_programs_go_to_preload_and_transparent_s_needs_are_named() {
        let refused = NamespacePrivilege::Unavailable {
            why: "running as uid 65534, and the kernel refused a user namespace".to_owned(),
        };
        let network = network_finding(Some(&refused), Err("refused".to_owned()));
        let modes = submission_modes(&facilities(false, true), &network);
        assert_eq!(modes[0].mode, Some("relay"));
        assert!(modes[0].missing_for_transparent.is_empty());
        assert_eq!(modes[1].mode, Some("preload"));
        let missing = modes[1].missing_for_transparent.join("\n");
        assert!(missing.contains("uid 65534"), "{missing}");
        assert!(missing.contains("fix: "), "{missing}");

        let neither = submission_modes(&facilities(false, false), &network);
        assert_eq!(neither[1].mode, None);
        assert!(
            neither[1]
                .reason
                .contains("apt-get install libsocket-wrapper"),
            "{}",
            neither[1].reason
        );
    }

    #[test]
    fn each_case_gets_the_mode_auto_would_pick() {
        let cases = [
            "rdt3".to_owned(),
            "rdt3-fixed".to_owned(),
            "nope".to_owned(),
        ];
        let modes = case_modes(&cases, &facilities(true, false));
        assert_eq!(modes[0].mode, Some("relay"));
        assert_eq!(modes[1].mode, Some("transparent"));
        assert_eq!(modes[2].mode, None);
        assert!(
            modes[2].reason.contains("does not load"),
            "{}",
            modes[2].reason
        );
    }
}
