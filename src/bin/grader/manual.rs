//! `grader completions SHELL` and `grader man`: shell completions and man pages generated
//! from the clap definition, so they cannot drift from the real flags.

use crate::args::Cli;
use crate::error::GraderError;
use clap::CommandFactory;
use socklab_grader::exit_code;
use std::io::Write;

pub fn completions(shell: clap_complete::Shell) -> Result<i32, GraderError> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "grader", &mut script);
    print(&script)
}

/// The main page, or `grader-SUBCOMMAND(1)`.
pub fn man(subcommand: Option<&str>) -> Result<i32, GraderError> {
    let main = Cli::command();
    let page = match subcommand {
        None => main,
        Some(name) => {
            let Some(found) = main
                .get_subcommands()
                .find(|command| command.get_name() == name && !command.is_hide_set())
            else {
                let known = main
                    .get_subcommands()
                    .filter(|command| !command.is_hide_set())
                    .map(|command| command.get_name().to_owned())
                    .collect();
                return Err(GraderError::UnknownManPage {
                    name: name.to_owned(),
                    known,
                });
            };
            // The page's title is `grader-check`, as man pages of subcommands are named.
            found
                .clone()
                .display_name(format!("grader-{name}"))
                .bin_name(format!("grader {name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|source| GraderError::RenderManPage { source })?;
    print(&roff)
}

fn print(bytes: &[u8]) -> Result<i32, GraderError> {
    std::io::stdout()
        .write_all(bytes)
        .map_err(|source| GraderError::WriteOutput { source })?;
    Ok(exit_code::PASSED)
}
