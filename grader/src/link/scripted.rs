//! Scripted faults: the textbook cases (a lost packet, a lost ACK, a late ACK, a flipped bit)
//! aimed at named datagrams, so every run of a scenario exercises the same path.
//!
//! These types are also the case-file YAML shape, e.g.
//! `- drop: { direction: to-server, packet: 2 }`. Each variant repeats the selector fields
//! because the case schema never flattens (a flattened field loses its error location).

use super::Direction;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// One scripted fault, as a case file writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum ScriptedFault {
    /// Drop the selected datagram.
    Drop(DropFault),
    /// Hold the selected datagram back; later datagrams overtake it.
    Delay(DelayFault),
    /// Flip one bit of the selected datagram.
    Corrupt(CorruptFault),
    /// Deliver the selected datagram more than once.
    Duplicate(DuplicateFault),
    /// Deliver only the first bytes of the selected datagram.
    Truncate(TruncateFault),
    /// Drop everything sent during a window of the scenario's time.
    Blackout(BlackoutFault),
}

/// Which datagram of a direction a fault is aimed at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PacketSelector {
    /// The n-th datagram in the direction (1-based), whatever it holds.
    Nth(u32),
    /// The `transmission`-th sending of the `packet`-th distinct payload (both 1-based), so
    /// "the first transmission of the 2nd data packet" stays right across retransmissions.
    Packet { packet: u32, transmission: u32 },
}

/// A selector that counts only the datagrams a [`Matching`] accepts: "the first datagram
/// with the FIN bit", whatever came before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Aim {
    pub selector: PacketSelector,
    pub matching: Option<Matching>,
}

/// Which datagrams a selector counts, by their bytes, so a scenario can aim at a kind of
/// packet (a FIN, the first segment with data) however many came before it: a submission
/// that splits its data differently is still hit where the scenario means.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Matching {
    /// With `bits`: the byte at this offset has every one of `bits` set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byte: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bits: Option<u8>,
    /// The datagram is longer than this many bytes (a header plus some payload).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longer_than: Option<usize>,
}

impl Matching {
    /// Whether `bytes` is a datagram this counts.
    pub fn accepts(&self, bytes: &[u8]) -> bool {
        let bits_set = match (self.byte, self.bits) {
            (Some(byte), Some(bits)) => bytes.get(byte).is_some_and(|value| value & bits == bits),
            _ => true,
        };
        bits_set && self.longer_than.is_none_or(|length| bytes.len() > length)
    }

