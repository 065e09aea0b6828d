//! Builds kept between the `grader check`s of one submission, so `grader batch` (one
//! child per role: client, server, pair) builds each submission once.
//!
//! Each build is kept under a folder named by a digest of the submission's directory and
//! the build command: `output/` (the built copy, from which every run is staged) and
//! `outcome.json` (how it ended, the lines a failure quotes). `builds.log` gets one line per
//! build actually made, which is how one can tell a build was made once.

use super::sandbox::BuildOutcome;
use crate::harness::submission::{SubmissionError, stage_directory};
use md5::{Digest, Md5};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The file in the cache's folder that gets one line per build made.
pub const BUILDS_LOG: &str = "builds.log";

/// A folder of kept builds (`--build-cache DIR`).
#[derive(Clone, Copy, Debug)]
pub struct BuildCache<'a> {
    pub dir: &'a Path,
}

impl BuildCache<'_> {
    /// The kept build of `source` with `command`: its output and how it ended.
    pub fn lookup(&self, source: &Path, command: &str) -> Option<(PathBuf, BuildOutcome)> {
        let entry = self.entry(source, command);
        let text = std::fs::read_to_string(entry.join("outcome.json")).ok()?;
        let outcome = serde_json::from_str(&text).ok()?;
        Some((entry.join("output"), outcome))
    }

    /// Keeps a copy of the build of `source` with `command` (its output in `built`) and
    /// logs it; returns where the kept output is.
    pub fn store(
        &self,
        source: &Path,
        command: &str,
        built: &Path,
        outcome: &BuildOutcome,
    ) -> Result<PathBuf, SubmissionError> {
        let entry = self.entry(source, command);
        let io_error = |source| SubmissionError::Copy {
            from: built.to_path_buf(),
            to: entry.clone(),
            source,
        };
        // What an interrupted grading left is not a build.
        if entry.exists() {
            std::fs::remove_dir_all(&entry).map_err(io_error)?;
        }
        let output = stage_directory(built, &entry.join("output"))?;
        let text = serde_json::to_string(outcome).map_err(|error| io_error(error.into()))?;
        std::fs::write(entry.join("outcome.json"), text).map_err(io_error)?;
        let line = format!(
            "{} built with `{command}`: {}\n",
            source.display(),
            match outcome {
                BuildOutcome::Built { took_ms } => format!("built in {took_ms} ms"),
                BuildOutcome::Failed { ending, .. } => format!("the build {ending}"),
            }
        );
        append(&self.dir.join(BUILDS_LOG), &line).map_err(io_error)?;
        Ok(output)
    }

    fn entry(&self, source: &Path, command: &str) -> PathBuf {
        let mut digest = Md5::new();
        digest.update(source.as_os_str().as_encoded_bytes());
        digest.update([0]);
        digest.update(command.as_bytes());
        self.dir.join(hex::encode(digest.finalize()))
    }
}

fn append(path: &Path, line: &str) -> io::Result<()> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(line.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_build_is_found_again_by_its_source_and_command_only() {
        let cache_dir = tempfile::tempdir().unwrap();
        let built = tempfile::tempdir().unwrap();
        std::fs::write(built.path().join("UDP_Server"), "binary").unwrap();
        let cache = BuildCache {
            dir: cache_dir.path(),
        };
        let source = Path::new("/submissions/ada");
        let outcome = BuildOutcome::Built { took_ms: 12 };
        assert!(cache.lookup(source, "make").is_none());
        let kept = cache.store(source, "make", built.path(), &outcome).unwrap();
        let (output, found) = cache.lookup(source, "make").unwrap();
        assert_eq!((output.clone(), found), (kept, outcome));
        assert_eq!(
            std::fs::read_to_string(output.join("UDP_Server")).unwrap(),
            "binary"
        );
        assert!(cache.lookup(source, "make all").is_none());
        let log = std::fs::read_to_string(cache_dir.path().join(BUILDS_LOG)).unwrap();
        assert_eq!(log.lines().count(), 1, "{log}");
    }
}
