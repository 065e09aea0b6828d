//! Reports for people and machines, rendered from a [`crate::grading::GradeReport`].

pub mod classroom;
pub mod gradescope;
pub mod html;
pub mod json;
pub mod junit;
pub mod ladder;
pub mod sanitize;
pub mod terminal;
