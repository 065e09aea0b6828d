//! Which way a datagram travels between the two programs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The direction of a datagram or segment, named from the receiving program's side.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Sent by the client, delivered to the server.
    ToServer,
    /// Sent by the server, delivered to the client.
    ToClient,
}

impl Direction {
    /// Both directions, in the order reports list them.
    pub const BOTH: [Direction; 2] = [Direction::ToServer, Direction::ToClient];

    /// The name used in case files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Direction::ToServer => "to-server",
            Direction::ToClient => "to-client",
        }
    }
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
