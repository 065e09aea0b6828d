//! The cases shipped inside the binary, so `grader check rdt3` works from anywhere.

/// (name, YAML text) of every built-in case.
pub const BUILTIN_CASES: &[(&str, &str)] = &[
    ("rdt3", include_str!("../../../cases/rdt3.yaml")),
    ("rdt3-fixed", include_str!("../../../cases/rdt3-fixed.yaml")),
    ("udp-add", include_str!("../../../cases/udp-add.yaml")),
    ("udp-file", include_str!("../../../cases/udp-file.yaml")),
    ("tcp-lines", include_str!("../../../cases/tcp-lines.yaml")),
    (
        "tcp-file-100",
        include_str!("../../../cases/tcp-file-100.yaml"),
    ),
    (
        "tcp-over-udp",
        include_str!("../../../cases/tcp-over-udp.yaml"),
    ),
];

/// The YAML text of a built-in case.
pub fn builtin_case(name: &str) -> Option<&'static str> {
    BUILTIN_CASES
        .iter()
        .find(|(builtin, _)| *builtin == name)
        .map(|(_, text)| *text)
}

/// The names of the built-in cases, for error messages and `--help`.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN_CASES.iter().map(|(name, _)| *name).collect()
}