    fn validate(&self) -> Result<(), String> {
        match (self.byte, self.bits, self.longer_than) {
            (Some(_), None, _) | (None, Some(_), _) => {
                Err("`matching` needs `byte` and `bits` together".to_owned())
            }
            (None, None, None) => {
                Err("`matching` says nothing: give `byte` and `bits`, or `longer-than`".to_owned())
            }
            (_, Some(0), _) => {
                Err("`bits: 0` is set in every byte; name the bits to look for".to_owned())
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Matching {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let (Some(byte), Some(bits)) = (self.byte, self.bits) {
            parts.push(format!("byte {byte} has bits {bits:#04x}"));
        }
        if let Some(length) = self.longer_than {
            parts.push(format!("longer than {length} bytes"));
        }
        f.write_str(&parts.join(" and "))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DropFault {
    pub direction: Direction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transmission: Option<u32>,
    /// Count only datagrams like this (see [`Matching`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching: Option<Matching>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DelayFault {
    pub direction: Direction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transmission: Option<u32>,
    /// Count only datagrams like this (see [`Matching`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching: Option<Matching>,
    /// How long to hold it, on top of any netem delay.
    #[serde(with = "super::duration")]
    #[schemars(with = "super::duration::DurationText")]
    pub by: Duration,
}

/// Which bit to flip: `byte` (or the first byte of `field`, once resolved) and `bit`
/// (0 = least significant, default 0). With neither byte nor field, the byte and bit come
/// from the scenario's random stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CorruptFault {
    pub direction: Direction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transmission: Option<u32>,
    /// Count only datagrams like this (see [`Matching`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching: Option<Matching>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byte: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bit: Option<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DuplicateFault {
    pub direction: Direction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transmission: Option<u32>,
    /// Count only datagrams like this (see [`Matching`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching: Option<Matching>,
    /// Extra copies on top of the original.
    #[serde(default = "one")]
    pub copies: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TruncateFault {
    pub direction: Direction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nth: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packet: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transmission: Option<u32>,
    /// Count only datagrams like this (see [`Matching`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching: Option<Matching>,
    /// How many leading bytes to keep.
    pub to: usize,
}

/// Drop every datagram sent in `[from, until)`, time since the scenario started.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BlackoutFault {
    /// Leave out for both directions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    #[serde(with = "super::duration")]
    #[schemars(with = "super::duration::DurationText")]
    pub from: Duration,
    #[serde(with = "super::duration")]
    #[schemars(with = "super::duration::DurationText")]
    pub until: Duration,
}

impl ScriptedFault {
    /// The fault's name as case files spell it (`drop`, `delay`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            ScriptedFault::Drop(_) => "drop",
            ScriptedFault::Delay(_) => "delay",
            ScriptedFault::Corrupt(_) => "corrupt",
            ScriptedFault::Duplicate(_) => "duplicate",
            ScriptedFault::Truncate(_) => "truncate",
            ScriptedFault::Blackout(_) => "blackout",
        }
    }

    /// The direction it acts on; `None` means both (only a blackout may leave it out).
    pub fn direction(&self) -> Option<Direction> {
        match self {
            ScriptedFault::Blackout(fault) => fault.direction,
            _ => self.target().map(|target| target.direction),
        }
    }

    /// Whether the engine of `direction` should be given this fault.
    pub fn applies_to(&self, direction: Direction) -> bool {
        self.direction().is_none_or(|own| own == direction)
    }

    /// Which datagram it is aimed at; an error for a blackout (it selects by time) or when the
    /// selector fields do not name exactly one datagram.
    pub fn selector(&self) -> Result<PacketSelector, String> {
        self.aim().map(|aim| aim.selector)
    }

    /// The selector with the datagrams it counts.
    pub fn aim(&self) -> Result<Aim, String> {
        let target = self
            .target()
            .ok_or_else(|| "a blackout selects datagrams by time, not by packet".to_owned())?;
        if let Some(matching) = &target.matching {
            matching.validate()?;
        }
        let selector = match (target.nth, target.packet, target.transmission) {
            (Some(_), Some(_), _) => Err("give either `nth` or `packet`, not both".to_owned()),
            (None, None, _) => Err("say which datagram: `nth: N` or `packet: N`".to_owned()),
            (Some(_), None, Some(_)) => {
                Err("`transmission` counts sendings of a `packet`; it cannot go with `nth`".into())
            }
            (Some(0), None, None) | (None, Some(0), _) | (None, Some(_), Some(0)) => {
                Err("datagrams are counted from 1".to_owned())
            }
            (Some(nth), None, None) => Ok(PacketSelector::Nth(nth)),
            (None, Some(packet), transmission) => Ok(PacketSelector::Packet {
                packet,
                transmission: transmission.unwrap_or(1),
            }),
        }?;
        Ok(Aim {
            selector,
            matching: target.matching,
        })
    }

    /// Checks what the types cannot: one selector, bits 0–7, a window that ends after it
    /// starts, at least one extra copy. Messages are lowercase fragments for the case loader.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            ScriptedFault::Blackout(fault) if fault.from >= fault.until => Err(format!(
                "the blackout window is empty: `from` ({}) must be before `until` ({})",
                humantime::format_duration(fault.from),
                humantime::format_duration(fault.until)
            )),
            ScriptedFault::Blackout(_) => Ok(()),
            ScriptedFault::Corrupt(fault) if fault.byte.is_some() && fault.field.is_some() => {
                Err("give either `byte` or `field`, not both".to_owned())
            }
            ScriptedFault::Corrupt(CorruptFault { bit: Some(bit), .. }) if *bit > 7 => Err(
                format!("`bit: {bit}` is not a bit of a byte (0 is the lowest, 7 the highest)"),
            ),
            ScriptedFault::Duplicate(DuplicateFault { copies: 0, .. }) => {
                Err("`copies: 0` duplicates nothing; give 1 or more extra copies".to_owned())
            }
            _ => self.selector().map(|_| ()),
        }
    }

    /// Turns a corrupt fault's `field: NAME` into `byte: OFFSET` (the field's first byte),
    /// using the case's packet layout, which the link does not know.
    pub fn resolve_field(
        &mut self,
        offset_of: impl Fn(&str) -> Option<usize>,
    ) -> Result<(), String> {
        let ScriptedFault::Corrupt(fault) = self else {
            return Ok(());
        };
        let Some(field) = &fault.field else {
            return Ok(());
        };
        let offset = offset_of(field)
            .ok_or_else(|| format!("the packet layout has no field named `{field}`"))?;
        fault.byte = Some(offset);
        fault.field = None;
        Ok(())
    }

    /// The selector fields of a fault aimed at one datagram; `None` for a blackout.
    fn target(&self) -> Option<Target> {
        macro_rules! target {
            ($fault:expr) => {
                Some(Target {
                    direction: $fault.direction,
                    nth: $fault.nth,
                    packet: $fault.packet,
                    transmission: $fault.transmission,
                    matching: $fault.matching,
                })
            };
        }
        match self {
            ScriptedFault::Drop(f) => target!(f),
            ScriptedFault::Delay(f) => target!(f),
            ScriptedFault::Corrupt(f) => target!(f),
            ScriptedFault::Duplicate(f) => target!(f),
            ScriptedFault::Truncate(f) => target!(f),
            ScriptedFault::Blackout(_) => None,
        }
    }
}

