//! Each program may write in its own directory and nowhere else.
//!
//! Between fork and exec the child enters a mount namespace of its own, turns every mount
//! it sees read-only (recursively, with `mount_setattr`), and bind-mounts its own directory
//! back writable. The other program's directory, the grader's work and output directories,
//! the expected files and the submission's originals are then out of its reach for writing,
//! whatever paths it tries; device files such as `/dev/null` still work. Nothing changes
//! for the grader or for any other process: the namespace is the child's alone and
//! vanishes with it.
//!
//! Given a private root (the grader's work directory, which holds both programs'
//! directories and the grader's own files for the run), the child also covers it with an
//! empty read-only tmpfs and moves its own directory back in place on top: the other
//! program's directory and the grader's files are then not even readable. This needs
//! `open_tree`/`move_mount` (Linux 5.2); without them the child skips the hiding and is
//! confined for writing only.
//!
//! Directories the grader names as private besides (`--out`, `--hide`: a class's
//! submissions, a course's solutions) are each covered by an empty read-only tmpfs, so the
//! program cannot read them either.
//! A directory is left visible when covering it would hide what the program needs: its
//! own directory, its executable, or a directory of `PATH` (its interpreter).
//!
//! Where mount namespaces cannot be made (a container without `CAP_SYS_ADMIN`), programs
//! run unconfined; [`file_confinement_available`] tells which, once per grader run.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Whether programs can be confined here (probed once, with a throwaway `true`).
pub fn file_confinement_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let Ok(probe_dir) = tempfile::tempdir() else {
            return false;
        };
        let mut probe = super::probe::silent_true();
        confine_before_exec(&mut probe, probe_dir.path(), None, &[]).is_ok()
            && probe.status().is_ok_and(|status| status.success())
    })
}

/// Makes `command`'s child confine itself to writing under `writable` before it execs;
/// the child starts in `writable` (as every program the grader runs does). With
/// `private_root`, a directory above `writable`, everything else under it is hidden; each
/// of `covered` (already filtered by [`coverable`]) is hidden whole.
pub fn confine_before_exec(
    command: &mut Command,
    writable: &Path,
    private_root: Option<&Path>,
    covered: &[PathBuf],
) -> io::Result<()> {
    let c_string =
        |path: &Path| CString::new(path.as_os_str().as_bytes()).map_err(io::Error::other);
    let root = CString::new("/").map_err(io::Error::other)?;
    let empty = CString::new("").map_err(io::Error::other)?;
    let tmpfs = CString::new("tmpfs").map_err(io::Error::other)?;
    let tmpfs_options = CString::new("mode=0755,size=16k").map_err(io::Error::other)?;
    // Prepared before the fork: the child may not allocate. The directories to make inside
    // the covering tmpfs, outermost first, down to `writable` itself.
    let hiding = match private_root {
        Some(hidden) => {
            let below = writable.strip_prefix(hidden).map_err(|_| {
                io::Error::other(format!(
                    "{} is not inside {}",
                    writable.display(),
                    hidden.display()
                ))
            })?;
            let mut path = hidden.to_path_buf();
            let mut steps = Vec::new();
            for component in below.components() {
                path.push(component);
                steps.push(c_string(&path)?);
            }
            Some(Hiding {
                hidden: c_string(hidden)?,
                steps,
                tmpfs,
                tmpfs_options,
                empty,
            })
        }
        None => None,
    };
    let covered = covered
        .iter()
        .map(|path| c_string(path))
        .collect::<io::Result<Vec<_>>>()?;
    let cover = Cover {
        paths: covered,
        tmpfs: CString::new("tmpfs").map_err(io::Error::other)?,
        options: CString::new("mode=0755,size=4k").map_err(io::Error::other)?,
    };
    install(command, root, c_string(writable)?, hiding, cover);
    Ok(())
}

