//! The files of one run: what the grader handed out, and what a program produced from it.

use serde::Serialize;

/// The scenario's generated file and the copy the receiving program wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileEvidence {
    /// The name the programs were given (`{file}`).
    pub name: String,
    /// What the grader generated, kept by the grader (programs never see this copy).
    #[serde(skip)]
    pub original: Vec<u8>,
    pub original_size: u64,
    /// The file was deliberately not created (the missing-file scenario).
    pub missing: bool,
    /// What the receiving program left under the name in its own directory.
    pub received: Received,
    /// Set when the copy handed to the sending program was changed or removed during the
    /// run: no comparison against it can be trusted, and it says what happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_tampered: Option<String>,
}

/// What was found where the copy should be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Received {
    /// No file by that name.
    Absent,
    /// Something that is not a regular file (a directory, a link).
    NotAFile,
    File {
        #[serde(skip)]
        bytes: Vec<u8>,
        size: u64,
    },
    /// Larger than the grader reads back; only its size is known.
    TooLarge { size: u64 },
}

/// A file a program created or changed in its own directory during the run (the
/// server's saved uploads and stored copies).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProducedFile {
    pub name: String,
    pub size: u64,
    /// Its bytes, when small enough to keep (see `ProducedFile::KEEP_LIMIT`).
    #[serde(skip)]
    pub bytes: Option<Vec<u8>>,
    /// Compared with the scenario's handed-out file, when there is one: where they first
    /// differ (`None`: identical).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub differs_from_original_at: Option<u64>,
    /// Whether it was compared with the handed-out file at all.
    pub compared: bool,
}

impl ProducedFile {
    /// Bytes of a produced file the evidence keeps: uploaded text files are kilobytes;
    /// a hundred 1 MiB copies are compared as they are read and not kept.
    pub const KEEP_LIMIT: u64 = 256 << 10;

    /// Whether it equals the handed-out file.
    pub fn is_copy(&self) -> bool {
        self.compared && self.differs_from_original_at.is_none()
    }
}

/// Where two byte strings first differ, if they do: the offset and the sizes.
pub fn first_difference(expected: &[u8], actual: &[u8]) -> Option<usize> {
    let common = expected.len().min(actual.len());
    match expected.iter().zip(actual).position(|(a, b)| a != b) {
        Some(offset) => Some(offset),
        None if expected.len() != actual.len() => Some(common),
        None => None,
    }
}

/// Whether the server's port could be bound again after it shut itself down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortRelease {
    pub port: u16,
    /// The bind attempt succeeded: nothing (no forked child, no leaked descriptor) still
    /// holds the port.
    pub free_again: bool,
    /// What the bind attempt said when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_difference_finds_the_offset_or_the_shorter_end() {
        assert_eq!(first_difference(b"abc", b"abc"), None);
        assert_eq!(first_difference(b"abc", b"abd"), Some(2));
        assert_eq!(first_difference(b"abc", b"ab"), Some(2));
        assert_eq!(first_difference(b"", b"x"), Some(0));
        assert_eq!(first_difference(b"", b""), None);
    }
}
