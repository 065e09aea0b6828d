//! A netem line in plain words, for `grader explain`: what the link does to each datagram,
//! so a student need not know tc's vocabulary to read what a scenario tests.

use super::units::{Percent, Rate, Time};
use super::{Chance, Loss, Netem};

impl Netem {
    /// What the link does, as one sentence without the final full stop: `delays every
    /// datagram by 10ms; sends 50% of them without the delay, so they overtake; loses 40%
    /// at random`.
    pub fn in_words(&self) -> String {
        let mut parts = Vec::new();
        if let Some(delay) = &self.delay {
            let mut part = format!("delays every datagram by {}", Time(delay.latency));
            if !delay.jitter.is_zero() {
                part += &format!(" ± {}", Time(delay.jitter));
            }
            parts.push(part);
        }
        if let Some(reorder) = &self.reorder {
            let mut part = format!(
                "sends {} without the delay, so they overtake earlier ones",
                chance(&reorder.chance)
            );
            if reorder.gap > 1 {
                part += &format!(
                    " (only after {} delayed ones in a row)",
                    reorder.gap.saturating_sub(1)
                );
            }
            parts.push(part);
        }
        match &self.loss {
            Some(Loss::Random(loss)) => parts.push(format!("loses {} at random", chance(loss))),
            Some(Loss::GilbertElliott(model)) => parts.push(format!(
                "loses datagrams in bursts (a bad spell starts with chance {} and ends with chance {}; it loses {} in a bad spell and {} otherwise)",
                Percent(model.good_to_bad),
                Percent(model.bad_to_good),
                Percent(model.loss_in_bad),
                Percent(model.loss_in_good),
            )),
            None => {}
        }
        if let Some(duplicate) = &self.duplicate {
            parts.push(format!("delivers {} twice", chance(duplicate)));
        }
        if let Some(corrupt) = &self.corrupt {
            parts.push(format!("flips a bit in {}", chance(corrupt)));
        }
        if let Some(rate) = &self.rate {
            parts.push(format!(
                "carries at most {}/s, so datagrams queue behind each other",
                Rate(rate.bits_per_second)
            ));
        }
        if parts.is_empty() {
            return "delivers every datagram as it is".to_owned();
        }
        parts.join("; ")
    }
}

/// `40% of them`, or `40% of them (each draw 25% tied to the previous)`.
fn chance(chance: &Chance) -> String {
    let mut text = format!("{} of them", Percent(chance.probability));
    if chance.correlation > 0.0 {
        text += &format!(
            " (each draw {} tied to the previous)",
            Percent(chance.correlation)
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> String {
        line.parse::<Netem>().unwrap().in_words()
    }

    #[test]
    fn says_what_each_option_does() {
        assert_eq!(
            words("delay 10ms reorder 50% 50% loss 40%"),
            "delays every datagram by 10ms; sends 50% of them (each draw 50% tied to the previous) without the delay, so they overtake earlier ones; loses 40% of them at random"
        );
        assert_eq!(
            words("loss 30% corrupt 5% delay 2ms 1ms"),
            "delays every datagram by 2ms ± 1ms; loses 30% of them at random; flips a bit in 5% of them"
        );
        assert_eq!(
            words("duplicate 1% rate 1mbit"),
            "delivers 1% of them twice; carries at most 1mbit/s, so datagrams queue behind each other"
        );
        assert_eq!(words(""), "delivers every datagram as it is");
    }
}