/// Which of `private` may be covered for a program that writes in `writable` and needs
/// `files` (its executable, and any file its command line names) and `path` (its `PATH`):
/// existing directories that hold none of those, and not `/`. Canonical paths, so a link
/// cannot smuggle one past the comparison.
pub fn coverable(
    private: &[PathBuf],
    writable: &Path,
    files: &[PathBuf],
    path: &std::ffi::OsStr,
) -> Vec<PathBuf> {
    let canonical = |path: &Path| std::fs::canonicalize(path).ok();
    let mut needed: Vec<PathBuf> = std::env::split_paths(path)
        .filter_map(|dir| canonical(&dir))
        .collect();
    needed.extend(canonical(writable));
    needed.extend(files.iter().filter_map(|file| canonical(file)));
    let mut covered: Vec<PathBuf> = private
        .iter()
        .filter_map(|dir| canonical(dir))
        .filter(|dir| dir.is_dir() && dir.parent().is_some())
        .filter(|dir| !needed.iter().any(|need| need.starts_with(dir)))
        .collect();
    // One inside another is hidden already, and could not be mounted on: the outer
    // cover is empty. Sorted, an outer directory comes before what it holds.
    covered.sort();
    let mut outermost: Vec<PathBuf> = Vec::new();
    for dir in covered {
        if !outermost.iter().any(|outer| dir.starts_with(outer)) {
            outermost.push(dir);
        }
    }
    outermost
}

/// The directories to cover whole, as C strings made before the fork.
struct Cover {
    paths: Vec<CString>,
    tmpfs: CString,
    options: CString,
}

/// What covering the private root takes, as C strings made before the fork.
struct Hiding {
    hidden: CString,
    steps: Vec<CString>,
    tmpfs: CString,
    tmpfs_options: CString,
    empty: CString,
}

/// `struct mount_attr` of `mount_setattr(2)`.
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

const MOUNT_ATTR_RDONLY: u64 = 0x1;
/// `open_tree(2)`: a detached copy of the mount, to move back in after covering it.
const OPEN_TREE_CLONE: libc_uint = 1;
/// `move_mount(2)`: the source is the file descriptor itself.
const MOVE_MOUNT_F_EMPTY_PATH: libc_uint = 0x4;

#[expect(non_camel_case_types, reason = "named after the C type it stands for")]
type libc_uint = nix::libc::c_uint;

