//! The promise at the top of `lib.rs`, kept by a test: a grading run flows down through the
//! top-level modules and never back up, so no two top-level modules may import each other.
//!
//! A top-level module is a file `src/x.rs` or a folder `src/x/` (or both). Module `x`
//! names module `y` when any of its files, tests included, has a path starting `crate::y`:
//! in a `use` line (`use crate::y::Thing;`, or `use crate::{y::Thing, z};` over several
//! lines), in code (`crate::y::function()`), or in an attribute's string
//! (`#[serde(with = "crate::y::duration")]`, a real dependency too). Comments do not count:
//! a doc may point at the module above it. Paths through `super::` are not read; they stay
//! inside their own top-level module, as `super::super::…` up to the crate root is not used.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[test]
fn no_two_top_level_modules_import_each_other() {
    let source_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = ModuleGraph::read(&source_root);
    let pairs = graph.two_way_pairs();
    assert!(
        pairs.is_empty(),
        "top-level modules of grader/src that import each other (lib.rs promises that a run \
         flows one way):\n{}",
        pairs.join("\n")
    );
}

/// Which top-level modules each top-level module names, and in which of its files.
#[derive(Debug)]
struct ModuleGraph {
    /// Module → module it names → its files that name it (relative to the source root).
    names: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
}

impl ModuleGraph {
    /// Reads every `.rs` file under `source_root` except `lib.rs`, which only declares.
    fn read(source_root: &Path) -> Self {
        let modules = top_level_modules(source_root);
        let mut names: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
        for module in &modules {
            let named = names.entry(module.clone()).or_default();
            for file in files_of(source_root, module) {
                let source = std::fs::read_to_string(&file)
                    .unwrap_or_else(|error| panic!("cannot read {}: {error}", file.display()));
                let relative = file
                    .strip_prefix(source_root)
                    .unwrap_or(&file)
                    .display()
                    .to_string();
                for other in crate_path_heads(&without_comments(&source)) {
                    if &other != module && modules.contains(&other) {
                        named.entry(other).or_default().insert(relative.clone());
                    }
                }
            }
        }
        ModuleGraph { names }
    }

    /// Each pair that names each other, as `a <-> b: a names b in <files>; b names a in
    /// <files>`, in alphabetical order.
    fn two_way_pairs(&self) -> Vec<String> {
        let mut pairs = Vec::new();
        for (module, named) in &self.names {
            for (other, files) in named {
                let Some(files_back) = self.names.get(other).and_then(|back| back.get(module))
                else {
                    continue;
                };
                if module < other {
                    pairs.push(format!(
                        "  {module} <-> {other}: {module} names {other} in {}; {other} names \
                         {module} in {}",
                        comma_list(files),
                        comma_list(files_back)
                    ));
                }
            }
        }
        pairs
    }
}

/// `src/x.rs` and `src/x/` give `x`; `lib.rs` is the root, not a module.
fn top_level_modules(source_root: &Path) -> BTreeSet<String> {
    let mut modules = BTreeSet::new();
    for entry in read_dir(source_root) {
        let Some(name) = entry.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        if entry.is_dir() {
            modules.insert(name.to_owned());
        } else if let Some(stem) = name.strip_suffix(".rs")
            && stem != "lib"
        {
            modules.insert(stem.to_owned());
        }
    }
    modules
}

/// The `.rs` files of a top-level module: `x.rs`, and everything under `x/`.
fn files_of(source_root: &Path, module: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let file = source_root.join(format!("{module}.rs"));
    if file.is_file() {
        files.push(file);
    }
    let mut folders = vec![source_root.join(module)];
    while let Some(folder) = folders.pop() {
        if !folder.is_dir() {
            continue;
        }
        for entry in read_dir(&folder) {
            if entry.is_dir() {
                folders.push(entry);
            } else if entry.extension().is_some_and(|extension| extension == "rs") {
                files.push(entry);
            }
        }
    }
    files.sort();
    files
}

fn read_dir(folder: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", folder.display()));
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a readable directory entry").path())
        .collect();
    paths.sort();
    paths
}

