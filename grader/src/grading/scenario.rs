//! Running one planned scenario: server, relay, client, then collect the evidence.

use super::attempt_notes::{HeldPort, Holder, Judged, attempt_notes};
use super::input_files::HandedOut;
use super::mode::{ChosenMode, DEFAULT_TRANSPARENT_PORT, Mode};
use super::produced_files::DirSnapshot;
use super::program::ProgramChoice;
use super::progress::{Progress, ProgressSink};
use crate::analyzer::LoadedCase;
use crate::case::{
    EndsWhen, Feed, GivenTo, PlannedRun, ProgramInput, ProgramOutput, ProgramTemplates, Scenario,
    StdinScript, Transport,
};
use crate::evidence::{ExitReason, PortRelease, Role, RunEvidence, Transcript, WireTrace};
use crate::harness::exit_bell::ExitBell;
use crate::harness::ports::{Protocol, free_port, tcp_receive_queues_empty, wait_until_bound_by};
use crate::harness::process::{ProgramSpec, RunningProgram, StdinInput, StopReason};
use crate::harness::stdin_feed::TypingGate;
use crate::harness::template::Placeholders;
use crate::link::{Direction, Impairment, ScriptedFault, seed::stream_rng};
use crate::netns::NetNamespace;
use crate::relay::discovery::Discovery;
use crate::relay::routing::Networks;
use crate::relay::socket_dir::preload_environment;
use crate::relay::stream_socket::ServerNetwork;
use crate::relay::tcp::ConnectionObserver;
use crate::relay::tcp_bridge::BridgeError;
use crate::relay::{
    RelayEndpoints, ScenarioClock, ShaperSeed, TcpBridge, TcpRelay, TcpRelayPlan, UdpRelay,
};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The loopback address every program of a relay-mode scenario uses.
const HOST: Ipv4Addr = Ipv4Addr::LOCALHOST;
/// How long a server may take to bind its port, at most (less if the budget is shorter).
const STARTUP_LIMIT: Duration = Duration::from_secs(5);
/// Set in the grader's environment to a file name, makes it write the server's pid there
/// and panic once a scenario's server is up: how the tests prove that a grader bug exits 70
/// and leaves no program behind.
pub const PANIC_AFTER_SERVER_STARTS: &str = "SOCKLAB_PANIC_AFTER_SERVER_STARTS";
/// Between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_millis(200);

/// What a grading session holds fixed across its scenarios.
#[derive(Clone, Debug)]
pub struct RunSettings {
    /// The run's seed; each scenario and direction gets its own stream from it.
    pub seed: u64,
    pub client: ProgramChoice,
    pub server: ProgramChoice,
    /// The argv prefix that starts a reference peer (`[grader, "reference"]`).
    pub reference_launcher: Vec<String>,
    /// Where each run gets its fresh directories.
    pub work_root: PathBuf,
    /// Overrides every scenario's budget (`--budget`).
    pub budget: Option<Duration>,
    /// The mode, with why it was chosen (for the report).
    pub mode: ChosenMode,
    /// Directories no program may read: the grader's own directory, `--out`, `--hide`.
    pub hidden: Vec<PathBuf>,
    /// Overrides the address-space limit of every program (`--memory-limit`).
    pub memory_limit: Option<u64>,
    /// Told of each run as it starts and ends, and of each TCP connection as it opens.
    pub progress: Option<ProgressSink>,
}

/// What sits between the two programs in one run.
enum Network {
    Relay(UdpRelay),
    Tcp(TcpRelay),
    Transparent {
        relay: Arc<UdpRelay>,
        discovery: Discovery,
    },
    /// Transparent and preload modes, TCP: the server's listening ports mirrored.
    MirroredTcp {
        bridge: TcpBridge,
        preload: bool,
    },
    /// Preload mode: the same bridge between two socket_wrapper directories.
    Preload {
        relay: Arc<UdpRelay>,
        discovery: Discovery,
    },
}

impl Network {
    fn last_activity(&self) -> Option<Duration> {
        match self {
            Network::Relay(relay) => relay.last_activity(),
            Network::Tcp(relay) => relay.last_activity(),
            Network::Transparent { relay, .. } | Network::Preload { relay, .. } => {
                relay.last_activity()
            }
            Network::MirroredTcp { bridge, .. } => bridge.last_activity(),
        }
    }

