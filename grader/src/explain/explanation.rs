//! What a case grades, in words a student can read (`grader explain`): how their programs
//! are run, what each scenario does to the network, what each check requires and the
//! handout's words it enforces, and the points. Everything is taken from the loaded case and from the texts the checks and the
//! link themselves use, so the explanation says what a report will judge.

use super::faults::{Vocabulary, stream_in_words};
use crate::analyzer::{Case, Judge, LoadedCase};
use crate::case::{
    CheckId, EndsWhen, GivenTo, Grading, InputFile, ProgramInput, ProgramOutput, ProgramTemplates,
    Scenario, StdinScript, UploadFile,
};
use crate::check::{HandoutQuote, HandoutSource, Reading};
use crate::grading::mode::{Facilities, Mode, ModeChoice, choose_mode};
use crate::link::Direction;
use std::fmt::Write as _;
use std::time::Duration;

/// The width explanations are wrapped to.
const WIDTH: usize = 92;

/// The whole explanation, ending with a newline.
pub fn explain(loaded: &LoadedCase) -> String {
    let case = &loaded.case;
    let mut text = format!("{}: {}\n", case.name, case.title);
    programs(&mut text, case);
    wire(&mut text, loaded);
    scenarios(&mut text, loaded);
    checks(&mut text, loaded);
    let total: u32 = case
        .scenarios
        .iter()
        .filter(|scenario| scenario.grading == Grading::Graded)
        .map(|scenario| scenario.points)
        .sum();
    let _ = writeln!(text, "\nTotal: {total} points.");
    text
}

fn programs(text: &mut String, case: &Case) {
    text.push_str("\nHow your programs are run\n");
    for (role, templates) in [
        ("server", &case.programs.server),
        ("client", &case.programs.client),
    ] {
        let _ = writeln!(text, "  {role}: {}", templates.run);
        for note in program_notes(templates) {
            paragraph(text, 4, &note);
        }
    }
    let mut placeholders = String::from(
        "The first word stands for your program: a script runs with its interpreter (by its #! line, or `python3` for .py), anything else as it is. {port} is the server's port",
    );
    placeholders += if case.programs.host.is_some() {
        ", {host} the address to reach it"
    } else {
        ", {host} the address to reach it (127.0.0.1)"
    };
    placeholders += ", {file} the scenario's file and {dir} the program's own directory.";
    paragraph(text, 2, &placeholders);
    let build = match &case.programs.build {
        Some(command) => format!("`{command}`"),
        None => "its build file's usual command (`make`, `javac`, `go build`, …)".to_owned(),
    };
    paragraph(
        text,
        2,
        &format!(
            "A directory with a Makefile, CMakeLists.txt, *.java, go.mod or Cargo.toml is built once first, offline, with {build}, and the program named runs from the build (a Java class with `java -cp`)."
        ),
    );
    let mode_line = match choose_mode(ModeChoice::Auto, case, Facilities::probe) {
        Ok(chosen) => {
            let how = match chosen.mode {
                Mode::Relay => {
                    "the server is given its port and the client the port of the grader's relay, which passes everything between them and breaks some of it on purpose"
                }
                Mode::Transparent => {
                    "each program runs in a network namespace of its own with the address it hard-codes, and the grader bridges the two, breaking some of the traffic on purpose"
                }
                Mode::Preload { .. } => {
                    "each program runs under socket_wrapper with the address it hard-codes, its sockets turned into files of a directory of its own, and the grader bridges the two directories, breaking some of the traffic on purpose"
                }
            };
            format!("Mode: {} ({}): {how}.", chosen.mode.name(), chosen.reason)
        }
        Err(error) => format!("Mode: none available here: {error}."),
    };
    paragraph(text, 2, &mode_line);
    if let Some(host) = &case.programs.host {
        paragraph(
            text,
            2,
            &format!(
                "{{host}} is {}, an address of a private network namespace, not the loopback.",
                host.value
            ),
        );
    }
    paragraph(
        text,
        2,
        &format!(
            "Each scenario may run for {}; once {}, it ends after {} with nothing happening.",
            time(case.budget),
            ends_when(case.ends_when.unwrap_or_default()),
            time(case.quiet)
        ),
    );
}

fn program_notes(templates: &ProgramTemplates) -> Vec<String> {
    let mut notes = Vec::new();
    if templates.stdin == ProgramInput::ScenarioFile {
        notes.push("It reads the scenario's file on its stdin.".to_owned());
    }
    if let Some(answer) = &templates.role_answer {
        notes.push(format!(
            "It is typed {answer:?} first, at its first prompt: the answer to which role it plays."
        ));
    }
    if templates.stdout == ProgramOutput::ReceivedFile {
        notes.push(
            "Its stdout is what it received: saved and compared with the scenario's file byte for byte."
                .to_owned(),
        );
    }
    notes
}

