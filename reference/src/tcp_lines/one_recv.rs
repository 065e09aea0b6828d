//! The `one-recv` defect as a sans-IO machine: a server that takes each `recv()` for one
//! whole part of a message, as many students' first servers do.
//!
//! It asks for the count with a `recv(4)` and for each line with a `recv(65536)`, and takes
//! whatever comes back as the whole thing. Over a quiet loopback, where each of the
//! client's writes arrives alone, that works; when a relay slices the stream (a count in
//! 1-byte pieces) or coalesces it (several lines in one segment) the messages come out
//! wrong, and the grader's saved-files and status-bytes checks must notice.

use std::collections::VecDeque;

use super::decoder::{DecodeError, Decoded};
use super::message::{COUNT_LEN, LINE_END, Message};

/// The size of each `recv()` for a line: the handout's usual buffer.
pub const LINE_RECV_LEN: usize = 65536;

/// Reads messages one `recv()` per part.
///
/// Call order: read at most [`recv_len`](Self::recv_len) bytes with one `recv()`, hand them
/// to [`handle_recv`](Self::handle_recv), then [`poll_decoded`](Self::poll_decoded) until
/// it returns `None`; at end of stream, [`finish`](Self::finish).
#[derive(Debug, Clone, Default)]
pub struct OneRecvReader {
    state: Expect,
    ready: VecDeque<Decoded>,
}

#[derive(Debug, Clone, Default)]
enum Expect {
    #[default]
    Count,
    Lines {
        expected: u32,
        lines: Vec<Vec<u8>>,
    },
}

impl OneRecvReader {
    /// A reader at the start of a stream.
    pub fn new() -> Self {
        OneRecvReader::default()
    }

    /// How many bytes the next `recv()` asks for.
    pub fn recv_len(&self) -> usize {
        match self.state {
            Expect::Count => COUNT_LEN,
            Expect::Lines { .. } => LINE_RECV_LEN,
        }
    }

    /// Takes in what one `recv()` returned (not empty; bytes past
    /// [`recv_len`](Self::recv_len) are ignored, as a `recv()` that size would never see them).
    pub fn handle_recv(&mut self, received: &[u8]) {
        let received = &received[..received.len().min(self.recv_len())];
        match &mut self.state {
            Expect::Count => {
                // `int.from_bytes(data, 'big')`: a short read is a smaller number.
                let expected = received
                    .iter()
                    .fold(0_u32, |count, &byte| (count << 8) | u32::from(byte));
                self.ready.push_back(Decoded::Count { lines: expected });
                if expected == 0 {
                    self.ready.push_back(Decoded::Message(Message::default()));
                } else {
                    self.state = Expect::Lines {
                        expected,
                        lines: Vec::new(),
                    };
                }
            }
            Expect::Lines { expected, lines } => {
                // `data.rstrip(b'\n')` of one trailing terminator: the rest, further lines
                // included, is taken for this line.
                let line = received.strip_suffix(&[LINE_END]).unwrap_or(received);
                lines.push(line.to_vec());
                if lines.len() == *expected as usize {
                    let lines = std::mem::take(lines);
                    self.state = Expect::Count;
                    self.ready.push_back(Decoded::Message(Message { lines }));
                }
            }
        }
    }

    /// The next thing read, oldest first.
    pub fn poll_decoded(&mut self) -> Option<Decoded> {
        self.ready.pop_front()
    }

    /// Says whether the stream, ending here, ended between two messages as this reader
    /// sees them.
    pub fn finish(&self) -> Result<(), DecodeError> {
        match &self.state {
            Expect::Count => Ok(()),
            Expect::Lines { expected, lines } => Err(DecodeError::EndedInLines {
                expected: *expected,
                received: u32::try_from(lines.len()).unwrap_or(u32::MAX),
                partial: 0,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::message::encode_message;
    use super::*;

    /// Feeds one `recv()` result per piece and collects the messages.
    fn read<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> (Vec<Message>, OneRecvReader) {
        let mut reader = OneRecvReader::new();
        let mut messages = Vec::new();
        for piece in pieces {
            reader.handle_recv(piece);
            while let Some(decoded) = reader.poll_decoded() {
                if let Decoded::Message(message) = decoded {
                    messages.push(message);
                }
            }
        }
        (messages, reader)
    }

    #[test]
    fn works_when_each_write_arrives_alone() {
        let (messages, reader) = read([&[0, 0, 0, 2][..], b"first\n", b"second\n", &[0, 0, 0, 0]]);
        assert_eq!(
            messages,
            [Message::new(&["first", "second"]), Message::default()]
        );
        assert_eq!(reader.finish(), Ok(()));
    }

    #[test]
    fn asks_for_four_bytes_then_a_big_buffer() {
        let mut reader = OneRecvReader::new();
        assert_eq!(reader.recv_len(), 4);
        reader.handle_recv(&[0, 0, 0, 1]);
        assert_eq!(reader.recv_len(), LINE_RECV_LEN);
        reader.handle_recv(b"x\n");
        assert_eq!(reader.recv_len(), 4);
    }

    #[test]
    fn coalesced_lines_become_one_line() {
        // The whole message in one segment: the count recv takes 4 bytes, the first line
        // recv takes both lines, and the second line recv waits for bytes that are never
        // coming (the client is waiting for its status).
        let stream = encode_message(&["a", "b"]);
        let (messages, reader) = read([&stream[..4], &stream[4..]]);
        assert!(messages.is_empty());
        assert_eq!(
            reader.finish(),
            Err(DecodeError::EndedInLines {
                expected: 2,
                received: 1,
                partial: 0
            })
        );
    }

    #[test]
    fn a_sliced_count_is_taken_for_a_smaller_number() {
        // The first byte of a big-endian 3 is 0: the zero-line message.
        let stream = encode_message(&["a", "b", "c"]);
        let (messages, _) = read(stream.chunks(1).take(1));
        assert_eq!(messages, [Message::default()]);
        // Two bytes of 0x0102_0304 are 0x0102.
        let mut reader = OneRecvReader::new();
        reader.handle_recv(&[1, 2]);
        assert_eq!(
            reader.poll_decoded(),
            Some(Decoded::Count { lines: 0x0102 })
        );
    }

    #[test]
    fn a_recv_never_sees_past_its_size() {
        let mut reader = OneRecvReader::new();
        reader.handle_recv(&[0, 0, 0, 1, b'x', b'\n']);
        assert_eq!(reader.poll_decoded(), Some(Decoded::Count { lines: 1 }));
        assert_eq!(reader.poll_decoded(), None);
        assert_eq!(reader.recv_len(), LINE_RECV_LEN);
    }
}
