//! Decoding the client's upload stream: each file a 4-byte big-endian line count, then
//! that many lines ended by `\n`; a zero count ends the upload.

/// One file as it appeared in the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedFile {
    /// The count as sent.
    pub count: u32,
    /// Each line without its `\n`.
    pub lines: Vec<Vec<u8>>,
    /// The offset just past the file's last byte.
    pub end: u64,
}

/// The stream decoded as far as it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub files: Vec<DecodedFile>,
    /// Why decoding stopped before a zero-line file, if it did.
    pub problem: Option<StreamProblem>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamProblem {
    /// The stream ended inside a count.
    CountCut { file: usize, bytes: usize },
    /// The stream ended before the count's lines were all there.
    LinesCut {
        file: usize,
        count: u32,
        complete_lines: usize,
    },
    /// The stream ended (or the relay stopped looking) with no zero-line file.
    NoEnd,
    /// Bytes came after the zero-line file.
    TrailingBytes { bytes: u64 },
}

/// Decodes `stream`.
pub fn decode(stream: &[u8]) -> Decoded {
    let mut files = Vec::new();
    let mut at = 0usize;
    loop {
        let index = files.len() + 1;
        if at == stream.len() {
            return Decoded {
                files,
                problem: Some(StreamProblem::NoEnd),
            };
        }
        let Some(count_bytes) = stream.get(at..at + 4) else {
            return Decoded {
                files,
                problem: Some(StreamProblem::CountCut {
                    file: index,
                    bytes: stream.len() - at,
                }),
            };
        };
        let count = u32::from_be_bytes([
            count_bytes[0],
            count_bytes[1],
            count_bytes[2],
            count_bytes[3],
        ]);
        at += 4;
        let mut lines = Vec::new();
        while lines.len() < count as usize {
            match stream[at..].iter().position(|&byte| byte == b'\n') {
                Some(length) => {
                    lines.push(stream[at..at + length].to_vec());
                    at += length + 1;
                }
                None => {
                    return Decoded {
                        files,
                        problem: Some(StreamProblem::LinesCut {
                            file: index,
                            count,
                            complete_lines: lines.len(),
                        }),
                    };
                }
            }
        }
        files.push(DecodedFile {
            count,
            lines,
            end: at as u64,
        });
        if count == 0 {
            let trailing = (stream.len() - at) as u64;
            return Decoded {
                files,
                problem: (trailing > 0).then_some(StreamProblem::TrailingBytes { bytes: trailing }),
            };
        }
    }
}

/// Encodes `files` and the zero-line file as a correct client sends them.
pub fn encode(files: &[Vec<String>]) -> Vec<u8> {
    let mut stream = Vec::new();
    for file in files {
        stream.extend_from_slice(&(file.len() as u32).to_be_bytes());
        for line in file {
            stream.extend_from_slice(line.as_bytes());
            stream.push(b'\n');
        }
    }
    stream.extend_from_slice(&0u32.to_be_bytes());
    stream
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_encoded_upload_decodes_back() {
        let files = vec![vec!["a".to_owned(), "bc".to_owned()], vec!["d".to_owned()]];
        let decoded = decode(&encode(&files));
        assert_eq!(decoded.problem, None);
        assert_eq!(decoded.files.len(), 3);
        assert_eq!(decoded.files[0].lines, [b"a".to_vec(), b"bc".to_vec()]);
        assert_eq!(decoded.files[0].end, 4 + 5);
        assert_eq!(decoded.files[2].count, 0);
    }

    #[test]
    fn every_way_a_stream_stops_short_is_named() {
        assert_eq!(decode(b"").problem, Some(StreamProblem::NoEnd));
        assert_eq!(
            decode(b"\0\0").problem,
            Some(StreamProblem::CountCut { file: 1, bytes: 2 })
        );
        assert_eq!(
            decode(b"\0\0\0\x02one\ntw").problem,
            Some(StreamProblem::LinesCut {
                file: 1,
                count: 2,
                complete_lines: 1
            })
        );
        assert_eq!(
            decode(b"\0\0\0\0x").problem,
            Some(StreamProblem::TrailingBytes { bytes: 1 })
        );
    }
}
