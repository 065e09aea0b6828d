//! The reference client's wait for the server's reply, in whatever framing the server
//! chose: its name and number in one datagram, or its name alone and then its number.
//!
//! The handout says the server sends "its name string and the server-chosen integer value
//! back to the client" without saying in how many datagrams, so [`ReplyAssembly`] (sans-IO)
//! holds a reply line with no integer as the server's name and completes it with the
//! integer that follows. [`wait_for_reply`] drives it over the socket, and also sends the
//! typed integer again, alone, when the server has said nothing for a while (if asked to):
//! a server that reads the name and the integer from two datagrams took the whole request
//! for the name and waits for the integer.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use super::error::PeerError;
use super::message::{MAX_DATAGRAM, Message, NoInteger};
use crate::socket_error::SocketError;
use crate::wait::{self, Readiness};

/// The reply put together from the datagrams received so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyAssembly {
    /// A line with no integer, taken as the server's name.
    name: Option<String>,
}

/// What the reply is, once a datagram is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assembled {
    /// The server's name (possibly empty) and integer.
    Complete(Message),
    /// A name so far; the integer should follow.
    NameOnly,
    /// Text with no integer that is not a name either (several lines).
    Malformed { reply: String },
}

impl ReplyAssembly {
    /// Adds one datagram from the server.
    pub fn add(&mut self, datagram: &[u8]) -> Assembled {
        match Message::parse(datagram) {
            Ok(mut message) => {
                if message.name.is_empty()
                    && let Some(name) = self.name.take()
                {
                    message.name = name;
                }
                Assembled::Complete(message)
            }
            Err(NoInteger { text }) => {
                let line = text.trim();
                if line.is_empty() || line.contains('\n') {
                    return Assembled::Malformed { reply: text };
                }
                self.name = Some(line.to_owned());
                Assembled::NameOnly
            }
        }
    }

    /// Why there is no reply, once the wait is over.
    pub fn missing(&self, timeout: Duration) -> PeerError {
        match &self.name {
            Some(name) => PeerError::MalformedReply {
                reply: name.clone(),
            },
            None => PeerError::NoReply { timeout },
        }
    }
}

/// When and what the client sends again, alone, if the server stays silent.
#[derive(Debug, Clone, Copy)]
pub struct SendAgain<'a> {
    pub at: Instant,
    pub text: &'a str,
    pub peer: SocketAddr,
}

/// Waits until `deadline` for the reply; sends `again` when it is due and nothing has come
/// yet. `timeout` is the whole wait, for the error.
pub fn wait_for_reply(
    socket: &UdpSocket,
    local: SocketAddr,
    deadline: Instant,
    timeout: Duration,
    mut again: Option<SendAgain<'_>>,
) -> Result<(Message, bool), PeerError> {
    let mut assembly = ReplyAssembly::default();
    let mut sent_again = false;
    loop {
        let wake = again.map_or(deadline, |again| again.at.min(deadline));
        match receive(socket, local, wake)? {
            Some(datagram) => {
                // The server has spoken: it read the request as it was.
                again = None;
                match assembly.add(&datagram) {
                    Assembled::Complete(message) => return Ok((message, sent_again)),
                    Assembled::NameOnly => {}
                    Assembled::Malformed { reply } => {
                        return Err(PeerError::MalformedReply { reply });
                    }
                }
            }
            None if Instant::now() >= deadline => return Err(assembly.missing(timeout)),
            None => {
                if let Some(due) = again.take() {
                    send_alone(socket, due)?;
                    sent_again = true;
                }
            }
        }
    }
}

/// After an out-of-range integer no reply is due; still, when asked, waits until `again`
/// is due and, if nothing came, sends the integer alone for a server that waits for it.
/// Whether it was sent.
pub fn send_again_unless_answered(
    socket: &UdpSocket,
    local: SocketAddr,
    again: SendAgain<'_>,
) -> Result<bool, PeerError> {
    if receive(socket, local, again.at)?.is_some() {
        return Ok(false);
    }
    send_alone(socket, again)?;
    Ok(true)
}

/// The typed text, alone in a datagram.
fn send_alone(socket: &UdpSocket, again: SendAgain<'_>) -> Result<(), PeerError> {
    let peer = again.peer;
    socket
        .send_to(again.text.as_bytes(), peer)
        .map_err(|source| SocketError::Send { peer, source })?;
    Ok(())
}

/// The first datagram to arrive before `deadline`, from any source (in relay mode replies
/// come from the grader, not from the server itself).
pub fn receive(
    socket: &UdpSocket,
    local: SocketAddr,
    deadline: Instant,
) -> Result<Option<Vec<u8>>, PeerError> {
    let receive_error = |source| SocketError::Receive { local, source };
    match wait::wait_readable(socket, Some(deadline)).map_err(receive_error)? {
        Readiness::DeadlineReached => Ok(None),
        Readiness::Readable => {
            let mut buffer = vec![0; MAX_DATAGRAM];
            let (len, _source) = socket.recv_from(&mut buffer).map_err(receive_error)?;
            buffer.truncate(len);
            Ok(Some(buffer))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_reply_is_complete_at_once() {
        let mut assembly = ReplyAssembly::default();
        assert_eq!(
            assembly.add(b"Server of Q\n57"),
            Assembled::Complete(Message::new("Server of Q", 57))
        );
    }

    #[test]
    fn a_name_then_an_integer_make_one_reply() {
        let mut assembly = ReplyAssembly::default();
        assert_eq!(assembly.add(b"Server of Q\n"), Assembled::NameOnly);
        assert_eq!(
            assembly.add(b"57"),
            Assembled::Complete(Message::new("Server of Q", 57))
        );
    }

    #[test]
    fn a_name_with_nothing_after_it_is_a_reply_with_no_integer() {
        let mut assembly = ReplyAssembly::default();
        assert_eq!(assembly.add(b"hello"), Assembled::NameOnly);
        let error = assembly.missing(Duration::from_secs(1));
        assert!(
            matches!(&error, PeerError::MalformedReply { reply } if reply == "hello"),
            "{error:?}"
        );
        let error = ReplyAssembly::default().missing(Duration::from_secs(1));
        assert!(matches!(error, PeerError::NoReply { .. }), "{error:?}");
    }

    #[test]
    fn several_lines_with_no_integer_are_malformed() {
        let mut assembly = ReplyAssembly::default();
        assert_eq!(
            assembly.add(b"Server\nabc"),
            Assembled::Malformed {
                reply: "Server\nabc".to_owned()
            }
        );
    }
}