    /// The ports held in this run by the relay, and by the server (at `server`), that no
    /// other program may take; those known held from `ready` on say so.
    fn held_ports(&self, server: SocketAddr, ready: Duration) -> Vec<HeldPort> {
        let held = |address, holder, seen_by, since| HeldPort {
            address,
            holder,
            seen_by,
            since,
        };
        let relay_for = |role| Holder::Relay {
            standing_in_for: role,
        };
        let the_servers = held(server, Holder::Program(Role::Server), None, Some(ready));
        match self {
            Network::Relay(relay) => [
                Some(the_servers),
                relay
                    .listen_addr()
                    .map(|address| held(address, relay_for(Role::Server), None, Some(ready))),
                relay
                    .server_side_addr()
                    .map(|address| held(address, relay_for(Role::Client), None, Some(ready))),
            ]
            .into_iter()
            .flatten()
            .collect(),
            Network::Tcp(relay) => vec![
                the_servers,
                held(
                    relay.listen_addr(),
                    relay_for(Role::Server),
                    None,
                    Some(ready),
                ),
            ],
            // Each program has a network of its own, where it binds the ports it likes;
            // only the relay's mirrors there stand in for the other program. When each
            // was made is not kept, so whether a bind came after it is not known.
            Network::Transparent { relay, .. } | Network::Preload { relay, .. } => relay
                .bound_addresses()
                .into_iter()
                .map(|(faces, address)| held(address, relay_for(faces.peer()), Some(faces), None))
                .collect(),
            Network::MirroredTcp { .. } => vec![held(
                server,
                relay_for(Role::Server),
                Some(Role::Client),
                None,
            )],
        }
    }

    /// Stops relaying; returns the trace and what discovery could not do.
    fn stop(self) -> std::io::Result<(WireTrace, Vec<String>)> {
        let kind = match self {
            Network::Preload { .. } => NetworkKind::Preload,
            _ => NetworkKind::Other,
        };
        match self {
            Network::Relay(relay) => Ok((relay.stop()?, Vec::new())),
            Network::Tcp(relay) => Ok((
                WireTrace {
                    connections: relay.stop()?,
                    ..WireTrace::default()
                },
                Vec::new(),
            )),
            Network::MirroredTcp { bridge, preload } => {
                let client_appeared = bridge.client_appeared();
                let (connections, mut notes) = bridge.stop()?;
                if preload && connections.is_empty() && !client_appeared {
                    notes.push(NEVER_APPEARED.replace("{role}", "client"));
                }
                Ok((
                    WireTrace {
                        connections,
                        ..WireTrace::default()
                    },
                    notes,
                ))
            }
            Network::Transparent { relay, discovery } | Network::Preload { relay, discovery } => {
                let mut notes = discovery.notes();
                if matches!(kind, NetworkKind::Preload) && !discovery.has_appeared(Role::Client) {
                    notes.push(NEVER_APPEARED.replace("{role}", "client"));
                }
                // Discovery holds the other handle; once it has stopped, the relay is ours.
                discovery.stop();
                let trace = Arc::try_unwrap(relay)
                    .map_err(|_| std::io::Error::other("the bridge is still shared"))?
                    .stop()?;
                Ok((trace, notes))
            }
        }
    }
}

enum NetworkKind {
    Preload,
    Other,
}

/// Said of a program that never made a socket in its socket_wrapper directory: its
/// silence is not the protocol's fault, so the report says why before anyone blames it.
const NEVER_APPEARED: &str = "the {role} never made a socket in its socket_wrapper directory: preload mode could not reach it (a statically linked program, such as one built by Go, bypasses LD_PRELOAD; so does one that opens no socket at all); grade it with --mode transparent where network namespaces can be made";

/// Whether `role` runs the built-in reference peer, which asks no role.
fn runs_reference(settings: &RunSettings, role: Role) -> bool {
    let choice = match role {
        Role::Client => &settings.client,
        Role::Server => &settings.server,
    };
    matches!(choice, ProgramChoice::Reference)
}

/// Whether `dir` holds anything (a program under socket_wrapper made a socket there, and
/// its file is left even when the socket is closed by a kill).
fn has_entries(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some())
}

/// The socket_wrapper directory inside each program's own directory (preload mode): there
/// the program may make its sockets even where it may write nowhere else, and the grader's
/// list of the files a program produced skips it (it lists regular files only).
const SOCKET_DIR: &str = ".socket_wrapper";

/// Why a run could not be performed at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The command line could not be built (bad template, or a submission with no way
    /// to run).
    #[error("cannot build the {role}'s command line: {source}")]
    CommandLine {
        role: Role,
        source: super::program::CommandLineError,
    },
    /// The program could not be started at all.
    #[error("cannot start the {role} (`{program}`): {message}")]
    Spawn {
        role: Role,
        program: String,
        message: String,
    },
    /// The mode needs network namespaces and none can be made here.
    #[error("{message}")]
    Namespace { message: String },
    /// The grader's own machinery failed.
    #[error("{context}: {source}")]
    Internal {
        context: String,
        source: std::io::Error,
    },
}

