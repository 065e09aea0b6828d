//! A TCP-like transport over UDP (ASSIGNMENTS.md §5): the `'iihh'` segment, a three-way
//! handshake with a server-chosen connection id, stop-and-wait data with byte-counting
//! sequence numbers that wrap at 204 800, and a FIN close with a 2-second wait.

pub mod segment;

pub use segment::{
    Flags, HEADER_LEN, Header, MAX_PAYLOAD, SEQ_MODULUS, Segment, SegmentError, seq_add,
};
