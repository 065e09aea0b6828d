//! English ordinals for the handout's "for the nth time" lines: 1st, 2nd, 3rd, 4th, ...
//! 11th, 12th, 13th, ... 21st, 22nd, ... 101st, 111th.

use std::fmt;

/// Displays `n` as an English ordinal: the number and its suffix, no space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ordinal(pub u32);

impl Ordinal {
    /// The suffix: `th` for 11, 12 and 13 in every hundred, else by the last digit.
    pub fn suffix(self) -> &'static str {
        if (11..=13).contains(&(self.0 % 100)) {
            return "th";
        }
        match self.0 % 10 {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        }
    }
}

impl fmt::Display for Ordinal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.0, self.suffix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        for (n, text) in [
            (0, "0th"),
            (1, "1st"),
            (2, "2nd"),
            (3, "3rd"),
            (4, "4th"),
            (10, "10th"),
            (11, "11th"),
            (12, "12th"),
            (13, "13th"),
            (14, "14th"),
            (21, "21st"),
            (22, "22nd"),
            (23, "23rd"),
            (100, "100th"),
            (101, "101st"),
            (102, "102nd"),
            (111, "111th"),
            (112, "112th"),
            (113, "113th"),
            (1001, "1001st"),
            (1011, "1011th"),
        ] {
            assert_eq!(Ordinal(n).to_string(), text);
        }
    }
}
