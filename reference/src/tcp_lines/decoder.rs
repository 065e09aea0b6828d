//! The tcp-lines server's reading as a sans-IO machine: stream bytes in, in whatever
//! slices the network delivers them, and complete messages out.
//!
//! TCP keeps no message boundaries: one `recv()` may hold a third of a count, or three
//! messages and the start of a fourth. The decoder makes that invisible, which is exactly
//! what the grader's sliced and coalesced scenarios check in a student's server.

use std::collections::VecDeque;

use super::message::{COUNT_LEN, LINE_END, Message};

/// The longest line the decoder holds, so that a peer that never sends `\n` cannot make
/// the server eat all memory. The cases' longest line is 10 000 bytes.
pub const MAX_LINE_LEN: usize = 1 << 20;

/// What the decoder has made of the stream so far, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A message's line count has arrived (its lines may not have). Every message yields
    /// one, the zero-line message included, before its [`Decoded::Message`].
    Count { lines: u32 },
    /// A whole message has arrived.
    Message(Message),
}

/// Why the stream holds no (further) valid message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The stream ended inside a line count.
    #[error("the stream ended after {bytes} of the {COUNT_LEN} bytes of a line count")]
    EndedInCount { bytes: usize },
    /// The stream ended before the last line of a message.
    #[error(
        "the stream ended after {received} of {expected} lines \
         (and {partial} bytes of the next)"
    )]
    EndedInLines {
        expected: u32,
        received: u32,
        partial: usize,
    },
    /// A line grew past [`MAX_LINE_LEN`] with no `\n`.
    #[error("line {line} of a message is longer than {MAX_LINE_LEN} bytes")]
    LineTooLong { line: u32 },
}

/// Decodes a stream of messages.
///
/// Call order: [`handle_bytes`](Self::handle_bytes) with each piece that arrives, then
/// [`poll_decoded`](Self::poll_decoded) until it returns `None`; at end of stream,
/// [`finish`](Self::finish) says whether it ended between messages. After an error the
/// decoder is spent: feed it no more.
#[derive(Debug, Clone, Default)]
pub struct MessageDecoder {
    state: State,
    ready: VecDeque<Decoded>,
}

#[derive(Debug, Clone)]
enum State {
    /// Reading a line count; `have` of its bytes are in `bytes`.
    Count { bytes: [u8; COUNT_LEN], have: usize },
    /// Reading the lines of a message of `expected` lines (at least one).
    Lines {
        expected: u32,
        lines: Vec<Vec<u8>>,
        current: Vec<u8>,
    },
}

impl Default for State {
    fn default() -> Self {
        State::Count {
            bytes: [0; COUNT_LEN],
            have: 0,
        }
    }
}

