//! The random half of netem: what the dice say about each datagram, before any clock or
//! payload is looked at.
//!
//! Reproducibility rests on two rules. Every datagram rolls the same fixed set of [`Draws`],
//! whatever the configuration and whatever becomes of it, so the n-th datagram always meets
//! the n-th set of numbers. And the model's memory (correlation, the Gilbert-Elliott state,
//! reorder's gap counter) is updated from those numbers alone, never from bytes or times, so
//! a retransmission that does or does not happen cannot shift the fate of other positions.

use super::decision::DropCause;
use super::netem::{Chance, Loss, Netem};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;

/// The uniform numbers in [0, 1) rolled for one datagram.
///
/// The order of the fields is the order they are drawn in: never reorder, insert or remove
/// one, or every seed printed in an old report replays differently.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Draws {
    pub loss: f64,
    pub gilbert_transition: f64,
    pub gilbert_loss: f64,
    pub duplicate: f64,
    pub corrupt: f64,
    pub corrupt_byte: f64,
    pub corrupt_bit: f64,
    pub jitter: f64,
    pub reorder: f64,
    /// Which byte a scripted corruption flips when the case names none.
    pub scripted_byte: f64,
    /// Which bit it flips in that byte, when the case names neither byte nor bit.
    pub scripted_bit: f64,
}

impl Draws {
    pub fn roll(rng: &mut ChaCha8Rng) -> Draws {
        Draws {
            loss: rng.random(),
            gilbert_transition: rng.random(),
            gilbert_loss: rng.random(),
            duplicate: rng.random(),
            corrupt: rng.random(),
            corrupt_byte: rng.random(),
            corrupt_bit: rng.random(),
            jitter: rng.random(),
            reorder: rng.random(),
            scripted_byte: rng.random(),
            scripted_bit: rng.random(),
        }
    }
}

/// What netem's randomness decided for one datagram.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct RandomFate {
    pub lost: Option<DropCause>,
    pub duplicate: bool,
    /// Where to flip a bit, as fractions of the length and of 8, resolved once the length
    /// is known.
    pub corrupt: Option<(f64, f64)>,
    /// Where in `latency ± jitter` the delay falls, in [-1, 1).
    pub jitter: f64,
    pub reordered: bool,
}

/// Netem's random model with its memory from one datagram to the next.
#[derive(Clone, Debug)]
pub(crate) struct NetemModel {
    netem: Netem,
    loss_memory: EventMemory,
    duplicate_memory: EventMemory,
    corrupt_memory: EventMemory,
    reorder_memory: EventMemory,
    jitter_memory: JitterMemory,
    /// Gilbert-Elliott's state: whether the channel is in its bad (bursty loss) state.
    in_bad_state: bool,
    /// Datagrams delayed since the last reordered one (tc's `counter`).
    delayed_since_reorder: u32,
}

impl NetemModel {
    pub fn new(netem: Netem) -> NetemModel {
        NetemModel {
            loss_memory: EventMemory::default(),
            duplicate_memory: EventMemory::default(),
            corrupt_memory: EventMemory::default(),
            reorder_memory: EventMemory::default(),
            jitter_memory: JitterMemory::new(netem.delay.as_ref().map_or(0.0, |d| d.correlation)),
            netem,
            in_bad_state: false,
            delayed_since_reorder: 0,
        }
    }

    pub fn netem(&self) -> &Netem {
        &self.netem
    }

    /// The fate of the next datagram, in Linux's order: loss, duplicate, corrupt, delay,
    /// reorder. (Linux decides duplication before loss, so a lost duplicated packet still
    /// arrives once; here a lost packet is simply lost.)
    pub fn fate(&mut self, draws: &Draws) -> RandomFate {
        let mut fate = RandomFate {
            lost: self.loss(draws),
            ..RandomFate::default()
        };
        if fate.lost.is_some() {
            return fate;
        }
        if let Some(chance) = &self.netem.duplicate {
            fate.duplicate = self.duplicate_memory.happens(chance, draws.duplicate);
        }
        if let Some(chance) = &self.netem.corrupt
            && self.corrupt_memory.happens(chance, draws.corrupt)
        {
            fate.corrupt = Some((draws.corrupt_byte, draws.corrupt_bit));
        }
        if let Some(delay) = &self.netem.delay
            && !delay.jitter.is_zero()
        {
            fate.jitter = 2.0 * self.jitter_memory.next(draws.jitter) - 1.0;
        }
        if let Some(reorder) = &self.netem.reorder {
            // tc: only a packet after `gap - 1` delayed ones may jump the queue.
            let eligible = self.delayed_since_reorder.saturating_add(1) >= reorder.gap;
            fate.reordered =
                eligible && self.reorder_memory.happens(&reorder.chance, draws.reorder);
        }
        if fate.reordered {
            self.delayed_since_reorder = 0;
        } else {
            self.delayed_since_reorder = self.delayed_since_reorder.saturating_add(1);
        }
        fate
    }

