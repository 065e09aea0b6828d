//! The tcp-lines handout's sentences each line-upload check enforces (the TCP lab's
//! `tcp_send` and `tcp_receive`, ASSIGNMENTS.md §4). The seed has lost the backslash of
//! "terminated only by '\n'", and the quote keeps the seed's words as they are.

use crate::case::CheckId;
use crate::check::{HandoutQuote, HandoutSource};

const SEND: HandoutSource = HandoutSource::Seed {
    file: "002_cb64aa5bedb35d51.txt",
    part: "tcp_send",
};
const RECEIVE: HandoutSource = HandoutSource::Seed {
    file: "002_cb64aa5bedb35d51.txt",
    part: "tcp_receive",
};

const STARTUP: &[HandoutQuote] = &[
    HandoutQuote::says(
        RECEIVE,
        "Listen for a TCP connection on a specified port, receive and display multiple messages from a single client over a single socket, and send a one-character response.",
    ),
    HandoutQuote::says(
        SEND,
        "This method creates a single TCP connection to the already-waiting server and sends multiple files to the server.",
    ),
];
const FRAMING: &[HandoutQuote] = &[
    HandoutQuote::says(
        RECEIVE,
        "For each file uploaded, the same format is used as in last week’s lab: the client first sends four (big-endian) bytes indicating the number of lines as a binary number. The client then sends each of the lines as ASCII text, terminated only by ‘n’.",
    ),
    HandoutQuote::says(
        SEND,
        "Prompt the user for each line. Send each line as it is written.",
    ),
    HandoutQuote::says(
        RECEIVE,
        "Multiple files will be sent, each as a separate message over the same TCP channel.",
    ),
    HandoutQuote::says(
        RECEIVE,
        "The client sends a message with zero lines to indicate that it is done sending messages.",
    ),
];
const STATUS_BYTES: &[HandoutQuote] = &[HandoutQuote::says(
    RECEIVE,
    "The server responds with the single ASCII character ‘A’ to indicate it accepts the file, or ‘Q’ to indicate it is quitting if the file contains zero lines.",
)];
const SAVED_FILES: &[HandoutQuote] = &[
    HandoutQuote::says(
        RECEIVE,
        "Save the message, the first message to the file 1.txt, the next message to the file 2.txt, etc.",
    ),
    HandoutQuote::says(RECEIVE, "You may optionally save the zero-line message or not."),
];
const SERVER_CLOSE: &[HandoutQuote] = &[HandoutQuote::says(
    RECEIVE,
    "The server then waits for the client to send the next file, or closes the connection if the file contained zero lines.",
)];
const CLIENT_STATUS: &[HandoutQuote] = &[HandoutQuote::says(
    SEND,
    "Await the status byte sent by the server. Report the status to the user (e.g. “File accepted”)",
)];
const COMPLETION: &[HandoutQuote] = &[
    HandoutQuote::says(SEND, "Close sockets and exit."),
    HandoutQuote::implies(RECEIVE, "Close the sockets"),
];

/// The sentences `check` enforces; `None` for a check the analyzer does not perform.
pub fn quotes(check: CheckId) -> Option<&'static [HandoutQuote]> {
    Some(match check {
        CheckId::Startup => STARTUP,
        CheckId::Framing => FRAMING,
        CheckId::StatusBytes => STATUS_BYTES,
        CheckId::SavedFiles => SAVED_FILES,
        CheckId::ServerClose => SERVER_CLOSE,
        CheckId::ClientStatus => CLIENT_STATUS,
        CheckId::Completion => COMPLETION,
        _ => return None,
    })
}