/// Runs one planned scenario and returns its evidence.
pub fn run_scenario(
    loaded: &LoadedCase,
    run: &PlannedRun,
    settings: &RunSettings,
) -> Result<RunEvidence, RunError> {
    let case = &loaded.case;
    let scenario = &case.scenarios[run.scenario];
    let budget = settings.budget.or(scenario.budget).unwrap_or(case.budget);
    let internal = |context: &str| {
        let context = context.to_owned();
        move |source| RunError::Internal { context, source }
    };
    let mut limits = crate::harness::limits::Limits::default();
    if let Some(memory_limit) = settings.memory_limit {
        limits.address_space = memory_limit;
    }
    let run_dir = settings.work_root.join(sanitize(&run.key));
    let server_dir = fresh_dir(&run_dir.join("server"))
        .map_err(internal("cannot create the server's directory"))?;
    let client_dir = fresh_dir(&run_dir.join("client"))
        .map_err(internal("cannot create the client's directory"))?;
    let file_name = scenario.file.as_ref().map(|file| file.name.clone());

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
            stream_rng(settings.seed, &run.key, direction),
        )
        .map_err(|error| RunError::Internal {
            context: format!("scenario `{}`: invalid impairment", run.key),
            source: std::io::Error::other(error.to_string()),
        })
    };
    let (to_server, to_client) = (
        impairment(Direction::ToServer)?,
        impairment(Direction::ToClient)?,
    );

    // Relay mode: the server gets a free port of the host's loopback, the client the
    // relay's. Transparent mode: each program has a loopback of its own, so both are told
    // the case's port (the one hard-coded programs use anyway).
    let protocol = match case.transport {
        Transport::Udp => Protocol::Udp,
        Transport::Tcp => Protocol::Tcp,
    };
    let hard_coded_port = case
        .programs
        .hard_coded_port
        .unwrap_or(DEFAULT_TRANSPARENT_PORT);
    let (server_port, namespaces) = match &settings.mode.mode {
        Mode::Relay => (
            free_port(protocol).map_err(internal("cannot find a free port"))?,
            None,
        ),
        Mode::Preload { .. } => (hard_coded_port, None),
        Mode::Transparent => {
            let namespace = || {
                NetNamespace::create()
                    .map(Arc::new)
                    .map_err(|error| RunError::Namespace {
                        message: error.to_string(),
                    })
            };
            (hard_coded_port, Some((namespace()?, namespace()?)))
        }
    };
    // Relay mode: both programs and the relay share one private loopback where namespaces
    // can be made, so a program reaches nothing else and hard-coded ports cannot collide
    // with another run; elsewhere they use the host's loopback.
    let private_loopback = match settings.mode.mode {
        Mode::Relay => private_loopback(),
        Mode::Transparent | Mode::Preload { .. } => None,
    };
    // A case that forbids the loopback names a documentation address; it is made local
    // in the run's private namespaces (never on the host): in relay mode the one both
    // programs share, in transparent mode each program's, so the mirrors can take the
    // addresses the programs use there.
    let private: Vec<&Arc<NetNamespace>> = match (&namespaces, &private_loopback) {
        (Some((client, server)), _) => vec![client, server],
        (None, Some(namespace)) => vec![namespace],
        (None, None) => Vec::new(),
    };
    let test_address = match &case.programs.host {
        Some(host) if !private.is_empty() => {
            for namespace in private {
                namespace
                    .add_address(host.value)
                    .map_err(|error| RunError::Namespace {
                        message: format!("cannot give the run's namespace {}: {error}", host.value),
                    })?;
            }
            Some(host.value)
        }
        _ => None,
    };
    let host = test_address.unwrap_or(HOST);
    let server_argv = command_line(
        Role::Server,
        &settings.server,
        &case.programs.server,
        settings,
        &server_dir,
        (host, server_port),
        file_name.as_deref(),
    )?;
    // Preload mode: each program's network is a socket_wrapper directory of its own.
    let mut client_argv = None;
    let preload = match &settings.mode.mode {
        Mode::Preload { library } => {
            // The client is told the server's own port, so it is staged now: its
            // directory must be empty for that, and the bridge binds in it from the start.
            client_argv = Some(command_line(
                Role::Client,
                &settings.client,
                &case.programs.client,
                settings,
                &client_dir,
                (host, server_port),
                file_name.as_deref(),
            )?);
            let dirs = [&client_dir, &server_dir].map(|dir| dir.join(SOCKET_DIR));
            for dir in &dirs {
                std::fs::create_dir(dir)
                    .map_err(internal("cannot create a socket_wrapper directory"))?;
            }
            let [client_sockets, server_sockets] = dirs;
            Some((library.clone(), client_sockets, server_sockets))
        }
        _ => None,
    };
    let preload_env = |role: Role| match &preload {
        Some((library, client_sockets, server_sockets)) => preload_environment(
            library,
            match role {
                Role::Client => client_sockets,
                Role::Server => server_sockets,
            },
        ),
        None => Vec::new(),
    };

    // The file goes where the scenario says (placed after the submissions are staged):
    // to the server that sends it (udp-file), to the client that sends it and the server
    // that keeps it as the standard (tcp-file-100).
    let place = |dir: &Path| {
        scenario
            .file
            .as_ref()
            .map(|file| HandedOut::place(settings.seed, &run.key, file, dir))
            .transpose()
            .map_err(internal("cannot write the scenario's file"))
    };
    let given_to = scenario.file.as_ref().map(|file| file.given_to);
    let mut handed_out = if given_to.is_some_and(GivenTo::server) {
        place(&server_dir)?
    } else {
        None
    };
    let (uploads, upload_script) =
        match case.analyzer.typed_input(scenario, settings.seed, &run.key) {
            Some(typed) => (typed.uploads, Some(typed.script)),
            None => (Vec::new(), None),
        };
    // What the server writes in its directory is what it produced from the run.
    let server_snapshot =
        DirSnapshot::take(&server_dir).map_err(internal("cannot list the server's directory"))?;

    // Where a program's stdout goes when the case keeps it as the received file; outside
    // both programs' directories, so neither can reach the other's.
    let stdout_path = |role: Role| run_dir.join(format!("{role}-stdout"));
    let program_io =
        |role: Role, templates: &ProgramTemplates, typed: Option<StdinInput>| ProgramIo {
            stdin: match (templates.stdin, &templates.role_answer) {
                (ProgramInput::Keyboard, Some(answer)) if !runs_reference(settings, role) => {
                    Some(StdinInput::after_answer(answer, typed))
                }
                (ProgramInput::Keyboard, _) => typed,
                (ProgramInput::ScenarioFile, _) => scenario.file.as_ref().map(|file| {
                    StdinInput::Whole(super::input_files::generate(settings.seed, &run.key, file))
                }),
            },
            stdout_file: (templates.stdout == ProgramOutput::ReceivedFile)
                .then(|| stdout_path(role)),
            private_root: Some(settings.work_root.clone()),
            hidden: settings.hidden.clone(),
            extra_env: preload_env(role),
        };

    let clock = ScenarioClock::start();
    let deadline = clock.origin() + budget;
    let server_namespace = namespaces
        .as_ref()
        .map(|(_, server)| Arc::clone(server))
        .or_else(|| private_loopback.clone());
    let server = spawn(
        Role::Server,
        server_argv,
        &server_dir,
        clock.origin(),
        server_namespace.clone(),
        limits,
        program_io(
            Role::Server,
            &case.programs.server,
            keyboard(scenario.server_stdin.as_ref(), None),
        ),
    )?;
    let startup_deadline = Instant::now() + budget.min(STARTUP_LIMIT);
    let startup_failure = |server: RunningProgram, why: String| {
        let server = server.stop(GRACE, StopReason::Complete);
        let mut notes = ending_notes(Role::Server, &server, budget);
        // No port of the run is held yet but the server's own: only its writes can tell.
        let judged = Judged {
            role: Role::Server,
            transcript: &server,
            dir: &server_dir,
            confined: crate::harness::file_confinement::file_confinement_available(),
            peer: &Transcript::default(),
        };
        notes.extend(attempt_notes(judged, &[]));
        RunEvidence {
            scenario: run.scenario,
            notes,
            client: Transcript::default(),
            server,
            trace: WireTrace::default(),
            startup_failure: Some(format!("the server did not start: {why}")),
            wall_time: clock.now(),
            file: None,
            server_release: None,
            server_files: Vec::new(),
            uploads: Vec::new(),
            test_address,
        }
    };

    // Transparent and preload modes, TCP: the server's listening ports are mirrored into
    // the client's network as they appear.
    let mirror_tcp = |networks: &Networks| {
        let plan = TcpRelayPlan {
            listen: SocketAddr::from((HOST, server_port)),
            target: SocketAddr::from((HOST, server_port)),
            faults: scenario.stream.clone().unwrap_or_default(),
            seed: ShaperSeed {
                run_seed: settings.seed,
                scenario_key: run.key.clone(),
            },
            keep_client_port: true,
            server_network: ServerNetwork::Tcp,
        };
        TcpBridge::start(
            networks,
            server.pid(),
            &plan,
            clock,
            startup_deadline,
            || server.has_exited(),
        )
    };
    let (network, client_port, client_namespace) = match namespaces {
        None if preload.is_some() && case.transport == Transport::Tcp => {
            let Some((_, client_sockets, server_sockets)) = &preload else {
                unreachable!("checked by the guard");
            };
            let networks = Networks::SocketDirs {
                client: client_sockets.clone(),
                server: server_sockets.clone(),
            };
            match mirror_tcp(&networks) {
                Ok(bridge) => (
                    Network::MirroredTcp {
                        bridge,
                        preload: true,
                    },
                    server_port,
                    None,
                ),
                Err(BridgeError::NotListening(why)) => {
                    let why = if has_entries(server_sockets) {
                        why
                    } else {
                        NEVER_APPEARED.replace("{role}", "server")
                    };
                    return Ok(startup_failure(server, why));
                }
                Err(BridgeError::Internal { context, source }) => {
                    return Err(RunError::Internal { context, source });
                }
            }
        }
        None if preload.is_some() => {
            let Some((_, client_sockets, server_sockets)) = &preload else {
                unreachable!("checked by the guard");
            };
            let networks = Networks::SocketDirs {
                client: client_sockets.clone(),
                server: server_sockets.clone(),
            };
            let relay = Arc::new(
                UdpRelay::bridge(networks, to_server, to_client, clock)
                    .map_err(internal("cannot start the bridge"))?,
            );
            let discovery = Discovery::start_in_dirs(
                Arc::clone(&relay),
                client_sockets.clone(),
                server_sockets.clone(),
            )
            .map_err(internal("cannot watch the socket_wrapper directories"))?;
            if !discovery.wait_for_bind(Role::Server, startup_deadline, || server.has_exited()) {
                let why = if discovery.has_appeared(Role::Server) {
                    no_udp_bind(&server, budget)
                } else {
                    NEVER_APPEARED.replace("{role}", "server")
                };
                discovery.stop();
                return Ok(startup_failure(server, why));
            }
            (Network::Preload { relay, discovery }, server_port, None)
        }
        None => {
            let server_pid = private_loopback.as_ref().map(|_| server.pid());
            if let Err(not_bound) =
                wait_until_bound_by(server_pid, protocol, server_port, startup_deadline, || {
                    server.has_exited()
                })
            {
                return Ok(startup_failure(server, not_bound.to_string()));
            }
            if case.transport == Transport::Tcp {
                let plan = TcpRelayPlan {
                    // With a documentation address the relay answers on every address of
                    // the private namespace, so a client that dials the loopback anyway
                    // is seen doing it (the address check) rather than refused.
                    listen: SocketAddr::from((
                        if test_address.is_some() {
                            Ipv4Addr::UNSPECIFIED
                        } else {
                            host
                        },
                        0,
                    )),
                    target: SocketAddr::from((host, server_port)),
                    faults: scenario.stream.clone().unwrap_or_default(),
                    seed: ShaperSeed {
                        run_seed: settings.seed,
                        scenario_key: run.key.clone(),
                    },
                    keep_client_port: false,
                    server_network: ServerNetwork::Tcp,
                };
                let observer = settings.progress.clone().map(|sink| {
                    let key = run.key.clone();
                    Box::new(move |opened: u32| {
                        sink.report(Progress::Connections { key: &key, opened });
                    }) as ConnectionObserver
                });
                let relay = match &private_loopback {
                    None => TcpRelay::start(plan, clock, observer),
                    // The relay's thread is started inside the namespace and stays there,
                    // so its connections to the server are made there too.
                    Some(namespace) => namespace
                        .run_in(move || TcpRelay::start(plan, clock, observer))
                        .map_err(std::io::Error::other)
                        .and_then(|started| started),
                }
                .map_err(internal("cannot start the tcp relay"))?;
                let port = relay.listen_addr().port();
                (Network::Tcp(relay), port, private_loopback.clone())
            } else {
                let endpoints = RelayEndpoints {
                    listen: SocketAddr::from((HOST, 0)),
                    target: SocketAddr::from((HOST, server_port)),
                };
                let relay = match &private_loopback {
                    None => UdpRelay::start(endpoints, to_server, to_client, clock, None),
                    // Its sockets are made inside the namespace; the relay then runs anywhere.
                    Some(namespace) => namespace
                        .run_in(move || {
                            UdpRelay::start(endpoints, to_server, to_client, clock, None)
                        })
                        .map_err(std::io::Error::other)
                        .and_then(|started| started),
                }
                .map_err(internal("cannot start the relay"))?;
                let port = relay.listen_addr().map_or(0, |address| address.port());
                (Network::Relay(relay), port, private_loopback.clone())
            }
        }
        Some((client_namespace, server_namespace)) if case.transport == Transport::Tcp => {
            let networks = Networks::Namespaces {
                client: Arc::clone(&client_namespace),
                server: server_namespace,
            };
            match mirror_tcp(&networks) {
                Ok(bridge) => (
                    Network::MirroredTcp {
                        bridge,
                        preload: false,
                    },
                    server_port,
                    Some(client_namespace),
                ),
                Err(BridgeError::NotListening(why)) => return Ok(startup_failure(server, why)),
                Err(BridgeError::Internal { context, source }) => {
                    return Err(RunError::Internal { context, source });
                }
            }
        }
        Some((client_namespace, server_namespace)) => {
            let networks = Networks::Namespaces {
                client: Arc::clone(&client_namespace),
                server: server_namespace,
            };
            let relay = Arc::new(
                UdpRelay::bridge(networks, to_server, to_client, clock)
                    .map_err(internal("cannot start the bridge"))?,
            );
            let discovery = Discovery::start(Arc::clone(&relay));
            discovery.watch(Role::Server, server.pid());
            if !discovery.wait_for_bind(Role::Server, startup_deadline, || server.has_exited()) {
                let why = no_udp_bind(&server, budget);
                discovery.stop();
                return Ok(startup_failure(server, why));
            }
            (
                Network::Transparent { relay, discovery },
                server_port,
                Some(client_namespace),
            )
        }
    };

    // The server has bound its port and the relay holds its own from here on.
    let network_ready_at = clock.now();

    // The kit's own test of a grader bug mid-run (exit 70, every program stopped) needs a
    // bug to happen on demand, and the server's pid to check on; nothing else sets this.
    if let Some(pid_file) = std::env::var_os(PANIC_AFTER_SERVER_STARTS) {
        let _ = std::fs::write(pid_file, server.pid().to_string());
        panic!("{PANIC_AFTER_SERVER_STARTS} is set: a deliberate grader panic for its tests");
    }
    let client_argv = match client_argv {
        Some(argv) => argv,
        None => command_line(
            Role::Client,
            &settings.client,
            &case.programs.client,
            settings,
            &client_dir,
            (host, client_port),
            file_name.as_deref(),
        )?,
    };
    // The client's copy goes in once its submission is staged there.
    if given_to.is_some_and(GivenTo::client) {
        match &mut handed_out {
            Some(handed_out) => handed_out
                .hand_also(&client_dir)
                .map_err(internal("cannot write the scenario's file"))?,
            None => handed_out = place(&client_dir)?,
        }
    }
    // An uploading client is typed at like a person would: each line only once the
    // previous one has reached the server and been read there, so every write arrives on
    // its own unless the scenario's relay splits them on purpose.
    // A scenario that joins writes on purpose is typed at the program's own pace: waiting
    // for each held write to be delivered would undo the joining.
    let joins_writes = scenario
        .stream
        .as_ref()
        .is_some_and(|stream| stream.to_server.coalesce.is_some());
    let holding = match (&network, &private_loopback) {
        (Network::Tcp(relay), Some(_)) => Some(relay.holding()),
        (Network::MirroredTcp { bridge, .. }, _) => bridge.holding(),
        _ => None,
    };
    let typing_gate = match holding {
        Some(holding) if upload_script.is_some() && !joins_writes => {
            let server_pid = server.pid();
            Some(TypingGate(Arc::new(move || {
                holding.is_clear() && tcp_receive_queues_empty(server_pid)
            })))
        }
        _ => None,
    };
    let client = spawn(
        Role::Client,
        client_argv,
        &client_dir,
        clock.origin(),
        client_namespace,
        limits,
        program_io(
            Role::Client,
            &case.programs.client,
            keyboard(
                scenario.client_stdin.as_ref().or(upload_script.as_ref()),
                typing_gate,
            ),
        ),
    )?;
    if let Network::Transparent { discovery, .. } = &network {
        discovery.watch(Role::Client, client.pid());
    }

    // The scenario is complete when the program it waits for (the client, unless the
    // scenario shuts the server down) has exited and then nothing has happened on the wire
    // or in either program's output for the quiet period, or when the deadline comes.
    let (awaited, other) = match scenario.ends_when(case) {
        EndsWhen::ClientExits | EndsWhen::EitherExits => (&client, &server),
        EndsWhen::ServerExits => (&server, &client),
    };
    let ends_when = scenario.ends_when(case);
    let awaited_exited = match ends_when {
        EndsWhen::ClientExits | EndsWhen::ServerExits => awaited.wait_until(deadline),
        EndsWhen::EitherExits => {
            let bell = Arc::new(ExitBell::default());
            client.ring_on_exit(&bell);
            server.ring_on_exit(&bell);
            bell.wait_until(deadline, || client.has_exited() || server.has_exited())
        }
    };
    // With either exit, the one still running is the one stopped after the quiet period.
    let other = match ends_when {
        EndsWhen::EitherExits if server.has_exited() => &client,
        _ => other,
    };
    // Checked at once, before anything is stopped: a process the server left behind that
    // still holds the port would be killed with its group.
    let server_release = (ends_when == EndsWhen::ServerExits && awaited_exited)
        .then(|| port_release(server_namespace.as_deref(), server_port));
    if awaited_exited {
        loop {
            let last = [
                network.last_activity(),
                server.last_activity(),
                client.last_activity(),
            ]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or_default();
            let quiet_until = (clock.origin() + last + case.quiet).min(deadline);
            if Instant::now() >= quiet_until {
                break;
            }
            // Waiting on the other program's exit doubles as the quiet wait: one that
            // exits by itself ends the wait early, otherwise it returns at `quiet_until`.
            if other.wait_until(quiet_until) {
                break;
            }
        }
    }
    let end = |program: RunningProgram, awaited: bool| {
        if program.has_exited() {
            program.finish()
        } else if awaited && !awaited_exited {
            program.stop(GRACE, StopReason::Deadline)
        } else {
            program.stop(GRACE, StopReason::Complete)
        }
    };
    // Past the deadline, the program the scenario waited for is the one blamed.
    let client_awaited = ends_when != EndsWhen::ServerExits;
    let client = end(client, client_awaited);
    let server = end(server, !client_awaited);
    // Read before it stops: in the bridging modes, the relay's mirrors are made as it runs.
    let held = network.held_ports((host, server_port).into(), network_ready_at);
    let (trace, mut notes) = network.stop().map_err(internal("the relay failed"))?;
    notes.extend(ending_notes(Role::Client, &client, budget));
    notes.extend(ending_notes(Role::Server, &server, budget));
    let confined = crate::harness::file_confinement::file_confinement_available();
    for (role, transcript, dir, peer) in [
        (Role::Client, &client, &client_dir, &server),
        (Role::Server, &server, &server_dir, &client),
    ] {
        let judged = Judged {
            role,
            transcript,
            dir,
            confined,
            peer,
        };
        notes.extend(attempt_notes(judged, &held));
    }
    let server_files =
        server_snapshot.produced(&server_dir, handed_out.as_ref().map(HandedOut::original));
    // The copy is where the receiving program put it: its stdout (`> FILE`), else the
    // file of that name in the client's directory.
    let received_at = [
        (&case.programs.server, Role::Server),
        (&case.programs.client, Role::Client),
    ]
    .into_iter()
    .find(|(templates, _)| templates.stdout == ProgramOutput::ReceivedFile)
    .map(|(_, role)| stdout_path(role));
    let file = handed_out.map(|handed_out| match &received_at {
        Some(path) => handed_out.collect_from(path),
        None => handed_out.collect(&client_dir),
    });
    Ok(RunEvidence {
        scenario: run.scenario,
        file,
        server_release,
        server_files,
        uploads,
        test_address,
        client,
        server,
        trace,
        startup_failure: None,
        notes,
        wall_time: clock.now(),
    })
}

