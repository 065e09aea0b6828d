//! Starting the network between the two programs, once the server is started: one
//! constructor for every mode and transport, which returns the network, or why the
//! server did not start (it bound nothing within the start-up limit, or exited first).

use super::addressing::{Addressing, HOST, ProgramNetworks};
use super::bind_gates::BindGates;
use super::error::{RunError, internal};
use super::network::Network;
use super::notes::{ipv6_udp_under_preload, never_appeared, no_udp_bind};
use super::server_reach::{client_listener, client_socket, server_target};
use super::socket_dirs::SocketDirs;
use crate::case::{Scenario, Transport};
use crate::evidence::Role;
use crate::grading::progress::{Progress, ProgressSink};
use crate::harness::ports::{Protocol, wait_until_bound_by};
use crate::harness::process::RunningProgram;
use crate::link::stream::StreamSides;
use crate::link::{Direction, Impairment, ScriptedFault, stream_rng};
use crate::netns::NetNamespace;
use crate::netns::socket_table::{bound_udp_addresses, listening_tcp_addresses};
use crate::relay::discovery::Discovery;
use crate::relay::routing::Networks;
use crate::relay::stream_socket::{RelayListener, ServerNetwork};
use crate::relay::tcp::ConnectionObserver;
use crate::relay::tcp_bridge::BridgeError;
use crate::relay::{ScenarioClock, ShaperSeed, TcpBridge, TcpRelay, TcpRelayPlan, UdpRelay};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What starting one run's network needs.
#[derive(Debug)]
pub(super) struct NetworkPlan<'a> {
    pub transport: Transport,
    pub addressing: &'a Addressing,
    /// What happens to datagrams (UDP).
    pub impairments: Impairments,
    /// What happens to streams (TCP).
    pub stream: StreamSides,
    /// The session's seed and the run's key, which the stream shapers draw from.
    pub seed: u64,
    pub key: &'a str,
    /// Told of each TCP connection the relay opens (relay mode).
    pub progress: Option<&'a ProgressSink>,
    pub clock: ScenarioClock,
    /// When the server must have bound its port by, and how long that gave it.
    pub startup_deadline: Instant,
    pub startup_limit: Duration,
    /// Transparent mode, UDP: the gates the bridge mirrors each announced bind from.
    pub bind_gates: Option<&'a BindGates>,
}

/// How starting the network went.
#[derive(Debug)]
pub(super) enum Startup {
    /// The network is up; the client is told `client_port`.
    Ready { network: Network, client_port: u16 },
    /// The server did not start: `why`, in plain words (the student's fault).
    ServerDidNotStart { why: String },
}

/// The impairments of a run's datagrams, one per direction.
#[derive(Debug)]
pub(super) struct Impairments {
    to_server: Impairment,
    to_client: Impairment,
}

impl Impairments {
    /// The scenario's netem and scripted faults for each direction, each drawing from the
    /// run's own random stream.
    pub fn for_run(scenario: &Scenario, seed: u64, key: &str) -> Result<Impairments, RunError> {
        let impairment = |direction: Direction| -> Result<Impairment, RunError> {
            let netem = match direction {
                Direction::ToServer => scenario.netem_to_server.as_ref(),
                Direction::ToClient => scenario.netem_to_client.as_ref(),
            }
            .or(scenario.netem.as_ref())
            .cloned();
            Impairment::new(
                netem,
                faults_for(scenario, direction),
                stream_rng(seed, key, direction),
            )
            .map_err(|error| RunError::Internal {
                context: format!("scenario `{key}`: invalid impairment"),
                source: std::io::Error::other(error.to_string()),
            })
        };
        Ok(Impairments {
            to_server: impairment(Direction::ToServer)?,
            to_client: impairment(Direction::ToClient)?,
        })
    }
}

