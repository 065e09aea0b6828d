//! The `reference udp-add` command line: the server and the client, their options, and
//! how each starts its peer.

use std::error::Error;
use std::io;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::client::{ClientConfig, DEFAULT_NAME, run_client};
use super::defect::{ClientDefect, ServerDefect};
use super::hold_port;
use super::responder::Responder;
use super::server::{Server, Stop};
use crate::cli::announce_port;

/// The roles of `reference udp-add`.
#[derive(Debug, Subcommand)]
pub enum Role {
    /// Prints each exchange and answers with its name and number; stops on a number
    /// outside 1-100.
    Server(ServerArgs),
    /// Reads one integer from stdin, sends it with its name and prints the exchange.
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

/// The options of `reference udp-add server`.
#[derive(Debug, Args)]
pub struct ServerArgs {
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
    defects: Vec<ServerDefect>,
}

/// The options of `reference udp-add client`.
#[derive(Debug, Args)]
pub struct ClientArgs {
    /// The server's host name or address.
    #[arg(long)]
    host: String,
    /// The server's port.
    #[arg(long)]
    port: u16,
    /// The client's name, sent before the number.
    #[arg(long, value_name = "TEXT", default_value = DEFAULT_NAME)]
    name: String,
    /// How long to wait for the server's reply, e.g. 2s or 500ms.
    #[arg(long, value_name = "DURATION", default_value = "2s",
          value_parser = humantime::parse_duration)]
    reply_timeout: Duration,
    /// If the server has sent nothing this long after the request, send the typed integer
    /// again, alone: a server that reads the name and the integer from two datagrams took
    /// the whole request for the name (e.g. 500ms). Off by default.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    integer_again_after: Option<Duration>,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<ClientDefect>,
}

impl ServerArgs {
    /// Starts the server.
    fn run(self) -> Result<(), Box<dyn Error>> {
        let responder = Responder::new(self.name, self.number, &self.defects);
        let mut server = Server::bind(&self.host, self.port, responder)?;
        if self.port == 0 {
            announce_port(server.local_addr().port());
        }
        // The locks end with this statement, before `hold_in_child` forks.
        let stop = server.run(&mut io::stdout().lock(), &mut io::stderr().lock())?;
        match stop {
            Stop::Close => Ok(()),
            Stop::HoldPort => Ok(hold_port::hold_in_child(server.into_socket())?),
        }
    }
}

impl ClientArgs {
    /// Starts the client.
    fn run(self) -> Result<(), Box<dyn Error>> {
        let mut config = ClientConfig::new(self.host, self.port);
        config.name = self.name;
        config.reply_timeout = self.reply_timeout;
        config.integer_again_after = self.integer_again_after;
        config.defects = self.defects;
        run_client(&config, &mut io::stdin().lock(), &mut io::stdout().lock())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Assignment, parse};

    #[test]
    fn udp_add_server_defaults_and_options() {
        let cli = parse(&["udp-add", "server", "--port", "5005"]).unwrap();
        let Assignment::UdpAdd {
            role: Role::Server(args),
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
            role: Role::Server(args),
        } = cli.assignment
        else {
            panic!("not the udp-add server: {cli:?}");
        };
        assert_eq!(args.name, "Server of Q");
        assert_eq!(args.number, 100);
        assert_eq!(
            args.defects,
            [ServerDefect::WrongSum, ServerDefect::HoldPort]
        );
    }

    #[test]
    fn udp_add_client_defaults_and_options() {
        let cli = parse(&["udp-add", "client", "--host", "localhost", "--port", "7"]).unwrap();
        let Assignment::UdpAdd {
            role: Role::Client(args),
        } = cli.assignment
        else {
            panic!("not the udp-add client: {cli:?}");
        };
        assert_eq!(args.name, "Client of Socklab Reference");
        assert_eq!(args.reply_timeout, Duration::from_secs(2));
        assert_eq!(args.integer_again_after, None);
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
            "--integer-again-after",
            "100ms",
            "--defect",
            "no-server-name",
        ])
        .unwrap();
        let Assignment::UdpAdd {
            role: Role::Client(args),
        } = cli.assignment
        else {
            panic!("not the udp-add client: {cli:?}");
        };
        assert_eq!(args.name, "Client of Q");
        assert_eq!(args.reply_timeout, Duration::from_millis(300));
        assert_eq!(args.integer_again_after, Some(Duration::from_millis(100)));
        assert_eq!(args.defects, [ClientDefect::NoServerName]);
    }
}
