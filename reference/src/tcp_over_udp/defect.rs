//! Deliberate defects of the tcp-over-udp reference peers.
//!
//! Each defect is the mirror image of one grader check (named in a comment under it): the
//! kit's own tests run a peer with the defect and prove that the check fails. Everything
//! else the peer does stays as the protocol says; each is the smallest deviation that
//! shows, and none makes a peer hang.
//!
//! The variant names are the `--defect` values on the command line (kebab-case); their doc
//! comments are its help text.

/// A deliberate defect of the tcp-over-udp server (the receiver).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ServerDefect {
    /// Writes a duplicate segment's payload to stdout again (still re-ACKs correctly).
    // Caught by the file-copy check under loss or duplication.
    WriteDuplicates,
    /// Strips the trailing NUL bytes of each payload before writing it: the receiving
    /// half of a "pad every segment to 512 bytes with NULs" design.
    // Caught by the file-copy check on a binary file.
    StripNuls,
    /// Counts ack numbers on past 204 800 instead of wrapping. A correct client never
    /// sees the ack it waits for once the sequence space wraps, so it retransmits until
    /// it gives up (exit 1); smaller files go through untouched.
    // Caught by the seq-ack check (ack out of range) on the file that wraps (> ~190 KiB).
    AckNoWrap,
}

/// A deliberate defect of the tcp-over-udp client (the sender).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ClientDefect {
    /// Sends its FIN once and never again; if neither the ACK nor the server's FIN comes
    /// within the fin wait (2 s), it stops waiting and exits 0 all the same.
    // Caught by the close check in the FIN-loss scenario (one FIN, no retransmission).
    NoFinRetransmit,
    /// Treats the input as UTF-8 text (lossily decoded, U+FFFD for invalid bytes) before
    /// cutting it into segments.
    // Caught by the file-copy check on a binary file.
    TextOnly,
    /// Sends connection id 0 on every segment after the SYN|ACK. A correct server drops
    /// them all, so the transfer stalls and the client gives up after 10 s (exit 1).
    // Caught by the connection-id check.
    IgnoreConnId,
    /// Never prints DUP on a SEND line, retransmissions included.
    // Caught by the log-lines check under loss (retransmissions marked DUP).
    NoDupMark,
    /// Prints each data segment's SEND line with seq + payload length in place of seq.
    // Caught by the log-lines check (the line's numbers differ from the wire's).
    MisreportLog,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defects::command_line_names as names;

    #[test]
    fn command_line_names() {
        assert_eq!(
            names::<ServerDefect>(),
            ["write-duplicates", "strip-nuls", "ack-no-wrap"]
        );
        assert_eq!(
            names::<ClientDefect>(),
            [
                "no-fin-retransmit",
                "text-only",
                "ignore-conn-id",
                "no-dup-mark",
                "misreport-log"
            ]
        );
    }
}
