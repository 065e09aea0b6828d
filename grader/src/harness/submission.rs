//! A student's submission file: how to run it, and a private copy of it to run.
//!
//! Students hand in scripts in whatever state their editor left them — a `#!` line written
//! on another machine, Windows line endings, no execute bit — so the command is worked out
//! from the file rather than by executing it blindly. Each program of each scenario then
//! runs in a fresh copy of the submission's directory, so files it writes can never be
//! confused with (or overwrite) the originals, and one scenario cannot leave files for the
//! next.

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use thiserror::Error;

/// The most a submission's directory may hold; a submission is a few scripts, and a
/// directory much larger than this is a home directory handed in by mistake.
pub const STAGE_SIZE_LIMIT: u64 = 64 << 20;

/// The most files and directories a submission's directory may hold, for the same reason.
pub const STAGE_ENTRY_LIMIT: usize = 10_000;

/// Directories never copied: version control and caches the program does not need.
const SKIPPED_DIRECTORIES: [&str; 2] = [".git", "__pycache__"];

/// Why a submission cannot be run or staged.
#[derive(Debug, Error)]
pub enum SubmissionError {
    #[error("submission file {} does not exist", path.display())]
    Missing { path: PathBuf },
    #[error(
        "submission {} is a directory; name the program file in it, or give the command \
         that runs it with --client-cmd or --server-cmd",
        path.display()
    )]
    IsDirectory { path: PathBuf },
    #[error("submission directory {} is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    #[error("cannot read submission file {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: io::Error },
    #[error("submission path {} is not valid UTF-8", path.display())]
    NotUtf8 { path: PathBuf },
    #[error("submission file {} has a `#!` line that names no interpreter", path.display())]
    EmptyShebang { path: PathBuf },
    #[error(
        "submission file {} is not executable and has no #! line; \
         pass --client-cmd or --server-cmd with the full command line",
        path.display()
    )]
    NotRunnable { path: PathBuf },
    #[error(
        "submission directory {} holds more than {limit}; \
         put the submission in a directory of its own",
        dir.display()
    )]
    TooLarge { dir: PathBuf, limit: String },
    #[error(
        "{} is a symbolic link to {}, outside the submission directory {}",
        link.display(), target.display(), dir.display()
    )]
    SymlinkOutside {
        link: PathBuf,
        target: PathBuf,
        dir: PathBuf,
    },
    #[error("{} is a symbolic link that leads nowhere", link.display())]
    DanglingSymlink { link: PathBuf },
    #[error("staging directory {} already has files in it", path.display())]
    StagingNotEmpty { path: PathBuf },
    #[error("cannot copy {} to {}: {source}", from.display(), to.display())]
    Copy {
        from: PathBuf,
        to: PathBuf,
        source: io::Error,
    },
}

/// The command that runs the submission file at `path`: its `#!` interpreter (with the
/// line's arguments), else `python3` for a `.py` file (`.PY` too: `grader batch` finds
/// programs whatever the case of their names), else the file itself if it is
/// executable. The file's path in the command is absolute, because the program runs in a
/// directory of its own.
///
/// `#!/usr/bin/env python3` becomes `python3 FILE`, and an interpreter given by an absolute
/// path that does not exist here (`#!/opt/homebrew/bin/python3`) is looked up by name on
/// `PATH`, so a script written on another machine still runs.
pub fn interpreter_command(path: &Path) -> Result<Vec<String>, SubmissionError> {
    let metadata = fs::metadata(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => SubmissionError::Missing {
            path: path.to_path_buf(),
        },
        _ => SubmissionError::Unreadable {
            path: path.to_path_buf(),
            source,
        },
    })?;
    if metadata.is_dir() {
        return Err(SubmissionError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    if !metadata.is_file() {
        // A FIFO or device: reading its `#!` line could block forever.
        return Err(SubmissionError::NotRunnable {
            path: path.to_path_buf(),
        });
    }
    let unreadable = |source| SubmissionError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    let absolute = std::path::absolute(path).map_err(unreadable)?;
    let file = absolute
        .to_str()
        .ok_or_else(|| SubmissionError::NotUtf8 {
            path: path.to_path_buf(),
        })?
        .to_owned();

    if let Some(mut argv) = shebang(path)? {
        argv.push(file);
        return Ok(argv);
    }
    if path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("py"))
    {
        return Ok(vec!["python3".to_owned(), file]);
    }
    if metadata.permissions().mode() & 0o111 != 0 {
        return Ok(vec![file]);
    }
    Err(SubmissionError::NotRunnable {
        path: path.to_path_buf(),
    })
}

