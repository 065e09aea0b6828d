//! What a program tried that the sandbox is there to stop, as the grader saw it happen.
//!
//! The sandbox refuses these by itself (read-only mounts, ports the relay holds); a refusal
//! leaves no trace but the program's own complaint, which a report cannot take at its
//! word. So the grader watches the system calls that could write a file or take a port
//! (`harness::syscall_watch`) and keeps what it saw here, for the report to name in its
//! own words.

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// One thing a program (or anything it started) tried.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attempt {
    /// It opened a file for writing, created, renamed or removed one, or made a directory,
    /// outside its own directory. `path` is absolute, as the program's relative path
    /// resolved against its working directory (or the directory its `*at` call named);
    /// symbolic links are not followed.
    WriteOutside {
        path: PathBuf,
        /// When, since the scenario started.
        #[serde(with = "crate::evidence::trace::micros")]
        at: Duration,
    },
    /// It bound an IPv4 or IPv6 socket to an address with a port (port 0 asks for any
    /// port, and is not kept). Whose port that was is for the judge to say: only it knows
    /// the run's ports.
    Bind {
        address: SocketAddr,
        /// When, since the scenario started.
        #[serde(with = "crate::evidence::trace::micros")]
        at: Duration,
    },
}

impl Attempt {
    /// When it happened, since the scenario started.
    pub fn at(&self) -> Duration {
        match self {
            Attempt::WriteOutside { at, .. } | Attempt::Bind { at, .. } => *at,
        }
    }
}

/// Everything a program was seen trying, up to [`Attempts::KEPT`] of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempts {
    /// The first attempts, in the order they were made.
    pub kept: Vec<Attempt>,
    /// Attempts past the first [`Attempts::KEPT`], counted but not kept.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub more: u64,
}

impl Attempts {
    /// How many attempts are kept per program: enough to name what it tried, few enough
    /// that a loop of attempts cannot grow the grader.
    pub const KEPT: usize = 64;

    /// Keeps `attempt`, or counts it once [`Self::KEPT`] are kept.
    pub fn record(&mut self, attempt: Attempt) {
        if self.kept.len() < Self::KEPT {
            self.kept.push(attempt);
        } else {
            self.more += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.more == 0
    }
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_limit_attempts_are_counted_not_kept() {
        let mut attempts = Attempts::default();
        assert!(attempts.is_empty());
        for port in 0..70_u16 {
            attempts.record(Attempt::Bind {
                address: SocketAddr::from(([127, 0, 0, 1], 1000 + port)),
                at: Duration::from_millis(u64::from(port)),
            });
        }
        assert_eq!(attempts.kept.len(), Attempts::KEPT);
        assert_eq!(attempts.more, 6);
        assert_eq!(attempts.kept[1].at(), Duration::from_millis(1));
        assert!(!attempts.is_empty());
    }

    #[test]
    fn round_trips_through_json() {
        let mut attempts = Attempts::default();
        attempts.record(Attempt::WriteOutside {
            path: PathBuf::from("/work/run/server/planted.txt"),
            at: Duration::from_micros(1500),
        });
        let json = serde_json::to_string(&attempts).unwrap();
        assert_eq!(
            json,
            r#"{"kept":[{"write-outside":{"path":"/work/run/server/planted.txt","at":1500}}]}"#
        );
        assert_eq!(serde_json::from_str::<Attempts>(&json).unwrap(), attempts);
    }
}