    fn loss(&mut self, draws: &Draws) -> Option<DropCause> {
        match &self.netem.loss {
            None => None,
            Some(Loss::Random(chance)) => self
                .loss_memory
                .happens(chance, draws.loss)
                .then_some(DropCause::RandomLoss),
            Some(Loss::GilbertElliott(model)) => {
                // As Linux's loss_gilb_ell: the loss follows the state the packet found, and
                // the transition then sets the state for the next packet.
                let (loss_chance, leave_chance) = if self.in_bad_state {
                    (model.loss_in_bad, model.bad_to_good)
                } else {
                    (model.loss_in_good, model.good_to_bad)
                };
                let lost = draws.gilbert_loss < loss_chance;
                if draws.gilbert_transition < leave_chance {
                    self.in_bad_state = !self.in_bad_state;
                }
                lost.then_some(DropCause::GilbertElliott)
            }
        }
    }
}

/// A yes/no event whose outcome leans on the previous one by the chance's correlation,
/// while its long-run rate stays the chance's probability `p`: after an event the next
/// happens with `p + c(1 - p)`, after none with `p(1 - c)`. (Linux blends the uniform draws
/// instead, which pulls the effective rate towards 50%: `loss 30% 25%` loses about 23%.)
#[derive(Clone, Copy, Debug, Default)]
struct EventMemory {
    previous: bool,
}

impl EventMemory {
    fn happens(&mut self, chance: &Chance, uniform: f64) -> bool {
        let (p, c) = (chance.probability, chance.correlation.clamp(0.0, 1.0));
        let threshold = if self.previous {
            p + c * (1.0 - p)
        } else {
            p * (1.0 - c)
        };
        self.previous = uniform < threshold;
        self.previous
    }
}

/// netem's correlated jitter (Linux's `get_crandom`): each uniform value leans on the
/// previous one by `rho`, so delays drift instead of jumping; the mean stays centred.
#[derive(Clone, Copy, Debug)]
struct JitterMemory {
    rho: f64,
    last: Option<f64>,
}

impl JitterMemory {
    fn new(rho: f64) -> JitterMemory {
        JitterMemory {
            rho: rho.clamp(0.0, 1.0),
            last: None,
        }
    }

