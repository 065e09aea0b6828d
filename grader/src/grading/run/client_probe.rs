//! The probe start of a client graded alone that `--mode auto` decides by (see
//! `grading::address_detection`): the client is started once, as a relay-mode scenario
//! would start it (its directory, command line, keyboard and the case's first scenario's
//! file), told a free port with nothing behind it, in a private namespace whose loopback a
//! packet socket watches ([`PacketWatch`]); it is stopped as soon as its first datagram or
//! connection request of the case's transport is seen. A client that hard-codes
//! `127.0.0.1:12000` shows the port to run the reference server on.
//!
//! Where no namespace can be made nothing watches the loopback, and the client is not
//! probed (`Ok(None)`): it is graded through the relay as before.

use super::addressing::Addressing;
use super::directories::RunDirs;
use super::error::{RunError, internal};
use super::inputs::Inputs;
use super::programs::{GRACE, Launcher, command_line, placeholders};
use super::server_probe::told_port;
use super::settings::RunSettings;
use crate::analyzer::LoadedCase;
use crate::case::Transport;
use crate::evidence::Role;
use crate::grading::address_detection::ClientSighting;
use crate::grading::mode::Mode;
use crate::harness::ports::Protocol;
use crate::harness::process::StopReason;
use crate::relay::first_packet::PacketWatch;
use std::time::Instant;

/// The directory (under the session's work directory) the probe's client runs in.
const PROBE_KEY: &str = "client-address-probe";

/// Starts the client of `settings` once for `loaded`'s first scenario, told a free port,
/// and returns where it first sent by the time it did, exited, or used up the start-up
/// limit; `None` where no private namespace can be made to watch it in. A client that
/// cannot be started at all is the scenarios' to report: the error is returned for the
/// caller to pass by.
pub fn probe_client(
    loaded: &LoadedCase,
    settings: &RunSettings,
) -> Result<Option<ClientSighting>, RunError> {
    let case = &loaded.case;
    let Some(scenario) = case.scenarios.first() else {
        return Ok(None);
    };
    let dirs = RunDirs::create(&settings.work_root, PROBE_KEY)?;
    let addressing = Addressing::prepare(case, &Mode::Relay, &dirs)?;
    let Some(namespace) = addressing.private_loopback() else {
        return Ok(None);
    };
    let watch = PacketWatch::open(namespace).map_err(internal("cannot watch the loopback"))?;
    let mut inputs = Inputs::prepare(case, scenario, settings.seed, PROBE_KEY);
    let file_name = scenario.file.as_ref().map(|file| file.name.as_str());
    let argv = command_line(
        Role::Client,
        settings,
        case,
        &dirs.client,
        addressing.server(),
        file_name,
    )?;
    inputs.hand_to_client(&dirs.client)?;
    let told = told_port(
        &argv,
        scenario.client_stdin.as_ref(),
        addressing.server_port,
    );
    let values = placeholders(&dirs.client, addressing.server(), file_name);
    let typed = inputs.client_keyboard(&values, None)?;
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
    let client = launcher.start(Role::Client, argv, typed, inputs.file_bytes())?;
    let budget = settings.budget.or(scenario.budget).unwrap_or(case.budget);
    let protocol = match case.transport {
        Transport::Udp => Protocol::Udp,
        Transport::Tcp => Protocol::Tcp,
    };
    let first = watch.first(protocol, started + budget.min(super::STARTUP_LIMIT), || {
        client.has_exited()
    });
    let _ = client.stop(GRACE, StopReason::Complete);
    let _ = std::fs::remove_dir_all(dirs.client.parent().unwrap_or(&dirs.client));
    Ok(Some(ClientSighting { told, first }))
}
