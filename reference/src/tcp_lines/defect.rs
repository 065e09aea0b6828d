//! Deliberate defects of the tcp-lines reference peers.
//!
//! Each defect is the mirror image of one grader check (named in a comment under it): the
//! kit's own tests run a peer with the defect and prove that the check fails. Everything
//! else the peer does stays textbook.
//!
//! The variant names are the `--defect` values on the command line (kebab-case); their doc
//! comments are its help text.

/// A deliberate defect of the tcp-lines server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ServerDefect {
    /// Names the saved files from 0 (0.txt, 1.txt, ...) instead of from 1.
    // Caught by the saved-files check.
    ZeroBasedNames,
    /// Sends the A as soon as a message's count has arrived, before reading its lines.
    // Caught by the status-bytes check: the A is on the wire before the lines.
    EarlyStatus,
    /// Takes one recv() for one part of a message: a recv of up to 4 bytes for the count,
    /// one of up to 65536 for each line. Works while each write arrives alone.
    // The classic stream bug; caught by the saved-files and status-bytes checks under the
    // sliced and coalesced scenarios.
    OneRecv,
    /// After the Q keeps the connection open and waits until killed.
    // Caught by the server-close check.
    NoClose,
    /// Answers the zero-line message with A instead of Q.
    // Caught by the status-bytes check.
    NoQuitStatus,
}

/// A deliberate defect of the tcp-lines client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ClientDefect {
    /// Packs the line count little-endian.
    // Caught by the framing check.
    LittleEndianCount,
    /// Ends each line with \r\n instead of \n.
    // Caught by the framing check.
    CrlfLines,
    /// Never prints the status lines ("File accepted", "Server is quitting").
    // Caught by the client-status check.
    HideStatus,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defects::command_line_names as names;

    #[test]
    fn command_line_names() {
        assert_eq!(
            names::<ServerDefect>(),
            [
                "zero-based-names",
                "early-status",
                "one-recv",
                "no-close",
                "no-quit-status"
            ]
        );
        assert_eq!(
            names::<ClientDefect>(),
            ["little-endian-count", "crlf-lines", "hide-status"]
        );
    }
}
