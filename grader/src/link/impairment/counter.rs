//! Numbering the datagrams of one direction by position and, when a fault aims at "the
//! n-th packet", by distinct payload: what a scripted fault's selector is matched against.
//!
//! Only the payloads a fault can aim at are remembered. A flood of distinct datagrams
//! (random garbage of up to 64 KiB each, tens of thousands a second) once made this map
//! hold every one of them: 427 MiB of the grader's memory in a 5 s `lost-packet` run.

use super::super::scripted::PacketSelector;
use std::collections::HashMap;

/// Counts one kind of datagram (all of them, or those a `matching` accepts).
#[derive(Debug)]
pub(super) struct Counter {
    sent: u32,
    /// Kept only when some fault selects by `packet`.
    payloads: Option<PayloadNumbers>,
}

/// Where a datagram falls in its direction's stream.
#[derive(Clone, Copy, Debug)]
pub(super) struct Position {
    nth: u32,
    /// Its payload's number and how many times that payload has been sent, when the
    /// payload is one a fault can aim at.
    packet: Option<(u32, u32)>,
}

/// The first `highest` distinct payloads, each with its number and times sent so far.
/// Later payloads cannot be aimed at, so they are neither numbered nor kept: the map holds
/// at most `highest` payloads whatever a program sends.
#[derive(Debug)]
struct PayloadNumbers {
    highest: u32,
    numbered: HashMap<Vec<u8>, (u32, u32)>,
}

impl Counter {
    pub(super) fn new() -> Counter {
        Counter {
            sent: 0,
            payloads: None,
        }
    }

    /// Makes the counter number payloads up to `selector`'s packet, if it selects by one.
    pub(super) fn serve(&mut self, selector: PacketSelector) {
        let PacketSelector::Packet { packet, .. } = selector else {
            return;
        };
        let payloads = self.payloads.get_or_insert_with(|| PayloadNumbers {
            highest: 0,
            numbered: HashMap::new(),
        });
        payloads.highest = payloads.highest.max(packet);
    }

    pub(super) fn count(&mut self, bytes: &[u8]) -> Position {
        self.sent = self.sent.saturating_add(1);
        Position {
            nth: self.sent,
            packet: self
                .payloads
                .as_mut()
                .and_then(|payloads| payloads.count(bytes)),
        }
    }
}

impl PayloadNumbers {
    fn count(&mut self, bytes: &[u8]) -> Option<(u32, u32)> {
        if let Some(entry) = self.numbered.get_mut(bytes) {
            entry.1 = entry.1.saturating_add(1);
            return Some(*entry);
        }
        let distinct = u32::try_from(self.numbered.len()).unwrap_or(u32::MAX);
        if distinct >= self.highest {
            return None;
        }
        let entry = (distinct + 1, 1);
        self.numbered.insert(bytes.to_vec(), entry);
        Some(entry)
    }
}

impl Position {
    pub(super) fn matches(self, selector: PacketSelector) -> bool {
        match selector {
            PacketSelector::Nth(nth) => self.nth == nth,
            PacketSelector::Packet {
                packet,
                transmission,
            } => self.packet == Some((packet, transmission)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(packet: u32, transmission: u32) -> PacketSelector {
        PacketSelector::Packet {
            packet,
            transmission,
        }
    }

    #[test]
    fn numbers_payloads_and_their_retransmissions_up_to_the_highest_aimed_at() {
        let mut counter = Counter::new();
        counter.serve(packet(2, 1));
        counter.serve(PacketSelector::Nth(7));
        let sent: Vec<Position> = [b"a", b"a", b"b", b"c", b"b"]
            .iter()
            .map(|bytes| counter.count(*bytes))
            .collect();
        let packets: Vec<Option<(u32, u32)>> = sent.iter().map(|p| p.packet).collect();
        assert_eq!(
            packets,
            [Some((1, 1)), Some((1, 2)), Some((2, 1)), None, Some((2, 2))]
        );
        assert!(sent[4].matches(packet(2, 2)));
        assert!(sent[4].matches(PacketSelector::Nth(5)));
        assert!(!sent[3].matches(packet(3, 1)));
    }

    /// A flood of distinct datagrams: the counter keeps the two payloads a fault can aim
    /// at, not the flood (it kept all 10 000 before).
    #[test]
    fn a_flood_of_distinct_payloads_is_not_kept() {
        let mut counter = Counter::new();
        counter.serve(packet(2, 1));
        for n in 0..10_000_u32 {
            counter.count(&n.to_be_bytes());
        }
        let kept = counter.payloads.as_ref().map(|p| p.numbered.len());
        assert_eq!(kept, Some(2));
        // The first two are still recognised when resent.
        assert_eq!(counter.count(&1_u32.to_be_bytes()).packet, Some((2, 2)));
    }

    #[test]
    fn a_counter_no_fault_numbers_by_payload_keeps_no_payload() {
        let mut counter = Counter::new();
        counter.serve(PacketSelector::Nth(2));
        assert_eq!(counter.count(b"x").packet, None);
        assert!(counter.payloads.is_none());
    }
}
