//! `Impairment`: one direction of the link, deciding the fate of each datagram it is handed.
//!
//! Call order: the relay builds one `Impairment` per direction, then calls
//! [`Impairment::decide`] for every datagram in the order it received them, with a `now` that
//! never goes backwards, and sends each returned [`Copy`] `copy.delay` after `now`.
//!
//! Scripted faults act first (a drop or a blackout ends it), then netem, in Linux's order:
//! loss, duplicate, corrupt, delay with jitter, reorder, rate.
//!
//! One deliberate difference from Linux: netem's tfifo sorts packets by their jittered send
//! time, so jitter alone reorders them. Here netem-delayed copies keep FIFO order among
//! themselves (a copy never leaves before one scheduled earlier), and only `reorder` sends a
//! packet out of turn — so `delay 2ms 1ms` tests timers without also testing reordering.
//! Scripted delays stay outside that queue: a held-back ACK must be overtaken by later ones.

mod counter;

use super::decision::{Alteration, Copy, Decision, DropCause, Origin};
use super::fate::{Draws, NetemModel, RandomFate};
use super::netem::{Delay, Netem};
use super::scripted::{Aim, Matching, ScriptedFault};
use counter::{Counter, Position};
use rand::rngs::ChaCha8Rng;
use std::collections::BTreeMap;
use std::time::Duration;

/// The impairments of one direction, with the memory they need from datagram to datagram.
#[derive(Debug)]
pub struct Impairment {
    rng: ChaCha8Rng,
    model: Option<NetemModel>,
    targeted: Vec<Targeted>,
    blackouts: Vec<Window>,
    /// One count of the datagrams per kind the faults aim at (`None`: every datagram).
    counters: BTreeMap<Option<Matching>, Counter>,
    /// When the last netem-delayed copy leaves the delay stage; none may leave before it.
    delay_tail: Duration,
    /// When the rate-limited link has finished sending everything queued so far.
    link_free_at: Duration,
}

/// Why an `Impairment` could not be built from a scenario's faults; `index` is 1-based.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImpairmentError {
    #[error("scripted fault #{index} ({kind}): {reason}")]
    InvalidFault {
        index: usize,
        kind: &'static str,
        reason: String,
    },
    #[error("scripted fault #{index} (corrupt): field `{field}` was never resolved to a byte")]
    UnresolvedField { index: usize, field: String },
}

impl Impairment {
    /// An engine for one direction: `faults` are already this direction's (see
    /// [`ScriptedFault::applies_to`]), each validated and with its `field` resolved; `rng`
    /// is this direction's stream (see [`super::seed::stream_rng`]).
    pub fn new(
        netem: Option<Netem>,
        faults: Vec<ScriptedFault>,
        rng: ChaCha8Rng,
    ) -> Result<Impairment, ImpairmentError> {
        let mut targeted = Vec::new();
        let mut blackouts = Vec::new();
        for (index, fault) in faults.iter().enumerate() {
            let index = index + 1;
            let invalid = |reason| ImpairmentError::InvalidFault {
                index,
                kind: fault.kind(),
                reason,
            };
            fault.validate().map_err(invalid)?;
            let action = match fault {
                ScriptedFault::Blackout(window) => {
                    blackouts.push(Window {
                        from: window.from,
                        until: window.until,
                    });
                    continue;
                }
                ScriptedFault::Corrupt(corrupt) => {
                    if let Some(field) = &corrupt.field {
                        let field = field.clone();
                        return Err(ImpairmentError::UnresolvedField { index, field });
                    }
                    Action::Corrupt {
                        byte: corrupt.byte,
                        bit: corrupt.bit,
                    }
                }
                ScriptedFault::Drop(_) => Action::Drop,
                ScriptedFault::Delay(delay) => Action::Delay(delay.by),
                ScriptedFault::Duplicate(duplicate) => Action::Duplicate(duplicate.copies),
                ScriptedFault::Truncate(truncate) => Action::Truncate(truncate.to),
            };
            let aim = fault.aim().map_err(invalid)?;
            targeted.push(Targeted { aim, action });
        }
        let mut counters = BTreeMap::from([(None, Counter::new())]);
        for fault in &targeted {
            counters
                .entry(fault.aim.matching)
                .or_insert_with(Counter::new)
                .serve(fault.aim.selector);
        }
        Ok(Impairment {
            rng,
            model: netem.map(NetemModel::new),
            targeted,
            blackouts,
            counters,
            delay_tail: Duration::ZERO,
            link_free_at: Duration::ZERO,
        })
    }

