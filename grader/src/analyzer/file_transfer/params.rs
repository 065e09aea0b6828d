//! What a case file gives the file-transfer analyzer (udp-file).

use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FileTransferParams {
    /// The size of every block but the last, which is shorter (empty when the file's size
    /// is a multiple of it).
    pub block: usize,
}
