//! `grader package PLATFORM`: what a grading platform needs to grade a case with this
//! grader — its entry script, the grader binary (the running executable, which holds the
//! reference peers too), and the case file — as a Gradescope `autograder.zip`, a
//! PrairieLearn external-grader directory, or a GitHub Classroom / Actions workflow.

mod command;
mod plan;
mod scripts;
mod write;

pub use command::{PackageArgs, package};