    /// The fate of the next datagram, sent `now` after the scenario started.
    pub fn decide(&mut self, now: Duration, bytes: &[u8]) -> Decision {
        // The dice are rolled and read for every datagram, before and whatever the scripted
        // faults decide, so random fates depend on the position alone.
        let draws = Draws::roll(&mut self.rng);
        let fate = self
            .model
            .as_mut()
            .map(|model| model.fate(&draws))
            .unwrap_or_default();
        // Each kind of datagram a fault aims at is counted among its own kind only.
        let positions: BTreeMap<Option<Matching>, Position> = self
            .counters
            .iter_mut()
            .filter(|(matching, _)| matching.is_none_or(|matching| matching.accepts(bytes)))
            .map(|(matching, counter)| (*matching, counter.count(bytes)))
            .collect();

        if self.blackouts.iter().any(|window| window.contains(now)) {
            return Decision::dropped(DropCause::Blackout);
        }
        let actions: Vec<&Action> = self
            .targeted
            .iter()
            .filter(|fault| {
                positions
                    .get(&fault.aim.matching)
                    .is_some_and(|position| position.matches(fault.aim.selector))
            })
            .map(|fault| &fault.action)
            .collect();
        if actions.iter().any(|action| matches!(action, Action::Drop)) {
            return Decision::dropped(DropCause::Scripted);
        }
        let scripted = Scripted::apply(bytes, &actions, &draws);
        if let Some(cause) = fate.lost {
            return Decision::dropped(cause);
        }

        let original = Copy {
            delay: Duration::ZERO,
            bytes: scripted.bytes,
            alterations: scripted.alterations,
        };
        let extra = |origin| {
            let mut copy = original.clone();
            copy.alterations.push(Alteration::Duplicate { origin });
            copy
        };
        let mut duplicates: Vec<Copy> = (0..scripted.extra_copies)
            .map(|_| extra(Origin::Scripted))
            .collect();
        if fate.duplicate {
            duplicates.push(extra(Origin::Netem));
        }
        // The original moves into the list; only duplicates are cloned.
        let mut copies = Vec::with_capacity(1 + duplicates.len());
        copies.push(original);
        copies.append(&mut duplicates);
        if let Some((byte, bit)) = fate.corrupt {
            // Like netem, only the original is corrupted; a duplicate was cloned before.
            let bit = Some(fraction_of(bit, 8) as u8);
            flip_bit(&mut copies[0], ByteChoice::Random(byte), bit, Origin::Netem);
        }
        for copy in &mut copies {
            let (delay, alterations) = self.schedule(now, copy.bytes.len(), &fate);
            copy.delay = delay.saturating_add(scripted.hold);
            copy.alterations.extend(alterations);
        }
        Decision {
            copies,
            dropped: None,
        }
    }

    /// netem's delay, reorder and rate stages for one copy: its delay from `now`.
    fn schedule(
        &mut self,
        now: Duration,
        length: usize,
        fate: &RandomFate,
    ) -> (Duration, Vec<Alteration>) {
        let Some(model) = &self.model else {
            return (Duration::ZERO, Vec::new());
        };
        if fate.reordered {
            // As netem: straight to the head of the queue, no delay, no rate.
            return (Duration::ZERO, vec![Alteration::Reordered]);
        }
        let netem = model.netem();
        let wanted = netem
            .delay
            .as_ref()
            .map_or(Duration::ZERO, |delay| jittered(delay, fate.jitter));
        let ready = now.saturating_add(wanted).max(self.delay_tail);
        self.delay_tail = ready;
        let mut alterations = Vec::new();
        if ready > now {
            alterations.push(Alteration::Delayed {
                micros: micros(ready - now),
                origin: Origin::Netem,
            });
        }
        let mut departure = ready;
        if let Some(rate) = &netem.rate {
            let start = ready.max(self.link_free_at);
            departure = start.saturating_add(serialization(length, rate.bits_per_second));
            self.link_free_at = departure;
            alterations.push(Alteration::RateLimited {
                micros: micros(departure - ready),
            });
        }
        (departure.saturating_sub(now), alterations)
    }
}

