//! The udp-file client's protocol logic as a sans-IO machine: blocks in, bytes to write and
//! "done" out.

use std::borrow::Cow;
use std::time::Duration;

use super::blocks::BLOCK_LEN;
use super::defect::ClientDefect;
use crate::defects::Defects;

/// One file download: every block is appended to the file, and the first block shorter than
/// [`BLOCK_LEN`] (an empty one included) is the last.
///
/// It has no clock: the caller waits for each block at most
/// [`idle_timeout`](Self::idle_timeout) and gives up when none comes.
///
/// Call order: for each datagram, [`handle_block`](Self::handle_block), write what it
/// returns, and stop once it says [`Progress::Complete`].
#[derive(Debug, Clone)]
pub struct Download {
    defects: Defects<ClientDefect>,
    bytes: u64,
    blocks: u64,
}

/// Whether the file is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// More blocks are due.
    Continue,
    /// That was the last block.
    Complete,
}

/// What to do with one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted<'a> {
    /// The bytes to append to the file (the block itself unless a defect mangles it).
    pub data: Cow<'a, [u8]>,
    /// Whether to wait for more.
    pub progress: Progress,
}

impl Download {
    /// A download that has received nothing yet.
    pub fn new(defects: &[ClientDefect]) -> Self {
        Download {
            defects: Defects::new(defects),
            bytes: 0,
            blocks: 0,
        }
    }

    /// Takes in one datagram from the server.
    pub fn handle_block<'a>(&mut self, block: &'a [u8]) -> Accepted<'a> {
        if block.is_empty() && self.defects.has(ClientDefect::IgnoreEmptyBlock) {
            // The student's `if not data: continue`, mistaking "the end" for "nothing yet".
            return Accepted {
                data: Cow::Borrowed(block),
                progress: Progress::Continue,
            };
        }
        self.blocks += 1;
        // Counts what arrived, not what was written, so text-mode shows only in the file.
        self.bytes += block.len() as u64;
        let data = if self.defects.has(ClientDefect::TextMode) {
            match String::from_utf8_lossy(block) {
                Cow::Borrowed(_) => Cow::Borrowed(block),
                Cow::Owned(text) => Cow::Owned(text.into_bytes()),
            }
        } else {
            Cow::Borrowed(block)
        };
        let progress = if block.len() < BLOCK_LEN {
            Progress::Complete
        } else {
            Progress::Continue
        };
        Accepted { data, progress }
    }

    /// How long to wait for the next block before giving up: `configured`, or forever with
    /// the `ignore-empty-block` defect, which hangs as the student's client does.
    pub fn idle_timeout(&self, configured: Duration) -> Option<Duration> {
        if self.defects.has(ClientDefect::IgnoreEmptyBlock) {
            None
        } else {
            Some(configured)
        }
    }

    /// The bytes received so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The blocks received so far, the final (possibly empty) one included.
    pub fn blocks(&self) -> u64 {
        self.blocks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    /// Feeds `sizes`-long blocks of 0xff; returns what was written and each block's progress.
    fn feed(download: &mut Download, sizes: &[usize]) -> (Vec<u8>, Vec<Progress>) {
        let mut file = Vec::new();
        let mut progress = Vec::new();
        for &size in sizes {
            let block = vec![0xff; size];
            let accepted = download.handle_block(&block);
            file.extend_from_slice(&accepted.data);
            progress.push(accepted.progress);
        }
        (file, progress)
    }

    #[test]
    fn a_short_block_ends_the_file() {
        use Progress::{Complete, Continue};
        for (sizes, expected) in [
            (&[0][..], &[Complete][..]),
            (&[1], &[Complete]),
            (&[2047], &[Complete]),
            (&[2048, 0], &[Continue, Complete]),
            (&[2048, 1], &[Continue, Complete]),
            (&[2048, 2048, 0], &[Continue, Continue, Complete]),
        ] {
            let mut download = Download::new(&[]);
            let (file, progress) = feed(&mut download, sizes);
            assert_eq!(progress, expected, "{sizes:?}");
            let total: usize = sizes.iter().sum();
            assert_eq!(file, vec![0xff; total]);
            assert_eq!(download.bytes(), total as u64);
            assert_eq!(download.blocks(), sizes.len() as u64);
        }
    }

    #[test]
    fn textbook_client_gives_up_after_the_idle_timeout() {
        assert_eq!(Download::new(&[]).idle_timeout(SECOND), Some(SECOND));
    }

    #[test]
    fn ignore_empty_block_waits_forever_past_the_end() {
        let mut download = Download::new(&[ClientDefect::IgnoreEmptyBlock]);
        let (file, progress) = feed(&mut download, &[2048, 0, 0]);
        assert_eq!(progress, [Progress::Continue; 3]);
        assert_eq!(file.len(), 2048);
        assert_eq!(download.blocks(), 1);
        assert_eq!(download.idle_timeout(SECOND), None);
        // A short block that is not empty still ends it.
        let (_, progress) = feed(&mut download, &[5]);
        assert_eq!(progress, [Progress::Complete]);
    }

    #[test]
    fn text_mode_mangles_binary_data_only() {
        let mut download = Download::new(&[ClientDefect::TextMode]);
        let accepted = download.handle_block(b"ok\xff");
        assert_eq!(&*accepted.data, b"ok\xef\xbf\xbd");
        assert_eq!(download.bytes(), 3, "counts what arrived");
        let accepted = download.handle_block(b"plain text");
        assert!(matches!(accepted.data, Cow::Borrowed(b"plain text")));
    }
}
