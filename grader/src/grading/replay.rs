//! The `grader check` command line that grades again as a grading did, which every report
//! prints under a failure: pasted into a shell from the same directory, it runs the same
//! programs (their files, arguments or commands), the same case file, seed and mode.
//!
//! It is made from the words the grading was given, not rebuilt from what the grading
//! resolved them to: a case file is named by the path it was given (its `name:` would be
//! taken for a built-in case), and a program by the path it was given. Each word is
//! shell-quoted, so a path with spaces or a template with `{port}` survives the paste.

/// How to run a grading again: the words of its command line, `grader check` first,
/// without `--scenario` (each failure adds its own).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replay {
    words: Vec<String>,
}

impl Replay {
    /// `grader check CASE`, the case as it was given (a built-in name or a file's path).
    pub fn new(case: &str) -> Replay {
        Replay {
            words: vec!["grader".to_owned(), "check".to_owned(), case.to_owned()],
        }
    }

    /// Adds `--flag value`.
    pub fn option(mut self, flag: &str, value: impl Into<String>) -> Replay {
        self.words.push(flag.to_owned());
        self.words.push(value.into());
        self
    }

    /// Adds `--flag value` when there is a value.
    pub fn option_if(self, flag: &str, value: Option<impl Into<String>>) -> Replay {
        match value {
            Some(value) => self.option(flag, value),
            None => self,
        }
    }

    /// The command line for the whole grading, shell-quoted.
    pub fn command(&self) -> String {
        quoted(self.words.iter().map(String::as_str))
    }

    /// The command line that grades only the run `key` (`lossy-soak#2`), shell-quoted.
    pub fn command_for(&self, key: &str) -> String {
        let scenario = ["--scenario", key];
        quoted(self.words.iter().map(String::as_str).chain(scenario))
    }
}

/// The words joined with spaces, each quoted for a POSIX shell where it needs to be.
fn quoted<'a>(words: impl Iterator<Item = &'a str>) -> String {
    words
        .map(|word| match shlex::try_quote(word) {
            Ok(quoted) => quoted.into_owned(),
            // Only a NUL byte cannot be quoted, and no argument can hold one: the word
            // could not have been given to the grader in the first place.
            Err(_) => word.replace('\0', ""),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_that_need_quotes_get_them_and_split_back_as_given() {
        let replay = Replay::new("my cases/rdt3.yaml")
            .option("--client", "sub mission/UDP_Client.py")
            .option("--server-cmd", "python3 'srv.py' {port}")
            .option("--seed", "42")
            .option_if("--budget", None::<String>)
            .option_if("--mode", Some("relay"));
        let line = replay.command_for("lossy-soak#2");
        assert_eq!(
            shlex::split(&line).unwrap(),
            [
                "grader",
                "check",
                "my cases/rdt3.yaml",
                "--client",
                "sub mission/UDP_Client.py",
                "--server-cmd",
                "python3 'srv.py' {port}",
                "--seed",
                "42",
                "--mode",
                "relay",
                "--scenario",
                "lossy-soak#2",
            ]
        );
        assert!(
            line.starts_with("grader check 'my cases/rdt3.yaml' --client "),
            "{line}"
        );
    }

    #[test]
    fn plain_words_are_left_as_they_are() {
        let replay = Replay::new("rdt3").option("--seed", "7");
        assert_eq!(replay.command(), "grader check rdt3 --seed 7");
        assert_eq!(
            replay.command_for("no-loss"),
            "grader check rdt3 --seed 7 --scenario no-loss"
        );
    }
}
