//! Splitting one output stream into lines within a cap on the memory they take: each
//! kept line pays its text and the record that holds it from the cap (or takes a place
//! for its record paid for earlier, see [`LineSplitter::grant`]), and no line is buffered
//! past what the cap could still keep of it.

use crate::evidence::Line;

/// What each kept line costs beyond its text: the record that holds it (its time, its
/// stream and its text's pointer, length and capacity). A program printing empty lines
/// would otherwise have 4 MiB of newlines kept as 4 million records of 48 bytes each.
pub(crate) const LINE_RECORD: usize = std::mem::size_of::<Line>();

/// One finished line: what was kept of it (if anything) and how many bytes were not.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct LineEnd {
    pub(crate) kept: Option<Vec<u8>>,
    pub(crate) dropped: u64,
    /// The newline that ended a line kept whole (not counted in `dropped`).
    pub(crate) newline: u64,
    /// The line took a place paid for earlier instead of paying for its record.
    pub(crate) placed: bool,
}

/// Splits bytes into `\n`-terminated lines, keeping lines while they fit in `budget`
/// bytes of memory (each costs its text and `line_record`) and never buffering more than
/// that of a single line.
#[derive(Debug)]
pub(crate) struct LineSplitter {
    budget: usize,
    line_record: usize,
    pending: Vec<u8>,
    /// Bytes of the current line that did not fit.
    overflow: u64,
    /// A line did not fit: from then on everything is only counted.
    exhausted: bool,
    /// Places for records already paid for, which the next lines take first.
    places: usize,
}

impl LineSplitter {
    pub(crate) fn new(budget: usize, line_record: usize) -> Self {
        LineSplitter {
            budget,
            line_record,
            pending: Vec::new(),
            overflow: 0,
            exhausted: false,
            places: 0,
        }
    }

    pub(crate) fn push(&mut self, mut data: &[u8], ended: &mut Vec<LineEnd>) {
        if self.exhausted {
            // Past the cap nothing is kept, so lines need not be found: the bytes are
            // counted in one go. A program printing as fast as it can (a flood of output)
            // then costs the grader a read and an addition per buffer, not a scan.
            if !data.is_empty() {
                ended.push(LineEnd {
                    kept: None,
                    dropped: data.len() as u64,
                    newline: 0,
                    placed: false,
                });
            }
            return;
        }
        while !data.is_empty() {
            let (segment, terminated) = match data.iter().position(|&byte| byte == b'\n') {
                Some(newline) => {
                    let segment = &data[..newline];
                    data = &data[newline + 1..];
                    (segment, true)
                }
                None => (std::mem::take(&mut data), false),
            };
            let room = self
                .budget
                .saturating_sub(self.record_cost() + self.pending.len());
            let kept = segment.len().min(room);
            self.pending.extend_from_slice(&segment[..kept]);
            self.overflow += (segment.len() - kept) as u64;
            if terminated {
                ended.push(self.end_line(1));
            }
        }
    }

    /// The unterminated last line, if the stream ended in the middle of one.
    pub(crate) fn finish(&mut self) -> Option<LineEnd> {
        if self.pending.is_empty() && self.overflow == 0 {
            return None;
        }
        Some(self.end_line(0))
    }

    /// What the cap can still pay for.
    pub(crate) fn budget(&self) -> usize {
        self.budget
    }

    /// Pays `bytes` from the cap when it can (true).
    pub(crate) fn spend(&mut self, bytes: usize) -> bool {
        match self.budget.checked_sub(bytes) {
            Some(left) => {
                self.budget = left;
                true
            }
            None => false,
        }
    }

    /// Adds `places` for records, paid for (with [`LineSplitter::spend`]) by whoever
    /// stores the lines: the next lines take them instead of paying for their records.
    pub(crate) fn grant(&mut self, places: usize) {
        self.places += places;
    }

    /// What the next line pays for its record.
    fn record_cost(&self) -> usize {
        if self.places > 0 { 0 } else { self.line_record }
    }

