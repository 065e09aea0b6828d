//! Getting the right to make network namespaces, once, before the grader starts threads.
//!
//! Root may make them outright. Anyone else may, on most distributions, by first entering
//! a user namespace of their own in which they are root — but the kernel only lets a
//! process do that while it has a single thread, so it must happen first thing in
//! `main`, for the whole process. When neither works, nothing is changed, and the reason
//! is kept so that [`NetNamespace::create`](super::NetNamespace::create) can say it.

use super::error::{NamespaceError, describe_errno};
use super::namespace::NetNamespace;
use nix::errno::Errno;
use nix::sched::{CloneFlags, unshare};
use nix::unistd::{Gid, Uid, getegid, geteuid};
use std::fmt;
use std::sync::OnceLock;

/// How this process may make network namespaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NamespacePrivilege {
    /// The grader runs as root with `CAP_SYS_ADMIN`.
    Root,
    /// The grader entered a user namespace of its own, in which it is root.
    UserNamespace,
    /// Neither: namespaces cannot be made, for the reason given.
    Unavailable { why: String },
}

impl fmt::Display for NamespacePrivilege {
    /// The word for reports: "root", "user namespace" or "none".
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            NamespacePrivilege::Root => "root",
            NamespacePrivilege::UserNamespace => "user namespace",
            NamespacePrivilege::Unavailable { .. } => "none",
        })
    }
}

/// Called first thing in `main` (while the process is single-threaded), for commands that
/// may need namespaces. As root (with `CAP_SYS_ADMIN`): nothing. Otherwise, if
/// unprivileged user namespaces work: `unshare(CLONE_NEWUSER)` and map the current uid and
/// gid to 0, so that later `NetNamespace::create` works from any thread; else leave things
/// and let `NetNamespace::create` report the reason. Returns what it did.
pub fn prepare_namespaces() -> NamespacePrivilege {
    let privilege = acquire();
    let _ = PREPARED.set(privilege.clone());
    if let NamespacePrivilege::Unavailable { why } = &privilege {
        // Only the first call's reason is kept; `main` calls this once.
        let _ = UNAVAILABLE_REASON.set(why.clone());
    }
    privilege
}

/// Why [`prepare_namespaces`] found no way to make namespaces, if it ran and found none.
pub(crate) fn unavailable_reason() -> Option<&'static str> {
    UNAVAILABLE_REASON.get().map(String::as_str)
}

static UNAVAILABLE_REASON: OnceLock<String> = OnceLock::new();

/// What [`prepare_namespaces`] found, if it ran (`grader doctor` reports it).
pub fn prepared_privilege() -> Option<&'static NamespacePrivilege> {
    PREPARED.get()
}

static PREPARED: OnceLock<NamespacePrivilege> = OnceLock::new();

/// `CAP_SYS_ADMIN`, which `unshare(CLONE_NEWNET)` needs (linux/capability.h).
const CAP_SYS_ADMIN: u32 = 21;

/// [`prepare_namespaces`] without remembering the outcome.
fn acquire() -> NamespacePrivilege {
    let (uid, gid) = (geteuid(), getegid());
    if uid.is_root() && has_sys_admin() {
        return NamespacePrivilege::Root;
    }
    let who = if uid.is_root() {
        "running as root without CAP_SYS_ADMIN, as in a default container".to_owned()
    } else {
        format!("running as uid {uid}")
    };
    if let Err(errno) = unshare(CloneFlags::CLONE_NEWUSER) {
        let why = match (errno, thread_count()) {
            (Errno::EINVAL, Some(threads)) if threads > 1 => format!(
                "{who}, and a user namespace can only be entered by a single-threaded \
                 process, but the grader already runs {threads} threads"
            ),
            (Errno::ENOSPC | Errno::EUSERS, _) => format!(
                "{who}, and the kernel refused a user namespace: the limit on user \
                 namespaces is reached{}",
                user_namespace_settings()
            ),
            _ => format!(
                "{who}, and the kernel refused a user namespace: {}{}",
                describe_errno(errno),
                user_namespace_settings()
            ),
        };
        return NamespacePrivilege::Unavailable { why };
    }
    if let Err(error) = map_to_root(uid, gid) {
        return NamespacePrivilege::Unavailable {
            why: format!("{who}, and mapping it to root in a user namespace failed: {error}"),
        };
    }
    // Some systems (Ubuntu's AppArmor restriction) allow the user namespace but not the
    // capabilities in it; only trying tells.
    match NetNamespace::create() {
        Ok(_) => NamespacePrivilege::UserNamespace,
        Err(NamespaceError::NotPermitted { detail }) => NamespacePrivilege::Unavailable {
            why: format!("{who}; a user namespace was entered, but in it {detail}"),
        },
        Err(error) => NamespacePrivilege::Unavailable {
            why: format!("{who}; a user namespace was entered, but {error}"),
        },
    }
}