/// Copies the directory holding `submission_file` into the fresh directory `into` (created
/// if missing, refused if not empty) and returns where the file is in the copy. See
/// [`stage_directory`] for what is copied.
pub fn stage(submission_file: &Path, into: &Path) -> Result<PathBuf, SubmissionError> {
    // Resolved first, so a submission given as a link to a file elsewhere stages the
    // directory it really lives in.
    let file = canonical(submission_file)?;
    let (Some(source_dir), Some(file_name)) = (file.parent(), file.file_name()) else {
        return Err(SubmissionError::IsDirectory { path: file });
    };
    if file.is_dir() {
        return Err(SubmissionError::IsDirectory { path: file });
    }
    Ok(stage_directory(source_dir, into)?.join(file_name))
}

/// Copies the directory `source_dir` into the fresh directory `into` (created if missing,
/// refused if not empty) and returns the copy's canonical path: where a command given with
/// `--client-cmd` beside `--client DIR` runs, so that its relative paths work.
///
/// `.git` and `__pycache__` are left out, and so are sockets and FIFOs (copying a FIFO
/// would block). A symbolic link inside the directory is recreated as a relative link in
/// the copy; one pointing outside it is refused, so a submission cannot read or overwrite
/// the grader's files through a link. More than [`STAGE_SIZE_LIMIT`] bytes or
/// [`STAGE_ENTRY_LIMIT`] entries is an error.
pub fn stage_directory(source_dir: &Path, into: &Path) -> Result<PathBuf, SubmissionError> {
    let source_dir = canonical(source_dir)?;
    if !source_dir.is_dir() {
        return Err(SubmissionError::NotADirectory { path: source_dir });
    }
    let source_dir = source_dir.as_path();
    let copy_error = |from: &Path, to: &Path| {
        let (from, to) = (from.to_path_buf(), to.to_path_buf());
        move |source| SubmissionError::Copy { from, to, source }
    };
    fs::create_dir_all(into).map_err(copy_error(source_dir, into))?;
    if fs::read_dir(into)
        .map_err(copy_error(source_dir, into))?
        .next()
        .is_some()
    {
        return Err(SubmissionError::StagingNotEmpty {
            path: into.to_path_buf(),
        });
    }
    let into_canonical = into.canonicalize().map_err(copy_error(source_dir, into))?;

    let mut copier = Copier {
        root: source_dir.to_path_buf(),
        skip: into_canonical.clone(),
        bytes: 0,
        entries: 0,
    };
    copier.copy_dir(source_dir, &into_canonical)?;
    Ok(into_canonical)
}

/// `path` resolved, links and all; a path that leads nowhere is a missing submission.
fn canonical(path: &Path) -> Result<PathBuf, SubmissionError> {
    path.canonicalize().map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => SubmissionError::Missing {
            path: path.to_path_buf(),
        },
        _ => SubmissionError::Unreadable {
            path: path.to_path_buf(),
            source,
        },
    })
}

