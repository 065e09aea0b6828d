//! Where the tcp-over-udp client is in its one connection, and what each state holds:
//! the segment out and its timer, what the SYN|ACK told it, the fin wait's ACK.

use std::time::Instant;

use socklab_protocol::tcp_over_udp::segment::Header;

use super::wire::Outgoing;

/// What the SYN|ACK told the client.
#[derive(Debug)]
pub(super) struct Connection {
    /// The id the server chose, which every later segment carries.
    pub(super) conn_id: i16,
    /// The SYN|ACK itself; receiving it again means the handshake ACK was lost.
    pub(super) syn_ack: Header,
    /// The server's next sequence number: the ack field of every data segment.
    pub(super) ack: u32,
    /// The ACK that completed the handshake (with the first payload, if any).
    pub(super) handshake_ack: Outgoing,
}

/// A segment out and not yet answered.
#[derive(Debug)]
pub(super) struct Outstanding {
    pub(super) datagram: Outgoing,
    pub(super) sent_at: Instant,
    /// When it goes again, identical; `None` for a FIN with `no-fin-retransmit`.
    pub(super) retransmit_at: Option<Instant>,
}

/// The server's FIN is ACKed with `final_ack`, sent again for each FIN until `until`.
#[derive(Debug)]
pub(super) struct TimeWait {
    pub(super) final_ack: Outgoing,
    pub(super) until: Instant,
    pub(super) connection: Connection,
}

/// Where the client is in its one connection.
#[derive(Debug)]
pub(super) enum State {
    /// The SYN is out.
    Connecting(Outstanding),
    /// A segment holding the input's bytes from `offset` is out.
    Sending {
        connection: Connection,
        offset: usize,
        outstanding: Outstanding,
    },
    /// Our FIN is out.
    FinSent {
        connection: Connection,
        outstanding: Outstanding,
    },
    /// Our FIN is ACKed; the server's has not come yet.
    FinAcknowledged(Connection),
    /// The fin wait.
    TimeWait(TimeWait),
    /// Closed, or given up.
    Finished,
}

impl State {
    /// What the SYN|ACK told, once the handshake is done.
    pub(super) fn connection(&self) -> Option<&Connection> {
        match self {
            State::Sending { connection, .. }
            | State::FinSent { connection, .. }
            | State::FinAcknowledged(connection)
            | State::TimeWait(TimeWait { connection, .. }) => Some(connection),
            State::Connecting(_) | State::Finished => None,
        }
    }

    /// The segment waiting for an answer, in the states that have one.
    pub(super) fn outstanding(&self) -> Option<&Outstanding> {
        match self {
            State::Connecting(outstanding)
            | State::Sending { outstanding, .. }
            | State::FinSent { outstanding, .. } => Some(outstanding),
            _ => None,
        }
    }

    /// The same, to restart its timer.
    pub(super) fn outstanding_mut(&mut self) -> Option<&mut Outstanding> {
        match self {
            State::Connecting(outstanding)
            | State::Sending { outstanding, .. }
            | State::FinSent { outstanding, .. } => Some(outstanding),
            _ => None,
        }
    }
}
