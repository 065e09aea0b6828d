//! The rdt 3.0 sender (the client's protocol logic) as a sans-IO machine.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use socklab_protocol::rdt3::packet::{DATA_LEN, Packet, Repr};

use super::defect::{ClientDefect, Defects, SLOW_TIMER};
use super::event::{Event, Integrity};

/// The rdt 3.0 sender: each message goes out with the alternating bit and is resent, byte
/// for byte, whenever the timer runs out before a valid ACK for it arrives.
///
/// No sockets and no clock: the caller passes `now` in and carries the bytes out.
///
/// Call order:
/// 1. [`start`](Self::start) once, at the moment sending may begin;
/// 2. drain [`poll_transmit`](Self::poll_transmit) (send each datagram) and
///    [`poll_event`](Self::poll_event) (log each event);
/// 3. if [`is_finished`](Self::is_finished), stop; otherwise wait until a datagram arrives
///    ([`handle_datagram`](Self::handle_datagram)) or [`poll_timeout`](Self::poll_timeout)
///    passes ([`handle_timeout`](Self::handle_timeout)), then go back to 2.
///
/// `poll_timeout` returning `None` while unfinished means "wait for a datagram, however
/// long" — only the `no-retransmit` defect does that.
#[derive(Debug)]
pub struct Sender {
    messages: Vec<[u8; DATA_LEN]>,
    timer: Duration,
    defects: Defects<ClientDefect>,
    state: State,
    transmits: VecDeque<Vec<u8>>,
    events: VecDeque<Event>,
}

impl Sender {
    /// A sender for `messages`, in order, with retransmission timer `timer`.
    pub fn new(messages: Vec<[u8; DATA_LEN]>, timer: Duration, defects: &[ClientDefect]) -> Self {
        let defects = Defects::new(defects);
        let timer = if defects.has(ClientDefect::SlowTimer) {
            SLOW_TIMER
        } else {
            timer
        };
        Sender {
            messages,
            timer,
            defects,
            state: State::Idle,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Sends the first message (or finishes at once when there is none).
    pub fn start(&mut self, now: Instant) {
        if matches!(self.state, State::Idle) {
            self.send_message(0, 0, now);
        }
    }

    /// Takes in a datagram from the receiver.
    pub fn handle_datagram(&mut self, now: Instant, datagram: &[u8]) {
        let State::Waiting { index, seq, .. } = self.state else {
            // Before start or after the last ACK there is nothing an ACK could move on.
            return;
        };
        self.events.push_back(Event::Received {
            datagram: datagram.to_vec(),
        });
        let Ok(packet) = Packet::new_checked(datagram) else {
            self.events.push_back(Event::Checksum(Integrity::Corrupt));
            return;
        };
        let intact = packet.verify_checksum() || self.defects.has(ClientDefect::SkipChecksum);
        if !intact {
            // Textbook rdt 3.0: a corrupt ACK is ignored and the timer keeps running.
            self.events.push_back(Event::Checksum(Integrity::Corrupt));
            return;
        }
        self.events
            .push_back(Event::Checksum(Integrity::NotCorrupt));
        if packet.ack() != 1 || packet.seq() != seq {
            // An ACK for the other seq (a late duplicate) is ignored too.
            return;
        }
        let next = index + 1;
        if next == self.messages.len() {
            self.state = State::Finished;
            self.events.push_back(Event::Done {
                messages: self.messages.len(),
            });
        } else {
            self.send_message(next, self.next_seq(seq), now);
        }
    }

    /// Lets the timer run out if its deadline has passed; early calls do nothing, so a
    /// loop whose wait woke a little early only has to wait again.
    pub fn handle_timeout(&mut self, now: Instant) {
        let State::Waiting {
            seq,
            ref packet,
            deadline: Some(deadline),
            ..
        } = self.state
        else {
            return;
        };
        if now < deadline {
            return;
        }
        if !self.defects.has(ClientDefect::SilentTimer) {
            self.events.push_back(Event::TimerExpired { seq });
        }
        // The very same bytes: a retransmission that differs is a new packet to the grader.
        self.transmits.push_back(packet.clone());
        self.events.push_back(Event::Sent {
            datagram: packet.clone(),
        });
        self.restart_timer(now);
    }

    /// The next datagram to send, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.transmits.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Waiting { deadline, .. } => deadline,
            State::Idle | State::Finished => None,
        }
    }

    /// The next event to report, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Whether every message has been acknowledged.
    pub fn is_finished(&self) -> bool {
        matches!(self.state, State::Finished)
    }
}

/// Where the sender is in the rdt 3.0 FSM.
#[derive(Debug)]
enum State {
    /// Not started.
    Idle,
    /// `messages[index]` is out as `packet` with `seq`; `deadline` is the timer, if running.
    Waiting {
        index: usize,
        seq: u32,
        packet: Vec<u8>,
        deadline: Option<Instant>,
    },
    /// Every message acknowledged.
    Finished,
}

impl Sender {
    fn send_message(&mut self, index: usize, seq: u32, now: Instant) {
        let Some(&data) = self.messages.get(index) else {
            self.state = State::Finished;
            self.events.push_back(Event::Done {
                messages: self.messages.len(),
            });
            return;
        };
        let packet = Repr::data(seq, data).to_bytes();
        self.transmits.push_back(packet.clone());
        self.events.push_back(Event::Sent {
            datagram: packet.clone(),
        });
        self.state = State::Waiting {
            index,
            seq,
            packet,
            deadline: None,
        };
        self.restart_timer(now);
    }

    fn restart_timer(&mut self, now: Instant) {
        let no_timer = self.defects.has(ClientDefect::NoRetransmit);
        if let State::Waiting {
            ref mut deadline, ..
        } = self.state
        {
            *deadline = if no_timer {
                None
            } else {
                Some(now + self.timer)
            };
        }
    }

    fn next_seq(&self, seq: u32) -> u32 {
        if self.defects.has(ClientDefect::FixedSeq) {
            0
        } else {
            seq ^ 1
        }
    }
}

#[cfg(test)]
mod tests {}
