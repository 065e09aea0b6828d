//! Typing a scenario's keyboard input into a program: all at once, or a line after each
//! prompt, then closing stdin so a program that reads to the end finishes.

use super::output::OutputWatch;
use std::io::Write;
use std::time::{Duration, Instant};

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
    },
}

impl StdinInput {
    /// Lines typed after each prompt, each ended by a newline.
    pub fn after_prompt<S: AsRef<str>>(lines: &[S], prompt_timeout: Duration) -> StdinInput {
        StdinInput::AfterPrompt {
            lines: lines
                .iter()
                .map(|line| format!("{}\n", line.as_ref()).into_bytes())
                .collect(),
            prompt_timeout,
        }
    }
}

/// Writes `input` to `pipe` and closes it. A program that exits without reading gets
/// EPIPE here; what it printed is what is judged, so a failed write just ends the feed.
pub(crate) fn feed(mut pipe: impl Write, input: StdinInput, output: &OutputWatch) {
    match input {
        StdinInput::Whole(bytes) => {
            let _ = pipe.write_all(&bytes);
        }
        StdinInput::AfterPrompt {
            lines,
            prompt_timeout,
        } => {
            let mut seen = 0;
            for line in lines {
                // Either a prompt appeared, or the wait timed out and the line is typed
                // anyway; the program's own pace decides nothing beyond that.
                if let Some(printed) = output.wait_beyond(seen, Instant::now() + prompt_timeout) {
                    seen = printed;
                } else if output.ended() {
                    return;
                } else {
                    seen = output.bytes_read();
                }
                if pipe.write_all(&line).and_then(|()| pipe.flush()).is_err() {
                    return;
                }
            }
        }
    }
    // Dropping the pipe closes the program's stdin.
}
