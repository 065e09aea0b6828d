//! The `reference` command line: `reference <assignment> <role> [options]`.
//!
//! Course scripts and the grader's cases call these exact flags, so they are an interface.
//! Each assignment is a subcommand of its own, its roles subcommands below it, and each
//! assignment owns its roles' options (`<assignment>/cli.rs`); this file holds only the
//! dispatch and what every peer shares (exit codes, the error line, the port
//! announcement), so the next assignment is one more variant of `Assignment`.

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::{rdt3, tcp_file_100, tcp_lines, tcp_over_udp, udp_add, udp_file};

/// The peer ran and finished as it should.
pub const EXIT_SUCCESS: u8 = 0;
/// The peer stopped on an error (stated on stderr).
pub const EXIT_FAILURE: u8 = 1;
/// The command line was wrong (clap's usage-error code).
pub const EXIT_USAGE: u8 = 2;

/// Parses `args` (the first is the program name) and runs the chosen peer.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version are "errors" too; clap knows which stream and code each gets.
            // If even that print fails there is nowhere left to report it.
            let _ = error.print();
            return ExitCode::from(parse_exit_code(&error));
        }
    };
    let result = match cli.assignment {
        Assignment::Rdt3 { role } => role.run(),
        Assignment::UdpAdd { role } => role.run(),
        Assignment::UdpFile { role } => role.run(),
        Assignment::TcpLines { role } => role.run(),
        Assignment::TcpFile100 { role } => role.run(),
        Assignment::TcpOverUdp { role } => role.run(),
    };
    match result {
        Ok(()) => ExitCode::from(EXIT_SUCCESS),
        Err(error) => {
            report(&*error);
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// `listening on PORT` on stderr, for a server asked to pick its own port: stdout is the
/// transcript the grader checks, so the port must not appear there.
pub(crate) fn announce_port(port: u16) {
    // Nothing more can be done if stderr itself is gone.
    let _ = writeln!(io::stderr(), "listening on {port}");
}

/// Parses a command line given without the program name, as the tests of every
/// assignment's command line do.
#[cfg(test)]
pub(crate) fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("reference").chain(args.iter().copied()))
}

/// Known-good (or deliberately defective) peers for Socklab's assignments.
#[derive(Debug, Parser)]
#[command(name = "reference", version)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) assignment: Assignment,
}

/// One subcommand per assignment (ASSIGNMENTS.md).
#[derive(Debug, Subcommand)]
pub(crate) enum Assignment {
    /// rdt 3.0 over UDP: alternating-bit sender, rdt 2.2 receiver, MD5 checksums.
    Rdt3 {
        #[command(subcommand)]
        role: rdt3::cli::Role,
    },
    /// Add two numbers over UDP: name and integer each way; out of 1-100 stops the server.
    UdpAdd {
        #[command(subcommand)]
        role: udp_add::cli::Role,
    },
    /// File transfer over UDP in 2048-byte blocks, ended by a shorter (maybe empty) one.
    UdpFile {
        #[command(subcommand)]
        role: udp_file::cli::Role,
    },
    /// Line upload over one TCP connection: per file a count and the lines, A or Q back.
    TcpLines {
        #[command(subcommand)]
        role: tcp_lines::cli::Role,
    },
    /// The same file sent 100 times over TCP, one connection per transfer, with timing.
    // Named by hand: clap's kebab-case says "tcp-file100".
    #[command(name = "tcp-file-100")]
    TcpFile100 {
        #[command(subcommand)]
        role: tcp_file_100::cli::Role,
    },
    /// A TCP-like transport over UDP: handshake, stop-and-wait segments, FIN close.
    TcpOverUdp {
        #[command(subcommand)]
        role: tcp_over_udp::cli::Role,
    },
}

/// Help and version requests succeed; anything else clap refuses is a usage error.
fn parse_exit_code(error: &clap::Error) -> u8 {
    if error.use_stderr() {
        EXIT_USAGE
    } else {
        EXIT_SUCCESS
    }
}

/// `error: outer: inner: innermost` on stderr, one line, the whole chain of causes.
fn report(error: &dyn std::error::Error) {
    let mut line = format!("error: {error}");
    let mut cause = error.source();
    while let Some(inner) = cause {
        line.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    // Nothing more can be done if stderr itself is gone.
    let _ = writeln!(io::stderr(), "{line}");
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn usage_errors() {
        for args in [
            &[
                "rdt3",
                "client",
                "--host",
                "h",
                "--port",
                "1",
                "--message",
                "NCC-1701-D",
            ][..],
            &[
                "rdt3", "client", "--host", "h", "--port", "1", "--timer", "soon",
            ],
            &[
                "rdt3",
                "client",
                "--host",
                "h",
                "--port",
                "1",
                "--defect",
                "ack-new-seq",
            ],
            &["rdt3", "server", "--port", "70000"],
            &["rdt3", "server"],
            &["udp-add", "server"],
            &["udp-add", "server", "--port", "1", "--number", "0"],
            &["udp-add", "server", "--port", "1", "--number", "101"],
            &[
                "udp-add",
                "server",
                "--port",
                "1",
                "--defect",
                "no-server-name",
            ],
            &["udp-add", "client", "--port", "1"],
            &[
                "udp-add",
                "client",
                "--host",
                "h",
                "--port",
                "1",
                "--reply-timeout",
                "soon",
            ],
            &["udp-file", "client", "--host", "h", "--port", "1"],
            &["udp-file", "server", "--port", "1", "--defect", "text-mode"],
            &[
                "tcp-lines",
                "server",
                "--port",
                "1",
                "--defect",
                "crlf-lines",
            ],
            &["tcp-lines", "client", "--port", "1"],
            &["tcp-file100", "server", "--port", "1", "--file", "f"],
            &["tcp-file-100", "server", "--port", "1"],
            &[
                "tcp-file-100",
                "server",
                "--port",
                "1",
                "--file",
                "f",
                "--count",
                "0",
            ],
            &[
                "tcp-file-100",
                "client",
                "--host",
                "h",
                "--port",
                "1",
                "--file",
                "f",
                "--defect",
                "dishonest-error-count",
            ],
            &["tcp-over-udp", "server"],
            &["tcp-over-udp", "server", "--port", "5005"],
            &["tcp-over-udp", "client", "5005"],
            &["tcp-over-udp", "client", "h", "1", "--rto", "soon"],
            &["tcp-over-udp", "server", "1", "--defect", "text-only"],
        ] {
            let error = parse(args).unwrap_err();
            assert!(error.use_stderr(), "{args:?}");
            assert_eq!(error.exit_code(), i32::from(EXIT_USAGE), "{args:?}");
        }
    }

    #[test]
    fn help_and_version_exit_zero() {
        for args in [
            &["--help"][..],
            &["--version"],
            &["rdt3", "client", "--help"],
            &["udp-add", "server", "--help"],
            &["udp-file", "client", "--help"],
            &["tcp-lines", "server", "--help"],
            &["tcp-file-100", "client", "--help"],
            &["tcp-over-udp", "server", "--help"],
        ] {
            assert_eq!(
                parse_exit_code(&parse(args).unwrap_err()),
                EXIT_SUCCESS,
                "{args:?}"
            );
        }
        let error = parse(&["rdt3", "client", "--bogus"]).unwrap_err();
        assert_eq!(parse_exit_code(&error), EXIT_USAGE);
    }
}
