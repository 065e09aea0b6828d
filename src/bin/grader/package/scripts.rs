//! The files each platform runs, as text: Gradescope's `setup.sh` and `run_autograder`,
//! PrairieLearn's entry script and grading options, GitHub's workflow and the script it
//! runs. Every result a platform reads is the grader's own output (`--format …`); the
//! scripts only say where the files are. Each takes its root from an environment variable
//! (defaulting to the platform's own path), so the kit's tests run them in a temporary
//! layout.

use super::plan::Plan;

/// The exit-code handling every entry script shares: `grader check` exits 0 when all
/// passed and 1 when a check failed, and the result written is the grade either way; any
/// other code is the grader's own trouble, passed on so the platform shows a failed run
/// rather than a grade.
const PASS_ON_GRADER_ERRORS: &str = r#"status=$?
if [ "$status" -gt 1 ]; then
    echo "grader check exited with $status: the grader could not grade (see above)" >&2
    exit "$status"
fi"#;

/// Gradescope's `setup.sh`, run once as root when the image is built, in
/// `/autograder/source` (where the zip is unpacked).
pub fn gradescope_setup(plan: &Plan) -> String {
    format!(
        r#"#!/bin/sh
# Gradescope image setup for Socklab case {case}, written by `grader package gradescope`.
# Gradescope's containers forbid network namespaces (Docker's seccomp profile), so programs
# that hard-code their address are graded in preload mode, with libsocket-wrapper.
set -eu
apt-get update
apt-get install -y --no-install-recommends {packages}
chmod 755 /autograder/source/grader /autograder/source/run_autograder
# What this image allows the grader, and the mode each kind of submission gets, for the
# build log (the graded containers are made from this image).
/autograder/source/grader doctor --case /autograder/source/case.yaml || true
"#,
        case = plan.case_name,
        packages = plan.packages(),
    )
}

/// Gradescope's `run_autograder`: grades `/autograder/submission` and writes
/// `/autograder/results/results.json` with `--format gradescope`.
pub fn gradescope_run(plan: &Plan) -> String {
    format!(
        r#"#!/bin/sh
# Gradescope entry point for Socklab case {case}, written by `grader package gradescope`.
# Grades /autograder/submission; the grader writes /autograder/results/results.json.
# The submission's {client}.* is the client and {server}.* the server (any extension, any
# capitalisation, at most 4 folders deep); a missing or unrunnable one scores 0 and says
# why. A submission with a Makefile, CMakeLists.txt, *.java, go.mod or Cargo.toml is built
# first (add its compilers to setup.sh); a build that fails scores 0 and shows the error.
# AUTOGRADER_ROOT moves the whole layout (default /autograder).
set -u
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
mkdir -p "$ROOT/results"
"$ROOT/source/grader" check "$ROOT/source/case.yaml" --submission "$ROOT/submission" \
    {options} --format gradescope > "$ROOT/results/results.json"
{pass_on}
exit 0
"#,
        case = plan.case_name,
        client = plan.client_name,
        server = plan.server_name,
        options = plan.check_options(),
        pass_on = PASS_ON_GRADER_ERRORS,
    )
}

/// PrairieLearn's entry script, in `serverFilesCourse/socklab/`: grades `/grade/student`
/// and has the grader write `/grade/results/results.json` with `--format prairielearn`.
pub fn prairielearn_run(plan: &Plan) -> String {
    format!(
        r#"#!/bin/sh
# PrairieLearn external-grader entry point for Socklab case {case}, written by
# `grader package prairielearn`. Grades /grade/student; the grader writes
# /grade/results/results.json (PrairieLearn reads it only when this exits 0).
# The student's {client}.* is the client and {server}.* the server; a missing or
# unrunnable one scores 0 and says why.
# GRADE_ROOT moves the whole layout (default /grade).
set -u
ROOT="${{GRADE_ROOT:-/grade}}"
HERE="$ROOT/serverFilesCourse/socklab"
mkdir -p "$ROOT/results"
"$HERE/grader" check "$HERE/case.yaml" --submission "$ROOT/student" \
    {options} --format prairielearn --results "$ROOT/results/results.json" > /dev/null
{pass_on}
exit 0
"#,
        case = plan.case_name,
        client = plan.client_name,
        server = plan.server_name,
        options = plan.check_options(),
        pass_on = PASS_ON_GRADER_ERRORS,
    )
}

