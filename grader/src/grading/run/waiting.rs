//! The thin loop that drives the completion rule over the real programs: it tells the
//! rule each exit and the latest activity, acts on its events, and sleeps until the rule's
//! next timeout or the next exit.

use super::completion::{CompletionEvent, CompletionRule, OverBecause, Verdict};
use super::network::Network;
use crate::evidence::Role;
use crate::harness::exit_bell::ExitBell;
use crate::harness::process::RunningProgram;
use std::sync::Arc;
use std::time::Instant;

/// Waits until `rule` calls the run over, and says why. `on_server_shut_down` is called
/// the moment the server of a server-exits scenario is seen to have exited by itself.
///
/// `origin` is the scenario clock's: the programs and the network stamp their activity
/// with the time since.
pub(super) fn wait_for_completion(
    rule: &mut CompletionRule,
    client: &RunningProgram,
    server: &RunningProgram,
    network: &Network,
    origin: Instant,
    mut on_server_shut_down: impl FnMut(),
) -> OverBecause {
    let programs = [(Role::Client, client), (Role::Server, server)];
    // Rung by either program's exit, so one wait covers "until the timeout or an exit".
    let bell = Arc::new(ExitBell::default());
    for (_, program) in programs {
        program.ring_on_exit(&bell);
    }
    let mut told = [false; 2];
    let untold_exit = |told: &[bool; 2]| {
        programs
            .iter()
            .zip(told)
            .any(|((_, program), told)| !told && program.has_exited())
    };
    loop {
        for ((role, program), told) in programs.iter().zip(&mut told) {
            if !*told && program.has_exited() {
                rule.program_exited(*role);
                *told = true;
            }
        }
        while let Some(event) = rule.poll_event() {
            match event {
                CompletionEvent::ServerShutDown => on_server_shut_down(),
            }
        }
        let latest = [
            network.last_activity(),
            server.last_activity(),
            client.last_activity(),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(latest) = latest {
            rule.activity_seen(origin + latest);
        }
        let now = Instant::now();
        if network.holds_undelivered() {
            rule.network_holds(now);
        }
        rule.handle_timeout(now);
        if let Verdict::Over(because) = rule.verdict() {
            return because;
        }
        if let Some(wake) = rule.poll_timeout() {
            bell.wait_until(wake, || untold_exit(&told));
        }
    }
}
