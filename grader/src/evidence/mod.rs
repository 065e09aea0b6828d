//! What a run leaves behind: plain data that checks read and reports render.
//!
//! Evidence is serde data so that a report can be re-rendered and a check unit-tested on a
//! recorded run without running anything.

pub mod attempt;
pub mod files;
pub mod held;
pub mod run;
pub mod stream;
pub mod trace;
pub mod transcript;

pub use attempt::{Attempt, Attempts};
pub use files::{FileEvidence, PortRelease, ProducedFile, Received, first_difference};
pub use run::RunEvidence;
pub use stream::{Connection, Mark, ResetBy, Segment, StreamRecord};
pub use trace::{Fate, WireEvent, WireTrace};
pub use transcript::{CpuWait, ExitReason, Line, Role, Stream, Transcript};
