//! "Did you mean …?": the closest known name to a misspelt one.

/// The candidate closest to `word` by edit distance (insertions, deletions, substitutions and
/// swaps of two neighbours each count one), if it is close enough to be a plausible typo:
/// at most one edit for words up to 4 characters, two up to 8, three beyond. Ties go to the
/// earlier candidate.
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let limit = match word.chars().count() {
        0 => return None,
        1..=4 => 1,
        5..=8 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let d = distance(word, candidate);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal-string-alignment distance between `a` and `b`, over chars.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: two back (for swaps), previous, current.
    let mut older = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(older[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut older, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("proc.nmae", "proc.name"), 1);
        assert_eq!(distance("contain", "contains"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("same", "same"), 0);
    }

    #[test]
    fn closest_takes_the_nearest_plausible_name() {
        let names = ["proc.name", "proc.pname", "fd.name"];
        assert_eq!(closest("proc.nmae", names), Some("proc.name"));
        assert_eq!(closest("fd.nam", names), Some("fd.name"));
        assert_eq!(closest("xyz", names), None);
        assert_eq!(closest("", names), None);
    }
}
