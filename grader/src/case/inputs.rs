//! What a scenario hands its programs besides the network: keyboard input and files, and
//! which program's exit ends the run.

use schemars::JsonSchema;
use serde::Deserialize;
use std::time::Duration;

/// Lines the grader types on a program's stdin, which it then closes.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StdinScript {
    /// Each line is typed with a newline after it, its placeholders (`{host}`, `{port}`,
    /// `{file}`, `{dir}`) filled in as in a command line (`{{` and `}}` for braces).
    pub lines: Vec<String>,
    #[serde(default)]
    pub feed: Feed,
    /// With `feed: after-prompt`, how long to wait for a prompt before typing the line
    /// anyway (a program that prompts nothing must not stall the scenario).
    #[serde(
        default = "default_prompt_timeout",
        with = "crate::case::model::duration"
    )]
    #[schemars(with = "crate::link::duration::DurationText")]
    pub prompt_timeout: Duration,
}

impl StdinScript {
    /// The whole input as the program reads it.
    pub fn text(&self) -> String {
        self.lines.iter().map(|line| format!("{line}\n")).collect()
    }
}

fn default_prompt_timeout() -> Duration {
    Duration::from_secs(2)
}

/// When the lines are typed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Feed {
    /// All at once, at the start: what `echo 42 | client` does.
    #[default]
    Whole,
    /// One line each time the program has printed something new (its prompt), as a person
    /// at the keyboard would.
    AfterPrompt,
}

/// A file generated for one scenario from the seed and placed in a program's directory.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct InputFile {
    /// Its name, a plain file name; `{file}` in the command lines.
    pub name: String,
    /// Bytes: `2049`, or with a unit, `64KiB`. Required unless `missing`.
    #[serde(default, deserialize_with = "size::deserialize")]
    #[schemars(with = "Option<size::ByteSize>")]
    pub size: Option<u64>,
    /// Bytes added to `size`, so `1MiB` plus 7 reads as the handout says it.
    #[serde(default)]
    pub plus: u64,
    #[serde(default)]
    pub content: FileContent,
    /// The name is given but no file is made: what happens when it is missing.
    #[serde(default)]
    pub missing: bool,
    /// Whose directory gets it: the server's (it sends the file, or keeps it as the
    /// standard to compare with), the client's (it sends it), or both.
    #[serde(default)]
    pub given_to: GivenTo,
}

/// Whose directory a generated file is placed in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum GivenTo {
    #[default]
    Server,
    Client,
    Both,
}

impl GivenTo {
    pub fn server(self) -> bool {
        matches!(self, GivenTo::Server | GivenTo::Both)
    }

    pub fn client(self) -> bool {
        matches!(self, GivenTo::Client | GivenTo::Both)
    }
}

/// One file of text lines the grader types into an uploading client: its lines as
/// written, or lines generated from the seed.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct UploadFile {
    #[serde(default)]
    pub lines: Option<Vec<String>>,
    #[serde(default)]
    pub generate: Option<GeneratedLines>,
}

/// `count` lines of `length` printable ASCII characters each (words and single spaces,
/// never a space at either end, so trimming a line is not mistaken for a fault).
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct GeneratedLines {
    pub count: usize,
    pub length: usize,
}

impl InputFile {
    /// Its size in bytes (0 for a missing file).
    pub fn length(&self) -> u64 {
        if self.missing {
            0
        } else {
            self.size.unwrap_or(0).saturating_add(self.plus)
        }
    }
}

/// What a generated file holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FileContent {
    /// Seeded random bytes that start with 0xFF and end with a NUL, so text handling and
    /// NUL stripping both show.
    #[default]
    Binary,
    /// Seeded printable ASCII lines.
    Text,
}

/// Which program's exit ends a scenario (then the quiet period, then the other is stopped).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EndsWhen {
    #[default]
    ClientExits,
    /// For scenarios that shut the server down; the client may never finish.
    ServerExits,
    /// Whichever exits first: a protocol whose server ends with the connection while the
    /// client lingers (TCP's TIME-WAIT) is complete when the server is done.
    EitherExits,
}

/// A byte count written as a number or with a unit (`64KiB`, `1 MiB`).
mod size {
    use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
    use serde::Deserializer;
    use serde::de::{Error, Visitor};
    use std::borrow::Cow;
    use std::fmt;

    /// The schema of a size field: a number of bytes, or text with a unit.
    #[derive(Debug)]
    pub struct ByteSize;

    impl JsonSchema for ByteSize {
        fn schema_name() -> Cow<'static, str> {
            "ByteSize".into()
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "description": "Bytes: a number (`2049`), or text with a unit (`64KiB`, `1 MiB`, `1.5MB`); units are case-insensitive, and `KB` is 1000 bytes, `KiB` 1024.",
                "anyOf": [
                    { "type": "integer", "minimum": 0 },
                    { "type": "string", "pattern": r"^\s*[0-9][0-9_ .]*([eE][+-]?[0-9]+)?\s*([KkMmGgTtPpEe][Ii]?)?[Bb]?\s*$" }
                ],
                "examples": [2049, "64KiB"]
            })
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<u64>, D::Error> {
        struct SizeVisitor;
        impl Visitor<'_> for SizeVisitor {
            type Value = u64;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a size in bytes, such as 2049 or 64KiB")
            }
            fn visit_u64<E: Error>(self, value: u64) -> Result<u64, E> {
                Ok(value)
            }
            fn visit_i64<E: Error>(self, value: i64) -> Result<u64, E> {
                u64::try_from(value).map_err(|_| E::custom("a size cannot be negative"))
            }
            fn visit_str<E: Error>(self, text: &str) -> Result<u64, E> {
                parse_size::parse_size(text)
                    .map_err(|error| E::custom(format!("invalid size `{text}`: {error}")))
            }
        }
        deserializer.deserialize_any(SizeVisitor).map(Some)
    }
}
