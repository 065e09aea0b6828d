//! The UDP relay's record: which datagrams the trace keeps, within
//! [`WireTrace::RECORD_LIMIT`] datagrams and [`WireTrace::RECORD_BYTES`] of memory really
//! held, and the copies delivered of each kept one.
//!
//! A kept datagram costs its slot in the list of events, its bytes, its list of delivered
//! copies and each copy's altered bytes and alterations, all by what they allocate. All of
//! it is counted when the datagram is kept, so the copies delivered later never take the
//! trace past its limit. Past the limit a datagram is still relayed, and only counted.

use crate::evidence::held::HeldBytes;
use crate::evidence::{Fate, WireEvent, WireTrace, trace::DeliveredCopy};
use crate::link::{Alteration, Copy as PlannedCopy, Decision};
use std::mem::size_of;
use std::time::Duration;

#[derive(Debug)]
pub struct UdpRecord {
    trace: WireTrace,
    held: HeldBytes,
}

impl Default for UdpRecord {
    fn default() -> UdpRecord {
        UdpRecord {
            trace: WireTrace::default(),
            held: HeldBytes::new(WireTrace::RECORD_BYTES),
        }
    }
}

impl UdpRecord {
    /// Keeps `event`, whose copies are `copies` (as the link planned them), when the
    /// trace's limits afford it; returns its index, or `None` when it was only counted.
    pub fn keep(&mut self, mut event: WireEvent, copies: &[PlannedCopy]) -> Option<usize> {
        if let Fate::Delivered { copies: delivered } = &mut event.fate {
            // Exactly as many as will be delivered: a list that grew on its own would
            // start with room for four.
            delivered.reserve_exact(copies.len());
        }
        let cost = cost(&event, copies);
        let affordable = self.trace.events.len() < WireTrace::RECORD_LIMIT
            && self.held.charge(cost)
            && (self.held.reserve(&mut self.trace.events, 1) || {
                self.held.release(cost);
                false
            });
        if !affordable {
            self.trace
                .unrecorded
                .count(event.direction, event.bytes.len());
            return None;
        }
        self.trace.events.push(event);
        Some(self.trace.events.len() - 1)
    }

    /// Records that a copy of the kept datagram `index` was sent at `sent_at`.
    pub fn delivered(&mut self, index: usize, copy: PlannedCopy, order: u64, sent_at: Duration) {
        let event = &mut self.trace.events[index];
        let altered_bytes = (copy.bytes != event.bytes).then_some(copy.bytes);
        if let Fate::Delivered { copies } = &mut event.fate {
            copies.push(DeliveredCopy {
                order,
                sent_at,
                altered_bytes,
                alterations: copy.alterations,
            });
        }
    }

    /// Counts `copies` the relay could not queue (see
    /// [`DropCause::QueueFull`](crate::link::DropCause)).
    pub fn overflowed(&mut self, copies: usize) {
        self.trace.unrecorded.overflowed += copies as u64;
    }

    pub fn into_trace(self) -> WireTrace {
        self.trace
    }
}

/// What keeping `event` costs, but for its slot in the list: its bytes, its list of
/// delivered copies, and each copy's altered bytes and alterations.
fn cost(event: &WireEvent, copies: &[PlannedCopy]) -> usize {
    let listed = match &event.fate {
        Fate::Delivered { copies } => copies.capacity() * size_of::<DeliveredCopy>(),
        Fate::Dropped { .. } => 0,
    };
    let altered: usize = copies
        .iter()
        .map(|copy| {
            let bytes = if copy.bytes == event.bytes {
                0
            } else {
                copy.bytes.capacity()
            };
            bytes + copy.alterations.capacity() * size_of::<Alteration>()
        })
        .sum();
    event.bytes.capacity() + listed + altered
}

