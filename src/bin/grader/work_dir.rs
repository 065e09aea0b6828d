//! The grader's work directory (`$TMPDIR/socklab-XXXX`, every run's program directories in
//! it): removed when grading ends, and also when the grader must exit at once — Ctrl-C, or
//! a bug of its own — where the temporary directory's destructor never runs.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use tempfile::TempDir;

/// The work directories that exist now, for [`remove_all_now`].
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A fresh work directory, removed when the returned handle is dropped or by
/// [`remove_all_now`].
pub fn create() -> std::io::Result<TempDir> {
    let dir = tempfile::Builder::new().prefix("socklab-").tempdir()?;
    LIVE.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(dir.path().to_path_buf());
    Ok(dir)
}

/// Removes every work directory now (the programs in them must be stopped first).
pub fn remove_all_now() {
    for dir in LIVE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .drain(..)
    {
        let _ = std::fs::remove_dir_all(dir);
    }
}
