//! A TCP-like transport over UDP (ASSIGNMENTS.md §5): the `'iihh'` segment on the wire,
//! and the `SEND`/`RECV`/`DROP` line each program prints per datagram — written and read
//! strictly as the reference peers print it, and read leniently as the grader accepts it
//! from students.

pub mod lenient_log_line;
pub mod log_line;
pub mod segment;

pub use lenient_log_line::LenientLogLine;
pub use log_line::{LogLine, LogLineError, Verb};
pub use segment::{
    Flags, HEADER_LEN, Header, MAX_PAYLOAD, SEQ_MODULUS, Segment, SegmentError, seq_add,
};
