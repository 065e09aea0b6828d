//! The udp-add server's decisions as a sans-IO machine: a datagram in, what to print and
//! what (if anything) to send back out.

use std::net::SocketAddr;

use super::defect::ServerDefect;
use super::event::{Event, summary};
use super::message::{Message, in_range};
use crate::defects::Defects;

/// The server's half of the exchange: it answers every in-range number with its own name
/// and number, ignores datagrams with no integer, and shuts down on an out-of-range one.
///
/// The handout's "message containing (i) a string containing your name … and (ii) the
/// entered integer value" may come as one datagram or as two, the name first: a datagram
/// that is one line with no integer is held as its sender's name, and the integer that
/// next comes alone from the same sender completes it. The server then answers in kind,
/// its name and its number in two datagrams, so that a client which reads them one by one
/// gets what it waits for.
///
/// It knows no sockets and no clock: it is given each datagram's source only to pair a
/// name with the integer that follows it; the caller sends the replies, in order, to that
/// source, and does what [`AfterShutdown`] says.
#[derive(Debug, Clone)]
pub struct Responder {
    own: Message,
    defects: Defects<ServerDefect>,
    /// A name that came alone, waiting for its sender's integer.
    held: Option<(SocketAddr, String)>,
}

/// What to do with one datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// Print `events` (the summary) and send each of `replies`, in order, to the
    /// datagram's source.
    Answer {
        events: Vec<Event>,
        replies: Vec<Vec<u8>>,
    },
    /// Print `event` (the shutdown line), send nothing, then do as `then` says.
    ShutDown { event: Event, then: AfterShutdown },
    /// A line with no integer, held as the sender's name until its integer comes: say so
    /// on stderr, send nothing.
    HoldName { name: String },
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
            held: None,
        }
    }

    /// The server's own name and number.
    pub fn own(&self) -> &Message {
        &self.own
    }

    /// Decides what one datagram from `from` calls for.
    pub fn respond(&mut self, from: SocketAddr, datagram: &[u8]) -> Response {
        let held = self.held.take();
        let mut client = match Message::parse(datagram) {
            Ok(client) => client,
            Err(no_integer) => {
                let line = no_integer.text.trim();
                if !line.is_empty() && !line.contains('\n') {
                    self.held = Some((from, line.to_owned()));
                    return Response::HoldName {
                        name: line.to_owned(),
                    };
                }
                return Response::Ignore {
                    text: no_integer.text,
                };
            }
        };
        let split = match held {
            Some((sender, name)) if sender == from && client.name.is_empty() => {
                client.name = name;
                true
            }
            _ => false,
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
        let replies = if split {
            vec![
                self.own.name.clone().into_bytes(),
                self.own.number.to_string().into_bytes(),
            ]
        } else {
            vec![self.own.emit()]
        };
        Response::Answer { events, replies }
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

    fn client() -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], 40000))
    }

    fn lines(response: &Response) -> Vec<String> {
        match response {
            Response::Answer { events, .. } => events.iter().map(ToString::to_string).collect(),
            Response::ShutDown { event, .. } => vec![event.to_string()],
            Response::HoldName { .. } | Response::Ignore { .. } => Vec::new(),
        }
    }

    #[test]
    fn in_range_number_is_answered_with_the_servers_own() {
        let mut responder = Responder::new(NAME, 57, &[]);
        let response = responder.respond(client(), b"Client of X\n42");
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
        let Response::Answer { replies, .. } = response else {
            panic!("not an answer: {response:?}");
        };
        assert_eq!(replies, [b"Server of Socklab Reference\n57"]);
    }

    #[test]
    fn range_edges_are_answered() {
        let mut responder = Responder::new(NAME, 57, &[]);
        for datagram in [&b"C\n1"[..], b"C\n100", b" 42 ", b"Client of X\n42\n"] {
            assert!(
                matches!(
                    responder.respond(client(), datagram),
                    Response::Answer { .. }
                ),
                "{datagram:?}"
            );
        }
    }

    #[test]
    fn out_of_range_number_shuts_down_without_a_reply() {
        let mut responder = Responder::new(NAME, 57, &[]);
        for (datagram, received) in [(&b"C\n0"[..], 0), (b"C\n101", 101), (b"C\n-5", -5)] {
            assert_eq!(
                responder.respond(client(), datagram),
                Response::ShutDown {
                    event: Event::ShuttingDown { received },
                    then: AfterShutdown::Close
                }
            );
        }
        assert_eq!(
            lines(&responder.respond(client(), b"C\n0")),
            ["Received 0, outside 1-100: shutting down"]
        );
    }

    #[test]
    fn datagram_with_no_integer_is_ignored() {
        let mut responder = Responder::new(NAME, 57, &[]);
        assert_eq!(
            responder.respond(client(), b"Client of X\nabc"),
            Response::Ignore {
                text: "Client of X\nabc".to_owned()
            }
        );
        assert_eq!(
            responder.respond(client(), b""),
            Response::Ignore {
                text: String::new()
            }
        );
    }

    /// A client that sends its name and its integer as two datagrams is answered as it
    /// asked: the summary names it, and the reply comes as two datagrams too.
    #[test]
    fn a_name_then_an_integer_is_one_request_answered_in_kind() {
        let mut responder = Responder::new(NAME, 57, &[]);
        assert_eq!(
            responder.respond(client(), b"Client of Ada\n"),
            Response::HoldName {
                name: "Client of Ada".to_owned()
            }
        );
        let response = responder.respond(client(), b"42");
        assert_eq!(lines(&response)[0], "Client's name: Client of Ada");
        let Response::Answer { replies, .. } = response else {
            panic!("not an answer: {response:?}");
        };
        assert_eq!(replies, [&b"Server of Socklab Reference"[..], b"57"]);
        // The name was used up: a lone integer after it is a request with no name.
        let Response::Answer { replies, .. } = responder.respond(client(), b"43") else {
            panic!("not an answer");
        };
        assert_eq!(replies, [b"Server of Socklab Reference\n57"]);
    }

    #[test]
    fn a_held_name_pairs_only_with_its_own_senders_integer() {
        let mut responder = Responder::new(NAME, 57, &[]);
        responder.respond(client(), b"Client of Ada");
        let other = SocketAddr::from(([127, 0, 0, 1], 40001));
        let response = responder.respond(other, b"42");
        assert_eq!(lines(&response)[0], "Client's name: ");
        // A name followed by a whole request keeps the request's own name.
        responder.respond(client(), b"Client of Ada");
        let response = responder.respond(client(), b"Client of Bob\n42");
        assert_eq!(lines(&response)[0], "Client's name: Client of Bob");
    }

    #[test]
    fn a_name_then_an_out_of_range_integer_shuts_down() {
        let mut responder = Responder::new(NAME, 57, &[]);
        responder.respond(client(), b"Client of Ada");
        assert!(matches!(
            responder.respond(client(), b"101"),
            Response::ShutDown {
                then: AfterShutdown::Close,
                ..
            }
        ));
    }

    #[test]
    fn wrong_sum_changes_only_the_sum_line() {
        let good = Responder::new(NAME, 57, &[]).respond(client(), b"C\n42");
        let bad = Responder::new(NAME, 57, &[ServerDefect::WrongSum]).respond(client(), b"C\n42");
        let (good, bad) = (lines(&good), lines(&bad));
        assert_eq!(bad[..4], good[..4]);
        assert_eq!(bad[4], "Sum: 100");
    }

    #[test]
    fn no_client_name_leaves_out_that_line_only() {
        let response =
            Responder::new(NAME, 57, &[ServerDefect::NoClientName]).respond(client(), b"C\n42");
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
        let then = |defects: &[ServerDefect]| match Responder::new(NAME, 57, defects)
            .respond(client(), b"C\n0")
        {
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
        let mut responder = Responder::new("Server of Q", 1, &[]);
        let Response::Answer { replies, .. } = responder.respond(client(), b"C\n100") else {
            panic!("not an answer");
        };
        assert_eq!(replies, [b"Server of Q\n1"]);
        assert_eq!(responder.own(), &Message::new("Server of Q", 1));
    }
}