/// Why a server that bound no UDP socket (as discovery saw) did not start.
fn no_udp_bind(server: &RunningProgram, budget: Duration) -> String {
    if server.has_exited() {
        "it exited before it bound a udp socket".to_owned()
    } else {
        format!(
            "it bound no udp socket within {}",
            crate::wording::seconds(budget.min(STARTUP_LIMIT))
        )
    }
}

fn command_line(
    role: Role,
    choice: &ProgramChoice,
    templates: &crate::case::ProgramTemplates,
    settings: &RunSettings,
    dir: &Path,
    (host, port): (Ipv4Addr, u16),
    file: Option<&str>,
) -> Result<Vec<String>, RunError> {
    let values = Placeholders {
        host: Some(host.to_string()),
        port: Some(port.to_string()),
        file: file.map(str::to_owned),
        dir: Some(dir.display().to_string()),
    };
    choice
        .command_line(templates, &settings.reference_launcher, dir, &values)
        .map_err(|source| RunError::CommandLine { role, source })
}

/// What the grader types for `script`: at once, or after each prompt and `gate`.
fn keyboard(script: Option<&StdinScript>, gate: Option<TypingGate>) -> Option<StdinInput> {
    script.map(|script| match script.feed {
        Feed::Whole => StdinInput::Whole(script.text().into_bytes()),
        Feed::AfterPrompt => {
            StdinInput::after_prompt(&script.lines, script.prompt_timeout).with_gate(gate)
        }
    })
}

