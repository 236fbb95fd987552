//! A bigram language model over lowercase words, from embedded counts.
//!
//! Counts come from symspellpy's English frequency lists (Google Books
//! n-grams). The bigram list holds only the most frequent bigrams (its
//! smallest count is the cut-off), so an absent bigram is known to be rarer
//! than the cut-off: its estimate is capped by `cutoff / count(left)`.

use crate::tables::{PairTable, WordTable};
use std::hash::{BuildHasherDefault, Hasher};

/// A fast multiplicative hasher for short string keys (words, phrases):
/// eight bytes per step, like rustc's FxHash. Not for untrusted keys
/// where collisions could be forced; the keys here are words.
#[derive(Default, Clone, Copy)]
pub struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(n)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Hash-map builder for word-keyed maps.
pub type WordHash = BuildHasherDefault<WordHasher>;

/// A word's index in the vocabulary (`None` for unknown words).
pub type WordId = Option<u32>;

/// Unigram and bigram counts with a smoothed conditional probability.
#[derive(Debug, Default)]
pub struct LanguageModel {
    ids: WordTable,
    log_counts: Vec<f32>,
    bigrams: PairTable,
    /// Per word, the largest `log P(b | word)` over every `b`
    /// (attested or backed off): an upper bound for bigrams leaving it.
    max_out: Vec<f32>,
    /// Per word, the largest `log P(word | a)` over every `a`: an upper
    /// bound for bigrams entering it.
    max_in: Vec<f32>,
    log_total: f64,
    log_cutoff: f64,
    log_unknown: f64,
}

/// How much of a word's unigram probability an unattested bigram keeps.
const BACKOFF: f64 = 0.4;

fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

