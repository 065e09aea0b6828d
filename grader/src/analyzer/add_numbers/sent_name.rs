//! A program's name as it sent it, found without the case's pattern.
//!
//! "Client of …" is the handout's example, not a required phrase (ASSIGNMENTS.md §2: "The
//! names are the strings the programs really send"), so a client named "Alice Liddell" that
//! sends `Alice Liddell|42` must be graded on showing "Alice Liddell". Whatever the framing
//! — a newline, `|`, JSON, `key=value`, packed integers beside the text — a message holding
//! a name and an integer is pieces of text with separators and numbers between them; the
//! name is the longest piece with letters in it that is not a field label
//! ([`socklab_protocol::udp_add`], which the reference peers read messages with too).

use socklab_protocol::udp_add::name_pieces;

/// The longest name-like piece of text the datagrams' payloads carry, if any.
pub fn sent_name<'a>(payloads: impl IntoIterator<Item = &'a [u8]>) -> Option<String> {
    payloads
        .into_iter()
        .flat_map(|bytes| name_pieces(&String::from_utf8_lossy(bytes)))
        .max_by_key(|piece| piece.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(messages: &[&[u8]]) -> Option<String> {
        sent_name(messages.iter().copied())
    }

    #[test]
    fn a_name_in_one_datagram_and_the_integer_in_another() {
        assert_eq!(
            name_of(&[b"O'Brien-Smith", b"42"]).as_deref(),
            Some("O'Brien-Smith")
        );
    }
}
