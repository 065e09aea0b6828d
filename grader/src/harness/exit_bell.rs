//! A bell that rings when any of several programs exits, so the grader can wait for "the
//! first of these two to finish" without polling either.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Instant;

/// Rung by every program it is hung on (see `RunningProgram::ring_on_exit`) when that
/// program exits.
#[derive(Debug, Default)]
pub struct ExitBell {
    rings: Mutex<u64>,
    rung: Condvar,
}

impl ExitBell {
    pub fn ring(&self) {
        // Taken under the lock, so a waiter between its check and its wait cannot miss it.
        *self.rings.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.rung.notify_all();
    }

    /// Blocks until `done` holds (true) or `deadline` passes (false); `done` is asked
    /// again each time the bell rings.
    pub fn wait_until(&self, deadline: Instant, done: impl Fn() -> bool) -> bool {
        let mut rings = self.rings.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if done() {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            let seen = *rings;
            rings = self
                .rung
                .wait_timeout_while(rings, left, |rings| *rings == seen)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    #[test]
    fn a_ring_from_another_thread_ends_the_wait() {
        let bell = Arc::new(ExitBell::default());
        let done = Arc::new(AtomicBool::new(false));
        let ringer = {
            let (bell, done) = (Arc::clone(&bell), Arc::clone(&done));
            std::thread::spawn(move || {
                done.store(true, Ordering::SeqCst);
                bell.ring();
            })
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        assert!(bell.wait_until(deadline, || done.load(Ordering::SeqCst)));
        ringer.join().unwrap();
    }

    #[test]
    fn without_a_ring_the_deadline_ends_it() {
        let bell = ExitBell::default();
        assert!(!bell.wait_until(Instant::now(), || false));
        assert!(bell.wait_until(Instant::now(), || true));
    }
}
