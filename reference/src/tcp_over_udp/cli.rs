//! The `reference tcp-over-udp` command line: the server and the client, their options,
//! and how each starts its peer. Unlike the other assignments', the port (and the
//! client's host) are positional, as in the handout.

use std::error::Error;
use std::io::{self, Read};
use std::time::Duration;

use clap::{Args, Subcommand};

use super::client::{ClientConfig, run_client};
use super::defect::{ClientDefect, ServerDefect};
use super::error::PeerError;
use super::server::{ServerConfig, run_server};

/// The roles of `reference tcp-over-udp`.
#[derive(Debug, Subcommand)]
pub enum Role {
    /// Accepts one connection, writes the bytes received to stdout and logs each datagram
    /// on stderr; exits after the close.
    Server(ServerArgs),
    /// Sends all of stdin over one connection, logging each datagram on stdout; exits 1
    /// after 10 s without progress.
    Client(ClientArgs),
}

impl Role {
    /// Runs the chosen peer until it finishes (a server that runs until killed, forever).
    pub fn run(self) -> Result<(), Box<dyn Error>> {
        match self {
            Role::Server(args) => args.run(),
            Role::Client(args) => args.run(),
        }
    }
}

// PORT and HOST are positional: the handout's command lines are `server PORT` and
// `client HOST PORT`.
/// The options of `reference tcp-over-udp server`.
#[derive(Debug, Args)]
pub struct ServerArgs {
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
    defects: Vec<ServerDefect>,
}

/// The options of `reference tcp-over-udp client`.
#[derive(Debug, Args)]
pub struct ClientArgs {
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
    defects: Vec<ClientDefect>,
}

impl ServerArgs {
    /// Starts the server.
    fn run(self) -> Result<(), Box<dyn Error>> {
        let mut config = ServerConfig::new(self.port);
        config.host = self.host;
        config.timers.retransmission = self.rto;
        config.defects = self.defects;
        // The loop announces the port itself, on the log, before anything else.
        run_server(&config, io::stdout().lock(), io::stderr().lock())?;
        Ok(())
    }
}

impl ClientArgs {
    /// Starts the client.
    fn run(self) -> Result<(), Box<dyn Error>> {
        let mut config = ClientConfig::new(self.host, self.port);
        config.timers.retransmission = self.rto;
        config.timers.fin_wait = self.fin_wait;
        config.defects = self.defects;
        let mut input = Vec::new();
        io::stdin()
            .lock()
            .read_to_end(&mut input)
            .map_err(|source| PeerError::Input { source })?;
        run_client(&config, input, io::stdout().lock())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Assignment, parse};

    #[test]
    fn tcp_over_udp_positional_port_and_host() {
        let cli = parse(&["tcp-over-udp", "server", "5005"]).unwrap();
        let Assignment::TcpOverUdp {
            role: Role::Server(args),
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
            role: Role::Server(args),
        } = cli.assignment
        else {
            panic!("not the tcp-over-udp server: {cli:?}");
        };
        assert_eq!((args.host.as_str(), args.port), ("::1", 0));
        assert_eq!(args.rto, Duration::from_millis(250));
        assert_eq!(
            args.defects,
            [ServerDefect::StripNuls, ServerDefect::AckNoWrap]
        );

        let cli = parse(&["tcp-over-udp", "client", "localhost", "5005"]).unwrap();
        let Assignment::TcpOverUdp {
            role: Role::Client(args),
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
            role: Role::Client(args),
        } = cli.assignment
        else {
            panic!("not the tcp-over-udp client: {cli:?}");
        };
        assert_eq!(args.rto, Duration::from_secs(1));
        assert_eq!(args.fin_wait, Duration::from_millis(300));
        assert_eq!(args.defects, [ClientDefect::NoDupMark]);
    }
}
