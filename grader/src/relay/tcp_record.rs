//! The TCP relay's bookkeeping: one clock, one sequence of actions, and the limits on what
//! the record keeps, shared by every connection of a run.

use super::clock::ScenarioClock;
use crate::evidence::{Mark, Segment, StreamRecord};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Stream bytes kept per direction of a connection: a line upload is kilobytes, and
/// what the analyzers read of a bulk transfer is its length, not its bytes.
const BYTES_PER_STREAM: usize = 1 << 20;
/// Stream bytes kept per run, whatever the number of connections.
const BYTES_PER_RUN: usize = 8 << 20;
/// Reads and writes kept per run; past it they are counted.
const SEGMENTS_PER_RUN: usize = 400_000;

#[derive(Debug)]
pub struct Recorder {
    clock: ScenarioClock,
    order: u64,
    activity: Arc<AtomicU64>,
    kept_bytes: usize,
    kept_segments: usize,
    /// Bytes read from clients and not yet written to the server, for whoever waits for
    /// the relay to settle (see [`super::tcp::TcpRelay::settled`]).
    pub to_server_holding: Arc<AtomicU64>,
}

impl Recorder {
    pub fn new(clock: ScenarioClock, activity: Arc<AtomicU64>) -> Recorder {
        Recorder {
            clock,
            order: 0,
            activity,
            kept_bytes: 0,
            kept_segments: 0,
            to_server_holding: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn now(&self) -> Duration {
        self.clock.now()
    }

    /// The next position in the relay's sequence of actions, at `at`.
    pub fn mark(&mut self, at: Duration) -> Mark {
        self.order += 1;
        self.activity.store(
            u64::try_from(at.as_micros()).unwrap_or(u64::MAX - 1) + 1,
            Ordering::Relaxed,
        );
        Mark {
            at,
            order: self.order,
        }
    }

    /// A read of `bytes` from a stream's sender.
    pub fn record_read(&mut self, stream: &mut StreamRecord, at: Duration, bytes: &[u8]) {
        let Mark { order, .. } = self.mark(at);
        let offset = stream.sent;
        stream.sent += bytes.len() as u64;
        if stream.bytes_complete {
            let room = BYTES_PER_STREAM
                .saturating_sub(stream.bytes.len())
                .min(BYTES_PER_RUN.saturating_sub(self.kept_bytes));
            let kept = bytes.len().min(room);
            stream.bytes.extend_from_slice(&bytes[..kept]);
            self.kept_bytes += kept;
            stream.bytes_complete = kept == bytes.len();
        }
        let read = Segment {
            at,
            order,
            offset,
            len: bytes.len() as u64,
        };
        if self.keep_segment() {
            stream.reads.push(read);
        } else {
            stream.unrecorded_segments += 1;
        }
    }

    /// A write of `length` bytes to a stream's receiver.
    pub fn record_write(&mut self, stream: &mut StreamRecord, at: Duration, length: usize) {
        let Mark { order, .. } = self.mark(at);
        let offset = stream.delivered;
        stream.delivered += length as u64;
        let write = Segment {
            at,
            order,
            offset,
            len: length as u64,
        };
        if self.keep_segment() {
            stream.writes.push(write);
        } else {
            stream.unrecorded_segments += 1;
        }
    }

    fn keep_segment(&mut self) -> bool {
        self.kept_segments += 1;
        self.kept_segments <= SEGMENTS_PER_RUN
    }
}
