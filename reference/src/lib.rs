//! Known-good client and server peers for Socklab's assignments.
//!
//! Each assignment's protocol logic is a sans-IO machine (time and bytes in, decisions
//! out) with a thin socket loop around it; each peer also carries deliberate defects so
//! the grader's own tests can prove that every check catches the defect it exists for.

pub mod address;
pub mod cli;
pub mod defects;
pub mod printable;
pub mod rdt3;
pub mod socket_error;
pub mod tcp_file_100;
pub mod tcp_lines;
pub mod tcp_over_udp;
pub mod udp_add;
pub mod udp_file;
pub mod wait;
