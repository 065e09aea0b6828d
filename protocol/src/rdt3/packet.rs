//! The rdt3 packet: Python `struct` layout `'I I 8s 32s'` in x86-64 native (little-endian)
//! order, 48 bytes — ack, seq, 8 data bytes, and the lower-case hex MD5 of the first 16.
//!
//! Two views, smoltcp style: [`Packet`] is a checked window onto bytes (it never panics on
//! a student's datagram once `new_checked` has accepted it), and [`Repr`] is the parsed,
//! owned meaning that can be emitted into a buffer.

use std::fmt;

use md5::{Digest, Md5};

/// Byte ranges of each field, so accessors and tests name fields rather than offsets.
pub mod field {
    /// A byte range within the packet.
    pub type Field = core::ops::Range<usize>;

    /// `I`: 1 on an acknowledgement, 0 on data.
    pub const ACK: Field = 0..4;
    /// `I`: the alternating bit, 0 or 1.
    pub const SEQ: Field = 4..8;
    /// `8s`: application data, zero bytes on an ACK.
    pub const DATA: Field = 8..16;
    /// `32s`: ASCII lower-case hex MD5 of [`CHECKSUMMED`].
    pub const CHKSUM: Field = 16..48;
    /// What the checksum covers: the `'I I 8s'` packing of ack, seq and data.
    pub const CHECKSUMMED: Field = 0..16;
}

/// Length of every rdt3 packet on the wire.
pub const PACKET_LEN: usize = field::CHKSUM.end;

/// Length of the data field.
pub const DATA_LEN: usize = field::DATA.end - field::DATA.start;

/// Why bytes are not an rdt3 packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PacketError {
    /// The datagram is not 48 bytes long.
    #[error("datagram is {actual} bytes, an rdt3 packet is {PACKET_LEN}")]
    WrongLength { actual: usize },
    /// The checksum field is not the MD5 of the first 16 bytes.
    #[error("checksum does not match the packet's ack, seq and data")]
    BadChecksum,
    /// The ack field is neither 0 nor 1.
    #[error("ack field is {value}, expected 0 or 1")]
    BadAck { value: u32 },
}

/// Text given for the data field is longer than the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("message {text:?} is {len} bytes, the data field holds at most {DATA_LEN}")]
pub struct DataTooLong {
    /// The text as given.
    pub text: String,
    /// Its length in bytes.
    pub len: usize,
}

/// Turns message text into the data field the way Python's `struct.pack('8s', ...)` does
/// (NUL-padded), except that text too long is an error instead of being silently cut.
pub fn data_from_text(text: &str) -> Result<[u8; DATA_LEN], DataTooLong> {
    let bytes = text.as_bytes();
    if bytes.len() > DATA_LEN {
        return Err(DataTooLong {
            text: text.to_owned(),
            len: bytes.len(),
        });
    }
    let mut data = [0; DATA_LEN];
    data[..bytes.len()].copy_from_slice(bytes);
    Ok(data)
}