/// What a targeted scripted fault does to the datagram it selects.
#[derive(Clone, Debug)]
enum Action {
    Drop,
    Delay(Duration),
    Corrupt {
        byte: Option<usize>,
        bit: Option<u8>,
    },
    Duplicate(u32),
    Truncate(usize),
}

#[derive(Clone, Debug)]
struct Targeted {
    aim: Aim,
    action: Action,
}

/// A blackout, `[from, until)` since the scenario started.
#[derive(Clone, Copy, Debug)]
struct Window {
    from: Duration,
    until: Duration,
}

impl Window {
    fn contains(self, now: Duration) -> bool {
        self.from <= now && now < self.until
    }
}

/// The datagram after the scripted faults that do not end it.
struct Scripted {
    bytes: Vec<u8>,
    alterations: Vec<Alteration>,
    extra_copies: u32,
    /// The scripted hold, added to every copy outside netem's queue.
    hold: Duration,
}

impl Scripted {
    /// Applies the faults in case-file order, so a corruption after a truncation sees the
    /// truncated datagram.
    fn apply(bytes: &[u8], actions: &[&Action], draws: &Draws) -> Scripted {
        let mut copy = Copy {
            delay: Duration::ZERO,
            bytes: bytes.to_vec(),
            alterations: Vec::new(),
        };
        let mut extra_copies = 0_u32;
        let mut hold = Duration::ZERO;
        for action in actions {
            match **action {
                Action::Drop => {}
                Action::Delay(by) => {
                    hold = hold.saturating_add(by);
                    copy.alterations.push(Alteration::Delayed {
                        micros: micros(by),
                        origin: Origin::Scripted,
                    });
                }
                Action::Corrupt { byte, bit } => {
                    // A named byte defaults to bit 0; with no byte, both come from the dice.
                    let byte = byte.map_or(ByteChoice::Random(draws.scripted_byte), ByteChoice::At);
                    let bit = bit.or_else(|| match byte {
                        ByteChoice::At(_) => Some(0),
                        ByteChoice::Random(_) => Some(fraction_of(draws.scripted_bit, 8) as u8),
                    });
                    flip_bit(&mut copy, byte, bit, Origin::Scripted);
                }
                Action::Duplicate(copies) => extra_copies = extra_copies.saturating_add(copies),
                Action::Truncate(to) => {
                    let from = copy.bytes.len();
                    if to < from {
                        copy.bytes.truncate(to);
                        // What is cut off is not kept: the trace holds the copy as sent.
                        copy.bytes.shrink_to_fit();
                        copy.alterations.push(Alteration::Truncated { from, to });
                    }
                }
            }
        }
        Scripted {
            bytes: copy.bytes,
            alterations: copy.alterations,
            extra_copies,
            hold,
        }
    }
}

/// Which byte to corrupt: a fixed offset, or a fraction of the length from the dice.
#[derive(Clone, Copy, Debug)]
enum ByteChoice {
    At(usize),
    Random(f64),
}

/// Flips one bit of `copy` and records it; a byte past the end (a case written for longer
/// datagrams than this program sends) leaves the copy as it is, and the trace shows no
/// corruption, so no check counts one.
fn flip_bit(copy: &mut Copy, byte: ByteChoice, bit: Option<u8>, origin: Origin) {
    let length = copy.bytes.len();
    let byte = match byte {
        ByteChoice::At(byte) => byte,
        ByteChoice::Random(_) if length == 0 => return,
        ByteChoice::Random(fraction) => fraction_of(fraction, length),
    };
    let bit = bit.unwrap_or(0).min(7);
    if let Some(target) = copy.bytes.get_mut(byte) {
        *target ^= 1 << bit;
        copy.alterations
            .push(Alteration::Corrupted { byte, bit, origin });
    }
}

/// A uniform fraction in [0, 1) as an index below `count`.
fn fraction_of(fraction: f64, count: usize) -> usize {
    ((fraction * count as f64) as usize).min(count.saturating_sub(1))
}

/// `latency ± jitter`, placed by `position` in [-1, 1), never below zero.
fn jittered(delay: &Delay, position: f64) -> Duration {
    let seconds = delay.latency.as_secs_f64() + position * delay.jitter.as_secs_f64();
    Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::MAX)
}

/// How long `length` bytes take on a link of `bits_per_second`.
fn serialization(length: usize, bits_per_second: u64) -> Duration {
    let nanos = (length as u128 * 8 * 1_000_000_000) / u128::from(bits_per_second.max(1));
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests;
