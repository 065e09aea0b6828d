//! Closing: the client's FIN, the server's ACK of it, the server's FIN, the client's ACK of
//! that; each lost one sent again, and the client still there to answer a repeated FIN.

use super::seq_add;
use crate::analyzer::tcp_like::TcpLikeEvidence;
use crate::analyzer::tcp_like::padding::padding_counted;
use crate::analyzer::tcp_like::segments::{Delivered, SegmentTrace, Sent, describe_sent};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::Role;
use crate::wording::seconds;
use socklab_protocol::tcp_over_udp::Flags;

/// What `close` requires, in the words its outcome states.
pub const CLOSE: &str = "the client sends FIN, the server ACKs it and sends its own FIN, the client ACKs that and stays to answer a repeated FIN; a lost FIN is sent again";

pub fn close(evidence: &TcpLikeEvidence<'_>, segments: &SegmentTrace<'_>, modulus: i64) -> Outcome {
    let outcome = Outcome::new(CheckId::Close, CLOSE);
    match steps(evidence, segments, modulus) {
        Ok(summary) => outcome.observed(summary),
        Err((expected, observed)) => outcome
            .status(Status::Fail)
            .expected(expected)
            .observed(observed),
    }
}

type Problem = (String, String);

fn steps(
    evidence: &TcpLikeEvidence<'_>,
    segments: &SegmentTrace<'_>,
    modulus: i64,
) -> Result<String, Problem> {
    let client_fin = first_with(segments.sent_by(Role::Client), Flags::FIN).ok_or_else(|| {
        (
            "a FIN from the client once its data is acknowledged".to_owned(),
            "the client never sent a FIN".to_owned(),
        )
    })?;
    let fin_seq = seq_of(client_fin);
    let fin_arrived = first_delivery(segments.delivered_to(Role::Server), Flags::FIN, fin_seq)
        .ok_or_else(|| {
            let resent = segments
                .client_sent
                .iter()
                .filter(|sent| has(sent, Flags::FIN))
                .count();
            (
                "the client's FIN reaches the server, sent again while it is lost".to_owned(),
                format!(
                    "the client's FIN (seq {fin_seq}) never reached the server: sent {resent} time{}, every copy lost{}",
                    if resent == 1 { "" } else { "s" },
                    if resent == 1 { ", and never sent again" } else { "" }
                ),
            )
        })?;
    let fin_ack = seq_add(fin_seq, 1, modulus);
    let acked = segments.server_sent.iter().find(|sent| {
        sent.order > fin_arrived.order && has(sent, Flags::ACK) && ack_of(sent) == fin_ack
    });
    if acked.is_none() {
        let answer = segments
            .server_sent
            .iter()
            .find(|sent| sent.order > fin_arrived.order && has(sent, Flags::ACK));
        let observed = match answer {
            // The ACK it did send, and why its number is not the FIN's.
            Some(answer) => format!(
                "the client's FIN arrived at {}; the server's next ACK, {}, has ack {}{}",
                seconds(fin_arrived.at),
                describe_sent(answer),
                ack_of(answer),
                padding_counted(ack_of(answer), fin_arrived, "the client's FIN", modulus)
                    .map(|why| format!(", {why}"))
                    .unwrap_or_default()
            ),
            None => format!(
                "the client's FIN arrived at {} and the server never acknowledged it",
                seconds(fin_arrived.at)
            ),
        };
        return Err((
            format!("an ACK from the server with ack {fin_ack} after the client's FIN arrived"),
            observed,
        ));
    }
    let server_fin = segments
        .server_sent
        .iter()
        .find(|sent| sent.order > fin_arrived.order && has(sent, Flags::FIN))
        .ok_or_else(|| {
            (
                "the server's own FIN after it acknowledged the client's".to_owned(),
                "the server never sent a FIN".to_owned(),
            )
        })?;
    let server_fin_seq = seq_of(server_fin);
    let deliveries: Vec<&Delivered<'_>> = segments
        .delivered_to(Role::Client)
        .iter()
        .filter(|delivered| is(delivered, Flags::FIN, server_fin_seq))
        .collect();
    if deliveries.is_empty() {
        return Err((
            "the server's FIN reaches the client, sent again while it is lost".to_owned(),
            format!(
                "the server's FIN (seq {server_fin_seq}) never reached the client ({})",
                describe_sent(server_fin)
            ),
        ));
    }
    // Every FIN that reaches a client still running must be answered: the first one, and
    // each repeat that means the server did not get the answer.
    let last_ack = seq_add(server_fin_seq, 1, modulus);
    // When the client stopped reading: the grader began stopping it, or it exited.
    let client_end = evidence.client.stopped_at.or(evidence.client.ended_at);
    for delivery in &deliveries {
        if client_end.is_some_and(|end| delivery.at >= end) {
            if evidence.client.stopped_at.is_some() {
                continue;
            }
            return Err((
                "the client waits (2 s) after its last ACK to answer a repeated FIN".to_owned(),
                format!(
                    "the server's FIN (seq {server_fin_seq}) arrived at {}, after the client had exited at {}: the server never learnt the connection was closed",
                    seconds(delivery.at),
                    seconds(client_end.unwrap_or_default())
                ),
            ));
        }
        let answered = segments.client_sent.iter().any(|sent| {
            sent.order > delivery.order && has(sent, Flags::ACK) && ack_of(sent) == last_ack
        });
        if !answered {
            return Err((
                format!(
                    "the client ACKs the server's FIN with ack {last_ack}, each time it arrives"
                ),
                format!(
                    "the server's FIN reached the client at {} and got no ACK",
                    seconds(delivery.at)
                ),
            ));
        }
    }
    let repeats = deliveries.len() - 1;
    Ok(format!(
        "client FIN seq {fin_seq}, server FIN seq {server_fin_seq}, both acknowledged{}",
        match repeats {
            0 => String::new(),
            1 => "; the server's repeated FIN was answered too".to_owned(),
            n => format!("; the server's {n} repeated FINs were answered too"),
        }
    ))
}

fn first_with<'s, 'a>(sent: &'s [Sent<'a>], flags: Flags) -> Option<&'s Sent<'a>> {
    sent.iter().find(|sent| has(sent, flags))
}

fn first_delivery<'s, 'a>(
    delivered: &'s [Delivered<'a>],
    flags: Flags,
    seq: i64,
) -> Option<&'s Delivered<'a>> {
    delivered.iter().find(|delivered| is(delivered, flags, seq))
}

fn has(sent: &Sent<'_>, flags: Flags) -> bool {
    sent.segment
        .is_ok_and(|segment| segment.header.flags.contains(flags))
}

fn is(delivered: &Delivered<'_>, flags: Flags, seq: i64) -> bool {
    delivered.segment.is_ok_and(|segment| {
        segment.header.flags.contains(flags) && i64::from(segment.header.seq) == seq
    })
}

fn seq_of(sent: &Sent<'_>) -> i64 {
    sent.segment
        .map_or(0, |segment| i64::from(segment.header.seq))
}

fn ack_of(sent: &Sent<'_>) -> i64 {
    sent.segment
        .map_or(-1, |segment| i64::from(segment.header.ack))
}
