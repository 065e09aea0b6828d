//! How much a bench run measures: the default (under two minutes), `--quick` (a few
//! seconds, for the smoke test) and the optional scale runs.

use std::path::PathBuf;
use std::time::Duration;

/// The sizes of one bench run.
#[derive(Clone, Debug)]
pub struct BenchPlan {
    /// Ping-pong round trips per path, after the warm-up.
    pub round_trips: usize,
    /// Round trips per block; direct and relay blocks alternate.
    pub block: usize,
    /// Sending time per path and datagram size in the throughput test.
    pub throughput_time: Duration,
    /// Datagrams kept in flight in the throughput test.
    pub window: usize,
    /// Delayed datagrams per delay test (constant, scripted, jitter).
    pub delay_samples: usize,
    /// Times `grader check rdt3` is run (none: the grading loop is not measured).
    pub grading_runs: usize,
    /// Batch sizes to grade (`--scale`), and the submission they copy.
    pub scale: Option<ScalePlan>,
    /// The grader binary to run for the grading loop and the scale runs.
    pub grader: PathBuf,
}

/// `grader batch` over copies of one submission.
#[derive(Clone, Debug)]
pub struct ScalePlan {
    pub submission: PathBuf,
    pub sizes: Vec<usize>,
    pub jobs: usize,
}

/// The datagram sizes of the throughput test.
pub const THROUGHPUT_SIZES: [usize; 2] = [64, 1400];

impl BenchPlan {
    /// The full measurement: about a minute.
    pub fn standard(grader: PathBuf) -> BenchPlan {
        BenchPlan {
            round_trips: 20_000,
            block: 1_000,
            throughput_time: Duration::from_secs(2),
            window: 32,
            delay_samples: 300,
            grading_runs: 3,
            scale: None,
            grader,
        }
    }

    /// A few seconds: every part runs, with small counts.
    pub fn quick(grader: PathBuf) -> BenchPlan {
        BenchPlan {
            round_trips: 400,
            block: 100,
            throughput_time: Duration::from_millis(200),
            window: 32,
            delay_samples: 20,
            grading_runs: 1,
            scale: None,
            grader,
        }
    }
}