fn wire(text: &mut String, loaded: &LoadedCase) {
    let Some(layout) = loaded.compiled.packet_layout() else {
        return;
    };
    text.push_str("\nWhat is on the wire\n");
    let fields: Vec<&str> = layout
        .fields()
        .iter()
        .map(|field| field.name.as_str())
        .collect();
    paragraph(
        text,
        2,
        &format!(
            "Every packet is the Python struct `{}` ({} bytes): {}.",
            layout.format(),
            layout.size(),
            fields.join(", ")
        ),
    );
    if let Some(checksum) = loaded.case.wire.as_ref().and_then(|w| w.checksum.as_ref()) {
        let spec = &checksum.value;
        paragraph(
            text,
            2,
            &format!(
                "`{}` holds the {} of {}.",
                spec.field,
                spec.algorithm.describe(),
                spec.over.join(", ")
            ),
        );
    }
}

fn scenarios(text: &mut String, loaded: &LoadedCase) {
    let case = &loaded.case;
    let vocabulary = vocabulary(loaded);
    let _ = writeln!(text, "\nScenarios ({})", case.scenarios.len());
    paragraph(
        text,
        2,
        "A scenario's points are earned when no check fails on it and at least one judged it and passed (a scenario in which nothing was judged earns nothing); a scenario run several times shares its points among the runs.",
    );
    for scenario in &case.scenarios {
        let _ = writeln!(text, "\n  {} ({})", scenario.name.value, worth(scenario));
        if let Some(about) = &scenario.about {
            paragraph(text, 4, about);
        }
        for sentence in scenario_in_words(case, scenario, &vocabulary) {
            paragraph(text, 4, &sentence);
        }
    }
}

/// `15 points`, `15 points over 5 runs`, or `informational: ...`.
fn worth(scenario: &Scenario) -> String {
    let points = match scenario.grading {
        Grading::Informational => "informational: run and reported, not graded".to_owned(),
        Grading::Graded if scenario.points == 1 => "1 point".to_owned(),
        Grading::Graded => format!("{} points", scenario.points),
    };
    match scenario.repeat {
        1 => points,
        runs => format!("{points}; {runs} runs, each with its own random draws"),
    }
}

fn scenario_in_words(case: &Case, scenario: &Scenario, vocabulary: &Vocabulary) -> Vec<String> {
    let mut sentences = Vec::new();
    let to_server = scenario
        .netem_to_server
        .as_ref()
        .or(scenario.netem.as_ref());
    let to_client = scenario
        .netem_to_client
        .as_ref()
        .or(scenario.netem.as_ref());
    let netem = |which: &str, netem: &crate::link::Netem| {
        format!(
            "Every datagram {which} (netem \"{netem}\"): the link {}.",
            netem.in_words()
        )
    };
    match (to_server, to_client) {
        (Some(to_server), Some(to_client)) if to_server == to_client => {
            sentences.push(netem("either way", to_server));
        }
        _ => {
            for (direction, line) in [
                (Direction::ToServer, to_server),
                (Direction::ToClient, to_client),
            ] {
                if let Some(line) = line {
                    sentences.push(netem(sent_to(direction), line));
                }
            }
        }
    }
    for fault in &scenario.faults {
        sentences.push(format!("The link {}.", fault.value.in_words(vocabulary)));
    }
    if let Some(stream) = &scenario.stream {
        for direction in Direction::BOTH {
            for sentence in stream_in_words(stream.direction(direction), direction) {
                sentences.push(format!("The relay {sentence}."));
            }
        }
    }
    let clean = sentences.is_empty();
    if clean && case.transport == crate::case::Transport::Udp {
        sentences.push("The link delivers every datagram as it is.".to_owned());
    } else if clean {
        sentences.push("The relay passes the streams on as they come.".to_owned());
    }
    if let Some(file) = &scenario.file {
        sentences.push(file_in_words(file));
    }
    for (role, script) in [
        ("client", &scenario.client_stdin),
        ("server", &scenario.server_stdin),
    ] {
        if let Some(script) = script {
            sentences.push(typed_in_words(role, script));
        }
    }
    if let Some(files) = &scenario.upload {
        sentences.push(upload_in_words(files));
    }
    if let Some(ends) = scenario.ends_when {
        sentences.push(format!("The scenario ends once {}.", ends_when(ends)));
    }
    if let Some(budget) = scenario.budget {
        sentences.push(format!("It may run for {}.", time(budget)));
    }
    if let Some(checks) = &scenario.checks {
        let names: Vec<&str> = checks.iter().map(|check| check.name()).collect();
        sentences.push(format!("Only these checks: {}.", names.join(", ")));
    }
    sentences
}

fn file_in_words(file: &InputFile) -> String {
    if file.missing {
        return format!("The file `{}` is asked for but does not exist.", file.name);
    }
    let content = match file.content {
        crate::case::FileContent::Binary => "random bytes",
        crate::case::FileContent::Text => "random text lines",
    };
    let whose = match file.given_to {
        GivenTo::Server => "the server's",
        GivenTo::Client => "the client's",
        GivenTo::Both => "both programs'",
    };
    format!(
        "The file `{}` ({} bytes of {content}, new for each seed) is put in {whose} directory.",
        file.name,
        file.length()
    )
}

