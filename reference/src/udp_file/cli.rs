//! The `reference udp-file` command line: the server and the client, their options, and
//! how each starts its peer.

use std::error::Error;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::client::{ClientConfig, run_client};
use super::defect::{ClientDefect, ServerDefect};
use super::server::Server;
use crate::cli::announce_port;

/// The roles of `reference udp-file`.
#[derive(Debug, Subcommand)]
pub enum Role {
    /// Sends each file asked for in 2048-byte blocks and a short final one; runs until
    /// killed.
    Server(ServerArgs),
    /// Asks for one file and writes the blocks until the first short one.
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

/// The options of `reference udp-file server`.
#[derive(Debug, Args)]
pub struct ServerArgs {
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
    defects: Vec<ServerDefect>,
}

/// The options of `reference udp-file client`.
#[derive(Debug, Args)]
pub struct ClientArgs {
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
    defects: Vec<ClientDefect>,
}

impl ServerArgs {
    /// Starts the server.
    fn run(self) -> Result<(), Box<dyn Error>> {
        let mut server = Server::bind(&self.host, self.port, self.dir, &self.defects)?;
        if self.port == 0 {
            announce_port(server.local_addr().port());
        }
        let never = server.run(&mut io::stdout().lock(), &mut io::stderr().lock())?;
        match never {}
    }
}

impl ClientArgs {
    /// Starts the client.
    fn run(self) -> Result<(), Box<dyn Error>> {
        let mut config = ClientConfig::new(self.host, self.port, self.file);
        config.out = self.out;
        config.idle_timeout = self.idle_timeout;
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
    fn udp_file_server_defaults_and_options() {
        let cli = parse(&["udp-file", "server", "--port", "5005"]).unwrap();
        let Assignment::UdpFile {
            role: Role::Server(args),
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
            role: Role::Server(args),
        } = cli.assignment
        else {
            panic!("not the udp-file server: {cli:?}");
        };
        assert_eq!(args.dir, PathBuf::from("/srv/files"));
        assert_eq!(
            args.defects,
            [ServerDefect::NoEmptyFinal, ServerDefect::Chunk1024]
        );
    }

    #[test]
    fn udp_file_client_defaults_and_options() {
        let base = [
            "udp-file", "client", "--host", "h", "--port", "7", "--file", "a.bin",
        ];
        let cli = parse(&base).unwrap();
        let Assignment::UdpFile {
            role: Role::Client(args),
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
            role: Role::Client(args),
        } = cli.assignment
        else {
            panic!("not the udp-file client: {cli:?}");
        };
        assert_eq!(args.out, Some(PathBuf::from("copy.bin")));
        assert_eq!(args.idle_timeout, Duration::from_millis(250));
        assert_eq!(
            args.defects,
            [ClientDefect::IgnoreEmptyBlock, ClientDefect::TextMode]
        );
    }
}
