//! Deliberate defects of the rdt3 reference peers.
//!
//! Each defect is the mirror image of one grader check: the kit's own tests run a peer with
//! the defect and prove that the check it exists for fails, and only that one. A defect
//! changes as little as possible — everything else the peer does stays textbook — so a
//! check that fails for the wrong reason shows up as a second failure.
//!
//! The variant names are the `--defect` values on the command line (kebab-case). Their doc
//! comments are its help text, so which check catches each defect is a plain comment.

use std::time::Duration;

pub use crate::defects::Defects;

/// What `slow-timer` sets the retransmission timer to, whatever `--timer` says: far enough
/// outside the default 9 ms ± 4 ms tolerance that the timer check must notice.
pub const SLOW_TIMER: Duration = Duration::from_millis(60);

/// A deliberate defect of the rdt 3.0 sender (the client).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ClientDefect {
    /// Never times out, so never retransmits: waits forever for the ACK of a lost packet.
    // Caught by the lost-packet and lost-ACK scenarios never completing.
    NoRetransmit,
    /// Every data packet carries seq 0, so the server takes the later ones for duplicates.
    // Caught by the seq-alternation check and the server showing only the first message.
    FixedSeq,
    /// Takes a corrupt ACK for a valid one (logging "not corrupt") and moves on when its
    /// fields say so.
    // Caught by the corrupt-ACK scenario: fewer corrupt lines than corruptions injected.
    SkipChecksum,
    /// The timer is 60 ms, whatever --timer says.
    // Caught by the retransmission-delay check.
    SlowTimer,
    /// Retransmits on time but never prints the "Timer Expired" line.
    // Caught by the log check that timer lines are at least the timeouts on the wire.
    SilentTimer,
}

/// A deliberate defect of the rdt 2.2 receiver (the server).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ServerDefect {
    /// Treats a corrupt packet as valid (logging "not corrupt"), so delivers and ACKs
    /// corrupted data.
    // Caught by the corrupt-packet scenario's delivered-data and corrupt-line checks.
    SkipChecksum,
    /// When it must re-ACK (a corrupt packet or a duplicate), ACKs the seq it now expects
    /// instead of the last one correctly received.
    // A NAK in disguise, which rdt 2.2 has no room for; caught by the rdt 2.2 ACK check.
    AckNewSeq,
    /// Delivers every good packet before looking at its seq, so a retransmission of a
    /// message it already delivered is delivered again; the ACKs stay right (the duplicate
    /// is re-ACKed and the expected seq does not flip).
    // Caught by the delivery check: the message shows in two "Delivered" lines.
    DeliverTwice,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defects::command_line_names as names;

    #[test]
    fn command_line_names() {
        assert_eq!(
            names::<ClientDefect>(),
            [
                "no-retransmit",
                "fixed-seq",
                "skip-checksum",
                "slow-timer",
                "silent-timer"
            ]
        );
        assert_eq!(
            names::<ServerDefect>(),
            ["skip-checksum", "ack-new-seq", "deliver-twice"]
        );
    }
}
