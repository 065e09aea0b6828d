//! The JSON Schema of case files (`grader schema`), derived from the model types so it cannot
//! drift from what the loader accepts; editors use it to complete and check a case as it is
//! typed. What a schema cannot say (a regex that compiles, a check the analyzer performs) is
//! left to `grader lint`.

use super::model::Case;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};

/// The schema a case file's YAML, read as JSON, must satisfy.
/// `A` is the registry of analyzers, whose choices the schema lists.
pub fn case_schema<A: JsonSchema>() -> Schema {
    let mut schema = SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<Case<A>>();
    schema.insert("title".to_owned(), "Socklab case file".into());
    schema
}
