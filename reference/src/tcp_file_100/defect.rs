//! Deliberate defects of the tcp-file-100 reference peers.
//!
//! Each defect is the mirror image of one grader check (named in a comment under it): the
//! kit's own tests run a peer with the defect and prove that the check fails. Everything
//! else the peer does stays textbook.
//!
//! The variant names are the `--defect` values on the command line (kebab-case); their doc
//! comments are its help text.

/// A deliberate defect of the tcp-file-100 server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ServerDefect {
    /// Reports every time in seconds (the same number divided by 1000) on the lines that
    /// say "in millisecond".
    // Caught by the timings check: the value is far below the connection's duration.
    Seconds,
    /// Divides the sum of the times by count - 1 for the average.
    // Caught by the average check.
    WrongAverage,
    /// Always reports 0 incorrect transfers and a 0% error rate.
    // Caught by the error-count check, under a scenario that corrupts or resets transfers.
    DishonestErrorCount,
    /// Never prints the "I am finishing receiving ..." lines.
    // Caught by the required-lines check.
    MissingLines,
}

/// A deliberate defect of the tcp-file-100 client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum ClientDefect {
    /// Sends every copy over one connection, then shuts it down: a persistent connection.
    // Caught by the connections check.
    Persistent,
    /// Reports every time in seconds (the same number divided by 1000) on the lines that
    /// say "in millisecond".
    // Caught by the timings check.
    Seconds,
    /// Divides the sum of the times by count - 1 for the average.
    // Caught by the average check.
    WrongAverage,
    /// Never prints the "I am finishing sending ..." lines.
    // Caught by the required-lines check.
    MissingLines,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defects::command_line_names as names;

    #[test]
    fn command_line_names() {
        assert_eq!(
            names::<ServerDefect>(),
            [
                "seconds",
                "wrong-average",
                "dishonest-error-count",
                "missing-lines"
            ]
        );
        assert_eq!(
            names::<ClientDefect>(),
            ["persistent", "seconds", "wrong-average", "missing-lines"]
        );
    }
}
