//! The analyzers, and their registry.
//!
//! An analyzer is one plug-in (see [`plugin`]): a folder named after the name case files
//! give it, holding its parameters, how it decodes a run's trace, and its checks. The list
//! below is the registry: one line per analyzer, naming its folder and parameters type, the
//! variant of [`Analyzer`] that case files choose it by, and that name. It is the only
//! place outside an analyzer's own folder that names it; adding an analyzer is adding its
//! folder and its line (and, for checks no analyzer had, their [`CheckId`] names).
//!
//! [`CheckId`]: crate::case::CheckId

pub mod plugin;
#[macro_use]
mod registry;

registry! {
    /// rdt 3.0 sender and rdt 2.2 receiver with a one-bit sequence number.
    alternating_bit::AlternatingBitParams as AlternatingBit("alternating-bit"),
    /// One request holding a name and an integer, one reply holding the other side's
    /// (udp-add); the message format is the student's own.
    add_numbers::AddNumbersParams as AddNumbers("add-numbers"),
    /// A file requested by name and sent back in fixed-size blocks, ended by a shorter one
    /// (udp-file).
    file_transfer::FileTransferParams as FileTransfer("file-transfer"),
    /// Files of text lines uploaded over one TCP connection, each answered by a status
    /// byte (tcp-lines).
    line_upload::LineUploadParams as LineUpload("line-upload"),
    /// The same file sent many times, one TCP connection each, with reported timings
    /// (tcp-file-100).
    repeated_transfer::RepeatedTransferParams as RepeatedTransfer("repeated-transfer"),
    /// A byte stream over UDP in segments with a TCP-like header, handshake, cumulative
    /// acknowledgements and close (tcp-over-udp).
    tcp_like::TcpLikeParams as TcpLike("tcp-like"),
}

pub use plugin::{Judge, PacketNames, Plugin, Run, TypedInput};
pub use registry::{Case, LoadedCase};

#[cfg(test)]
mod handout_tests;
