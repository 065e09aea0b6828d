//! The udp-add handout's sentences each add-numbers check enforces (lab 01, part 3 "Adding
//! two numbers", ASSIGNMENTS.md §2). The names are the handout's examples ("e.g."), not
//! phrases a program must print.

use crate::case::CheckId;
use crate::check::{HandoutQuote, HandoutSource};

const PART_3: HandoutSource = HandoutSource::Seed {
    file: "001_03c0737ca7e994b9.txt",
    part: "part 3, Adding two numbers",
};

const STARTUP: &[HandoutQuote] = &[HandoutQuote::says(
    PART_3,
    "Your server will create a string containing its name (e.g., \"Server of John Q. Smith\") and then begin accepting connections from clients.",
)];
const EXCHANGE: &[HandoutQuote] = &[
    HandoutQuote::says(
        PART_3,
        "Your client should first accept an integer between 1 and 100 from the keyboard, create aUDP socket and send a message to your server containing (i) a string containing your name (e.g., \"Client of John Q. Smith\") and (ii) the entered integer value and then wait for a sever reply.",
    ),
    HandoutQuote::says(
        PART_3,
        "iii. send its name string and the server-chosen integer value back to the client",
    ),
];
const NAMES: &[HandoutQuote] = &[
    HandoutQuote::says(
        PART_3,
        "i. print (display) the client's name (extracted from the received message) and the server's name",
    ),
    HandoutQuote::says(
        PART_3,
        "Your client should read the message sent by the server and display its name, the server's name, its integer value, and the server's integer value, and then compute and the sum.",
    ),
];
const SUM: &[HandoutQuote] = &[
    HandoutQuote::says(
        PART_3,
        "ii. itself pick an integer between 1 and 100 (it's fine for the server to use the same number all the time) and display the client's number, its number, and the sum of those numbers",
    ),
    HandoutQuote::says(
        PART_3,
        "Your client should read the message sent by the server and display its name, the server's name, its integer value, and the server's integer value, and then compute and the sum.",
    ),
];
const SHUTDOWN: &[HandoutQuote] = &[HandoutQuote::says(
    PART_3,
    "iv. if your server receives an integer value that is out of range, it should terminate after releasing any created sockets. You can use this to shut down your server.",
)];
const COMPLETION: &[HandoutQuote] = &[HandoutQuote::says(
    PART_3,
    "The client then terminates after releasing any created sockets.",
)];

/// The sentences `check` enforces; `None` for a check the analyzer does not perform.
pub fn quotes(check: CheckId) -> Option<&'static [HandoutQuote]> {
    Some(match check {
        CheckId::Startup => STARTUP,
        CheckId::Exchange => EXCHANGE,
        CheckId::Names => NAMES,
        CheckId::Sum => SUM,
        CheckId::Shutdown => SHUTDOWN,
        CheckId::Completion => COMPLETION,
        _ => return None,
    })
}
