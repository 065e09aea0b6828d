//! `grader bench`: the grader's own performance, measured side by side in one run — the
//! relay against direct loopback (latency, windowed throughput), the precision of its
//! delays, and the cost of the grading loop — as a table and one JSON line.
//!
//! Every measurement here reports; none asserts. Targets are compared in [`report`], and
//! the tests check the shape of the figures, never a timing.

pub mod delay;
pub mod echo;
pub mod grading_loop;
pub mod latency;
pub mod plain_relay;
pub mod plan;
pub mod relay_under_test;
pub mod report;
pub mod run;
pub mod scale;
pub mod sequence;
pub mod stats;
pub mod throughput;

pub use plan::BenchPlan;
pub use report::BenchReport;
pub use run::run;