impl fmt::Display for Aim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.matching {
            None => write!(f, "{}", self.selector),
            Some(matching) => write!(f, "{} among datagrams whose {matching}", self.selector),
        }
    }
}

impl fmt::Display for PacketSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PacketSelector::Nth(nth) => write!(f, "datagram #{nth}"),
            PacketSelector::Packet {
                packet,
                transmission,
            } => write!(f, "packet #{packet} (transmission #{transmission})"),
        }
    }
}

/// The selector fields every targeted variant repeats.
struct Target {
    direction: Direction,
    nth: Option<u32>,
    packet: Option<u32>,
    transmission: Option<u32>,
    matching: Option<Matching>,
}

fn one() -> u32 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(yaml: &str) -> Vec<ScriptedFault> {
        serde_saphyr::from_str(yaml).unwrap_or_else(|error| panic!("{error}"))
    }

    fn fault(yaml: &str) -> ScriptedFault {
        faults(yaml).remove(0)
    }

    #[test]
    fn reads_every_fault_of_the_case_format() {
        let all = faults(
            "- drop:      { direction: to-server, packet: 2 }\n\
             - drop:      { direction: to-server, nth: 2 }\n\
             - delay:     { direction: to-client, packet: 1, by: 27ms }\n\
             - corrupt:   { direction: to-server, packet: 2, field: data, bit: 0 }\n\
             - corrupt:   { direction: to-client, packet: 1, byte: 20 }\n\
             - duplicate: { direction: to-server, nth: 1 }\n\
             - truncate:  { direction: to-client, nth: 1, to: 20 }\n\
             - blackout:  { from: 10ms, until: 50ms }\n",
        );
        assert_eq!(all.len(), 8);
        for fault in &all {
            fault
                .validate()
                .unwrap_or_else(|error| panic!("{fault:?}: {error}"));
        }
        let packet = |packet| PacketSelector::Packet {
            packet,
            transmission: 1,
        };
        assert_eq!(all[0].selector(), Ok(packet(2)));
        assert_eq!(all[1].selector(), Ok(PacketSelector::Nth(2)));
        let ScriptedFault::Delay(delay) = &all[2] else {
            panic!("{:?}", all[2]);
        };
        assert_eq!(delay.by, Duration::from_millis(27));
        let ScriptedFault::Duplicate(duplicate) = &all[5] else {
            panic!("{:?}", all[5]);
        };
        assert_eq!(duplicate.copies, 1);
        assert_eq!(all[7].direction(), None);
        assert!(all[7].applies_to(Direction::ToClient) && all[7].applies_to(Direction::ToServer));
        assert_eq!(all[6].direction(), Some(Direction::ToClient));
        assert!(!all[6].applies_to(Direction::ToServer));
        assert_eq!(
            all.iter().map(ScriptedFault::kind).collect::<Vec<_>>()[..3],
            ["drop", "drop", "delay"]
        );
    }

    #[test]
    fn round_trips_through_yaml() {
        let original = fault("- delay: { direction: to-client, nth: 3, by: 1s 500ms }");
        let text = serde_saphyr::to_string(&vec![original.clone()]).unwrap();
        assert_eq!(fault(&text), original);
    }

    #[test]
    fn refuses_unknown_fields_and_kinds() {
        let error = serde_saphyr::from_str::<Vec<ScriptedFault>>(
            "- drop: { direction: to-server, nth: 1, seq: 0 }",
        )
        .unwrap_err();
        assert!(error.to_string().contains("seq"), "{error}");
        let error =
            serde_saphyr::from_str::<Vec<ScriptedFault>>("- lose: { direction: to-server }")
                .unwrap_err();
        assert!(error.to_string().contains("lose"), "{error}");
    }

    #[test]
    fn selectors_must_name_one_datagram() {
        let check = |yaml| fault(yaml).validate().unwrap_err();
        assert!(check("- drop: { direction: to-server, nth: 1, packet: 1 }").contains("not both"));
        assert!(check("- drop: { direction: to-server }").contains("say which datagram"));
        assert!(
            check("- drop: { direction: to-server, nth: 1, transmission: 2 }")
                .contains("cannot go with `nth`")
        );
        assert!(check("- drop: { direction: to-server, nth: 0 }").contains("counted from 1"));
        let selector = fault("- drop: { direction: to-server, packet: 2, transmission: 3 }")
            .selector()
            .unwrap();
        assert_eq!(selector.to_string(), "packet #2 (transmission #3)");
    }

    #[test]
    fn matching_needs_a_whole_condition() {
        let check = |yaml| fault(yaml).validate().unwrap_err();
        assert!(
            check("- drop: { direction: to-server, nth: 1, matching: { byte: 10 } }")
                .contains("together")
        );
        assert!(
            check("- drop: { direction: to-server, nth: 1, matching: {} }")
                .contains("says nothing")
        );
        assert!(
            check("- drop: { direction: to-server, nth: 1, matching: { byte: 1, bits: 0 } }")
                .contains("bits: 0")
        );
        let aim =
            fault("- drop: { direction: to-client, packet: 1, matching: { byte: 10, bits: 1 } }")
                .aim()
                .unwrap();
        assert_eq!(
            aim.to_string(),
            "packet #1 (transmission #1) among datagrams whose byte 10 has bits 0x01"
        );
    }

    #[test]
    fn validates_field_specific_rules() {
        let check = |yaml| fault(yaml).validate().unwrap_err();
        assert!(
            check("- corrupt: { direction: to-server, nth: 1, byte: 1, field: seq }")
                .contains("either `byte` or `field`")
        );
        assert!(check("- corrupt: { direction: to-server, nth: 1, bit: 8 }").contains("`bit: 8`"));
        assert!(
            check("- duplicate: { direction: to-server, nth: 1, copies: 0 }").contains("copies: 0")
        );
        assert!(check("- blackout: { from: 50ms, until: 10ms }").contains("window is empty"));
    }

    #[test]
    fn resolves_a_field_to_its_first_byte() {
        let offsets = |name: &str| match name {
            "seq" => Some(4),
            "data" => Some(8),
            _ => None,
        };
        let mut corrupt = fault("- corrupt: { direction: to-server, packet: 2, field: data }");
        corrupt.resolve_field(offsets).unwrap();
        let ScriptedFault::Corrupt(resolved) = &corrupt else {
            panic!("{corrupt:?}");
        };
        assert_eq!((resolved.byte, resolved.field.as_deref()), (Some(8), None));
        let mut unknown = fault("- corrupt: { direction: to-server, nth: 1, field: chk }");
        let error = unknown.resolve_field(offsets).unwrap_err();
        assert_eq!(error, "the packet layout has no field named `chk`");
        let mut drop = fault("- drop: { direction: to-server, nth: 1 }");
        assert_eq!(drop.resolve_field(offsets), Ok(()));
    }
}
