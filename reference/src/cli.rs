//! The `reference` command line: `reference <assignment> <role> [options]`.
//!
//! Course scripts and the grader's cases call these exact flags, so they are an interface.
//! Each assignment is a subcommand of its own, its roles subcommands below it, so the next
//! assignment is one more variant of `Assignment`.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use socklab_protocol::rdt3::packet::{DATA_LEN, data_from_text};

use crate::rdt3::client::{self as rdt3_client, ClientConfig};
use crate::rdt3::server::Server;
use crate::rdt3::{ClientDefect, ServerDefect};
use crate::udp_add::{self, hold_port};
use crate::{tcp_file_100, tcp_lines, tcp_over_udp, udp_file};

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
        Assignment::UdpAdd {
            role: UdpAddRole::Server(args),
        } => run_udp_add_server(args),
        Assignment::UdpAdd {
            role: UdpAddRole::Client(args),
        } => run_udp_add_client(args),
        Assignment::UdpFile {
            role: UdpFileRole::Server(args),
        } => run_udp_file_server(args),
        Assignment::UdpFile {
            role: UdpFileRole::Client(args),
        } => run_udp_file_client(args),
        Assignment::TcpLines {
            role: TcpLinesRole::Server(args),
        } => run_tcp_lines_server(args),
        Assignment::TcpLines {
            role: TcpLinesRole::Client(args),
        } => run_tcp_lines_client(args),
        Assignment::TcpFile100 {
            role: TcpFile100Role::Server(args),
        } => run_tcp_file_100_server(args),
        Assignment::TcpFile100 {
            role: TcpFile100Role::Client(args),
        } => run_tcp_file_100_client(args),
        Assignment::TcpOverUdp {
            role: TcpOverUdpRole::Server(args),
        } => run_tcp_over_udp_server(args),
        Assignment::TcpOverUdp {
            role: TcpOverUdpRole::Client(args),
        } => run_tcp_over_udp_client(args),
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
    /// Add two numbers over UDP: name and integer each way; out of 1-100 stops the server.
    UdpAdd {
        #[command(subcommand)]
        role: UdpAddRole,
    },
    /// File transfer over UDP in 2048-byte blocks, ended by a shorter (maybe empty) one.
    UdpFile {
        #[command(subcommand)]
        role: UdpFileRole,
    },
    /// Line upload over one TCP connection: per file a count and the lines, A or Q back.
    TcpLines {
        #[command(subcommand)]
        role: TcpLinesRole,
    },
    /// The same file sent 100 times over TCP, one connection per transfer, with timing.
    // Named by hand: clap's kebab-case says "tcp-file100".
    #[command(name = "tcp-file-100")]
    TcpFile100 {
        #[command(subcommand)]
        role: TcpFile100Role,
    },
    /// A TCP-like transport over UDP: handshake, stop-and-wait segments, FIN close.
    TcpOverUdp {
        #[command(subcommand)]
        role: TcpOverUdpRole,
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

#[derive(Debug, Subcommand)]
enum UdpAddRole {
    /// Prints each exchange and answers with its name and number; stops on a number
    /// outside 1-100.
    Server(UdpAddServerArgs),
    /// Reads one integer from stdin, sends it with its name and prints the exchange.
    Client(UdpAddClientArgs),
}

#[derive(Debug, Args)]
struct UdpAddServerArgs {
    /// Port to listen on (0 picks a free one, shown on stderr as "listening on PORT").
    #[arg(long)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The server's name, sent in every reply.
    #[arg(
        long,
        value_name = "TEXT",
        default_value = "Server of Socklab Reference"
    )]
    name: String,
    /// The server's number (1-100), sent in every reply.
    #[arg(long, value_name = "N", default_value_t = 57,
          value_parser = clap::value_parser!(i64).range(1..=100))]
    number: i64,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<udp_add::ServerDefect>,
}

#[derive(Debug, Args)]
struct UdpAddClientArgs {
    /// The server's host name or address.
    #[arg(long)]
    host: String,
    /// The server's port.
    #[arg(long)]
    port: u16,
    /// The client's name, sent before the number.
    #[arg(long, value_name = "TEXT", default_value = udp_add::client::DEFAULT_NAME)]
    name: String,
    /// How long to wait for the server's reply, e.g. 2s or 500ms.
    #[arg(long, value_name = "DURATION", default_value = "2s",
          value_parser = humantime::parse_duration)]
    reply_timeout: Duration,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<udp_add::ClientDefect>,
}