/// Maps `uid` and `gid` (as they were outside) to 0 in the user namespace just entered.
fn map_to_root(uid: Uid, gid: Gid) -> std::io::Result<()> {
    // The kernel requires `setgroups` to be denied before an unprivileged gid map.
    std::fs::write("/proc/self/setgroups", "deny")?;
    std::fs::write("/proc/self/uid_map", format!("0 {uid} 1"))?;
    std::fs::write("/proc/self/gid_map", format!("0 {gid} 1"))
}

/// Whether the calling thread's effective capabilities include `CAP_SYS_ADMIN`. If that
/// cannot be read, root is assumed to have it, as it usually does.
fn has_sys_admin() -> bool {
    let Ok(status) = std::fs::read_to_string("/proc/thread-self/status") else {
        return true;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("CapEff:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_none_or(|mask| mask & (1 << CAP_SYS_ADMIN) != 0)
}

/// The number of threads of this process, from `/proc/self/status`.
fn thread_count() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .and_then(|count| count.trim().parse().ok())
}

/// What keeps unprivileged user namespaces off here, as "; sysctl NAME is VALUE" (or
/// seccomp) clauses (empty if nothing is found): [`super::obstacles`].
fn user_namespace_settings() -> String {
    super::obstacles::user_namespace_obstacles()
        .iter()
        .map(|obstacle| format!("; {}", obstacle.found))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `work` on a thread whose own credentials are those of `nobody` (65534), with
    /// no capabilities, leaving the rest of the test process root.
    fn as_nobody<T: Send>(work: impl FnOnce() -> T + Send) -> T {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    drop_thread_credentials(65534);
                    work()
                })
                .join()
                .unwrap()
        })
    }

    /// Sets the calling thread's real, effective and saved uid and gid to `id`, which
    /// also clears its capabilities.
    #[expect(
        unsafe_code,
        reason = "per-thread credentials need the raw system calls: libc's setresuid changes every thread"
    )]
    fn drop_thread_credentials(id: u32) {
        use nix::libc::{SYS_setresgid, SYS_setresuid, syscall};
        // SAFETY: setresgid and setresuid take three plain integers and touch no memory
        // of ours; as raw system calls they change only the calling thread's credentials.
        let results = unsafe {
            [
                syscall(SYS_setresgid, id, id, id),
                syscall(SYS_setresuid, id, id, id),
            ]
        };
        assert_eq!(results, [0, 0], "{}", std::io::Error::last_os_error());
    }

    #[test]
    fn root_needs_nothing() {
        if !geteuid().is_root() {
            eprintln!("skipped: root_needs_nothing needs the tests to run as root (CI does)");
            return;
        }
        assert_eq!(acquire(), NamespacePrivilege::Root);
        assert_eq!(NamespacePrivilege::Root.to_string(), "root");
        assert_eq!(
            NamespacePrivilege::UserNamespace.to_string(),
            "user namespace"
        );
    }

    #[test]
    fn an_unprivileged_caller_is_told_why_and_what_to_do() {
        let (privilege, created) = as_nobody(|| (acquire(), NetNamespace::create()));
        // The test process has many threads, so the user namespace is out of reach, and
        // nothing was changed.
        let NamespacePrivilege::Unavailable { why } = &privilege else {
            panic!("{privilege:?}");
        };
        assert!(why.starts_with("running as uid 65534"), "{why}");
        assert!(why.contains("single-threaded"), "{why}");
        assert_eq!(privilege.to_string(), "none");
        assert_eq!(geteuid(), Uid::from_raw(0));

        let error = created.unwrap_err();
        assert!(
            matches!(error, NamespaceError::NotPermitted { .. }),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("root or unprivileged user namespaces"),
            "{message}"
        );
        assert!(message.contains("--mode relay"), "{message}");
    }

    #[test]
    fn settings_clauses_are_empty_or_well_formed() {
        let clauses = user_namespace_settings();
        assert!(
            clauses.is_empty()
                || clauses.starts_with("; sysctl ")
                || clauses.starts_with("; the grader runs under"),
            "{clauses}"
        );
    }
}
