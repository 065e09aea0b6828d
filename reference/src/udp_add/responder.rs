//! The udp-add server's decisions as a sans-IO machine: a datagram in, what to print and
//! what (if anything) to send back out.

use super::defect::ServerDefect;
use super::event::{Event, summary};
use super::message::{Message, in_range};
use crate::defects::Defects;

/// The server's half of the exchange: it answers every in-range number with its own name
/// and number, ignores datagrams with no integer, and shuts down on an out-of-range one.
///
/// It knows no addresses and no clock: the caller sends a reply to wherever the datagram
/// came from, and does what [`AfterShutdown`] says.
#[derive(Debug, Clone)]
pub struct Responder {
    own: Message,
    defects: Defects<ServerDefect>,
}

/// What to do with one datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// Print `events` (the summary) and send `reply` to the datagram's source.
    Answer { events: Vec<Event>, reply: Vec<u8> },
    /// Print `event` (the shutdown line), send nothing, then do as `then` says.
    ShutDown { event: Event, then: AfterShutdown },
    /// The datagram holds no integer: say so on stderr, send nothing, keep serving.
    Ignore { text: String },
}

/// What the server does once it has announced its shutdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterShutdown {
    /// Close the socket and exit: the textbook.
    Close,
    /// Go on serving (the `no-shutdown` defect).
    KeepServing,
    /// Exit, leaving a child process that holds the socket (the `hold-port` defect).
    HoldPort,
}

impl Responder {
    /// A server called `name` with `number`; the caller keeps `number` in range.
    pub fn new(name: impl Into<String>, number: i64, defects: &[ServerDefect]) -> Self {
        Responder {
            own: Message::new(name, number),
            defects: Defects::new(defects),
        }
    }

    /// The server's own name and number.
    pub fn own(&self) -> &Message {
        &self.own
    }

    /// Decides what one datagram calls for.
    pub fn respond(&self, datagram: &[u8]) -> Response {
        let client = match Message::parse(datagram) {
            Ok(client) => client,
            Err(no_integer) => {
                return Response::Ignore {
                    text: no_integer.text,
                };
            }
        };
        if !in_range(client.number) {
            return Response::ShutDown {
                event: Event::ShuttingDown {
                    received: client.number,
                },
                then: self.after_shutdown(),
            };
        }
        let mut events = summary(&client, &self.own);
        if self.defects.has(ServerDefect::WrongSum) {
            for event in &mut events {
                if let Event::Sum(sum) = event {
                    *sum = sum.saturating_add(1);
                }
            }
        }
        if self.defects.has(ServerDefect::NoClientName) {
            events.retain(|event| !matches!(event, Event::ClientName(_)));
        }
        Response::Answer {
            events,
            reply: self.own.emit(),
        }
    }

    fn after_shutdown(&self) -> AfterShutdown {
        if self.defects.has(ServerDefect::NoShutdown) {
            AfterShutdown::KeepServing
        } else if self.defects.has(ServerDefect::HoldPort) {
            AfterShutdown::HoldPort
        } else {
            AfterShutdown::Close
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "Server of Socklab Reference";

    fn lines(response: &Response) -> Vec<String> {
        match response {
            Response::Answer { events, .. } => events.iter().map(ToString::to_string).collect(),
            Response::ShutDown { event, .. } => vec![event.to_string()],
            Response::Ignore { .. } => Vec::new(),
        }
    }

    #[test]
    fn in_range_number_is_answered_with_the_servers_own() {
        let responder = Responder::new(NAME, 57, &[]);
        let response = responder.respond(b"Client of X\n42");
        assert_eq!(
            lines(&response),
            [
                "Client's name: Client of X",
                "Server's name: Server of Socklab Reference",
                "Client's number: 42",
                "Server's number: 57",
                "Sum: 99",
            ]
        );
        let Response::Answer { reply, .. } = response else {
            panic!("not an answer: {response:?}");
        };
        assert_eq!(reply, b"Server of Socklab Reference\n57");
    }

    #[test]
    fn range_edges_are_answered() {
        let responder = Responder::new(NAME, 57, &[]);
        for datagram in [&b"C\n1"[..], b"C\n100", b" 42 ", b"Client of X\n42\n"] {
            assert!(
                matches!(responder.respond(datagram), Response::Answer { .. }),
                "{datagram:?}"
            );
        }
    }

    #[test]
    fn out_of_range_number_shuts_down_without_a_reply() {
        let responder = Responder::new(NAME, 57, &[]);
        for (datagram, received) in [(&b"C\n0"[..], 0), (b"C\n101", 101), (b"C\n-5", -5)] {
            assert_eq!(
                responder.respond(datagram),
                Response::ShutDown {
                    event: Event::ShuttingDown { received },
                    then: AfterShutdown::Close
                }
            );
        }
        assert_eq!(
            lines(&responder.respond(b"C\n0")),
            ["Received 0, outside 1-100: shutting down"]
        );
    }

    #[test]
    fn datagram_with_no_integer_is_ignored() {
        let responder = Responder::new(NAME, 57, &[]);
        assert_eq!(
            responder.respond(b"Client of X\nabc"),
            Response::Ignore {
                text: "Client of X\nabc".to_owned()
            }
        );
        assert_eq!(
            responder.respond(b""),
            Response::Ignore {
                text: String::new()
            }
        );
    }

    #[test]
    fn wrong_sum_changes_only_the_sum_line() {
        let good = Responder::new(NAME, 57, &[]).respond(b"C\n42");
        let bad = Responder::new(NAME, 57, &[ServerDefect::WrongSum]).respond(b"C\n42");
        let (good, bad) = (lines(&good), lines(&bad));
        assert_eq!(bad[..4], good[..4]);
        assert_eq!(bad[4], "Sum: 100");
    }

    #[test]
    fn no_client_name_leaves_out_that_line_only() {
        let response = Responder::new(NAME, 57, &[ServerDefect::NoClientName]).respond(b"C\n42");
        assert_eq!(
            lines(&response),
            [
                "Server's name: Server of Socklab Reference",
                "Client's number: 42",
                "Server's number: 57",
                "Sum: 99",
            ]
        );
    }

    #[test]
    fn shutdown_defects() {
        let then =
            |defects: &[ServerDefect]| match Responder::new(NAME, 57, defects).respond(b"C\n0") {
                Response::ShutDown { then, .. } => then,
                other => panic!("not a shutdown: {other:?}"),
            };
        assert_eq!(then(&[]), AfterShutdown::Close);
        assert_eq!(
            then(&[ServerDefect::NoShutdown]),
            AfterShutdown::KeepServing
        );
        assert_eq!(then(&[ServerDefect::HoldPort]), AfterShutdown::HoldPort);
        assert_eq!(
            then(&[ServerDefect::HoldPort, ServerDefect::NoShutdown]),
            AfterShutdown::KeepServing
        );
        assert_eq!(then(&[ServerDefect::WrongSum]), AfterShutdown::Close);
    }

    #[test]
    fn custom_name_and_number() {
        let responder = Responder::new("Server of Q", 1, &[]);
        let Response::Answer { reply, .. } = responder.respond(b"C\n100") else {
            panic!("not an answer");
        };
        assert_eq!(reply, b"Server of Q\n1");
        assert_eq!(responder.own(), &Message::new("Server of Q", 1));
    }
}
