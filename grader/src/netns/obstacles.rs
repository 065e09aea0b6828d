//! What on this machine stands between an unprivileged grader and a user namespace of its
//! own: each kernel setting that turns them off, and a seccomp filter (a container's
//! default profile) that forbids `unshare`, each with the change that lifts it.
//!
//! Read by [`super::privileges`] to say why namespaces are unavailable, and by `grader
//! doctor` to list the fixes, so both say the same thing.

/// One thing that keeps unprivileged user namespaces off, and how to lift it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Obstacle {
    /// What was found, as a clause: "sysctl kernel.apparmor_restrict_unprivileged_userns
    /// is 1".
    pub found: String,
    /// The change that lifts it, as a command or an instruction.
    pub fix: String,
}

/// Every obstacle found on this machine, in a fixed order (kernel settings, then seccomp).
pub fn user_namespace_obstacles() -> Vec<Obstacle> {
    let mut found: Vec<Obstacle> = SWITCHES
        .iter()
        .filter(|switch| {
            std::fs::read_to_string(switch.path).is_ok_and(|value| value.trim() == switch.off)
        })
        .map(|switch| Obstacle {
            found: format!("sysctl {} is {}", switch.name, switch.off),
            fix: format!("sudo sysctl -w {}={}", switch.name, switch.on),
        })
        .collect();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(filters) = seccomp_filters(&status) {
        found.push(Obstacle {
            found: format!(
                "the grader runs under {filters} seccomp filter{} (a container's profile: \
                 Docker's default forbids unshare)",
                if filters == 1 { "" } else { "s" }
            ),
            fix: "run the container with `--security-opt seccomp=unconfined` (or podman, \
                  whose default profile allows user namespaces), or run the grader as root \
                  with CAP_SYS_ADMIN (`--cap-add SYS_ADMIN`)"
                .to_owned(),
        });
    }
    found
}

/// A kernel setting that can turn unprivileged user namespaces off.
struct Switch {
    path: &'static str,
    name: &'static str,
    /// The value that turns them off.
    off: &'static str,
    /// A value that allows them.
    on: &'static str,
}

const SWITCHES: [Switch; 3] = [
    Switch {
        path: "/proc/sys/kernel/unprivileged_userns_clone",
        name: "kernel.unprivileged_userns_clone",
        off: "0",
        on: "1",
    },
    Switch {
        path: "/proc/sys/user/max_user_namespaces",
        name: "user.max_user_namespaces",
        off: "0",
        on: "15000",
    },
    Switch {
        path: "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
        name: "kernel.apparmor_restrict_unprivileged_userns",
        off: "1",
        on: "0",
    },
];

/// How many seccomp filters `/proc/self/status` says the process runs under, when it runs
/// under any (`Seccomp: 2`, filter mode).
fn seccomp_filters(status: &str) -> Option<u64> {
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .map(str::trim)
    };
    if field("Seccomp:")? != "2" {
        return None;
    }
    // Kernels before 5.9 have no count; one filter at least is installed.
    Some(
        field("Seccomp_filters:")
            .and_then(|count| count.parse().ok())
            .unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seccomp_filter_is_read_from_the_status_file() {
        let docker = "Name:\tgrader\nSeccomp:\t2\nSeccomp_filters:\t1\n";
        assert_eq!(seccomp_filters(docker), Some(1));
        let old_kernel = "Seccomp:\t2\n";
        assert_eq!(seccomp_filters(old_kernel), Some(1));
        let unfiltered = "Seccomp:\t0\nSeccomp_filters:\t0\n";
        assert_eq!(seccomp_filters(unfiltered), None);
        assert_eq!(seccomp_filters(""), None);
    }

    #[test]
    fn each_obstacle_comes_with_its_fix() {
        for obstacle in user_namespace_obstacles() {
            assert!(!obstacle.fix.is_empty(), "{obstacle:?}");
            if let Some(name) = obstacle.found.strip_prefix("sysctl ") {
                let name = name.split_whitespace().next().unwrap_or_default();
                assert!(obstacle.fix.contains(name), "{obstacle:?}");
            }
        }
    }
}
