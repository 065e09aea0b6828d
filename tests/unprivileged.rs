//! Running the grader as an unprivileged user (`nobody`, through `setpriv`), as a course
//! machine or container would: a copy of the grader and of the examples everyone may read.

use crate::util::root;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the programs' interpreter is found by anyone (not under /root, which is 700).
pub const PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// What an unprivileged grader needs, readable by everyone: the grader binary (copied
/// when its own path is not) and the examples.
pub struct Readable {
    pub dir: tempfile::TempDir,
    pub grader: PathBuf,
}

impl Readable {
    pub fn new() -> Readable {
        let dir = tempfile::tempdir().unwrap();
        open_to_everyone(dir.path());
        let built = PathBuf::from(env!("CARGO_BIN_EXE_grader"));
        let grader = if readable_by_everyone(&built) {
            built
        } else {
            let copy = dir.path().join("grader");
            std::fs::copy(&built, &copy).unwrap();
            copy
        };
        for example in ["rdt3-fixed", "tcp-lines"] {
            copy_tree(
                &root().join("examples").join(example),
                &dir.path().join(example),
            );
        }
        Readable { dir, grader }
    }

    pub fn example(&self, path: &str) -> String {
        self.dir.path().join(path).display().to_string()
    }

    /// A fresh directory nobody may write in.
    pub fn writable_dir(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::create_dir(&path).unwrap();
        open_to_everyone(&path);
        path
    }

    /// `grader ARGS` as nobody, with no capabilities, `TMPDIR` set to `tmp`.
    pub fn grader_as_nobody(&self, tmp: &Path, args: &[&str]) -> std::process::Output {
        Command::new("setpriv")
            .args([
                "--reuid=nobody",
                "--regid=nogroup",
                "--clear-groups",
                "--bounding-set=-all",
            ])
            .arg(&self.grader)
            .args(args)
            .env("NO_COLOR", "1")
            .env("PATH", PATH)
            .env("TMPDIR", tmp)
            .output()
            .unwrap()
    }
}

pub fn open_to_everyone(path: &Path) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o777)).unwrap();
}

fn readable_by_everyone(path: &Path) -> bool {
    let mode = |path: &Path| std::fs::metadata(path).map_or(0, |meta| meta.permissions().mode());
    mode(path) & 0o004 != 0
        && path
            .ancestors()
            .skip(1)
            .all(|dir| dir.as_os_str().is_empty() || mode(dir) & 0o001 != 0)
}

pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o755)).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
}