impl Network {
    /// Starts the network for the plan's mode and transport, once `server` has bound its
    /// port (relay mode waits for that first; the bridges of the other modes wait for it
    /// as they mirror it).
    pub fn start(plan: NetworkPlan<'_>, server: &RunningProgram) -> Result<Startup, RunError> {
        let addressing = plan.addressing;
        match (&addressing.networks, plan.transport) {
            (ProgramNetworks::SharedLoopback(private), transport) => {
                let protocol = match transport {
                    Transport::Udp => Protocol::Udp,
                    Transport::Tcp => Protocol::Tcp,
                };
                // Inside a private namespace the port is looked for among the server's own
                // sockets: the host's table does not show them.
                let server_pid = private.as_ref().map(|_| server.pid());
                let bound = wait_until_bound_by(
                    server_pid,
                    protocol,
                    addressing.server_port,
                    plan.startup_deadline,
                    || server.has_exited(),
                );
                if let Err(not_bound) = bound {
                    return Ok(Startup::ServerDidNotStart {
                        why: not_bound.to_string(),
                    });
                }
                // Reached in the family it listens in (`::1` alone is not at 127.0.0.1).
                let bound = match transport {
                    Transport::Tcp => listening_tcp_addresses(server.pid()),
                    Transport::Udp => bound_udp_addresses(server.pid()),
                };
                let target = server_target(
                    addressing.host(),
                    addressing.test_address.is_some(),
                    addressing.server_port,
                    &bound.unwrap_or_default(),
                );
                match transport {
                    Transport::Tcp => start_tcp_relay(plan, target, private.as_ref()),
                    Transport::Udp => start_udp_relay(plan, target, private.as_ref()),
                }
            }
            (
                ProgramNetworks::OwnNamespaces {
                    client,
                    server: own,
                },
                Transport::Tcp,
            ) => {
                let networks = Networks::Namespaces {
                    client: Arc::clone(client),
                    server: Arc::clone(own),
                };
                let bridge = match mirror_tcp(&plan, &networks, server) {
                    Ok(bridge) => bridge,
                    Err(failure) => return startup_failure(failure, |why| why),
                };
                Ok(Startup::Ready {
                    network: Network::MirroredTcp {
                        bridge,
                        preload: false,
                    },
                    client_port: addressing.server_port,
                })
            }
            (
                ProgramNetworks::OwnNamespaces {
                    client,
                    server: own,
                },
                Transport::Udp,
            ) => {
                let networks = Networks::Namespaces {
                    client: Arc::clone(client),
                    server: Arc::clone(own),
                };
                bridge_udp_namespaces(plan, networks, server)
            }
            (ProgramNetworks::SocketWrapper(dirs), Transport::Tcp) => {
                let bridge = match mirror_tcp(&plan, &dirs.networks(), server) {
                    Ok(bridge) => bridge,
                    Err(failure) => {
                        return startup_failure(failure, |why| {
                            if dirs.has_entries(Role::Server) {
                                why
                            } else {
                                never_appeared(Role::Server)
                            }
                        });
                    }
                };
                Ok(Startup::Ready {
                    network: Network::MirroredTcp {
                        bridge,
                        preload: true,
                    },
                    client_port: addressing.server_port,
                })
            }
            (ProgramNetworks::SocketWrapper(dirs), Transport::Udp) => {
                bridge_udp_dirs(plan, dirs, server)
            }
        }
    }
}

/// Relay mode, TCP: a relay the client connects to, started in the private namespace
/// where there is one, and reaching the server at `target`.
fn start_tcp_relay(
    plan: NetworkPlan<'_>,
    target: SocketAddr,
    private: Option<&Arc<NetNamespace>>,
) -> Result<Startup, RunError> {
    let addressing = plan.addressing;
    let relay_plan = TcpRelayPlan {
        // With a documentation address the relay answers on every address of the private
        // namespace, so a client that dials the loopback anyway is seen doing it (the
        // address check) rather than refused.
        listen: SocketAddr::from((
            if addressing.test_address.is_some() {
                Ipv4Addr::UNSPECIFIED
            } else {
                addressing.host()
            },
            0,
        )),
        target,
        faults: plan.stream,
        seed: ShaperSeed {
            run_seed: plan.seed,
            scenario_key: plan.key.to_owned(),
        },
        keep_client_port: false,
        server_network: ServerNetwork::Tcp,
    };
    let observer = plan.progress.cloned().map(|sink| {
        let key = plan.key.to_owned();
        Box::new(move |opened: u32| {
            sink.report(Progress::Connections { key: &key, opened });
        }) as ConnectionObserver
    });
    let clock = plan.clock;
    let in_private = private.is_some();
    let start = move || {
        let listener = client_listener(in_private, relay_plan.listen)?;
        TcpRelay::start_on(RelayListener::Tcp(listener), relay_plan, clock, observer)
    };
    let relay = match private {
        None => start(),
        // The relay's thread is started inside the namespace and stays there, so its
        // connections to the server are made there too.
        Some(namespace) => namespace
            .run_in(start)
            .map_err(std::io::Error::other)
            .and_then(|started| started),
    }
    .map_err(internal("cannot start the tcp relay"))?;
    let client_port = relay.listen_addr().port();
    Ok(Startup::Ready {
        network: Network::Tcp(relay),
        client_port,
    })
}

/// Relay mode, UDP: a relay the client sends to, its sockets made in the private
/// namespace where there is one, sending to the server at `target`.
fn start_udp_relay(
    plan: NetworkPlan<'_>,
    target: SocketAddr,
    private: Option<&Arc<NetNamespace>>,
) -> Result<Startup, RunError> {
    let Impairments {
        to_server,
        to_client,
    } = plan.impairments;
    let clock = plan.clock;
    let in_private = private.is_some();
    let start = move || {
        let client_side = client_socket(in_private, SocketAddr::from((HOST, 0)))?;
        UdpRelay::start_on(client_side, target, to_server, to_client, clock, None)
    };
    let relay = match private {
        None => start(),
        // Its sockets are made inside the namespace; the relay then runs anywhere.
        Some(namespace) => namespace
            .run_in(start)
            .map_err(std::io::Error::other)
            .and_then(|started| started),
    }
    .map_err(internal("cannot start the relay"))?;
    let client_port = relay.listen_addr().map_or(0, |address| address.port());
    Ok(Startup::Ready {
        network: Network::Relay(relay),
        client_port,
    })
}

