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
}

/// A set of defects, asked about by name so the machines read as the textbook plus
/// `if defects.has(...)` at exactly the places a defect bites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defects<D> {
    active: Vec<D>,
}

impl<D: Copy + Ord> Defects<D> {
    /// No defects: the known-good peer.
    pub const fn none() -> Self {
        Defects { active: Vec::new() }
    }

    /// The given defects; repeats are harmless.
    pub fn new(defects: &[D]) -> Self {
        let mut active = defects.to_vec();
        active.sort_unstable();
        active.dedup();
        Defects { active }
    }

    /// Whether `defect` is active.
    pub fn has(&self, defect: D) -> bool {
        self.active.binary_search(&defect).is_ok()
    }

    /// The active defects, in a fixed order.
    pub fn iter(&self) -> impl Iterator<Item = D> + '_ {
        self.active.iter().copied()
    }
}

impl<D: Copy + Ord> Default for Defects<D> {
    fn default() -> Self {
        Self::none()
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::*;

    fn names<V: ValueEnum>() -> Vec<String> {
        V::value_variants()
            .iter()
            .filter_map(ValueEnum::to_possible_value)
            .map(|value| value.get_name().to_owned())
            .collect()
    }

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
        assert_eq!(names::<ServerDefect>(), ["skip-checksum", "ack-new-seq"]);
    }

    #[test]
    fn set_membership() {
        let defects = Defects::new(&[ClientDefect::SlowTimer, ClientDefect::FixedSeq]);
        assert!(defects.has(ClientDefect::SlowTimer));
        assert!(defects.has(ClientDefect::FixedSeq));
        assert!(!defects.has(ClientDefect::NoRetransmit));
        assert!(!Defects::none().has(ServerDefect::AckNewSeq));
    }

    #[test]
    fn repeats_collapse() {
        let defects = Defects::new(&[ServerDefect::AckNewSeq, ServerDefect::AckNewSeq]);
        assert_eq!(
            defects.iter().collect::<Vec<_>>(),
            [ServerDefect::AckNewSeq]
        );
    }
}
