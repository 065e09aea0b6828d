//! The udp-file handout's sentences each file-transfer check enforces (lab 01, part 4 "File
//! Transfer", ASSIGNMENTS.md §3). The part is four sentences; what it leaves open (the
//! name the copy is saved under, the command line's order, how the client prints) is the
//! student's choice, and the checks leave it so.

use crate::case::CheckId;
use crate::check::{HandoutQuote, HandoutSource};

const PART_4: HandoutSource = HandoutSource::Seed {
    file: "001_03c0737ca7e994b9.txt",
    part: "part 4, File Transfer",
};

const END_OF_FILE: &str =
    "End of file is detected when the size of the chunk is less than 2048";

const STARTUP: &[HandoutQuote] = &[HandoutQuote::says(
    PART_4,
    "The client is invoked with the name of the file to be transferred",
)];
const REQUEST: &[HandoutQuote] = &[HandoutQuote::says(
    PART_4,
    "The client sends a datagram to the server with the file name in the server's file system",
)];
const BLOCK_SIZES: &[HandoutQuote] = &[
    HandoutQuote::says(PART_4, "The server sends the file in 2048 bytes chunks."),
    HandoutQuote::says(PART_4, END_OF_FILE),
];
const FILE_COPY: &[HandoutQuote] = &[HandoutQuote::says(
    PART_4,
    "Client receives the blocks and writes them to its local disk.",
)];
const COMPLETION: &[HandoutQuote] = &[HandoutQuote::implies(PART_4, END_OF_FILE)];

/// The sentences `check` enforces; `None` for a check the analyzer does not perform.
pub fn quotes(check: CheckId) -> Option<&'static [HandoutQuote]> {
    Some(match check {
        CheckId::Startup => STARTUP,
        CheckId::Request => REQUEST,
        CheckId::BlockSizes => BLOCK_SIZES,
        CheckId::FileCopy => FILE_COPY,
        CheckId::Completion => COMPLETION,
        _ => return None,
    })
}
