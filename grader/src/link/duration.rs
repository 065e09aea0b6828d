//! Durations in case files, written the way people write them: `27ms`, `1s 500ms`.
//!
//! Use as `#[serde(with = "crate::link::duration")]` on a `Duration` field. A bare number is
//! refused rather than guessed at, because `by: 27` could mean seconds or milliseconds.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// The schema of a duration field: text in humantime's syntax, never a bare number. Use as
/// `#[schemars(with = "crate::link::duration::DurationText")]` beside the serde attribute.
#[derive(Debug)]
pub struct DurationText;

impl JsonSchema for DurationText {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A duration with a unit: `27ms`, `1.5s`, `1s 500ms`, `2min`. A bare number is refused: `27` could mean seconds or milliseconds.",
            // Numbers (with an optional fraction), each followed by one of humantime's units.
            "pattern": r"^\s*([0-9]+(\.[0-9]+)?\s*(nanos|nsec|ns|usec|us|µs|millis|msec|ms|seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d|weeks|week|wks|wk|w|months|month|M|years|year|yrs|yr|y)\s*)+$",
            "examples": ["27ms", "1s 500ms"]
        })
    }
}

/// Writes the duration in humantime's syntax (`27ms`), which [`deserialize`] reads back.
pub fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&humantime::format_duration(*value))
}

/// Reads a duration in humantime's syntax (`27ms`, `1s 500ms`).
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    deserializer.deserialize_any(HumanDuration)
}

struct HumanDuration;

impl Visitor<'_> for HumanDuration {
    type Value = Duration;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a duration with a unit, such as 27ms or 1s")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Duration, E> {
        humantime::parse_duration(text.trim())
            .map_err(|error| E::custom(format!("invalid duration `{text}`: {error}")))
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<Duration, E> {
        Err(E::custom(format!(
            "`{number}` has no unit; write a duration such as {number}ms"
        )))
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<Duration, E> {
        Err(E::custom(format!(
            "`{number}` has no unit; write a duration such as {number}ms"
        )))
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<Duration, E> {
        Err(E::custom(format!(
            "`{number}` has no unit; write a duration such as 27ms"
        )))
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use std::time::Duration;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Holder {
        #[serde(with = "super")]
        by: Duration,
    }

    #[test]
    fn reads_and_writes_humantime() {
        let holder: Holder = serde_json::from_str(r#"{"by":"27ms"}"#).unwrap();
        assert_eq!(holder.by, Duration::from_millis(27));
        assert_eq!(serde_json::to_string(&holder).unwrap(), r#"{"by":"27ms"}"#);
        let holder: Holder = serde_json::from_str(r#"{"by":"1s 500ms"}"#).unwrap();
        assert_eq!(holder.by, Duration::from_millis(1500));
    }

    #[test]
    fn refuses_bare_numbers_and_bad_units() {
        let error = serde_json::from_str::<Holder>(r#"{"by":27}"#).unwrap_err();
        assert!(error.to_string().contains("`27` has no unit"), "{error}");
        let error = serde_json::from_str::<Holder>(r#"{"by":"27 parsecs"}"#).unwrap_err();
        assert!(
            error.to_string().contains("invalid duration `27 parsecs`"),
            "{error}"
        );
    }
}
