//! The word lists shipped in `data/` (written for this crate; same licence
//! as the crate), loaded once and matched with aho-corasick.

use crate::fasthash::{FastMap, FastSet};
use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::OnceLock;

/// An entity type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityLabel {
    /// A person.
    Person,
    /// An organisation, agency, company or institution.
    Org,
    /// A geopolitical entity or place: country, region, city.
    Gpe,
    /// A nationality, religious or political group (`Chinese`, `Pakistani`).
    Norp,
    /// A proper name of another or unknown kind.
    Misc,
}

impl EntityLabel {
    /// The annotation label (`PERSON`, `ORG`, `GPE`, `NORP`, `MISC`).
    pub fn as_str(self) -> &'static str {
        match self {
            EntityLabel::Person => "PERSON",
            EntityLabel::Org => "ORG",
            EntityLabel::Gpe => "GPE",
            EntityLabel::Norp => "NORP",
            EntityLabel::Misc => "MISC",
        }
    }
}

const COUNTRIES: &str = include_str!("../data/countries.txt");
const CITIES: &str = include_str!("../data/cities.txt");
const NATIONALITIES: &str = include_str!("../data/nationalities.txt");
const ORGANISATIONS: &str = include_str!("../data/organisations.txt");
const ORG_SUFFIXES: &str = include_str!("../data/org_suffixes.txt");
const PERSON_TITLES: &str = include_str!("../data/person_titles.txt");
const FIRST_NAMES: &str = include_str!("../data/first_names.txt");

fn entries(list: &'static str) -> impl Iterator<Item = &'static str> {
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The loaded gazetteers.
#[derive(Debug)]
pub struct Gazetteer {
    names: AhoCorasick,
    name_labels: Vec<EntityLabel>,
    by_name: FastMap<&'static str, EntityLabel>,
    org_suffixes: FastSet<&'static str>,
    titles: FastSet<&'static str>,
    title_first_words: FastSet<&'static str>,
    first_names: FastSet<&'static str>,
}

impl Gazetteer {
    /// The shared gazetteer, built on first use.
    pub fn global() -> &'static Gazetteer {
        static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
        GAZETTEER.get_or_init(Gazetteer::build)
    }

    fn build() -> Gazetteer {
        let mut by_name: FastMap<&'static str, EntityLabel> = FastMap::default();
        // Later lists do not override earlier ones: a name that is both a
        // country and an organisation (`Congress`?) keeps its first label.
        for (list, label) in [
            (ORGANISATIONS, EntityLabel::Org),
            (COUNTRIES, EntityLabel::Gpe),
            (CITIES, EntityLabel::Gpe),
            (NATIONALITIES, EntityLabel::Norp),
        ] {
            for name in entries(list) {
                by_name.entry(name).or_insert(label);
            }
        }
        let mut pairs: Vec<(&'static str, EntityLabel)> =
            by_name.iter().map(|(k, v)| (*k, *v)).collect();
        pairs.sort_unstable_by_key(|(k, _)| *k);
        let names = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(pairs.iter().map(|(k, _)| *k))
            // The patterns are the static lists above, far below any limit of
            // the automaton, and a unit test builds them.
            .expect("the shipped gazetteer lists build an automaton");
        Gazetteer {
            names,
            name_labels: pairs.iter().map(|(_, v)| *v).collect(),
            by_name,
            org_suffixes: entries(ORG_SUFFIXES).collect(),
            titles: entries(PERSON_TITLES).collect(),
            title_first_words: entries(PERSON_TITLES)
                .filter_map(|t| t.split_once(' ').map(|(first, _)| first))
                .collect(),
            first_names: entries(FIRST_NAMES).collect(),
        }
    }

    /// The label of a name exactly as listed (`"Pakistan"` → GPE).
    pub fn label_of(&self, name: &str) -> Option<EntityLabel> {
        self.by_name.get(name).copied()
    }

    /// Whether `word` ends organisation names (`Ministry`, `Corp`, `Initiative`).
    pub fn is_org_suffix(&self, word: &str) -> bool {
        self.org_suffixes.contains(word)
    }

    /// Whether `phrase` is a person title (`President`, `Prime Minister`, `Mr.`).
    pub fn is_title(&self, phrase: &str) -> bool {
        self.titles.contains(phrase)
    }

    /// Whether `word` starts a title of several words (`Prime` of `Prime Minister`).
    pub fn starts_long_title(&self, word: &str) -> bool {
        self.title_first_words.contains(word)
    }

    /// Whether `word` is a listed given name.
    pub fn is_first_name(&self, word: &str) -> bool {
        self.first_names.contains(word)
    }

    /// Listed names in `text` that stand as whole words, as `(start, end, label)`.
    pub fn find_names(&self, text: &str) -> Vec<(usize, usize, EntityLabel)> {
        // Overlapping search, so that a longer name failing the word test
        // ("South Asia" in "South Asian") does not hide a shorter one.
        let mut found: Vec<(usize, usize, EntityLabel)> = self
            .names
            .find_overlapping_iter(text)
            .filter(|m| {
                let before_ok = text[..m.start()]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric() && c != '-');
                let after_ok = text[m.end()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric() && c != '-');
                before_ok && after_ok
            })
            .map(|m| (m.start(), m.end(), self.name_labels[m.pattern().as_usize()]))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut out: Vec<(usize, usize, EntityLabel)> = Vec::with_capacity(found.len());
        for m in found {
            if out.last().is_none_or(|last| last.1 <= m.0) {
                out.push(m);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_load_with_enough_entries() {
        let g = Gazetteer::global();
        let count = |label| g.by_name.values().filter(|&&l| l == label).count();
        assert!(count(EntityLabel::Gpe) > 450, "{}", count(EntityLabel::Gpe));
        assert!(count(EntityLabel::Norp) > 150);
        assert!(count(EntityLabel::Org) > 100);
        assert_eq!(g.label_of("Pakistan"), Some(EntityLabel::Gpe));
        assert_eq!(g.label_of("Chinese"), Some(EntityLabel::Norp));
        assert_eq!(g.label_of("Reuters"), Some(EntityLabel::Org));
        assert!(g.is_org_suffix("Corridor") && g.is_title("Premier") && g.is_first_name("Asif"));
    }

    #[test]
    fn names_match_whole_words_only() {
        let g = Gazetteer::global();
        let t = "Omani and Chinese visitors in New Delhi, not Chinesexyz or Pakistan-based. South Asians";
        let found: Vec<&str> = g.find_names(t).iter().map(|&(s, e, _)| &t[s..e]).collect();
        assert_eq!(found, ["Omani", "Chinese", "New Delhi", "Asians"]);
    }
}