/// The interpreter argv from the file's `#!` line, or `None` if it has none.
fn shebang(path: &Path) -> Result<Option<Vec<String>>, SubmissionError> {
    let unreadable = |source| SubmissionError::Unreadable {
        path: path.to_path_buf(),
        source,
    };
    // The kernel reads at most a few hundred bytes of a `#!` line; so do we.
    let mut head = Vec::with_capacity(512);
    fs::File::open(path)
        .map_err(unreadable)?
        .take(512)
        .read_to_end(&mut head)
        .map_err(unreadable)?;
    let Some(rest) = head.strip_prefix(b"#!") else {
        return Ok(None);
    };
    let line = rest.split(|&byte| byte == b'\n').next().unwrap_or_default();
    // A script saved with Windows line endings has `python3\r` as its interpreter.
    let line = String::from_utf8_lossy(line);
    let mut words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
    if words.is_empty() {
        return Err(SubmissionError::EmptyShebang {
            path: path.to_path_buf(),
        });
    }

    // `env [-S] program args` runs `program` found on PATH; run it directly, so the
    // report shows the real command.
    if words[0].rsplit('/').next() == Some("env") {
        let mut rest: Vec<String> = words.split_off(1);
        if rest.first().is_some_and(|word| word == "-S") {
            rest.remove(0);
        }
        if rest.is_empty() || rest[0].starts_with('-') {
            // Some env option this does not understand; let env itself handle it.
            words.extend(rest);
        } else {
            words = rest;
        }
    } else if words[0].starts_with('/')
        && !Path::new(&words[0]).exists()
        && let Some(name) = words[0].rsplit('/').next().filter(|name| !name.is_empty())
    {
        words[0] = name.to_owned();
    }
    Ok(Some(words))
}

/// A recursive copy that keeps count of what it copied, so a huge directory is refused
/// part-way rather than after filling the disk.
struct Copier {
    /// The submission's directory, canonical; links may point anywhere inside it.
    root: PathBuf,
    /// The staging directory itself, which may lie inside the submission's directory.
    skip: PathBuf,
    bytes: u64,
    entries: usize,
}

impl Copier {
    fn copy_dir(&mut self, from: &Path, to: &Path) -> Result<(), SubmissionError> {
        let copy_error = |source| SubmissionError::Copy {
            from: from.to_path_buf(),
            to: to.to_path_buf(),
            source,
        };
        let mut entries = fs::read_dir(from)
            .map_err(copy_error)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(copy_error)?;
        // Sorted, so which entry trips a limit does not depend on directory order.
        entries.sort_by_key(|entry| entry.file_name());
        for entry in entries {
            let source = entry.path();
            let target = to.join(entry.file_name());
            let copy_error = |error| SubmissionError::Copy {
                from: source.clone(),
                to: target.clone(),
                source: error,
            };
            let kind = entry.file_type().map_err(copy_error)?;
            if kind.is_dir() {
                let skipped = SKIPPED_DIRECTORIES
                    .iter()
                    .any(|name| entry.file_name() == *name);
                if skipped || source == self.skip {
                    continue;
                }
                self.count(0)?;
                fs::create_dir(&target).map_err(copy_error)?;
                self.copy_dir(&source, &target)?;
            } else if kind.is_symlink() {
                self.count(0)?;
                let relative = self.link_inside(&source)?;
                std::os::unix::fs::symlink(relative, &target).map_err(copy_error)?;
            } else if kind.is_file() {
                let size = entry.metadata().map_err(copy_error)?.len();
                self.count(size)?;
                fs::copy(&source, &target).map_err(copy_error)?;
            }
        }
        Ok(())
    }

    fn count(&mut self, bytes: u64) -> Result<(), SubmissionError> {
        self.bytes += bytes;
        self.entries += 1;
        if self.bytes > STAGE_SIZE_LIMIT {
            return Err(self.too_large(format!("{} MiB", STAGE_SIZE_LIMIT >> 20)));
        }
        if self.entries > STAGE_ENTRY_LIMIT {
            return Err(self.too_large(format!("{STAGE_ENTRY_LIMIT} files")));
        }
        Ok(())
    }

    fn too_large(&self, limit: String) -> SubmissionError {
        SubmissionError::TooLarge {
            dir: self.root.clone(),
            limit,
        }
    }

