//! `--shard K/N`: one machine's share of a class, so N machines (a CI job with
//! `parallel: N`) grade it together and `grader merge` joins their results.
//!
//! Shard K takes the submissions whose position in the id-sorted list is K−1 modulo N:
//! every submission belongs to exactly one shard, and the split depends only on the ids.

use serde::Serialize;
use std::str::FromStr;

/// Shard `index` of `count`, both from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Whether the submission at `position` (from 0) of the id-sorted list is this shard's.
    pub fn selects(self, position: usize) -> bool {
        position % self.count == self.index - 1
    }

    /// This shard's part of `sorted`, which must be sorted by id.
    pub fn select<T>(self, sorted: Vec<T>) -> Vec<T> {
        sorted
            .into_iter()
            .enumerate()
            .filter(|(position, _)| self.selects(*position))
            .map(|(_, item)| item)
            .collect()
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let invalid = || format!("`{text}` is not a shard K/N with 1 ≤ K ≤ N, e.g. 1/4");
        let (index, count) = text.split_once('/').ok_or_else(invalid)?;
        let index: usize = index.trim().parse().map_err(|_| invalid())?;
        let count: usize = count.trim().parse().map_err(|_| invalid())?;
        if index == 0 || index > count {
            return Err(invalid());
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_split_the_sorted_list_round_robin_and_cover_it_once() {
        let ids: Vec<u32> = (0..7).collect();
        let first = "1/3".parse::<Shard>().unwrap().select(ids.clone());
        let second = "2/3".parse::<Shard>().unwrap().select(ids.clone());
        let third = "3/3".parse::<Shard>().unwrap().select(ids.clone());
        assert_eq!(first, [0, 3, 6]);
        assert_eq!(second, [1, 4]);
        assert_eq!(third, [2, 5]);
        let whole = "1/1".parse::<Shard>().unwrap().select(ids.clone());
        assert_eq!(whole, ids);
    }

    #[test]
    fn a_shard_outside_its_count_is_refused() {
        for text in ["0/2", "3/2", "1", "a/2", "1/0", ""] {
            assert!(text.parse::<Shard>().is_err(), "{text}");
        }
        assert_eq!(" 2/ 4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
    }
}
