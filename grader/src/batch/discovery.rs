//! Finding a student's programs in a submission directory the way students hand them in:
//! nested in a folder, with another extension, with other capitals (`Sub/udp_client.PY`).
//!
//! The case names each program by the first word of its `run` template (`UDP_Client`). A
//! file matches when its name without the extension equals that word, ignoring case; the
//! shallowest match wins, and two at the same depth are ambiguous rather than guessed at.
//! The walk skips hidden entries and macOS's `__MACOSX` debris, goes at most
//! [`MAX_DEPTH`] folders deep, and never follows a symbolic link, so nothing outside the
//! submission can be picked.

use crate::analyzer::Case;
use std::path::{Path, PathBuf};

/// How many folders below the submission a program may be (the submission's own files
/// are at depth 0).
pub const MAX_DEPTH: usize = 4;

/// What looking for one program found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Located {
    /// Exactly one shallowest match: the file's path.
    Found(PathBuf),
    /// No file is named after the program.
    NotFound { program: String },
    /// Several matches at the shallowest depth; which one the student meant is theirs to say.
    Ambiguous {
        program: String,
        candidates: Vec<PathBuf>,
    },
}

impl Located {
    /// The file, when exactly one was found.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Located::Found(file) => Some(file),
            Located::NotFound { .. } | Located::Ambiguous { .. } => None,
        }
    }

    /// Why no file can be used, in words for the grades (`None` when one was found).
    pub fn problem(&self, submission: &Path) -> Option<String> {
        match self {
            Located::Found(_) => None,
            Located::NotFound { program } => Some(format!(
                "not found: no file named {program} (any extension, any case, at most \
                 {MAX_DEPTH} folders deep)"
            )),
            Located::Ambiguous {
                program,
                candidates,
            } => {
                let names: Vec<String> = candidates
                    .iter()
                    .map(|candidate| {
                        candidate
                            .strip_prefix(submission)
                            .unwrap_or(candidate)
                            .display()
                            .to_string()
                    })
                    .collect();
                Some(format!(
                    "several candidates for {program}: {}",
                    names.join(", ")
                ))
            }
        }
    }
}

/// Looks for `program` under `submission` (see the module's doc).
pub fn locate(submission: &Path, program: &str) -> Located {
    choose(program, &walk(submission))
}

/// Where a submission's client and server are, as the case names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocatedPrograms {
    pub client: Located,
    pub server: Located,
}

/// Looks for both of `case`'s programs under `submission`.
pub fn locate_programs(case: &Case, submission: &Path) -> LocatedPrograms {
    let find = |run: &str| locate(submission, program_name(run).unwrap_or(run));
    LocatedPrograms {
        client: find(&case.programs.client.run),
        server: find(&case.programs.server.run),
    }
}

/// The name a `run` template gives its program: its first word (`UDP_Client` of
/// `UDP_Client {host} {port}`).
pub fn program_name(run_template: &str) -> Option<&str> {
    run_template.split_whitespace().next()
}

/// One file the walk saw: its path and how many folders below the submission it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub path: PathBuf,
    pub depth: usize,
}

/// Picks `program`'s file among the walked `files`: the shallowest whose name without
/// extension is `program`, ignoring case.
pub fn choose(program: &str, files: &[Candidate]) -> Located {
    let mut matching: Vec<&Candidate> = files
        .iter()
        .filter(|file| {
            file.path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .is_some_and(|stem| stem.eq_ignore_ascii_case(program))
        })
        .collect();
    let Some(shallowest) = matching.iter().map(|file| file.depth).min() else {
        return Located::NotFound {
            program: program.to_owned(),
        };
    };
    matching.retain(|file| file.depth == shallowest);
    let mut candidates: Vec<PathBuf> = matching.iter().map(|file| file.path.clone()).collect();
    candidates.sort();
    if candidates.len() == 1 {
        Located::Found(candidates.remove(0))
    } else {
        Located::Ambiguous {
            program: program.to_owned(),
            candidates,
        }
    }
}