fn typed_in_words(role: &str, script: &StdinScript) -> String {
    let lines: Vec<String> = script
        .lines
        .iter()
        .map(|line| format!("`{line}`"))
        .collect();
    let when = match script.feed {
        crate::case::Feed::Whole => "all at once",
        crate::case::Feed::AfterPrompt => "one line after each prompt",
    };
    format!(
        "The grader types {} on the {role}'s keyboard ({when}).",
        lines.join(", ")
    )
}

fn upload_in_words(files: &[UploadFile]) -> String {
    if files.is_empty() {
        return "The grader uploads no file: it answers the first prompt with a zero line count."
            .to_owned();
    }
    let described: Vec<String> = files
        .iter()
        .map(|file| match (&file.lines, &file.generate) {
            (Some(lines), _) => plural(lines.len(), "line"),
            (None, Some(generated)) => format!(
                "{} of {} characters",
                plural(generated.count, "line"),
                generated.length
            ),
            (None, None) => "an empty file".to_owned(),
        })
        .collect();
    format!(
        "The grader uploads {}: {}, then the zero-line file.",
        plural(files.len(), "file"),
        described.join("; ")
    )
}

fn checks(text: &mut String, loaded: &LoadedCase) {
    text.push_str("\nChecks, on every scenario (unless it lists its own)\n");
    paragraph(
        text,
        2,
        "Under each check, the words of the handout it enforces; \"implied by\" where the handout implies it without saying it.",
    );
    // `startup` is judged on every run, listed or not.
    let listed = &loaded.case.checks;
    let startup = (!listed.contains(&CheckId::Startup)).then_some(CheckId::Startup);
    for check in startup.into_iter().chain(listed.iter().copied()) {
        let requirement = loaded.compiled.requirement(check).unwrap_or_default();
        hanging(text, 2, 4, &format!("{check}: {requirement}."));
        for quoted in quotations(loaded.compiled.handout(check).unwrap_or_default()) {
            hanging(text, 4, 6, &quoted);
        }
    }
}

/// The quotes, consecutive ones from the same place read the same way in one sentence:
/// `The handout (part 4, File Transfer): “…” “…”`.
fn quotations(quotes: &[HandoutQuote]) -> Vec<String> {
    let mut sentences: Vec<String> = Vec::new();
    let mut previous: Option<(HandoutSource, Reading)> = None;
    for quote in quotes {
        let place = (quote.source, quote.reading);
        match sentences.last_mut() {
            Some(sentence) if previous == Some(place) => {
                let _ = write!(sentence, " “{}”", quote.text);
            }
            _ => {
                let lead = match quote.reading {
                    Reading::Says => capitalised(&quote.source.to_string()),
                    Reading::Implies => format!("Implied by {}", quote.source),
                };
                sentences.push(format!("{lead}: “{}”", quote.text));
            }
        }
        previous = Some(place);
    }
    sentences
}

fn capitalised(words: &str) -> String {
    let mut letters = words.chars();
    letters.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(letters).collect()
    })
}

/// What the case calls the packets each program sends, and its packet fields.
fn vocabulary(loaded: &LoadedCase) -> Vocabulary {
    let names = loaded.case.analyzer.packet_names();
    let fields = match loaded.compiled.packet_layout() {
        Some(layout) => layout
            .fields()
            .iter()
            .map(|field| (field.offset, field.name.clone()))
            .collect(),
        None => Vec::new(),
    };
    Vocabulary {
        client_packets: names.client.to_owned(),
        server_packets: names.server.to_owned(),
        fields,
    }
}

fn ends_when(ends: EndsWhen) -> &'static str {
    match ends {
        EndsWhen::ClientExits => "the client exits",
        EndsWhen::ServerExits => "the server exits",
        EndsWhen::EitherExits => "either program exits",
    }
}

fn sent_to(direction: Direction) -> &'static str {
    match direction {
        Direction::ToServer => "sent to the server",
        Direction::ToClient => "sent to the client",
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

fn time(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

/// Appends `words` wrapped to [`WIDTH`], indented by `indent` spaces.
fn paragraph(text: &mut String, indent: usize, words: &str) {
    hanging(text, indent, indent, words);
}

/// Appends `words` wrapped to [`WIDTH`]: the first line indented by `indent` spaces, the
/// others by `hang`, so a list item's continuation stands under its text.
fn hanging(text: &mut String, indent: usize, hang: usize, words: &str) {
    let mut line = String::new();
    let mut indent = indent;
    for word in words.split_whitespace() {
        // Counted in characters: quotes, dashes and arrows are several bytes each.
        let width = indent + line.chars().count() + 1 + word.chars().count();
        if !line.is_empty() && width > WIDTH {
            let _ = writeln!(text, "{:indent$}{line}", "");
            line.clear();
            indent = hang;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(text, "{:indent$}{line}", "");
    }
}