#[expect(
    unsafe_code,
    reason = "unshare, mount and mount_setattr between fork and exec have no safe wrapper that \
              avoids allocating in the child"
)]
fn install(
    command: &mut Command,
    root: CString,
    writable: CString,
    hiding: Option<Hiding>,
    cover: Cover,
) {
    use nix::libc;
    // SAFETY: the hook runs in the forked child before exec, so it only makes system calls
    // on strings and structs prepared before the fork (no allocation, no locks), and turns
    // a failure into an io::Error from errno, which does not allocate.
    unsafe {
        command.pre_exec(move || {
            let check = |result: libc::c_long| {
                if result < 0 {
                    Err(io::Error::last_os_error())
                } else {
                    Ok(())
                }
            };
            check(libc::unshare(libc::CLONE_NEWNS).into())?;
            // Private first, so nothing below propagates back to the grader's mounts.
            check(
                libc::mount(
                    std::ptr::null(),
                    root.as_ptr(),
                    std::ptr::null(),
                    libc::MS_REC | libc::MS_PRIVATE,
                    std::ptr::null(),
                )
                .into(),
            )?;
            let read_only = MountAttr {
                attr_set: MOUNT_ATTR_RDONLY,
                attr_clr: 0,
                propagation: 0,
                userns_fd: 0,
            };
            check(libc::syscall(
                libc::SYS_mount_setattr,
                libc::AT_FDCWD,
                root.as_ptr(),
                libc::AT_RECURSIVE,
                &read_only as *const MountAttr,
                std::mem::size_of::<MountAttr>(),
            ))?;
            check(
                libc::mount(
                    writable.as_ptr(),
                    writable.as_ptr(),
                    std::ptr::null(),
                    libc::MS_BIND | libc::MS_REC,
                    std::ptr::null(),
                )
                .into(),
            )?;
            let read_write = MountAttr {
                attr_set: 0,
                attr_clr: MOUNT_ATTR_RDONLY,
                propagation: 0,
                userns_fd: 0,
            };
            check(libc::syscall(
                libc::SYS_mount_setattr,
                libc::AT_FDCWD,
                writable.as_ptr(),
                libc::AT_RECURSIVE,
                &read_write as *const MountAttr,
                std::mem::size_of::<MountAttr>(),
            ))?;
            if let Some(hiding) = &hiding {
                // A detached copy of the writable directory, kept while its path is covered.
                let tree = libc::syscall(
                    libc::SYS_open_tree,
                    libc::AT_FDCWD,
                    writable.as_ptr(),
                    (OPEN_TREE_CLONE
                        | libc::AT_RECURSIVE as libc_uint
                        | libc::O_CLOEXEC as libc_uint) as libc::c_ulong,
                );
                // Without open_tree (before Linux 5.2) the directory stays readable.
                if tree >= 0 {
                    check(
                        libc::mount(
                            hiding.tmpfs.as_ptr(),
                            hiding.hidden.as_ptr(),
                            hiding.tmpfs.as_ptr(),
                            libc::MS_NOSUID | libc::MS_NODEV,
                            hiding.tmpfs_options.as_ptr().cast(),
                        )
                        .into(),
                    )?;
                    for step in &hiding.steps {
                        check(libc::mkdir(step.as_ptr(), 0o755).into())?;
                    }
                    check(libc::syscall(
                        libc::SYS_move_mount,
                        tree,
                        hiding.empty.as_ptr(),
                        libc::AT_FDCWD,
                        writable.as_ptr(),
                        MOVE_MOUNT_F_EMPTY_PATH as libc::c_ulong,
                    ))?;
                    // The covering tmpfs itself read-only; the directory moved onto it is a
                    // mount of its own and stays writable.
                    check(libc::syscall(
                        libc::SYS_mount_setattr,
                        libc::AT_FDCWD,
                        hiding.hidden.as_ptr(),
                        0,
                        &read_only as *const MountAttr,
                        std::mem::size_of::<MountAttr>(),
                    ))?;
                    check(libc::close(tree as libc::c_int).into())?;
                }
            }
            for path in &cover.paths {
                check(
                    libc::mount(
                        cover.tmpfs.as_ptr(),
                        path.as_ptr(),
                        cover.tmpfs.as_ptr(),
                        libc::MS_RDONLY | libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC,
                        cover.options.as_ptr().cast(),
                    )
                    .into(),
                )?;
            }
            // std changed directory before this hook ran, so the working directory still
            // points into the read-only mount underneath; enter the writable one on top.
            check(libc::chdir(writable.as_ptr()).into())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confined_program_writes_only_in_its_own_directory() {
        if !file_confinement_available() {
            eprintln!("skipped: mount namespaces are not available here");
            return;
        }
        let own = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let script = format!(
            "echo mine > relative.txt && echo mine > '{own}/mine.txt' && echo own-ok; echo theirs > '{other}/theirs.txt' 2>/dev/null || echo other-refused; cat /dev/null > /dev/null && echo dev-ok",
            own = own.path().display(),
            other = other.path().display()
        );
        let mut command = Command::new("sh");
        command.args(["-c", &script]).current_dir(own.path());
        confine_before_exec(&mut command, own.path(), None, &[]).unwrap();
        let output = command.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(stdout, "own-ok\nother-refused\ndev-ok\n");
        assert!(own.path().join("mine.txt").exists());
        assert!(
            own.path().join("relative.txt").exists(),
            "relative paths land in its directory"
        );
        assert!(!other.path().join("theirs.txt").exists());
        // The grader itself is untouched: it can still write where the program could not.
        std::fs::write(other.path().join("grader.txt"), "ok").unwrap();
    }

    #[test]
    fn under_a_private_root_it_sees_its_own_directory_and_nothing_else_there() {
        if !file_confinement_available() {
            eprintln!("skipped: mount namespaces are not available here");
            return;
        }
        let root = tempfile::tempdir().unwrap();
        let own = root.path().join("run-1/server");
        let other = root.path().join("run-1/client");
        std::fs::create_dir_all(&own).unwrap();
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(own.join("mine.txt"), "mine").unwrap();
        std::fs::write(other.join("theirs.txt"), "secret").unwrap();
        std::fs::write(root.path().join("expected.bin"), "secret").unwrap();
        let script = format!(
            "cat mine.txt; echo; cat '{other}/theirs.txt' 2>/dev/null || echo other-hidden; \
             cat '{root}/expected.bin' 2>/dev/null || echo root-hidden; \
             ls '{root}'; ls '{root}/run-1'; \
             echo new > new.txt && echo own-writable; \
             touch '{root}/planted' 2>/dev/null || echo root-read-only",
            other = other.display(),
            root = root.path().display()
        );
        let mut command = Command::new("sh");
        command.args(["-c", &script]).current_dir(&own);
        confine_before_exec(&mut command, &own, Some(root.path()), &[]).unwrap();
        let output = command.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            stdout,
            "mine\nother-hidden\nroot-hidden\nrun-1\nserver\nown-writable\nroot-read-only\n",
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        // Its writes are real, and the grader still sees everything.
        assert!(own.join("new.txt").exists());
        assert!(other.join("theirs.txt").exists() && !root.path().join("planted").exists());
    }

    #[test]
    fn a_covered_directory_is_empty_to_the_program_and_others_are_not() {
        if !file_confinement_available() {
            eprintln!("skipped: mount namespaces are not available here");
            return;
        }
        let own = tempfile::tempdir().unwrap();
        let course = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::write(course.path().join("solution.py"), "secret").unwrap();
        std::fs::write(elsewhere.path().join("open.txt"), "open").unwrap();
        let covered = coverable(
            &[course.path().to_path_buf()],
            own.path(),
            &[],
            &std::env::var_os("PATH").unwrap_or_default(),
        );
        assert_eq!(covered.len(), 1);
        let script = format!(
            "cat '{course}/solution.py' 2>/dev/null || echo course-hidden; ls -A '{course}'; \
             touch '{course}/planted' 2>/dev/null || echo course-read-only; \
             cat '{elsewhere}/open.txt'",
            course = course.path().display(),
            elsewhere = elsewhere.path().display()
        );
        let mut command = Command::new("sh");
        command.args(["-c", &script]).current_dir(own.path());
        confine_before_exec(&mut command, own.path(), None, &covered).unwrap();
        let output = command.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            stdout,
            "course-hidden\ncourse-read-only\nopen",
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(course.path().join("solution.py").exists());
    }

    #[test]
    fn what_a_program_needs_is_never_covered() {
        let root = tempfile::tempdir().unwrap();
        let own = root.path().join("work/client");
        let tools = root.path().join("tools/bin");
        let course = root.path().join("course");
        for dir in [&own, &tools, &course.join("inner")] {
            std::fs::create_dir_all(dir).unwrap();
        }
        let executable = tools.join("python3");
        std::fs::write(&executable, "").unwrap();
        let private = [
            root.path().to_path_buf(),   // holds its own directory
            root.path().join("tools"),   // holds its interpreter
            course.clone(),              // holds nothing it needs
            course.join("inner"),        // inside another covered one
            PathBuf::from("/"),          // never
            root.path().join("missing"), // does not exist
        ];
        let path = std::env::join_paths([&tools]).unwrap();
        let covered = coverable(&private, &own, std::slice::from_ref(&executable), &path);
        assert_eq!(covered, vec![std::fs::canonicalize(&course).unwrap()]);
        // A script the command line names keeps its directory visible.
        let script = course.join("client.py");
        std::fs::write(&script, "").unwrap();
        let covered = coverable(&private, &own, &[executable, script], &path);
        assert_eq!(
            covered,
            vec![std::fs::canonicalize(course.join("inner")).unwrap()]
        );
    }
}
