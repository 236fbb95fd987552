//! The explicit registry of every stage copydesk ships.

use copydesk_core::StageFactory;
use std::sync::OnceLock;

/// Every registered stage, in family order (load, clean, tag, spin, provenance, report).
pub fn registry() -> &'static [StageFactory] {
    static REGISTRY: OnceLock<Vec<StageFactory>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut all = Vec::new();
        all.extend(copydesk_load::factories());
        all.extend(copydesk_clean::factories());
        all.extend(copydesk_tag::factories());
        all.extend(copydesk_spin::factories());
        all.extend(copydesk_provenance::factories());
        all.extend(copydesk_report::factories());
        all
    })
}

/// The stage registered under `name`.
pub fn find_stage(name: &str) -> Option<&'static StageFactory> {
    registry().iter().find(|f| f.name == name)
}

/// Registered names closest to `name` (for "did you mean" hints).
pub(crate) fn suggest(name: &str) -> Option<&'static str> {
    registry()
        .iter()
        .map(|f| (edit_distance(name, f.name), f.name))
        .filter(|(d, n)| *d <= 3.max(n.len() / 4))
        .min()
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_are_unique_and_versioned() {
        let mut names: Vec<&str> = registry().iter().map(|f| f.name).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "duplicate stage names");
    }

    #[test]
    fn every_registered_stage_passes_the_factory_checks() {
        for f in registry() {
            copydesk_core::testing::check_factory(f);
        }
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("tag.quotz.v1", "tag.quotes.v1"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
