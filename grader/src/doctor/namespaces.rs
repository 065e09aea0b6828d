//! The network-namespace and mount-namespace findings: whether the grader can make them,
//! and when it cannot, why (not root; a sysctl; a seccomp profile) with each fix.

use super::diagnosis::{Finding, FindingStatus};
use crate::netns::NamespacePrivilege;
use crate::netns::obstacles::user_namespace_obstacles;

/// What transparent mode and the per-program network namespaces need, said once.
pub const NETWORK_USE: &str = "transparent mode (programs that hard-code their address, each in a namespace of its own) and a private loopback for every relay-mode run";

/// The network-namespace finding, from what `prepare_namespaces` found at start
/// (`privilege`, `None` if it did not run) and whether making one just worked (`made`, the
/// error's text when it did not).
pub fn network_finding(
    privilege: Option<&NamespacePrivilege>,
    made: Result<(), String>,
) -> Finding {
    let (status, detail) = match (privilege, &made) {
        (Some(NamespacePrivilege::Root), Ok(())) => (
            FindingStatus::Available,
            "made one: the grader runs as root with CAP_SYS_ADMIN".to_owned(),
        ),
        (Some(NamespacePrivilege::UserNamespace), Ok(())) => (
            FindingStatus::Available,
            "made one: the grader is not root, and entered an unprivileged user namespace of its own"
                .to_owned(),
        ),
        (_, Ok(())) => (FindingStatus::Available, "made one".to_owned()),
        (Some(NamespacePrivilege::Unavailable { why }), Err(_)) => {
            (FindingStatus::Missing, format!("cannot make one: {why}"))
        }
        (_, Err(error)) => (FindingStatus::Missing, error.clone()),
    };
    let fixes = if status == FindingStatus::Available {
        Vec::new()
    } else {
        namespace_fixes()
    };
    Finding {
        id: "network-namespaces",
        name: "network namespaces",
        status,
        detail,
        used_for: NETWORK_USE,
        fixes,
    }
}

/// The mount-namespace finding: `confined` is whether a throwaway program could be
/// confined to its directory.
pub fn mount_finding(confined: bool) -> Finding {
    let (status, detail, fixes) = if confined {
        (
            FindingStatus::Available,
            "a throwaway program was confined to its own directory".to_owned(),
            Vec::new(),
        )
    } else {
        (
            FindingStatus::Missing,
            "a throwaway program could not be given a mount namespace of its own: programs \
             run unconfined (they may write anywhere the grader's user may)"
                .to_owned(),
            namespace_fixes(),
        )
    };
    Finding {
        id: "mount-namespaces",
        name: "mount namespaces",
        status,
        detail,
        used_for: "keeping each program to writing its own directory, and hiding the other program's files, --out and --hide from it",
        fixes,
    }
}

/// What lets the grader make namespaces: root with CAP_SYS_ADMIN, then each obstacle
/// found lifted.
pub fn namespace_fixes() -> Vec<String> {
    let mut fixes = Vec::new();
    if outside_uid() != 0 {
        fixes.push("run the grader as root: `sudo grader …`".to_owned());
    } else {
        fixes.push(
            "give the grader CAP_SYS_ADMIN (a container: `docker run --cap-add SYS_ADMIN`, or \
             `--privileged`)"
                .to_owned(),
        );
    }
    for obstacle in user_namespace_obstacles() {
        fixes.push(format!("{}: {}", obstacle.found, obstacle.fix));
    }
    fixes
}

/// The grader's user id outside any user namespace it is in (an unprivileged grader
/// enters one where it is 0): the second field of `/proc/self/uid_map`'s first line.
pub fn outside_uid() -> u32 {
    std::fs::read_to_string("/proc/self/uid_map")
        .ok()
        .and_then(|map| map.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or_else(|| nix::unistd::geteuid().as_raw())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_why_and_the_fixes() {
        let privilege = NamespacePrivilege::Unavailable {
            why: "running as uid 65534, and the kernel refused a user namespace: operation not permitted; sysctl user.max_user_namespaces is 0".to_owned(),
        };
        let finding = network_finding(Some(&privilege), Err("refused".to_owned()));
        assert_eq!(finding.status, FindingStatus::Missing);
        assert!(finding.detail.contains("uid 65534"), "{}", finding.detail);
        assert!(
            finding.detail.contains("max_user_namespaces"),
            "{}",
            finding.detail
        );
        assert!(!finding.fixes.is_empty());
    }

    #[test]
    fn root_that_made_one_needs_nothing() {
        let finding = network_finding(Some(&NamespacePrivilege::Root), Ok(()));
        assert_eq!(finding.status, FindingStatus::Available);
        assert!(finding.detail.contains("root"), "{}", finding.detail);
        assert!(finding.fixes.is_empty());
    }

    #[test]
    fn unconfined_programs_are_said_to_be_so() {
        let finding = mount_finding(false);
        assert_eq!(finding.status, FindingStatus::Missing);
        assert!(finding.detail.contains("unconfined"), "{}", finding.detail);
        assert!(mount_finding(true).fixes.is_empty());
    }
}
