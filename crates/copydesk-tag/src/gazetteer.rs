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

/// The lengths and first bytes of a set of words, and a bit set of their
/// lengths with their first, second and last bytes: a quick first test of
/// membership, as most words looked up are not in the set and differ from
/// every member in one of these.
#[derive(Debug)]
struct WordShapes {
    /// For each length below [`SHAPE_LENGTHS`], a bit for each first byte
    /// some member of that length starts with.
    shapes: Box<[[u64; 4]; SHAPE_LENGTHS]>,
    /// The bit of [`edge_key`] of every member (a word whose bit is clear
    /// is no member; a set bit may be another word's).
    edges: Box<[u64; EDGE_WORDS]>,
}

/// 64-bit words of [`WordShapes::edges`] (2^14 bits, 2 KB: a few thousand
/// members leave most bits clear).
const EDGE_WORDS: usize = 256;

/// A bit of [`WordShapes::edges`] from a word's length and its first,
/// second and last bytes (a multiplicative hash; equal words, equal bits).
fn edge_key(b: &[u8]) -> usize {
    let byte = |k: Option<&u8>| u32::from(k.copied().unwrap_or(0));
    let mixed = (b.len() as u32).wrapping_mul(0x9E37_79B1)
        ^ (byte(b.first()) << 16)
        ^ (byte(b.get(1)) << 8)
        ^ byte(b.last());
    (mixed.wrapping_mul(0x85EB_CA6B) >> 18) as usize
}

/// Word lengths the shape table covers; longer words always may be members.
const SHAPE_LENGTHS: usize = 32;

impl WordShapes {
    /// Whether `word` has the shape of a member (false: it is not one).
    #[inline]
    fn may_contain(&self, word: &str) -> bool {
        let b = word.as_bytes();
        let shape = match (b.first(), self.shapes.get(b.len())) {
            (Some(&first), Some(row)) => row[usize::from(first >> 6)] & (1 << (first & 63)) != 0,
            _ => true,
        };
        let key = edge_key(b);
        shape && self.edges[key / 64] & (1 << (key % 64)) != 0
    }
}

impl FromIterator<&'static str> for WordShapes {
    fn from_iter<I: IntoIterator<Item = &'static str>>(words: I) -> Self {
        let mut shapes = Box::new([[0u64; 4]; SHAPE_LENGTHS]);
        let mut edges = Box::new([0u64; EDGE_WORDS]);
        for w in words {
            let b = w.as_bytes();
            if let (Some(&first), Some(row)) = (b.first(), shapes.get_mut(b.len())) {
                row[usize::from(first >> 6)] |= 1 << (first & 63);
            }
            let key = edge_key(b);
            edges[key / 64] |= 1 << (key % 64);
        }
        WordShapes { shapes, edges }
    }
}

/// A set of words with the quick test of [`WordShapes`] before hashing.
#[derive(Debug)]
struct WordSet {
    words: FastSet<&'static str>,
    shapes: WordShapes,
}

impl WordSet {
    #[inline]
    fn contains(&self, word: &str) -> bool {
        self.shapes.may_contain(word) && self.words.contains(word)
    }
}

impl FromIterator<&'static str> for WordSet {
    fn from_iter<I: IntoIterator<Item = &'static str>>(words: I) -> Self {
        let words: FastSet<&'static str> = words.into_iter().collect();
        let shapes = words.iter().copied().collect();
        WordSet { words, shapes }
    }
}

