//! Socklab's grading engine.
//!
//! One grading run flows down through these modules and never back up:
//! a [`case`] is planned into scenarios; the [`harness`] starts the programs with the
//! [`relay`] between them, whose [`link`] breaks the network on purpose; what happened is
//! kept as [`evidence`], plain data; the case's [`analyzer`], one plug-in per protocol,
//! decodes the wire trace (with the case's [`wire`] layout) and its checks turn it into
//! outcomes, with what all checks share in [`check`]; a [`report`] renders them, and writes
//! the `--out` bundle with each run's pcap capture. Beside the run, [`explain`] tells in
//! words what a case grades and what its faults do, and [`batch`] turns many runs into a
//! class's grades. Below them all, [`wording`] says times, datagrams, payloads and points
//! the same way everywhere.
//!
//! No two of these modules import each other: `module_graph_tests` reads every
//! `crate::` path in `src/` and fails on any pair that does.

pub mod analyzer;
pub mod batch;
pub mod bench;
pub mod case;
pub mod check;
pub mod doctor;
pub mod evidence;
pub mod exit_code;
pub mod explain;
pub mod grading;
pub mod harness;
pub mod link;
#[cfg(test)]
mod module_graph_tests;
pub mod netns;
pub mod relay;
pub mod report;
pub mod wire;
pub mod wording;
