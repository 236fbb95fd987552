//! Synonym dictionaries read in reverse: which words could a spinner have
//! replaced by this word?
//!
//! A spinner maps an original word `o` to one of its synonyms `s`. Reading a
//! dictionary in reverse gives, for a word `s` found in a text, every `o`
//! whose synonym list holds `s`, with the size of that list (the number of
//! choices the spinner had, used as the channel probability `1/fanout`).

use crate::language_model::WordHash;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// One original the spun wording may have replaced.
#[derive(Debug, Clone, PartialEq)]
pub struct Original {
    /// The original lemma (lowercase; may be a phrase), shared between entries.
    pub lemma: Arc<str>,
    /// How many synonyms the original has in the dictionary.
    pub fanout: u32,
    /// The spun wording's rank among the original's synonyms by corpus
    /// frequency (1 = the commonest); `fanout` until ranked.
    pub rank: u32,
}

/// A reverse synonym dictionary over lowercase lemmas and phrases.
#[derive(Debug, Default)]
pub struct ReverseThesaurus {
    /// The dictionary's name (`"wordnet"`, `"moby"`, a file name).
    pub name: String,
    map: HashMap<String, Vec<Original>, WordHash>,
    lemmas: HashMap<String, Arc<str>, WordHash>,
    longest: usize,
}

impl ReverseThesaurus {
    /// An empty dictionary.
    pub fn new(name: impl Into<String>) -> Self {
        ReverseThesaurus {
            name: name.into(),
            ..ReverseThesaurus::default()
        }
    }

    /// Records that the spinner may write `spun` for `original`.
    pub fn add(&mut self, original: &str, spun: &str, fanout: u32) {
        let original = normalize(original);
        if original.is_empty() {
            return;
        }
        let lemma = self.intern(&original);
        self.add_interned(&lemma, spun, fanout);
    }

    fn intern(&mut self, lemma: &str) -> Arc<str> {
        match self.lemmas.get(lemma) {
            Some(l) => Arc::clone(l),
            None => {
                let l: Arc<str> = Arc::from(lemma);
                self.lemmas.insert(lemma.to_string(), Arc::clone(&l));
                l
            }
        }
    }

    fn add_interned(&mut self, lemma: &Arc<str>, spun: &str, fanout: u32) {
        let spun = normalize(spun);
        if spun.is_empty() || **lemma == *spun {
            return;
        }
        let entry = match self.map.get_mut(spun.as_ref()) {
            Some(entry) => entry,
            None => {
                self.longest = self.longest.max(spun.split(' ').count());
                self.map.entry(spun.to_string()).or_default()
            }
        };
        // Short lists are kept free of duplicates as they grow; long ones
        // are deduplicated once at the end of loading (see `finish`).
        if entry.len() < 16
            && let Some(o) = entry.iter_mut().find(|o| Arc::ptr_eq(&o.lemma, lemma))
        {
            o.fanout = o.fanout.min(fanout);
            return;
        }
        entry.push(Original {
            lemma: Arc::clone(lemma),
            fanout,
            rank: fanout,
        });
    }

    /// Removes duplicate originals (keeping the smallest fanout) and sorts
    /// each list by original, so [`ReverseThesaurus::lists`] can search it.
    pub fn finish(mut self) -> Self {
        self.lemmas = HashMap::default();
        for list in self.map.values_mut() {
            list.sort_by(|a, b| a.lemma.cmp(&b.lemma).then(a.fanout.cmp(&b.fanout)));
            list.dedup_by(|later, first| later.lemma == first.lemma);
        }
        self
    }

    /// Whether the dictionary lets a spinner write `spun` for `original`
    /// (after [`ReverseThesaurus::finish`]).
    pub fn lists(&self, spun: &str, original: &str) -> bool {
        self.originals(spun)
            .binary_search_by(|o| (*o.lemma).cmp(original))
            .is_ok()
    }

