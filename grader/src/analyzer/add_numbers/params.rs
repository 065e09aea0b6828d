//! What a case file gives the add-numbers analyzer (udp-add).

use crate::case::yaml::Spanned;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AddNumbersParams {
    /// The integers the programs accept, inclusive; anything else shuts the server down.
    pub range: [i64; 2],
    /// Patterns that find each program's name ("Client of Ada Lovelace") in a datagram or
    /// an output line; the name is the whole match.
    pub names: NamePatterns,
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct NamePatterns {
    #[schemars(with = "String")]
    pub client: Spanned<String>,
    #[schemars(with = "String")]
    pub server: Spanned<String>,
}