/// A checked view of an rdt3 packet in a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking its length; accessors may then panic.
    pub const fn new_unchecked(buffer: T) -> Self {
        Packet { buffer }
    }

    /// Wraps a buffer, refusing one that is not exactly [`PACKET_LEN`] bytes.
    pub fn new_checked(buffer: T) -> Result<Self, PacketError> {
        let packet = Self::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Checks the length; the one check every accessor relies on.
    pub fn check_len(&self) -> Result<(), PacketError> {
        let actual = self.buffer.as_ref().len();
        if actual == PACKET_LEN {
            Ok(())
        } else {
            Err(PacketError::WrongLength { actual })
        }
    }

    /// Gives the buffer back.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The ack field (1 on an ACK, 0 on data — but a corrupt packet may hold anything).
    pub fn ack(&self) -> u32 {
        read_u32(&self.buffer.as_ref()[field::ACK])
    }

    /// The sequence number field.
    pub fn seq(&self) -> u32 {
        read_u32(&self.buffer.as_ref()[field::SEQ])
    }

    /// The 8 data bytes.
    pub fn data(&self) -> &[u8] {
        &self.buffer.as_ref()[field::DATA]
    }

    /// The 32 checksum bytes as carried (normally ASCII hex).
    pub fn checksum(&self) -> &[u8] {
        &self.buffer.as_ref()[field::CHKSUM]
    }

    /// Whether the checksum field is the hex MD5 of ack, seq and data.
    pub fn verify_checksum(&self) -> bool {
        checksum_of(&self.buffer.as_ref()[field::CHECKSUMMED]) == self.checksum()
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the ack field.
    pub fn set_ack(&mut self, value: u32) {
        self.buffer.as_mut()[field::ACK].copy_from_slice(&value.to_le_bytes());
    }

    /// Sets the sequence number field.
    pub fn set_seq(&mut self, value: u32) {
        self.buffer.as_mut()[field::SEQ].copy_from_slice(&value.to_le_bytes());
    }

    /// Sets the data field.
    pub fn set_data(&mut self, data: &[u8; DATA_LEN]) {
        self.buffer.as_mut()[field::DATA].copy_from_slice(data);
    }

    /// Computes the checksum over ack, seq and data and writes it into the packet.
    pub fn fill_checksum(&mut self) {
        let checksum = checksum_of(&self.buffer.as_ref()[field::CHECKSUMMED]);
        self.buffer.as_mut()[field::CHKSUM].copy_from_slice(&checksum);
    }
}

/// The log-line form of the fields: `ack=0 seq=0 data=NCC-1701 chksum=e4d4…`.
impl<T: AsRef<[u8]>> fmt::Display for Packet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ack={} seq={} data={} chksum={}",
            self.ack(),
            self.seq(),
            Escaped(self.data()),
            Escaped(self.checksum())
        )
    }
}

/// The meaning of a well-formed rdt3 packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repr {
    /// Whether this is an acknowledgement.
    pub ack: bool,
    /// The sequence number (0 or 1 from a correct peer).
    pub seq: u32,
    /// Application data; zeros on an ACK.
    pub data: [u8; DATA_LEN],
}

impl Repr {
    /// The acknowledgement for `seq`, as a receiver sends it.
    pub const fn ack_for(seq: u32) -> Self {
        Repr {
            ack: true,
            seq,
            data: [0; DATA_LEN],
        }
    }

    /// A data packet, as a sender sends it.
    pub const fn data(seq: u32, data: [u8; DATA_LEN]) -> Self {
        Repr {
            ack: false,
            seq,
            data,
        }
    }

    /// Parses a packet whose checksum is valid and whose ack field is 0 or 1.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Self, PacketError> {
        packet.check_len()?;
        if !packet.verify_checksum() {
            return Err(PacketError::BadChecksum);
        }
        let ack = match packet.ack() {
            0 => false,
            1 => true,
            value => return Err(PacketError::BadAck { value }),
        };
        let mut data = [0; DATA_LEN];
        data.copy_from_slice(packet.data());
        Ok(Repr {
            ack,
            seq: packet.seq(),
            data,
        })
    }

    /// Bytes `emit` writes.
    pub const fn buffer_len(&self) -> usize {
        PACKET_LEN
    }

    /// Writes every field, checksum included, into a packet buffer.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Packet<T>) {
        packet.set_ack(u32::from(self.ack));
        packet.set_seq(self.seq);
        packet.set_data(&self.data);
        packet.fill_checksum();
    }

    /// The packet's bytes, ready to send.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut packet = Packet::new_unchecked(vec![0; self.buffer_len()]);
        self.emit(&mut packet);
        packet.into_inner()
    }
}

/// Bytes shown for people: trailing NULs trimmed (Python's `8s` padding), printable ASCII
/// as is, anything else as `\xNN` so a corrupt byte can neither vanish nor move the cursor.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a [u8]);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = self
            .0
            .iter()
            .rposition(|&byte| byte != 0)
            .map_or(0, |last| last + 1);
        for &byte in &self.0[..end] {
            if (0x20..=0x7e).contains(&byte) {
                write!(f, "{}", char::from(byte))?;
            } else {
                write!(f, "\\x{byte:02x}")?;
            }
        }
        Ok(())
    }
}

/// Lower-case ASCII hex of the MD5 of `bytes`, as Python's `hexdigest()` gives it.
fn checksum_of(bytes: &[u8]) -> [u8; 32] {
    let mut hex = [0; 32];
    // 16 digest bytes always fill 32 hex digits exactly, so this cannot fail.
    let _ = hex::encode_to_slice(Md5::digest(bytes), &mut hex);
    hex
}