#[derive(Debug, Subcommand)]
enum UdpFileRole {
    /// Sends each file asked for in 2048-byte blocks and a short final one; runs until
    /// killed.
    Server(UdpFileServerArgs),
    /// Asks for one file and writes the blocks until the first short one.
    Client(UdpFileClientArgs),
}

#[derive(Debug, Args)]
struct UdpFileServerArgs {
    /// Port to listen on (0 picks a free one, shown on stderr as "listening on PORT").
    #[arg(long)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The directory whose files are served (plain names only).
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<udp_file::ServerDefect>,
}

#[derive(Debug, Args)]
struct UdpFileClientArgs {
    /// The server's host name or address.
    #[arg(long)]
    host: String,
    /// The server's port.
    #[arg(long)]
    port: u16,
    /// The name of the file to ask for, sent as given.
    #[arg(long, value_name = "NAME")]
    file: String,
    /// Where to write the file [default: NAME in the current directory].
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// How long to wait for each block before giving up, e.g. 1s or 300ms.
    #[arg(long, value_name = "DURATION", default_value = "1s",
          value_parser = humantime::parse_duration)]
    idle_timeout: Duration,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<udp_file::ClientDefect>,
}

#[derive(Debug, Subcommand)]
enum TcpLinesRole {
    /// Accepts one connection, saves each file as k.txt (k from 1), answers A, and
    /// answers the zero-line file with Q and a close.
    Server(TcpLinesServerArgs),
    /// Asks on stdin for each file's lines, sends them and prints each status.
    Client(TcpLinesClientArgs),
}

#[derive(Debug, Args)]
struct TcpLinesServerArgs {
    /// Port to listen on (0 picks a free one, shown on stderr as "listening on PORT").
    #[arg(long)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The directory to save 1.txt, 2.txt, ... in (existing files are overwritten).
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<tcp_lines::ServerDefect>,
}

#[derive(Debug, Args)]
struct TcpLinesClientArgs {
    /// The server's host name or address.
    #[arg(long)]
    host: String,
    /// The server's port.
    #[arg(long)]
    port: u16,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<tcp_lines::ClientDefect>,
}

#[derive(Debug, Subcommand)]
enum TcpFile100Role {
    /// Receives the file --count times, one connection each; stores and compares each
    /// copy and reports the times and the incorrect copies.
    Server(TcpFile100ServerArgs),
    /// Sends the file --count times, one connection each, and reports the times.
    Client(TcpFile100ClientArgs),
}

#[derive(Debug, Args)]
struct TcpFile100ServerArgs {
    /// Port to listen on (0 picks a free one, shown on stderr as "listening on PORT").
    #[arg(long)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The standard file the copies are compared with, shown in the lines as given.
    #[arg(long, value_name = "PATH")]
    file: String,
    /// The directory to store the copies in, as received-001-NAME, ...
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// How many transfers to receive before the summary.
    #[arg(long, value_name = "N", default_value_t = tcp_file_100::client::DEFAULT_COUNT,
          value_parser = clap::value_parser!(u32).range(1..))]
    count: u32,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<tcp_file_100::ServerDefect>,
}

#[derive(Debug, Args)]
struct TcpFile100ClientArgs {
    /// The server's host name or address, shown in the first line as given.
    #[arg(long)]
    host: String,
    /// The server's port.
    #[arg(long)]
    port: u16,
    /// The file to send, shown in the lines as given.
    #[arg(long, value_name = "PATH")]
    file: String,
    /// How many transfers.
    #[arg(long, value_name = "N", default_value_t = tcp_file_100::client::DEFAULT_COUNT,
          value_parser = clap::value_parser!(u32).range(1..))]
    count: u32,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<tcp_file_100::ClientDefect>,
}

#[derive(Debug, Subcommand)]
enum TcpOverUdpRole {
    /// Accepts one connection, writes the bytes received to stdout and logs each datagram
    /// on stderr; exits after the close.
    Server(TcpOverUdpServerArgs),
    /// Sends all of stdin over one connection, logging each datagram on stdout; exits 1
    /// after 10 s without progress.
    Client(TcpOverUdpClientArgs),
}