    /// The first words of the multiword wordings a spinner may write.
    pub fn phrase_first_words(&self) -> impl Iterator<Item = &str> {
        self.map
            .keys()
            .filter_map(|k| k.split_once(' ').map(|(first, _)| first))
    }

    /// Ranks each spun wording among its original's synonyms by `freq`
    /// (higher is commoner): spinners that favour common synonyms write
    /// the top-ranked ones far more often.
    pub fn rank_by(mut self, freq: impl Fn(&str) -> f64) -> Self {
        // For each original (by its shared lemma), the frequencies of every
        // wording that may stand for it, commonest first.
        let lemma_key = |o: &Original| (Arc::as_ptr(&o.lemma) as *const u8 as usize) >> 3;
        let mut forward: HashMap<usize, Vec<f64>, WordHash> =
            HashMap::with_capacity_and_hasher(self.map.len(), WordHash::default());
        for (spun, list) in &self.map {
            let f = freq(spun);
            for o in list {
                forward.entry(lemma_key(o)).or_default().push(f);
            }
        }
        for list in forward.values_mut() {
            list.sort_by(|a, b| b.total_cmp(a));
        }
        for (spun, list) in &mut self.map {
            let f = freq(spun);
            for o in list.iter_mut() {
                let above = forward
                    .get(&lemma_key(o))
                    .map_or(0, |l| l.partition_point(|&x| x > f));
                o.rank = above as u32 + 1;
            }
        }
        self
    }

    /// Adds a group of mutual synonyms (a WordNet synset, a line of a
    /// user's dictionary): each member may replace each other.
    pub fn add_group(&mut self, members: &[&str]) {
        let fanout = members.len().saturating_sub(1).max(1) as u32;
        for a in members {
            for b in members {
                self.add(a, b, fanout);
            }
        }
    }

    /// Adds a root with its synonym list (a Moby line): each synonym may
    /// stand for the root.
    pub fn add_root(&mut self, root: &str, synonyms: &[&str]) {
        let fanout = synonyms.len().max(1) as u32;
        let root = normalize(root);
        if root.is_empty() {
            return;
        }
        let lemma = self.intern(&root);
        for s in synonyms {
            self.add_interned(&lemma, s, fanout);
        }
    }

    /// Parses `pos<TAB>a|b|c` synset lines (the POS column is optional).
    pub fn from_groups(name: &str, text: &str) -> Self {
        let mut t = ReverseThesaurus::new(name);
        for line in text.lines() {
            let body = line.rsplit('\t').next().unwrap_or(line);
            let members: Vec<&str> = body.split('|').map(str::trim).collect();
            t.add_group(&members);
        }
        t.finish()
    }

    /// Parses `root|syn|syn` lines.
    pub fn from_roots(name: &str, text: &str) -> Self {
        let mut t = ReverseThesaurus::new(name);
        for line in text.lines() {
            let mut it = line.split('|').map(str::trim);
            if let Some(root) = it.next() {
                let syns: Vec<&str> = it.collect();
                t.add_root(root, &syns);
            }
        }
        t.finish()
    }

    /// The originals a spun lemma may stand for.
    pub fn originals(&self, spun: &str) -> &[Original] {
        self.map.get(spun).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every spun wording with the originals it may stand for.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &[Original])> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The longest spun phrase, in words.
    pub fn longest(&self) -> usize {
        self.longest
    }

