//! `Netem`: the Linux tc-netem(8) vocabulary, read from the line an instructor pastes.
//!
//! Handouts give the channel as a `tc` command (`sudo tc qdisc add dev lo root netem delay
//! 10ms reorder 50% 50% loss 40%`), so a case file can carry that text as it is. Parsing
//! follows tc's rules (defaults, what may follow what) but is stricter where tc guesses: a time
//! without a unit is refused instead of read as microseconds. The random model that acts on
//! a parsed `Netem` lives in [`super::fate`].

pub(crate) mod units;
mod words;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;
use units::{Percent, Rate as RateText, Time};

/// One netem setting: which impairments, with what parameters. Probabilities are in [0, 1].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Netem {
    pub delay: Option<Delay>,
    pub loss: Option<Loss>,
    pub duplicate: Option<Chance>,
    pub corrupt: Option<Chance>,
    pub reorder: Option<Reorder>,
    pub rate: Option<Rate>,
}

/// `delay TIME [JITTER [CORRELATION]]`: each packet waits `latency ± jitter` (uniform).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Delay {
    pub latency: Duration,
    pub jitter: Duration,
    /// How much each jitter draw leans on the previous one, in [0, 1].
    pub correlation: f64,
}

/// A per-packet probability, optionally correlated with the previous packet's draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chance {
    pub probability: f64,
    pub correlation: f64,
}

/// `loss [random] P% [CORR]` or `loss gemodel P% [R% [1-H% [1-K%]]]`.
#[derive(Clone, Debug, PartialEq)]
pub enum Loss {
    Random(Chance),
    GilbertElliott(GilbertElliott),
}

/// The Gilbert-Elliott two-state loss model, with tc-netem(8)'s parameter names.
#[derive(Clone, Debug, PartialEq)]
pub struct GilbertElliott {
    /// `p`: the chance of moving from the good state to the bad one.
    pub good_to_bad: f64,
    /// `r`: the chance of moving from the bad state back to the good one.
    pub bad_to_good: f64,
    /// `1-h`: the chance a packet is lost while in the bad state.
    pub loss_in_bad: f64,
    /// `1-k`: the chance a packet is lost while in the good state.
    pub loss_in_good: f64,
}

/// `reorder P% [CORR] [gap N]`: send some packets at once, ahead of the delayed ones.
#[derive(Clone, Debug, PartialEq)]
pub struct Reorder {
    pub chance: Chance,
    /// Only a packet that follows `gap - 1` delayed ones may be sent early (tc's default 1).
    pub gap: u32,
}

/// `rate RATE`: the link's bandwidth, so a packet also waits for its own serialization.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub bits_per_second: u64,
}

/// Why a netem line could not be read; each names the token at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NetemError {
    #[error(
        "unknown netem option `{token}` (known: delay, loss, duplicate, corrupt, reorder, gap, rate)"
    )]
    UnknownOption { token: String },
    #[error("netem option `{option}` is not supported: {reason}")]
    Unsupported {
        option: String,
        reason: &'static str,
    },
    #[error("`{option}` needs {expected}, but the line ends there")]
    MissingValue {
        option: &'static str,
        expected: &'static str,
    },
    #[error("`{token}` after `{option}` is not {expected}")]
    BadValue {
        option: &'static str,
        token: String,
        expected: &'static str,
    },
    #[error("`{option}` is given twice")]
    Repeated { option: &'static str },
    #[error("`reorder` needs a `delay`: netem reorders by sending some packets without it")]
    ReorderWithoutDelay,
    #[error("`gap` needs a `reorder` probability")]
    GapWithoutReorder,
}

impl FromStr for Netem {
    type Err = NetemError;

