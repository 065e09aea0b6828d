//! The TCP relay's bookkeeping: one clock, one sequence of actions, and the limits on what
//! the record keeps, shared by every connection of a run and counted by what its buffers
//! and lists really hold (their capacity).

use super::clock::ScenarioClock;
use crate::evidence::held::HeldBytes;
use crate::evidence::{Connection, Mark, Segment, StreamRecord};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Stream bytes kept per direction of a connection: a line upload is kilobytes, and
/// what the analyzers read of a bulk transfer is its length, not its bytes.
const BYTES_PER_STREAM: usize = 1 << 20;
/// Stream bytes kept per run, whatever the number of connections, by what their buffers
/// hold.
pub const BYTES_PER_RUN: usize = 8 << 20;
/// What the rest of the record may hold per run: the connections' records and their
/// reads and writes (40 bytes each: about 200 000 of them, where a hundred 1 MiB transfers
/// read in 1 KiB pieces make that many). Past it, a read or write is counted, not kept,
/// and a connection is relayed but only counted.
pub const BOOKKEEPING_PER_RUN: usize = 8 << 20;

/// Whether a connection's record is kept, or the connection only counted (the record was
/// full when it opened).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keeping {
    Kept,
    Counted,
}

#[derive(Debug)]
pub struct Recorder {
    clock: ScenarioClock,
    order: u64,
    activity: Arc<AtomicU64>,
    kept_bytes: HeldBytes,
    bookkeeping: HeldBytes,
    /// Connections relayed but not recorded.
    pub unrecorded_connections: u64,
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
            kept_bytes: HeldBytes::new(BYTES_PER_RUN),
            bookkeeping: HeldBytes::new(BOOKKEEPING_PER_RUN),
            unrecorded_connections: 0,
            to_server_holding: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Whether a new connection's record can be kept, with room for it in `finished`
    /// (where it goes once over) beside the `live` ones kept already.
    pub fn admit(&mut self, finished: &mut Vec<Connection>, live: usize) -> Keeping {
        if self.bookkeeping.reserve(finished, live + 1) {
            Keeping::Kept
        } else {
            Keeping::Counted
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
    pub fn record_read(
        &mut self,
        stream: &mut StreamRecord,
        keeping: Keeping,
        at: Duration,
        bytes: &[u8],
    ) {
        let Mark { order, .. } = self.mark(at);
        let offset = stream.sent;
        stream.sent += bytes.len() as u64;
        if keeping == Keeping::Counted {
            stream.bytes_complete = false;
            return;
        }
        if stream.bytes_complete {
            let kept = bytes
                .len()
                .min(BYTES_PER_STREAM.saturating_sub(stream.bytes.len()))
                .min(stream.bytes.capacity() - stream.bytes.len() + self.kept_bytes.room());
            let reserved =
                self.kept_bytes
                    .reserve_at_most(&mut stream.bytes, kept, BYTES_PER_STREAM);
            let kept = if reserved { kept } else { 0 };
            stream.bytes.extend_from_slice(&bytes[..kept]);
            stream.bytes_complete = kept == bytes.len();
        }
        let read = Segment {
            at,
            order,
            offset,
            len: bytes.len() as u64,
        };
        if self.bookkeeping.reserve(&mut stream.reads, 1) {
            stream.reads.push(read);
        } else {
            stream.unrecorded_segments += 1;
        }
    }

    /// A write of `length` bytes to a stream's receiver.
    pub fn record_write(
        &mut self,
        stream: &mut StreamRecord,
        keeping: Keeping,
        at: Duration,
        length: usize,
    ) {
        let Mark { order, .. } = self.mark(at);
        let offset = stream.delivered;
        stream.delivered += length as u64;
        let write = Segment {
            at,
            order,
            offset,
            len: length as u64,
        };
        if keeping == Keeping::Kept && self.bookkeeping.reserve(&mut stream.writes, 1) {
            stream.writes.push(write);
        } else {
            stream.unrecorded_segments += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    fn recorder() -> Recorder {
        Recorder::new(ScenarioClock::start(), Arc::default())
    }

    /// Streams of 600 KiB each: their buffers hold what they allocated, and that is what
    /// stops the record at 8 MiB (by length, 13 streams fitted, holding 13 MiB).
    #[test]
    fn stream_bytes_are_counted_by_what_their_buffers_hold() {
        let mut recorder = recorder();
        let mut streams: Vec<StreamRecord> = (0..20).map(|_| StreamRecord::new()).collect();
        let read = [7_u8; 4096];
        for stream in &mut streams {
            for _ in 0..150 {
                recorder.record_read(stream, Keeping::Kept, Duration::ZERO, &read);
            }
        }
        let held: usize = streams.iter().map(|stream| stream.bytes.capacity()).sum();
        assert!(held <= BYTES_PER_RUN, "{held} bytes held");
        assert!(streams[0].bytes_complete);
        assert!(!streams[19].bytes_complete);
        assert!(streams.iter().all(|stream| stream.sent == 150 * 4096));
    }

    /// One-byte reads and writes past the record's share: the lists of segments hold at
    /// most that share by capacity (by count, 400 000 segments held 21 MB).
    #[test]
    fn segments_are_counted_by_what_their_lists_hold() {
        let mut recorder = recorder();
        let mut stream = StreamRecord::new();
        for _ in 0..300_000 {
            recorder.record_read(&mut stream, Keeping::Kept, Duration::ZERO, b"x");
            recorder.record_write(&mut stream, Keeping::Kept, Duration::ZERO, 1);
        }
        let held = (stream.reads.capacity() + stream.writes.capacity()) * size_of::<Segment>();
        assert!(held <= BOOKKEEPING_PER_RUN, "{held} bytes held");
        let kept = stream.reads.len() + stream.writes.len();
        assert_eq!(kept as u64 + stream.unrecorded_segments, 600_000);
        assert_eq!(stream.sent, 300_000);
        assert_eq!(stream.delivered, 300_000);
    }

    /// A flood of connections: past the record's share, a connection is counted, and
    /// nothing of it is kept.
    #[test]
    fn past_the_share_a_connection_is_only_counted() {
        let mut recorder = recorder();
        let mut finished: Vec<Connection> = Vec::new();
        let mut counted = 0;
        for _ in 0..200_000 {
            match recorder.admit(&mut finished, 0) {
                Keeping::Kept => finished.push(crate::relay::tcp_connection::new_record(
                    1,
                    Duration::ZERO,
                    "127.0.0.1:1".parse().unwrap(),
                    "127.0.0.1:2".parse().unwrap(),
                )),
                Keeping::Counted => counted += 1,
            }
        }
        assert!(counted > 0);
        assert!(finished.capacity() * size_of::<Connection>() <= BOOKKEEPING_PER_RUN);
        let mut stream = StreamRecord::new();
        recorder.record_read(&mut stream, Keeping::Counted, Duration::ZERO, b"abc");
        recorder.record_write(&mut stream, Keeping::Counted, Duration::ZERO, 3);
        assert!(stream.bytes.is_empty() && stream.reads.is_empty() && stream.writes.is_empty());
        assert_eq!((stream.sent, stream.delivered), (3, 3));
    }
}
