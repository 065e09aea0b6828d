//! A scenario's generated file: made from the seed, handed to the sending program, and
//! after the run compared with what the receiving program wrote.
//!
//! The original stays in the grader's memory, so no program can reach the copy that
//! everything is compared with; the copy handed out is checked afterwards all the same,
//! because a sender that rewrites its own input has broken the experiment.

use crate::case::{FileContent, InputFile};
use crate::evidence::{FileEvidence, Received};
use crate::link::seed::labelled_rng;
use rand::RngExt;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The most the grader reads back of a received file; the programs' own file-size limit
/// is lower, so this only guards against a limit raised by hand.
const READ_BACK_LIMIT: u64 = 256 << 20;

/// The bytes of `file` for the run `scenario_key` of a session seeded with `seed`.
pub fn generate(seed: u64, scenario_key: &str, file: &InputFile) -> Vec<u8> {
    let length = usize::try_from(file.length()).unwrap_or(usize::MAX);
    let mut rng = labelled_rng(seed, scenario_key, "file");
    match file.content {
        FileContent::Binary => {
            let mut bytes = vec![0_u8; length];
            rng.fill(&mut bytes[..]);
            // Text handling shows on 0xFF (not UTF-8), NUL stripping on a NUL at the end.
            if let Some(first) = bytes.first_mut() {
                *first = 0xFF;
            }
            if length >= 2 {
                bytes[length - 1] = 0;
            }
            bytes
        }
        FileContent::Text => {
            let mut bytes = Vec::with_capacity(length);
            while bytes.len() < length {
                let line_length = rng.random_range(0..80_usize);
                for _ in 0..line_length {
                    bytes.push(rng.random_range(b' '..=b'~'));
                }
                bytes.push(b'\n');
            }
            bytes.truncate(length);
            bytes
        }
    }
}

/// A file handed to the sending program for one run.
#[derive(Debug)]
pub struct HandedOut {
    name: String,
    original: Vec<u8>,
    missing: bool,
    /// Where the sender's copy is.
    path: PathBuf,
    /// Its inode, to tell a hard link from a copy.
    inode: Option<(u64, u64)>,
    /// Further copies handed to the other program (a file both sides are given).
    also: Vec<PathBuf>,
}

impl HandedOut {
    /// Writes `original`, the scenario's `file` as [`generate`] made it, into `dir`
    /// (unless it is the missing-file case).
    pub fn place(file: &InputFile, original: Vec<u8>, dir: &Path) -> io::Result<Self> {
        let path = dir.join(&file.name);
        let mut inode = None;
        if !file.missing {
            std::fs::write(&path, &original)?;
            let metadata = std::fs::metadata(&path)?;
            inode = Some((metadata.dev(), metadata.ino()));
        }
        Ok(HandedOut {
            name: file.name.clone(),
            original,
            missing: file.missing,
            path,
            inode,
            also: Vec::new(),
        })
    }

    /// Hands the same file to another program too, in `dir`; it is checked for changes
    /// after the run like the first copy.
    pub fn hand_also(&mut self, dir: &Path) -> io::Result<()> {
        if self.missing {
            return Ok(());
        }
        let path = dir.join(&self.name);
        std::fs::write(&path, &self.original)?;
        self.also.push(path);
        Ok(())
    }

    /// The bytes handed out.
    pub fn original(&self) -> &[u8] {
        &self.original
    }

    /// Whether `path` is the file handed out itself (a hard link to it), not a copy.
    pub fn is_linked_at(&self, path: &Path) -> bool {
        let Ok(metadata) = std::fs::symlink_metadata(path) else {
            return false;
        };
        self.inode == Some((metadata.dev(), metadata.ino()))
    }

    /// What the receiving program left in `receiver_dir`, and whether the sender's copy
    /// survived the run unchanged.
    pub fn collect(self, receiver_dir: &Path) -> FileEvidence {
        let received_path = receiver_dir.join(&self.name);
        self.collect_from(&received_path)
    }

