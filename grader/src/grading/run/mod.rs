//! One run of one planned scenario, as a table of contents: prepare the directories,
//! addresses and inputs, start the server, start the network between the programs, start
//! the client, wait until the completion rule calls the run over, collect the evidence.
//! [`run_scenario`] reads in that order; each step lives in its own file.

mod addressing;
mod bind_gates;
mod client_probe;
mod collect;
mod completion;
mod directories;
mod error;
mod inputs;
mod network;
mod network_start;
mod notes;
mod programs;
mod scenario;
mod server_probe;
mod server_reach;
mod settings;
mod socket_dirs;
mod startup_failure;
mod waiting;

pub use bind_gates::POLLING_ONLY;
pub use client_probe::probe_client;
pub use completion::{
    CompletionEvent, CompletionRule, CompletionTerms, OverBecause, STARTUP_LIMIT, Verdict,
};
pub use error::RunError;
pub use scenario::{PANIC_AFTER_SERVER_STARTS, run_scenario};
pub use server_probe::probe_server;
pub use settings::RunSettings;
