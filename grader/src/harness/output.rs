//! Capturing a running program's stdout and stderr as timestamped lines, within a cap.
//!
//! One reader thread per stream splits what arrives into lines and stamps each with the
//! time it was read, so a log line can be set against the wire trace. A program that
//! prints without end must not exhaust the grader's memory: each stream keeps at most
//! `cap` bytes of memory (its lines' text and a record per line) and only counts the rest.

use super::line_splitter::{LINE_RECORD, LineEnd, LineSplitter};
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
    /// Starts one reader thread per stream. What a stream prints past `cap` bytes of
    /// memory (see [`LINE_RECORD`]) is counted, not kept; times are measured from `origin`.
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
    /// Places in `lines` beyond its length that a stream paid for when the list grew and
    /// its next lines will take (see [`record`]).
    granted: usize,
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
    let mut splitter = LineSplitter::new(cap, LINE_RECORD);
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
            record(shared, stream, &mut ended, origin, &mut splitter);
        }
    }
    ended.extend(splitter.finish());
    record(shared, stream, &mut ended, origin, &mut splitter);
    shared.lock().open_streams -= 1;
    shared.changed.notify_all();
}

/// Stores finished lines, all stamped with one reading of the clock taken under the lock,
/// so stamps never go backwards across the two streams.
///
/// A line paid for its place in the list, or took one paid for earlier. The list grows by
/// doubling, and the room it makes beyond the lines that paid is paid from the stream's
/// cap as it is made (as far as the cap affords) and granted to the stream's next lines:
/// what the list holds, spare room included, is paid for once.
fn record(
    shared: &Shared,
    stream: Stream,
    ended: &mut Vec<LineEnd>,
    origin: Instant,
    splitter: &mut LineSplitter,
) {
    if ended.is_empty() {
        return;
    }
    let mut state = shared.lock();
    let at = origin.elapsed();
    let mut paying = ended
        .iter()
        .filter(|line| line.kept.is_some() && !line.placed)
        .count();
    for line in ended.drain(..) {
        match stream {
            Stream::Stdout => state.dropped_stdout_bytes += line.dropped,
            Stream::Stderr => state.dropped_stderr_bytes += line.dropped,
        }
        state.last_activity = Some(at);
        let Some(mut bytes) = line.kept else {
            continue;
        };
        if line.placed {
            state.granted -= 1;
        } else {
            let free = state.lines.capacity() - state.lines.len() - state.granted;
            if free == 0 {
                let spare = state
                    .lines
                    .capacity()
                    .max(64)
                    .saturating_sub(paying)
                    .min(splitter.budget() / LINE_RECORD);
                splitter.spend(spare * LINE_RECORD);
                splitter.grant(spare);
                state.granted += spare;
                let reserved = state.granted + paying;
                state.lines.reserve_exact(reserved);
            }
            paying -= 1;
        }
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        let text = decode(&bytes, splitter);
        state.lines.push(Line { at, stream, text });
    }
    drop(state);
    shared.changed.notify_all();
}

/// A kept line as text. Invalid UTF-8 is decoded lossily, which can take three bytes for
/// one (U+FFFD): the difference is paid from the stream's cap, or the text is cut to the
/// bytes it was paid for.
fn decode(bytes: &[u8], splitter: &mut LineSplitter) -> String {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    let grown = text.len().saturating_sub(bytes.len());
    if grown > 0 && !splitter.spend(grown) {
        let mut end = bytes.len();
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.shrink_to_fit();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// What the kept output really holds: every text and the list of records, by
    /// capacity.
    fn held(lines: &Vec<Line>) -> usize {
        let texts: usize = lines.iter().map(|line| line.text.capacity()).sum();
        lines.capacity() * LINE_RECORD + texts
    }

    fn flood(stdout: Vec<u8>, stderr: Vec<u8>, cap: usize) -> Collected {
        let streams: Vec<(Stream, Box<dyn Read + Send>)> = vec![
            (Stream::Stdout, Box::new(io::Cursor::new(stdout))),
            (Stream::Stderr, Box::new(io::Cursor::new(stderr))),
        ];
        let mut capture = Capture::start(streams, Instant::now(), cap).unwrap();
        capture.collect(Instant::now() + Duration::from_secs(10))
    }

    /// A program printing nothing but newlines on both streams: each stream keeps the
    /// lines whose records fit its cap (it kept one per byte of the cap before).
    #[test]
    fn a_flood_of_empty_lines_keeps_what_the_cap_pays_for() {
        let collected = flood(vec![b'\n'; 100_000], vec![b'\n'; 100_000], 1000);
        assert_eq!(collected.lines.len(), 2 * (1000 / LINE_RECORD));
        assert!(held(&collected.lines) <= 2 * 1000);
        let kept = (1000 / LINE_RECORD) as u64;
        assert_eq!(collected.dropped_stdout_bytes, 100_000 - kept);
        assert_eq!(collected.dropped_stderr_bytes, 100_000 - kept);
    }

    /// Short lines on both streams: the list of records grows by doubling, and its spare
    /// room is held too, so it never grows past what the caps pay for (the output took
    /// up to three times its caps before).
    #[test]
    fn the_list_of_lines_never_outgrows_the_caps() {
        let lines = b"sent xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n".repeat(20_000);
        let cap = 100_000;
        let collected = flood(lines.clone(), lines, cap);
        let held = held(&collected.lines);
        assert!(held <= 2 * cap, "{held} bytes held for two caps of {cap}");
        assert!(
            held >= 2 * cap * 9 / 10,
            "{held} bytes: the caps were not used"
        );
    }

    /// Invalid UTF-8 is shown as U+FFFD, three bytes for one: what a stream keeps of it
    /// still fits its cap.
    #[test]
    fn replacement_characters_are_paid_for() {
        let collected = flood(vec![0xff; 10_000], Vec::new(), 1000);
        let text: usize = collected.lines.iter().map(|line| line.text.len()).sum();
        assert!(text + LINE_RECORD <= 1000, "{text} bytes of text");
        assert!(text >= 900, "{text} bytes of text: the cap was not used");
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