/// Transparent and preload modes, TCP: the server's listening ports are mirrored into
/// the client's network as they appear.
fn mirror_tcp(
    plan: &NetworkPlan<'_>,
    networks: &Networks,
    server: &RunningProgram,
) -> Result<TcpBridge, BridgeError> {
    let port = plan.addressing.server_port;
    let relay_plan = TcpRelayPlan {
        listen: SocketAddr::from((HOST, port)),
        target: SocketAddr::from((HOST, port)),
        faults: plan.stream.clone(),
        seed: ShaperSeed {
            run_seed: plan.seed,
            scenario_key: plan.key.to_owned(),
        },
        keep_client_port: true,
        server_network: ServerNetwork::Tcp,
    };
    TcpBridge::start(
        networks,
        server.pid(),
        &relay_plan,
        plan.clock,
        plan.startup_deadline,
        || server.has_exited(),
    )
}

/// A bridge that could not start: the server's fault (said as `wording` makes it of the
/// bridge's reason), or the grader's.
fn startup_failure(
    failure: BridgeError,
    wording: impl FnOnce(String) -> String,
) -> Result<Startup, RunError> {
    match failure {
        BridgeError::NotListening(why) => Ok(Startup::ServerDidNotStart { why: wording(why) }),
        BridgeError::Internal { context, source } => Err(RunError::Internal { context, source }),
    }
}

/// Transparent mode, UDP: a bridge between the two namespaces, mirroring each port a
/// program binds as discovery finds it.
fn bridge_udp_namespaces(
    plan: NetworkPlan<'_>,
    networks: Networks,
    server: &RunningProgram,
) -> Result<Startup, RunError> {
    let Impairments {
        to_server,
        to_client,
    } = plan.impairments;
    let relay = Arc::new(
        UdpRelay::bridge(networks, to_server, to_client, plan.clock)
            .map_err(internal("cannot start the bridge"))?,
    );
    let mut discovery = Discovery::start(Arc::clone(&relay));
    discovery.watch(Role::Server, server.pid());
    // The server's binds so far are queued at its gate and mirrored now; from here on
    // each program's binds wait there until their mirror exists.
    if let Some(gates) = plan.bind_gates {
        for role in [Role::Server, Role::Client] {
            discovery.serve_gate(role, gates.of(role).clone(), Arc::clone(&relay), None);
        }
    }
    if !discovery.wait_for_bind(Role::Server, plan.startup_deadline, || server.has_exited()) {
        let why = no_udp_bind(server.has_exited(), plan.startup_limit);
        discovery.stop();
        return Ok(Startup::ServerDidNotStart { why });
    }
    Ok(Startup::Ready {
        network: Network::Transparent { relay, discovery },
        client_port: plan.addressing.server_port,
    })
}

/// Preload mode, UDP: the same bridge between the two socket_wrapper directories, where
/// discovery sees each socket as its file appears.
fn bridge_udp_dirs(
    plan: NetworkPlan<'_>,
    dirs: &SocketDirs,
    server: &RunningProgram,
) -> Result<Startup, RunError> {
    let Impairments {
        to_server,
        to_client,
    } = plan.impairments;
    let relay = Arc::new(
        UdpRelay::bridge(dirs.networks(), to_server, to_client, plan.clock)
            .map_err(internal("cannot start the bridge"))?,
    );
    let mut discovery = Discovery::start_in_dirs(
        Arc::clone(&relay),
        dirs.of(Role::Client).to_path_buf(),
        dirs.of(Role::Server).to_path_buf(),
    )
    .map_err(internal("cannot watch the socket_wrapper directories"))?;
    // As in transparent mode: each bind waits at its gate until its file is mirrored.
    if let Some(gates) = plan.bind_gates {
        for role in [Role::Server, Role::Client] {
            let dir = dirs.of(role).to_path_buf();
            discovery.serve_gate(role, gates.of(role).clone(), Arc::clone(&relay), Some(dir));
        }
    }
    if !discovery.wait_for_bind(Role::Server, plan.startup_deadline, || server.has_exited()) {
        let why = if let Some(address) = dirs.ipv6_udp_address(Role::Server) {
            ipv6_udp_under_preload(address)
        } else if discovery.has_appeared(Role::Server) {
            no_udp_bind(server.has_exited(), plan.startup_limit)
        } else {
            never_appeared(Role::Server)
        };
        discovery.stop();
        return Ok(Startup::ServerDidNotStart { why });
    }
    Ok(Startup::Ready {
        network: Network::Preload { relay, discovery },
        client_port: plan.addressing.server_port,
    })
}

/// The scripted faults of a scenario that act on one direction.
fn faults_for(scenario: &Scenario, direction: Direction) -> Vec<ScriptedFault> {
    scenario
        .faults
        .iter()
        .map(|fault| fault.value.clone())
        .filter(|fault| fault.direction().is_none_or(|d| d == direction))
        .collect()
}
