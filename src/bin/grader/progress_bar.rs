//! The progress bar `grader check` shows on stderr while scenarios run: how many runs are
//! done, which are running, and how many connections a long TCP run has made.
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
        let bar = ProgressBar::with_draw_target(
            Some(u64::try_from(runs).unwrap_or(u64::MAX)),
            ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = ProgressStyle::with_template(
            "[{elapsed_precise}] {bar:30} {pos}/{len} runs  {wide_msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        RunsBar { bar }
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
            }
            bar.set_message(describe(&running));
        })
    }

    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
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