/// A program's stdin and, when the case keeps it, where its stdout goes.
struct ProgramIo {
    stdin: Option<StdinInput>,
    stdout_file: Option<PathBuf>,
    /// Hidden from it but for its own directory: the grader's work directory.
    private_root: Option<PathBuf>,
    /// Hidden from it whole.
    hidden: Vec<PathBuf>,
    /// Set after the scrubbed environment (preload mode's socket_wrapper variables).
    extra_env: Vec<(String, String)>,
}

fn spawn(
    role: Role,
    argv: Vec<String>,
    dir: &Path,
    origin: Instant,
    network_namespace: Option<Arc<NetNamespace>>,
    limits: crate::harness::limits::Limits,
    io: ProgramIo,
) -> Result<RunningProgram, RunError> {
    let program = argv.first().cloned().unwrap_or_default();
    let spec = ProgramSpec {
        argv,
        dir: dir.to_path_buf(),
        extra_env: io.extra_env,
        stdin: io.stdin,
        stdout_file: io.stdout_file,
        private_root: io.private_root,
        hidden: io.hidden,
        output_cap: 4 << 20,
        network_namespace,
        limits,
    };
    RunningProgram::spawn(&spec, origin).map_err(|error| RunError::Spawn {
        role,
        program,
        message: error.to_string(),
    })
}

