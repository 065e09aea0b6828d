//! The tcp-over-udp server's protocol logic as a sans-IO machine: it accepts one
//! connection, takes the client's segments in order (writing each payload once and
//! ACKing the next byte it expects), and closes when the client's FIN comes.

use std::mem;
use std::time::Instant;

use socklab_protocol::tcp_over_udp::log_line::LogLine;
use socklab_protocol::tcp_over_udp::segment::{Flags, Header, Segment, seq_add};

use super::defect::ServerDefect;
use super::event::{Ending, Event};
use super::numbers::{
    NO_CONN_ID, SERVER_CONN_ID, SERVER_ISN, Timers, field_is, sequence_number, to_field,
};
use super::wire::{Outgoing, Wire};
use crate::defects::Defects;

/// The server's machine: one connection, from the client's SYN to its final ACK.
///
/// No sockets and no clock: the caller passes `now` in and carries the bytes out. It knows
/// no addresses either; the loop sends every datagram to whoever sent the SYN.
///
/// Call order:
/// 1. for each datagram that arrives, [`handle_datagram`](Self::handle_datagram); when
///    [`poll_timeout`](Self::poll_timeout) passes, [`handle_timeout`](Self::handle_timeout)
///    (an early call does nothing);
/// 2. after each, drain [`poll_event`](Self::poll_event) (print each log line, write each
///    delivery to stdout) and then [`poll_transmit`](Self::poll_transmit) (send each
///    datagram), so a payload is written before the ACK that promises it is;
/// 3. stop at [`Event::Finished`], after which [`is_finished`](Self::is_finished) holds.
///
/// `poll_timeout` is `None` until the client's FIN: before it the server only answers.
#[derive(Debug)]
pub struct Receiver {
    timers: Timers,
    defects: Defects<ServerDefect>,
    wire: Wire,
    state: State,
}

impl Receiver {
    /// A server waiting for a SYN; of `timers` it uses the retransmission timeout and the
    /// fin wait.
    pub fn new(timers: Timers, defects: &[ServerDefect]) -> Self {
        Receiver {
            timers,
            defects: Defects::new(defects),
            wire: Wire::default(),
            state: State::Listening,
        }
    }

    /// Takes in one datagram from the client.
    pub fn handle_datagram(&mut self, now: Instant, datagram: &[u8]) {
        if self.is_finished() {
            return;
        }
        let Some((segment, repeated)) = self.wire.receive(datagram) else {
            return;
        };
        self.state = match mem::replace(&mut self.state, State::Finished) {
            State::Listening => self.listen(segment, repeated),
            State::Connected(connection) => {
                match self.screen(&connection, segment.header, repeated) {
                    Screened::Use => self.take(now, connection, segment),
                    Screened::Answered => State::Connected(connection),
                }
            }
            State::Closing(closing) => {
                match self.screen(&closing.connection, segment.header, repeated) {
                    Screened::Use => self.take_while_closing(closing, segment),
                    Screened::Answered => State::Closing(closing),
                }
            }
            State::Finished => State::Finished,
        };
    }

    /// Retransmits the FIN, or stops retransmitting it, when the time has come.
    pub fn handle_timeout(&mut self, now: Instant) {
        let State::Closing(closing) = &mut self.state else {
            return;
        };
        if now >= closing.stop_at {
            // The data is complete and written; only the close's last ACK is missing.
            self.state = State::Finished;
            self.wire.event(Event::Finished(Ending::FinUnacknowledged));
        } else if now >= closing.retransmit_at {
            closing.retransmit_at = now + self.timers.retransmission;
            self.wire.send(&closing.fin);
        }
    }

    /// The next datagram to send to the client, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.wire.poll_transmit()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.state {
            State::Closing(closing) => Some(closing.retransmit_at.min(closing.stop_at)),
            State::Listening | State::Connected(_) | State::Finished => None,
        }
    }

    /// The next event to report, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.wire.poll_event()
    }

    /// Whether a SYN has been accepted (the connection may since have ended).
    pub fn has_connection(&self) -> bool {
        !matches!(self.state, State::Listening)
    }

    /// Whether the connection is over.
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished)
    }
}

/// Where the server is in its one connection.
#[derive(Debug)]
enum State {
    /// Waiting for a SYN.
    Listening,
    /// Taking data.
    Connected(Connection),
    /// The client's FIN is ACKed and ours sent; waiting for the final ACK.
    Closing(Closing),
    /// Closed, or stopped waiting for the final ACK.
    Finished,
}

#[derive(Debug)]
struct Connection {
    /// The SYN's seq; a SYN with it again is a retransmission.
    client_isn: u32,
    /// The answer to the SYN, sent again, identical, to a retransmitted SYN.
    syn_ack: Outgoing,
    /// Sequence numbers taken since the SYN (payload bytes, one for the FIN), unwrapped.
    taken: usize,
}

#[derive(Debug)]
struct Closing {
    connection: Connection,
    fin: Outgoing,
    retransmit_at: Instant,
    /// When the server stops retransmitting its FIN and finishes anyway.
    stop_at: Instant,
}

