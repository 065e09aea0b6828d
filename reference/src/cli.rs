//! The `reference` command line: `reference <assignment> <role> [options]`.
//!
//! Course scripts and the grader's cases call these exact flags, so they are an interface.
//! Each assignment is a subcommand of its own, its roles subcommands below it, so the next
//! assignment (`reference udp-add ...`) is one more variant of `Assignment`.

use std::ffi::OsString;
use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::rdt3::client::{self as rdt3_client, ClientConfig};
use crate::rdt3::packet::{DATA_LEN, data_from_text};
use crate::rdt3::server::Server;
use crate::rdt3::{ClientDefect, ServerDefect};

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
        Assignment::Rdt3 {
            role: Rdt3Role::Server(args),
        } => run_rdt3_server(&args),
        Assignment::Rdt3 {
            role: Rdt3Role::Client(args),
        } => run_rdt3_client(args),
    };
    match result {
        Ok(()) => ExitCode::from(EXIT_SUCCESS),
        Err(error) => {
            report(&*error);
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Known-good (or deliberately defective) peers for Socklab's assignments.
#[derive(Debug, Parser)]
#[command(name = "reference", version)]
struct Cli {
    #[command(subcommand)]
    assignment: Assignment,
}

/// One subcommand per assignment (ASSIGNMENTS.md).
#[derive(Debug, Subcommand)]
enum Assignment {
    /// rdt 3.0 over UDP: alternating-bit sender, rdt 2.2 receiver, MD5 checksums.
    Rdt3 {
        #[command(subcommand)]
        role: Rdt3Role,
    },
}

#[derive(Debug, Subcommand)]
enum Rdt3Role {
    /// The receiver: delivers each message once, ACKs every datagram; runs until killed.
    Server(Rdt3ServerArgs),
    /// The sender: sends each message with seq 0, 1, 0, ... and retransmits on timeout.
    Client(Rdt3ClientArgs),
}

#[derive(Debug, Args)]
struct Rdt3ServerArgs {
    /// Port to listen on (0 picks a free one, shown on the first line).
    #[arg(long)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<ServerDefect>,
}

#[derive(Debug, Args)]
struct Rdt3ClientArgs {
    /// The server's host name or address.
    #[arg(long)]
    host: String,
    /// The server's port.
    #[arg(long)]
    port: u16,
    /// A message of at most 8 bytes, NUL-padded (repeatable; default: NCC-1701 NCC-1422
    /// NCC-1017).
    #[arg(long = "message", value_name = "TEXT", value_parser = parse_message)]
    messages: Vec<[u8; DATA_LEN]>,
    /// Retransmission timer, e.g. 9ms or 500ms.
    #[arg(long, default_value = "9ms", value_parser = humantime::parse_duration)]
    timer: Duration,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<ClientDefect>,
}

fn run_rdt3_server(args: &Rdt3ServerArgs) -> Result<(), Box<dyn std::error::Error>> {
    let mut server = Server::bind(&args.host, args.port, &args.defects)?;
    let never = server.run(&mut io::stdout().lock())?;
    match never {}
}

fn run_rdt3_client(args: Rdt3ClientArgs) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = ClientConfig::new(args.host, args.port);
    if !args.messages.is_empty() {
        config.messages = args.messages;
    }
    config.timer = args.timer;
    config.defects = args.defects;
    rdt3_client::run_client(&config, &mut io::stdout().lock())?;
    Ok(())
}

/// Help and version requests succeed; anything else clap refuses is a usage error.
fn parse_exit_code(error: &clap::Error) -> u8 {
    if error.use_stderr() {
        EXIT_USAGE
    } else {
        EXIT_SUCCESS
    }
}

fn parse_message(text: &str) -> Result<[u8; DATA_LEN], String> {
    data_from_text(text).map_err(|error| error.to_string())
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

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("reference").chain(args.iter().copied()))
    }

    #[test]
    fn command_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn server_defaults_and_defects() {
        let cli = parse(&[
            "rdt3",
            "server",
            "--port",
            "5005",
            "--defect",
            "ack-new-seq",
        ])
        .unwrap();
        let Assignment::Rdt3 {
            role: Rdt3Role::Server(args),
        } = cli.assignment
        else {
            panic!("not the server: {cli:?}");
        };
        assert_eq!(args.port, 5005);
        assert_eq!(args.host, "127.0.0.1");
        assert_eq!(args.defects, [ServerDefect::AckNewSeq]);
    }

    #[test]
    fn client_options() {
        let cli = parse(&[
            "rdt3",
            "client",
            "--host",
            "localhost",
            "--port",
            "7",
            "--message",
            "ab",
            "--message",
            "NCC-1701",
            "--timer",
            "500ms",
            "--defect",
            "fixed-seq",
            "--defect",
            "silent-timer",
        ])
        .unwrap();
        let Assignment::Rdt3 {
            role: Rdt3Role::Client(args),
        } = cli.assignment
        else {
            panic!("not the client: {cli:?}");
        };
        assert_eq!(args.messages, [*b"ab\0\0\0\0\0\0", *b"NCC-1701"]);
        assert_eq!(args.timer, Duration::from_millis(500));
        assert_eq!(
            args.defects,
            [ClientDefect::FixedSeq, ClientDefect::SilentTimer]
        );
    }

    #[test]
    fn client_defaults() {
        let cli = parse(&["rdt3", "client", "--host", "127.0.0.1", "--port", "5005"]).unwrap();
        let Assignment::Rdt3 {
            role: Rdt3Role::Client(args),
        } = cli.assignment
        else {
            panic!("not the client: {cli:?}");
        };
        assert!(
            args.messages.is_empty(),
            "the defaults are filled in by run"
        );
        assert_eq!(args.timer, Duration::from_millis(9));
        assert!(args.defects.is_empty());
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
