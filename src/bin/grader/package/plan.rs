//! What every package is made from: the case's text and names, how the submission's files
//! map to the case's programs, the seed, and whether preload mode's library is needed.

use socklab_grader::analyzer::LoadedCase;
use socklab_grader::batch::program_name;
use socklab_grader::case::plan_runs;
use std::time::Duration;

/// Everything the scripts of a package are written from.
#[derive(Clone, Debug)]
pub struct Plan {
    pub case_name: String,
    /// The case file's text, copied into the package so it grades what it was built with.
    pub case_text: String,
    /// The submission's file names (without extension) for the client and the server.
    pub client_name: String,
    pub server_name: String,
    /// The seed every student's grading uses, so all see the same link.
    pub seed: u64,
    /// How long a grading may take at most: every run's budget twice, plus a minute.
    pub time_limit: Duration,
}

impl Plan {
    /// The plan for `loaded`, whose text is `case_text`.
    pub fn new(
        loaded: &LoadedCase,
        case_text: String,
        client_name: Option<String>,
        server_name: Option<String>,
        seed: Option<u64>,
    ) -> Plan {
        let case = &loaded.case;
        let name_of = |given: Option<String>, run: &str| {
            given.unwrap_or_else(|| program_name(run).unwrap_or(run).to_owned())
        };
        let runs = plan_runs(case, &[]).map(|runs| runs.len()).unwrap_or(1);
        let per_run = case.budget * 2 + Duration::from_secs(5);
        Plan {
            case_name: case.name.clone(),
            case_text,
            client_name: name_of(client_name, &case.programs.client.run),
            server_name: name_of(server_name, &case.programs.server.run),
            seed: seed.unwrap_or_else(|| socklab_grader::batch::default_seed(&case.name)),
            time_limit: per_run * u32::try_from(runs).unwrap_or(u32::MAX) + Duration::from_secs(60),
        }
    }

    /// The `grader check` arguments every entry script passes after the case and the
    /// submission, as shell words (each is a plain name or number: nothing to quote).
    pub fn check_options(&self) -> String {
        format!(
            "--client-name {} --server-name {} --seed {}",
            shell_word(&self.client_name),
            shell_word(&self.server_name),
            self.seed
        )
    }

    /// The Debian packages the platform's image needs: any submission may hard-code its
    /// address (`--mode auto` finds out when it grades it), and in a container without
    /// namespaces it is then graded in preload mode, which needs `libsocket-wrapper`.
    pub fn packages(&self) -> &'static str {
        "python3 libsocket-wrapper"
    }
}

/// `word` quoted for `sh` (names from a case are plain, but a `--client-name` may not be).
fn shell_word(word: &str) -> String {
    shlex::try_quote(word).map_or_else(|_| "''".to_owned(), |quoted| quoted.into_owned())
}
