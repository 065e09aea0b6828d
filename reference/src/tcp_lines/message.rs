//! The tcp-lines wire format: each file is a 4-byte big-endian line count N, then N lines
//! of ASCII text each ended by `\n`; the server answers each file with one status byte.
//!
//! The client sends the count and every line as writes of their own, so the pieces are
//! encoded one at a time ([`encode_count`], [`encode_line`]); [`encode_message`] is the
//! whole file at once, the textbook bytes the decoder's tests start from. The byte order and
//! the terminator are parameters so that the client's defects are a different argument,
//! not a different encoder.

/// The bytes of the line count that starts every message.
pub const COUNT_LEN: usize = 4;

/// The byte that ends every line on the wire.
pub const LINE_END: u8 = b'\n';

/// One file as it travels: its lines, each without its `\n`. A message with no lines is
/// the client's way of saying it is done.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    /// The lines in order, terminators removed.
    pub lines: Vec<Vec<u8>>,
}

impl Message {
    /// A message of `lines` (each without its `\n`).
    pub fn new<L: AsRef<[u8]>>(lines: &[L]) -> Self {
        Message {
            lines: lines.iter().map(|line| line.as_ref().to_vec()).collect(),
        }
    }

    /// Whether this is the zero-line message that ends the connection.
    pub fn is_quit(&self) -> bool {
        self.lines.is_empty()
    }

    /// The file the server saves: every line followed by `\n`, nothing else.
    pub fn file_contents(&self) -> Vec<u8> {
        let mut contents = Vec::with_capacity(self.lines.iter().map(|line| line.len() + 1).sum());
        for line in &self.lines {
            contents.extend_from_slice(line);
            contents.push(LINE_END);
        }
        contents
    }
}

/// How the line count is packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    /// Network order, as the handout asks (`struct.pack('>I', n)`).
    BigEndian,
    /// The `little-endian-count` defect (`struct.pack('<I', n)`, or `'I'` on a PC).
    LittleEndian,
}

/// What follows each line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminator {
    /// `\n` alone, as the handout asks.
    LineFeed,
    /// `\r\n`, the `crlf-lines` defect.
    CarriageReturnLineFeed,
}

/// The 4 bytes of a line count.
pub fn encode_count(count: u32, order: ByteOrder) -> [u8; COUNT_LEN] {
    match order {
        ByteOrder::BigEndian => count.to_be_bytes(),
        ByteOrder::LittleEndian => count.to_le_bytes(),
    }
}

/// One line as sent: `line` (which holds no `\n`) and its terminator.
pub fn encode_line(line: &[u8], terminator: Terminator) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(line.len() + 2);
    bytes.extend_from_slice(line);
    if terminator == Terminator::CarriageReturnLineFeed {
        bytes.push(b'\r');
    }
    bytes.push(LINE_END);
    bytes
}

/// A whole message as the textbook client sends it: the big-endian count, then each line
/// and its `\n`.
///
/// # Panics
///
/// If there are more than `u32::MAX` lines, which no count can say.
pub fn encode_message<L: AsRef<[u8]>>(lines: &[L]) -> Vec<u8> {
    let count = u32::try_from(lines.len()).expect("at most u32::MAX lines fit a count");
    let mut bytes = encode_count(count, ByteOrder::BigEndian).to_vec();
    for line in lines {
        bytes.extend_from_slice(&encode_line(line.as_ref(), Terminator::LineFeed));
    }
    bytes
}

/// The server's one-byte answer to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `A`: the file was accepted; the server waits for the next.
    Accepted,
    /// `Q`: the file had no lines; the server is closing the connection.
    Quitting,
}

impl Status {
    /// The textbook answer to `message`.
    pub fn for_message(message: &Message) -> Self {
        if message.is_quit() {
            Status::Quitting
        } else {
            Status::Accepted
        }
    }

    /// The byte on the wire.
    pub const fn byte(self) -> u8 {
        match self {
            Status::Accepted => b'A',
            Status::Quitting => b'Q',
        }
    }

    /// The status a byte stands for, if any (case matters: `a` is no status).
    pub const fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            b'A' => Some(Status::Accepted),
            b'Q' => Some(Status::Quitting),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_big_endian_unless_a_defect_says_otherwise() {
        assert_eq!(encode_count(3, ByteOrder::BigEndian), [0, 0, 0, 3]);
        assert_eq!(encode_count(3, ByteOrder::LittleEndian), [3, 0, 0, 0]);
        assert_eq!(
            encode_count(0x0102_0304, ByteOrder::BigEndian),
            [1, 2, 3, 4]
        );
        assert_eq!(encode_count(0, ByteOrder::LittleEndian), [0; 4]);
    }

    #[test]
    fn lines_end_with_a_line_feed_unless_a_defect_says_otherwise() {
        assert_eq!(encode_line(b"abc", Terminator::LineFeed), b"abc\n");
        assert_eq!(
            encode_line(b"abc", Terminator::CarriageReturnLineFeed),
            b"abc\r\n"
        );
        assert_eq!(encode_line(b"", Terminator::LineFeed), b"\n");
    }

    #[test]
    fn whole_messages() {
        assert_eq!(
            encode_message(&["a", "bc", ""]),
            b"\0\0\0\x03a\nbc\n\n".to_vec()
        );
        assert_eq!(encode_message::<&str>(&[]), [0, 0, 0, 0]);
    }

    #[test]
    fn saved_file_is_the_lines_each_ended_by_a_line_feed() {
        assert_eq!(Message::new(&["a", "", "c"]).file_contents(), b"a\n\nc\n");
        assert_eq!(Message::default().file_contents(), b"");
        assert!(Message::default().is_quit());
        assert!(!Message::new(&[""]).is_quit(), "one empty line is a line");
    }

    #[test]
    fn status_bytes() {
        for status in [Status::Accepted, Status::Quitting] {
            assert_eq!(Status::from_byte(status.byte()), Some(status));
        }
        assert_eq!(Status::Accepted.byte(), b'A');
        assert_eq!(Status::Quitting.byte(), b'Q');
        assert_eq!(Status::from_byte(b'a'), None);
        assert_eq!(Status::from_byte(0), None);
        assert_eq!(Status::for_message(&Message::new(&["x"])), Status::Accepted);
        assert_eq!(Status::for_message(&Message::default()), Status::Quitting);
    }
}