/// The regular files under `submission` a program may be, as [`choose`] takes them.
/// Unreadable folders are passed over: a submission's odd permissions are its own problem,
/// reported as a program not found.
pub fn walk(submission: &Path) -> Vec<Candidate> {
    let mut found = Vec::new();
    let mut folders = vec![(submission.to_path_buf(), 0)];
    while let Some((folder, depth)) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "__MACOSX" {
                continue;
            }
            // `file_type` does not follow links: a link is neither a file nor a folder here.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_file() {
                found.push(Candidate {
                    path: entry.path(),
                    depth,
                });
            } else if kind.is_dir() && depth < MAX_DEPTH {
                folders.push((entry.path(), depth + 1));
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: &str, depth: usize) -> Candidate {
        Candidate {
            path: PathBuf::from(path),
            depth,
        }
    }

    #[test]
    fn a_name_matches_whatever_its_case_and_extension() {
        let files = [at("s/README.md", 0), at("s/udp_client.PY", 0)];
        assert_eq!(
            choose("UDP_Client", &files),
            Located::Found(PathBuf::from("s/udp_client.PY"))
        );
    }

    #[test]
    fn a_nested_file_is_found_and_the_shallowest_wins() {
        let nested = [at("s/a/b/UDP_Server.py", 2)];
        assert_eq!(
            choose("UDP_Server", &nested),
            Located::Found(PathBuf::from("s/a/b/UDP_Server.py"))
        );
        let both = [at("s/old/UDP_Server.py", 1), at("s/UDP_Server.py", 0)];
        assert_eq!(
            choose("UDP_Server", &both),
            Located::Found(PathBuf::from("s/UDP_Server.py"))
        );
    }

    #[test]
    fn two_at_the_same_depth_are_ambiguous_and_named() {
        let files = [at("s/b/UDP_Client.py", 1), at("s/a/udp_client.c", 1)];
        let located = choose("UDP_Client", &files);
        assert_eq!(
            located,
            Located::Ambiguous {
                program: "UDP_Client".to_owned(),
                candidates: vec![
                    PathBuf::from("s/a/udp_client.c"),
                    PathBuf::from("s/b/UDP_Client.py")
                ],
            }
        );
        assert_eq!(
            located.problem(Path::new("s")).as_deref(),
            Some("several candidates for UDP_Client: a/udp_client.c, b/UDP_Client.py")
        );
    }

    #[test]
    fn a_missing_program_says_what_was_looked_for() {
        let files = [at("s/UDP_Clients.py", 0), at("s/client.py", 0)];
        let located = choose("UDP_Client", &files);
        assert_eq!(
            located,
            Located::NotFound {
                program: "UDP_Client".to_owned()
            }
        );
        assert!(
            located
                .problem(Path::new("s"))
                .is_some_and(|problem| problem.contains("no file named UDP_Client"))
        );
    }

    #[test]
    fn the_walk_skips_hidden_entries_macos_debris_links_and_deep_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |relative: &str| {
            let path = root.join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        };
        write("Sub/udp_client.PY");
        write(".git/UDP_Client.py");
        write("__MACOSX/Sub/UDP_Server.py");
        write("a/b/c/d/e/UDP_Server.py");
        std::os::unix::fs::symlink(root.join("Sub"), root.join("link")).unwrap();
        let walked = walk(root);
        assert_eq!(
            locate(root, "UDP_Client"),
            Located::Found(root.join("Sub/udp_client.PY"))
        );
        assert!(matches!(
            locate(root, "UDP_Server"),
            Located::NotFound { .. }
        ));
        assert_eq!(walked.len(), 1, "{walked:?}");
    }

    #[test]
    fn the_program_is_the_first_word_of_its_template() {
        assert_eq!(program_name("UDP_Client {host} {port}"), Some("UDP_Client"));
        assert_eq!(program_name("  "), None);
    }
}
