//! What a program wrote in its own directory: a snapshot before it starts, the
//! difference after it ends.
//!
//! A server that stores uploads (`1.txt`, `2.txt`) or a hundred received copies names
//! them as it likes; the grader finds them as the files that are new or changed since the
//! snapshot, without following links.

use crate::evidence::{ProducedFile, first_difference};
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Produced files read back per run, at most: a program that writes thousands of files
/// is reported by the count of the first ones.
const MOST_FILES: usize = 2_000;
/// Bytes read back per file, at most; the programs' own file-size limit is lower.
const READ_LIMIT: u64 = 256 << 20;

/// The regular files of a directory, by name, with what tells a change.
#[derive(Debug, Default)]
pub struct DirSnapshot {
    entries: BTreeMap<String, FileStamp>,
}

#[derive(Debug, PartialEq, Eq)]
struct FileStamp {
    inode: u64,
    size: u64,
    modified_ns: i128,
}

impl DirSnapshot {
    /// The files of `dir` now.
    pub fn take(dir: &Path) -> io::Result<DirSnapshot> {
        let mut entries = BTreeMap::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let metadata = entry.metadata()?;
            if metadata.is_file() {
                entries.insert(
                    entry.file_name().to_string_lossy().into_owned(),
                    stamp(&metadata),
                );
            }
        }
        Ok(DirSnapshot { entries })
    }

    /// The regular files of `dir` that are new or changed since the snapshot, in name
    /// order, each compared with `original` when given.
    pub fn produced(&self, dir: &Path, original: Option<&[u8]>) -> Vec<ProducedFile> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut changed: Vec<(String, u64)> = entries
            .flatten()
            .filter_map(|entry| {
                // Not following links: a link to another file is not a file it wrote.
                let metadata = std::fs::symlink_metadata(entry.path()).ok()?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let unchanged = self.entries.get(&name) == Some(&stamp(&metadata));
                (metadata.is_file() && !unchanged).then_some((name, metadata.len()))
            })
            .collect();
        changed.sort();
        changed.truncate(MOST_FILES);
        changed
            .into_iter()
            .map(|(name, size)| read_produced(dir, name, size, original))
            .collect()
    }
}

fn stamp(metadata: &std::fs::Metadata) -> FileStamp {
    FileStamp {
        inode: metadata.ino(),
        size: metadata.len(),
        modified_ns: i128::from(metadata.mtime()) * 1_000_000_000
            + i128::from(metadata.mtime_nsec()),
    }
}

fn read_produced(dir: &Path, name: String, size: u64, original: Option<&[u8]>) -> ProducedFile {
    let mut bytes = Vec::new();
    let read = std::fs::File::open(dir.join(&name))
        .and_then(|file| file.take(READ_LIMIT).read_to_end(&mut bytes));
    let compared = original.is_some() && read.is_ok();
    let differs_from_original_at = match (original, &read) {
        (Some(original), Ok(_)) => first_difference(original, &bytes).map(|at| at as u64),
        _ => None,
    };
    ProducedFile {
        name,
        size,
        bytes: (read.is_ok() && size <= ProducedFile::KEEP_LIMIT).then_some(bytes),
        differs_from_original_at,
        compared,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_new_and_changed_files_count_and_each_is_compared() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("server.py"), "print()").unwrap();
        std::fs::write(dir.path().join("standard.txt"), "abc").unwrap();
        let snapshot = DirSnapshot::take(dir.path()).unwrap();
        std::fs::write(dir.path().join("copy-1"), "abc").unwrap();
        std::fs::write(dir.path().join("copy-2"), "abd").unwrap();
        std::fs::write(dir.path().join("server.py"), "print('changed')").unwrap();
        std::os::unix::fs::symlink("standard.txt", dir.path().join("link")).unwrap();
        let produced = snapshot.produced(dir.path(), Some(b"abc"));
        let names: Vec<_> = produced.iter().map(|file| file.name.as_str()).collect();
        assert_eq!(names, ["copy-1", "copy-2", "server.py"]);
        assert!(produced[0].is_copy());
        assert_eq!(produced[1].differs_from_original_at, Some(2));
        assert_eq!(produced[0].bytes.as_deref(), Some(&b"abc"[..]));
    }
}
