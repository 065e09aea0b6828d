//! Command-line templates: `UDP_Server {port}` or `python3 my.py {host} {port}` turned into
//! an argv for one scenario; and the same placeholders in the lines a case types on a
//! program's stdin.
//!
//! A template is split into words like a POSIX shell would (quotes, backslashes) *before*
//! placeholders are filled in, so a value with spaces in it — a directory under
//! `My Documents` — stays one argument and can never inject another.

use thiserror::Error;

/// The values the placeholders of a template stand for in one scenario. A placeholder
/// with no value here is an error when a template uses it, never an empty argument.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placeholders {
    /// `{host}`: the address the client should send to.
    pub host: Option<String>,
    /// `{port}`: the port the server binds, or the client sends to.
    pub port: Option<String>,
    /// `{file}`: the file the program transfers.
    pub file: Option<String>,
    /// `{dir}`: the program's own working directory.
    pub dir: Option<String>,
}

impl Placeholders {
    /// Every placeholder name a template may use, in the order error messages list them.
    pub const NAMES: [&'static str; 4] = ["host", "port", "file", "dir"];

    /// The value of the placeholder `name`: `Err` if no such placeholder exists,
    /// `Ok(None)` if it exists but has no value in this scenario.
    fn value(&self, name: &str) -> Result<Option<&str>, ()> {
        let value = match name {
            "host" => &self.host,
            "port" => &self.port,
            "file" => &self.file,
            "dir" => &self.dir,
            _ => return Err(()),
        };
        Ok(value.as_deref())
    }
}

/// Why a template could not be turned into a command line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TemplateError {
    #[error("command line `{template}` has an unclosed quote or a trailing backslash")]
    Unquoted { template: String },
    #[error("command line `{template}` is empty")]
    Empty { template: String },
    #[error(
        "unknown placeholder `{{{name}}}` in `{template}` \
         (known: {{host}}, {{port}}, {{file}}, {{dir}}; write `{{{{` for a literal brace)"
    )]
    UnknownPlaceholder { name: String, template: String },
    #[error("placeholder `{{{name}}}` in `{template}` has no value here")]
    MissingValue { name: String, template: String },
    #[error(
        "`{{` without a closing `}}` in `{template}` \
         (write `{{{{` for a literal brace)"
    )]
    UnclosedBrace { template: String },
    #[error(
        "`}}` without an opening `{{` in `{template}` \
         (write `}}}}` for a literal brace)"
    )]
    StrayBrace { template: String },
}

/// Splits `template` into words like a POSIX shell, then fills in the placeholders inside
/// each word. Used as is for a full command line such as `--client-cmd`.
pub fn expand(template: &str, values: &Placeholders) -> Result<Vec<String>, TemplateError> {
    split(template)?
        .iter()
        .map(|word| substitute(word, values, template))
        .collect()
}

/// Like [`expand`], but the template's first word names the program (`UDP_Server {port}`)
/// and is replaced by `program_argv`, the command that actually runs the submission
/// (e.g. `python3 /tmp/…/UDP_Server.py`). The first word is not expanded, so a case may
/// write `{submission}` or any name there.
pub fn expand_with_program(
    template: &str,
    program_argv: &[String],
    values: &Placeholders,
) -> Result<Vec<String>, TemplateError> {
    let words = split(template)?;
    let mut argv = program_argv.to_vec();
    for word in &words[1..] {
        argv.push(substitute(word, values, template)?);
    }
    Ok(argv)
}

/// The arguments alone (`{port} .`, from `--server-args`), every word expanded, after
/// `program_argv`. An empty template gives the program no arguments.
pub fn expand_arguments(
    template: &str,
    program_argv: &[String],
    values: &Placeholders,
) -> Result<Vec<String>, TemplateError> {
    let words = shlex::split(template).ok_or_else(|| TemplateError::Unquoted {
        template: template.to_owned(),
    })?;
    let mut argv = program_argv.to_vec();
    for word in &words {
        argv.push(substitute(word, values, template)?);
    }
    Ok(argv)
}

/// Fills in the placeholders of one line of text that is not a command line (a line the
/// grader types on a program's stdin): not split into words, so its spaces and quotes stay
/// as written; `{{` and `}}` stand for literal braces, as in a command line.
pub fn expand_text(line: &str, values: &Placeholders) -> Result<String, TemplateError> {
    substitute(line, values, line)
}

/// Shell-style word splitting; at least one word or an error.
fn split(template: &str) -> Result<Vec<String>, TemplateError> {
    let words = shlex::split(template).ok_or_else(|| TemplateError::Unquoted {
        template: template.to_owned(),
    })?;
    if words.is_empty() {
        return Err(TemplateError::Empty {
            template: template.to_owned(),
        });
    }
    Ok(words)
}

