//! What a case file gives the tcp-like analyzer (tcp-over-udp).

use schemars::JsonSchema;
use serde::Deserialize;

/// The tcp-over-udp segment is fixed by the assignment (`'iihh'`, FIN=1 SYN=2 ACK=4, at most
/// 512 bytes of payload); what a course may vary is where each program logs and where the
/// sequence space wraps.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TcpLikeParams {
    /// Sequence and acknowledgement numbers run from 0 to one less than this.
    #[serde(default = "default_seq_modulus")]
    pub seq_modulus: u32,
    /// Which output stream of each program holds its SEND/RECV/DROP lines.
    pub logs: LogStreams,
}

fn default_seq_modulus() -> u32 {
    socklab_protocol::tcp_over_udp::SEQ_MODULUS
}

#[derive(Clone, Copy, Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LogStreams {
    pub client: OutputStream,
    pub server: OutputStream,
}

/// One of a program's two output streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OutputStream {
    Stdout,
    Stderr,
}
