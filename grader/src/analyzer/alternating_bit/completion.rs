//! The client gets every message acknowledged, then stops sending and exits by itself.

use super::Rdt3Evidence;
use super::sender::acknowledges;
use crate::analyzer::alternating_bit::StepKind;
use crate::case::CheckId;
use crate::check::program_end::exit_problem;
use crate::check::{Outcome, Status};
use crate::evidence::Role;
use crate::link::Direction;
use crate::wording;

/// What `completion` requires when the client has `wanted` messages to send.
pub fn requirement(wanted: usize) -> String {
    format!("all {wanted} messages are acknowledged, then the client stops sending and exits")
}

pub fn completion(evidence: &Rdt3Evidence<'_>) -> Outcome {
    let conversation = evidence.conversation;
    let wanted = evidence.params.messages;
    let outcome = Outcome::new(CheckId::Completion, requirement(wanted));
    let client_end = exit_problem(evidence.client, Role::Client);

    // The first valid ACK for each message, delivered after its first transmission.
    let mut acked_at = Vec::new();
    for message in &conversation.messages {
        let first = message.transmissions[0];
        let ack = conversation
            .steps_of(StepKind::Delivered, Direction::ToClient)
            .map(|(index, _)| index)
            .find(|&index| index > first && acknowledges(conversation, index, message.seq));
        acked_at.push(ack);
    }
    let unacknowledged = acked_at.iter().position(Option::is_none);
    let last_error = evidence.client.last_error_note();

    if conversation.messages.len() < wanted || unacknowledged.is_some() {
        let progress = match unacknowledged {
            Some(index) => format!(
                "message {} `{}` was never acknowledged",
                index + 1,
                wording::payload_text(&conversation.messages[index].data)
            ),
            None => format!(
                "the client sent {} distinct message{}",
                conversation.messages.len(),
                if conversation.messages.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ),
        };
        let (status, ending) = client_end.unwrap_or((Status::Fail, "the client exited".to_owned()));
        return outcome
            .status(status)
            .expected(format!("{wanted} messages sent and acknowledged"))
            .observed(format!("{progress}; {ending}{last_error}"));
    }
    if let Some((status, ending)) = client_end {
        return outcome
            .status(status)
            .expected("the client exits with status 0 after the last ACK")
            .observed(format!(
                "all messages were acknowledged, but {ending}{last_error}"
            ));
    }
    if let Some(Some(final_ack)) = acked_at.get(wanted - 1) {
        // The client's timer may expire just as the final ACK arrives: one retransmission
        // of the last packet is that race when it comes within one timer period of the
        // ACK, or when the timer was already due as the ACK arrived (a client starved of
        // CPU retransmits late, before it reads the ACK). Anything more is a client that
        // does not stop.
        let ack_at = conversation.steps[*final_ack].at;
        let last_message = conversation.messages.len() - 1;
        let timer = evidence.params.timer;
        let race_window = timer.expect + timer.tolerance;
        let mut after = conversation
            .steps_of(StepKind::Sent, Direction::ToServer)
            .filter(|(index, _)| index > final_ack);
        let first_after = after.next();
        let keeps_sending = match first_after {
            None => None,
            Some((index, step)) => {
                let timer_was_due = conversation.messages[last_message]
                    .transmissions
                    .iter()
                    .rev()
                    .find(|&&earlier| earlier < *final_ack)
                    .is_some_and(|&earlier| {
                        conversation.steps[earlier].at
                            + timer.expect.saturating_sub(timer.tolerance)
                            <= ack_at
                    });
                let raced = conversation.message_of(index) == Some(last_message)
                    && (step.at <= ack_at + race_window || timer_was_due);
                if raced {
                    after.next()
                } else {
                    Some((index, step))
                }
            }
        };
        if let Some((_, step)) = keeps_sending {
            return outcome
                .status(Status::Fail)
                .expected("no data after the last ACK")
                .observed(format!(
                    "the client kept sending after the last ACK ({}): {}",
                    conversation.steps[*final_ack].describe(),
                    step.describe()
                ))
                .evidence(step.describe());
        }
    }
    let exit_time = evidence
        .client
        .ended_at
        .map(wording::seconds)
        .unwrap_or_default();
    outcome.observed(format!(
        "all {wanted} messages acknowledged; the client exited with status 0 at {exit_time}"
    ))
}