/// The first segment after each `crate::` in `code`: `crate::y::z` gives `y`, and a group
/// `crate::{y::z, w}` gives `y` and `w`, however many lines it spans.
fn crate_path_heads(code: &str) -> BTreeSet<String> {
    const PREFIX: &str = "crate::";
    let mut heads = BTreeSet::new();
    for (at, _) in code.match_indices(PREFIX) {
        // `my_crate::` is another path; `$crate::` (a macro's) is this crate.
        if code[..at]
            .chars()
            .next_back()
            .is_some_and(is_identifier_char)
        {
            continue;
        }
        let rest = code[at + PREFIX.len()..].trim_start();
        match rest.strip_prefix('{') {
            Some(group) => heads.extend(group_heads(group)),
            None => heads.extend(leading_identifier(rest)),
        }
    }
    heads
}

/// The first segment of each path in a group, read up to the group's closing brace:
/// `a::b, c::{d, e}, f }` gives `a`, `c` and `f`.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0_usize;
    let mut expecting_head = true;
    for (at, character) in group.char_indices() {
        match character {
            '}' if depth == 0 => break,
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => expecting_head = true,
            _ if expecting_head && !character.is_whitespace() => {
                heads.extend(leading_identifier(&group[at..]));
                expecting_head = false;
            }
            _ => {}
        }
    }
    heads
}

fn leading_identifier(text: &str) -> Option<String> {
    let end = text
        .find(|character: char| !is_identifier_char(character))
        .unwrap_or(text.len());
    (end > 0).then(|| text[..end].to_owned())
}

fn is_identifier_char(character: char) -> bool {
    character.is_alphanumeric() || character == '_'
}

/// `source` with its comments (line, doc and nested block comments) turned into spaces.
/// String and character literals are kept whole, so `"http://…"` starts no comment and
/// `'"'` starts no string.
fn without_comments(source: &str) -> String {
    let characters: Vec<char> = source.chars().collect();
    let mut code = String::with_capacity(source.len());
    let mut at = 0;
    while at < characters.len() {
        let end = match &characters[at..] {
            ['/', '/', ..] => {
                let end = find_from(&characters, at, |character| character == '\n');
                code.push(' ');
                at = end;
                continue;
            }
            ['/', '*', ..] => {
                code.push(' ');
                at = block_comment_end(&characters, at);
                continue;
            }
            ['"', ..] => string_end(&characters, at + 1),
            ['r', '"' | '#', ..] if starts_token(&characters, at) => {
                raw_string_end(&characters, at + 1).unwrap_or(at + 1)
            }
            // `'\''`: the escaped character is skipped before looking for the closing quote.
            ['\'', '\\', ..] => find_from(&characters, at + 3, |character| character == '\'') + 1,
            ['\'', _, '\'', ..] => at + 3,
            _ => at + 1,
        };
        let end = end.min(characters.len());
        code.extend(&characters[at..end]);
        at = end;
    }
    code
}

/// Whether `at` starts a token: not in the middle of an identifier (`for"` is not `r"`).
/// A `b` before it (`br"…"`) is a byte string's prefix, which starts the token instead.
fn starts_token(characters: &[char], at: usize) -> bool {
    match at.checked_sub(1).map(|before| characters[before]) {
        None => true,
        Some('b') => at < 2 || !is_identifier_char(characters[at - 2]),
        Some(before) => !is_identifier_char(before),
    }
}

/// Just past the `"` that closes a string whose text starts at `at`.
fn string_end(characters: &[char], mut at: usize) -> usize {
    while at < characters.len() {
        match characters[at] {
            '\\' => at += 2,
            '"' => return at + 1,
            _ => at += 1,
        }
    }
    at
}

/// Just past a raw string `r#"…"#` whose hashes start at `at`; `None` when it is not one.
fn raw_string_end(characters: &[char], at: usize) -> Option<usize> {
    let hashes = characters[at..]
        .iter()
        .take_while(|&&character| character == '#')
        .count();
    let text = at + hashes;
    if characters.get(text) != Some(&'"') {
        return None;
    }
    let closing: Vec<char> = std::iter::once('"')
        .chain(std::iter::repeat_n('#', hashes))
        .collect();
    let found =
        (text + 1..characters.len()).find(|&start| characters[start..].starts_with(&closing));
    Some(found.map_or(characters.len(), |start| start + closing.len()))
}

