//! The udp-add exchange as the wire shows it, whatever the student's framing.
//!
//! The handout asks the client to "send a message to your server containing (i) a string
//! containing your name … and (ii) the entered integer value", and the server to "send its
//! name string and the server-chosen integer value back": it does not say in how many
//! datagrams. A request may be one datagram or several (the name in one, the integer in
//! the next), and so may the reply. So the request is every datagram the client sent, the
//! integer is found in whichever carries it, and the reply is paired with it by time and
//! content, never by position: the reply is what the server sent after the datagram
//! carrying the typed integer reached it.

use super::numbers::carries;
use crate::evidence::{Fate, WireEvent, WireTrace};
use crate::link::Direction;
use crate::wording;
use std::time::Duration;

/// How many datagrams a description quotes before it only counts the rest.
const QUOTED: usize = 4;

/// One scenario's datagrams, read as a request and its reply.
#[derive(Debug)]
pub struct Conversation<'a> {
    /// Every datagram the client sent the server, in the order it sent them.
    pub from_client: Vec<&'a WireEvent>,
    /// Every datagram the server sent the client, in the order it sent them.
    pub from_server: Vec<&'a WireEvent>,
    /// The typed integer on the wire, when it was typed and a datagram carries it.
    pub integer: Option<IntegerSent<'a>>,
}

/// The client's datagram that carries the typed integer.
#[derive(Clone, Copy, Debug)]
pub struct IntegerSent<'a> {
    pub datagram: &'a WireEvent,
    /// When the relay handed its first copy to the server, and that copy's place in the
    /// relay's sequence of actions; `None` when no copy was delivered.
    pub reached_server: Option<(Duration, u64)>,
}

impl<'a> Conversation<'a> {
    /// Reads `trace` for the exchange of the integer `typed` (`None`: what was typed is no
    /// integer). The integer's datagram is the first one carrying it that reached the
    /// server, else the first one carrying it.
    pub fn read(trace: &'a WireTrace, typed: Option<i64>) -> Conversation<'a> {
        let in_time_order = |direction| {
            let mut events: Vec<&WireEvent> = trace.direction(direction).collect();
            // By the kernel's receive timestamps; the relay's order only breaks ties.
            events.sort_by_key(|event| (event.received_at, event.order));
            events
        };
        let from_client = in_time_order(Direction::ToServer);
        let from_server = in_time_order(Direction::ToClient);
        let integer = typed.and_then(|value| {
            let carrying: Vec<IntegerSent<'a>> = from_client
                .iter()
                .filter(|event| carries(&event.bytes, value))
                .map(|&datagram| IntegerSent {
                    datagram,
                    reached_server: first_delivery(datagram),
                })
                .collect();
            carrying
                .iter()
                .find(|sent| sent.reached_server.is_some())
                .or(carrying.first())
                .copied()
        });
        Conversation {
            from_client,
            from_server,
            integer,
        }
    }

    /// The server's reply: every datagram it sent after the typed integer reached it (it
    /// could not answer sooner), in as many datagrams as it used. Empty when the integer
    /// never reached it.
    pub fn reply(&self) -> Vec<&'a WireEvent> {
        let Some((reached_at, reached_order)) = self.integer.and_then(|sent| sent.reached_server)
        else {
            return Vec::new();
        };
        self.from_server
            .iter()
            .copied()
            .filter(|event| {
                // A copy's send time is read just before the relay sends it, so an answer
                // carries a later receive timestamp; the order settles a tie.
                (event.received_at, event.order) > (reached_at, reached_order)
            })
            .collect()
    }
}

/// The datagrams' payloads as the report quotes them: `"Client of Ada"` alone, or
/// `2 datagrams: "Client of Ada", then "42"`; past [`QUOTED`] of them, how many more.
pub fn describe(datagrams: &[&WireEvent]) -> String {
    let quoted: Vec<String> = datagrams
        .iter()
        .take(QUOTED)
        .map(|event| format!("\"{}\"", wording::payload_text(&event.bytes)))
        .collect();
    match datagrams.len() {
        0 => "nothing".to_owned(),
        1 => quoted.join(""),
        count => {
            let more = count.saturating_sub(QUOTED);
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!("{count} datagrams: {}{tail}", quoted.join(", then "))
        }
    }
}

