//! Turning a case's scenarios into the runs the harness performs.

use super::model::{Case, Scenario};

/// One run of one scenario: a scenario repeated five times is five runs, each with its own
/// random streams.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRun {
    /// Index into `Case::scenarios`.
    pub scenario: usize,
    /// 1-based repetition.
    pub repetition: u32,
    /// The name reports and seeds use: `lossy-soak#3` for a repeated scenario, else the
    /// scenario's name.
    pub key: String,
}

/// The runs of the selected scenarios (all when `only` is empty), in case order.
pub fn plan_runs<A>(case: &Case<A>, only: &[String]) -> Result<Vec<PlannedRun>, String> {
    for wanted in only {
        let base = wanted.split('#').next().unwrap_or(wanted);
        if !case.scenarios.iter().any(|s| s.name.value == base) {
            let names: Vec<&str> = case
                .scenarios
                .iter()
                .map(|s| s.name.value.as_str())
                .collect();
            return Err(format!(
                "no scenario named `{wanted}` in case `{}` (scenarios: {})",
                case.name,
                names.join(", ")
            ));
        }
    }
    let mut runs = Vec::new();
    for (index, scenario) in case.scenarios.iter().enumerate() {
        for repetition in 1..=scenario.repeat {
            let key = run_key(scenario, repetition);
            let selected = only.is_empty()
                || only
                    .iter()
                    .any(|wanted| *wanted == scenario.name.value || *wanted == key);
            if selected {
                runs.push(PlannedRun {
                    scenario: index,
                    repetition,
                    key,
                });
            }
        }
    }
    Ok(runs)
}

fn run_key(scenario: &Scenario, repetition: u32) -> String {
    if scenario.repeat == 1 {
        scenario.name.value.clone()
    } else {
        format!("{}#{repetition}", scenario.name.value)
    }
}
