//! Socklab's integration tests, one module per subject; this list is the table of contents.

mod util;

mod batch;
mod bench;
mod case_errors;
mod case_example;
mod defects;
mod determinism;
mod doctor;
mod examples;
mod explain;
mod grader_panic;
mod hostile;
mod html_report;
mod lint;
mod package;
mod pcap;
mod preload;
mod proxy;
mod reference_run;
mod report_formats;
mod schema;
mod tcp_file_100;
mod tcp_lines;
mod tcp_over_udp;
mod terminal_output;
mod timer_stability;
mod transparent;
mod udp_add;
mod udp_file;
mod unprivileged;