fn read_u32(bytes: &[u8]) -> u32 {
    let mut word = [0; 4];
    word.copy_from_slice(bytes);
    u32::from_le_bytes(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Computed once with Python, the handout's own packing:
    // python3 -c "import struct,hashlib; p=struct.pack('I I 8s',0,0,b'NCC-1701');
    //             print(hashlib.md5(p).hexdigest())"
    const DATA_SEQ0_CHECKSUM: &[u8; 32] = b"e4d48cc025bf08b68a1db367bb58e177";
    // Likewise for struct.pack('I I 8s', 1, 0, b'') — the ACK for seq 0.
    const ACK_SEQ0_CHECKSUM: &[u8; 32] = b"076933ff9904d1110d896e2c525e39e5";

    fn data_seq0() -> Vec<u8> {
        let mut bytes = vec![0, 0, 0, 0, 0, 0, 0, 0];
        bytes.extend_from_slice(b"NCC-1701");
        bytes.extend_from_slice(DATA_SEQ0_CHECKSUM);
        bytes
    }

    #[test]
    fn emit_fills_every_field() {
        let repr = Repr::data(0, *b"NCC-1701");
        let mut packet = Packet::new_unchecked(vec![0xa5; repr.buffer_len()]);
        repr.emit(&mut packet);
        assert_eq!(packet.into_inner(), data_seq0());
    }

    #[test]
    fn ack_emits_zero_data_and_python_checksum() {
        let mut packet = Packet::new_unchecked(vec![0xa5; PACKET_LEN]);
        Repr::ack_for(0).emit(&mut packet);
        assert_eq!(packet.ack(), 1);
        assert_eq!(packet.seq(), 0);
        assert_eq!(packet.data(), &[0; DATA_LEN]);
        assert_eq!(packet.checksum(), ACK_SEQ0_CHECKSUM);
    }

    #[test]
    fn parse_known_packet() {
        let packet = Packet::new_checked(data_seq0()).unwrap();
        assert!(packet.verify_checksum());
        assert_eq!(Repr::parse(&packet), Ok(Repr::data(0, *b"NCC-1701")));
    }

    #[test]
    fn round_trip() {
        for repr in [
            Repr::ack_for(1),
            Repr::data(1, *b"NCC-1422"),
            Repr::data(0, [0xff; 8]),
        ] {
            let packet = Packet::new_checked(repr.to_bytes()).unwrap();
            assert_eq!(Repr::parse(&packet), Ok(repr));
        }
    }

    #[test]
    fn wrong_length_is_an_error() {
        for len in [0, 20, 47, 49] {
            assert_eq!(
                Packet::new_checked(vec![0; len]),
                Err(PacketError::WrongLength { actual: len })
            );
        }
    }

    #[test]
    fn flipped_bit_fails_the_checksum() {
        let mut bytes = data_seq0();
        bytes[field::DATA.start] ^= 0x01;
        let packet = Packet::new_checked(bytes).unwrap();
        assert!(!packet.verify_checksum());
        assert_eq!(Repr::parse(&packet), Err(PacketError::BadChecksum));
    }

    #[test]
    fn ack_field_outside_zero_one_is_refused() {
        let mut packet = Packet::new_unchecked(vec![0; PACKET_LEN]);
        packet.set_ack(7);
        packet.fill_checksum();
        assert_eq!(Repr::parse(&packet), Err(PacketError::BadAck { value: 7 }));
    }

    #[test]
    fn display_trims_padding_and_escapes() {
        let packet = Packet::new_checked(Repr::ack_for(0).to_bytes()).unwrap();
        assert_eq!(
            packet.to_string(),
            "ack=1 seq=0 data= chksum=076933ff9904d1110d896e2c525e39e5"
        );
        assert_eq!(Escaped(b"NC\x01\n1\0\0\0").to_string(), "NC\\x01\\x0a1");
        assert_eq!(Escaped(b"a\0b\0").to_string(), "a\\x00b");
    }

    #[test]
    fn text_becomes_padded_data() {
        assert_eq!(data_from_text("NCC-1701"), Ok(*b"NCC-1701"));
        assert_eq!(data_from_text("ab"), Ok(*b"ab\0\0\0\0\0\0"));
        assert_eq!(
            data_from_text("NCC-1701-D"),
            Err(DataTooLong {
                text: "NCC-1701-D".to_owned(),
                len: 10
            })
        );
    }
}