/// The loaded gazetteers.
#[derive(Debug)]
pub struct Gazetteer {
    names: AhoCorasick,
    name_labels: Vec<EntityLabel>,
    by_name: FastMap<&'static str, EntityLabel>,
    /// The shapes of the names of `by_name`, a quick first test of lookups.
    name_shapes: WordShapes,
    /// The most words (between spaces) of a name of `by_name`.
    max_name_words: usize,
    /// The most bytes of a name of `by_name`.
    max_name_len: usize,
    org_suffixes: WordSet,
    titles: WordSet,
    title_first_words: WordSet,
    first_names: WordSet,
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
            name_shapes: pairs.iter().map(|(k, _)| *k).collect(),
            name_labels: pairs.iter().map(|(_, v)| *v).collect(),
            max_name_words: by_name
                .keys()
                .map(|k| k.split(' ').filter(|w| !w.is_empty()).count())
                .max()
                .unwrap_or(0),
            max_name_len: by_name.keys().map(|k| k.len()).max().unwrap_or(0),
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
        if !self.name_shapes.may_contain(name) {
            return None;
        }
        self.by_name.get(name).copied()
    }

    /// Whether `word` ends organisation names (`Ministry`, `Corp`, `Initiative`).
    #[inline]
    pub fn is_org_suffix(&self, word: &str) -> bool {
        self.org_suffixes.contains(word)
    }

    /// Whether `phrase` is a person title (`President`, `Prime Minister`, `Mr.`).
    #[inline]
    pub fn is_title(&self, phrase: &str) -> bool {
        self.titles.contains(phrase)
    }

    /// Whether `word` starts a title of several words (`Prime` of `Prime Minister`).
    #[inline]
    pub fn starts_long_title(&self, word: &str) -> bool {
        self.title_first_words.contains(word)
    }

    /// Whether `word` is a listed given name.
    #[inline]
    pub fn is_first_name(&self, word: &str) -> bool {
        self.first_names.contains(word)
    }

    /// Listed names in `text` that stand as whole words, as `(start, end, label)`.
    pub fn find_names(&self, text: &str) -> Vec<(usize, usize, EntityLabel)> {
        let mut out = Vec::new();
        self.each_name(text, |start, end, label| out.push((start, end, label)));
        out
    }

    /// [`Gazetteer::find_names`], handing each name to `found` in order
    /// instead of collecting them (entities looks up every capitalized run).
    pub fn each_name(&self, text: &str, mut found: impl FnMut(usize, usize, EntityLabel)) {
        if !self.names_by_words(text, &mut found) && !self.names_in_ascii(text, &mut found) {
            for (start, end, label) in self.find_names_by_automaton(text) {
                found(start, end, label);
            }
        }
    }

    /// [`Gazetteer::find_names`] of a text of ASCII letters and spaces, as
    /// [`Gazetteer::names_by_words`] finds them; `None` for any other text.
    #[cfg(test)]
    fn find_names_by_words(&self, text: &str) -> Option<Vec<(usize, usize, EntityLabel)>> {
        let mut out = Vec::new();
        self.names_by_words(text, &mut |start, end, label| out.push((start, end, label)))
            .then_some(out)
    }

    /// [`Gazetteer::each_name`] for a text of ASCII letters and spaces
    /// (most capitalized runs: `Prime Minister Imran Khan`), without the
    /// automaton: there a listed name stands as whole words exactly when it
    /// is a sequence of whole words, so every sequence of words is looked
    /// up (a run has a few words; no sequence longer than the longest name
    /// in words). False, having found nothing, for any other text.
    fn names_by_words(
        &self,
        text: &str,
        found: &mut impl FnMut(usize, usize, EntityLabel),
    ) -> bool {
        let bytes = text.as_bytes();
        // The words, on the stack (a capitalized run has at most a dozen).
        let mut spans = [(0usize, 0usize); 16];
        let mut count = 0;
        let mut start: Option<usize> = None;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b' ' {
                if let Some(s) = start.take() {
                    let Some(slot) = spans.get_mut(count) else {
                        return false;
                    };
                    *slot = (s, i);
                    count += 1;
                }
            } else if !b.is_ascii_alphabetic() {
                return false;
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            let Some(slot) = spans.get_mut(count) else {
                return false;
            };
            *slot = (s, bytes.len());
            count += 1;
        }
        let words = &spans[..count];
        // By start, longest first, then the earliest of overlapping ones:
        // the order and choice of the automaton path.
        let mut last_end = 0;
        for (i, &(start, _)) in words.iter().enumerate() {
            if last_end > start {
                continue;
            }
            let longest = (i + self.max_name_words).min(words.len());
            let name = words[i..longest]
                .iter()
                .rev()
                .find_map(|&(_, end)| Some((end, self.listed(&text[start..end])?)));
            if let Some((end, label)) = name {
                last_end = end;
                found(start, end, label);
            }
        }
        true
    }

    /// The label of `name` when it is listed (the shape filter first, then
    /// the map).
    #[inline]
    fn listed(&self, name: &str) -> Option<EntityLabel> {
        self.name_shapes
            .may_contain(name)
            .then(|| self.by_name.get(name).copied())
            .flatten()
    }

    /// [`Gazetteer::each_name`] for any ASCII text (a run with a
    /// possessive, a dot or a hyphen: `Reuters'`, `U.S. Treasury`), without
    /// the automaton: a listed name stands as whole words where the text
    /// between two word edges is a name (an edge: the text's ends, or
    /// between a byte that joins a word and one that does not, letters,
    /// digits and `-` joining, as the automaton's test has it), so from
    /// each start edge the spans up to the longest name's length are
    /// looked up, longest first. False, having found nothing, for a text
    /// that is not ASCII.
    fn names_in_ascii(
        &self,
        text: &str,
        found: &mut impl FnMut(usize, usize, EntityLabel),
    ) -> bool {
        if !text.is_ascii() {
            return false;
        }
        let bytes = text.as_bytes();
        let joins = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
        // The earliest, then longest, of overlapping names, as the
        // automaton path chooses them.
        let mut last_end = 0;
        for start in 0..bytes.len() {
            if last_end > start || start > 0 && joins(bytes[start - 1]) {
                continue;
            }
            let longest = (start + self.max_name_len).min(bytes.len());
            let name = (start + 1..=longest).rev().find_map(|end| {
                if bytes.get(end).is_some_and(|&b| joins(b)) {
                    return None;
                }
                Some((end, self.listed(&text[start..end])?))
            });
            if let Some((end, label)) = name {
                last_end = end;
                found(start, end, label);
            }
        }
        true
    }

    /// [`Gazetteer::find_names`] for any text, with the automaton.
    fn find_names_by_automaton(&self, text: &str) -> Vec<(usize, usize, EntityLabel)> {
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

    proptest::proptest! {
        /// The shape test never turns a member away.
        #[test]
        fn word_sets_answer_as_their_hash_sets(probe in "\\PC{0,12}", pick in 0usize..4000) {
            let g = Gazetteer::global();
            for set in [&g.org_suffixes, &g.titles, &g.title_first_words, &g.first_names] {
                proptest::prop_assert_eq!(set.contains(&probe), set.words.contains(probe.as_str()));
                let members: Vec<&str> = set.words.iter().copied().collect();
                let member = members[pick % members.len()];
                proptest::prop_assert!(set.contains(member));
                // A member with its first or last byte changed is usually not one.
                let mut near = member.to_string();
                near.push('s');
                proptest::prop_assert_eq!(set.contains(&near), set.words.contains(near.as_str()));
            }
        }
    }

    proptest::proptest! {
        /// Runs of letters and spaces find the names the automaton finds.
        #[test]
        fn names_by_words_are_names_by_automaton(
            t in "(New|York|Delhi|South|Asia|Asian|Bank|of|England|Pakistan|China|United|States|Reuters|Prime|Minister|Xyz|new|[A-Z][a-z]{0,3}| {1,2}){0,12}"
        ) {
            let g = Gazetteer::global();
            let by_words = g.find_names_by_words(&t);
            proptest::prop_assert!(by_words.is_some());
            proptest::prop_assert_eq!(by_words, Some(g.find_names_by_automaton(&t)));
        }

        /// ASCII runs with possessives, dots and hyphens find the names
        /// the automaton finds.
        #[test]
        fn names_in_ascii_are_names_by_automaton(
            t in "(New|York|U\\.S\\.|U\\.K\\.|South|Asia|Asian|Bank|of|England|Pakistan|China|Reuters|'s|'|-|\\.|,|&|St|Co|Inc|[A-Z][a-z]{0,3}|[ -~]{1,3}| {1,2}){0,12}"
        ) {
            let g = Gazetteer::global();
            let mut by_bytes = Vec::new();
            let ascii = g.names_in_ascii(&t, &mut |s, e, label| by_bytes.push((s, e, label)));
            proptest::prop_assert!(ascii);
            proptest::prop_assert_eq!(&by_bytes, &g.find_names_by_automaton(&t));
            proptest::prop_assert_eq!(g.find_names(&t), by_bytes);
        }

        #[test]
        fn find_names_is_the_automaton_on_any_text(t in "\\PC{0,40}") {
            let g = Gazetteer::global();
            proptest::prop_assert_eq!(g.find_names(&t), g.find_names_by_automaton(&t));
        }
    }

    proptest::proptest! {
        /// The shape tests never turn a listed name away: `label_of` is
        /// the map's answer for any probe, every name and near misses.
        #[test]
        fn label_of_answers_as_the_name_map(probe in "\\PC{0,14}", pick in 0usize..5000, cut in 0usize..3) {
            let g = Gazetteer::global();
            proptest::prop_assert_eq!(g.label_of(&probe), g.by_name.get(probe.as_str()).copied());
            let mut names: Vec<&str> = g.by_name.keys().copied().collect();
            names.sort_unstable();
            let name = names[pick % names.len()];
            proptest::prop_assert_eq!(g.label_of(name), Some(g.by_name[name]));
            let keep = (0..=name.len() - cut.min(name.len()))
                .rev()
                .find(|&k| name.is_char_boundary(k))
                .unwrap_or(0);
            let near = format!("{}{}", &name[..keep], &probe);
            let near = near.as_str();
            proptest::prop_assert_eq!(g.label_of(near), g.by_name.get(near).copied());
        }
    }

    #[test]
    fn every_listed_name_is_found_by_words_as_by_automaton() {
        let g = Gazetteer::global();
        assert!(g.max_name_words >= 3, "{}", g.max_name_words);
        for &name in g.by_name.keys() {
            for t in [name.to_string(), format!("The {name} Of Xyz")] {
                if let Some(by_words) = g.find_names_by_words(&t) {
                    assert_eq!(by_words, g.find_names_by_automaton(&t), "{t:?}");
                }
            }
            for t in [format!("{name}'s"), format!("The U.S. {name}-Xyz, {name}.")] {
                let mut by_bytes = Vec::new();
                if g.names_in_ascii(&t, &mut |s, e, label| by_bytes.push((s, e, label))) {
                    assert_eq!(by_bytes, g.find_names_by_automaton(&t), "{t:?}");
                }
            }
            if let Some(by_words) = g.find_names_by_words(name) {
                assert_eq!(by_words, [(0, name.len(), g.by_name[name])], "{name:?}");
            }
        }
    }

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
