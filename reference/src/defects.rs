//! A peer's set of deliberate defects, shared by every assignment.
//!
//! The machines ask it by name, so they read as the textbook plus `if defects.has(...)` at
//! exactly the places a defect bites.

/// A set of defects of one peer (`D` is its defect enum); the known-good peer's is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defects<D> {
    active: Vec<D>,
}

impl<D: Copy + Ord> Defects<D> {
    /// No defects: the known-good peer.
    pub const fn none() -> Self {
        Defects { active: Vec::new() }
    }

    /// The given defects; repeats are harmless.
    pub fn new(defects: &[D]) -> Self {
        let mut active = defects.to_vec();
        active.sort_unstable();
        active.dedup();
        Defects { active }
    }

    /// Whether `defect` is active.
    pub fn has(&self, defect: D) -> bool {
        self.active.binary_search(&defect).is_ok()
    }

    /// The active defects, in a fixed order.
    pub fn iter(&self) -> impl Iterator<Item = D> + '_ {
        self.active.iter().copied()
    }
}

impl<D: Copy + Ord> Default for Defects<D> {
    fn default() -> Self {
        Self::none()
    }
}

/// The `--defect` values of a defect enum, as the command line spells them (for the tests
/// that pin each peer's interface).
#[cfg(test)]
pub(crate) fn command_line_names<V: clap::ValueEnum>() -> Vec<String> {
    V::value_variants()
        .iter()
        .filter_map(clap::ValueEnum::to_possible_value)
        .map(|value| value.get_name().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Defect {
        Early,
        Late,
        Loud,
    }

    #[test]
    fn set_membership() {
        let defects = Defects::new(&[Defect::Loud, Defect::Early]);
        assert!(defects.has(Defect::Loud));
        assert!(defects.has(Defect::Early));
        assert!(!defects.has(Defect::Late));
        assert!(!Defects::none().has(Defect::Early));
    }

    #[test]
    fn repeats_collapse_into_a_fixed_order() {
        let defects = Defects::new(&[Defect::Loud, Defect::Early, Defect::Loud]);
        assert_eq!(
            defects.iter().collect::<Vec<_>>(),
            [Defect::Early, Defect::Loud]
        );
    }
}
