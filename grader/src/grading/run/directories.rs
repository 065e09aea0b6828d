//! The directories of one run: each program's own, made fresh, and beside them the files
//! the grader keeps out of both programs' reach.

use super::error::{RunError, internal};
use crate::evidence::Role;
use std::path::{Path, PathBuf};

/// Where one run's programs live, under the session's work directory.
#[derive(Debug)]
pub(super) struct RunDirs {
    /// The run's own directory, holding the two below.
    root: PathBuf,
    pub server: PathBuf,
    pub client: PathBuf,
}

impl RunDirs {
    /// Fresh, empty directories for the run `key` (`lossy-soak#3`) under `work_root`;
    /// whatever an earlier run of the same key left there is removed.
    pub fn create(work_root: &Path, key: &str) -> Result<RunDirs, RunError> {
        let root = work_root.join(directory_name(key));
        let server = fresh_dir(&root.join("server"))
            .map_err(internal("cannot create the server's directory"))?;
        let client = fresh_dir(&root.join("client"))
            .map_err(internal("cannot create the client's directory"))?;
        Ok(RunDirs {
            root,
            server,
            client,
        })
    }

    /// `role`'s own directory, where it runs and may write.
    pub fn of(&self, role: Role) -> &Path {
        match role {
            Role::Client => &self.client,
            Role::Server => &self.server,
        }
    }

    /// Where `role`'s stdout goes when the case keeps it as the received file: outside
    /// both programs' directories, so neither can reach the other's.
    pub fn stdout_path(&self, role: Role) -> PathBuf {
        self.root.join(format!("{role}-stdout"))
    }
}

fn fresh_dir(path: &Path) -> std::io::Result<PathBuf> {
    if path.exists() {
        std::fs::remove_dir_all(path)?;
    }
    std::fs::create_dir_all(path)?;
    Ok(path.to_path_buf())
}

/// A run key (`lossy-soak#3`) as a directory name.
fn directory_name(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_key_becomes_a_plain_directory_name() {
        assert_eq!(directory_name("lossy-soak#3"), "lossy-soak_3");
        assert_eq!(directory_name("../up"), "___up");
    }

    #[test]
    fn each_run_starts_from_empty_directories() {
        let work = tempfile::tempdir().unwrap();
        let first = RunDirs::create(work.path(), "k#1").unwrap();
        std::fs::write(first.server.join("left-over"), "x").unwrap();
        let again = RunDirs::create(work.path(), "k#1").unwrap();
        assert_eq!(std::fs::read_dir(&again.server).unwrap().count(), 0);
        assert_eq!(again.of(Role::Client), work.path().join("k_1/client"));
        assert_eq!(
            again.stdout_path(Role::Server),
            work.path().join("k_1/server-stdout")
        );
    }
}
