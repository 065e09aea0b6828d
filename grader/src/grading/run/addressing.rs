//! Where the programs of one run reach each other: the port the server is told, the
//! network each program runs in, and the address `{host}` names.

use super::directories::RunDirs;
use super::error::{RunError, internal};
use super::socket_dirs::SocketDirs;
use crate::analyzer::Case;
use crate::case::Transport;
use crate::evidence::{PortRelease, Role};
use crate::grading::mode::{DEFAULT_TRANSPARENT_PORT, Mode};
use crate::harness::ports::{Protocol, free_port};
use crate::netns::NetNamespace;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// The loopback address every program of a relay-mode scenario uses.
pub(super) const HOST: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// The addresses and networks of one run.
#[derive(Debug)]
pub(super) struct Addressing {
    /// The port the server is told, and binds.
    pub server_port: u16,
    pub networks: ProgramNetworks,
    /// The documentation address `{host}` names, when the case asks for a non-loopback
    /// address and a private namespace was made for it.
    pub test_address: Option<Ipv4Addr>,
}

/// The network each program runs in, by mode.
#[derive(Debug)]
pub(super) enum ProgramNetworks {
    /// Relay mode: both programs and the relay share one loopback. A private namespace's
    /// where namespaces can be made, so a program reaches nothing else and hard-coded
    /// ports cannot collide with another run; elsewhere the host's (`None`).
    SharedLoopback(Option<Arc<NetNamespace>>),
    /// Transparent mode: each program has a namespace, and a loopback, of its own.
    OwnNamespaces {
        client: Arc<NetNamespace>,
        server: Arc<NetNamespace>,
    },
    /// Preload mode: each program's sockets are in a socket_wrapper directory of its own.
    SocketWrapper(SocketDirs),
}

impl Addressing {
    /// The addresses of a run of `case` in `mode`, its namespaces made (with the case's
    /// documentation address in them).
    pub fn prepare(case: &Case, mode: &Mode, dirs: &RunDirs) -> Result<Addressing, RunError> {
        // Relay mode: the server gets a free port of the host's loopback, the client the
        // relay's. Transparent and preload modes: each program has a network of its own,
        // so both are told the case's port (the one hard-coded programs use anyway).
        let hard_coded_port = case
            .programs
            .hard_coded_port
            .unwrap_or(DEFAULT_TRANSPARENT_PORT);
        let (server_port, networks) = match mode {
            Mode::Relay => {
                let protocol = match case.transport {
                    Transport::Udp => Protocol::Udp,
                    Transport::Tcp => Protocol::Tcp,
                };
                let port = free_port(protocol).map_err(internal("cannot find a free port"))?;
                (port, ProgramNetworks::SharedLoopback(private_loopback()))
            }
            Mode::Preload { library } => (
                hard_coded_port,
                ProgramNetworks::SocketWrapper(SocketDirs::inside(library, dirs)),
            ),
            Mode::Transparent => {
                let namespace = || {
                    NetNamespace::create()
                        .map(Arc::new)
                        .map_err(|error| RunError::Namespace {
                            message: error.to_string(),
                        })
                };
                let client = namespace()?;
                let server = namespace()?;
                // Disjoint halves of Linux's default range (32768-60999): a port the kernel
                // gives one program is never one the other holds, so it can be mirrored.
                for (namespace, ports) in [(&client, 32768..=46883), (&server, 46884..=60999)] {
                    namespace
                        .set_ephemeral_ports(ports)
                        .map_err(|error| RunError::Namespace {
                            message: error.to_string(),
                        })?;
                }
                (
                    hard_coded_port,
                    ProgramNetworks::OwnNamespaces { client, server },
                )
            }
        };
        // A case that forbids the loopback names a documentation address; it is made local
        // in the run's private namespaces (never on the host): in relay mode the one both
        // programs share, in transparent mode each program's, so the mirrors can take the
        // addresses the programs use there.
        let private: Vec<&Arc<NetNamespace>> = match &networks {
            ProgramNetworks::OwnNamespaces { client, server } => vec![client, server],
            ProgramNetworks::SharedLoopback(Some(namespace)) => vec![namespace],
            ProgramNetworks::SharedLoopback(None) | ProgramNetworks::SocketWrapper(_) => Vec::new(),
        };
        let test_address = match &case.programs.host {
            Some(host) if !private.is_empty() => {
                for namespace in private {
                    namespace
                        .add_address(host.value)
                        .map_err(|error| RunError::Namespace {
                            message: format!(
                                "cannot give the run's namespace {}: {error}",
                                host.value
                            ),
                        })?;
                }
                Some(host.value)
            }
            _ => None,
        };
        Ok(Addressing {
            server_port,
            networks,
            test_address,
        })
    }

    /// The address programs are told to use for the server (`{host}`).
    pub fn host(&self) -> Ipv4Addr {
        self.test_address.unwrap_or(HOST)
    }

    /// The server's address as it is told it (`{host}`, `{port}`).
    pub fn server(&self) -> (Ipv4Addr, u16) {
        (self.host(), self.server_port)
    }

    /// The network namespace `role` runs in; `None` for the host's.
    pub fn namespace_of(&self, role: Role) -> Option<Arc<NetNamespace>> {
        match (&self.networks, role) {
            (ProgramNetworks::SharedLoopback(namespace), _) => namespace.clone(),
            (ProgramNetworks::OwnNamespaces { client, .. }, Role::Client) => {
                Some(Arc::clone(client))
            }
            (ProgramNetworks::OwnNamespaces { server, .. }, Role::Server) => {
                Some(Arc::clone(server))
            }
            (ProgramNetworks::SocketWrapper(_), _) => None,
        }
    }

    /// Relay mode's private namespace, where one was made.
    pub fn private_loopback(&self) -> Option<&Arc<NetNamespace>> {
        match &self.networks {
            ProgramNetworks::SharedLoopback(namespace) => namespace.as_ref(),
            ProgramNetworks::OwnNamespaces { .. } | ProgramNetworks::SocketWrapper(_) => None,
        }
    }

    /// Preload mode's socket_wrapper directories.
    pub fn socket_dirs(&self) -> Option<&SocketDirs> {
        match &self.networks {
            ProgramNetworks::SocketWrapper(dirs) => Some(dirs),
            ProgramNetworks::SharedLoopback(_) | ProgramNetworks::OwnNamespaces { .. } => None,
        }
    }

    /// What `role`'s environment needs to reach its network (socket_wrapper's variables
    /// in preload mode, else nothing).
    pub fn environment(&self, role: Role) -> Vec<(String, String)> {
        self.socket_dirs()
            .map(|dirs| dirs.environment(role))
            .unwrap_or_default()
    }

    /// Whether the server's UDP port on the loopback can be bound again, in the namespace
    /// the server ran in.
    pub fn server_port_release(&self) -> PortRelease {
        let port = self.server_port;
        let bind = move || std::net::UdpSocket::bind((HOST, port)).map(drop);
        let result = match self.namespace_of(Role::Server) {
            None => bind(),
            Some(namespace) => namespace
                .run_in(bind)
                .map_err(std::io::Error::other)
                .and_then(|bound| bound),
        };
        PortRelease {
            port,
            free_again: result.is_ok(),
            error: result.err().map(|error| error.to_string()),
        }
    }
}

/// A fresh network namespace for one relay-mode run, when namespaces can be made here
/// (probed once); `None` means the host's loopback.
fn private_loopback() -> Option<Arc<NetNamespace>> {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if !*AVAILABLE.get_or_init(|| NetNamespace::create().is_ok()) {
        return None;
    }
    NetNamespace::create().ok().map(Arc::new)
}
