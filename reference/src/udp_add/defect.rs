//! Deliberate defects of the udp-add reference peers.
//!
//! Each defect is the mirror image of one grader check (named in a comment under it): the
//! kit's own tests run a peer with the defect and prove that the check fails, and only that
//! one. Everything else the peer does stays textbook.
//!
//! The variant names are the `--defect` values on the command line (kebab-case); their doc
//! comments are its help text.

use std::time::Duration;

/// How long `hold-port` keeps the socket open after the server has "shut down": far longer
/// than any case waits before binding the port again.
pub const HOLD_PORT_FOR: Duration = Duration::from_secs(60);

/// A deliberate defect of the udp-add server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ServerDefect {
    /// Prints the sum off by one (client + server + 1); the reply is still right.
    // Caught by the sum check.
    WrongSum,
    /// On an out-of-range integer prints the shutdown line but keeps serving. Wins over
    /// hold-port when both are given.
    // Caught by the shutdown check: the process is still running.
    NoShutdown,
    /// On an out-of-range integer exits, but a forked child keeps the socket open for 60 s.
    // Caught by the shutdown check: the port cannot be bound again.
    HoldPort,
    /// Does not print the client's name line.
    // Caught by the names check.
    NoClientName,
}

/// A deliberate defect of the udp-add client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ClientDefect {
    /// Prints the sum off by one (client + server + 1).
    // Caught by the sum check.
    WrongSum,
    /// Does not print the server's name line.
    // Caught by the names check.
    NoServerName,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defects::command_line_names as names;

    #[test]
    fn command_line_names() {
        assert_eq!(
            names::<ServerDefect>(),
            ["wrong-sum", "no-shutdown", "hold-port", "no-client-name"]
        );
        assert_eq!(names::<ClientDefect>(), ["wrong-sum", "no-server-name"]);
    }
}