    /// Reads netem options; if the text holds the word `netem`, only what follows it, so a
    /// whole pasted `tc qdisc add dev lo root netem ...` command works.
    fn from_str(text: &str) -> Result<Self, NetemError> {
        let tokens: Vec<&str> = text.split_whitespace().collect();
        let start = tokens.iter().position(|&token| token == "netem");
        let mut words = Words {
            tokens: &tokens[start.map_or(0, |index| index + 1)..],
        };
        let mut netem = Netem::default();
        let mut gap = None;
        while let Some(option) = words.next() {
            match option {
                "delay" => set_once(&mut netem.delay, "delay", read_delay(&mut words)?)?,
                "loss" | "drop" => set_once(&mut netem.loss, "loss", read_loss(&mut words)?)?,
                "duplicate" => {
                    let chance = read_chance(&mut words, "duplicate")?;
                    set_once(&mut netem.duplicate, "duplicate", chance)?;
                }
                "corrupt" => {
                    let chance = read_chance(&mut words, "corrupt")?;
                    set_once(&mut netem.corrupt, "corrupt", chance)?;
                }
                "reorder" => {
                    let chance = read_chance(&mut words, "reorder")?;
                    set_once(&mut netem.reorder, "reorder", Reorder { chance, gap: 1 })?;
                }
                "gap" => set_once(&mut gap, "gap", read_gap(&mut words)?)?,
                "rate" => set_once(&mut netem.rate, "rate", read_rate(&mut words)?)?,
                _ => return Err(unsupported_or_unknown(option)),
            }
        }
        match (&mut netem.reorder, gap) {
            (Some(reorder), Some(gap)) => reorder.gap = gap,
            (None, Some(_)) => return Err(NetemError::GapWithoutReorder),
            _ => {}
        }
        let delays = netem
            .delay
            .as_ref()
            .is_some_and(|delay| !delay.latency.is_zero() || !delay.jitter.is_zero());
        if netem.reorder.is_some() && !delays {
            return Err(NetemError::ReorderWithoutDelay);
        }
        Ok(netem)
    }
}

impl fmt::Display for Netem {
    /// The canonical line: options in a fixed order, defaults left out; it parses back to an
    /// equal `Netem`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(delay) = &self.delay {
            let mut part = format!("delay {}", Time(delay.latency));
            if !delay.jitter.is_zero() || delay.correlation > 0.0 {
                part += &format!(" {}", Time(delay.jitter));
                if delay.correlation > 0.0 {
                    part += &format!(" {}", Percent(delay.correlation));
                }
            }
            parts.push(part);
        }
        match &self.loss {
            Some(Loss::Random(chance)) => parts.push(format!("loss {chance}")),
            Some(Loss::GilbertElliott(model)) => parts.push(format!(
                "loss gemodel {} {} {} {}",
                Percent(model.good_to_bad),
                Percent(model.bad_to_good),
                Percent(model.loss_in_bad),
                Percent(model.loss_in_good),
            )),
            None => {}
        }
        if let Some(chance) = &self.duplicate {
            parts.push(format!("duplicate {chance}"));
        }
        if let Some(chance) = &self.corrupt {
            parts.push(format!("corrupt {chance}"));
        }
        if let Some(reorder) = &self.reorder {
            parts.push(format!("reorder {}", reorder.chance));
            if reorder.gap != 1 {
                parts.push(format!("gap {}", reorder.gap));
            }
        }
        if let Some(rate) = &self.rate {
            parts.push(format!("rate {}", RateText(rate.bits_per_second)));
        }
        f.write_str(&parts.join(" "))
    }
}

impl fmt::Display for Chance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Percent(self.probability))?;
        if self.correlation > 0.0 {
            write!(f, " {}", Percent(self.correlation))?;
        }
        Ok(())
    }
}

impl Serialize for Netem {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Netem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse()
            .map_err(|error| D::Error::custom(format!("invalid netem line `{text}`: {error}")))
    }
}

