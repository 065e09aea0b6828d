//! The tcp-over-udp client's protocol logic as a sans-IO machine: the handshake, the
//! input sent stop-and-wait in segments of up to 512 bytes, and the FIN close with its
//! 2-second wait.

use std::mem;
use std::time::Instant;

use socklab_protocol::tcp_over_udp::log_line::LogLine;
use socklab_protocol::tcp_over_udp::segment::{Flags, Header, MAX_PAYLOAD, seq_add};

use super::defect::ClientDefect;
use super::event::{Awaiting, Ending, Event};
use super::numbers::{CLIENT_ISN, NO_CONN_ID, Timers, field_is, sequence_number, to_field};
use super::sender_state::{Connection, Outstanding, State, TimeWait};
use super::wire::{Outgoing, Wire};
use crate::defects::Defects;

/// The client's machine: one connection that carries the whole input, given up front.
///
/// No sockets and no clock: the caller passes `now` in and carries the bytes out.
///
/// Call order:
/// 1. [`connect`](Self::connect) at the moment sending may begin (it queues the SYN);
/// 2. drain [`poll_event`](Self::poll_event) (print each log line) and
///    [`poll_transmit`](Self::poll_transmit) (send each datagram to the server);
/// 3. stop at [`Event::Finished`] (exit 0) or [`Event::GaveUp`] (exit 1), after which
///    [`is_finished`](Self::is_finished) holds; otherwise wait until a datagram arrives
///    ([`handle_datagram`](Self::handle_datagram)) or [`poll_timeout`](Self::poll_timeout)
///    passes ([`handle_timeout`](Self::handle_timeout); an early call does nothing), then
///    go back to 2.
///
/// `poll_timeout` is `Some` until the end: every state has a retransmission, the fin wait
/// or the give-up deadline (no progress for `timers.give_up`) ahead of it.
#[derive(Debug)]
pub struct Sender {
    timers: Timers,
    defects: Defects<ClientDefect>,
    input: Vec<u8>,
    wire: Wire,
    state: State,
    /// The last time something the client waited for came; it gives up `timers.give_up`
    /// later.
    progress_at: Instant,
}

impl Sender {
    /// A client that will send `input`, and its SYN, queued at `now`.
    pub fn connect(now: Instant, input: Vec<u8>, timers: Timers, defects: &[ClientDefect]) -> Self {
        let defects = Defects::new(defects);
        let input = if defects.has(ClientDefect::TextOnly) {
            String::from_utf8_lossy(&input).into_owned().into_bytes()
        } else {
            input
        };
        let mut sender = Sender {
            timers,
            defects,
            input,
            wire: Wire::default(),
            state: State::Finished,
            progress_at: now,
        };
        let syn = Header {
            seq: to_field(CLIENT_ISN.into()),
            ack: 0,
            conn_id: NO_CONN_ID,
            flags: Flags::SYN,
        };
        let syn = sender.send_and_wait(now, Outgoing::new(syn, &[]));
        sender.state = State::Connecting(syn);
        sender
    }

    /// Takes in one datagram from the server.
    pub fn handle_datagram(&mut self, now: Instant, datagram: &[u8]) {
        if self.is_finished() {
            return;
        }
        let Some((segment, repeated)) = self.wire.receive(datagram) else {
            return;
        };
        let header = segment.header;
        if let Some(connection) = self.state.connection() {
            if header.conn_id != connection.conn_id {
                self.wire.log(LogLine::dropped(header));
                return;
            }
            self.wire.log(LogLine::received(header, repeated));
            if header == connection.syn_ack {
                // Our handshake ACK was lost; whatever we are doing now, it goes again.
                let again = connection.handshake_ack.clone();
                self.send(&again);
                return;
            }
        } else {
            // Before the handshake every datagram is used, if only to be ignored.
            self.wire.log(LogLine::received(header, repeated));
        }
        let acknowledges =
            |seq: u32| header.flags.contains(Flags::ACK) && field_is(header.ack, seq);
        self.state = match mem::replace(&mut self.state, State::Finished) {
            State::Connecting(syn) => match self.accept_syn_ack(header) {
                Some(connection) => {
                    self.progress_at = now;
                    self.send_handshake_ack(now, connection)
                }
                None => State::Connecting(syn),
            },
            State::Sending {
                connection,
                offset,
                outstanding,
            } => {
                let next = offset + outstanding.datagram.payload_len();
                if acknowledges(self.seq_at(next)) {
                    self.progress_at = now;
                    self.send_from(now, connection, next)
                } else {
                    State::Sending {
                        connection,
                        offset,
                        outstanding,
                    }
                }
            }
            State::FinSent {
                connection,
                outstanding,
            } => {
                if let Some(server_fin) = server_fin(header) {
                    // The server's FIN counts as the ACK of ours.
                    self.progress_at = now;
                    self.acknowledge_fin(now, connection, server_fin)
                } else if acknowledges(seq_add(self.fin_seq(), 1)) {
                    self.progress_at = now;
                    State::FinAcknowledged(connection)
                } else {
                    State::FinSent {
                        connection,
                        outstanding,
                    }
                }
            }
            State::FinAcknowledged(connection) => match server_fin(header) {
                Some(server_fin) => {
                    self.progress_at = now;
                    self.acknowledge_fin(now, connection, server_fin)
                }
                None => State::FinAcknowledged(connection),
            },
            State::TimeWait(time_wait) => {
                // Our final ACK was lost: the server sent its FIN again.
                if server_fin(header).is_some() {
                    self.send(&time_wait.final_ack);
                }
                State::TimeWait(time_wait)
            }
            State::Finished => State::Finished,
        };
    }

