//! What a receiver saw of a numbered stream: how many arrived, and how many were lost,
//! duplicated or out of order — none of which the bench's fault-free relay may cause.

use serde::Serialize;

/// Tallies sequence numbers (0, 1, 2, … as sent) in the order they arrive.
#[derive(Clone, Debug, Default)]
pub struct SequenceTally {
    seen: Vec<bool>,
    received: u64,
    duplicated: u64,
    reordered: u64,
    /// The next number expected if nothing is out of order (one past the highest seen).
    next: u64,
}

/// The tally's verdict once the sender has said how many it sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StreamCounts {
    pub sent: u64,
    pub received: u64,
    pub lost: u64,
    pub duplicated: u64,
    /// Arrived after a higher number had (each such datagram once).
    pub reordered: u64,
}

impl SequenceTally {
    pub fn record(&mut self, sequence: u64) {
        self.received += 1;
        let Ok(index) = usize::try_from(sequence) else {
            return;
        };
        if index >= self.seen.len() {
            self.seen.resize((index + 1).next_power_of_two(), false);
        }
        if self.seen[index] {
            self.duplicated += 1;
            return;
        }
        self.seen[index] = true;
        if sequence < self.next {
            self.reordered += 1;
        } else {
            self.next = sequence + 1;
        }
    }

    /// The counts against `sent` datagrams numbered `0..sent`.
    pub fn finish(&self, sent: u64) -> StreamCounts {
        let distinct = self.received - self.duplicated;
        StreamCounts {
            sent,
            received: self.received,
            lost: sent.saturating_sub(distinct),
            duplicated: self.duplicated,
            reordered: self.reordered,
        }
    }
}

impl StreamCounts {
    /// Whether the stream arrived whole, once each, in order.
    pub fn is_clean(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.reordered == 0
    }

    /// The counts of two streams together.
    pub fn plus(self, other: StreamCounts) -> StreamCounts {
        StreamCounts {
            sent: self.sent + other.sent,
            received: self.received + other.received,
            lost: self.lost + other.lost,
            duplicated: self.duplicated + other.duplicated,
            reordered: self.reordered + other.reordered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(arrivals: &[u64], sent: u64) -> StreamCounts {
        let mut tally = SequenceTally::default();
        arrivals.iter().for_each(|&sequence| tally.record(sequence));
        tally.finish(sent)
    }

    #[test]
    fn an_orderly_stream_is_clean() {
        let counts = tally(&[0, 1, 2, 3], 4);
        assert!(counts.is_clean());
        assert_eq!(counts.received, 4);
    }

    #[test]
    fn losses_are_the_numbers_that_never_came() {
        let counts = tally(&[0, 2, 5], 7);
        assert_eq!(
            (counts.lost, counts.reordered, counts.duplicated),
            (4, 0, 0)
        );
    }

    #[test]
    fn a_late_datagram_is_reordered_once_and_a_repeat_is_a_duplicate() {
        let counts = tally(&[0, 2, 1, 3, 3, 1], 4);
        assert_eq!(counts.reordered, 1);
        assert_eq!(counts.duplicated, 2);
        assert_eq!(counts.lost, 0);
        assert_eq!(counts.received, 6);
        assert!(!counts.is_clean());
    }

    #[test]
    fn a_swap_far_apart_counts_each_late_one() {
        // 5 overtook 1..4: all four arrive after a higher number.
        let counts = tally(&[0, 5, 1, 2, 3, 4], 6);
        assert_eq!((counts.reordered, counts.lost), (4, 0));
        let both = counts.plus(tally(&[0, 1], 3));
        assert_eq!((both.sent, both.lost, both.reordered), (9, 1, 4));
    }
}
