//! Which tcp-over-udp checks a run gets, and everything they read about it.

use super::{close, connection, copy, format, log, numbers};
use crate::analyzer::tcp_like::TcpLikeParams;
use crate::analyzer::tcp_like::segments::SegmentTrace;
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::{FileEvidence, Transcript, WireTrace};

/// Everything the tcp-over-udp checks read about one scenario run.
#[derive(Debug)]
pub struct TcpLikeEvidence<'a> {
    pub params: &'a TcpLikeParams,
    /// The file the client was given on stdin and the server's stdout.
    pub file: Option<&'a FileEvidence>,
    pub client: &'a Transcript,
    pub server: &'a Transcript,
    pub trace: &'a WireTrace,
}

/// Runs the requested checks, in the requested order.
pub fn run_checks(evidence: &TcpLikeEvidence<'_>, checks: &[CheckId]) -> Vec<Outcome> {
    let modulus = i64::from(evidence.params.seq_modulus);
    let segments = SegmentTrace::decode(evidence.trace, modulus);
    checks
        .iter()
        .map(|&check| match check {
            CheckId::Startup => Outcome::new(check, crate::check::startup::STARTUP)
                .observed("the server bound its port and the client ran"),
            CheckId::Format => format::format(&segments, modulus),
            CheckId::Handshake => connection::handshake(&segments, modulus),
            CheckId::ConnectionId => connection::connection_id(&segments),
            CheckId::SequenceNumbers => numbers::sequence_numbers(&segments, modulus),
            CheckId::IdenticalRetransmission => numbers::retransmissions(&segments, modulus),
            CheckId::Close => close::close(evidence, &segments, modulus),
            CheckId::FileCopy => match evidence.file {
                Some(file) => copy::received_copy(file),
                None => Outcome::new(check, "the server writes the file the client sends")
                    .status(Status::Error)
                    .observed("the scenario has no `file`; the tcp-like analyzer needs one"),
            },
            CheckId::LogLines => log::log_lines(evidence, &segments),
            other => Outcome::new(other, "a check of another analyzer")
                .status(Status::Error)
                .observed(format!("the tcp-like analyzer does not perform `{other}`")),
        })
        .collect()
}

/// `(seq + count) mod modulus`, for numbers as the header carries them.
pub fn seq_add(seq: i64, count: usize, modulus: i64) -> i64 {
    (seq + count as i64).rem_euclid(modulus)
}
