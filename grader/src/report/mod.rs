//! Reports for people and machines, rendered from a [`crate::grading::GradeReport`], and the
//! evidence bundle (`--out DIR`) with each run's capture, written from the same report.

pub mod autolab;
pub mod bundle;
pub mod classroom;
pub mod ctrf;
pub mod gradescope;
pub mod html;
pub mod json;
pub mod junit;
pub mod ladder;
pub mod leaderboard;
pub mod pcap;
pub mod prairielearn;
pub mod sanitize;
pub mod tap;
pub mod terminal;
