//! `grader schema` and `grader schema --report` (`--class` is checked in `class_page`): valid
//! JSON Schemas that accept what the grader accepts (every built-in case, a real report) and
//! reject what it refuses.

use crate::util::{grader, passing_json_report, root};
use serde_json::{Value, json};
use socklab_grader::case::builtin::BUILTIN_CASES;
use socklab_grader::exit_code;

/// The schema a `grader schema` command prints, checked against its meta-schema. (The
/// class page's test checks `class.json` with `--class`.)
pub fn schema(arguments: &[&str]) -> jsonschema::Validator {
    let output = grader().arg("schema").args(arguments).output().unwrap();
    assert_eq!(output.status.code(), Some(exit_code::PASSED));
    let schema: Value = serde_json::from_slice(&output.stdout).expect("the schema is JSON");
    assert_eq!(
        schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
        "{schema}"
    );
    assert!(schema["title"].is_string(), "{schema}");
    jsonschema::meta::validate(&schema)
        .unwrap_or_else(|error| panic!("not a valid JSON Schema: {error}"));
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// A case's YAML as the JSON an editor's schema validation sees.
fn case_json(text: &str) -> Value {
    socklab_grader::case::yaml::from_str(text).expect("the case is YAML")
}

/// Asserts that `validator` refuses `valid` once `change` has made it `what`.
pub fn assert_rejects(
    validator: &jsonschema::Validator,
    valid: &Value,
    what: &str,
    change: impl FnOnce(&mut Value),
) {
    let mut changed = valid.clone();
    change(&mut changed);
    assert!(!validator.is_valid(&changed), "{what} passed");
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

#[test]
fn the_case_schema_accepts_every_builtin_case() {
    let validator = schema(&[]);
    for (name, text) in BUILTIN_CASES {
        let problems = errors(&validator, &case_json(text));
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
    let example = std::fs::read_to_string(root().join("cases/examples/stop-and-wait.yaml"))
        .expect("the README's example case");
    assert_eq!(
        errors(&validator, &case_json(&example)),
        Vec::<String>::new()
    );
}

#[test]
fn the_case_schema_rejects_a_wrong_type_and_an_unknown_field() {
    let validator = schema(&[]);
    let rdt3 = case_json(socklab_grader::case::builtin::builtin_case("rdt3").unwrap());

    assert!(validator.is_valid(&rdt3));
    assert_rejects(&validator, &rdt3, "budget: [1, 2]", |case| {
        case["budget"] = json!([1, 2]);
    });
    assert_rejects(&validator, &rdt3, "a duration without a unit", |case| {
        case["quiet"] = json!("100");
    });
    assert_rejects(&validator, &rdt3, "an unknown field", |case| {
        case["budgett"] = json!("5s");
    });
    assert_rejects(&validator, &rdt3, "a fault with an unknown field", |case| {
        case["scenarios"][1]["faults"][0]["drop"]["seq"] = json!(0);
    });
}

#[test]
fn the_report_schema_accepts_a_real_report_and_rejects_a_mutated_one() {
    let validator = schema(&["--report"]);
    let report = passing_json_report(&["rdt3", "--scenario", "no-loss", "--seed", "1"]);
    assert_eq!(errors(&validator, &report), Vec::<String>::new());

    assert_rejects(
        &validator,
        &report,
        "an outcome of status `maybe`",
        |report| {
            report["scenarios"][0]["outcomes"][0]["status"] = json!("maybe");
        },
    );
    assert_rejects(&validator, &report, "a score as text", |report| {
        report["score"] = json!("100");
    });
    assert_rejects(&validator, &report, "schema-version 2", |report| {
        report["schema-version"] = json!(2);
    });
    assert_rejects(&validator, &report, "a report without its seed", |report| {
        report.as_object_mut().unwrap().remove("seed");
    });
}

#[test]
fn the_committed_case_schema_is_the_one_the_grader_prints() {
    // cases/case.schema.json is what the example's modeline and editors in this repository
    // read; it must not drift from the model.
    let output = grader().arg("schema").output().unwrap();
    let committed = std::fs::read_to_string(root().join("cases/case.schema.json")).unwrap();
    assert!(
        committed == String::from_utf8_lossy(&output.stdout),
        "cases/case.schema.json is stale: run `grader schema > cases/case.schema.json`"
    );
}
