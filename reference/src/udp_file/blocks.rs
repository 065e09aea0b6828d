//! How the udp-file server cuts a file into datagrams: full blocks of 2048 bytes, then one
//! shorter block that tells the client the file has ended — an empty one when the size is
//! a multiple of 2048, since a full block would promise more.

use std::ops::Range;

use super::defect::ServerDefect;
use crate::defects::Defects;

/// The handout's block size: every block but the last is exactly this long.
pub const BLOCK_LEN: usize = 2048;

/// The handout's receive buffer: any UDP datagram fits, so an oversized block or request
/// is seen whole (a block that long is no full block, so it ends the file).
pub const MAX_DATAGRAM: usize = 65536;

/// What the `chunk-1024` defect uses instead of [`BLOCK_LEN`].
pub const DEFECTIVE_BLOCK_LEN: usize = 1024;

/// The byte ranges of a `len`-byte file, one per datagram, in the order they are sent.
pub fn plan(len: usize, defects: &Defects<ServerDefect>) -> Vec<Range<usize>> {
    let block_len = if defects.has(ServerDefect::Chunk1024) {
        DEFECTIVE_BLOCK_LEN
    } else {
        BLOCK_LEN
    };
    let mut blocks: Vec<Range<usize>> = (0..len)
        .step_by(block_len)
        .map(|start| start..len.min(start + block_len))
        .collect();
    let ends_short = blocks.last().is_some_and(|last| last.len() < block_len);
    if !ends_short && !defects.has(ServerDefect::NoEmptyFinal) {
        blocks.push(len..len);
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(len: usize, defects: &[ServerDefect]) -> Vec<usize> {
        let blocks = plan(len, &Defects::new(defects));
        // The ranges tile the file exactly, in order.
        let mut next = 0;
        for block in &blocks {
            assert_eq!(block.start, next, "{blocks:?}");
            next = block.end;
        }
        assert_eq!(next, len, "{blocks:?}");
        blocks.iter().map(Range::len).collect()
    }

    #[test]
    fn textbook_blocks_end_with_a_short_one() {
        assert_eq!(sizes(0, &[]), [0]);
        assert_eq!(sizes(1, &[]), [1]);
        assert_eq!(sizes(2047, &[]), [2047]);
        assert_eq!(sizes(2048, &[]), [2048, 0]);
        assert_eq!(sizes(2049, &[]), [2048, 1]);
        assert_eq!(sizes(4096, &[]), [2048, 2048, 0]);
        assert_eq!(sizes(1 << 20, &[]).len(), 513);
    }

    #[test]
    fn no_empty_final_drops_only_the_empty_block() {
        let defect = [ServerDefect::NoEmptyFinal];
        assert_eq!(sizes(0, &defect), [0; 0]);
        assert_eq!(sizes(1, &defect), [1]);
        assert_eq!(sizes(2047, &defect), [2047]);
        assert_eq!(sizes(2048, &defect), [2048]);
        assert_eq!(sizes(2049, &defect), [2048, 1]);
        assert_eq!(sizes(4096, &defect), [2048, 2048]);
    }

    #[test]
    fn chunk_1024_halves_the_blocks() {
        let defect = [ServerDefect::Chunk1024];
        assert_eq!(sizes(0, &defect), [0]);
        assert_eq!(sizes(1, &defect), [1]);
        assert_eq!(sizes(2047, &defect), [1024, 1023]);
        assert_eq!(sizes(2048, &defect), [1024, 1024, 0]);
        assert_eq!(sizes(2049, &defect), [1024, 1024, 1]);
        assert_eq!(sizes(4096, &defect), [1024, 1024, 1024, 1024, 0]);
    }

    #[test]
    fn both_defects_combine() {
        let defects = [ServerDefect::Chunk1024, ServerDefect::NoEmptyFinal];
        assert_eq!(sizes(2048, &defects), [1024, 1024]);
        assert_eq!(sizes(2049, &defects), [1024, 1024, 1]);
    }
}