// PORT and HOST are positional: the handout's command lines are `server PORT` and
// `client HOST PORT`.
#[derive(Debug, Args)]
struct TcpOverUdpServerArgs {
    /// Port to listen on (0 picks a free one, shown on stderr as "listening on PORT").
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Retransmission timeout of the server's FIN, e.g. 100ms.
    #[arg(long, value_name = "DURATION", default_value = "100ms",
          value_parser = humantime::parse_duration)]
    rto: Duration,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<tcp_over_udp::ServerDefect>,
}

#[derive(Debug, Args)]
struct TcpOverUdpClientArgs {
    /// The server's host name or address.
    host: String,
    /// The server's port.
    port: u16,
    /// Retransmission timeout, e.g. 100ms.
    #[arg(long, value_name = "DURATION", default_value = "100ms",
          value_parser = humantime::parse_duration)]
    rto: Duration,
    /// How long to answer the server's FIN after acknowledging it, e.g. 2s.
    #[arg(long, value_name = "DURATION", default_value = "2s",
          value_parser = humantime::parse_duration)]
    fin_wait: Duration,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<tcp_over_udp::ClientDefect>,
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

fn run_udp_add_server(args: UdpAddServerArgs) -> Result<(), Box<dyn std::error::Error>> {
    let responder = udp_add::Responder::new(args.name, args.number, &args.defects);
    let mut server = udp_add::Server::bind(&args.host, args.port, responder)?;
    if args.port == 0 {
        announce_port(server.local_addr().port());
    }
    // The locks end with this statement, before `hold_in_child` forks.
    let stop = server.run(&mut io::stdout().lock(), &mut io::stderr().lock())?;
    match stop {
        udp_add::Stop::Close => Ok(()),
        udp_add::Stop::HoldPort => Ok(hold_port::hold_in_child(server.into_socket())?),
    }
}

fn run_udp_add_client(args: UdpAddClientArgs) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = udp_add::ClientConfig::new(args.host, args.port);
    config.name = args.name;
    config.reply_timeout = args.reply_timeout;
    config.defects = args.defects;
    udp_add::run_client(&config, &mut io::stdin().lock(), &mut io::stdout().lock())?;
    Ok(())
}

fn run_udp_file_server(args: UdpFileServerArgs) -> Result<(), Box<dyn std::error::Error>> {
    let mut server = udp_file::Server::bind(&args.host, args.port, args.dir, &args.defects)?;
    if args.port == 0 {
        announce_port(server.local_addr().port());
    }
    let never = server.run(&mut io::stdout().lock(), &mut io::stderr().lock())?;
    match never {}
}

fn run_udp_file_client(args: UdpFileClientArgs) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = udp_file::ClientConfig::new(args.host, args.port, args.file);
    config.out = args.out;
    config.idle_timeout = args.idle_timeout;
    config.defects = args.defects;
    udp_file::run_client(&config, &mut io::stdout().lock())?;
    Ok(())
}

fn run_tcp_lines_server(args: TcpLinesServerArgs) -> Result<(), Box<dyn std::error::Error>> {
    let mut server = tcp_lines::Server::bind(&args.host, args.port, args.dir, &args.defects)?;
    if args.port == 0 {
        announce_port(server.local_addr().port());
    }
    match server.run(&mut io::stdout().lock())? {
        tcp_lines::Finish::Closed => Ok(()),
        tcp_lines::Finish::KeptOpen(stream) => tcp_lines::hold_until_killed(stream),
    }
}

fn run_tcp_lines_client(args: TcpLinesClientArgs) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = tcp_lines::ClientConfig::new(args.host, args.port);
    config.defects = args.defects;
    tcp_lines::run_client(&config, &mut io::stdin().lock(), &mut io::stdout().lock())?;
    Ok(())
}