    /// What the receiving program left at `received_path` (its stdout, `> FILE`), and
    /// whether the sender's copy survived the run unchanged.
    pub fn collect_from(self, received_path: &Path) -> FileEvidence {
        let received = read_received(received_path, self.inode);
        let input_tampered = if self.missing {
            None
        } else {
            std::iter::once(&self.path)
                .chain(&self.also)
                .find_map(|path| {
                    // Each program's directory is named after its role.
                    let holder = path
                        .parent()
                        .and_then(Path::file_name)
                        .map_or_else(|| "sender".to_owned(), |dir| dir.to_string_lossy().into_owned());
                    match std::fs::read(path) {
                        Ok(bytes) if bytes == self.original => None,
                        Ok(bytes) => Some(format!(
                            "the {holder}'s copy of `{}` changed during the run ({} bytes handed out, {} found after)",
                            self.name,
                            self.original.len(),
                            bytes.len()
                        )),
                        Err(error) => Some(format!(
                            "the {holder}'s copy of `{}` could not be read after the run: {error}",
                            self.name
                        )),
                    }
                })
        };
        FileEvidence {
            name: self.name,
            original_size: self.original.len() as u64,
            original: self.original,
            missing: self.missing,
            received,
            input_tampered,
        }
    }
}

fn read_received(path: &Path, original_inode: Option<(u64, u64)>) -> Received {
    // Not following links: a link to the sender's file is not a copy of it.
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(_) => return Received::Absent,
    };
    if !metadata.is_file() {
        return Received::NotAFile;
    }
    if original_inode == Some((metadata.dev(), metadata.ino())) {
        return Received::NotAFile;
    }
    if metadata.len() > READ_BACK_LIMIT {
        return Received::TooLarge {
            size: metadata.len(),
        };
    }
    match std::fs::read(path) {
        Ok(bytes) => Received::File {
            size: bytes.len() as u64,
            bytes,
        },
        Err(_) => Received::NotAFile,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(size: u64, content: FileContent) -> InputFile {
        InputFile {
            name: "data.bin".to_owned(),
            size: Some(size),
            plus: 0,
            content,
            missing: false,
            given_to: crate::case::GivenTo::Server,
        }
    }

    #[test]
    fn generation_is_seeded_and_binary_has_0xff_first_and_nul_last() {
        let spec = file(2049, FileContent::Binary);
        let one = generate(7, "size-2049", &spec);
        assert_eq!(one.len(), 2049);
        assert_eq!(one, generate(7, "size-2049", &spec));
        assert_ne!(one, generate(8, "size-2049", &spec));
        assert_ne!(one, generate(7, "lossy#2", &spec));
        assert_eq!((one[0], one[2048]), (0xFF, 0));
        assert_eq!(generate(7, "k", &file(1, FileContent::Binary)), [0xFF]);
        assert!(generate(7, "k", &file(0, FileContent::Binary)).is_empty());
    }

    #[test]
    fn text_is_printable_lines() {
        let text = generate(7, "k", &file(5000, FileContent::Text));
        assert_eq!(text.len(), 5000);
        assert!(
            text.iter()
                .all(|&b| b == b'\n' || (b' '..=b'~').contains(&b))
        );
        assert!(text.contains(&b'\n'));
    }

    #[test]
    fn collect_compares_copies_and_notices_links_and_tampering() {
        let sender = tempfile::tempdir().unwrap();
        let receiver = tempfile::tempdir().unwrap();
        let spec = file(10, FileContent::Binary);

        let handed = HandedOut::place(&spec, generate(1, "k", &spec), sender.path()).unwrap();
        let evidence = handed.collect(receiver.path());
        assert_eq!(evidence.received, Received::Absent);
        assert_eq!(evidence.input_tampered, None);

        let handed = HandedOut::place(&spec, generate(1, "k", &spec), sender.path()).unwrap();
        std::fs::copy(
            sender.path().join("data.bin"),
            receiver.path().join("data.bin"),
        )
        .unwrap();
        let evidence = handed.collect(receiver.path());
        assert!(matches!(evidence.received, Received::File { size: 10, .. }));

        let handed = HandedOut::place(&spec, generate(1, "k", &spec), sender.path()).unwrap();
        std::fs::remove_file(receiver.path().join("data.bin")).unwrap();
        std::fs::hard_link(
            sender.path().join("data.bin"),
            receiver.path().join("data.bin"),
        )
        .unwrap();
        std::fs::copy(
            sender.path().join("data.bin"),
            receiver.path().join("renamed.bin"),
        )
        .unwrap();
        assert!(handed.is_linked_at(&receiver.path().join("data.bin")));
        assert!(!handed.is_linked_at(&receiver.path().join("renamed.bin")));
        assert_eq!(handed.collect(receiver.path()).received, Received::NotAFile);

        let handed = HandedOut::place(&spec, generate(1, "k", &spec), sender.path()).unwrap();
        std::fs::write(sender.path().join("data.bin"), b"x").unwrap();
        let tampered = handed.collect(receiver.path()).input_tampered.unwrap();
        assert!(
            tampered.contains("10 bytes handed out, 1 found after"),
            "{tampered}"
        );
    }
}
