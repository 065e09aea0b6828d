//! rdt 3.0 over UDP (ASSIGNMENTS.md §1): the 48-byte packet both the sender and the
//! receiver put on the wire.

pub mod packet;

pub use packet::{
    DATA_LEN, DataTooLong, Escaped, PACKET_LEN, Packet, PacketError, Repr, data_from_text,
};
