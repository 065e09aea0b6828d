//! The required log lines: at least as many as the wire says happened.
//!
//! The handout asks for a line per packet sent and received, per checksum result and per
//! timer expiry. Counting lines against wire events catches a program that claims nothing
//! (or too little) without depending on its exact wording.

use super::Rdt3Evidence;
use super::timer::TimerAnalysis;
use crate::analyzer::alternating_bit::Step;
use crate::analyzer::alternating_bit::StepKind;
use crate::case::CheckId;
use crate::case::line_matcher::LineMatcher;
use crate::check::{Outcome, Status};
use crate::evidence::{ExitReason, Role, Transcript};
use crate::link::Direction;
use std::time::Duration;

/// How close to a program's end an event may be and still need no line.
const SETTLING: Duration = Duration::from_millis(50);

struct Requirement<'a> {
    role: Role,
    what: &'static str,
    matcher: &'a LineMatcher,
    events: usize,
    event_name: &'static str,
}

/// What `log-lines` requires, in the words its outcome states.
pub const LOG_LINES: &str = "each program prints a line for every packet sent and received, every corrupt packet, and every timer expiry";

pub fn log_lines(evidence: &Rdt3Evidence<'_>, timer: &TimerAnalysis) -> Outcome {
    let conversation = evidence.conversation;
    let outcome = Outcome::new(CheckId::LogLines, LOG_LINES);
    // Events in a program's last moments may fairly have no line: when the grader stopped
    // it, anything within the settling window of its end; when it exited by itself, what
    // reached it after its own last datagram, however long it took to exit (it may have
    // stopped reading, and an interpreter on a loaded machine can take 70 ms to exit after
    // its last line), while a program that sent something later had read past it.
    let required = |transcript: &Transcript, kind: StepKind, sender_direction: Direction| {
        let end = transcript.ended_at.unwrap_or(Duration::MAX);
        let stopped = !matches!(
            transcript.exit,
            Some(ExitReason::Exited { .. } | ExitReason::Signalled { .. })
        );
        let last_own_datagram = conversation
            .steps_of(StepKind::Sent, sender_direction)
            .map(|(_, step)| step.at)
            .last()
            .unwrap_or(Duration::ZERO);
        move |step: &&Step| {
            let settled = step.at.saturating_add(SETTLING) <= end;
            match (stopped, kind) {
                (true, _) => settled,
                (false, StepKind::Sent) => step.at <= end,
                (false, StepKind::Delivered) => step.at < last_own_datagram,
            }
        }
    };
    // `direction` is the way the counted datagrams travel; the program is at its far end
    // for deliveries and its near end for sends.
    let count =
        |kind: StepKind, direction: Direction, transcript: &Transcript, corrupt_only: bool| {
            let own_sends = match kind {
                StepKind::Sent => direction,
                StepKind::Delivered => opposite(direction),
            };
            conversation
                .steps_of(kind, direction)
                .map(|(_, step)| step)
                .filter(required(transcript, kind, own_sends))
                .filter(|step| !corrupt_only || step.valid_packet().is_none())
                .count()
        };
    let logs = evidence.logs;
    let (client, server) = (evidence.client, evidence.server);
    let requirements = [
        Requirement {
            role: Role::Client,
            what: "sent",
            matcher: &logs.sent,
            events: count(StepKind::Sent, Direction::ToServer, client, false),
            event_name: "datagrams it sent",
        },
        Requirement {
            role: Role::Client,
            what: "received",
            matcher: &logs.received,
            events: count(StepKind::Delivered, Direction::ToClient, client, false),
            event_name: "datagrams it was given",
        },
        Requirement {
            role: Role::Client,
            what: "corrupt",
            matcher: &logs.corrupt,
            events: count(StepKind::Delivered, Direction::ToClient, client, true),
            event_name: "corrupt ACKs it was given",
        },
        Requirement {
            role: Role::Client,
            what: "timer",
            matcher: &logs.timer,
            events: timer
                .samples
                .iter()
                .map(|sample| &conversation.steps[sample.retransmission])
                .filter(required(client, StepKind::Sent, Direction::ToServer))
                .count(),
            event_name: "timeouts seen on the wire",
        },
        Requirement {
            role: Role::Server,
            what: "sent",
            matcher: &logs.sent,
            events: count(StepKind::Sent, Direction::ToClient, server, false),
            event_name: "datagrams it sent",
        },
        Requirement {
            role: Role::Server,
            what: "received",
            matcher: &logs.received,
            events: count(StepKind::Delivered, Direction::ToServer, server, false),
            event_name: "datagrams it was given",
        },
        Requirement {
            role: Role::Server,
            what: "corrupt",
            matcher: &logs.corrupt,
            events: count(StepKind::Delivered, Direction::ToServer, server, true),
            event_name: "corrupt packets it was given",
        },
    ];
    let mut summary = Vec::new();
    for requirement in &requirements {
        let transcript = match requirement.role {
            Role::Client => client,
            Role::Server => server,
        };
        // Counting stops once enough lines are found: a program that printed a million
        // lines must not make judging it slow.
        let lines = transcript
            .lines
            .iter()
            .filter(|line| requirement.matcher.is_match(&line.text))
            .take(requirement.events.max(1))
            .count();
        if lines < requirement.events {
            return outcome
                .status(Status::Fail)
                .expected(format!(
                    "at least {} \"{}\" line{} from the {} (lines matching {})",
                    requirement.events,
                    requirement.what,
                    if requirement.events == 1 { "" } else { "s" },
                    requirement.role,
                    requirement.matcher.describe()
                ))
                .observed(format!(
                    "the {} printed {lines} \"{}\" line{} for {} {}",
                    requirement.role,
                    requirement.what,
                    if lines == 1 { "" } else { "s" },
                    requirement.events,
                    requirement.event_name
                ));
        }
        if requirement.events > 0 {
            summary.push(format!(
                "{} {} {}/{}",
                requirement.role, requirement.what, lines, requirement.events
            ));
        }
    }
    outcome.observed(format!("lines/events: {}", summary.join(", ")))
}

fn opposite(direction: Direction) -> Direction {
    match direction {
        Direction::ToServer => Direction::ToClient,
        Direction::ToClient => Direction::ToServer,
    }
}
