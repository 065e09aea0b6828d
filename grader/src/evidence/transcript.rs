//! A program's transcript: every output line with the time it arrived, and how it ended.

use super::attempt::Attempts;
use crate::link::Direction;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Which of the two programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Client,
    Server,
}

impl Role {
    /// Both roles, server first (the order programs are started in).
    pub const BOTH: [Role; 2] = [Role::Server, Role::Client];

    /// The program that sent a datagram or stream travelling `direction`: the link names
    /// directions by their receiver, so `to-server` is the client's.
    pub fn sender_of(direction: Direction) -> Role {
        match direction {
            Direction::ToServer => Role::Client,
            Direction::ToClient => Role::Server,
        }
    }

    /// The program at the other end.
    pub fn peer(self) -> Role {
        match self {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Server => "server",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Which output stream a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One line of output, as the program wrote it (lossily decoded as UTF-8, without its
/// line terminator), stamped with the time since the scenario started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    #[serde(with = "crate::evidence::trace::micros")]
    pub at: Duration,
    pub stream: Stream,
    pub text: String,
}

/// How a program's run ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExitReason {
    /// It exited by itself with this status code.
    Exited { code: i32 },
    /// It was killed by a signal it was not sent by the grader (e.g. a crash).
    Signalled { signal: i32 },
    /// The grader stopped it because the scenario was complete (servers that run until
    /// stopped end this way).
    StoppedByGrader,
    /// The grader stopped it because it was still running at its deadline.
    DeadlineExceeded,
}

/// Everything one program printed and how it ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transcript {
    /// The command line that was run, for the report.
    pub command: Vec<String>,
    /// Its process id while it ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// The inode of the network namespace it ran in, in transparent mode (`net:[N]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_namespace: Option<u64>,
    pub lines: Vec<Line>,
    /// Bytes of output past the cap that were counted but not kept, per stream.
    pub dropped_stdout_bytes: u64,
    pub dropped_stderr_bytes: u64,
    /// `None` while the program has not ended.
    pub exit: Option<ExitReason>,
    /// When it ended, since the scenario started.
    #[serde(with = "crate::evidence::trace::micros_option")]
    pub ended_at: Option<Duration>,
    /// When the grader began stopping it (its first signal), if it did not exit by itself:
    /// what the program's sockets did after this was the kernel closing them, not the
    /// program.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::evidence::trace::micros_option"
    )]
    pub stopped_at: Option<Duration>,
    /// Set when a process that escaped the program's group (`setsid`) still held its output
    /// open after the group was killed: what it wrote after that is missing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub output_incomplete: bool,
    /// Its peak resident memory, in KiB (from `wait4`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_memory_kib: Option<u64>,
    /// The address-space limit it ran under, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit: Option<u64>,
    /// How long it waited for a CPU while it ran (when the kernel says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_wait: Option<CpuWait>,
    /// Running processes that had left the program's process group (`setsid`) and were
    /// killed when it ended.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub escaped_killed: u32,
    /// Set when the grader sent SIGTERM and the program was still running after the grace
    /// period, so it was killed with SIGKILL.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignored_sigterm: bool,
    /// Set when the program (or something it forked) tried to start a process or thread
    /// past its process limit and the kernel refused (its pids cgroup's `pids.events`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pids_limit_hit: bool,
    /// What it was seen trying, whether or not it worked: writes outside its directory,
    /// and every bind to a given port, its own included (whose port it was, only the
    /// judge knows). Watched where seccomp allows; elsewhere this stays empty.
    #[serde(default, skip_serializing_if = "Attempts::is_empty")]
    pub attempts: Attempts,
}

fn is_zero(count: &u32) -> bool {
    *count == 0
}

/// Time a program spent runnable but not running: how busy the machine was for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuWait {
    #[serde(with = "crate::evidence::trace::micros")]
    pub total: Duration,
    /// How many times it was scheduled in.
    pub timeslices: u64,
}

impl CpuWait {
    /// The mean wait each time it became runnable: roughly how late a timer that fired
    /// would have been served.
    pub fn mean(&self) -> Duration {
        match u32::try_from(self.timeslices) {
            Ok(0) | Err(_) => Duration::ZERO,
            Ok(count) => self.total / count,
        }
    }
}

impl Transcript {
    /// The lines of one stream, in order.
    pub fn stream(&self, stream: Stream) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(move |line| line.stream == stream)
    }

    /// `; its last error line: "..."` when the program wrote to stderr, else nothing: the
    /// tail reports add to a failure so a student sees the traceback's last word.
    pub fn last_error_note(&self) -> String {
        self.stream(Stream::Stderr)
            .last()
            .map(|line| format!("; its last error line: {:?}", line.text))
            .unwrap_or_default()
    }

    /// All of the program's output as one text, for searching.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for line in &self.lines {
            text.push_str(&line.text);
            text.push('\n');
        }
        text
    }
}