/// The fate the trace shows for a datagram the link decided on, once the relay knows how
/// many of its copies it could queue.
pub fn fate(decision: &Decision, queued: usize) -> Fate {
    match decision.dropped {
        Some(cause) => Fate::Dropped { cause },
        None if queued == 0 && !decision.copies.is_empty() => Fate::Dropped {
            cause: crate::link::DropCause::QueueFull,
        },
        None => Fate::Delivered { copies: Vec::new() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{Direction, Origin};

    fn event(bytes: Vec<u8>) -> WireEvent {
        WireEvent {
            direction: Direction::ToServer,
            nth: 1,
            order: 1,
            received_at: Duration::ZERO,
            from: None,
            to: None,
            bytes,
            fate: Fate::Delivered { copies: Vec::new() },
        }
    }

    fn plain(bytes: &[u8]) -> PlannedCopy {
        PlannedCopy {
            delay: Duration::ZERO,
            bytes: bytes.to_vec(),
            alterations: Vec::new(),
        }
    }

    /// Tiny datagrams: what bounds the trace is what each one really costs (its event
    /// and its list of copies), not its one byte of payload. Counting payload alone, all
    /// 20 000 fit and hold about 20 000 × 260 bytes.
    #[test]
    fn tiny_datagrams_are_counted_by_what_they_hold() {
        let mut record = UdpRecord::default();
        let per_event = size_of::<WireEvent>() + 1 + size_of::<DeliveredCopy>();
        for _ in 0..WireTrace::RECORD_LIMIT {
            let bytes = vec![7];
            let copies = [plain(&bytes)];
            record.keep(event(bytes), &copies);
        }
        assert!(record.held.held() <= WireTrace::RECORD_BYTES);
        let events = &record.trace.events;
        assert!(events.len() * per_event <= record.held.held());
        assert!(events.capacity() * size_of::<WireEvent>() <= record.held.held());
        if let Fate::Delivered { copies } = &events[0].fate {
            assert_eq!(copies.capacity(), 1);
        }
    }

    /// A truncated copy of a 64 KiB datagram that kept its allocation is counted by it.
    #[test]
    fn an_altered_copy_is_counted_by_its_allocation() {
        let mut record = UdpRecord::default();
        let bytes = vec![1_u8; 65_507];
        let mut cut = plain(&bytes);
        cut.bytes.truncate(1);
        cut.alterations.push(Alteration::Truncated {
            from: 65_507,
            to: 1,
        });
        let before = record.held.held();
        let index = record
            .keep(event(bytes), std::slice::from_ref(&cut))
            .unwrap();
        assert!(record.held.held() - before >= 2 * 65_507);
        record.delivered(index, cut, 2, Duration::from_millis(1));
        let (copy, delivered) = record.trace.events[0].delivered().next().unwrap();
        assert_eq!(delivered, [1]);
        assert_eq!(copy.alterations.len(), 1);
    }

    #[test]
    fn past_the_limit_big_datagrams_are_counted_not_kept() {
        let mut record = UdpRecord::default();
        let fit = WireTrace::RECORD_BYTES / 65_507;
        let kept = (0..fit + 10)
            .filter(|_| {
                let bytes = vec![0_u8; 65_507];
                let copies = [plain(&bytes)];
                record.keep(event(bytes), &copies).is_some()
            })
            .count();
        assert!(kept < fit && kept > fit - 10, "{kept} of {fit}");
        assert_eq!(record.trace.unrecorded.to_server, (fit + 10 - kept) as u64);
        assert!(record.held.held() <= WireTrace::RECORD_BYTES);
    }

    #[test]
    fn a_datagram_none_of_whose_copies_was_queued_is_dropped_by_the_relay() {
        let decision = Decision {
            copies: vec![plain(b"x"), {
                let mut duplicate = plain(b"x");
                duplicate.alterations.push(Alteration::Duplicate {
                    origin: Origin::Netem,
                });
                duplicate
            }],
            dropped: None,
        };
        let queue_full = Fate::Dropped {
            cause: crate::link::DropCause::QueueFull,
        };
        assert_eq!(fate(&decision, 0), queue_full);
        assert!(matches!(fate(&decision, 1), Fate::Delivered { .. }));
    }
}
