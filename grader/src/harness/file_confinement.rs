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
//! Where mount namespaces cannot be made (a container without `CAP_SYS_ADMIN`), programs
//! run unconfined; [`file_confinement_available`] tells which, once per grader run.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Whether programs can be confined here (probed once, with a throwaway `true`).
pub fn file_confinement_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        let Ok(probe_dir) = tempfile::tempdir() else {
            return false;
        };
        let mut probe = Command::new("true");
        probe
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        confine_before_exec(&mut probe, probe_dir.path()).is_ok()
            && probe.status().is_ok_and(|status| status.success())
    })
}

/// Makes `command`'s child confine itself to writing under `writable` before it execs;
/// the child starts in `writable` (as every program the grader runs does).
pub fn confine_before_exec(command: &mut Command, writable: &Path) -> io::Result<()> {
    let root = CString::new("/").map_err(io::Error::other)?;
    let writable = CString::new(writable.as_os_str().as_bytes()).map_err(io::Error::other)?;
    install(command, root, writable);
    Ok(())
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

#[expect(
    unsafe_code,
    reason = "unshare, mount and mount_setattr between fork and exec have no safe wrapper that \
              avoids allocating in the child"
)]
fn install(command: &mut Command, root: CString, writable: CString) {
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
        confine_before_exec(&mut command, own.path()).unwrap();
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
}
