//! Items waiting for their due time: the datagram copies a link delayed.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::Duration;

/// An item to release at `due`.
#[derive(Debug)]
pub struct Pending<T> {
    pub due: Duration,
    /// Ties at the same due time are released in the order they were scheduled.
    scheduled: u64,
    pub item: T,
}

impl<T> PartialEq for Pending<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.scheduled) == (other.due, other.scheduled)
    }
}

impl<T> Eq for Pending<T> {}

impl<T> PartialOrd for Pending<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Pending<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.due, self.scheduled).cmp(&(other.due, other.scheduled))
    }
}

/// A min-heap of pending items by due time.
#[derive(Debug)]
pub struct DelayQueue<T> {
    heap: BinaryHeap<Reverse<Pending<T>>>,
    scheduled: u64,
}

impl<T> Default for DelayQueue<T> {
    fn default() -> Self {
        DelayQueue {
            heap: BinaryHeap::new(),
            scheduled: 0,
        }
    }
}

impl<T> DelayQueue<T> {
    pub fn push(&mut self, due: Duration, item: T) {
        self.scheduled += 1;
        self.heap.push(Reverse(Pending {
            due,
            scheduled: self.scheduled,
            item,
        }));
    }

    /// When the earliest item is due.
    pub fn next_due(&self) -> Option<Duration> {
        self.heap.peek().map(|Reverse(pending)| pending.due)
    }

    /// Removes and returns the earliest item if it is due at `now`.
    pub fn pop_due(&mut self, now: Duration) -> Option<Pending<T>> {
        if self.next_due()? <= now {
            self.heap.pop().map(|Reverse(pending)| pending)
        } else {
            None
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_in_due_order_and_ties_in_scheduling_order() {
        let mut queue = DelayQueue::default();
        queue.push(Duration::from_millis(5), 'a');
        queue.push(Duration::from_millis(1), 'b');
        queue.push(Duration::from_millis(5), 'c');
        assert!(queue.pop_due(Duration::ZERO).is_none());
        let order: String = std::iter::from_fn(|| queue.pop_due(Duration::from_millis(9)))
            .map(|pending| pending.item)
            .collect();
        assert_eq!(order, "bac");
        assert!(queue.is_empty());
    }
}