/// A netem line is text in a case file; its grammar is tc's, checked when the case loads.
impl JsonSchema for Netem {
    fn schema_name() -> Cow<'static, str> {
        "Netem".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A tc-netem line, as a handout gives it (a whole pasted `tc qdisc add dev lo root netem ...` command works too): `delay TIME [JITTER [CORR]]`, `loss [random] P% [CORR]` or `loss gemodel P% [R% [1-H% [1-K%]]]`, `duplicate P% [CORR]`, `corrupt P% [CORR]`, `reorder P% [CORR] [gap N]` (needs a delay), `rate RATE`. Times need a unit.",
            "examples": ["delay 10ms reorder 50% 50% loss 40%", "loss 30% corrupt 5% delay 2ms 1ms"]
        })
    }
}

/// The schema of a bit rate written in tc's units (`8mbit`, `125kbps`): use as
/// `#[schemars(with = "crate::link::netem::BitRate")]` beside the serde attribute.
#[derive(Debug)]
pub struct BitRate;

impl JsonSchema for BitRate {
    fn schema_name() -> Cow<'static, str> {
        "BitRate".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A rate in tc's units: `8mbit`, `1gbit`, `125kbps` (bytes per second), `1mibit`; a bare number is bits per second.",
            "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*[A-Za-z]*\s*$",
            "examples": ["8mbit", "125kbps"]
        })
    }
}

/// The tokens not yet read.
struct Words<'a> {
    tokens: &'a [&'a str],
}

impl<'a> Words<'a> {
    fn next(&mut self) -> Option<&'a str> {
        let (first, rest) = self.tokens.split_first()?;
        self.tokens = rest;
        Some(first)
    }

    /// The next token if it is an optional numeric argument (tc's `NEXT_IS_NUMBER`).
    fn next_if_number(&mut self) -> Option<&'a str> {
        let first = self.tokens.first()?;
        if first.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            self.next()
        } else {
            None
        }
    }

    fn next_if(&mut self, word: &str) -> bool {
        let matches = self.tokens.first() == Some(&word);
        if matches {
            self.tokens = &self.tokens[1..];
        }
        matches
    }

    /// The required argument of `option`, or an error naming what was expected.
    fn require(
        &mut self,
        option: &'static str,
        expected: &'static str,
    ) -> Result<&'a str, NetemError> {
        self.next()
            .ok_or(NetemError::MissingValue { option, expected })
    }
}

fn read_delay(words: &mut Words<'_>) -> Result<Delay, NetemError> {
    let latency = units::time(words.require("delay", units::TIME)?, "delay")?;
    let jitter = match words.next_if_number() {
        Some(token) => units::time(token, "delay")?,
        None => Duration::ZERO,
    };
    let correlation = read_correlation(words, "delay")?;
    Ok(Delay {
        latency,
        jitter,
        correlation,
    })
}

fn read_loss(words: &mut Words<'_>) -> Result<Loss, NetemError> {
    if words.next_if("gemodel") {
        let good_to_bad = units::percent(words.require("loss gemodel", units::PERCENT)?, "loss")?;
        // tc-netem(8)'s defaults: r = 1 - p (which makes the model plain Bernoulli loss),
        // 1-h = 100%, 1-k = 0%.
        let mut model = GilbertElliott {
            good_to_bad,
            bad_to_good: 1.0 - good_to_bad,
            loss_in_bad: 1.0,
            loss_in_good: 0.0,
        };
        let rest = [
            &mut model.bad_to_good,
            &mut model.loss_in_bad,
            &mut model.loss_in_good,
        ];
        for slot in rest {
            match words.next_if_number() {
                Some(token) => *slot = units::percent(token, "loss")?,
                None => break,
            }
        }
        return Ok(Loss::GilbertElliott(model));
    }
    if words.next_if("state") {
        return Err(NetemError::Unsupported {
            option: "loss state".to_owned(),
            reason: "the 4-state Markov model is not modelled; use `loss gemodel`",
        });
    }
    words.next_if("random");
    read_chance(words, "loss").map(Loss::Random)
}