    /// Number of spun entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the dictionary is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Lowercases and collapses whitespace.
pub fn normalize(s: &str) -> Cow<'_, str> {
    let clean = s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'\'' || b == b' ')
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ");
    if clean {
        return Cow::Borrowed(s);
    }
    s.split_whitespace()
        .map(crate::tokens::fold_word)
        .collect::<Vec<_>>()
        .join(" ")
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `rank_by` as it was before it hashed lemmas by pointer with
    /// `WordHash` and ranked in place: the reference for the property test.
    fn rank_by_reference(mut t: ReverseThesaurus, freq: impl Fn(&str) -> f64) -> ReverseThesaurus {
        let freqs: std::collections::HashMap<&str, f64> =
            t.map.keys().map(|k| (k.as_str(), freq(k))).collect();
        let mut forward: std::collections::HashMap<usize, Vec<f64>> = Default::default();
        for (spun, list) in &t.map {
            let f = freqs.get(spun.as_str()).copied().unwrap_or(f64::MIN);
            for o in list {
                forward
                    .entry(Arc::as_ptr(&o.lemma) as *const u8 as usize)
                    .or_default()
                    .push(f);
            }
        }
        for list in forward.values_mut() {
            list.sort_by(|a, b| b.total_cmp(a));
        }
        let ranks: Vec<(String, Vec<u32>)> = t
            .map
            .iter()
            .map(|(spun, list)| {
                let f = freqs.get(spun.as_str()).copied().unwrap_or(f64::MIN);
                let r = list
                    .iter()
                    .map(|o| {
                        let key = Arc::as_ptr(&o.lemma) as *const u8 as usize;
                        forward
                            .get(&key)
                            .map_or(0, |l| l.partition_point(|&x| x > f))
                            as u32
                            + 1
                    })
                    .collect();
                (spun.clone(), r)
            })
            .collect();
        for (spun, r) in ranks {
            if let Some(list) = t.map.get_mut(&spun) {
                for (o, rank) in list.iter_mut().zip(r) {
                    o.rank = rank;
                }
            }
        }
        t
    }

    fn ranks(t: &ReverseThesaurus) -> Vec<(String, String, u32)> {
        let mut out: Vec<_> = t
            .entries()
            .flat_map(|(spun, list)| {
                list.iter()
                    .map(move |o| (spun.to_string(), o.lemma.to_string(), o.rank))
            })
            .collect();
        out.sort();
        out
    }

    proptest! {
        #[test]
        fn rank_by_ranks_as_before(
            lines in proptest::collection::vec(
                proptest::collection::vec("[a-e]{1,2}( [a-c])?", 1..6), 1..30),
            groups in any::<bool>(),
        ) {
            let text: String = lines.iter().map(|l| l.join("|") + "\n").collect();
            let build = || if groups {
                ReverseThesaurus::from_groups("t", &text)
            } else {
                ReverseThesaurus::from_roots("t", &text)
            };
            // Ties are common with so few distinct lengths and letters.
            let freq = |w: &str| (w.len() % 3) as f64 + if w.starts_with('a') { 0.5 } else { 0.0 };
            prop_assert_eq!(
                ranks(&build().rank_by(freq)),
                ranks(&rank_by_reference(build(), freq))
            );
        }
    }

    #[test]
    fn groups_read_both_ways() {
        let t = ReverseThesaurus::from_groups("t", "noun\tsecurity|safety|protection\n");
        let o = t.originals("safety");
        assert!(o.iter().any(|o| &*o.lemma == "security" && o.fanout == 2));
        assert!(
            t.originals("security")
                .iter()
                .any(|o| &*o.lemma == "safety")
        );
    }

    #[test]
    fn lists_finds_pairs_after_finish() {
        let t = ReverseThesaurus::from_roots("m", "city|town|metropolis|big apple\ntown|city\n");
        assert!(t.lists("metropolis", "city"));
        assert!(t.lists("city", "town") && t.lists("town", "city"));
        assert!(!t.lists("city", "metropolis"));
        assert_eq!(t.phrase_first_words().collect::<Vec<_>>(), ["big"]);
    }

    #[test]
    fn roots_read_in_reverse_only() {
        let t = ReverseThesaurus::from_roots("m", "city|metropolis|town\n");
        assert_eq!(&*t.originals("metropolis")[0].lemma, "city");
        assert!(t.originals("city").is_empty());
        assert_eq!(t.longest(), 1);
    }
}