    /// Finishes, gives up or retransmits, whichever is due.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(ending) = self.ending_due(now) {
            self.state = State::Finished;
            self.wire.event(Event::Finished(ending));
            return;
        }
        if let Some(awaiting) = self.awaiting()
            && now >= self.give_up_at()
        {
            self.state = State::Finished;
            let idle = self.timers.give_up;
            self.wire.event(Event::GaveUp { idle, awaiting });
            return;
        }
        let retransmission = self.timers.retransmission;
        let Some(outstanding) = self.state.outstanding_mut() else {
            return;
        };
        if outstanding.retransmit_at.is_some_and(|at| now >= at) {
            outstanding.retransmit_at = Some(now + retransmission);
            // The very same bytes: anything else would be a new segment on the wire.
            let again = outstanding.datagram.clone();
            self.send(&again);
        }
    }

    /// The next datagram to send to the server, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.wire.poll_transmit()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called; `None` only
    /// once finished.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.state {
            State::TimeWait(time_wait) => Some(time_wait.until),
            State::Finished => None,
            state => {
                let own = state.outstanding().map(|outstanding| {
                    let fin_wait_over = outstanding.sent_at + self.timers.fin_wait;
                    outstanding.retransmit_at.unwrap_or(fin_wait_over)
                });
                let give_up_at = self.give_up_at();
                Some(own.map_or(give_up_at, |own| own.min(give_up_at)))
            }
        }
    }

    /// The next event to report, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.wire.poll_event()
    }

    /// Whether the sender has finished or given up.
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished)
    }
}

impl Sender {
    /// The connection, if `header` is the SYN|ACK for our SYN.
    fn accept_syn_ack(&self, header: Header) -> Option<Connection> {
        let is_answer =
            header.flags.contains(Flags::SYN_ACK) && field_is(header.ack, self.seq_at(0));
        let server_isn = sequence_number(header.seq).filter(|_| is_answer)?;
        let ack = seq_add(server_isn, 1);
        let conn_id = header.conn_id;
        let first = &self.input[..self.input.len().min(MAX_PAYLOAD)];
        Some(Connection {
            conn_id,
            syn_ack: header,
            ack,
            handshake_ack: Outgoing::new(self.data_header(conn_id, ack, 0), first),
        })
    }

    /// Completes the handshake; the ACK carries the first segment of the input.
    fn send_handshake_ack(&mut self, now: Instant, connection: Connection) -> State {
        let handshake_ack = connection.handshake_ack.clone();
        if self.input.is_empty() {
            // Nothing to wait for: a pure ACK is not acknowledged in TCP (the protocol's
            // server does ACK it, but a student's need not), so the FIN follows at once.
            self.send(&handshake_ack);
            return self.send_fin(now, connection);
        }
        State::Sending {
            outstanding: self.send_and_wait(now, handshake_ack),
            connection,
            offset: 0,
        }
    }

    /// Sends the input's segment at `offset`, or the FIN when the input is all ACKed.
    fn send_from(&mut self, now: Instant, connection: Connection, offset: usize) -> State {
        if offset >= self.input.len() {
            return self.send_fin(now, connection);
        }
        let end = self.input.len().min(offset + MAX_PAYLOAD);
        let header = self.data_header(connection.conn_id, connection.ack, offset);
        let segment = Outgoing::new(header, &self.input[offset..end]);
        State::Sending {
            outstanding: self.send_and_wait(now, segment),
            connection,
            offset,
        }
    }

