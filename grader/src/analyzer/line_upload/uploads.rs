//! The files a line-upload scenario types into the client, and the keystrokes that type
//! them: each file's line count, its lines, then "another?" or "finish".

use crate::analyzer::line_upload::UploadAnswers;
use crate::case::{GeneratedLines, UploadFile};
use crate::link::seed::labelled_rng;
use rand::RngExt;

/// The scenario's files as lists of lines, generated lines made from the run's seed.
pub fn files(seed: u64, scenario_key: &str, upload: &[UploadFile]) -> Vec<Vec<String>> {
    let mut rng = labelled_rng(seed, scenario_key, "upload");
    upload
        .iter()
        .map(|file| match (&file.lines, file.generate) {
            (Some(lines), _) => lines.clone(),
            (None, Some(GeneratedLines { count, length })) => (0..count)
                .map(|_| {
                    let mut line = String::with_capacity(length);
                    while line.len() < length {
                        // Words of letters and digits, one space between them, never a
                        // space at either end.
                        let at_edge = line.is_empty() || line.len() + 1 == length;
                        if !at_edge && !line.ends_with(' ') && rng.random_range(0..6) == 0 {
                            line.push(' ');
                        } else {
                            const ALPHABET: &[u8] =
                                b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
                            line.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
                        }
                    }
                    line
                })
                .collect(),
            (None, None) => Vec::new(),
        })
        .collect()
}

/// What the grader types, one entry per prompt, to upload `files` and then finish.
pub fn keystrokes(files: &[Vec<String>], answers: &UploadAnswers) -> Vec<String> {
    if files.is_empty() {
        return vec![answers.quit_at_once.clone()];
    }
    let mut typed = Vec::new();
    for (index, file) in files.iter().enumerate() {
        typed.push(file.len().to_string());
        typed.extend(file.iter().cloned());
        let last = index + 1 == files.len();
        typed.push(if last {
            answers.finish.clone()
        } else {
            answers.another.clone()
        });
    }
    typed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers() -> UploadAnswers {
        UploadAnswers {
            another: "y".to_owned(),
            finish: "n".to_owned(),
            quit_at_once: "0".to_owned(),
        }
    }

    #[test]
    fn two_files_are_typed_as_counts_lines_and_answers() {
        let files = vec![vec!["a".to_owned(), "b".to_owned()], vec!["c".to_owned()]];
        assert_eq!(
            keystrokes(&files, &answers()),
            ["2", "a", "b", "y", "1", "c", "n"]
        );
        assert_eq!(keystrokes(&[], &answers()), ["0"]);
    }

    #[test]
    fn generated_lines_have_the_length_asked_for_and_follow_the_seed() {
        let upload = [UploadFile {
            lines: None,
            generate: Some(GeneratedLines {
                count: 50,
                length: 40,
            }),
        }];
        let one = files(3, "thousand-lines", &upload);
        assert_eq!(one, files(3, "thousand-lines", &upload));
        assert_ne!(one, files(4, "thousand-lines", &upload));
        for line in &one[0] {
            assert_eq!(line.len(), 40);
            assert!(!line.starts_with(' ') && !line.ends_with(' ') && !line.contains("  "));
            assert!(line.bytes().all(|b| b == b' ' || b.is_ascii_alphanumeric()));
        }
    }
}
