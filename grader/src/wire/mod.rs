//! Packet layouts described in Python `struct` syntax, and the checksums inside them.
//!
//! [`Layout`] reads a handout's format (`"I I 8s 32s"` plus field names) and decodes or
//! encodes packets with it exactly as Python's `struct` would; [`ChecksumSpec`] says which
//! field holds which digest of which fields, and judges a packet's checksum.

pub mod checksum;
pub mod codec;
mod format;
mod half;
pub mod layout;
mod mistake;
pub mod value;

pub use checksum::{ChecksumAlgorithm, ChecksumError, ChecksumSpec, ChecksumVerdict};
pub use codec::{DecodeError, Decoded, EncodeError};
pub use layout::{ByteOrder, Field, FieldKind, Layout, LayoutError, LayoutErrorKind};
pub use value::{BytesRepr, Value};
