//! `delivery`: the server delivers each message the client sent exactly once, in order, as
//! its output shows.
//!
//! The handout: the server "will consume the data and follow the rdt 2.2 process as shown in
//! chapter 3 of the course textbook", whose receiver delivers a packet only when it is good
//! and carries the seq it expects; a duplicate is re-ACKed, never delivered again. The
//! handout requires no line for a delivery, so the server's output is read in one of two
//! ways:
//!
//! - when it prints delivery lines (lines matching the case's `delivered` pattern that show
//!   a message's data), they must show the client's messages in order, each once: a message
//!   delivered twice fails with both lines and their times;
//! - when it prints none, all the grader can see is that each message shows, in order,
//!   somewhere in its output; the outcome says that a second delivery could not be seen.

use super::Rdt3Evidence;
use crate::analyzer::alternating_bit::{Conversation, StepKind};
use crate::case::CheckId;
use crate::check::{Outcome, Status};
use crate::evidence::{Line, Transcript};
use crate::link::Direction;
use crate::wording;

/// What `delivery` requires, in the words its outcome states.
pub const DELIVERY: &str =
    "the server's output shows each message the client sent, in order, and none delivered twice";

/// How many delivery lines a failure quotes.
const SHOWN_LINES: usize = 6;

/// Each message the client sent is delivered once, in order.
pub fn delivery(evidence: &Rdt3Evidence<'_>) -> Outcome {
    let outcome = Outcome::new(CheckId::Delivery, DELIVERY);
    let conversation = evidence.conversation;
    let messages: Vec<String> = conversation
        .messages
        .iter()
        .map(|message| wording::payload_text(&message.data))
        .collect();
    if messages.is_empty() {
        return outcome
            .status(Status::Fail)
            .observed("the client sent no message that could be delivered");
    }
    let matcher = &evidence.logs.delivered;
    let delivery_lines: Vec<&Line> = evidence
        .server
        .lines
        .iter()
        .filter(|line| matcher.is_match(&line.text))
        .collect();
    let shows_a_message = |line: &&Line| messages.iter().any(|text| shows(line, text));
    if !delivery_lines.iter().any(shows_a_message) {
        let unseen = format!(
            "it prints no line that delivers a message (none matches {} and shows one), so a second delivery could not be seen",
            matcher.describe()
        );
        return shown_in_order(outcome, conversation, evidence.server, &messages, &unseen);
    }
    delivered_once_in_order(outcome, conversation, &messages, &delivery_lines)
}

/// The delivery lines show exactly the messages, in order, each once. Lines that deliver
/// something that is none of the messages (garbled data) pass unremarked, unless a message
/// is missing: then every delivery line is quoted, as they may show why. A line that shows
/// several messages delivers the next one if it is among them ("Delivered so far: …"), and
/// is otherwise a summary, never a second delivery.
fn delivered_once_in_order(
    outcome: Outcome,
    conversation: &Conversation,
    messages: &[String],
    lines: &[&Line],
) -> Outcome {
    let mut first: Vec<&Line> = Vec::new();
    for (position, &line) in lines.iter().enumerate() {
        let next = first.len();
        // A message delivered ahead of one that never comes is reported as the missing one.
        let comes_later = |k: usize| lines[position..].iter().any(|l| shows(l, &messages[k]));
        if messages.get(next).is_some_and(|text| shows(line, text)) {
            first.push(line);
        } else if messages.iter().filter(|text| shows(line, text)).count() > 1 {
            // A list of several messages ("All delivered: …") is a summary, not a delivery.
            continue;
        } else if let Some(again) = (0..next).rev().find(|&k| shows(line, &messages[k])) {
            return outcome
                .status(Status::Fail)
                .expected(format!(
                    "message {} `{}` delivered once (rdt 2.2 re-ACKs a duplicate without delivering it)",
                    again + 1,
                    messages[again]
                ))
                .observed(format!(
                    "the server delivered message {} `{}` twice: {} and again {}",
                    again + 1,
                    messages[again],
                    quote(first[again]),
                    quote(line)
                ))
                .evidence(quote(first[again]))
                .evidence(quote(line));
        } else if let Some(ahead) = (next + 1..messages.len())
            .find(|&k| shows(line, &messages[k]))
            .filter(|_| comes_later(next))
        {
            return outcome
                .status(Status::Fail)
                .expected(format!(
                    "message {} `{}` delivered before message {}",
                    next + 1,
                    messages[next],
                    ahead + 1
                ))
                .observed(format!(
                    "the server delivered message {} `{}` ({}) before message {} `{}`",
                    ahead + 1,
                    messages[ahead],
                    quote(line),
                    next + 1,
                    messages[next]
                ))
                .evidence(quote(line));
        }
    }
    if let Some(missing) = messages.get(first.len()) {
        let mut delivered: Vec<String> = lines.iter().take(SHOWN_LINES).map(|l| quote(l)).collect();
        if lines.len() > SHOWN_LINES {
            delivered.push(format!("and {} more", lines.len() - SHOWN_LINES));
        }
        return outcome
            .status(Status::Fail)
            .expected(format!(
                "a line delivering message {} `{missing}`",
                first.len() + 1
            ))
            .observed(format!(
                "the server never delivered message {} `{missing}`{}; its delivery lines: {}",
                first.len() + 1,
                why_not_delivered(conversation, first.len()),
                delivered.join(", ")
            ));
    }
    outcome.observed(format!(
        "the server delivered {} once each, in order",
        messages.join(", ")
    ))
}

