//! Deliberate defects of the udp-file reference peers.
//!
//! Each defect is the mirror image of one grader check (named in a comment under it): the
//! kit's own tests run a peer with the defect and prove that the check fails. Everything
//! else the peer does stays textbook.
//!
//! The variant names are the `--defect` values on the command line (kebab-case); their doc
//! comments are its help text.

/// A deliberate defect of the udp-file server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ServerDefect {
    /// When the size is a multiple of the block size (0 included), sends no empty final
    /// block, so a correct client never learns that the file has ended.
    // The classic bug; caught by the completion and block-sizes checks.
    NoEmptyFinal,
    /// Sends 1024-byte blocks, so a correct client stops after the first one.
    // Caught by the block-sizes check. Named by hand: clap's kebab-case says "chunk1024".
    #[value(name = "chunk-1024")]
    Chunk1024,
}

/// A deliberate defect of the udp-file client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ClientDefect {
    /// Takes an empty datagram for nothing and waits on, with no idle timeout: hangs
    /// forever when the size is a multiple of 2048.
    // The classic student bug; caught by the completion check.
    IgnoreEmptyBlock,
    /// Writes each block as lossily decoded UTF-8 text, corrupting binary data (0xff
    /// becomes ef bf bd).
    // Caught by the file-copy check.
    TextMode,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defects::command_line_names as names;

    #[test]
    fn command_line_names() {
        assert_eq!(names::<ServerDefect>(), ["no-empty-final", "chunk-1024"]);
        assert_eq!(names::<ClientDefect>(), ["ignore-empty-block", "text-mode"]);
    }
}
