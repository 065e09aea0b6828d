//! The `reference tcp-file-100` command line: the server and the client, their options,
//! and how each starts its peer.

use std::error::Error;
use std::io;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::client::{ClientConfig, DEFAULT_COUNT, run_client};
use super::defect::{ClientDefect, ServerDefect};
use super::server::Server;
use crate::cli::announce_port;

/// The roles of `reference tcp-file-100`.
#[derive(Debug, Subcommand)]
pub enum Role {
    /// Receives the file --count times, one connection each; stores and compares each
    /// copy and reports the times and the incorrect copies.
    Server(ServerArgs),
    /// Sends the file --count times, one connection each, and reports the times.
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

/// The options of `reference tcp-file-100 server`.
#[derive(Debug, Args)]
pub struct ServerArgs {
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
    #[arg(long, value_name = "N", default_value_t = DEFAULT_COUNT,
          value_parser = clap::value_parser!(u32).range(1..))]
    count: u32,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<ServerDefect>,
}

/// The options of `reference tcp-file-100 client`.
#[derive(Debug, Args)]
pub struct ClientArgs {
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
    #[arg(long, value_name = "N", default_value_t = DEFAULT_COUNT,
          value_parser = clap::value_parser!(u32).range(1..))]
    count: u32,
    /// Misbehave on purpose (repeatable).
    #[arg(long = "defect", value_enum)]
    defects: Vec<ClientDefect>,
}

impl ServerArgs {
    /// Starts the server.
    fn run(self) -> Result<(), Box<dyn Error>> {
        let mut server = Server::bind(&self.host, self.port, self.file, self.dir, &self.defects)?;
        if self.port == 0 {
            announce_port(server.local_addr().port());
        }
        server.run(
            self.count,
            &mut io::stdout().lock(),
            &mut io::stderr().lock(),
        )?;
        Ok(())
    }
}

impl ClientArgs {
    /// Starts the client.
    fn run(self) -> Result<(), Box<dyn Error>> {
        let mut config = ClientConfig::new(self.host, self.port, self.file);
        config.count = self.count;
        config.defects = self.defects;
        run_client(&config, &mut io::stdout().lock())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Assignment, parse};

    #[test]
    fn tcp_file_100_defaults_and_options() {
        let cli = parse(&["tcp-file-100", "server", "--port", "5", "--file", "xyz.txt"]).unwrap();
        let Assignment::TcpFile100 {
            role: Role::Server(args),
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
            role: Role::Client(args),
        } = cli.assignment
        else {
            panic!("not the tcp-file-100 client: {cli:?}");
        };
        assert_eq!(args.count, 5);
        assert_eq!(
            args.defects,
            [ClientDefect::Persistent, ClientDefect::Seconds]
        );
    }
}