/// The `externalGradingOptions` to put in the question's `info.json`.
pub fn prairielearn_options(plan: &Plan) -> String {
    let options = serde_json::json!({
        "externalGradingOptions": {
            "enabled": true,
            "image": "prairielearn/grader-python",
            "serverFilesCourse": ["socklab/"],
            "entrypoint": "/grade/serverFilesCourse/socklab/run",
            "timeout": plan.time_limit.as_secs(),
        }
    });
    let mut text = serde_json::to_string_pretty(&options).unwrap_or_default();
    text.push('\n');
    text
}

/// The script GitHub's workflow runs: grades a copy of the repository's checkout without
/// the kit (`.socklab/`, whose grader binary would be staged with every program), `.git`
/// and `.github`, and hands the grader's `--format classroom` result, base64, to the
/// Classroom reporter.
pub fn github_grade(plan: &Plan) -> String {
    format!(
        r#"#!/bin/sh
# GitHub Classroom / Actions grading for Socklab case {case}, written by
# `grader package github`. Grades the checkout ($GITHUB_WORKSPACE) without .socklab/,
# .git/ and .github/; the grader writes .socklab/result.json (--format classroom), handed
# base64 to the Classroom reporter through the step's `result` output.
# The repository's {client}.* is the client and {server}.* the server (any extension, any
# capitalisation, at most 4 folders deep); a missing or unrunnable one scores 0 and says
# why.
set -u
ROOT="${{GITHUB_WORKSPACE:-$(pwd)}}"
HERE="$ROOT/.socklab"
SUBMISSION="$(mktemp -d)"
trap 'rm -rf "$SUBMISSION"' EXIT
tar -C "$ROOT" --exclude=./.socklab --exclude=./.git --exclude=./.github -cf - . \
    | tar -C "$SUBMISSION" -xf - || exit 70
"$HERE/grader" check "$HERE/case.yaml" --submission "$SUBMISSION" \
    {options} --format classroom > "$HERE/result.json"
{pass_on}
if [ -n "${{GITHUB_OUTPUT:-}}" ]; then
    echo "result=$(base64 -w 0 < "$HERE/result.json")" >> "$GITHUB_OUTPUT"
fi
exit 0
"#,
        case = plan.case_name,
        client = plan.client_name,
        server = plan.server_name,
        options = plan.check_options(),
        pass_on = PASS_ON_GRADER_ERRORS,
    )
}

/// The workflow, `.github/workflows/socklab.yml`.
pub fn github_workflow(plan: &Plan) -> String {
    format!(
        r#"# Grades every push with Socklab case {case}; written by `grader package github`.
# Commit .github/ and .socklab/ to the assignment's template repository.
# ubuntu-24.04 runners forbid unprivileged user namespaces (AppArmor), so the grader runs
# as root (sudo): network and mount namespaces and pids cgroups all work there.
name: Socklab
on: [push, workflow_dispatch]
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  grade:
    # Classroom's own commit that creates the repository is not the student's work.
    if: github.actor != 'github-classroom[bot]'
    runs-on: ubuntu-24.04
    timeout-minutes: {minutes}
    steps:
      - uses: actions/checkout@v4
      - name: Grade
        id: socklab
        run: sudo --preserve-env=GITHUB_OUTPUT,GITHUB_WORKSPACE sh .socklab/grade
      - name: Report
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          SOCKLAB_RESULTS: "${{{{ steps.socklab.outputs.result }}}}"
        with:
          runners: socklab
"#,
        case = plan.case_name,
        minutes = plan.time_limit.as_secs().div_ceil(60) + 5,
    )
}