/// When the relay handed the datagram's first copy on, and that action's order.
fn first_delivery(event: &WireEvent) -> Option<(Duration, u64)> {
    match &event.fate {
        Fate::Delivered { copies } => copies.first().map(|copy| (copy.sent_at, copy.order)),
        Fate::Dropped { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::trace::DeliveredCopy;
    use crate::link::DropCause;

    fn at(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    /// A datagram the relay received at `received` ms and delivered 1 ms later.
    fn datagram(direction: Direction, order: u64, received: u64, bytes: &[u8]) -> WireEvent {
        WireEvent {
            direction,
            nth: 1,
            order,
            received_at: at(received),
            from: None,
            to: None,
            bytes: bytes.to_vec(),
            fate: Fate::Delivered {
                copies: vec![DeliveredCopy {
                    order: order + 1,
                    sent_at: at(received + 1),
                    altered_bytes: None,
                    alterations: Vec::new(),
                }],
            },
        }
    }

    fn payloads(events: &[&WireEvent]) -> Vec<Vec<u8>> {
        events.iter().map(|event| event.bytes.clone()).collect()
    }

    #[test]
    fn a_request_and_a_reply_of_two_datagrams_each() {
        let trace = WireTrace {
            events: vec![
                datagram(Direction::ToServer, 1, 10, b"Client of Ada"),
                datagram(Direction::ToServer, 3, 11, b"42"),
                datagram(Direction::ToClient, 5, 13, b"Server of Bob"),
                datagram(Direction::ToClient, 7, 14, b"57"),
            ],
            ..WireTrace::default()
        };
        let conversation = Conversation::read(&trace, Some(42));
        let integer = conversation.integer.unwrap();
        assert_eq!(integer.datagram.bytes, b"42");
        assert_eq!(integer.reached_server, Some((at(12), 4)));

        assert_eq!(
            payloads(&conversation.reply()),
            [b"Server of Bob".to_vec(), b"57".to_vec()]
        );
        assert_eq!(
            describe(&conversation.from_client),
            "2 datagrams: \"Client of Ada\", then \"42\""
        );
    }

    /// What the server sent before the integer reached it is no reply to it, whatever its
    /// position: an acknowledgement of the name, say.
    #[test]
    fn the_reply_is_paired_by_time_not_by_position() {
        let trace = WireTrace {
            events: vec![
                datagram(Direction::ToServer, 1, 10, b"Client of Ada"),
                datagram(Direction::ToClient, 3, 11, b"got your name"),
                datagram(Direction::ToServer, 5, 20, b"42"),
                datagram(Direction::ToClient, 7, 22, b"Server of Bob\n57"),
            ],
            ..WireTrace::default()
        };
        let conversation = Conversation::read(&trace, Some(42));
        assert_eq!(
            payloads(&conversation.reply()),
            [b"Server of Bob\n57".to_vec()]
        );
    }

    /// A datagram the relay read late still counts at its kernel timestamp: the trace's
    /// order is not the order things happened in.
    #[test]
    fn time_decides_over_the_relays_order() {
        let mut late_read = datagram(Direction::ToClient, 2, 5, b"Server of Bob\n57");
        late_read.order = 9;
        let trace = WireTrace {
            events: vec![late_read, datagram(Direction::ToServer, 3, 10, b"42")],
            ..WireTrace::default()
        };
        let conversation = Conversation::read(&trace, Some(42));
        assert!(conversation.reply().is_empty());
    }

    #[test]
    fn an_integer_never_sent_has_no_reply() {
        let trace = WireTrace {
            events: vec![
                datagram(Direction::ToServer, 1, 10, b"Client of Ada"),
                datagram(Direction::ToClient, 3, 12, b"Server of Bob\n57"),
            ],
            ..WireTrace::default()
        };
        let conversation = Conversation::read(&trace, Some(0));
        assert!(conversation.integer.is_none());
        assert!(conversation.reply().is_empty());
        assert_eq!(describe(&conversation.from_client), "\"Client of Ada\"");
        assert_eq!(describe(&[]), "nothing");
    }

    #[test]
    fn a_dropped_copy_gives_way_to_one_that_arrived() {
        let mut dropped = datagram(Direction::ToServer, 1, 10, b"Client of Ada\n42");
        dropped.fate = Fate::Dropped {
            cause: DropCause::Scripted,
        };
        let trace = WireTrace {
            events: vec![
                dropped,
                datagram(Direction::ToServer, 3, 30, b"Client of Ada\n42"),
            ],
            ..WireTrace::default()
        };
        let integer = Conversation::read(&trace, Some(42)).integer.unwrap();
        assert_eq!(integer.reached_server, Some((at(31), 4)));
    }

    #[test]
    fn long_conversations_are_counted_past_four() {
        let events: Vec<WireEvent> = (0..6)
            .map(|index| datagram(Direction::ToServer, index, index, b"x"))
            .collect();
        let refs: Vec<&WireEvent> = events.iter().collect();
        assert_eq!(
            describe(&refs),
            "6 datagrams: \"x\", then \"x\", then \"x\", then \"x\" and 2 more"
        );
    }
}
