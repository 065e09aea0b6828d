//! What a submission's grade depends on, as one hash: a result whose fingerprint still
//! matches is kept by a re-run, anything else is graded again.
//!
//! The hash covers the case's text, the seed, the scenario filter, the grader's version
//! and every file of the submission (its path and its bytes), each length-prefixed so no
//! two different inputs run together into the same bytes. The shard is left out on
//! purpose: which machine graded a submission does not change its grade.

use md5::{Digest, Md5};
use std::path::Path;

/// The inputs of one submission's grade.
#[derive(Clone, Debug)]
pub struct GradeInputs<'a> {
    pub case_text: &'a str,
    pub seed: u64,
    pub scenarios: &'a [String],
    pub grader_version: &'a str,
    /// `(path relative to the submission, its content or a digest of it)`, sorted by path.
    pub files: &'a [(String, Vec<u8>)],
}

/// The fingerprint of `inputs`, as 32 lower-case hex digits.
pub fn fingerprint(inputs: &GradeInputs<'_>) -> String {
    let mut hash = Md5::new();
    let mut part = |bytes: &[u8]| {
        hash.update(u64::try_from(bytes.len()).unwrap_or(u64::MAX).to_le_bytes());
        hash.update(bytes);
    };
    part(inputs.case_text.as_bytes());
    part(&inputs.seed.to_le_bytes());
    for scenario in inputs.scenarios {
        part(scenario.as_bytes());
    }
    part(b"--");
    part(inputs.grader_version.as_bytes());
    for (path, content) in inputs.files {
        part(path.as_bytes());
        part(content);
    }
    hex::encode(hash.finalize())
}

/// Every regular file under `submission` with the MD5 digest of its bytes, sorted by
/// relative path, for [`GradeInputs::files`]. Files are hashed as they are read, so a
/// submission holding a huge file costs time, not memory. Links are not followed: what is
/// outside the submission is not the student's.
pub fn submission_files(submission: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    let mut folders = vec![submission.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                folders.push(entry.path());
            } else if kind.is_file() {
                let path = entry.path();
                let relative = path
                    .strip_prefix(submission)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned();
                files.push((relative, digest_of(&path)?));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The MD5 digest of a file, read in blocks.
fn digest_of(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut digest = Md5::new();
    let mut block = vec![0u8; 64 << 10];
    loop {
        match file.read(&mut block)? {
            0 => return Ok(digest.finalize().to_vec()),
            read => digest.update(&block[..read]),
        }
    }
}

/// The seed of a batch given none: derived from the case's name alone, so every
/// submission, every re-run and every shard gets the same one. Short, since people type
/// seeds read off reports.
pub fn default_seed(case_name: &str) -> u64 {
    let digest = Md5::digest(case_name.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first) % 1_000_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs<'a>(files: &'a [(String, Vec<u8>)], scenarios: &'a [String]) -> GradeInputs<'a> {
        GradeInputs {
            case_text: "name: rdt3",
            seed: 7,
            scenarios,
            grader_version: "0.1.0",
            files,
        }
    }

    #[test]
    fn a_changed_file_changes_the_fingerprint() {
        let before = vec![("UDP_Client.py".to_owned(), b"print(1)".to_vec())];
        let after = vec![("UDP_Client.py".to_owned(), b"print(2)".to_vec())];
        let renamed = vec![("udp_client.py".to_owned(), b"print(1)".to_vec())];
        let same = fingerprint(&inputs(&before, &[]));
        assert_eq!(same, fingerprint(&inputs(&before, &[])));
        assert_ne!(same, fingerprint(&inputs(&after, &[])));
        assert_ne!(same, fingerprint(&inputs(&renamed, &[])));
    }

    #[test]
    fn the_seed_and_the_scenario_filter_change_the_fingerprint() {
        let files = vec![("a".to_owned(), b"x".to_vec())];
        let plain = fingerprint(&inputs(&files, &[]));
        let filtered = fingerprint(&inputs(&files, &["no-loss".to_owned()]));
        assert_ne!(plain, filtered);
        let mut reseeded = inputs(&files, &[]);
        reseeded.seed = 8;
        assert_ne!(plain, fingerprint(&reseeded));
    }

    #[test]
    fn parts_cannot_run_together() {
        let one = vec![("ab".to_owned(), b"c".to_vec())];
        let other = vec![("a".to_owned(), b"bc".to_vec())];
        assert_ne!(
            fingerprint(&inputs(&one, &[])),
            fingerprint(&inputs(&other, &[]))
        );
    }

    #[test]
    fn the_default_seed_depends_on_the_case_name_only() {
        assert_eq!(default_seed("rdt3"), default_seed("rdt3"));
        assert_ne!(default_seed("rdt3"), default_seed("rdt3-fixed"));
        assert!(default_seed("rdt3") < 1_000_000_000);
    }
}
