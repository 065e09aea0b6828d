//! Capturing a running program's stdout and stderr as timestamped lines, within a cap.
//!
//! One reader thread per stream splits what arrives into lines and stamps each with the
//! time it was read, so a log line can be set against the wire trace. A program that
//! prints without end must not exhaust the grader's memory: each stream keeps at most
//! `cap` bytes and only counts the rest.

use crate::evidence::{Line, Stream};
use std::io::{self, Read};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The output of one program as it is being read.
#[derive(Debug)]
pub(crate) struct Capture {
    shared: Arc<Shared>,
    readers: Vec<JoinHandle<()>>,
}

/// What [`Capture::collect`] hands back.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub(crate) lines: Vec<Line>,
    pub(crate) dropped_stdout_bytes: u64,
    pub(crate) dropped_stderr_bytes: u64,
    /// False when a stream was still open at the deadline (a process outside the group
    /// held the pipe), so output after that moment is missing.
    pub(crate) complete: bool,
}

impl Capture {
    /// Starts one reader thread per stream. Bytes past `cap` per stream are counted, not
    /// kept; times are measured from `origin`.
    pub(crate) fn start(
        streams: Vec<(Stream, Box<dyn Read + Send>)>,
        origin: Instant,
        cap: usize,
    ) -> io::Result<Self> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                open_streams: streams.len(),
                ..State::default()
            }),
            changed: Condvar::new(),
        });
        let mut readers = Vec::new();
        for (stream, reader) in streams {
            let shared = Arc::clone(&shared);
            let handle = std::thread::Builder::new()
                .name(format!("socklab-{}", stream_name(stream)))
                .spawn(move || read_stream(&shared, stream, reader, origin, cap))?;
            readers.push(handle);
        }
        Ok(Capture { shared, readers })
    }

    /// When the latest line (kept or not) was read, since `origin`.
    pub(crate) fn last_activity(&self) -> Option<Duration> {
        self.shared.lock().last_activity
    }

    /// The lines kept so far, from index `start` on.
    pub(crate) fn lines_since(&self, start: usize) -> Vec<Line> {
        self.shared
            .lock()
            .lines
            .get(start..)
            .unwrap_or_default()
            .to_vec()
    }

    /// Blocks until at least `count` lines are kept (true), or both streams ended or
    /// `deadline` passed with fewer (false).
    pub(crate) fn wait_for_lines(&self, count: usize, deadline: Instant) -> bool {
        let mut state = self.shared.lock();
        loop {
            if state.lines.len() >= count {
                return true;
            }
            let now = Instant::now();
            if state.open_streams == 0 || now >= deadline {
                return false;
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// A handle that watches how much the program has printed, partial lines included
    /// (a prompt has no newline), for typing input after each prompt.
    pub(crate) fn watch(&self) -> OutputWatch {
        OutputWatch {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Waits until both streams have ended or `deadline` passes, and takes what was read.
    /// Readers still running at the deadline are left to finish on their own.
    pub(crate) fn collect(&mut self, deadline: Instant) -> Collected {
        let mut state = self.shared.lock();
        while state.open_streams > 0 {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        let complete = state.open_streams == 0;
        let collected = Collected {
            lines: std::mem::take(&mut state.lines),
            dropped_stdout_bytes: state.dropped_stdout_bytes,
            dropped_stderr_bytes: state.dropped_stderr_bytes,
            complete,
        };
        drop(state);
        let readers = std::mem::take(&mut self.readers);
        if complete {
            for reader in readers {
                // A reader that panicked lost only its own stream's tail; nothing to add.
                let _ = reader.join();
            }
        }
        collected
    }
}

/// How much a program has printed so far; see [`Capture::watch`].
#[derive(Clone, Debug)]
pub(crate) struct OutputWatch {
    shared: Arc<Shared>,
}

impl OutputWatch {
    /// Blocks until more than `seen` bytes have been printed (returns the new count), or
    /// both streams ended or `deadline` passed (returns `None`).
    pub(crate) fn wait_beyond(&self, seen: u64, deadline: Instant) -> Option<u64> {
        let mut state = self.shared.lock();
        loop {
            if state.bytes_read > seen {
                return Some(state.bytes_read);
            }
            let now = Instant::now();
            if state.open_streams == 0 || now >= deadline {
                return None;
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// The bytes printed so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.shared.lock().bytes_read
    }

    /// Whether both streams have ended (the program and all it started closed them).
    pub(crate) fn ended(&self) -> bool {
        self.shared.lock().open_streams == 0
    }
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    /// Signalled on every new line and closed stream.
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Debug, Default)]
struct State {
    lines: Vec<Line>,
    dropped_stdout_bytes: u64,
    dropped_stderr_bytes: u64,
    last_activity: Option<Duration>,
    open_streams: usize,
    /// Every byte read from both streams, kept or not, partial lines included.
    bytes_read: u64,
}

fn stream_name(stream: Stream) -> &'static str {
    match stream {
        Stream::Stdout => "stdout",
        Stream::Stderr => "stderr",
    }
}

fn read_stream(
    shared: &Shared,
    stream: Stream,
    mut reader: Box<dyn Read + Send>,
    origin: Instant,
    cap: usize,
) {
    let mut splitter = LineSplitter::new(cap);
    let mut buffer = vec![0_u8; 8192];
    let mut ended = Vec::new();
    loop {
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            // A broken pipe ends the stream as EOF would.
            Err(_) => break,
        };
        splitter.push(&buffer[..read], &mut ended);
        // Counted and announced even when no line ends: a prompt has no newline, and
        // whoever types the next input line is waiting for it.
        shared.lock().bytes_read += read as u64;
        if ended.is_empty() {
            shared.changed.notify_all();
        } else {
            record(shared, stream, &mut ended, origin);
        }
    }
    ended.extend(splitter.finish());
    record(shared, stream, &mut ended, origin);
    shared.lock().open_streams -= 1;
    shared.changed.notify_all();
}

/// Stores finished lines, all stamped with one reading of the clock taken under the lock,
/// so stamps never go backwards across the two streams.
fn record(shared: &Shared, stream: Stream, ended: &mut Vec<LineEnd>, origin: Instant) {
    if ended.is_empty() {
        return;
    }
    let mut state = shared.lock();
    let at = origin.elapsed();
    for line in ended.drain(..) {
        match stream {
            Stream::Stdout => state.dropped_stdout_bytes += line.dropped,
            Stream::Stderr => state.dropped_stderr_bytes += line.dropped,
        }
        if let Some(mut bytes) = line.kept {
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
            let text = String::from_utf8_lossy(&bytes).into_owned();
            state.lines.push(Line { at, stream, text });
        }
        state.last_activity = Some(at);
    }
    drop(state);
    shared.changed.notify_all();
}

/// One finished line: what was kept of it (if anything) and how many bytes were not.
#[derive(Debug, PartialEq, Eq)]
struct LineEnd {
    kept: Option<Vec<u8>>,
    dropped: u64,
}

/// Splits bytes into `\n`-terminated lines, keeping at most `budget` bytes in all
/// (terminators included) and never buffering more than that of a single line.
#[derive(Debug)]
struct LineSplitter {
    budget: usize,
    pending: Vec<u8>,
    /// Bytes of the current line that did not fit.
    overflow: u64,
}

impl LineSplitter {
    fn new(budget: usize) -> Self {
        LineSplitter {
            budget,
            pending: Vec::new(),
            overflow: 0,
        }
    }

    fn push(&mut self, mut data: &[u8], ended: &mut Vec<LineEnd>) {
        if self.budget == 0 {
            // Past the cap nothing is kept, so lines need not be found: the bytes are
            // counted in one go. A program printing as fast as it can (a flood of output)
            // then costs the grader a read and an addition per buffer, not a scan.
            if !data.is_empty() {
                ended.push(LineEnd {
                    kept: None,
                    dropped: data.len() as u64,
                });
            }
            return;
        }
        while !data.is_empty() {
            let (segment, terminated) = match data.iter().position(|&byte| byte == b'\n') {
                Some(newline) => {
                    let segment = &data[..newline];
                    data = &data[newline + 1..];
                    (segment, true)
                }
                None => (std::mem::take(&mut data), false),
            };
            let room = self.budget.saturating_sub(self.pending.len());
            let kept = segment.len().min(room);
            self.pending.extend_from_slice(&segment[..kept]);
            self.overflow += (segment.len() - kept) as u64;
            if terminated {
                ended.push(self.end_line(1));
            }
        }
    }

    /// The unterminated last line, if the stream ended in the middle of one.
    fn finish(&mut self) -> Option<LineEnd> {
        if self.pending.is_empty() && self.overflow == 0 {
            return None;
        }
        Some(self.end_line(0))
    }

    fn end_line(&mut self, terminator: usize) -> LineEnd {
        let content = self.pending.len();
        let total = content as u64 + self.overflow + terminator as u64;
        let pending = std::mem::take(&mut self.pending);
        self.overflow = 0;
        if total <= self.budget as u64 {
            self.budget -= content + terminator;
            return LineEnd {
                kept: Some(pending),
                dropped: 0,
            };
        }
        // The line reaches past the cap: its beginning is kept, the rest and everything
        // after it only counted.
        self.budget = 0;
        LineEnd {
            dropped: total - content as u64,
            kept: (content > 0).then_some(pending),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(budget: usize, chunks: &[&[u8]]) -> Vec<LineEnd> {
        let mut splitter = LineSplitter::new(budget);
        let mut ended = Vec::new();
        for chunk in chunks {
            splitter.push(chunk, &mut ended);
        }
        ended.extend(splitter.finish());
        ended
    }

    fn kept(text: &str) -> LineEnd {
        LineEnd {
            kept: Some(text.as_bytes().to_vec()),
            dropped: 0,
        }
    }

    #[test]
    fn lines_split_across_chunks_are_joined() {
        let ended = split(100, &[b"hel", b"lo\nwor", b"ld\n\nlast"]);
        assert_eq!(
            ended,
            vec![kept("hello"), kept("world"), kept(""), kept("last")]
        );
    }

    #[test]
    fn the_cap_keeps_a_prefix_and_counts_the_rest() {
        let ended = split(10, &[b"12345\n67890\nabc\n", b"\n"]);
        assert_eq!(
            ended,
            vec![
                kept("12345"),
                LineEnd {
                    kept: Some(b"6789".to_vec()),
                    dropped: 2,
                },
                LineEnd {
                    kept: None,
                    dropped: 4,
                },
                LineEnd {
                    kept: None,
                    dropped: 1,
                },
            ]
        );
    }

    #[test]
    fn past_the_cap_a_whole_buffer_is_counted_at_once() {
        let ended = split(4, &[b"ab\ncdef\n", b"1\n2\n3\n", b"", b"tail"]);
        assert_eq!(
            ended,
            vec![
                kept("ab"),
                LineEnd {
                    kept: Some(b"c".to_vec()),
                    dropped: 4,
                },
                LineEnd {
                    kept: None,
                    dropped: 6,
                },
                LineEnd {
                    kept: None,
                    dropped: 4,
                },
            ]
        );
    }

    #[test]
    fn a_huge_line_is_never_buffered_whole() {
        let mut splitter = LineSplitter::new(16);
        let mut ended = Vec::new();
        for _ in 0..1000 {
            splitter.push(&[b'x'; 1000], &mut ended);
            assert!(splitter.pending.len() <= 16);
        }
        splitter.push(b"\nmore\n", &mut ended);
        assert_eq!(ended.len(), 2);
        assert_eq!(ended[0].kept.as_deref(), Some(&[b'x'; 16][..]));
        assert_eq!(ended[0].dropped, 1_000_000 - 16 + 1);
        assert_eq!(ended[1].dropped, 5);
    }

    #[test]
    fn capture_stamps_lines_and_strips_carriage_returns() {
        let origin = Instant::now();
        let streams: Vec<(Stream, Box<dyn Read + Send>)> = vec![
            (Stream::Stdout, Box::new(&b"one\r\ntwo"[..])),
            (Stream::Stderr, Box::new(&b"oops\n"[..])),
        ];
        let mut capture = Capture::start(streams, origin, 1024).unwrap();
        let collected = capture.collect(Instant::now() + Duration::from_secs(10));
        assert!(collected.complete);
        let mut texts: Vec<(Stream, &str)> = collected
            .lines
            .iter()
            .map(|line| (line.stream, line.text.as_str()))
            .collect();
        texts.sort();
        assert_eq!(
            texts,
            vec![
                (Stream::Stdout, "one"),
                (Stream::Stdout, "two"),
                (Stream::Stderr, "oops"),
            ]
        );
        assert!(
            collected
                .lines
                .windows(2)
                .all(|pair| pair[0].at <= pair[1].at)
        );
        assert!(capture.last_activity().is_some());
    }

    #[test]
    fn invalid_utf8_is_decoded_lossily() {
        let streams: Vec<(Stream, Box<dyn Read + Send>)> =
            vec![(Stream::Stdout, Box::new(&b"caf\xe9\n"[..]))];
        let mut capture = Capture::start(streams, Instant::now(), 1024).unwrap();
        let collected = capture.collect(Instant::now() + Duration::from_secs(10));
        assert_eq!(collected.lines[0].text, "caf\u{fffd}");
    }
}
