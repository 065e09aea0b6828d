//! The `reference tcp-lines` command line: the server and the client, their options, and
//! how each starts its peer.

use std::error::Error;
use std::io;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::client::{ClientConfig, run_client};
use super::defect::{ClientDefect, ServerDefect};
use super::server::{Finish, Server, hold_until_killed};
use crate::cli::announce_port;

/// The roles of `reference tcp-lines`.
#[derive(Debug, Subcommand)]
pub enum Role {
    /// Accepts one connection, saves each file as k.txt (k from 1), answers A, and
    /// answers the zero-line file with Q and a close.
    Server(ServerArgs),
    /// Asks on stdin for each file's lines, sends them and prints each status.
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

/// The options of `reference tcp-lines server`.
#[derive(Debug, Args)]
pub struct ServerArgs {
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
    defects: Vec<ServerDefect>,
}

/// The options of `reference tcp-lines client`.
#[derive(Debug, Args)]
pub struct ClientArgs {
    /// The server's host name or address.
    #[arg(long)]
    host: String,
    /// The server's port.
    #[arg(long)]
    port: u16,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<ClientDefect>,
}

impl ServerArgs {
    /// Starts the server.
    fn run(self) -> Result<(), Box<dyn Error>> {
        let mut server = Server::bind(&self.host, self.port, self.dir, &self.defects)?;
        if self.port == 0 {
            announce_port(server.local_addr().port());
        }
        match server.run(&mut io::stdout().lock())? {
            Finish::Closed => Ok(()),
            Finish::KeptOpen(stream) => hold_until_killed(stream),
        }
    }
}

impl ClientArgs {
    /// Starts the client.
    fn run(self) -> Result<(), Box<dyn Error>> {
        let mut config = ClientConfig::new(self.host, self.port);
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
    fn tcp_lines_defaults_and_options() {
        let cli = parse(&["tcp-lines", "server", "--port", "12100"]).unwrap();
        let Assignment::TcpLines {
            role: Role::Server(args),
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
            role: Role::Server(args),
        } = cli.assignment
        else {
            panic!("not the tcp-lines server: {cli:?}");
        };
        assert_eq!(args.host, "::1");
        assert_eq!(args.dir, PathBuf::from("/tmp/x"));
        assert_eq!(args.defects, [ServerDefect::OneRecv, ServerDefect::NoClose]);

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
            role: Role::Client(args),
        } = cli.assignment
        else {
            panic!("not the tcp-lines client: {cli:?}");
        };
        assert_eq!((args.host.as_str(), args.port), ("h", 7));
        assert_eq!(args.defects, [ClientDefect::CrlfLines]);
    }
}