/// Just past the `*/` that closes the block comment starting at `at`, nested ones included.
fn block_comment_end(characters: &[char], mut at: usize) -> usize {
    let mut depth = 0_usize;
    while at < characters.len() {
        match &characters[at..] {
            ['/', '*', ..] => {
                depth += 1;
                at += 2;
            }
            ['*', '/', ..] => {
                depth -= 1;
                at += 2;
                if depth == 0 {
                    return at;
                }
            }
            _ => at += 1,
        }
    }
    at
}

/// The first position from `at` whose character matches, or the end.
fn find_from(characters: &[char], at: usize, matches: impl Fn(char) -> bool) -> usize {
    (at..characters.len())
        .find(|&position| matches(characters[position]))
        .unwrap_or(characters.len())
}

/// The first few files, then how many more: a folder-wide import lists dozens.
fn comma_list(files: &BTreeSet<String>) -> String {
    const SHOWN: usize = 3;
    let shown: Vec<&str> = files.iter().take(SHOWN).map(String::as_str).collect();
    match files.len().checked_sub(SHOWN) {
        Some(more) if more > 0 => format!("{} and {more} more", shown.join(", ")),
        _ => shown.join(", "),
    }
}

mod tests {
    //! The reader of paths, on made-up sources whose module names are not this crate's.

    use super::*;

    fn heads(source: &str) -> Vec<String> {
        crate_path_heads(&without_comments(source))
            .into_iter()
            .collect()
    }

    #[test]
    fn a_grouped_use_over_several_lines_names_each_head() {
        let source =
            "use crate::{\n    alpha::One,\n    beta::{Two, three::Four},\n    gamma,\n};\n";
        assert_eq!(heads(source), ["alpha", "beta", "gamma"]);
    }

    #[test]
    fn a_path_in_code_or_in_an_attribute_string_counts() {
        let source = "fn run() { crate::alpha::go(); }\n\
                      #[serde(with = \"crate::beta::duration\")]\n\
                      struct Wait;\n";
        assert_eq!(heads(source), ["alpha", "beta"]);
    }

    #[test]
    fn comments_do_not_count() {
        let source = "//! Above [`crate::alpha`].\n\
                      /// See crate::beta::Thing.\n\
                      // use crate::gamma::x;\n\
                      /* crate::delta /* nested */ crate::epsilon */\n\
                      use crate::zeta::Used;\n";
        assert_eq!(heads(source), ["zeta"]);
    }

    #[test]
    fn literals_that_look_like_comments_do_not_hide_code() {
        let source = "let url = \"http://example.org\"; crate::alpha::fetch(url);\n\
                      let raw = r#\"a \"quoted\" // text\"#; crate::beta::read(raw);\n\
                      let quote = '\"'; crate::gamma::say(quote);\n\
                      fn pick<'a>(text: &'a str) -> &'a str { crate::delta::pick(text) }\n";
        assert_eq!(heads(source), ["alpha", "beta", "delta", "gamma"]);
    }

    #[test]
    fn another_crate_named_like_this_one_does_not_count() {
        assert_eq!(heads("use my_crate::alpha; use $crate::beta;"), ["beta"]);
    }

    #[test]
    fn a_two_way_pair_is_listed_with_the_files_that_make_it() {
        let root = tempfile::tempdir().expect("a temporary directory");
        let write = |path: &str, text: &str| {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
            std::fs::write(path, text).expect("a written file");
        };
        write(
            "lib.rs",
            "pub mod alpha; pub mod beta; pub mod gamma;\nuse crate::gamma;\n",
        );
        write("alpha.rs", "use crate::{beta::Thing, gamma};\n");
        write("beta/mod.rs", "mod inner;\n");
        write("beta/inner/deep.rs", "fn go() { crate::alpha::run() }\n");
        write("gamma.rs", "// crate::alpha is above this module\n");
        let graph = ModuleGraph::read(root.path());
        assert_eq!(
            graph.two_way_pairs(),
            [
                "  alpha <-> beta: alpha names beta in alpha.rs; beta names alpha in beta/inner/deep.rs"
            ]
        );
    }
}