/// Fills in `{name}` placeholders in one word; `{{` and `}}` stand for literal braces.
fn substitute(word: &str, values: &Placeholders, template: &str) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for inner in chars.by_ref() {
                    if inner == '}' {
                        closed = true;
                        break;
                    }
                    name.push(inner);
                }
                if !closed {
                    return Err(TemplateError::UnclosedBrace {
                        template: template.to_owned(),
                    });
                }
                match values.value(&name) {
                    Ok(Some(value)) => out.push_str(value),
                    Ok(None) => {
                        return Err(TemplateError::MissingValue {
                            name,
                            template: template.to_owned(),
                        });
                    }
                    Err(()) => {
                        return Err(TemplateError::UnknownPlaceholder {
                            name,
                            template: template.to_owned(),
                        });
                    }
                }
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '}' => {
                return Err(TemplateError::StrayBrace {
                    template: template.to_owned(),
                });
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Placeholders {
        Placeholders {
            host: Some("127.0.0.1".to_owned()),
            port: Some("40123".to_owned()),
            file: Some("/tmp/My Documents/in.txt".to_owned()),
            dir: None,
        }
    }

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|word| (*word).to_owned()).collect()
    }

    #[test]
    fn full_command_line_is_split_then_filled_in() {
        let argv = expand("python3 'my client.py' {host} {port} {file}", &values());
        assert_eq!(
            argv,
            Ok(strings(&[
                "python3",
                "my client.py",
                "127.0.0.1",
                "40123",
                "/tmp/My Documents/in.txt",
            ]))
        );
    }

    #[test]
    fn placeholders_fill_in_inside_a_word() {
        let argv = expand("client --to={host}:{port}", &values());
        assert_eq!(argv, Ok(strings(&["client", "--to=127.0.0.1:40123"])));
    }

    #[test]
    fn a_value_cannot_inject_words_or_quotes() {
        let sneaky = Placeholders {
            file: Some("a' ; rm -rf / '".to_owned()),
            ..values()
        };
        let argv = expand("cat {file}", &sneaky);
        assert_eq!(argv, Ok(strings(&["cat", "a' ; rm -rf / '"])));
    }

    #[test]
    fn doubled_braces_are_literal() {
        let argv = expand("printf {{port}}={port} }}{{", &values());
        assert_eq!(argv, Ok(strings(&["printf", "{port}=40123", "}{"])));
    }

    #[test]
    fn arguments_alone_all_follow_the_program() {
        let program = strings(&["python3", "/stage/UDP_Client.py"]);
        let argv = expand_arguments("{file} {host} {port} {file}", &program, &values());
        assert_eq!(
            argv,
            Ok(strings(&[
                "python3",
                "/stage/UDP_Client.py",
                "/tmp/My Documents/in.txt",
                "127.0.0.1",
                "40123",
                "/tmp/My Documents/in.txt"
            ]))
        );
        assert_eq!(expand_arguments("", &program, &values()), Ok(program));
    }

    #[test]
    fn first_word_is_replaced_by_the_program() {
        let program = strings(&["python3", "/stage/UDP_Server.py"]);
        let argv = expand_with_program("UDP_Server {port}", &program, &values());
        assert_eq!(
            argv,
            Ok(strings(&["python3", "/stage/UDP_Server.py", "40123"]))
        );
        let argv = expand_with_program("{submission} {host} {port}", &program, &values());
        assert_eq!(
            argv,
            Ok(strings(&[
                "python3",
                "/stage/UDP_Server.py",
                "127.0.0.1",
                "40123"
            ]))
        );
    }

    #[test]
    fn a_typed_line_is_filled_in_but_not_split() {
        let line = expand_text("send '{file}' to {host}:{port} {{raw}}", &values());
        assert_eq!(
            line,
            Ok("send '/tmp/My Documents/in.txt' to 127.0.0.1:40123 {raw}".to_owned())
        );
        assert_eq!(expand_text("42", &values()), Ok("42".to_owned()));
        let error = expand_text("{dir}", &values()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "placeholder `{dir}` in `{dir}` has no value here"
        );
    }

    #[test]
    fn unknown_placeholder_is_named() {
        let error = expand("client {hots}", &values()).unwrap_err();
        assert!(matches!(&error, TemplateError::UnknownPlaceholder { name, .. } if name == "hots"));
        assert!(error.to_string().contains("`{hots}`"), "{error}");
    }

    #[test]
    fn placeholder_without_a_value_is_named() {
        let error = expand("server --root {dir}", &values()).unwrap_err();
        assert!(matches!(&error, TemplateError::MissingValue { name, .. } if name == "dir"));
        assert_eq!(
            error.to_string(),
            "placeholder `{dir}` in `server --root {dir}` has no value here"
        );
    }

    #[test]
    fn malformed_templates_are_errors() {
        assert!(matches!(
            expand("client 'unclosed {port}", &values()),
            Err(TemplateError::Unquoted { .. })
        ));
        assert!(matches!(
            expand("   ", &values()),
            Err(TemplateError::Empty { .. })
        ));
        assert!(matches!(
            expand_with_program("", &[], &values()),
            Err(TemplateError::Empty { .. })
        ));
        assert!(matches!(
            expand("client {port", &values()),
            Err(TemplateError::UnclosedBrace { .. })
        ));
        assert!(matches!(
            expand("client port}", &values()),
            Err(TemplateError::StrayBrace { .. })
        ));
    }
}
