//! The tcp-file-100 handout's sentences each repeated-transfer check enforces (CYBR 2159's
//! TCP project, ASSIGNMENTS.md §6). The handout asks students to "design and implement a
//! protocol", so how a transfer is framed is theirs; what it fixes is one connection per
//! transfer, the stored and compared copies, the lines, the times and the address.

use crate::case::CheckId;
use crate::check::{HandoutQuote, HandoutSource};

const REQUIREMENTS: HandoutSource = HandoutSource::Seed {
    file: "004_1eaabe6a2b8467bc.txt",
    part: "Detailed Requirements",
};
const DESCRIPTION: HandoutSource = HandoutSource::Seed {
    file: "004_1eaabe6a2b8467bc.txt",
    part: "Description",
};

const STARTUP: &[HandoutQuote] = &[HandoutQuote::says(
    REQUIREMENTS,
    "You need to make two programs including one client side (C), one server side (S).",
)];
const CONNECTIONS: &[HandoutQuote] = &[
    HandoutQuote::says(REQUIREMENTS, "Use non-persistent TCP connection."),
    HandoutQuote::says(
        REQUIREMENTS,
        "You client side program sends the same file (see the sample text format file) to the server side for one hundred times.",
    ),
];
const STORED_COPIES: &[HandoutQuote] = &[HandoutQuote::says(
    REQUIREMENTS,
    "Every time as long as the file is completely received, please store in at the server side in different name and compare it with the standard file (stored at server side in advance) to see if they are the same.",
)];
const ERROR_COUNT: &[HandoutQuote] = &[
    HandoutQuote::says(
        REQUIREMENTS,
        "If the received file is different from the standard file, count one time incorrect transfer.",
    ),
    HandoutQuote::says(
        DESCRIPTION,
        "Count the transferring error rate (number of times incorrect file received at server side out of one hundred times) for TCP/UDP to see its (UDP or TCP) reliability.",
    ),
];
const REQUIRED_LINES: &[HandoutQuote] = &[
    HandoutQuote::says(
        REQUIREMENTS,
        "When running your server side code, it must display at least the following information:",
    ),
    HandoutQuote::says(
        REQUIREMENTS,
        "When running your client side code, it must display at least the following information:",
    ),
];
const TIMINGS: &[HandoutQuote] = &[
    HandoutQuote::says(
        DESCRIPTION,
        "At the meantime, count the time in mili-second cost to transfer the same file for hundred times with TCP/UDP.",
    ),
    HandoutQuote::says(
        REQUIREMENTS,
        "The time used to deliver the file includes connection setup time, data transferring time, and connection close up time.",
    ),
];
const AVERAGE: &[HandoutQuote] = &[HandoutQuote::says(
    REQUIREMENTS,
    "count the average time used for one hundred times transferring at server side.",
)];
const ADDRESS: &[HandoutQuote] = &[HandoutQuote::says(
    REQUIREMENTS,
    "Your client and server side program may run in the same hosts, but must use the Internet IP address, other than 127.0.0.0, or “local host”.",
)];
const COMPLETION: &[HandoutQuote] = &[HandoutQuote::implies(REQUIREMENTS, "f. I am done")];

/// The sentences `check` enforces; `None` for a check the analyzer does not perform.
pub fn quotes(check: CheckId) -> Option<&'static [HandoutQuote]> {
    Some(match check {
        CheckId::Startup => STARTUP,
        CheckId::Connections => CONNECTIONS,
        CheckId::StoredCopies => STORED_COPIES,
        CheckId::ErrorCount => ERROR_COUNT,
        CheckId::RequiredLines => REQUIRED_LINES,
        CheckId::Timings => TIMINGS,
        CheckId::Average => AVERAGE,
        CheckId::Address => ADDRESS,
        CheckId::Completion => COMPLETION,
        _ => return None,
    })
}
