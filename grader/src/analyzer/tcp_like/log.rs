//! The SEND / RECV / DROP lines tell the truth: one SEND per datagram a program sent, one
//! RECV or DROP per datagram it was given, in order, with the numbers and flags the grader
//! saw on the wire, and DUP on every resent segment.

use crate::analyzer::tcp_like::OutputStream;
use crate::analyzer::tcp_like::TcpLikeEvidence;
use crate::analyzer::tcp_like::segments::{Delivered, SegmentTrace, Sent, describe_segment};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::{Role, Stream, Transcript};
use crate::wording::seconds;
use socklab_protocol::tcp_over_udp::{Flags, LenientLogLine, Segment, Verb};
use std::collections::HashSet;
use std::time::Duration;

/// One SEND, RECV or DROP line, read leniently ([`LenientLogLine`]), with where and when
/// the program printed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub kind: Verb,
    pub seq: i64,
    pub ack: i64,
    pub conn_id: i64,
    pub flags: Flags,
    pub dup: bool,
    pub text: String,
    pub at: Duration,
}

impl LogLine {
    pub fn parse(text: &str, at: Duration) -> Option<LogLine> {
        let line = LenientLogLine::parse(text)?;
        Some(LogLine {
            kind: line.verb,
            seq: line.seq,
            ack: line.ack,
            conn_id: line.conn_id,
            flags: line.flags,
            dup: line.duplicate,
            text: text.trim().to_owned(),
            at,
        })
    }

    /// Whether it names the segment's numbers and flags.
    fn matches(&self, segment: &Segment<'_>) -> bool {
        let header = segment.header;
        (self.seq, self.ack, self.conn_id)
            == (
                i64::from(header.seq),
                i64::from(header.ack),
                i64::from(header.conn_id),
            )
            && self.flags == Flags(header.flags.0 & 0b111)
    }
}

/// What `log-lines` requires, in the words its outcome states.
pub const LOG_LINES: &str = "each program prints `SEND seq ack conn [ACK] [SYN] [FIN] [DUP]` for every datagram it sends (DUP on a resent segment) and `RECV …` or `DROP …` for every datagram it is given, with the numbers on the wire";

pub fn log_lines(evidence: &TcpLikeEvidence<'_>, segments: &SegmentTrace<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::LogLines, LOG_LINES);
    let modulus = i64::from(evidence.params.seq_modulus);
    let mut counts = Vec::new();
    for (role, transcript, stream) in [
        (Role::Client, evidence.client, evidence.params.logs.client),
        (Role::Server, evidence.server, evidence.params.logs.server),
    ] {
        let lines = log_of(transcript, stream);
        let result = sent_lines(modulus, role, transcript, &lines, segments.sent_by(role))
            .and_then(|sent| {
                received_lines(
                    role,
                    transcript,
                    &lines,
                    segments.delivered_to(role),
                    segments.sent_by(role),
                )
                .map(|received| (sent, received))
            });
        match result {
            Ok((sent, received)) => counts.push(format!(
                "the {role}: {sent} SEND and {received} RECV/DROP lines, all matching"
            )),
            Err((expected, observed)) => {
                return outcome
                    .status(Status::Fail)
                    .expected(expected)
                    .observed(observed);
            }
        }
    }
    outcome.observed(counts.join("; "))
}

type Problem = (String, String);

fn log_of(transcript: &Transcript, stream: OutputStream) -> Vec<LogLine> {
    let wanted = match stream {
        OutputStream::Stdout => Stream::Stdout,
        OutputStream::Stderr => Stream::Stderr,
    };
    transcript
        .lines
        .iter()
        .filter(|line| line.stream == wanted)
        .filter_map(|line| LogLine::parse(&line.text, line.at))
        .collect()
}

