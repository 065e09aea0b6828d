//! Why a tcp-lines peer stopped before finishing as it should.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use super::decoder::DecodeError;
use crate::address::AddressError;
use crate::socket_error::SocketError;

/// Why a tcp-lines peer stopped: the server before the zero-line message, the client
/// before the server said it was quitting.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The host and port gave no address.
    #[error(transparent)]
    Address(#[from] AddressError),
    /// The socket, or the log, failed.
    #[error(transparent)]
    Socket(#[from] SocketError),
    /// The client's stream is no valid sequence of messages.
    #[error("bad stream from {peer}")]
    Decode {
        peer: SocketAddr,
        source: DecodeError,
    },
    /// The client closed the connection between two messages, without the zero-line one.
    #[error("{peer} closed the connection after {saved} files, without the zero-line message")]
    ClosedBeforeQuit { peer: SocketAddr, saved: u64 },
    /// The server's `--dir` is not a directory it can read.
    #[error("cannot save files in {}", .dir.display())]
    Directory { dir: PathBuf, source: io::Error },
    /// A received file could not be saved.
    #[error("cannot save {}", .path.display())]
    Save { path: PathBuf, source: io::Error },
    /// Stdin could not be read.
    #[error("cannot read the answers from stdin")]
    Input { source: io::Error },
    /// Stdin ended in the middle of a file.
    #[error("stdin ended before line {line} of {lines}")]
    InputEnded { line: u32, lines: u32 },
    /// The server closed the connection instead of answering a file.
    #[error("{peer} closed the connection before sending a status byte")]
    NoStatus { peer: SocketAddr },
    /// The server answered with neither `A` nor `Q`.
    #[error("{peer} answered with status byte 0x{byte:02x}, neither A nor Q")]
    UnexpectedStatus { peer: SocketAddr, byte: u8 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_happened_where() {
        let peer: SocketAddr = "127.0.0.1:5005".parse().unwrap();
        assert_eq!(
            PeerError::ClosedBeforeQuit { peer, saved: 2 }.to_string(),
            "127.0.0.1:5005 closed the connection after 2 files, without the zero-line message"
        );
        assert_eq!(
            PeerError::UnexpectedStatus { peer, byte: b'x' }.to_string(),
            "127.0.0.1:5005 answered with status byte 0x78, neither A nor Q"
        );
        assert_eq!(
            PeerError::InputEnded { line: 2, lines: 3 }.to_string(),
            "stdin ended before line 2 of 3"
        );
    }
}