    /// The target of the link at `link` as a path relative to the link's directory, if it
    /// points inside the submission's directory.
    fn link_inside(&self, link: &Path) -> Result<PathBuf, SubmissionError> {
        let target = link
            .canonicalize()
            .map_err(|_| SubmissionError::DanglingSymlink {
                link: link.to_path_buf(),
            })?;
        let outside = || SubmissionError::SymlinkOutside {
            link: link.to_path_buf(),
            target: target.clone(),
            dir: self.root.clone(),
        };
        let inside = target.strip_prefix(&self.root).map_err(|_| outside())?;
        // The walk only descends real directories from the canonical root, so the link's
        // own directory is a plain path under the root.
        let link_dir = link
            .parent()
            .and_then(|parent| parent.strip_prefix(&self.root).ok())
            .ok_or_else(outside)?;
        let mut relative = PathBuf::new();
        for component in link_dir.components() {
            if matches!(component, Component::Normal(_)) {
                relative.push("..");
            }
        }
        relative.push(inside);
        if relative.as_os_str().is_empty() {
            relative.push(".");
        }
        Ok(relative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn write(path: &Path, text: &str, mode: u32) {
        fs::write(path, text).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    fn command(path: &Path) -> Vec<String> {
        match interpreter_command(path) {
            Ok(argv) => argv,
            Err(error) => panic!("{error}"),
        }
    }

    fn display(path: &Path) -> String {
        path.to_str().unwrap().to_owned()
    }

    #[test]
    fn shebang_lines_choose_the_interpreter() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("client");
        let cases = [
            ("#!/usr/bin/env python3\nprint()\n", vec!["python3"]),
            ("#!/usr/bin/env -S python3 -u\n", vec!["python3", "-u"]),
            ("#! /bin/sh -e\r\n", vec!["/bin/sh", "-e"]),
            ("#!/usr/bin/env python3\r\n", vec!["python3"]),
            ("#!/no/such/dir/python3 -u\n", vec!["python3", "-u"]),
            (
                "#!/usr/bin/env -i python3\n",
                vec!["/usr/bin/env", "-i", "python3"],
            ),
        ];
        for (text, interpreter) in cases {
            write(&file, text, 0o644);
            let mut expected: Vec<String> = interpreter.iter().map(|w| (*w).to_owned()).collect();
            expected.push(display(&file));
            assert_eq!(command(&file), expected, "for {text:?}");
        }
    }

    #[test]
    fn python_files_without_shebang_run_with_python3() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("UDP_Client.py");
        write(&file, "print('hi')\n", 0o644);
        assert_eq!(command(&file), vec!["python3".to_owned(), display(&file)]);
    }

    #[test]
    fn executables_run_as_they_are_with_an_absolute_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.out");
        write(&file, "\u{7f}ELF...", 0o755);
        assert_eq!(command(&file), vec![display(&file)]);
        assert!(Path::new(&command(&file)[0]).is_absolute());
    }

    #[test]
    fn unrunnable_and_missing_files_are_explained() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        write(&file, "hello\n", 0o644);
        let error = interpreter_command(&file).unwrap_err();
        assert!(matches!(error, SubmissionError::NotRunnable { .. }));
        assert!(error.to_string().contains("pass --client-cmd"), "{error}");

        let missing = dir.path().join("UDP_Server.py");
        let error = interpreter_command(&missing).unwrap_err();
        assert!(error.to_string().contains("UDP_Server.py"), "{error}");

