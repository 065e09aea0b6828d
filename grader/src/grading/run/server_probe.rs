//! The probe start of the server that `--mode auto` decides by (see
//! `grading::address_detection`): the server is started once, as a relay-mode scenario
//! would start it (its directory, command line, stdin and the case's first scenario's
//! file), its own sockets are read until it has bound one that serves the case's
//! transport, and it is stopped at once. The cost is the server's start-up, not a
//! scenario's budget.

use super::addressing::Addressing;
use super::directories::RunDirs;
use super::error::RunError;
use super::inputs::{Inputs, server_keyboard};
use super::programs::{GRACE, Launcher, command_line, placeholders};
use super::settings::RunSettings;
use crate::analyzer::LoadedCase;
use crate::case::StdinScript;
use crate::evidence::Role;
use crate::grading::address_detection::ServerSighting;
use crate::grading::mode::Mode;
use crate::harness::own_sockets::sockets_of_session;
use crate::harness::ports::poll_until;
use crate::harness::process::StopReason;
use std::time::Instant;

/// The directory (under the session's work directory) the probe's server runs in.
const PROBE_KEY: &str = "address-probe";

/// Starts the server of `settings` once for `loaded`'s first scenario, told a free port,
/// and returns what it bound by the time it had bound a socket that serves the case's
/// transport, exited, or used up the start-up limit. A server that cannot be started
/// at all is the scenarios' to report: the error is returned for the caller to pass by.
pub fn probe_server(
    loaded: &LoadedCase,
    settings: &RunSettings,
) -> Result<ServerSighting, RunError> {
    let case = &loaded.case;
    let Some(scenario) = case.scenarios.first() else {
        return Ok(ServerSighting {
            told: None,
            sockets: Vec::new(),
        });
    };
    let dirs = RunDirs::create(&settings.work_root, PROBE_KEY)?;
    let addressing = Addressing::prepare(case, &Mode::Relay, &dirs)?;
    let mut inputs = Inputs::prepare(case, scenario, settings.seed, PROBE_KEY);
    let file_name = scenario.file.as_ref().map(|file| file.name.as_str());
    let argv = command_line(
        Role::Server,
        settings,
        case,
        &dirs.server,
        addressing.server(),
        file_name,
    )?;
    inputs.hand_to_server(&dirs.server)?;
    let values = placeholders(&dirs.server, addressing.server(), file_name);
    let told = told_port(
        &argv,
        scenario.server_stdin.as_ref(),
        addressing.server_port,
    );
    let typed = server_keyboard(scenario, &values)?;
    let started = Instant::now();
    let launcher = Launcher {
        settings,
        case,
        dirs: &dirs,
        addressing: &addressing,
        // The probe only watches what the program binds: nothing is mirrored.
        bind_gates: None,
        origin: started,
    };
    let server = launcher.start(Role::Server, argv, typed, inputs.file_bytes())?;
    let budget = settings.budget.or(scenario.budget).unwrap_or(case.budget);
    let deadline = started + budget.min(super::STARTUP_LIMIT);
    let sighting = |sockets| ServerSighting { told, sockets };
    // Read before asking whether it exited, so a server that bound and died at once is
    // still seen; whatever it holds when the wait ends is what it bound.
    let seen = poll_until(
        deadline,
        || server.has_exited(),
        || {
            let seen = sighting(sockets_of_session(server.pid()));
            Ok::<_, ()>(seen.settled(case.transport).then_some(seen))
        },
        |_| (),
    )
    .unwrap_or_else(|()| sighting(sockets_of_session(server.pid())));
    let _ = server.stop(GRACE, StopReason::Complete);
    let _ = std::fs::remove_dir_all(dirs.server.parent().unwrap_or(&dirs.server));
    Ok(seen)
}

/// `port`, when a program's command line `argv` or the lines `typed` to it name it: the
/// port it was told, as opposed to one it chose with nothing to go on.
pub(super) fn told_port(argv: &[String], typed: Option<&StdinScript>, port: u16) -> Option<u16> {
    let text = port.to_string();
    let typed_port =
        typed.is_some_and(|script| script.lines.iter().any(|line| line.contains("{port}")));
    (typed_port || argv.iter().any(|word| word.contains(&text))).then_some(port)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Feed;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn a_program_is_told_its_port_by_its_command_line_or_its_keyboard() {
        assert_eq!(
            told_port(&words("python3 UDP_Server.py 40123"), None, 40123),
            Some(40123)
        );
        assert_eq!(
            told_port(&words("python3 srv.py --bind=127.0.0.1:40123"), None, 40123),
            Some(40123)
        );
        // `--server-cmd "python3 srv.py"`: nothing tells it a port.
        assert_eq!(told_port(&words("python3 srv.py"), None, 40123), None);
        let typed = StdinScript {
            lines: vec!["{port}".to_owned()],
            feed: Feed::Whole,
            prompt_timeout: std::time::Duration::from_secs(1),
        };
        assert_eq!(
            told_port(&words("python3 srv.py"), Some(&typed), 40123),
            Some(40123)
        );
    }
}