impl LanguageModel {
    /// Builds the model from `word count` lines and `w1 w2 count` lines.
    pub fn from_text(unigrams: &str, bigrams: &str) -> Self {
        let mut lm = LanguageModel {
            ids: WordTable::with_capacity(unigrams.lines().count()),
            bigrams: PairTable::with_capacity(bigrams.lines().count()),
            ..LanguageModel::default()
        };
        let mut total = 0.0f64;
        let mut min_count = f64::MAX;
        for line in unigrams.lines() {
            let mut it = line.split_whitespace();
            let (Some(w), Some(c)) = (it.next(), it.next().and_then(|c| c.parse::<f64>().ok()))
            else {
                continue;
            };
            let w = w.to_lowercase();
            if c <= 0.0 || !lm.ids.push(&w) {
                continue;
            }
            lm.log_counts.push(c.ln() as f32);
            total += c;
            min_count = min_count.min(c);
        }
        let mut cutoff = f64::MAX;
        for line in bigrams.lines() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [a, b, c] = parts.as_slice() else {
                continue;
            };
            let (Some(a), Some(b), Ok(c)) = (
                lm.ids.id(&a.to_lowercase()),
                lm.ids.id(&b.to_lowercase()),
                c.parse::<f64>(),
            ) else {
                continue;
            };
            if c > 0.0 {
                lm.bigrams.insert(pair(a, b), c.ln() as f32);
                cutoff = cutoff.min(c);
            }
        }
        lm.log_total = total.max(1.0).ln();
        lm.log_cutoff = if cutoff == f64::MAX { 0.0 } else { cutoff.ln() };
        lm.log_unknown = if min_count == f64::MAX {
            0.0
        } else {
            (min_count / 2.0).ln()
        };
        lm.fill_bounds();
        lm
    }

    /// This model with a domain's counts added: `text` holds `word count`
    /// and `word word count` lines (as [`LanguageModel::from_text`] reads
    /// them, in one text), scaled so that the domain's words weigh
    /// `weight` times the model's own total (`#` starts a comment line).
    /// The vocabulary (and every word's id) stays the model's own: domain
    /// words outside it count in the domain's total only. The cut-off
    /// below which an absent bigram is capped stays the model's own, so
    /// the estimate of a bigram the domain never shows does not fall.
    /// `crate::ngrams::NgramCounts` writes such text.
    pub fn blended(&self, text: &str, weight: f64) -> LanguageModel {
        let mut unigrams: Vec<(u32, f64)> = Vec::new();
        let mut bigrams: Vec<(u64, f64)> = Vec::new();
        let mut domain_total = 0.0f64;
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut fields = line.split_whitespace();
            let (Some(a), Some(b)) = (fields.next(), fields.next()) else {
                continue;
            };
            match fields.next() {
                None => {
                    let Ok(c) = b.parse::<f64>() else { continue };
                    if !c.is_finite() || c <= 0.0 {
                        continue;
                    }
                    domain_total += c;
                    if let Some(id) = self.ids.id(&a.to_lowercase()) {
                        unigrams.push((id, c));
                    }
                }
                Some(c) => {
                    let Ok(c) = c.parse::<f64>() else { continue };
                    if !c.is_finite() || c <= 0.0 {
                        continue;
                    }
                    if let (Some(ia), Some(ib)) = (
                        self.ids.id(&a.to_lowercase()),
                        self.ids.id(&b.to_lowercase()),
                    ) {
                        bigrams.push((pair(ia, ib), c));
                    }
                }
            }
        }
        let mut lm = LanguageModel {
            ids: self.ids.clone(),
            log_counts: self.log_counts.clone(),
            bigrams: self.bigrams.clone(),
            max_out: Vec::new(),
            max_in: Vec::new(),
            log_total: self.log_total,
            log_cutoff: self.log_cutoff,
            log_unknown: self.log_unknown,
        };
        if domain_total <= 0.0 || !weight.is_finite() || weight <= 0.0 {
            lm.fill_bounds();
            return lm;
        }
        let scale = weight * self.log_total.exp() / domain_total;
        let add = |log_old: Option<f32>, c: f64| -> f32 {
            let old = log_old.map_or(0.0, |l| f64::from(l).exp());
            (old + scale * c).ln() as f32
        };
        for (id, c) in unigrams {
            if let Some(slot) = lm.log_counts.get_mut(id as usize) {
                *slot = add(Some(*slot), c);
            }
        }
        for (key, c) in bigrams {
            let v = add(lm.bigrams.get(key), c);
            lm.bigrams.insert(key, v);
        }
        lm.log_total = (self.log_total.exp() * (1.0 + weight)).ln();
        lm.fill_bounds();
        lm
    }

    /// Computes `max_out` and `max_in` from the counts, rounded up to the
    /// next `f32` so that they bound the `f64` estimates.
    fn fill_bounds(&mut self) {
        let n = self.log_counts.len();
        let max_log_prob = (0..n as u32)
            .map(|i| self.log_prob_id(Some(i)))
            .fold(self.log_unknown - self.log_total, f64::max);
        let mut max_out: Vec<f64> = (0..n as u32)
            .map(|a| {
                (BACKOFF.ln() + max_log_prob).min(self.log_cutoff - self.log_count_id(Some(a)))
            })
            .collect();
        let mut max_in: Vec<f64> = (0..n as u32)
            .map(|b| BACKOFF.ln() + self.log_prob_id(Some(b)))
            .collect();
        for (key, c) in self.bigrams.iter() {
            let (a, b) = ((key >> 32) as usize, (key & 0xffff_ffff) as usize);
            let lp = f64::from(c) - self.log_count_id(Some(a as u32));
            if let Some(m) = max_out.get_mut(a) {
                *m = m.max(lp);
            }
            if let Some(m) = max_in.get_mut(b) {
                *m = m.max(lp);
            }
        }
        let up = |x: f64| (x + 1e-4) as f32;
        self.max_out = max_out.into_iter().map(up).collect();
        self.max_in = max_in.into_iter().map(up).collect();
    }

    /// The largest `log P(b | a)` over every `b` (see
    /// [`LanguageModel::log_cond_bound`]).
    pub fn max_out(&self, a: u32) -> f32 {
        self.max_out.get(a as usize).copied().unwrap_or(0.0)
    }

    /// The largest `log P(b | a)` over every `a`.
    pub fn max_in(&self, b: u32) -> f32 {
        self.max_in.get(b as usize).copied().unwrap_or(0.0)
    }

    /// An upper bound of `log_cond_id(a, b).0` read without touching the
    /// bigram table: exact where either word is unknown (no bigram can be
    /// attested), else the smaller of what any bigram leaving `a` or
    /// entering `b` reaches.
    pub fn log_cond_bound(&self, a: WordId, b: WordId) -> f64 {
        match (a, b) {
            (Some(ia), Some(ib)) => {
                let out = self.max_out.get(ia as usize).copied().unwrap_or(0.0);
                let inn = self.max_in.get(ib as usize).copied().unwrap_or(0.0);
                f64::from(out.min(inn))
            }
            _ => self.log_cond_id(a, b).0,
        }
    }

    /// The vocabulary index of a lowercase word.
    pub fn id(&self, word: &str) -> WordId {
        self.ids.id(word)
    }

    /// Natural log of the unigram probability, by id.
    pub fn log_prob_id(&self, w: WordId) -> f64 {
        self.log_count_id(w) - self.log_total
    }

    /// Natural log of the word's count, by id (an unknown word gets half
    /// the smallest count).
    pub fn log_count_id(&self, w: WordId) -> f64 {
        w.and_then(|i| self.log_counts.get(i as usize))
            .map_or(self.log_unknown, |&c| f64::from(c))
    }

    /// Natural log of the smoothed `P(b | a)` by id, and whether the
    /// bigram is attested.
    pub fn log_cond_id(&self, a: WordId, b: WordId) -> (f64, bool) {
        let la = self.log_count_id(a);
        if let (Some(ia), Some(ib)) = (a, b)
            && let Some(c) = self.bigrams.get(pair(ia, ib))
        {
            return (f64::from(c) - la, true);
        }
        let backoff = BACKOFF.ln() + self.log_prob_id(b);
        (backoff.min(self.log_cutoff - la), false)
    }

    /// The vocabulary's words, by id.
    pub fn vocabulary(&self) -> Vec<&str> {
        self.ids.words().collect()
    }

    /// Number of words in the vocabulary (ids run from 0 to this).
    pub fn vocabulary_size(&self) -> usize {
        self.log_counts.len()
    }

    /// Whether the word (lowercase) is in the vocabulary.
    pub fn knows(&self, word: &str) -> bool {
        self.ids.id(word).is_some()
    }

    /// Natural log of the word's count (an unknown word gets half the
    /// smallest count).
    pub fn log_count(&self, word: &str) -> f64 {
        self.ids
            .id(word)
            .and_then(|i| self.log_counts.get(i as usize))
            .map_or(self.log_unknown, |&c| f64::from(c))
    }

    /// Natural log of the unigram probability.
    pub fn log_prob(&self, word: &str) -> f64 {
        self.log_count(word) - self.log_total
    }

    /// Whether the bigram `a b` is attested.
    pub fn attested(&self, a: &str, b: &str) -> bool {
        match (self.ids.id(a), self.ids.id(b)) {
            (Some(a), Some(b)) => self.bigrams.get(pair(a, b)).is_some(),
            _ => false,
        }
    }

    /// Whether the bigram `a b` is attested, by id.
    pub fn attested_id(&self, a: u32, b: u32) -> bool {
        self.bigrams.get(pair(a, b)).is_some()
    }

    /// Natural log of the smoothed `P(b | a)`.
    pub fn log_cond(&self, a: &str, b: &str) -> f64 {
        let la = self.log_count(a);
        if let (Some(ia), Some(ib)) = (self.ids.id(a), self.ids.id(b))
            && let Some(c) = self.bigrams.get(pair(ia, ib))
        {
            return f64::from(c) - la;
        }
        let backoff = BACKOFF.ln() + self.log_prob(b);
        backoff.min(self.log_cutoff - la)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> LanguageModel {
        LanguageModel::from_text(
            "the 1000\nsecurity 100\nsafety 100\nbreach 50\n",
            "the security 40\nsecurity breach 20\nthe safety 30\n",
        )
    }

    #[test]
    fn attested_bigrams_beat_unattested_ones() {
        let lm = toy();
        assert!(lm.attested("security", "breach"));
        assert!(!lm.attested("safety", "breach"));
        assert!(lm.log_cond("security", "breach") > lm.log_cond("safety", "breach"));
        assert!((lm.log_cond("the", "security") - (40f64 / 1000.0).ln()).abs() < 1e-6);
    }

    #[test]
    fn bounds_hold_for_every_pair() {
        let lm = toy();
        let words = ["the", "security", "safety", "breach", "zebra"];
        for a in words {
            for b in words {
                let (ia, ib) = (lm.id(a), lm.id(b));
                assert!(
                    lm.log_cond_bound(ia, ib) >= lm.log_cond_id(ia, ib).0,
                    "{a} {b}"
                );
            }
        }
        // The bound is informative: no bigram leaves "breach".
        let (breach, the) = (lm.id("breach"), lm.id("the"));
        assert!(lm.log_cond_bound(breach, the) < -1.0);
    }

    #[test]
    fn unknown_words_get_a_floor() {
        let lm = toy();
        assert!(!lm.knows("zebra"));
        assert!(lm.log_prob("zebra") < lm.log_prob("breach"));
        assert!(lm.log_cond("zebra", "the").is_finite());
    }

    #[test]
    fn blending_no_domain_text_keeps_every_estimate() {
        let lm = toy();
        for blended in [
            lm.blended("", 1.0),
            lm.blended("the 5\nthe security 3\n", 0.0),
        ] {
            for a in ["the", "security", "safety", "breach", "zebra"] {
                for b in ["the", "security", "safety", "breach", "zebra"] {
                    assert_eq!(blended.log_cond(a, b), lm.log_cond(a, b), "{a} {b}");
                }
            }
        }
    }

    #[test]
    fn domain_counts_make_their_bigrams_likelier_and_keep_the_vocabulary() {
        let lm = toy();
        let domain = "# a comment line\nsafety 10\nbreach 10\nwords 80\nsafety breach 9\n";
        let blended = lm.blended(domain, 1.0);
        assert!(blended.attested("safety", "breach"));
        assert!(blended.log_cond("safety", "breach") > lm.log_cond("safety", "breach"));
        // Outside the vocabulary: counted in the domain's total, not added.
        assert!(!blended.knows("words"));
        assert_eq!(blended.vocabulary_size(), lm.vocabulary_size());
        // The built-in evidence stays: a bigram only the model knows keeps
        // a finite, attested estimate.
        assert!(blended.attested("the", "security"));
    }

    #[test]
    fn concatenated_count_files_add_up() {
        // Shards' files may simply be concatenated: repeated lines add.
        let lm = toy();
        let apart = lm.blended(
            "safety 1\nsafety breach 2\nsafety 2\nsafety breach 1\n",
            1.0,
        );
        let summed = lm.blended("safety 3\nsafety breach 3\n", 1.0);
        for (a, b) in [("safety", "breach"), ("the", "safety"), ("breach", "the")] {
            assert!(
                (apart.log_cond(a, b) - summed.log_cond(a, b)).abs() < 1e-6,
                "{a} {b}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn blended_bounds_hold_for_every_pair(
            counts in proptest::collection::vec((0usize..5, 0usize..5, 1u32..500), 0..12),
            weight in 0.0f64..5.0,
        ) {
            let words = ["the", "security", "safety", "breach", "zebra"];
            let mut domain = String::new();
            for &(a, b, c) in &counts {
                domain.push_str(&format!("{} {c}\n{} {} {c}\n", words[a], words[a], words[b]));
            }
            let lm = toy().blended(&domain, weight);
            for a in words {
                for b in words {
                    let (ia, ib) = (lm.id(a), lm.id(b));
                    proptest::prop_assert!(lm.log_cond_bound(ia, ib) >= lm.log_cond_id(ia, ib).0);
                    proptest::prop_assert!(lm.log_cond(a, b).is_finite());
                }
            }
        }
    }
}
