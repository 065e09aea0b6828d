//! The class's grades: `OUT/grades.csv` for a spreadsheet and `OUT/grades.json` for
//! scripts, made from the submissions' `result.json` files alone.
//!
//! Rows are sorted by id and columns follow [`Role::ALL`] and the scenarios' order in the
//! results, and numbers have two decimals, so the same results give the same bytes whatever
//! the order they were graded in, the number of jobs, or the shards they came from: `grader
//! batch` and `grader merge` both write them with [`write_grades`].

use super::result::{SubmissionResult, read_result, write_atomically};
use super::roles::Role;
use super::shard::Shard;
use serde::Serialize;
use std::path::Path;

/// The grades file names in the batch's output folder.
pub const GRADES_CSV: &str = "grades.csv";
pub const GRADES_JSON: &str = "grades.json";

/// `grades.json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Grades<'a> {
    pub case: &'a str,
    pub seed: u64,
    /// `K/N` for a shard's own grades; absent for a whole class (and after a merge).
    #[serde(serialize_with = "shard_text")]
    pub shard: Option<Shard>,
    /// Sorted by id.
    pub submissions: &'a [SubmissionResult],
}

/// Writes `grades.csv` and `grades.json` into `out`, each atomically; `results` must be
/// sorted by id.
pub fn write_grades(out: &Path, grades: &Grades<'_>) -> std::io::Result<()> {
    let csv = render_csv(grades.submissions).map_err(std::io::Error::other)?;
    write_atomically(&out.join(GRADES_CSV), &csv)?;
    let json = serde_json::to_string_pretty(grades).map_err(std::io::Error::other)?;
    write_atomically(&out.join(GRADES_JSON), format!("{json}\n").as_bytes())
}

/// The CSV: `id,status,score,max`, then each role's points, then each role's points per
/// scenario as `role:scenario`. A role or scenario a submission lacks is an empty cell.
pub fn render_csv(results: &[SubmissionResult]) -> Result<Vec<u8>, csv::Error> {
    let roles: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|role| {
            results
                .iter()
                .any(|result| role_of(result, *role).is_some())
        })
        .collect();
    let mut scenario_columns: Vec<(Role, String)> = Vec::new();
    for &role in &roles {
        for result in results {
            for scenario in role_of(result, role).map_or(&[][..], |r| &r.scenarios[..]) {
                let column = (role, scenario.name.clone());
                if !scenario_columns.contains(&column) {
                    scenario_columns.push(column);
                }
            }
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = ["id", "status", "score", "max"].map(str::to_owned).to_vec();
    header.extend(roles.iter().map(|role| role.name().to_owned()));
    header.extend(
        scenario_columns
            .iter()
            .map(|(role, scenario)| format!("{role}:{scenario}")),
    );
    writer.write_record(&header)?;
    for result in results {
        let mut row = vec![
            result.id.clone(),
            result.status.name().to_owned(),
            number(result.score),
            number(result.max),
        ];
        row.extend(
            roles
                .iter()
                .map(|role| role_of(result, *role).map_or_else(String::new, |r| number(r.points))),
        );
        row.extend(scenario_columns.iter().map(|(role, name)| {
            role_of(result, *role)
                .and_then(|r| r.scenarios.iter().find(|s| s.name == *name))
                .map_or_else(String::new, |s| number(s.points))
        }));
        writer.write_record(&row)?;
    }
    writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))
}

/// The results of the submissions `ids` in `out` (each `out/<id>/result.json`), sorted by
/// id; an id without a result is left out.
pub fn collect_results(out: &Path, ids: &[String]) -> Vec<SubmissionResult> {
    let mut results: Vec<SubmissionResult> = ids
        .iter()
        .filter_map(|id| read_result(&out.join(id)))
        .collect();
    results.sort_by(|a, b| a.id.cmp(&b.id));
    results
}

/// Every result directly below `out` (`out/*/result.json`), sorted by id: what `grader
/// merge` reads from each shard.
pub fn results_under(out: &Path) -> std::io::Result<Vec<SubmissionResult>> {
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(out)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            ids.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    Ok(collect_results(out, &ids))
}

/// Points with two decimals, the same on every machine.
fn number(points: f64) -> String {
    format!("{points:.2}")
}

fn role_of(result: &SubmissionResult, role: Role) -> Option<&super::result::RoleResult> {
    result.roles.iter().find(|r| r.role == role)
}

fn shard_text<S: serde::Serializer>(
    shard: &Option<Shard>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match shard {
        Some(shard) => serializer.serialize_str(&shard.to_string()),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::result::{GradeOf, RoleResult, RoleStatus, ScenarioPoints};

    fn role(role: Role, points: &[(&str, f64)]) -> RoleResult {
        RoleResult {
            role,
            status: RoleStatus::Graded,
            points: points.iter().map(|(_, p)| p).sum(),
            max: 10.0,
            client: None,
            server: None,
            scenarios: points
                .iter()
                .map(|(name, points)| ScenarioPoints {
                    name: (*name).to_owned(),
                    points: *points,
                    max: 5.0,
                })
                .collect(),
            exit_code: Some(0),
            error: None,
        }
    }

    fn submission(id: &str, roles: Vec<RoleResult>) -> SubmissionResult {
        let grade = GradeOf {
            case: "rdt3".to_owned(),
            seed: 1,
            fingerprint: String::new(),
        };
        SubmissionResult::new(id.to_owned(), &grade, roles)
    }

    #[test]
    fn the_csv_has_a_column_per_role_and_per_role_scenario() {
        let results = [
            submission(
                "ada",
                vec![
                    role(Role::Client, &[("no-loss", 5.0), ("lost-packet", 2.5)]),
                    role(Role::Server, &[("no-loss", 5.0), ("lost-packet", 5.0)]),
                ],
            ),
            submission(
                "bob, jr",
                vec![
                    RoleResult::unjudged(
                        Role::Client,
                        10,
                        RoleStatus::NotFound,
                        "not found".to_owned(),
                        &[],
                    ),
                    role(Role::Server, &[("no-loss", 1.0 / 3.0)]),
                ],
            ),
        ];
        let csv = String::from_utf8(render_csv(&results).unwrap()).unwrap();
        assert_eq!(
            csv,
            "id,status,score,max,client,server,client:no-loss,client:lost-packet,\
             server:no-loss,server:lost-packet\n\
             ada,graded,17.50,20.00,7.50,10.00,5.00,2.50,5.00,5.00\n\
             \"bob, jr\",not-found,0.33,20.00,0.00,0.33,,,0.33,\n"
        );
    }

    #[test]
    fn the_json_names_the_shard_or_none() {
        let results = [submission(
            "ada",
            vec![role(Role::Pair, &[("no-loss", 5.0)])],
        )];
        let whole = Grades {
            case: "rdt3",
            seed: 1,
            shard: None,
            submissions: &results,
        };
        let json = serde_json::to_value(&whole).unwrap();
        assert_eq!(json["shard"], serde_json::Value::Null);
        let part = Grades {
            shard: Some(Shard { index: 2, count: 3 }),
            ..whole
        };
        assert_eq!(serde_json::to_value(&part).unwrap()["shard"], "2/3");
    }
}
