//! Typing a scenario's keyboard input into a program: all at once, or a line after each
//! prompt, then closing stdin so a program that reads to the end finishes.

use super::output::OutputWatch;
use super::queued_bytes::{Queue, queued};
use std::io::Write;
use std::os::fd::AsFd;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A condition the typist waits for before each line, besides the prompt: e.g. that the
/// previous line has gone all the way to the server, as it would with a person typing.
#[derive(Clone)]
pub struct TypingGate(pub Arc<dyn Fn() -> bool + Send + Sync>);

impl std::fmt::Debug for TypingGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TypingGate")
    }
}

impl PartialEq for TypingGate {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for TypingGate {}

/// How often a closed gate is looked at again.
const GATE_POLL: Duration = Duration::from_micros(200);

/// What a program reads on stdin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StdinInput {
    /// Written at once, then closed: `echo 42 | program`.
    Whole(Vec<u8>),
    /// Each line (with its newline) written once the program has printed something since
    /// the previous one (its prompt), or after `prompt_timeout` without one; then closed.
    AfterPrompt {
        lines: Vec<Vec<u8>>,
        prompt_timeout: Duration,
        /// Also waited for (up to `prompt_timeout`) before each line but the first.
        gate: Option<TypingGate>,
    },
}

/// How long to wait for a role prompt before typing the answer anyway, when the scenario
/// types nothing else (the same as a case's default `prompt-timeout`).
const ROLE_PROMPT_TIMEOUT: Duration = Duration::from_secs(2);

impl StdinInput {
    /// Lines typed after each prompt, each ended by a newline.
    pub fn after_prompt<S: AsRef<str>>(lines: &[S], prompt_timeout: Duration) -> StdinInput {
        StdinInput::AfterPrompt {
            lines: lines
                .iter()
                .map(|line| format!("{}\n", line.as_ref()).into_bytes())
                .collect(),
            prompt_timeout,
            gate: None,
        }
    }

    /// `answer` typed first, at the program's first prompt, then `then` as it would have
    /// been typed: a one-program submission is told which role it plays before it is
    /// given anything else.
    pub fn after_answer(answer: &str, then: Option<StdinInput>) -> StdinInput {
        let answer = format!("{answer}\n").into_bytes();
        match then {
            None => StdinInput::AfterPrompt {
                lines: vec![answer],
                prompt_timeout: ROLE_PROMPT_TIMEOUT,
                gate: None,
            },
            Some(StdinInput::Whole(bytes)) => StdinInput::Whole([answer, bytes].concat()),
            Some(StdinInput::AfterPrompt {
                lines,
                prompt_timeout,
                gate,
            }) => StdinInput::AfterPrompt {
                lines: std::iter::once(answer).chain(lines).collect(),
                prompt_timeout,
                gate,
            },
        }
    }

    /// The same input, typed after each prompt only once `gate` also holds (whole input
    /// has no lines to wait between).
    pub fn with_gate(self, gate: Option<TypingGate>) -> StdinInput {
        match self {
            StdinInput::AfterPrompt {
                lines,
                prompt_timeout,
                ..
            } => StdinInput::AfterPrompt {
                lines,
                prompt_timeout,
                gate,
            },
            whole => whole,
        }
    }
}

/// Writes `input` to `pipe` and closes it. A program that exits without reading gets
/// EPIPE here; what it printed is what is judged, so a failed write just ends the feed.
pub(crate) fn feed(mut pipe: impl Write + AsFd, input: StdinInput, output: &OutputWatch) {
    match input {
        StdinInput::Whole(bytes) => {
            let _ = pipe.write_all(&bytes);
        }
        StdinInput::AfterPrompt {
            lines,
            prompt_timeout,
            gate,
        } => {
            let mut seen = 0;
            for (index, line) in lines.into_iter().enumerate() {
                // A line is typed for output that comes after the program has read the
                // line before (its next prompt): output printed in pieces (Python's
                // `print("Connected to", address)` writes each argument on its own) is not
                // a prompt each, and a program never finds two lines waiting for one read.
                if index > 0 {
                    let deadline = Instant::now() + prompt_timeout;
                    while queued(pipe.as_fd(), Queue::Unread).is_some_and(|unread| unread > 0)
                        && Instant::now() < deadline
                        && !output.ended()
                    {
                        std::thread::park_timeout(GATE_POLL);
                    }
                }
                // Either a prompt appeared, or the wait timed out and the line is typed
                // anyway; the program's own pace decides nothing beyond that.
                if let Some(printed) = output.wait_beyond(seen, Instant::now() + prompt_timeout) {
                    seen = printed;
                } else if output.ended() {
                    return;
                } else {
                    seen = output.bytes_read();
                }
                // The prompt came after the program acted on the previous line; the gate
                // says when that action has settled outside it (the network), so it is
                // looked at again until it holds or the prompt timeout passes.
                if let (Some(gate), true) = (&gate, index > 0) {
                    let deadline = Instant::now() + prompt_timeout;
                    while !(gate.0)() && Instant::now() < deadline && !output.ended() {
                        std::thread::park_timeout(GATE_POLL);
                    }
                }
                if pipe.write_all(&line).and_then(|()| pipe.flush()).is_err() {
                    return;
                }
            }
        }
    }
    // Dropping the pipe closes the program's stdin.
}
