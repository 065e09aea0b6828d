//! Where the grader may make pids cgroups: next to its own cgroup, in the hierarchy that
//! has the pids controller.
//!
//! A cgroup v1 machine mounts each controller (or a few together) as a hierarchy of its
//! own, `/sys/fs/cgroup/pids` usually; a cgroup v2 machine has one hierarchy, where a
//! cgroup's children get the pids controller only if its `cgroup.subtree_control` lists
//! it. A container may mount only a subtree of a hierarchy, and `/proc/self/cgroup` then
//! gives paths that repeat the subtree's root, or (in a cgroup namespace) paths from it.

use std::path::{Path, PathBuf};

/// Where the grader's own cgroup is, in a hierarchy with the pids controller: a v1 pids
/// hierarchy first, else the v2 one if it delegates `pids` to the grader's children.
pub(crate) fn grader_pids_cgroup_dir() -> Option<PathBuf> {
    match pids_hierarchy() {
        PidsHierarchy::V1 { dir } | PidsHierarchy::V2Delegated { dir } => Some(dir),
        PidsHierarchy::V2NotDelegated { .. } | PidsHierarchy::None => None,
    }
}

/// Which kind of pids controller the grader's own cgroup has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PidsHierarchy {
    /// A cgroup v1 `pids` hierarchy; the grader's cgroup there is `dir`.
    V1 { dir: PathBuf },
    /// The cgroup v2 hierarchy, whose `dir` (the grader's cgroup) lists `pids` in
    /// `cgroup.subtree_control`.
    V2Delegated { dir: PathBuf },
    /// The cgroup v2 hierarchy, but `dir` does not give its children the pids controller.
    V2NotDelegated { dir: PathBuf },
    /// No pids controller is mounted where the grader can see it.
    None,
}

/// Finds the grader's own cgroup in a hierarchy with the pids controller (see
/// [`PidsHierarchy`]); a v1 pids hierarchy is preferred.
pub fn pids_hierarchy() -> PidsHierarchy {
    let Some((mounts, groups)) = procfs::process::Process::myself()
        .ok()
        .and_then(|me| Some((me.mountinfo().ok()?, me.cgroups().ok()?)))
    else {
        return PidsHierarchy::None;
    };
    let in_mount = |fs_type: &str, pids_option: bool, pathname: &str| {
        mounts
            .iter()
            .find(|mount| {
                mount.fs_type == fs_type
                    && (!pids_option || mount.super_options.contains_key("pids"))
            })
            .map(|mount| cgroup_dir(&mount.mount_point, &mount.root, pathname))
    };
    let v1 = groups
        .0
        .iter()
        .find(|group| group.hierarchy != 0 && group.controllers.iter().any(|c| c == "pids"))
        .and_then(|group| in_mount("cgroup", true, &group.pathname));
    if let Some(dir) = v1 {
        return PidsHierarchy::V1 { dir };
    }
    let Some(dir) = groups
        .0
        .iter()
        .find(|group| group.hierarchy == 0 && group.controllers.is_empty())
        .and_then(|group| in_mount("cgroup2", false, &group.pathname))
    else {
        return PidsHierarchy::None;
    };
    let delegated = std::fs::read_to_string(dir.join("cgroup.subtree_control"))
        .is_ok_and(|control| control.split_whitespace().any(|c| c == "pids"));
    if delegated {
        PidsHierarchy::V2Delegated { dir }
    } else {
        PidsHierarchy::V2NotDelegated { dir }
    }
}

/// The directory of cgroup `pathname` (as `/proc/self/cgroup` gives it) in a hierarchy
/// mounted at `mount_point` with root `mount_root` (as mountinfo gives it). A container's
/// mount may show only a subtree whose root `/proc/self/cgroup` then repeats.
fn cgroup_dir(mount_point: &Path, mount_root: &str, pathname: &str) -> PathBuf {
    let pathname = Path::new(pathname);
    let relative = pathname.strip_prefix(mount_root).unwrap_or(pathname);
    let relative = relative.strip_prefix("/").unwrap_or(relative);
    mount_point.join(relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cgroup_dir_is_found_below_the_mount_root() {
        let mount = Path::new("/sys/fs/cgroup/pids");
        assert_eq!(cgroup_dir(mount, "/", "/"), mount);
        assert_eq!(cgroup_dir(mount, "/", "/a/b"), mount.join("a/b"));
        assert_eq!(
            cgroup_dir(mount, "/docker/abc", "/docker/abc"),
            mount.to_path_buf()
        );
        assert_eq!(
            cgroup_dir(mount, "/docker/abc", "/docker/abc/x"),
            mount.join("x")
        );
        // A cgroup namespace shows paths relative to its own root.
        assert_eq!(cgroup_dir(mount, "/docker/abc", "/x"), mount.join("x"));
    }
}