fn read_chance(words: &mut Words<'_>, option: &'static str) -> Result<Chance, NetemError> {
    let probability = units::percent(words.require(option, units::PERCENT)?, option)?;
    let correlation = read_correlation(words, option)?;
    Ok(Chance {
        probability,
        correlation,
    })
}

fn read_correlation(words: &mut Words<'_>, option: &'static str) -> Result<f64, NetemError> {
    words
        .next_if_number()
        .map_or(Ok(0.0), |token| units::percent(token, option))
}

fn read_gap(words: &mut Words<'_>) -> Result<u32, NetemError> {
    const EXPECTED: &str = "a whole number of packets (1 or more), such as 5";
    let token = words.require("gap", EXPECTED)?;
    match token.parse::<u32>() {
        Ok(gap) if gap >= 1 => Ok(gap),
        _ => Err(NetemError::BadValue {
            option: "gap",
            token: token.to_owned(),
            expected: EXPECTED,
        }),
    }
}

fn read_rate(words: &mut Words<'_>) -> Result<Rate, NetemError> {
    let bits_per_second = units::rate(words.require("rate", units::RATE)?)?;
    if let Some(token) = words.next_if_number() {
        return Err(NetemError::Unsupported {
            option: format!("rate … {token}"),
            reason: "packet overhead and cell sizes are not modelled",
        });
    }
    Ok(Rate { bits_per_second })
}

fn set_once<T>(slot: &mut Option<T>, option: &'static str, value: T) -> Result<(), NetemError> {
    if slot.is_some() {
        return Err(NetemError::Repeated { option });
    }
    *slot = Some(value);
    Ok(())
}

