//! Every check of every built-in case names the handout sentence it enforces, and every
//! quote is the handout's own words: found, whitespace aside, in the file it names under
//! the course workspace's `shared/` folder (`seeds/…` or `ASSIGNMENTS.md`).

use super::{Judge, LoadedCase};
use crate::case::builtin::builtin_names;
use crate::case::{AnalyzerChoice, CaseSource, CheckId, load_case};
use crate::check::handout::appears_in;
use std::path::PathBuf;

/// Every built-in case's checks, `startup` first, with the case's name.
fn every_check() -> Vec<(String, LoadedCase, Vec<CheckId>)> {
    builtin_names()
        .iter()
        .map(|&name| {
            let loaded: LoadedCase = load_case(&CaseSource::Builtin(name.to_owned())).unwrap();
            let mut checks = vec![CheckId::Startup];
            checks.extend_from_slice(loaded.case.analyzer.checks());
            (name.to_owned(), loaded, checks)
        })
        .collect()
}

/// The course workspace's `shared/` folder: beside the checkout in CI (`<repo>/../shared`),
/// or beside a folder of worktrees; `None` where the kit was built outside the course.
fn shared_folder() -> Option<PathBuf> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    repo.ancestors()
        .skip(1)
        .map(|folder| folder.join("shared"))
        .find(|shared| shared.join("seeds").is_dir())
}

#[test]
fn every_check_of_every_builtin_case_quotes_its_handout() {
    for (name, loaded, checks) in every_check() {
        for check in checks {
            let quotes = loaded.compiled.handout(check);
            assert!(
                quotes.is_some_and(|quotes| !quotes.is_empty()),
                "{name}: `{check}` names no handout sentence (its analyzer's handout.rs)"
            );
            for quote in quotes.unwrap_or_default() {
                assert!(
                    !quote.text.trim().is_empty(),
                    "{name}: `{check}` quotes nothing"
                );
            }
        }
    }
}

#[test]
fn every_quote_is_verbatim_in_the_file_it_names() {
    let Some(shared) = shared_folder() else {
        println!(
            "skipped: no `shared/seeds/` beside the checkout (the course workspace's handouts), so the quotes cannot be compared with them"
        );
        return;
    };
    let mut compared = 0;
    for (name, loaded, checks) in every_check() {
        for check in checks {
            for quote in loaded.compiled.handout(check).unwrap_or_default() {
                let path = shared.join(quote.source.path());
                let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
                    panic!(
                        "{name}: `{check}` quotes {}, which cannot be read: {error}",
                        path.display()
                    )
                });
                assert!(
                    appears_in(quote.text, &text),
                    "{name}: `{check}` quotes words that are not in {}: {:?}",
                    path.display(),
                    quote.text
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 0, "no quote was compared");
}
