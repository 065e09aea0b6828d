//! The program a case's template names (`UDP_Server` of `UDP_Server {port}`), found in a
//! built submission: an executable of that name (what `make`, `go build`, `cargo` or
//! CMake made), else a Java class of that name, run with `java -cp`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// How deep below the build's top a program is looked for (`build/`, `target/release/`,
/// `bin/`, a package's folders).
const SEARCH_DEPTH: usize = 4;

/// Why the program a template names is not in the build's output.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LocateError {
    #[error(
        "the build made no executable and no Java class named `{program}` (looked in {} \
         and {SEARCH_DEPTH} folders down)",
        dir.display()
    )]
    NotBuilt { program: String, dir: PathBuf },
}

/// The argv that runs `program` from the built directory `dir` (absolute paths, so it
/// runs from any working directory): the shallowest executable file named `program`
/// (ignoring case), else `java -cp ROOT [PACKAGE.]program` for the shallowest
/// `program.class`.
pub fn program_command(dir: &Path, program: &str) -> Result<Vec<String>, LocateError> {
    let mut files = Vec::new();
    walk(dir, 0, &mut files);
    // Shallowest first, then by path, so the choice does not depend on directory order.
    files.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    let executable = files.iter().find(|(path, _)| {
        path.file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.eq_ignore_ascii_case(program))
            && fs::metadata(path).is_ok_and(|meta| meta.permissions().mode() & 0o111 != 0)
    });
    if let Some((path, _)) = executable {
        return Ok(vec![path.display().to_string()]);
    }
    let class_name = format!("{program}.class");
    let class = files
        .iter()
        .find(|(path, _)| path.file_name().is_some_and(|name| *name == *class_name));
    if let Some((path, _)) = class {
        return Ok(java_command(dir, path, program, &files));
    }
    Err(LocateError::NotBuilt {
        program: program.to_owned(),
        dir: dir.to_path_buf(),
    })
}

/// `java -cp ROOT NAME` for the class file `class`: when its source declares a package
/// (`package rdt;`), ROOT is the folder that holds the package's folders and NAME is
/// qualified, as `java` requires; else ROOT is the class's own folder.
fn java_command(
    dir: &Path,
    class: &Path,
    program: &str,
    files: &[(PathBuf, usize)],
) -> Vec<String> {
    let class_dir = class.parent().unwrap_or(dir);
    let source_name = format!("{program}.java");
    let package = files
        .iter()
        .find(|(path, _)| path.file_name().is_some_and(|name| *name == *source_name))
        .and_then(|(path, _)| fs::read_to_string(path).ok())
        .and_then(|text| declared_package(&text));
    let (root, name) = match package {
        Some(package) => {
            let depth = package.split('.').count();
            let root = class_dir.ancestors().nth(depth).unwrap_or(dir);
            (root.to_path_buf(), format!("{package}.{program}"))
        }
        None => (class_dir.to_path_buf(), program.to_owned()),
    };
    vec![
        "java".to_owned(),
        "-cp".to_owned(),
        root.display().to_string(),
        name,
    ]
}

/// The package a Java source declares (`package a.b;` on a line of its own), if any.
fn declared_package(source: &str) -> Option<String> {
    source.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("package ")?;
        let name = rest.trim().strip_suffix(';')?.trim();
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '_' || c == '$');
        valid.then(|| name.to_owned())
    })
}

/// Every regular file under `dir`, with its depth, down to [`SEARCH_DEPTH`]; links are
/// not followed.
fn walk(dir: &Path, depth: usize, files: &mut Vec<(PathBuf, usize)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && depth < SEARCH_DEPTH {
            walk(&entry.path(), depth + 1, files);
        } else if kind.is_file() {
            files.push((entry.path(), depth));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, relative: &str, text: &str, mode: u32) {
        let path = dir.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn an_executable_of_the_templates_name_is_run_and_its_source_is_not() {
        let dir = tempfile::tempdir().unwrap();
        file(dir.path(), "UDP_Server.c", "int main;", 0o644);
        file(dir.path(), "build/udp_server", "", 0o755);
        let argv = program_command(dir.path(), "UDP_Server").unwrap();
        assert_eq!(
            argv,
            [dir.path().join("build/udp_server").display().to_string()]
        );
    }

    #[test]
    fn a_java_class_runs_with_its_class_path_and_package() {
        let dir = tempfile::tempdir().unwrap();
        file(dir.path(), "Server.class", "", 0o644);
        let argv = program_command(dir.path(), "Server").unwrap();
        let root = dir.path().display().to_string();
        assert_eq!(argv, ["java", "-cp", root.as_str(), "Server"]);

        let packaged = tempfile::tempdir().unwrap();
        file(
            packaged.path(),
            "src/lab/Server.java",
            "package lab;\nclass Server {}",
            0o644,
        );
        file(packaged.path(), "src/lab/Server.class", "", 0o644);
        let argv = program_command(packaged.path(), "Server").unwrap();
        let root = packaged.path().join("src").display().to_string();
        assert_eq!(argv, ["java", "-cp", root.as_str(), "lab.Server"]);
    }

    #[test]
    fn a_build_that_made_nothing_of_that_name_says_so() {
        let dir = tempfile::tempdir().unwrap();
        file(dir.path(), "UDP_Client", "", 0o755);
        let error = program_command(dir.path(), "UDP_Server").unwrap_err();
        assert!(error.to_string().contains("`UDP_Server`"), "{error}");
    }
}
