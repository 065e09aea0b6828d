//! The add-numbers analyzer (udp-add, ASSIGNMENTS.md §2), without knowing the student's
//! message format: the grader knows the integer it typed, finds the names and the server's
//! integer on the wire and in the outputs, and checks what each program shows.

mod checks;
pub mod conversation;
pub mod exchange;
mod handout;
pub mod numbers;
mod params;
mod plugin;
mod sent_name;
pub mod shown;
pub mod shutdown;

pub use checks::{AddNumbersEvidence, COMPLETION, run_checks};
pub use numbers::{Typed, integers_in};
pub use params::{AddNumbersParams, NamePatterns};
pub use plugin::{AddNumbersJudge, NameMatchers};

#[cfg(test)]
mod tests;