impl MessageDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        MessageDecoder::default()
    }

    /// Takes in the next piece of the stream, of any length.
    pub fn handle_bytes(&mut self, mut bytes: &[u8]) -> Result<(), DecodeError> {
        while !bytes.is_empty() {
            bytes = match &mut self.state {
                State::Count { bytes: count, have } => {
                    let take = (COUNT_LEN - *have).min(bytes.len());
                    count[*have..*have + take].copy_from_slice(&bytes[..take]);
                    *have += take;
                    if *have == COUNT_LEN {
                        let expected = u32::from_be_bytes(*count);
                        self.start_message(expected);
                    }
                    &bytes[take..]
                }
                State::Lines {
                    expected,
                    lines,
                    current,
                } => {
                    let line = u32::try_from(lines.len() + 1).unwrap_or(u32::MAX);
                    let end = bytes.iter().position(|&byte| byte == LINE_END);
                    let piece = &bytes[..end.unwrap_or(bytes.len())];
                    if current.len() + piece.len() > MAX_LINE_LEN {
                        return Err(DecodeError::LineTooLong { line });
                    }
                    current.extend_from_slice(piece);
                    let Some(end) = end else {
                        return Ok(());
                    };
                    lines.push(std::mem::take(current));
                    if line == *expected {
                        let lines = std::mem::take(lines);
                        self.state = State::default();
                        self.ready.push_back(Decoded::Message(Message { lines }));
                    }
                    &bytes[end + 1..]
                }
            };
        }
        Ok(())
    }

    /// The next thing decoded, oldest first.
    pub fn poll_decoded(&mut self) -> Option<Decoded> {
        self.ready.pop_front()
    }

    /// Says whether the stream, ending here, ended cleanly between two messages.
    pub fn finish(&self) -> Result<(), DecodeError> {
        match &self.state {
            State::Count { have: 0, .. } => Ok(()),
            State::Count { have, .. } => Err(DecodeError::EndedInCount { bytes: *have }),
            State::Lines {
                expected,
                lines,
                current,
            } => Err(DecodeError::EndedInLines {
                expected: *expected,
                received: u32::try_from(lines.len()).unwrap_or(u32::MAX),
                partial: current.len(),
            }),
        }
    }

    fn start_message(&mut self, expected: u32) {
        self.ready.push_back(Decoded::Count { lines: expected });
        self.state = if expected == 0 {
            self.ready.push_back(Decoded::Message(Message::default()));
            State::default()
        } else {
            State::Lines {
                expected,
                // A count is a claim, not a promise: reserve for a few lines, not 4 billion.
                lines: Vec::with_capacity(expected.min(1024) as usize),
                current: Vec::new(),
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::super::message::encode_message;
    use super::*;

    /// A small deterministic generator (SplitMix64), so the random splits are the same on
    /// every run and the crate needs no RNG dependency.
    struct SplitMix(u64);

    impl SplitMix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
    }

    /// Feeds `pieces` in order and collects everything decoded.
    fn decode<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> (Vec<Decoded>, MessageDecoder) {
        let mut decoder = MessageDecoder::new();
        let mut decoded = Vec::new();
        for piece in pieces {
            decoder.handle_bytes(piece).unwrap();
            decoded.extend(std::iter::from_fn(|| decoder.poll_decoded()));
        }
        (decoded, decoder)
    }

    fn messages(decoded: &[Decoded]) -> Vec<Message> {
        decoded
            .iter()
            .filter_map(|decoded| match decoded {
                Decoded::Message(message) => Some(message.clone()),
                Decoded::Count { .. } => None,
            })
            .collect()
    }

    /// Three files of the scenarios' kinds (short, a long line, empty lines), then quit.
    fn conversation() -> (Vec<u8>, Vec<Message>) {
        let long = "x".repeat(10_000);
        let files: Vec<Vec<&str>> = vec![
            vec!["first line", "second", "third"],
            vec![long.as_str()],
            vec!["", "after an empty line", ""],
            vec![],
        ];
        let mut stream = Vec::new();
        for file in &files {
            stream.extend(encode_message(file));
        }
        (
            stream,
            files.iter().map(|file| Message::new(file)).collect(),
        )
    }

    #[test]
    fn every_split_of_the_stream_gives_the_same_messages() {
        let (stream, expected) = conversation();

        let (all_at_once, decoder) = decode([&stream[..]]);
        assert_eq!(messages(&all_at_once), expected);
        assert_eq!(decoder.finish(), Ok(()));

        let (byte_by_byte, decoder) = decode(stream.chunks(1));
        assert_eq!(byte_by_byte, all_at_once);
        assert_eq!(decoder.finish(), Ok(()));

        for seed in 0..20 {
            let mut rng = SplitMix(seed);
            let mut pieces = Vec::new();
            let mut rest = &stream[..];
            while !rest.is_empty() {
                let len = (1 + rng.next() % 64).min(rest.len() as u64) as usize;
                let (piece, after) = rest.split_at(len);
                pieces.push(piece);
                rest = after;
            }
            let (random, decoder) = decode(pieces);
            assert_eq!(random, all_at_once, "seed {seed}");
            assert_eq!(decoder.finish(), Ok(()));
        }
    }

    #[test]
    fn each_count_comes_before_its_message() {
        let stream = [encode_message(&["a", "b"]), encode_message::<&str>(&[])].concat();
        let (decoded, _) = decode([&stream[..]]);
        assert_eq!(
            decoded,
            [
                Decoded::Count { lines: 2 },
                Decoded::Message(Message::new(&["a", "b"])),
                Decoded::Count { lines: 0 },
                Decoded::Message(Message::default()),
            ]
        );
        // The count is out as soon as its fourth byte is in, before any line.
        let (decoded, _) = decode([&stream[..5]]);
        assert_eq!(decoded, [Decoded::Count { lines: 2 }]);
    }

    #[test]
    fn carriage_returns_stay_part_of_the_line() {
        let (decoded, _) = decode([&b"\0\0\0\x01a\r\n"[..]]);
        assert_eq!(messages(&decoded), [Message::new(&["a\r"])]);
    }

    #[test]
    fn a_stream_that_ends_mid_message_is_an_error() {
        let stream = encode_message(&["abc", "de"]);
        for (len, error) in [
            (2, DecodeError::EndedInCount { bytes: 2 }),
            (
                4,
                DecodeError::EndedInLines {
                    expected: 2,
                    received: 0,
                    partial: 0,
                },
            ),
            (
                6,
                DecodeError::EndedInLines {
                    expected: 2,
                    received: 0,
                    partial: 2,
                },
            ),
            (
                9,
                DecodeError::EndedInLines {
                    expected: 2,
                    received: 1,
                    partial: 1,
                },
            ),
        ] {
            let (decoded, decoder) = decode(stream[..len].chunks(1));
            assert!(messages(&decoded).is_empty(), "{len}");
            assert_eq!(decoder.finish(), Err(error), "{len}");
        }
        assert_eq!(
            DecodeError::EndedInLines {
                expected: 2,
                received: 1,
                partial: 1
            }
            .to_string(),
            "the stream ended after 1 of 2 lines (and 1 bytes of the next)"
        );
    }

    #[test]
    fn a_line_with_no_end_is_cut_off_at_the_limit() {
        let mut decoder = MessageDecoder::new();
        decoder.handle_bytes(b"\0\0\0\x02ok\n").unwrap();
        decoder.handle_bytes(&vec![b'x'; MAX_LINE_LEN]).unwrap();
        assert_eq!(
            decoder.handle_bytes(b"x"),
            Err(DecodeError::LineTooLong { line: 2 })
        );
    }
}
