//! The rdt3 handout's sentences each alternating-bit check enforces (the rdt 3.0 handout,
//! ASSIGNMENTS.md §1). The handout asks the programs to "exactly mirror rdt 3.0 as shown in
//! the textbook": what the textbook's FSMs do (alternate the bit, resend the same packet,
//! ignore a bad ACK) is implied by that sentence rather than said.

use crate::case::CheckId;
use crate::check::{HandoutQuote, HandoutSource};

const PACKET: HandoutSource = HandoutSource::Seed {
    file: "000_48400fc1526770cc.txt",
    part: "the packet format",
};
const CLIENT: HandoutSource = HandoutSource::Seed {
    file: "000_48400fc1526770cc.txt",
    part: "UDP_Client",
};
const SERVER: HandoutSource = HandoutSource::Seed {
    file: "000_48400fc1526770cc.txt",
    part: "UDP_Server",
};
const OUTPUT: HandoutSource = HandoutSource::Seed {
    file: "000_48400fc1526770cc.txt",
    part: "the output",
};

const MIRROR_RDT3: &str = "This process will exactly mirror rdt 3.0 as shown in the textbook, so please make sure you follow it carefully!";

const STARTUP: &[HandoutQuote] = &[
    HandoutQuote::says(
        SERVER,
        "This app will establish a UDP socket and listen for incoming connections from the client.",
    ),
    HandoutQuote::says(CLIENT, "This app must connect to the UDP_Server app via UDP"),
];
const FORMAT: &[HandoutQuote] = &[
    HandoutQuote::says(PACKET, "ACK – Indicates if packet is ACK or not. Valid values (1 or 0)"),
    HandoutQuote::says(PACKET, "SEQ – Sequence number of packet. Valid values (1 or 0)"),
    HandoutQuote::says(PACKET, "DATA – Application Data (8 bytes)"),
    HandoutQuote::says(PACKET, "CHKSUM – MD5 Checksum of packet (32 Bytes)"),
];
const CHECKSUM: &[HandoutQuote] = &[HandoutQuote::says(
    PACKET,
    "CHKSUM – MD5 Checksum of packet (32 Bytes)",
)];
const SEQ_ALTERNATION: &[HandoutQuote] = &[
    HandoutQuote::says(PACKET, "SEQ – Sequence number of packet. Valid values (1 or 0)"),
    HandoutQuote::implies(PACKET, MIRROR_RDT3),
];
const SENDER_RULES: &[HandoutQuote] = &[HandoutQuote::implies(PACKET, MIRROR_RDT3)];
const TIMER: &[HandoutQuote] = &[HandoutQuote::says(
    CLIENT,
    "When adding the timer to the application, the timeout value should be set to 9ms",
)];
const RECEIVER_RULES: &[HandoutQuote] = &[HandoutQuote::says(
    SERVER,
    "When a connection is made the server will consume the data and follow the rdt 2.2 process as shown in chapter 3 of the course textbook.",
)];
const DELIVERY: &[HandoutQuote] = &[HandoutQuote::implies(
    SERVER,
    "When a connection is made the server will consume the data and follow the rdt 2.2 process as shown in chapter 3 of the course textbook.",
)];
const COMPLETION: &[HandoutQuote] = &[HandoutQuote::implies(
    CLIENT,
    "then send three separate packets",
)];
const LOG_LINES: &[HandoutQuote] = &[
    HandoutQuote::says(
        OUTPUT,
        "The output from the UDP_Server and UDP_Client should display a line of text for each of the following actions:",
    ),
    HandoutQuote::says(OUTPUT, "Received Packet (with all packet values shown)"),
    HandoutQuote::says(
        OUTPUT,
        "Packet Checksum Compare Result (ie. Corrupt or not corrupt)",
    ),
    HandoutQuote::says(OUTPUT, "Sent Packet (with all packet values shown)"),
    HandoutQuote::says(OUTPUT, "Timer Expired"),
];

/// The sentences `check` enforces; `None` for a check the analyzer does not perform.
pub fn quotes(check: CheckId) -> Option<&'static [HandoutQuote]> {
    use CheckId as C;
    Some(match check {
        C::Startup => STARTUP,
        C::Format => FORMAT,
        C::Checksum => CHECKSUM,
        C::SeqAlternation => SEQ_ALTERNATION,
        C::IdenticalRetransmission | C::SenderReaction => SENDER_RULES,
        C::RetransmissionTimer => TIMER,
        C::AckBehaviour => RECEIVER_RULES,
        C::Delivery => DELIVERY,
        C::Completion => COMPLETION,
        C::LogLines => LOG_LINES,
        _ => return None,
    })
}
