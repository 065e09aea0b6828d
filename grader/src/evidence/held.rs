//! What a record of a run really holds in memory, counted against a limit: the bytes its
//! buffers and lists have allocated (their capacity), not the bytes they happen to use.
//!
//! A list that grows by doubling can hold twice what it uses, and a datagram cut short can
//! keep the allocation of its whole length; a limit on lengths would let either through.
//! Whoever keeps something for the evidence asks first whether the limit affords it.

use std::mem::size_of;

/// Bytes held so far, and the most that may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeldBytes {
    held: usize,
    limit: usize,
}

impl HeldBytes {
    pub const fn new(limit: usize) -> HeldBytes {
        HeldBytes { held: 0, limit }
    }

    pub fn held(&self) -> usize {
        self.held
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// What may still be held.
    pub fn room(&self) -> usize {
        self.limit.saturating_sub(self.held)
    }

    /// Counts `bytes` as held when the limit affords them (true); otherwise counts nothing.
    pub fn charge(&mut self, bytes: usize) -> bool {
        if bytes > self.room() {
            return false;
        }
        self.held += bytes;
        true
    }

    /// Counts `bytes` as no longer held (what they were in was dropped).
    pub fn release(&mut self, bytes: usize) {
        self.held = self.held.saturating_sub(bytes);
    }

    /// Makes room in `list` for `additional` more items when the limit affords it (true),
    /// and counts what the list's allocation grew by. The list grows as `Vec` grows, by
    /// doubling (so a long list is not copied again for every item), but never to more
    /// than the limit pays for: near the limit it grows by exactly what is asked.
    pub fn reserve<T>(&mut self, list: &mut Vec<T>, additional: usize) -> bool {
        self.reserve_at_most(list, additional, usize::MAX)
    }

    /// [`HeldBytes::reserve`], with the list's capacity kept to at most `most` items.
    pub fn reserve_at_most<T>(
        &mut self,
        list: &mut Vec<T>,
        additional: usize,
        most: usize,
    ) -> bool {
        let needed = list.len().saturating_add(additional);
        let capacity = list.capacity();
        if needed <= capacity {
            return true;
        }
        let item = size_of::<T>().max(1);
        let affordable = capacity.saturating_add(self.room() / item).min(most);
        if needed > affordable {
            return false;
        }
        let wanted = needed
            .max(capacity.saturating_mul(2))
            .max(4)
            .min(affordable);
        list.reserve_exact(wanted - list.len());
        self.held += (list.capacity() - capacity) * item;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_what_fits_and_refuses_the_rest() {
        let mut held = HeldBytes::new(10);
        assert!(held.charge(6));
        assert!(!held.charge(5));
        assert_eq!(held.held(), 6);
        assert!(held.charge(4));
        assert_eq!(held.room(), 0);
        held.release(3);
        assert_eq!(held.room(), 3);
    }

    /// The list's capacity, not its length, is what is counted, and it never outgrows
    /// the limit: growing by doubling from 600 to 1200 items would need 1200 bytes here.
    #[test]
    fn a_list_is_counted_by_capacity_and_stops_growing_at_the_limit() {
        let mut held = HeldBytes::new(1000);
        let mut list: Vec<u8> = Vec::new();
        let mut pushed = 0;
        while held.reserve(&mut list, 1) {
            list.push(0);
            pushed += 1;
            assert_eq!(held.held(), list.capacity());
        }
        assert_eq!(pushed, 1000);
        assert_eq!(list.capacity(), 1000);
    }

    #[test]
    fn a_ceiling_caps_the_capacity_below_the_limit() {
        let mut held = HeldBytes::new(1 << 20);
        let mut list: Vec<u8> = vec![0; 600];
        assert_eq!(list.capacity(), 600);
        assert!(held.reserve_at_most(&mut list, 10, 700));
        assert_eq!(list.capacity(), 700);
        assert_eq!(held.held(), 100);
        assert!(!held.reserve_at_most(&mut list, 101, 700));
    }

    #[test]
    fn items_are_counted_by_their_size() {
        let mut held = HeldBytes::new(64);
        let mut list: Vec<u64> = Vec::new();
        assert!(held.reserve(&mut list, 1));
        assert_eq!(held.held(), list.capacity() * 8);
        assert!(!held.reserve(&mut list, 9));
        assert_eq!(list.capacity(), 4, "a refused reservation changes nothing");
    }
}