/// Without delivery lines: each message shows somewhere in the server's output, in order.
fn shown_in_order(
    outcome: Outcome,
    conversation: &Conversation,
    server: &Transcript,
    messages: &[String],
    unseen: &str,
) -> Outcome {
    let output = server.text();
    let mut cursor = 0;
    for (index, text) in messages.iter().enumerate() {
        match output[cursor..].find(text.as_str()) {
            Some(found) => cursor += found + text.len(),
            None => {
                let last_lines: Vec<&str> = output.lines().rev().take(3).collect();
                return outcome
                    .status(Status::Fail)
                    .expected(format!(
                        "`{text}` in the server's output after {:?}",
                        &messages[..index]
                    ))
                    .observed(format!(
                        "the server's output never shows message {} `{text}`{}{}",
                        index + 1,
                        why_not_delivered(conversation, index),
                        if last_lines.is_empty() {
                            " (it printed nothing)".to_owned()
                        } else {
                            format!(
                                "; its last lines: {:?}",
                                last_lines.into_iter().rev().collect::<Vec<_>>()
                            )
                        }
                    ));
            }
        }
    }
    outcome.observed(format!(
        "the server shows {} in order; {unseen}",
        messages.join(", ")
    ))
}

/// What the wire says of a message the server did not deliver, when it explains it: the
/// client sent it with the seq of the message before (a correct receiver takes it for a
/// duplicate), or no copy reached the server intact.
fn why_not_delivered(conversation: &Conversation, index: usize) -> String {
    let message = &conversation.messages[index];
    if let Some(before) = index.checked_sub(1).map(|k| &conversation.messages[k])
        && before.seq == message.seq
    {
        return format!(
            " (the client sent it with seq {}, like message {index} before it, so rdt 2.2 takes it for a duplicate)",
            message.seq
        );
    }
    let sent: Vec<u32> = message
        .transmissions
        .iter()
        .map(|&step| conversation.steps[step].nth)
        .collect();
    let intact = conversation
        .steps_of(StepKind::Delivered, Direction::ToServer)
        .any(|(_, step)| sent.contains(&step.nth) && step.valid_packet().is_some());
    if intact {
        return String::new();
    }
    format!(
        " (no copy of it reached the server intact: the client sent it {} time{})",
        sent.len(),
        if sent.len() == 1 { "" } else { "s" }
    )
}

/// Whether `line` shows the message `text` (an empty message cannot be recognised).
fn shows(line: &Line, text: &str) -> bool {
    !text.is_empty() && line.text.contains(text)
}

/// `"Delivered data: NCC-1701" at 0.012 s`.
fn quote(line: &Line) -> String {
    wording::output_line(&line.text, line.at, 100)
}