fn run_tcp_file_100_server(args: TcpFile100ServerArgs) -> Result<(), Box<dyn std::error::Error>> {
    let mut server =
        tcp_file_100::Server::bind(&args.host, args.port, args.file, args.dir, &args.defects)?;
    if args.port == 0 {
        announce_port(server.local_addr().port());
    }
    server.run(
        args.count,
        &mut io::stdout().lock(),
        &mut io::stderr().lock(),
    )?;
    Ok(())
}

fn run_tcp_file_100_client(args: TcpFile100ClientArgs) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = tcp_file_100::ClientConfig::new(args.host, args.port, args.file);
    config.count = args.count;
    config.defects = args.defects;
    tcp_file_100::run_client(&config, &mut io::stdout().lock())?;
    Ok(())
}

fn run_tcp_over_udp_server(args: TcpOverUdpServerArgs) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = tcp_over_udp::ServerConfig::new(args.port);
    config.host = args.host;
    config.timers.retransmission = args.rto;
    config.defects = args.defects;
    // The loop announces the port itself, on the log, before anything else.
    tcp_over_udp::run_server(&config, io::stdout().lock(), io::stderr().lock())?;
    Ok(())
}

fn run_tcp_over_udp_client(args: TcpOverUdpClientArgs) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = tcp_over_udp::ClientConfig::new(args.host, args.port);
    config.timers.retransmission = args.rto;
    config.timers.fin_wait = args.fin_wait;
    config.defects = args.defects;
    let mut input = Vec::new();
    io::stdin()
        .lock()
        .read_to_end(&mut input)
        .map_err(|source| tcp_over_udp::PeerError::Input { source })?;
    tcp_over_udp::run_client(&config, input, io::stdout().lock())?;
    Ok(())
}