    fn send_fin(&mut self, now: Instant, connection: Connection) -> State {
        let fin = Header {
            seq: to_field(self.fin_seq().into()),
            ack: 0,
            conn_id: self.conn_id_to_send(connection.conn_id),
            flags: Flags::FIN,
        };
        let mut outstanding = self.send_and_wait(now, Outgoing::new(fin, &[]));
        if self.defects.has(ClientDefect::NoFinRetransmit) {
            outstanding.retransmit_at = None;
        }
        State::FinSent {
            connection,
            outstanding,
        }
    }

    /// ACKs the server's FIN (seq `server_fin`) and starts the fin wait.
    fn acknowledge_fin(&mut self, now: Instant, connection: Connection, server_fin: u32) -> State {
        let final_ack = Header {
            seq: to_field(seq_add(self.fin_seq(), 1).into()),
            ack: to_field(seq_add(server_fin, 1).into()),
            conn_id: self.conn_id_to_send(connection.conn_id),
            flags: Flags::ACK,
        };
        let final_ack = Outgoing::new(final_ack, &[]);
        self.send(&final_ack);
        State::TimeWait(TimeWait {
            final_ack,
            until: now + self.timers.fin_wait,
            connection,
        })
    }

    /// Sends a segment that waits for an answer, its retransmission timer started.
    fn send_and_wait(&mut self, now: Instant, datagram: Outgoing) -> Outstanding {
        self.send(&datagram);
        Outstanding {
            datagram,
            sent_at: now,
            retransmit_at: Some(now + self.timers.retransmission),
        }
    }

    /// Queues a datagram with its `SEND` line, as the defects would print it.
    fn send(&mut self, datagram: &Outgoing) {
        let repeated = self.wire.transmit(datagram);
        let mut shown = datagram.header();
        let length = datagram.payload_len();
        if self.defects.has(ClientDefect::MisreportLog) && length > 0 {
            shown.seq = sequence_number(shown.seq)
                .map_or(shown.seq, |seq| to_field(seq_add(seq, length).into()));
        }
        let duplicate = repeated && !self.defects.has(ClientDefect::NoDupMark);
        self.wire.log(LogLine::sent(shown, duplicate));
    }

    /// How the connection ends now, if a fin wait has run out.
    fn ending_due(&self, now: Instant) -> Option<Ending> {
        match &self.state {
            State::TimeWait(time_wait) if now >= time_wait.until => Some(Ending::Closed),
            // Only with no-fin-retransmit: a FIN sent once is all there will be.
            State::FinSent { outstanding, .. }
                if outstanding.retransmit_at.is_none()
                    && now >= outstanding.sent_at + self.timers.fin_wait =>
            {
                Some(Ending::FinUnacknowledged)
            }
            _ => None,
        }
    }

    /// What the client waits for, in the states where it can give up.
    fn awaiting(&self) -> Option<Awaiting> {
        match &self.state {
            State::Connecting(_) => Some(Awaiting::SynAck),
            State::Sending {
                offset,
                outstanding,
                ..
            } => Some(Awaiting::DataAck {
                ack: self.seq_at(offset + outstanding.datagram.payload_len()),
            }),
            State::FinSent { .. } => Some(Awaiting::FinAck),
            State::FinAcknowledged(_) => Some(Awaiting::ServerFin),
            State::TimeWait(_) | State::Finished => None,
        }
    }

    fn give_up_at(&self) -> Instant {
        self.progress_at + self.timers.give_up
    }

    fn data_header(&self, conn_id: i16, ack: u32, offset: usize) -> Header {
        Header {
            seq: to_field(self.seq_at(offset).into()),
            ack: to_field(ack.into()),
            conn_id: self.conn_id_to_send(conn_id),
            flags: Flags::ACK,
        }
    }

    /// The seq of the input's byte at `offset` (the FIN's, at its end).
    fn seq_at(&self, offset: usize) -> u32 {
        seq_add(CLIENT_ISN, 1 + offset)
    }

    fn fin_seq(&self) -> u32 {
        self.seq_at(self.input.len())
    }

    fn conn_id_to_send(&self, conn_id: i16) -> i16 {
        if self.defects.has(ClientDefect::IgnoreConnId) {
            NO_CONN_ID
        } else {
            conn_id
        }
    }
}

/// The seq of a server's FIN, if `header` is one with a usable seq.
fn server_fin(header: Header) -> Option<u32> {
    sequence_number(header.seq).filter(|_| header.flags.contains(Flags::FIN))
}