/// Whether the server's UDP port on the loopback can be bound again, in the namespace the
/// server ran in (`None`: the host's).
fn port_release(namespace: Option<&NetNamespace>, port: u16) -> PortRelease {
    let bind = move || std::net::UdpSocket::bind((HOST, port)).map(drop);
    let result = match namespace {
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

/// A fresh network namespace for one relay-mode run, when namespaces can be made here
/// (probed once); `None` means the host's loopback.
fn private_loopback() -> Option<Arc<NetNamespace>> {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if !*AVAILABLE.get_or_init(|| NetNamespace::create().is_ok()) {
        return None;
    }
    NetNamespace::create().ok().map(Arc::new)
}

/// How a program's run ended, in plain words, when that is worth telling: it had to be
/// stopped, ignored SIGTERM, was killed by a signal, or left processes behind.
fn ending_notes(role: Role, transcript: &Transcript, budget: Duration) -> Vec<String> {
    let mut notes = Vec::new();
    let killed = if transcript.ignored_sigterm {
        "; it ignored SIGTERM and was killed"
    } else {
        "; stopped"
    };
    match transcript.exit {
        Some(ExitReason::DeadlineExceeded) => notes.push(format!(
            "the {role} was still running at the {} deadline{killed}",
            crate::wording::seconds(budget)
        )),
        Some(ExitReason::StoppedByGrader) if transcript.ignored_sigterm => notes.push(format!(
            "the {role} ignored SIGTERM when the scenario ended and was killed"
        )),
        Some(ExitReason::Signalled { signal }) => notes.push(format!(
            "the {role} was killed by signal {signal}{}",
            match signal {
                24 => " (SIGXCPU: it used up its CPU-time limit)",
                25 => " (SIGXFSZ: it wrote a file past its size limit)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV: it crashed)",
                6 => " (SIGABRT: it aborted)",
                _ => "",
            }
        )),
        _ => {}
    }
    if let (Some(peak), Some(limit)) = (transcript.peak_memory_kib, transcript.memory_limit) {
        // Resident memory counts what was touched; near the address-space limit, the
        // program's allocations will have started failing.
        if peak.saturating_mul(1024) >= limit / 4 * 3 {
            notes.push(format!(
                "the {role} used {} MiB of memory, up against its {} MiB limit (allocations past it fail)",
                peak / 1024,
                limit >> 20
            ));
        }
    }
    if transcript.pids_limit_hit {
        // Every program here runs under the default process limit (see `run_scenario`).
        let max = crate::harness::limits::Limits::default().max_pids;
        notes.push(format!(
            "the {role} tried to start more than {max} processes; refused"
        ));
    }
    if transcript.escaped_killed > 0 {
        let count = transcript.escaped_killed;
        notes.push(format!(
            "the {role} left {count} process{} behind, detached from its process group; killed",
            if count == 1 { "" } else { "es" }
        ));
    }
    notes
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

fn fresh_dir(path: &Path) -> std::io::Result<PathBuf> {
    if path.exists() {
        std::fs::remove_dir_all(path)?;
    }
    std::fs::create_dir_all(path)?;
    Ok(path.to_path_buf())
}

/// A run key (`lossy-soak#3`) as a directory name.
fn sanitize(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
