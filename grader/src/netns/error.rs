//! What can go wrong with network namespaces, said so that a teacher running the grader
//! knows what to do about it.
//!
//! Most failures here are the machine's, not the submission's: a container without the
//! right privileges, a kernel without a feature. The permission failure in particular is
//! common (a default Docker container) and gets a message that names the way out instead
//! of an errno.

use nix::errno::Errno;
use std::io;
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum NamespaceError {
    /// The kernel refused to make a network namespace for lack of privileges.
    #[error(
        "network namespaces need root or unprivileged user namespaces; neither is available \
         here ({detail}); run the grader as root, or use --mode relay / --mode preload"
    )]
    NotPermitted { detail: String },
    /// The kernel refused for another reason (no CONFIG_NET_NS, a namespace limit reached).
    #[error("cannot create a network namespace: {detail}")]
    Create { detail: String },
    #[error("cannot open {}, the handle of a new network namespace: {source}", path.display())]
    Open { path: PathBuf, source: io::Error },
    #[error(
        "cannot bring up the loopback interface `lo` in network namespace net:[{inode}]: {source}"
    )]
    Loopback { inode: u64, source: io::Error },
    #[error(
        "cannot set the ephemeral port range of network namespace net:[{inode}] \
         (net.ipv4.ip_local_port_range): {source}"
    )]
    PortRange { inode: u64, source: io::Error },
    #[error("cannot enter network namespace net:[{inode}]: {detail}")]
    Enter { inode: u64, detail: String },
    #[error("cannot start a thread to work in a network namespace: {0}")]
    Thread(io::Error),
    #[error("cannot read the socket table of process {pid}: {source}")]
    SocketTable { pid: u32, source: procfs::ProcError },
}

impl NamespaceError {
    /// The error for a refused `unshare(CLONE_NEWNET)`: the refusals that mean "not
    /// allowed" become [`NotPermitted`](Self::NotPermitted), with what
    /// [`prepare_namespaces`](super::privileges::prepare_namespaces) found out, if anything.
    pub(crate) fn refused_creation(errno: Errno) -> Self {
        let refusal = format!(
            "the kernel refused a new network namespace: {}",
            describe_errno(errno)
        );
        match errno {
            Errno::EPERM | Errno::EACCES => {
                let detail = match super::privileges::unavailable_reason() {
                    Some(why) => format!("{why}; {refusal}"),
                    None => refusal,
                };
                NamespaceError::NotPermitted { detail }
            }
            Errno::EINVAL => NamespaceError::Create {
                detail: "this kernel was built without network namespaces (CONFIG_NET_NS)"
                    .to_owned(),
            },
            Errno::ENOSPC | Errno::EUSERS => NamespaceError::Create {
                detail: format!(
                    "{refusal} (the limit user.max_net_namespaces or user.max_user_namespaces \
                     is reached)"
                ),
            },
            _ => NamespaceError::Create { detail: refusal },
        }
    }
}

/// An errno as a lowercase phrase ("operation not permitted"), the way messages here read.
pub(crate) fn describe_errno(errno: Errno) -> String {
    let description = errno.desc();
    let mut characters = description.chars();
    match characters.next() {
        Some(first) => first.to_lowercase().chain(characters).collect(),
        None => format!("error {}", errno as i32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_permission_refusal_names_the_way_out() {
        let message = NamespaceError::refused_creation(Errno::EPERM).to_string();
        assert!(
            message.starts_with(
                "network namespaces need root or unprivileged user namespaces; neither is \
                 available here ("
            ),
            "{message}"
        );
        assert!(message.contains("operation not permitted"), "{message}");
        assert!(
            message.ends_with("run the grader as root, or use --mode relay / --mode preload"),
            "{message}"
        );
        assert!(!message.contains("EPERM"), "{message}");
    }

    #[test]
    fn other_refusals_say_what_is_missing() {
        let message = NamespaceError::refused_creation(Errno::EINVAL).to_string();
        assert!(message.contains("CONFIG_NET_NS"), "{message}");
        let message = NamespaceError::refused_creation(Errno::ENOSPC).to_string();
        assert!(message.contains("max_net_namespaces"), "{message}");
    }

    #[test]
    fn errno_descriptions_read_as_lowercase_phrases() {
        assert_eq!(describe_errno(Errno::ENOENT), "no such file or directory");
    }
}
