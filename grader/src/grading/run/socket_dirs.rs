//! Preload mode's networks: a socket_wrapper directory inside each program's own
//! directory, where the program makes its sockets even where it may write nowhere else.

use super::directories::RunDirs;
use crate::evidence::Role;
use crate::relay::routing::Networks;
use crate::relay::socket_dir::{SocketKind, parse_file_name, preload_environment};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The socket_wrapper directory's name inside each program's own directory; the grader's
/// list of the files a program produced skips it (it lists regular files only).
const SOCKET_DIR: &str = ".socket_wrapper";

/// The two programs' socket_wrapper directories, and the library that uses them.
#[derive(Clone, Debug)]
pub(super) struct SocketDirs {
    library: PathBuf,
    client: PathBuf,
    server: PathBuf,
}

impl SocketDirs {
    /// Where they go in `dirs`, for socket_wrapper at `library`; made by
    /// [`create`](Self::create).
    pub fn inside(library: &Path, dirs: &RunDirs) -> SocketDirs {
        SocketDirs {
            library: library.to_path_buf(),
            client: dirs.client.join(SOCKET_DIR),
            server: dirs.server.join(SOCKET_DIR),
        }
    }

    /// Makes both directories. Only once each program is staged (a submission is staged
    /// into an empty directory), and before the bridge starts (it binds in them from the
    /// start).
    pub fn create(&self) -> std::io::Result<()> {
        for dir in [&self.client, &self.server] {
            std::fs::create_dir(dir)?;
        }
        Ok(())
    }

    /// The variables that put `role` under socket_wrapper, in its directory.
    pub fn environment(&self, role: Role) -> Vec<(String, String)> {
        preload_environment(&self.library, self.of(role))
    }

    /// The two directories as the relay's networks.
    pub fn networks(&self) -> Networks {
        Networks::SocketDirs {
            client: self.client.clone(),
            server: self.server.clone(),
        }
    }

    pub fn of(&self, role: Role) -> &Path {
        match role {
            Role::Client => &self.client,
            Role::Server => &self.server,
        }
    }

    /// Whether `role` made a socket in its directory (its file is left even when the
    /// socket is closed by a kill).
    pub fn has_entries(&self, role: Role) -> bool {
        std::fs::read_dir(self.of(role)).is_ok_and(|mut entries| entries.next().is_some())
    }

    /// An IPv6 UDP address `role` bound in its directory (socket_wrapper's own IPv6
    /// network, for a socket bound to `::`), which preload mode does not carry.
    pub fn ipv6_udp_address(&self, role: Role) -> Option<SocketAddr> {
        std::fs::read_dir(self.of(role))
            .ok()?
            .flatten()
            .find_map(
                |entry| match parse_file_name(entry.file_name().to_str()?)? {
                    (SocketKind::Udp, address) if address.is_ipv6() => Some(address),
                    _ => None,
                },
            )
    }
}