/// `listening on PORT` on stderr, for a server asked to pick its own port: stdout is the
/// transcript the grader checks, so the port must not appear there.
fn announce_port(port: u16) {
    // Nothing more can be done if stderr itself is gone.
    let _ = writeln!(io::stderr(), "listening on {port}");
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
    fn udp_add_server_defaults_and_options() {
        let cli = parse(&["udp-add", "server", "--port", "5005"]).unwrap();
        let Assignment::UdpAdd {
            role: UdpAddRole::Server(args),
        } = cli.assignment
        else {
            panic!("not the udp-add server: {cli:?}");
        };
        assert_eq!(args.port, 5005);
        assert_eq!(args.host, "127.0.0.1");
        assert_eq!(args.name, "Server of Socklab Reference");
        assert_eq!(args.number, 57);
        assert!(args.defects.is_empty());

        let cli = parse(&[
            "udp-add",
            "server",
            "--port",
            "0",
            "--host",
            "0.0.0.0",
            "--name",
            "Server of Q",
            "--number",
            "100",
            "--defect",
            "wrong-sum",
            "--defect",
            "hold-port",
        ])
        .unwrap();
        let Assignment::UdpAdd {
            role: UdpAddRole::Server(args),
        } = cli.assignment
        else {
            panic!("not the udp-add server: {cli:?}");
        };
        assert_eq!(args.name, "Server of Q");
        assert_eq!(args.number, 100);
        assert_eq!(
            args.defects,
            [
                udp_add::ServerDefect::WrongSum,
                udp_add::ServerDefect::HoldPort
            ]
        );
    }

    #[test]
    fn udp_add_client_defaults_and_options() {
        let cli = parse(&["udp-add", "client", "--host", "localhost", "--port", "7"]).unwrap();
        let Assignment::UdpAdd {
            role: UdpAddRole::Client(args),
        } = cli.assignment
        else {
            panic!("not the udp-add client: {cli:?}");
        };
        assert_eq!(args.name, "Client of Socklab Reference");
        assert_eq!(args.reply_timeout, Duration::from_secs(2));
        assert!(args.defects.is_empty());

        let cli = parse(&[
            "udp-add",
            "client",
            "--host",
            "localhost",
            "--port",
            "7",
            "--name",
            "Client of Q",
            "--reply-timeout",
            "300ms",
            "--defect",
            "no-server-name",
        ])
        .unwrap();
        let Assignment::UdpAdd {
            role: UdpAddRole::Client(args),
        } = cli.assignment
        else {
            panic!("not the udp-add client: {cli:?}");
        };
        assert_eq!(args.name, "Client of Q");
        assert_eq!(args.reply_timeout, Duration::from_millis(300));
        assert_eq!(args.defects, [udp_add::ClientDefect::NoServerName]);
    }

    #[test]
    fn udp_file_server_defaults_and_options() {
        let cli = parse(&["udp-file", "server", "--port", "5005"]).unwrap();
        let Assignment::UdpFile {
            role: UdpFileRole::Server(args),
        } = cli.assignment
        else {
            panic!("not the udp-file server: {cli:?}");
        };
        assert_eq!(args.host, "127.0.0.1");
        assert_eq!(args.dir, PathBuf::from("."));
        assert!(args.defects.is_empty());

        let cli = parse(&[
            "udp-file",
            "server",
            "--port",
            "5005",
            "--dir",
            "/srv/files",
            "--defect",
            "no-empty-final",
            "--defect",
            "chunk-1024",
        ])
        .unwrap();
        let Assignment::UdpFile {
            role: UdpFileRole::Server(args),
        } = cli.assignment
        else {
            panic!("not the udp-file server: {cli:?}");
        };
        assert_eq!(args.dir, PathBuf::from("/srv/files"));
        assert_eq!(
            args.defects,
            [
                udp_file::ServerDefect::NoEmptyFinal,
                udp_file::ServerDefect::Chunk1024
            ]
        );
    }

    #[test]
    fn udp_file_client_defaults_and_options() {
        let base = [
            "udp-file", "client", "--host", "h", "--port", "7", "--file", "a.bin",
        ];
        let cli = parse(&base).unwrap();
        let Assignment::UdpFile {
            role: UdpFileRole::Client(args),
        } = cli.assignment
        else {
            panic!("not the udp-file client: {cli:?}");
        };
        assert_eq!(args.file, "a.bin");
        assert_eq!(args.out, None);
        assert_eq!(args.idle_timeout, Duration::from_secs(1));
        assert!(args.defects.is_empty());

        let mut full = base.to_vec();
        full.extend([
            "--out",
            "copy.bin",
            "--idle-timeout",
            "250ms",
            "--defect",
            "ignore-empty-block",
            "--defect",
            "text-mode",
        ]);
        let cli = parse(&full).unwrap();
        let Assignment::UdpFile {
            role: UdpFileRole::Client(args),
        } = cli.assignment
        else {
            panic!("not the udp-file client: {cli:?}");
        };
        assert_eq!(args.out, Some(PathBuf::from("copy.bin")));
        assert_eq!(args.idle_timeout, Duration::from_millis(250));
        assert_eq!(
            args.defects,
            [
                udp_file::ClientDefect::IgnoreEmptyBlock,
                udp_file::ClientDefect::TextMode
            ]
        );
    }

    #[test]
    fn tcp_lines_defaults_and_options() {
        let cli = parse(&["tcp-lines", "server", "--port", "12100"]).unwrap();
        let Assignment::TcpLines {
            role: TcpLinesRole::Server(args),
        } = cli.assignment
        else {
            panic!("not the tcp-lines server: {cli:?}");
        };
        assert_eq!(args.port, 12100);
        assert_eq!(args.host, "127.0.0.1");
        assert_eq!(args.dir, PathBuf::from("."));
        assert!(args.defects.is_empty());

        let cli = parse(&[
            "tcp-lines",
            "server",
            "--port",
            "0",
            "--host",
            "::1",
            "--dir",
            "/tmp/x",
            "--defect",
            "one-recv",
            "--defect",
            "no-close",
        ])
        .unwrap();
        let Assignment::TcpLines {
            role: TcpLinesRole::Server(args),
        } = cli.assignment
        else {
            panic!("not the tcp-lines server: {cli:?}");
        };
        assert_eq!(args.host, "::1");
        assert_eq!(args.dir, PathBuf::from("/tmp/x"));
        assert_eq!(
            args.defects,
            [
                tcp_lines::ServerDefect::OneRecv,
                tcp_lines::ServerDefect::NoClose
            ]
        );

        let cli = parse(&[
            "tcp-lines",
            "client",
            "--host",
            "h",
            "--port",
            "7",
            "--defect",
            "crlf-lines",
        ])
        .unwrap();
        let Assignment::TcpLines {
            role: TcpLinesRole::Client(args),
        } = cli.assignment
        else {
            panic!("not the tcp-lines client: {cli:?}");
        };
        assert_eq!((args.host.as_str(), args.port), ("h", 7));
        assert_eq!(args.defects, [tcp_lines::ClientDefect::CrlfLines]);
    }

    #[test]
    fn tcp_file_100_defaults_and_options() {
        let cli = parse(&["tcp-file-100", "server", "--port", "5", "--file", "xyz.txt"]).unwrap();
        let Assignment::TcpFile100 {
            role: TcpFile100Role::Server(args),
        } = cli.assignment
        else {
            panic!("not the tcp-file-100 server: {cli:?}");
        };
        assert_eq!(args.file, "xyz.txt");
        assert_eq!(args.host, "127.0.0.1");
        assert_eq!(args.dir, PathBuf::from("."));
        assert_eq!(args.count, 100);
        assert!(args.defects.is_empty());

        let cli = parse(&[
            "tcp-file-100",
            "client",
            "--host",
            "10.0.0.2",
            "--port",
            "5",
            "--file",
            "xyz.txt",
            "--count",
            "5",
            "--defect",
            "persistent",
            "--defect",
            "seconds",
        ])
        .unwrap();
        let Assignment::TcpFile100 {
            role: TcpFile100Role::Client(args),
        } = cli.assignment
        else {
            panic!("not the tcp-file-100 client: {cli:?}");
        };
        assert_eq!(args.count, 5);
        assert_eq!(
            args.defects,
            [
                tcp_file_100::ClientDefect::Persistent,
                tcp_file_100::ClientDefect::Seconds
            ]
        );
    }

    #[test]
    fn tcp_over_udp_positional_port_and_host() {
        let cli = parse(&["tcp-over-udp", "server", "5005"]).unwrap();
        let Assignment::TcpOverUdp {
            role: TcpOverUdpRole::Server(args),
        } = cli.assignment
        else {
            panic!("not the tcp-over-udp server: {cli:?}");
        };
        assert_eq!(args.port, 5005);
        assert_eq!(args.host, "127.0.0.1");
        assert_eq!(args.rto, Duration::from_millis(100));
        assert!(args.defects.is_empty());

        let cli = parse(&[
            "tcp-over-udp",
            "server",
            "0",
            "--host",
            "::1",
            "--rto",
            "250ms",
            "--defect",
            "strip-nuls",
            "--defect",
            "ack-no-wrap",
        ])
        .unwrap();
        let Assignment::TcpOverUdp {
            role: TcpOverUdpRole::Server(args),
        } = cli.assignment
        else {
            panic!("not the tcp-over-udp server: {cli:?}");
        };
        assert_eq!((args.host.as_str(), args.port), ("::1", 0));
        assert_eq!(args.rto, Duration::from_millis(250));
        assert_eq!(
            args.defects,
            [
                tcp_over_udp::ServerDefect::StripNuls,
                tcp_over_udp::ServerDefect::AckNoWrap
            ]
        );

        let cli = parse(&["tcp-over-udp", "client", "localhost", "5005"]).unwrap();
        let Assignment::TcpOverUdp {
            role: TcpOverUdpRole::Client(args),
        } = cli.assignment
        else {
            panic!("not the tcp-over-udp client: {cli:?}");
        };
        assert_eq!((args.host.as_str(), args.port), ("localhost", 5005));
        assert_eq!(args.rto, Duration::from_millis(100));
        assert_eq!(args.fin_wait, Duration::from_secs(2));
        assert!(args.defects.is_empty());

        let cli = parse(&[
            "tcp-over-udp",
            "client",
            "h",
            "7",
            "--rto",
            "1s",
            "--fin-wait",
            "300ms",
            "--defect",
            "no-dup-mark",
        ])
        .unwrap();
        let Assignment::TcpOverUdp {
            role: TcpOverUdpRole::Client(args),
        } = cli.assignment
        else {
            panic!("not the tcp-over-udp client: {cli:?}");
        };
        assert_eq!(args.rto, Duration::from_secs(1));
        assert_eq!(args.fin_wait, Duration::from_millis(300));
        assert_eq!(args.defects, [tcp_over_udp::ClientDefect::NoDupMark]);
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
