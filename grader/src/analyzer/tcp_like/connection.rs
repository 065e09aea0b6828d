//! Opening the connection: the client's SYN, the server's SYN|ACK with a connection id of
//! its choosing, the client's ACK; and that id on every segment afterwards.

use super::seq_add;
use crate::analyzer::tcp_like::segments::{SegmentTrace, Sent, describe_sent};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::wording::seconds;
use socklab_protocol::tcp_over_udp::{Flags, Segment};

/// What `handshake` requires, in the words its outcome states.
pub const HANDSHAKE: &str = "the client sends SYN (conn 0), the server answers SYN|ACK (ack = client seq + 1, a conn id of 1 or more), the client ACKs (ack = server seq + 1) before or with its first data";

/// SYN, SYN|ACK, ACK, in that order on the wire, with the numbers that tie them together.
pub fn handshake(segments: &SegmentTrace<'_>, modulus: i64) -> Outcome {
    let outcome = Outcome::new(CheckId::Handshake, HANDSHAKE);
    match handshake_problem(segments, modulus) {
        Ok(summary) => outcome.observed(summary),
        Err((expected, observed)) => outcome
            .status(Status::Fail)
            .expected(expected)
            .observed(observed),
    }
}

/// What `connection-id` requires, in the words its outcome states.
pub const CONNECTION_ID: &str =
    "both programs put the conn id of the server's SYN|ACK on every segment after it";

/// The conn id the server chose, on everything sent after it was chosen.
pub fn connection_id(segments: &SegmentTrace<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::ConnectionId, CONNECTION_ID);
    let Some(first_syn_ack) = segments
        .server_sent
        .iter()
        .find(|sent| has_flags(sent, Flags::SYN_ACK))
    else {
        return outcome
            .status(Status::Fail)
            .expected("a SYN|ACK from the server that chooses the conn id")
            .observed("the server sent no SYN|ACK");
    };
    let chosen = conn_id(first_syn_ack);
    let server_strays = segments
        .server_sent
        .iter()
        .filter(|sent| sent.order > first_syn_ack.order)
        .find(|sent| sent.segment.is_ok_and(|s| s.header.conn_id != chosen));
    if let Some(stray) = server_strays {
        return outcome
            .status(Status::Fail)
            .expected(format!(
                "conn {chosen} on every server segment after its SYN|ACK"
            ))
            .observed(format!("{} changes it", describe_sent(stray)));
    }
    let Some(received) = segments.syn_ack_received() else {
        return outcome
            .status(Status::Fail)
            .expected("a SYN|ACK delivered to the client")
            .observed("no SYN|ACK reached the client, so it never learnt the conn id");
    };
    let learnt = received
        .segment
        .map_or(chosen, |segment| segment.header.conn_id);
    // A resent SYN (conn 0) may cross the SYN|ACK on its way; it is no stray.
    let client_syn = segments.client_sent.first().map(|sent| sent.bytes);
    let client_strays = segments
        .client_sent
        .iter()
        .filter(|sent| sent.order > received.order && Some(sent.bytes) != client_syn)
        .find(|sent| sent.segment.is_ok_and(|s| s.header.conn_id != learnt));
    match client_strays {
        Some(stray) => outcome
            .status(Status::Fail)
            .expected(format!(
                "conn {learnt} (from the SYN|ACK the client received at {}) on every client segment after it",
                seconds(received.at)
            ))
            .observed(format!("{} carries another", describe_sent(stray))),
        None => outcome.observed(format!(
            "conn {chosen}, chosen by the server and used by both sides"
        )),
    }
}

type Problem = (String, String);

