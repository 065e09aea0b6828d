//! The wire formats and log-line grammars of Socklab's assignments, shared by the grader
//! (which reads what students' programs sent and printed) and the reference peers (which
//! send and print them), so the two cannot drift apart.
//!
//! One folder per protocol. Wire types come in smoltcp's pairs: a checked byte view with
//! a `field` module of byte ranges, and a parsed `Repr` (or plain struct) with `parse` and
//! `emit`. Nothing here opens a socket or reads a clock.

pub mod ordinal;
pub mod rdt3;
pub mod tcp_over_udp;
pub mod udp_add;

pub use ordinal::Ordinal;
