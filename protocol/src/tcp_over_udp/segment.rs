//! The tcp-over-udp segment: a 12-byte header in Python `struct` layout `'iihh'`, x86-64
//! native (little-endian) order — seq, ack, connection id, flags — then the payload, at
//! most 512 bytes. The payload's length is the datagram's length minus the header's:
//! nothing is padded, nothing is stripped.
//!
//! Sequence numbers count payload bytes (SYN and FIN count one each) modulo
//! [`SEQ_MODULUS`]. The grader's analyzer decodes the wire with the same [`Segment::parse`],
//! so "what the reference sends" and "what the grader reads" cannot drift apart.

use std::fmt;

/// Byte ranges of each header field.
pub mod field {
    /// A byte range within the datagram.
    pub type Field = core::ops::Range<usize>;

    /// `i`: the first payload byte's sequence number (or the SYN's, or the FIN's).
    pub const SEQ: Field = 0..4;
    /// `i`: the next sequence number the sender expects from its peer (with ACK).
    pub const ACK: Field = 4..8;
    /// `h`: 0 on the client's SYN, afterwards the id the server chose (1 and up).
    pub const CONN_ID: Field = 8..10;
    /// `h`: FIN=1, SYN=2, ACK=4.
    pub const FLAGS: Field = 10..12;
}

/// Bytes of the header.
pub const HEADER_LEN: usize = field::FLAGS.end;
/// The most payload one segment carries.
pub const MAX_PAYLOAD: usize = 512;
/// Sequence and acknowledgement numbers run from 0 to one less than this, then wrap.
pub const SEQ_MODULUS: u32 = 204_800;

/// `seq + count`, wrapped at [`SEQ_MODULUS`].
pub fn seq_add(seq: u32, count: usize) -> u32 {
    // Widened first: `count` may be a whole file's length.
    let sum = u64::from(seq) + count as u64;
    u32::try_from(sum % u64::from(SEQ_MODULUS)).unwrap_or(0)
}

/// The flags field: FIN=1, SYN=2, ACK=4; other bits are kept as they came.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Flags(pub u16);

impl Flags {
    pub const NONE: Flags = Flags(0);
    pub const FIN: Flags = Flags(1);
    pub const SYN: Flags = Flags(2);
    pub const ACK: Flags = Flags(4);
    pub const SYN_ACK: Flags = Flags(2 | 4);
    pub const FIN_ACK: Flags = Flags(1 | 4);
    /// The bits the assignment defines.
    const KNOWN: u16 = 1 | 2 | 4;

    /// Whether every bit of `other` is set.
    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union of both.
    pub fn with(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }

    /// Bits set that the assignment does not define.
    pub fn unknown_bits(self) -> u16 {
        self.0 & !Self::KNOWN
    }

    /// The flag words of a log line, in the handout's order: `ACK`, `SYN`, `FIN`.
    pub fn words(self) -> impl Iterator<Item = &'static str> {
        [
            (Flags::ACK, "ACK"),
            (Flags::SYN, "SYN"),
            (Flags::FIN, "FIN"),
        ]
        .into_iter()
        .filter(move |(flag, _)| self.contains(*flag))
        .map(|(_, word)| word)
    }
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Flags({self})")
    }
}

impl fmt::Display for Flags {
    /// `ACK SYN`, `FIN`, or `none`; unknown bits as `0x..`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut words: Vec<String> = self.words().map(str::to_owned).collect();
        if self.unknown_bits() != 0 {
            words.push(format!("{:#x}", self.unknown_bits()));
        }
        if words.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&words.join(" "))
        }
    }
}

/// The header's fields as numbers, exactly as they were packed (a student may send a
/// negative or out-of-range value; that is evidence, not an error).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Header {
    pub seq: i32,
    pub ack: i32,
    pub conn_id: i16,
    pub flags: Flags,
}

impl Header {
    /// Packs the header into the first [`HEADER_LEN`] bytes of `buffer`.
    ///
    /// # Panics
    /// If `buffer` is shorter than the header (a caller's bug, never a peer's bytes).
    pub fn emit(&self, buffer: &mut [u8]) {
        buffer[field::SEQ].copy_from_slice(&self.seq.to_le_bytes());
        buffer[field::ACK].copy_from_slice(&self.ack.to_le_bytes());
        buffer[field::CONN_ID].copy_from_slice(&self.conn_id.to_le_bytes());
        buffer[field::FLAGS].copy_from_slice(&self.flags.0.to_le_bytes());
    }
}

impl fmt::Display for Header {
    /// The numbers and flags as a log line shows them: `4322 12346 1 ACK SYN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.seq, self.ack, self.conn_id)?;
        for word in self.flags.words() {
            write!(f, " {word}")?;
        }
        if self.flags.unknown_bits() != 0 {
            write!(f, " {:#x}", self.flags.unknown_bits())?;
        }
        Ok(())
    }
}

/// Why a datagram is not a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SegmentError {
    #[error("datagram is {actual} bytes, shorter than the {HEADER_LEN}-byte header")]
    TooShort { actual: usize },
    #[error("payload is {actual} bytes, more than the {MAX_PAYLOAD} allowed")]
    TooLong { actual: usize },
}

