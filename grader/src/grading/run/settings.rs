//! What a grading session holds fixed across the runs of its scenarios.

use crate::grading::mode::ChosenMode;
use crate::grading::program::ProgramChoice;
use crate::grading::progress::ProgressSink;
use crate::grading::replay::Replay;
use std::path::PathBuf;
use std::time::Duration;

/// What a grading session holds fixed across its scenarios.
#[derive(Clone, Debug)]
pub struct RunSettings {
    /// The run's seed; each scenario and direction gets its own stream from it.
    pub seed: u64,
    pub client: ProgramChoice,
    pub server: ProgramChoice,
    /// The argv prefix that starts a reference peer (`[grader, "reference"]`).
    pub reference_launcher: Vec<String>,
    /// Where each run gets its fresh directories.
    pub work_root: PathBuf,
    /// Overrides every scenario's budget (`--budget`).
    pub budget: Option<Duration>,
    /// The mode, with why it was chosen (for the report).
    pub mode: ChosenMode,
    /// Directories no program may read: the grader's own directory, `--out`, `--hide`.
    pub hidden: Vec<PathBuf>,
    /// Overrides the address-space limit of every program (`--memory-limit`).
    pub memory_limit: Option<u64>,
    /// Told of each run as it starts and ends, and of each TCP connection as it opens.
    pub progress: Option<ProgressSink>,
    /// The command line that grades again as this session does, for the report.
    pub replay: Replay,
    /// How long building a compiled submission may take (`--build-budget`).
    pub build_budget: Duration,
    /// Where builds are kept for the next `grader check` of the same submission
    /// (`grader batch`'s `--build-cache`); `None`: built in the work directory.
    pub build_cache: Option<PathBuf>,
}