/// What [`Receiver::screen`] made of a datagram on an open connection.
enum Screened {
    /// Logged `RECV`; it is the connection's, for the state to act on.
    Use,
    /// Logged and dealt with already (a repeated SYN, or a `DROP`).
    Answered,
}

impl Connection {
    /// The seq the next new segment must carry.
    fn expected(&self) -> u32 {
        seq_add(self.client_isn, 1 + self.taken)
    }
}

impl Receiver {
    fn listen(&mut self, segment: Segment<'_>, repeated: bool) -> State {
        let header = segment.header;
        let client_isn = sequence_number(header.seq).filter(|_| is_syn(header));
        let Some(client_isn) = client_isn.filter(|_| header.conn_id == NO_CONN_ID) else {
            self.wire.log(LogLine::dropped(header));
            return State::Listening;
        };
        self.wire.log(LogLine::received(header, repeated));
        let syn_ack = Outgoing::new(
            Header {
                seq: to_field(SERVER_ISN.into()),
                ack: to_field(seq_add(client_isn, 1).into()),
                conn_id: SERVER_CONN_ID,
                flags: Flags::SYN_ACK,
            },
            &[],
        );
        self.wire.send(&syn_ack);
        State::Connected(Connection {
            client_isn,
            syn_ack,
            taken: 0,
        })
    }

    /// Logs the datagram and answers what any open connection answers the same way: a
    /// retransmitted SYN gets the same SYN|ACK, a wrong connection id is dropped.
    fn screen(&mut self, connection: &Connection, header: Header, repeated: bool) -> Screened {
        let same_syn = is_syn(header)
            && header.conn_id == NO_CONN_ID
            && field_is(header.seq, connection.client_isn);
        if same_syn {
            self.wire.log(LogLine::received(header, repeated));
            self.wire.send(&connection.syn_ack);
            Screened::Answered
        } else if header.conn_id != SERVER_CONN_ID {
            self.wire.log(LogLine::dropped(header));
            Screened::Answered
        } else {
            self.wire.log(LogLine::received(header, repeated));
            Screened::Use
        }
    }

    fn take(&mut self, now: Instant, mut connection: Connection, segment: Segment<'_>) -> State {
        let in_order = field_is(segment.header.seq, connection.expected());
        if !in_order {
            self.take_duplicate(&connection, segment);
            return State::Connected(connection);
        }
        if segment.header.flags.contains(Flags::FIN) {
            connection.taken += 1;
            self.acknowledge(&connection);
            // At once after the ACK: this server has nothing left to send.
            let fin = Outgoing::new(
                Header {
                    seq: to_field(seq_add(SERVER_ISN, 1).into()),
                    ack: 0,
                    conn_id: SERVER_CONN_ID,
                    flags: Flags::FIN,
                },
                &[],
            );
            self.wire.send(&fin);
            return State::Closing(Closing {
                connection,
                fin,
                retransmit_at: now + self.timers.retransmission,
                stop_at: now + self.timers.fin_wait,
            });
        }
        self.deliver(segment.payload);
        connection.taken += segment.payload.len();
        self.acknowledge(&connection);
        State::Connected(connection)
    }

    fn take_while_closing(&mut self, closing: Closing, segment: Segment<'_>) -> State {
        let header = segment.header;
        let final_ack = header.flags.contains(Flags::ACK)
            && !header.flags.contains(Flags::FIN)
            && field_is(header.ack, seq_add(SERVER_ISN, 2));
        if final_ack {
            self.wire.event(Event::Finished(Ending::Closed));
            return State::Finished;
        }
        // A retransmitted FIN, or a data segment the network kept late.
        self.take_duplicate(&closing.connection, segment);
        State::Closing(closing)
    }

    /// A segment that is not the next one: not written (but for the defect), re-ACKed
    /// with the same bytes as the last ACK.
    fn take_duplicate(&mut self, connection: &Connection, segment: Segment<'_>) {
        if self.defects.has(ServerDefect::WriteDuplicates) {
            self.deliver(segment.payload);
        }
        self.acknowledge(connection);
    }

    fn deliver(&mut self, payload: &[u8]) {
        let payload = if self.defects.has(ServerDefect::StripNuls) {
            let end = payload
                .iter()
                .rposition(|&byte| byte != 0)
                .map_or(0, |last| last + 1);
            &payload[..end]
        } else {
            payload
        };
        if !payload.is_empty() {
            self.wire.event(Event::Deliver(payload.to_vec()));
        }
    }

    /// Sends the ACK for the next byte expected.
    fn acknowledge(&mut self, connection: &Connection) {
        let ack = if self.defects.has(ServerDefect::AckNoWrap) {
            to_field(u64::from(connection.client_isn) + 1 + connection.taken as u64)
        } else {
            to_field(connection.expected().into())
        };
        let ack = Outgoing::new(
            Header {
                seq: to_field(seq_add(SERVER_ISN, 1).into()),
                ack,
                conn_id: SERVER_CONN_ID,
                flags: Flags::ACK,
            },
            &[],
        );
        self.wire.send(&ack);
    }
}

/// A SYN opening a connection: SYN without ACK.
fn is_syn(header: Header) -> bool {
    header.flags.contains(Flags::SYN) && !header.flags.contains(Flags::ACK)
}
