//! Which build a submission's directory asks for, read from the files at its top: a
//! `Makefile`, a `CMakeLists.txt`, a `go.mod`, a `Cargo.toml` or `*.java` files, and the
//! command that builds each when neither the case nor `--build-cmd` gives one.

use std::path::Path;

/// How a submission's directory is built, by the build file found at its top.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildSystem {
    Make,
    CMake,
    Go,
    Cargo,
    /// Java sources and no build file: compiled with `javac`.
    Javac,
}

impl BuildSystem {
    /// The build `dir` asks for, by the first build file found at its top, in this order:
    /// a `Makefile` (which may drive any of the others), `CMakeLists.txt`, `go.mod`,
    /// `Cargo.toml`, then any `*.java`. `None` for a directory of scripts.
    pub fn detect(dir: &Path) -> Option<BuildSystem> {
        let has = |name: &str| dir.join(name).is_file();
        if has("Makefile") || has("makefile") || has("GNUmakefile") {
            return Some(BuildSystem::Make);
        }
        if has("CMakeLists.txt") {
            return Some(BuildSystem::CMake);
        }
        if has("go.mod") {
            return Some(BuildSystem::Go);
        }
        if has("Cargo.toml") {
            return Some(BuildSystem::Cargo);
        }
        let java = std::fs::read_dir(dir).ok()?.flatten().any(|entry| {
            Path::new(&entry.file_name())
                .extension()
                .is_some_and(|extension| extension == "java")
        });
        java.then_some(BuildSystem::Javac)
    }

    /// The shell command that builds it in its directory, offline. Java classes are
    /// written beside the directory's top (`-d .`, by package), which is the class path
    /// the programs then run with.
    pub fn default_command(self) -> &'static str {
        match self {
            BuildSystem::Make => "make",
            BuildSystem::CMake => "cmake -S . -B build && cmake --build build",
            BuildSystem::Go => "go build -o . ./...",
            BuildSystem::Cargo => "cargo build --release --offline",
            BuildSystem::Javac => "javac -d . $(find . -name '*.java')",
        }
    }

    /// The name of the file that chose it, for messages.
    pub fn build_file(self) -> &'static str {
        match self {
            BuildSystem::Make => "Makefile",
            BuildSystem::CMake => "CMakeLists.txt",
            BuildSystem::Go => "go.mod",
            BuildSystem::Cargo => "Cargo.toml",
            BuildSystem::Javac => "*.java",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(files: &[&str]) -> Option<BuildSystem> {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            std::fs::write(dir.path().join(file), "").unwrap();
        }
        BuildSystem::detect(dir.path())
    }

    #[test]
    fn each_build_file_is_recognised_and_scripts_are_not() {
        assert_eq!(detected(&["Makefile", "a.c"]), Some(BuildSystem::Make));
        assert_eq!(detected(&["CMakeLists.txt"]), Some(BuildSystem::CMake));
        assert_eq!(detected(&["go.mod", "main.go"]), Some(BuildSystem::Go));
        assert_eq!(detected(&["Cargo.toml"]), Some(BuildSystem::Cargo));
        assert_eq!(detected(&["UDP_Server.java"]), Some(BuildSystem::Javac));
        // A Makefile may drive javac: it wins.
        assert_eq!(
            detected(&["UDP_Server.java", "Makefile"]),
            Some(BuildSystem::Make)
        );
        assert_eq!(detected(&["UDP_Server.py", "notes.txt"]), None);
    }
}
