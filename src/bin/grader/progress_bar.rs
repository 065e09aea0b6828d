//! The progress bars on stderr: `grader check`'s while scenarios run (how many runs are
//! done, which are running, how many connections a long TCP run has made), and `grader
//! batch`'s over submissions, with the class's running tally.
//!
//! indicatif draws nothing when stderr is not a terminal, so logs, pipes and CI output
//! stay clean; the bar has no colours, so `NO_COLOR` has nothing to turn off.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use socklab_grader::grading::{Progress, ProgressSink};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// A bar over `runs` scenario runs; cleared by [`RunsBar::clear`] before the report.
#[derive(Debug)]
pub struct RunsBar {
    bar: ProgressBar,
}

impl RunsBar {
    pub fn new(runs: usize) -> RunsBar {
        RunsBar {
            bar: styled_bar(runs, "runs"),
        }
    }

    /// What the grading session reports to: each run moves the bar when it ends; the
    /// message names the runs in progress, with their connections so far.
    pub fn sink(&self) -> ProgressSink {
        let bar = self.bar.clone();
        let running: Arc<Mutex<BTreeMap<String, u32>>> = Arc::default();
        ProgressSink::new(move |progress| {
            let Ok(mut running) = running.lock() else {
                return;
            };
            match progress {
                Progress::Started { key } => {
                    running.insert(key.to_owned(), 0);
                }
                Progress::Connections { key, opened } => {
                    running.insert(key.to_owned(), opened);
                }
                Progress::Finished { key } => {
                    running.remove(key);
                    bar.inc(1);
                }
                // Said whether or not a bar is drawn: how long the build took, once.
                Progress::Built { dir, command, took } => bar.suspend(|| {
                    eprintln!(
                        "note: built {} with `{command}` in {:.1} s",
                        dir.display(),
                        took.as_secs_f64()
                    );
                }),
            }
            bar.set_message(describe(&running));
        })
    }

    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

/// A bar over a batch's submissions; its message is the tally so far.
#[derive(Debug)]
pub struct SubmissionsBar {
    bar: ProgressBar,
    tally: Mutex<Tally>,
}

/// The submissions done so far, for [`SubmissionsBar`]'s message.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Tally {
    pub graded: usize,
    pub kept: usize,
    pub errors: usize,
    pub score: f64,
    pub max: f64,
}

impl SubmissionsBar {
    pub fn new(submissions: usize) -> SubmissionsBar {
        SubmissionsBar {
            bar: styled_bar(submissions, "submissions"),
            tally: Mutex::default(),
        }
    }

    /// Counts one more submission done: `kept` when an earlier result still held,
    /// `error` when the grader could not judge it; with its score out of `max`.
    pub fn done(&self, outcome: Done, score: f64, max: f64) {
        let Ok(mut tally) = self.tally.lock() else {
            return;
        };
        match outcome {
            Done::Graded => tally.graded += 1,
            Done::Kept => tally.kept += 1,
            Done::Error => tally.errors += 1,
        }
        tally.score += score;
        tally.max += max;
        self.bar.inc(1);
        self.bar.set_message(describe_tally(&tally));
    }

    /// The tally at the end.
    pub fn tally(&self) -> Tally {
        self.tally.lock().map(|tally| *tally).unwrap_or_default()
    }

    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

/// How a submission was done, for the tally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    Graded,
    Kept,
    Error,
}

/// `3 graded, 1 kept, 0 errors, mean 61.2%`.
pub fn describe_tally(tally: &Tally) -> String {
    let mean = if tally.max > 0.0 {
        format!(", mean {:.1}%", 100.0 * tally.score / tally.max)
    } else {
        String::new()
    };
    format!(
        "{} graded, {} kept, {} errors{mean}",
        tally.graded, tally.kept, tally.errors
    )
}

/// A bar on stderr over `length` things called `unit`: `[00:00:03] ===>   2/4 runs  …`.
fn styled_bar(length: usize, unit: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(u64::try_from(length).unwrap_or(u64::MAX)),
        ProgressDrawTarget::stderr(),
    );
    let template = format!("[{{elapsed_precise}}] {{bar:30}} {{pos}}/{{len}} {unit}  {{wide_msg}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// `lost-packet, file-100kib (37 connections)`.
fn describe(running: &BTreeMap<String, u32>) -> String {
    let names: Vec<String> = running
        .iter()
        .map(|(key, opened)| match opened {
            0 => key.clone(),
            1 => format!("{key} (1 connection)"),
            _ => format!("{key} ({opened} connections)"),
        })
        .collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tally_counts_each_kind_and_the_mean() {
        let bar = SubmissionsBar::new(3);
        bar.done(Done::Graded, 25.0, 25.0);
        bar.done(Done::Kept, 0.0, 25.0);
        bar.done(Done::Error, 0.0, 0.0);
        assert_eq!(
            describe_tally(&bar.tally()),
            "1 graded, 1 kept, 1 errors, mean 50.0%"
        );
        assert_eq!(
            describe_tally(&Tally::default()),
            "0 graded, 0 kept, 0 errors"
        );
    }

    #[test]
    fn the_message_names_running_runs_and_their_connections() {
        let mut running = BTreeMap::new();
        assert_eq!(describe(&running), "");
        running.insert("lost-packet".to_owned(), 0);
        running.insert("file-100kib".to_owned(), 37);
        running.insert("sliced".to_owned(), 1);
        assert_eq!(
            describe(&running),
            "file-100kib (37 connections), lost-packet, sliced (1 connection)"
        );
    }
}
