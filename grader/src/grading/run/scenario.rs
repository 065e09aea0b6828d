//! Running one planned scenario, read top to bottom: prepare, start the server, start the
//! network, start the client, wait for completion, collect the evidence.

use super::addressing::Addressing;
use super::bind_gates::BindGates;
use super::collect::{Finished, NeverStarted};
use super::completion::{CompletionRule, CompletionTerms};
use super::directories::RunDirs;
use super::error::{RunError, internal};
use super::inputs::{Inputs, server_keyboard};
use super::network::Network;
use super::network_start::{Impairments, NetworkPlan, Startup};
use super::programs::{Launcher, command_line, end, placeholders};
use super::settings::RunSettings;
use super::waiting::wait_for_completion;
use crate::analyzer::LoadedCase;
use crate::case::PlannedRun;
use crate::evidence::Role;
use crate::evidence::RunEvidence;
use crate::grading::produced_files::DirSnapshot;
use crate::harness::process::RunningProgram;
use crate::relay::ScenarioClock;
use std::time::Instant;

/// Set in the grader's environment to a file name, makes it write the server's pid there
/// and panic once a scenario's server is up: how the tests prove that a grader bug exits 70
/// and leaves no program behind.
pub const PANIC_AFTER_SERVER_STARTS: &str = "SOCKLAB_PANIC_AFTER_SERVER_STARTS";

/// Runs one planned scenario and returns its evidence.
pub fn run_scenario(
    loaded: &LoadedCase,
    run: &PlannedRun,
    settings: &RunSettings,
) -> Result<RunEvidence, RunError> {
    let case = &loaded.case;
    let scenario = &case.scenarios[run.scenario];
    let budget = settings.budget.or(scenario.budget).unwrap_or(case.budget);

    // Prepare: fresh directories, the link's impairments, the addresses and networks,
    // the inputs, and the server's command line (which stages its submission).
    let dirs = RunDirs::create(&settings.work_root, &run.key)?;
    let impairments = Impairments::for_run(scenario, settings.seed, &run.key)?;
    let addressing = Addressing::prepare(case, &settings.mode.mode, &dirs)?;
    let mut inputs = Inputs::prepare(case, scenario, settings.seed, &run.key);
    let file_name = scenario.file.as_ref().map(|file| file.name.as_str());
    // A program's command line, told the server's address (or the relay's).
    let argv_for =
        |role: Role, address| command_line(role, settings, case, dirs.of(role), address, file_name);
    let server_argv = argv_for(Role::Server, addressing.server())?;
    // Preload mode: the client is told the server's own port, so it is staged now, while
    // its directory is still empty; its socket_wrapper directory is made after.
    let mut client_argv = None;
    if let Some(sockets) = addressing.socket_dirs() {
        client_argv = Some(argv_for(Role::Client, addressing.server())?);
        sockets
            .create()
            .map_err(internal("cannot create a socket_wrapper directory"))?;
    }
    // The file goes where the scenario says, once the submissions are staged: to the
    // server that sends it (udp-file), to the client that sends it and the server that
    // keeps it as the standard (tcp-file-100).
    inputs.hand_to_server(&dirs.server)?;
    // What the server writes in its directory is what it produced from the run.
    let server_snapshot =
        DirSnapshot::take(&dirs.server).map_err(internal("cannot list the server's directory"))?;

    // Transparent mode, UDP: each program's binds wait at its gate for their mirror.
    let bind_gates = BindGates::for_run(&addressing, case.transport);

    // Start the server; the completion rule counts its start-up limit from here.
    let clock = ScenarioClock::start();
    let launcher = Launcher {
        settings,
        case,
        dirs: &dirs,
        addressing: &addressing,
        bind_gates: bind_gates.as_ref(),
        origin: clock.origin(),
    };
    let server_values = placeholders(&dirs.server, addressing.server(), file_name);
    let typed = server_keyboard(scenario, &server_values)?;
    let server = launcher.start(Role::Server, server_argv, typed, inputs.file_bytes())?;
    let terms = CompletionTerms {
        ends_when: scenario.ends_when(case),
        budget,
        quiet: case.quiet,
    };
    let mut rule = CompletionRule::new(terms, clock.origin(), Instant::now());

    // Start the network between the programs, once the server has bound its port.
    let plan = NetworkPlan {
        transport: case.transport,
        addressing: &addressing,
        impairments,
        stream: scenario.stream.clone().unwrap_or_default(),
        seed: settings.seed,
        key: &run.key,
        progress: settings.progress.as_ref(),
        clock,
        startup_deadline: rule.startup_deadline(),
        startup_limit: rule.startup_limit(),
        bind_gates: bind_gates.as_ref(),
    };
    let (network, client_port) = match Network::start(plan, &server)? {
        Startup::Ready {
            network,
            client_port,
        } => (network, client_port),
        Startup::ServerDidNotStart { why } => {
            let never_started = NeverStarted {
                scenario: run.scenario,
                budget,
                dirs: &dirs,
                clock,
                test_address: addressing.test_address,
                over: rule.startup_failed(),
                transport: case.transport,
                port: addressing.server_port,
            };
            return Ok(never_started.collect(server, &why));
        }
    };
    rule.server_ready();
    // The server has bound its port and the relay holds its own from here on.
    let network_ready_at = clock.now();
    panic_if_asked(&server);

    // Start the client, told the relay's port (relay mode) or the server's own.
    let client_address = (addressing.host(), client_port);
    let client_argv = match client_argv {
        Some(argv) => argv,
        None => argv_for(Role::Client, client_address)?,
    };
    inputs.hand_to_client(&dirs.client)?;
    // What the client writes in its directory is what it produced (a received copy).
    let client_snapshot =
        DirSnapshot::take(&dirs.client).map_err(internal("cannot list the client's directory"))?;
    let gate = inputs.typing_gate(&network, &addressing, server.pid());
    let client_values = placeholders(&dirs.client, client_address, file_name);
    let typed = inputs.client_keyboard(&client_values, gate)?;
    let client = launcher.start(Role::Client, client_argv, typed, inputs.file_bytes())?;
    network.watch_client(&client);

    // Wait for completion, then stop what still runs as the rule's verdict says.
    let mut server_release = None;
    let over = wait_for_completion(
        &mut rule,
        &client,
        &server,
        &network,
        clock.origin(),
        || server_release = Some(addressing.server_port_release()),
    );
    let client = end(client, over.stop_reason(Role::Client));
    let server = end(server, over.stop_reason(Role::Server));

    // Collect.
    Finished {
        scenario: run.scenario,
        case,
        budget,
        dirs: &dirs,
        addressing: &addressing,
        clock,
        client,
        server,
        network,
        network_ready_at,
        server_release,
        server_snapshot,
        client_snapshot,
        inputs,
    }
    .collect()
}

/// The kit's own test of a grader bug mid-run (exit 70, every program stopped) needs a bug
/// to happen on demand, and the server's pid to check on; nothing else sets this.
fn panic_if_asked(server: &RunningProgram) {
    if let Some(pid_file) = std::env::var_os(PANIC_AFTER_SERVER_STARTS) {
        let _ = std::fs::write(pid_file, server.pid().to_string());
        panic!("{PANIC_AFTER_SERVER_STARTS} is set: a deliberate grader panic for its tests");
    }
}
