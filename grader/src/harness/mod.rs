//! Starting, watching and stopping the programs of one scenario.

pub mod bind_gate;
pub mod cgroup_location;
mod cgroup_removal;
#[cfg(test)]
mod containment_tests;
pub mod cpu_wait;
pub mod exit_bell;
pub mod file_confinement;
pub mod group;
pub mod limits;
mod line_splitter;
#[cfg(test)]
mod namespace_isolation_tests;
pub mod orphans;
pub mod output;
pub mod own_sockets;
mod pidfd;
pub mod pids_cgroup;
pub mod ports;
mod probe;
pub mod process;
pub mod process_budget;
pub mod queued_bytes;
pub mod stdin_feed;
pub mod submission;
pub mod syscall_filter;
pub mod syscall_watch;
pub mod template;
#[cfg(test)]
mod test_programs;
pub mod watched_call;
