//! Starting, watching and stopping the programs of one scenario.

pub mod cpu_wait;
pub mod group;
pub mod output;
pub mod ports;
pub mod process;
pub mod submission;
pub mod template;