fn handshake_problem(segments: &SegmentTrace<'_>, modulus: i64) -> Result<String, Problem> {
    let Some(syn) = segments.client_sent.first() else {
        return Err((
            "a SYN from the client".to_owned(),
            "the client sent nothing".to_owned(),
        ));
    };
    let syn_segment = parsed(syn)?;
    let header = syn_segment.header;
    // Padding is not payload: a SYN padded with NULs is a SYN without data.
    if header.flags != Flags::SYN || header.conn_id != 0 || syn.counted > 0 {
        return Err((
            "the client's first datagram: SYN alone, conn 0, no data (NUL padding allowed)".to_owned(),
            describe_sent(syn),
        ));
    }
    let client_isn = i64::from(header.seq);
    let Some(first_syn_delivery) = segments
        .to_server
        .iter()
        .find(|delivered| delivered.of_nth == syn.nth)
        .or_else(|| {
            segments.to_server.iter().find(|delivered| {
                delivered
                    .segment
                    .is_ok_and(|segment| segment.header.flags == Flags::SYN)
            })
        })
    else {
        return Err((
            "the client's SYN reaches the server (resent if it is lost)".to_owned(),
            "no SYN was ever delivered to the server".to_owned(),
        ));
    };
    // Until the client has a SYN|ACK it can only repeat its SYN.
    let received = segments.syn_ack_received();
    let before_syn_ack = |sent: &&Sent<'_>| received.is_none_or(|r| sent.order < r.order);
    if let Some(early) = segments
        .client_sent
        .iter()
        .filter(before_syn_ack)
        .find(|sent| sent.bytes != syn.bytes)
    {
        return Err((
            "nothing but the SYN again until a SYN|ACK arrives".to_owned(),
            format!(
                "{}, before any SYN|ACK had reached the client",
                describe_sent(early)
            ),
        ));
    }

    let Some(first_server) = segments.server_sent.first() else {
        return Err((
            "a SYN|ACK from the server".to_owned(),
            "the server sent nothing".to_owned(),
        ));
    };
    let syn_ack = parsed(first_server)?;
    let wanted_ack = seq_add(client_isn, 1, modulus);
    if syn_ack.header.flags != Flags::SYN_ACK
        || i64::from(syn_ack.header.ack) != wanted_ack
        || syn_ack.header.conn_id < 1
        || first_server.counted > 0
    {
        return Err((
            format!(
                "the server's first datagram: SYN|ACK, ack {wanted_ack}, conn id 1 or more, no data (NUL padding allowed)"
            ),
            describe_sent(first_server),
        ));
    }
    if first_server.order < first_syn_delivery.order {
        return Err((
            "the SYN|ACK after the SYN reached the server".to_owned(),
            format!("{} came before any SYN", describe_sent(first_server)),
        ));
    }
    let Some(received) = received else {
        return Err((
            "a SYN|ACK that reaches the client (resent when the client repeats its SYN)".to_owned(),
            "no SYN|ACK was ever delivered to the client".to_owned(),
        ));
    };
    let server_isn = received
        .segment
        .map_or(0, |segment| i64::from(segment.header.seq));
    // A SYN the client resent as the SYN|ACK arrived crossed it on the way; not an answer.
    let Some(ack) = segments
        .client_sent
        .iter()
        .find(|sent| sent.order > received.order && sent.bytes != syn.bytes)
    else {
        return Err((
            "the client's ACK of the SYN|ACK".to_owned(),
            "the client sent nothing after the SYN|ACK reached it".to_owned(),
        ));
    };
    let ack_segment = parsed(ack)?;
    let wanted = (
        seq_add(client_isn, 1, modulus),
        seq_add(server_isn, 1, modulus),
    );
    let header = ack_segment.header;
    if !header.flags.contains(Flags::ACK)
        || header.flags.contains(Flags::SYN)
        || (i64::from(header.seq), i64::from(header.ack)) != wanted
    {
        return Err((
            format!(
                "the client's next datagram ACKs the SYN|ACK: seq {}, ack {}, ACK (data may ride along)",
                wanted.0, wanted.1
            ),
            describe_sent(ack),
        ));
    }
    Ok(format!(
        "SYN seq {client_isn}, SYN|ACK seq {server_isn} conn {}, ACK at {}",
        syn_ack.header.conn_id,
        seconds(ack.at)
    ))
}

fn parsed<'a>(sent: &Sent<'a>) -> Result<Segment<'a>, Problem> {
    sent.segment.map_err(|error| {
        (
            "a segment".to_owned(),
            format!("{}: {error}", describe_sent(sent)),
        )
    })
}

fn has_flags(sent: &Sent<'_>, flags: Flags) -> bool {
    sent.segment
        .is_ok_and(|segment| segment.header.flags.contains(flags))
}

fn conn_id(sent: &Sent<'_>) -> i16 {
    sent.segment.map_or(0, |segment| segment.header.conn_id)
}