    fn next(&mut self, uniform: f64) -> f64 {
        let value = match self.last {
            Some(last) => (1.0 - self.rho) * uniform + self.rho * last,
            None => uniform,
        };
        self.last = Some(value);
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// The fates of `count` datagrams under `line`, from a fixed seed.
    fn roll_fates(line: &str, count: usize) -> Vec<RandomFate> {
        let mut model = NetemModel::new(line.parse().unwrap());
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        (0..count)
            .map(|_| model.fate(&Draws::roll(&mut rng)))
            .collect()
    }

    fn fraction(fates: &[RandomFate], test: impl Fn(&RandomFate) -> bool) -> f64 {
        fates.iter().filter(|fate| test(fate)).count() as f64 / fates.len() as f64
    }

    #[test]
    fn random_loss_rate() {
        let fates = roll_fates("loss 50%", 10_000);
        let lost = fraction(&fates, |fate| fate.lost == Some(DropCause::RandomLoss));
        assert!((lost - 0.5).abs() < 0.03, "{lost}");
    }

    #[test]
    fn correlated_loss_keeps_its_rate_and_comes_in_runs() {
        let fates = roll_fates("loss 30% 25%", 20_000);
        let lost: Vec<bool> = fates.iter().map(|fate| fate.lost.is_some()).collect();
        let rate = lost.iter().filter(|&&lost| lost).count() as f64 / 20_000.0;
        assert!((rate - 0.3).abs() < 0.02, "{rate}");
        let after_loss = lost.windows(2).filter(|pair| pair[0]).count() as f64;
        let repeated = lost.windows(2).filter(|pair| pair[0] && pair[1]).count() as f64;
        // p + c(1 - p) = 0.3 + 0.25 * 0.7
        assert!(
            (repeated / after_loss - 0.475).abs() < 0.03,
            "{}",
            repeated / after_loss
        );
    }

    #[test]
    fn gilbert_elliott_mean_loss_rate() {
        // Stationary share of the bad state: p / (p + r) = 0.01 / 0.11.
        let bad = 0.01 / 0.11;
        let expected = bad * 0.7 + (1.0 - bad) * 0.001;
        let fates = roll_fates("loss gemodel 1% 10% 70% 0.1%", 200_000);
        let lost = fraction(&fates, |fate| fate.lost == Some(DropCause::GilbertElliott));
        assert!((lost - expected).abs() < 0.01, "{lost} vs {expected}");
        // tc's defaults turn the model into plain Bernoulli loss of p.
        let lost = fraction(&roll_fates("loss gemodel 20%", 20_000), |fate| {
            fate.lost.is_some()
        });
        assert!((lost - 0.2).abs() < 0.02, "{lost}");
    }

    #[test]
    fn gilbert_elliott_losses_come_in_bursts() {
        // 1-h = 100%, 1-k = 0%: a lost packet is followed by another with chance 1 - r.
        let fates = roll_fates("loss gemodel 5% 20%", 100_000);
        let lost: Vec<bool> = fates.iter().map(|fate| fate.lost.is_some()).collect();
        let pairs = lost.windows(2).filter(|pair| pair[0]).count() as f64;
        let repeats = lost.windows(2).filter(|pair| pair[0] && pair[1]).count() as f64;
        assert!((repeats / pairs - 0.8).abs() < 0.03, "{}", repeats / pairs);
    }

    #[test]
    fn duplicate_and_corrupt_rates() {
        let fates = roll_fates("duplicate 10% corrupt 5%", 20_000);
        let duplicated = fraction(&fates, |fate| fate.duplicate);
        let corrupted = fraction(&fates, |fate| fate.corrupt.is_some());
        assert!((duplicated - 0.10).abs() < 0.01, "{duplicated}");
        assert!((corrupted - 0.05).abs() < 0.01, "{corrupted}");
        assert!(
            fates
                .iter()
                .all(|fate| fate.lost.is_none() && !fate.reordered)
        );
    }

    #[test]
    fn lost_datagrams_are_not_duplicated_or_corrupted() {
        let fates = roll_fates("loss 50% duplicate 100% corrupt 100%", 1_000);
        for fate in fates {
            assert_eq!(fate.lost.is_some(), !fate.duplicate);
            assert_eq!(fate.lost.is_some(), fate.corrupt.is_none());
        }
    }

    #[test]
    fn jitter_spans_minus_one_to_one() {
        let fates = roll_fates("delay 10ms 2ms", 10_000);
        assert!(fates.iter().all(|fate| (-1.0..1.0).contains(&fate.jitter)));
        let mean = fates.iter().map(|fate| fate.jitter).sum::<f64>() / 10_000.0;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!(
            roll_fates("delay 10ms", 10)
                .iter()
                .all(|fate| fate.jitter == 0.0)
        );
    }

    #[test]
    fn reorder_fraction_and_gap() {
        let fates = roll_fates("delay 10ms reorder 25%", 10_000);
        let reordered = fraction(&fates, |fate| fate.reordered);
        assert!((reordered - 0.25).abs() < 0.02, "{reordered}");
        // Certain reordering with gap 5: exactly every fifth datagram goes early.
        let fates = roll_fates("delay 10ms reorder 100% gap 5", 20);
        let early: Vec<usize> = (1..=20).filter(|n| fates[n - 1].reordered).collect();
        assert_eq!(early, [5, 10, 15, 20]);
    }

    #[test]
    fn handout_channel_reorders_about_half_of_what_survives() {
        let fates = roll_fates("delay 10ms reorder 50% 50% loss 40%", 20_000);
        let lost = fraction(&fates, |fate| fate.lost.is_some());
        let survivors: Vec<RandomFate> = fates
            .into_iter()
            .filter(|fate| fate.lost.is_none())
            .collect();
        let reordered = fraction(&survivors, |fate| fate.reordered);
        assert!((lost - 0.4).abs() < 0.03, "{lost}");
        assert!((reordered - 0.5).abs() < 0.03, "{reordered}");
    }

    #[test]
    fn correlated_jitter_keeps_the_mean() {
        let mut source = JitterMemory::new(0.5);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let values: Vec<f64> = (0..10_000).map(|_| source.next(rng.random())).collect();
        let mean = values.iter().sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
        assert!(values.iter().all(|value| (0.0..1.0).contains(value)));
    }
}