    fn end_line(&mut self, terminator: u64) -> LineEnd {
        let content = self.pending.len();
        let cost = self.record_cost() + content;
        let placed = self.places > 0;
        let pending = std::mem::take(&mut self.pending);
        let overflow = std::mem::take(&mut self.overflow);
        let whole = overflow == 0;
        // A line reaching past the cap keeps its beginning (when there is room for its
        // record); the rest and everything after it are only counted.
        let kept = cost <= self.budget && (whole || content > 0);
        if kept {
            self.budget -= cost;
            self.places -= usize::from(placed);
        }
        if !(whole && kept) {
            self.budget = 0;
            self.exhausted = true;
        }
        let unkept = if kept { 0 } else { content as u64 };
        LineEnd {
            kept: kept.then_some(pending),
            dropped: overflow + unkept + if whole && kept { 0 } else { terminator },
            newline: if whole && kept { terminator } else { 0 },
            placed: kept && placed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits with no cost per line, so budgets count text alone.
    fn split(budget: usize, chunks: &[&[u8]]) -> Vec<LineEnd> {
        split_with_records(budget, 0, chunks)
    }

    fn split_with_records(budget: usize, line_record: usize, chunks: &[&[u8]]) -> Vec<LineEnd> {
        let mut splitter = LineSplitter::new(budget, line_record);
        let mut ended = Vec::new();
        for chunk in chunks {
            splitter.push(chunk, &mut ended);
        }
        ended.extend(splitter.finish());
        ended
    }

    fn kept(text: &str) -> LineEnd {
        LineEnd {
            kept: Some(text.as_bytes().to_vec()),
            dropped: 0,
            newline: 1,
            placed: false,
        }
    }

    #[test]
    fn lines_split_across_chunks_are_joined() {
        let ended = split(100, &[b"hel", b"lo\nwor", b"ld\n\nlast"]);
        assert_eq!(
            ended,
            vec![
                kept("hello"),
                kept("world"),
                kept(""),
                LineEnd {
                    newline: 0,
                    ..kept("last")
                },
            ]
        );
    }

    #[test]
    fn the_cap_keeps_a_prefix_and_counts_the_rest() {
        let ended = split(9, &[b"12345\n67890\nabc\n", b"\n"]);
        assert_eq!(
            ended,
            vec![
                kept("12345"),
                LineEnd {
                    kept: Some(b"6789".to_vec()),
                    dropped: 2,
                    newline: 0,
                    placed: false,
                },
                LineEnd {
                    kept: None,
                    dropped: 4,
                    newline: 0,
                    placed: false,
                },
                LineEnd {
                    kept: None,
                    dropped: 1,
                    newline: 0,
                    placed: false,
                },
            ]
        );
    }

    #[test]
    fn past_the_cap_a_whole_buffer_is_counted_at_once() {
        let ended = split(3, &[b"ab\ncdef\n", b"1\n2\n3\n", b"", b"tail"]);
        assert_eq!(
            ended,
            vec![
                kept("ab"),
                LineEnd {
                    kept: Some(b"c".to_vec()),
                    dropped: 4,
                    newline: 0,
                    placed: false,
                },
                LineEnd {
                    kept: None,
                    dropped: 6,
                    newline: 0,
                    placed: false,
                },
                LineEnd {
                    kept: None,
                    dropped: 4,
                    newline: 0,
                    placed: false,
                },
            ]
        );
    }

    /// Each kept line costs its record: a flood of empty lines keeps as many as the
    /// records fit in the cap, not one per byte of the cap (which kept 4 million records,
    /// 200 MB, for a 4 MiB cap).
    #[test]
    fn each_kept_line_pays_for_its_record() {
        let newlines = vec![b'\n'; 10_000];
        let ended = split_with_records(1000, LINE_RECORD, &[&newlines]);
        let kept = ended.iter().filter(|line| line.kept.is_some()).count();
        assert_eq!(kept, 1000 / LINE_RECORD);
        let dropped: u64 = ended.iter().map(|line| line.dropped).sum();
        assert_eq!(dropped, (10_000 - kept) as u64);
        // A line of text pays for its record and its bytes; a prefix is kept only when
        // its record fits too.
        let ended = split_with_records(LINE_RECORD + 3, LINE_RECORD, &[b"abcdef\nxyz\n"]);
        assert_eq!(
            ended,
            vec![
                LineEnd {
                    kept: Some(b"abc".to_vec()),
                    dropped: 4,
                    newline: 0,
                    placed: false,
                },
                LineEnd {
                    kept: None,
                    dropped: 4,
                    newline: 0,
                    placed: false,
                },
            ]
        );
    }

    #[test]
    fn a_huge_line_is_never_buffered_whole() {
        let mut splitter = LineSplitter::new(16, 0);
        let mut ended = Vec::new();
        for _ in 0..1000 {
            splitter.push(&[b'x'; 1000], &mut ended);
            assert!(splitter.pending.len() <= 16);
        }
        splitter.push(b"\nmore\n", &mut ended);
        assert_eq!(ended.len(), 2);
        assert_eq!(ended[0].kept.as_deref(), Some(&[b'x'; 16][..]));
        assert_eq!(ended[0].dropped, 1_000_000 - 16 + 1);
        assert_eq!(ended[1].dropped, 5);
    }
}
