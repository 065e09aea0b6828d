//! A grading session: run the planned scenarios, judge each, total the points.

pub mod attempt_notes;
pub mod input_files;
pub mod judge;
pub mod mode;
pub mod produced_files;
pub mod program;
pub mod progress;
pub mod run;
pub mod session;
pub mod uploads;

pub use mode::{ChosenMode, Facilities, Mode, ModeChoice, ModeError, choose_mode};
pub use program::ProgramChoice;
pub use progress::{Progress, ProgressSink};
/// The run's old path, which `judge.rs` still imports `RunEvidence` from: left for the
/// rewrite of `judge.rs` to drop (with this line), so the two land in either order.
pub use run as scenario;
pub use run::{RunError, RunEvidence, RunSettings};
pub use session::{GradeReport, ScenarioResult, grade};