        write(&file, "#!   \n", 0o755);
        let error = interpreter_command(&file).unwrap_err();
        assert!(matches!(error, SubmissionError::EmptyShebang { .. }));
    }

    #[test]
    fn stage_copies_the_directory_without_caches() {
        let source = tempfile::tempdir().unwrap();
        let root = source.path();
        write(&root.join("UDP_Client.py"), "print()\n", 0o755);
        fs::create_dir_all(root.join("data/nested")).unwrap();
        write(&root.join("data/nested/in.txt"), "payload", 0o644);
        fs::create_dir_all(root.join(".git/objects")).unwrap();
        write(&root.join(".git/HEAD"), "ref", 0o644);
        fs::create_dir_all(root.join("__pycache__")).unwrap();
        write(&root.join("__pycache__/x.pyc"), "", 0o644);
        symlink("data/nested/in.txt", root.join("input")).unwrap();
        symlink("../..", root.join("data/nested/up")).unwrap();

        let target = tempfile::tempdir().unwrap();
        let into = target.path().join("run-1");
        let staged = stage(&root.join("UDP_Client.py"), &into).unwrap();

        let into = into.canonicalize().unwrap();
        assert_eq!(staged, into.join("UDP_Client.py"));
        assert_eq!(fs::read_to_string(&staged).unwrap(), "print()\n");
        let mode = fs::metadata(&staged).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
        assert_eq!(
            fs::read_to_string(into.join("data/nested/in.txt")).unwrap(),
            "payload"
        );
        assert!(!into.join(".git").exists());
        assert!(!into.join("__pycache__").exists());
        // Links point into the copy, not back at the originals.
        assert_eq!(
            fs::read_link(into.join("input")).unwrap(),
            Path::new("data/nested/in.txt")
        );
        assert_eq!(
            fs::read_link(into.join("data/nested/up")).unwrap(),
            Path::new("../..")
        );
        assert_eq!(into.join("data/nested/up").canonicalize().unwrap(), into);
    }

    #[test]
    fn stage_refuses_links_outside_and_full_directories() {
        let source = tempfile::tempdir().unwrap();
        let root = source.path();
        write(&root.join("client.py"), "", 0o644);
        symlink("/etc/passwd", root.join("secrets")).unwrap();
        let target = tempfile::tempdir().unwrap();
        let error = stage(&root.join("client.py"), &target.path().join("a")).unwrap_err();
        assert!(
            matches!(error, SubmissionError::SymlinkOutside { .. }),
            "{error}"
        );

        fs::remove_file(root.join("secrets")).unwrap();
        write(&root.join("client.py"), "", 0o644);
        let error = stage(&root.join("client.py"), target.path()).unwrap_err();
        assert!(
            matches!(error, SubmissionError::StagingNotEmpty { .. }),
            "{error}"
        );

        let big = fs::File::create(root.join("big.bin")).unwrap();
        big.set_len(STAGE_SIZE_LIMIT + 1).unwrap();
        let error = stage(&root.join("client.py"), &target.path().join("b")).unwrap_err();
        assert!(matches!(error, SubmissionError::TooLarge { .. }), "{error}");
        assert!(
            error.to_string().contains("directory of its own"),
            "{error}"
        );
    }

    #[test]
    fn a_directory_is_staged_whole_and_a_file_is_refused_as_one() {
        let source = tempfile::tempdir().unwrap();
        let root = source.path();
        write(&root.join("srv.py"), "print()\n", 0o644);
        fs::create_dir_all(root.join("lib")).unwrap();
        write(&root.join("lib/util.py"), "", 0o644);
        let target = tempfile::tempdir().unwrap();
        let into = target.path().join("run");
        let staged = stage_directory(root, &into).unwrap();
        assert_eq!(staged, into.canonicalize().unwrap());
        assert_eq!(
            fs::read_to_string(staged.join("srv.py")).unwrap(),
            "print()\n"
        );
        assert!(staged.join("lib/util.py").is_file());

        let error = stage_directory(&root.join("srv.py"), &target.path().join("b")).unwrap_err();
        assert!(
            matches!(error, SubmissionError::NotADirectory { .. }),
            "{error}"
        );
        let error = stage_directory(&root.join("gone"), &target.path().join("c")).unwrap_err();
        assert!(matches!(error, SubmissionError::Missing { .. }), "{error}");
    }

    #[test]
    fn stage_skips_a_staging_directory_inside_the_submission() {
        let source = tempfile::tempdir().unwrap();
        let root = source.path();
        write(&root.join("server.py"), "", 0o644);
        let into = root.join("runs/1");
        let staged = stage(&root.join("server.py"), &into).unwrap();
        assert!(staged.exists());
        assert!(!into.join("runs/1").exists());
    }
}
