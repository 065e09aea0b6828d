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
    let me = procfs::process::Process::myself().ok()?;
    let mounts = me.mountinfo().ok()?;
    let groups = me.cgroups().ok()?;
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
    if v1.is_some() {
        return v1;
    }
    let v2 = groups
        .0
        .iter()
        .find(|group| group.hierarchy == 0 && group.controllers.is_empty())
        .and_then(|group| in_mount("cgroup2", false, &group.pathname))?;
    let delegated = std::fs::read_to_string(v2.join("cgroup.subtree_control"))
        .is_ok_and(|control| control.split_whitespace().any(|c| c == "pids"));
    delegated.then_some(v2)
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