/// Options tc knows that the grader deliberately does not model get a reason, not a shrug.
fn unsupported_or_unknown(option: &str) -> NetemError {
    let reason = match option {
        "limit" => "the relay's queue has no packet limit; leave it out",
        "distribution" => "only uniform jitter is modelled",
        "slot" => "slotted delivery is not modelled",
        "ecn" => "there is no ECN on relayed UDP payloads",
        "seed" => "netem's randomness comes from the run's --seed",
        _ => {
            return NetemError::UnknownOption {
                token: option.to_owned(),
            };
        }
    };
    NetemError::Unsupported {
        option: option.to_owned(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Netem {
        text.parse()
            .unwrap_or_else(|error| panic!("`{text}`: {error}"))
    }

    fn error(text: &str) -> String {
        match text.parse::<Netem>() {
            Ok(netem) => panic!("`{text}` parsed as {netem:?}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn reads_the_handout_line() {
        let netem = parse("delay 10ms reorder 50% 50% loss 40%");
        let delay = netem.delay.clone().unwrap();
        assert_eq!(delay.latency, Duration::from_millis(10));
        assert_eq!(delay.jitter, Duration::ZERO);
        let reorder = netem.reorder.clone().unwrap();
        assert_eq!((reorder.chance.probability, reorder.gap), (0.5, 1));
        assert_eq!(reorder.chance.correlation, 0.5);
        assert_eq!(
            netem.loss,
            Some(Loss::Random(Chance {
                probability: 0.4,
                correlation: 0.0
            }))
        );
        assert_eq!(netem.to_string(), "delay 10ms loss 40% reorder 50% 50%");
    }

    #[test]
    fn reads_a_pasted_tc_command() {
        let pasted = parse("sudo tc qdisc add dev lo root netem delay 2ms 1ms corrupt 5%");
        assert_eq!(pasted, parse("delay 2ms 1ms corrupt 5%"));
        assert_eq!(parse(""), Netem::default());
    }

    #[test]
    fn reads_every_option() {
        let netem = parse(
            "delay 0.5ms 100us 25% loss random 1% 2% duplicate 3 corrupt 4% 5% \
             reorder 6% gap 5 rate 1.5mbit",
        );
        let delay = netem.delay.clone().unwrap();
        assert_eq!(delay.latency, Duration::from_micros(500));
        assert_eq!(delay.jitter, Duration::from_micros(100));
        assert_eq!(delay.correlation, 0.25);
        assert_eq!(netem.duplicate.clone().unwrap().probability, 0.03);
        assert_eq!(netem.corrupt.clone().unwrap().correlation, 0.05);
        assert_eq!(netem.reorder.clone().unwrap().gap, 5);
        assert_eq!(netem.rate.unwrap().bits_per_second, 1_500_000);
        assert_eq!(parse(&netem.to_string()), netem);
    }

    #[test]
    fn gemodel_takes_tc_defaults() {
        let netem = parse("loss gemodel 20%");
        let expected = GilbertElliott {
            good_to_bad: 0.2,
            bad_to_good: 0.8,
            loss_in_bad: 1.0,
            loss_in_good: 0.0,
        };
        assert_eq!(netem.loss, Some(Loss::GilbertElliott(expected)));
        let netem = parse("loss gemodel 1% 10% 70% 0.1%");
        let Some(Loss::GilbertElliott(model)) = &netem.loss else {
            panic!("{netem:?}");
        };
        assert_eq!((model.bad_to_good, model.loss_in_bad), (0.1, 0.7));
        assert!((model.loss_in_good - 0.001).abs() < 1e-12);
        assert_eq!(netem.to_string(), "loss gemodel 1% 10% 70% 0.1%");
    }

    #[test]
    fn canonical_line_round_trips() {
        for line in [
            "delay 10ms",
            "delay 1s 0ms 10%",
            "delay 1500us 250us loss 30% duplicate 1% 50% corrupt 5%",
            "delay 10ms loss gemodel 5% 50% 100% 0% reorder 25% gap 3 rate 8kbit",
            "delay 3ns rate 12345bit",
        ] {
            assert_eq!(parse(line).to_string(), line);
        }
        assert_eq!(parse("delay 2sec").to_string(), "delay 2s");
        assert_eq!(parse("rate 125kbps").to_string(), "rate 1mbit");
    }

    #[test]
    fn reorder_needs_a_delay_and_gap_needs_reorder() {
        assert!(error("reorder 50%").contains("needs a `delay`"));
        assert!(error("delay 10ms gap 5").contains("`gap` needs a `reorder`"));
    }

    #[test]
    fn errors_name_the_bad_token() {
        assert_eq!(
            error("delay 10ms jitter 1ms"),
            "unknown netem option `jitter` (known: delay, loss, duplicate, corrupt, reorder, \
             gap, rate)"
        );
        assert!(error("delay 10").contains("`10` after `delay`"));
        assert!(error("delay 10xs").contains("`10xs` after `delay`"));
        assert!(error("loss 140%").contains("`140%` after `loss`"));
        assert!(error("loss -3%").contains("`-3%` after `loss`"));
        assert!(error("rate 1mbyte").contains("`1mbyte` after `rate`"));
        assert!(error("rate 0bit").contains("`0bit` after `rate`"));
        assert!(error("loss").contains("`loss` needs a percentage"));
        assert!(error("delay 1ms limit 1000").contains("`limit` is not supported"));
        assert!(error("loss state 1%").contains("`loss state` is not supported"));
        assert!(error("loss 1% loss 2%").contains("`loss` is given twice"));
        assert!(error("delay 1ms reorder 5% gap 0").contains("`0` after `gap`"));
    }

    #[test]
    fn deserializes_from_a_string_with_a_clear_error() {
        let netem: Netem = serde_json::from_str(r#""delay 10ms loss 40%""#).unwrap();
        assert_eq!(netem, parse("delay 10ms loss 40%"));
        assert_eq!(
            serde_json::to_string(&netem).unwrap(),
            r#""delay 10ms loss 40%""#
        );
        let error = serde_json::from_str::<Netem>(r#""delay 10ms los 40%""#).unwrap_err();
        assert!(
            error.to_string().contains("unknown netem option `los`"),
            "{error}"
        );
    }
}