/// One datagram, parsed: the header and the payload after it (borrowed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    pub header: Header,
    pub payload: &'a [u8],
}

impl<'a> Segment<'a> {
    /// Reads a datagram. The payload is everything after the header, byte for byte.
    pub fn parse(datagram: &'a [u8]) -> Result<Self, SegmentError> {
        let Some((head, payload)) = datagram.split_at_checked(HEADER_LEN) else {
            return Err(SegmentError::TooShort {
                actual: datagram.len(),
            });
        };
        if payload.len() > MAX_PAYLOAD {
            return Err(SegmentError::TooLong {
                actual: payload.len(),
            });
        }
        let i32_at =
            |range: field::Field| i32::from_le_bytes(head[range].try_into().unwrap_or_default());
        let u16_at =
            |range: field::Field| u16::from_le_bytes(head[range].try_into().unwrap_or_default());
        Ok(Segment {
            header: Header {
                seq: i32_at(field::SEQ),
                ack: i32_at(field::ACK),
                conn_id: i16::from_le_bytes(head[field::CONN_ID].try_into().unwrap_or_default()),
                flags: Flags(u16_at(field::FLAGS)),
            },
            payload,
        })
    }

    /// The datagram's length: header and payload.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + self.payload.len()
    }

    /// The datagram's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = vec![0; self.buffer_len()];
        self.header.emit(&mut bytes);
        bytes[HEADER_LEN..].copy_from_slice(self.payload);
        bytes
    }

    /// Sequence numbers the segment occupies: its payload, plus one for SYN and for FIN.
    pub fn sequence_length(&self) -> usize {
        self.payload.len()
            + usize::from(self.header.flags.contains(Flags::SYN))
            + usize::from(self.header.flags.contains(Flags::FIN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emit_and_parse_round_trip_every_field() {
        let header = Header {
            seq: 204_799,
            ack: -2,
            conn_id: 7,
            flags: Flags::SYN_ACK,
        };
        let payload = [0_u8, 0xFF, 0];
        let segment = Segment {
            header,
            payload: &payload,
        };
        // Emitted over a poisoned buffer, so a field `emit` forgot would show.
        let mut bytes = vec![0xa5; segment.buffer_len()];
        header.emit(&mut bytes);
        bytes[HEADER_LEN..].copy_from_slice(&payload);
        assert_eq!(bytes, segment.to_bytes());
        assert_eq!(Segment::parse(&bytes), Ok(segment));
    }

    #[test]
    fn the_layout_is_python_iihh_little_endian() {
        // struct.pack('iihh', 12345, 4322, 1, 6)
        let bytes = [0x39, 0x30, 0, 0, 0xe2, 0x10, 0, 0, 1, 0, 6, 0, b'h', b'i'];
        let segment = Segment::parse(&bytes).unwrap();
        assert_eq!(
            segment.header,
            Header {
                seq: 12345,
                ack: 4322,
                conn_id: 1,
                flags: Flags::SYN_ACK
            }
        );
        assert_eq!(segment.payload, b"hi");
    }

    #[test]
    fn trailing_nuls_are_payload() {
        let mut bytes = vec![0; HEADER_LEN];
        bytes.extend([b'a', 0, 0]);
        assert_eq!(Segment::parse(&bytes).unwrap().payload, [b'a', 0, 0]);
    }

    #[test]
    fn short_and_long_datagrams_are_errors_not_panics() {
        assert_eq!(
            Segment::parse(&[1, 2, 3]),
            Err(SegmentError::TooShort { actual: 3 })
        );
        let long = vec![0; HEADER_LEN + MAX_PAYLOAD + 1];
        assert_eq!(
            Segment::parse(&long),
            Err(SegmentError::TooLong { actual: 513 })
        );
        assert!(Segment::parse(&long[..HEADER_LEN + MAX_PAYLOAD]).is_ok());
    }

    #[test]
    fn sequence_numbers_wrap_at_the_modulus() {
        assert_eq!(seq_add(204_700, 100), 0);
        assert_eq!(seq_add(204_799, 512), 511);
        assert_eq!(seq_add(0, 204_800 * 3 + 5), 5);
    }

    #[test]
    fn syn_and_fin_take_one_number_each() {
        let syn = Segment {
            header: Header {
                flags: Flags::SYN,
                ..Header::default()
            },
            payload: &[],
        };
        assert_eq!(syn.sequence_length(), 1);
        let data = Segment {
            header: Header {
                flags: Flags::ACK,
                ..Header::default()
            },
            payload: &[1; 10],
        };
        assert_eq!(data.sequence_length(), 10);
    }

    #[test]
    fn flags_print_in_the_handouts_order() {
        assert_eq!(Flags::SYN_ACK.to_string(), "ACK SYN");
        assert_eq!(Flags::FIN_ACK.to_string(), "ACK FIN");
        assert_eq!(Flags::NONE.to_string(), "none");
        assert_eq!(Flags(8 | 1).to_string(), "FIN 0x8");
        let header = Header {
            seq: 4321,
            ack: 12346,
            conn_id: 1,
            flags: Flags::SYN_ACK,
        };
        assert_eq!(header.to_string(), "4321 12346 1 ACK SYN");
    }
}
