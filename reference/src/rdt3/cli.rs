//! The `reference rdt3` command line: the receiver (`server`) and the sender (`client`),
//! their options, and how each starts its peer.

use std::error::Error;
use std::io;
use std::time::Duration;

use clap::{Args, Subcommand};
use socklab_protocol::rdt3::packet::{DATA_LEN, data_from_text};

use super::client::{self, ClientConfig};
use super::defect::{ClientDefect, ServerDefect};
use super::server::Server;

/// The roles of `reference rdt3`.
#[derive(Debug, Subcommand)]
pub enum Role {
    /// The receiver: delivers each message once, ACKs every datagram; runs until killed.
    Server(ServerArgs),
    /// The sender: sends each message with seq 0, 1, 0, ... and retransmits on timeout.
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

/// The options of `reference rdt3 server`.
#[derive(Debug, Args)]
pub struct ServerArgs {
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

/// The options of `reference rdt3 client`.
#[derive(Debug, Args)]
pub struct ClientArgs {
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

impl ServerArgs {
    /// Starts the server.
    fn run(self) -> Result<(), Box<dyn Error>> {
        let mut server = Server::bind(&self.host, self.port, &self.defects)?;
        let never = server.run(&mut io::stdout().lock())?;
        match never {}
    }
}

impl ClientArgs {
    /// Starts the client.
    fn run(self) -> Result<(), Box<dyn Error>> {
        let mut config = ClientConfig::new(self.host, self.port);
        if !self.messages.is_empty() {
            config.messages = self.messages;
        }
        config.timer = self.timer;
        config.defects = self.defects;
        client::run_client(&config, &mut io::stdout().lock())?;
        Ok(())
    }
}

fn parse_message(text: &str) -> Result<[u8; DATA_LEN], String> {
    data_from_text(text).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Assignment, parse};

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
            role: Role::Server(args),
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
            role: Role::Client(args),
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
            role: Role::Client(args),
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
}
