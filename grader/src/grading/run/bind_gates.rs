//! The gates at which transparent mode's UDP binds wait for their mirror
//! ([`crate::harness::bind_gate`]): one per program, made before the server starts so
//! that its first binds are queued until the bridge attends them.

use super::addressing::{Addressing, ProgramNetworks};
use crate::case::Transport;
use crate::evidence::Role;
use crate::harness::bind_gate::BindGate;

/// Set in the grader's environment (to anything), makes transparent and preload modes
/// mirror binds only as polling (or inotify) finds them, as where seccomp is unavailable: how `scripts/mirror-race`
/// shows what the gates change, and how a test is shown to fail without them.
pub const POLLING_ONLY: &str = "SOCKLAB_MIRROR_BY_POLLING_ONLY";

/// Both programs' gates.
#[derive(Debug)]
pub(super) struct BindGates {
    client: BindGate,
    server: BindGate,
}

impl BindGates {
    /// Gates for a UDP run where each program has a network of its own (a namespace, or a
    /// socket_wrapper directory); `None` elsewhere (relay mode needs no mirror, and a TCP
    /// bridge keeps the listeners it mirrors), or when asked for polling only.
    pub fn for_run(addressing: &Addressing, transport: Transport) -> Option<BindGates> {
        let own_networks = matches!(
            addressing.networks,
            ProgramNetworks::OwnNamespaces { .. } | ProgramNetworks::SocketWrapper(_)
        );
        (own_networks && transport == Transport::Udp && std::env::var_os(POLLING_ONLY).is_none())
            .then(|| BindGates {
                client: BindGate::new(),
                server: BindGate::new(),
            })
    }

    pub fn of(&self, role: Role) -> &BindGate {
        match role {
            Role::Client => &self.client,
            Role::Server => &self.server,
        }
    }
}
