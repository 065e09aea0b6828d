//! The tcp-over-udp handout's sentences each tcp-like check enforces. The seed keeps the
//! handout's purpose and setup; its code, which fixes the header, the flags and the log
//! lines, is not reproduced, so those quotes are from the kit's summary of it
//! (ASSIGNMENTS.md §5), which says what the code does.

use crate::case::CheckId;
use crate::check::{HandoutQuote, HandoutSource};

const PURPOSE: HandoutSource = HandoutSource::Seed {
    file: "003_3f3353e658b8d070.txt",
    part: "Purpose",
};
const SETUP: HandoutSource = HandoutSource::Seed {
    file: "003_3f3353e658b8d070.txt",
    part: "Setup",
};
const SUMMARY: HandoutSource = HandoutSource::Summary {
    section: "ASSIGNMENTS.md §5",
};

const CONNECTION: &str = "Client SYN (its initial seq, conn 0) → server SYN|ACK (its seq, ack = client seq + 1, a fresh conn id ≥ 1) → client ACK, possibly with the first data.";
const PADDING: &str = "Padding is not payload: a padded SYN is still a SYN, and padding counts for no sequence number.";

const STARTUP: &[HandoutQuote] = &[
    HandoutQuote::says(
        SETUP,
        "In the receiving terminal, run the following python3 ./server.py 5000 > RECEIVED_FILE",
    ),
    HandoutQuote::says(
        SETUP,
        "In the sending terminal, run the following cat FILENAME | python3 ./client.py HOSTNAME-OR-IP 5000",
    ),
];
const FORMAT: &[HandoutQuote] = &[
    HandoutQuote::says(
        SUMMARY,
        "'iihh' native (little-endian on x86-64), 12 bytes: seq i32, ack i32, conn_id i16, flags i16 with FIN=1, SYN=2, ACK=4 (SYN|ACK=6, FIN|ACK=5); then the payload, at most 512 bytes.",
    ),
    HandoutQuote::says(SUMMARY, PADDING),
];
const HANDSHAKE: &[HandoutQuote] = &[HandoutQuote::says(SUMMARY, CONNECTION)];
const CONNECTION_ID: &[HandoutQuote] = &[HandoutQuote::implies(SUMMARY, CONNECTION)];
const SEQUENCE_NUMBERS: &[HandoutQuote] = &[
    HandoutQuote::says(
        SUMMARY,
        "Sequence numbers count payload bytes and wrap at 204 800.",
    ),
    HandoutQuote::says(
        SUMMARY,
        "Data: stop-and-wait per segment; the server ACKs with ack = next byte expected; duplicates are re-ACKed and not written twice.",
    ),
    HandoutQuote::says(SUMMARY, PADDING),
];
const IDENTICAL_RETRANSMISSION: &[HandoutQuote] = &[HandoutQuote::implies(
    PURPOSE,
    "To provide a TCP-like transport protocol over UDP with reliable transfer, relevant headers, and connection establishment",
)];
const CLOSE: &[HandoutQuote] = &[HandoutQuote::says(
    SUMMARY,
    "Close: client FIN → server ACK (or FIN|ACK) and FIN → client ACK, then the client waits 2 s answering any retransmitted FIN.",
)];
const FILE_COPY: &[HandoutQuote] = &[
    HandoutQuote::says(SETUP, "Compare the two with: diff FILENAME RECEIVED_FILE"),
    HandoutQuote::says(
        SUMMARY,
        "server PORT > RECEIVED_FILE (received bytes to stdout, log to stderr); client HOST PORT < FILE (log to stdout).",
    ),
];
const LOG_LINES: &[HandoutQuote] = &[HandoutQuote::says(
    SUMMARY,
    "Required log lines. SEND <seq> <ack> <conn_id> [ACK] [SYN] [FIN] [DUP], RECV … likewise, DROP … for a packet discarded.",
)];

/// The sentences `check` enforces; `None` for a check the analyzer does not perform.
pub fn quotes(check: CheckId) -> Option<&'static [HandoutQuote]> {
    Some(match check {
        CheckId::Startup => STARTUP,
        CheckId::Format => FORMAT,
        CheckId::Handshake => HANDSHAKE,
        CheckId::ConnectionId => CONNECTION_ID,
        CheckId::SequenceNumbers => SEQUENCE_NUMBERS,
        CheckId::IdenticalRetransmission => IDENTICAL_RETRANSMISSION,
        CheckId::Close => CLOSE,
        CheckId::FileCopy => FILE_COPY,
        CheckId::LogLines => LOG_LINES,
        _ => return None,
    })
}