/// The k-th SEND line against the k-th datagram sent; returns how many matched.
fn sent_lines(
    modulus: i64,
    role: Role,
    transcript: &Transcript,
    lines: &[LogLine],
    sent: &[Sent<'_>],
) -> Result<usize, Problem> {
    let new_data = super::numbers::new_data_flags(sent, modulus);
    // Whether each datagram is byte for byte one sent before (one pass: floods stay cheap).
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let repeats: Vec<bool> = sent.iter().map(|sent| !seen.insert(sent.bytes)).collect();
    let sends: Vec<&LogLine> = lines
        .iter()
        .filter(|line| line.kind == Verb::Send)
        .collect();
    for (index, datagram) in sent.iter().enumerate() {
        let Some(line) = sends.get(index) else {
            if stopped_before(transcript, datagram.at) {
                break;
            }
            return Err((
                format!(
                    "a SEND line for each of the {} datagrams the {role} sent",
                    sent.len()
                ),
                format!(
                    "{} SEND lines; the first datagram without one is #{} ({}) at {}",
                    sends.len(),
                    datagram.nth,
                    describe_segment(datagram.segment, datagram.bytes.len(), datagram.counted),
                    seconds(datagram.at)
                ),
            ));
        };
        let Ok(segment) = datagram.segment else {
            continue;
        };
        if !line.matches(&segment) {
            return Err(mismatch(
                role,
                "SEND",
                index,
                line,
                datagram.nth,
                &describe_segment(datagram.segment, datagram.bytes.len(), datagram.counted),
                datagram.at,
            ));
        }
        let repeated = repeats[index];
        // A resent segment; not new data whose bytes happen to repeat (after the sequence
        // space wrapped), nor a repeated bare ACK: DUP may go either way on those.
        let needs_dup = repeated && datagram.sequence_length() > 0 && !new_data[index];
        if needs_dup && !line.dup {
            return Err((
                "DUP on every SEND line of a resent segment".to_owned(),
                format!(
                    "the {role}'s SEND line #{} `{}` has no DUP, but datagram #{} repeats an earlier one byte for byte",
                    index + 1,
                    line.text,
                    datagram.nth
                ),
            ));
        }
        if line.dup && !repeated {
            return Err((
                "DUP only on a segment sent before".to_owned(),
                format!(
                    "the {role}'s SEND line #{} `{}` says DUP, but datagram #{} is the first of its kind",
                    index + 1,
                    line.text,
                    datagram.nth
                ),
            ));
        }
    }
    if sends.len() > sent.len() {
        let extra = sends[sent.len()];
        return Err((
            format!("a SEND line only for a datagram the {role} really sent"),
            format!(
                "SEND line #{} `{}` at {}: the grader saw only {} datagram{} from the {role}",
                sent.len() + 1,
                extra.text,
                seconds(extra.at),
                sent.len(),
                if sent.len() == 1 { "" } else { "s" }
            ),
        ));
    }
    Ok(sent.len().min(sends.len()))
}

/// The k-th RECV or DROP line against the k-th datagram delivered.
fn received_lines(
    role: Role,
    transcript: &Transcript,
    lines: &[LogLine],
    delivered: &[Delivered<'_>],
    own_sent: &[Sent<'_>],
) -> Result<usize, Problem> {
    let receives: Vec<&LogLine> = lines
        .iter()
        .filter(|line| line.kind != Verb::Send)
        .collect();
    let last_send = own_sent.last().map(|sent| sent.order);
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let repeats: Vec<bool> = delivered
        .iter()
        .map(|copy| !seen.insert(copy.bytes))
        .collect();
    for (index, copy) in delivered.iter().enumerate() {
        let Some(line) = receives.get(index) else {
            // What arrived as the program was ending may never have been read: after it
            // was stopped, after its last datagram, or a copy of something it had read.
            let unread_is_fine = stopped_before(transcript, copy.at)
                || last_send.is_none_or(|order| copy.order > order)
                || repeats[index];
            if unread_is_fine {
                continue;
            }
            return Err((
                format!("a RECV (or DROP) line for each datagram the {role} was given"),
                format!(
                    "{} RECV/DROP lines, but {} datagrams reached the {role}; the first without a line is #{} ({}) at {}",
                    receives.len(),
                    delivered.len(),
                    index + 1,
                    describe_segment(copy.segment, copy.bytes.len(), copy.counted),
                    seconds(copy.at)
                ),
            ));
        };
        if copy.segment.is_ok() && !copy.segment.is_ok_and(|segment| line.matches(&segment)) {
            return Err(mismatch(
                role,
                "RECV/DROP",
                index,
                line,
                index as u32 + 1,
                &describe_segment(copy.segment, copy.bytes.len(), copy.counted),
                copy.at,
            ));
        }
    }
    if receives.len() > delivered.len() {
        let extra = receives[delivered.len()];
        return Err((
            format!("a RECV line only for a datagram the {role} was given"),
            format!(
                "line `{}` at {}: only {} datagrams reached the {role}",
                extra.text,
                seconds(extra.at),
                delivered.len()
            ),
        ));
    }
    Ok(delivered.len().min(receives.len()))
}

/// Both sides of one mismatch, as the report shows them: the line, and the datagram
/// (`described` by [`describe_segment`]).
fn mismatch(
    role: Role,
    kind: &str,
    index: usize,
    line: &LogLine,
    nth: u32,
    described: &str,
    at: Duration,
) -> Problem {
    (
        format!("each {kind} line with the numbers and flags of its datagram"),
        format!(
            "the {role}'s {kind} line #{} `{}` (at {}) does not match datagram #{nth} on the wire: {} (at {})",
            index + 1,
            line.text,
            seconds(line.at),
            described,
            seconds(at)
        ),
    )
}

/// Whether the grader had begun stopping the program (or it had ended) by `at`.
fn stopped_before(transcript: &Transcript, at: Duration) -> bool {
    transcript
        .stopped_at
        .or(transcript.ended_at)
        .is_some_and(|end| at >= end)
}
