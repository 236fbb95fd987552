//! Sentence fingerprints: a few bytes per sentence that bound, without the
//! text, how much of two documents the aligner could match.
//!
//! A copy needs aligned sentences (sharing at least
//! [`crate::align::AlignParams::min_similarity`] of their words) over much
//! of one document. Each sentence keeps the bottom-`k` of its distinct
//! names, numbers and content words (hashed, as 16-bit values): two
//! sentences that share many words share some of these. Summing the words
//! of the sentences that find such a partner in the other document gives a
//! cheap estimate of the alignment coverage, which lets the stage skip
//! candidate pairs that share only a sentence or two (boilerplate, quotes,
//! template lines) without fetching and aligning their texts.

use crate::align::{Prepared, common_sorted};
use crate::signature::mix;
use crate::tokens::WordClass;

/// Values kept per sentence (its bottom-k words).
pub const VALUES_PER_SENTENCE: usize = 8;

/// One sentence's fingerprint: its words and its bottom-k values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceFingerprint<'a> {
    /// Words of the sentence (all classes).
    pub words: usize,
    /// Hashed values of its bottom-k distinct non-function words, ascending.
    pub values: &'a [u16],
}

/// Appends the fingerprints of a prepared document to `out`, flattened:
/// for each sentence its word count, the number of values, then the
/// values (ascending).
pub fn fingerprints(p: &Prepared, out: &mut Vec<u16>) {
    fingerprints_with(p, out, &mut Vec::new());
}

/// [`fingerprints`] with `values` as a reused buffer (what it holds after
/// the call is unspecified).
pub fn fingerprints_with(p: &Prepared, out: &mut Vec<u16>, values: &mut Vec<u64>) {
    // A sentence's values of its non-function words, gathered without a
    // branch on each word's class (which varies from word to word), in a
    // buffer that only grows: the places past a sentence's words keep
    // whatever they held (no clearing for every sentence).
    for s in &p.sentences {
        let words = p.tokens.get(s.first..s.last).unwrap_or(&[]);
        if values.len() < words.len() {
            values.resize(words.len(), 0);
        }
        let mut kept = 0;
        for t in words {
            if let Some(place) = values.get_mut(kept) {
                *place = t.hash;
            }
            kept += usize::from(t.class != WordClass::Function);
        }
        let mut bottom = BottomK::default();
        for &word in values.get(..kept).unwrap_or(&[]) {
            bottom.insert(sentence_value(word));
        }
        let kept = bottom.values();
        out.push(u16::try_from(s.words()).unwrap_or(u16::MAX));
        out.push(kept.len() as u16);
        // The top bits keep the order of the full values.
        out.extend(kept.iter().map(|&h| (h >> 48) as u16));
    }
}

/// The full (64-bit) value a word of a sentence is ranked by.
fn sentence_value(word: u64) -> u64 {
    mix(word ^ 0x5851_F42D_4C95_7F2D)
}

/// The smallest distinct values inserted so far, at most
/// [`VALUES_PER_SENTENCE`], ascending: what sorting every value, removing
/// repeats and keeping the first ones gives, without a list of them all.
#[derive(Debug, Default)]
struct BottomK {
    /// The kept values, then a spare place that a shift may write to.
    values: [u64; VALUES_PER_SENTENCE + 1],
    len: usize,
}

impl BottomK {
    fn insert(&mut self, v: u64) {
        let len = self.len.min(VALUES_PER_SENTENCE);
        if len == VALUES_PER_SENTENCE && v >= self.values[VALUES_PER_SENTENCE - 1] {
            return;
        }
        // Where `v` goes, found by shifting the larger values up one place
        // as the scan from the end passes them (the kept values are few;
        // the last one shifted goes to the spare place when all are kept).
        let mut at = len;
        while at > 0 && self.values[at - 1] > v {
            self.values[at] = self.values[at - 1];
            at -= 1;
        }
        if at > 0 && self.values[at - 1] == v {
            // Already kept (rare): the shifted values move back down.
            self.values.copy_within(at + 1..=len, at);
            return;
        }
        self.values[at] = v;
        self.len = (len + 1).min(VALUES_PER_SENTENCE);
    }

    fn values(&self) -> &[u64] {
        &self.values[..self.len]
    }
}

/// The first implementation of [`fingerprints`] (each sentence's values
/// sorted, deduplicated and cut), kept as the reference.
#[cfg(test)]
fn fingerprints_reference(p: &Prepared, out: &mut Vec<u16>) {
    let mut hashed: Vec<u64> = Vec::new();
    for s in &p.sentences {
        hashed.clear();
        hashed.extend(
            p.tokens[s.first..s.last]
                .iter()
                .filter(|t| t.class != WordClass::Function)
                .map(|t| mix(t.hash ^ 0x5851_F42D_4C95_7F2D)),
        );
        hashed.sort_unstable();
        hashed.dedup();
        hashed.truncate(VALUES_PER_SENTENCE);
        out.push(u16::try_from(s.words()).unwrap_or(u16::MAX));
        out.push(hashed.len() as u16);
        out.extend(hashed.iter().map(|&h| (h >> 48) as u16));
    }
}

/// The sentence fingerprints stored flat by [`fingerprints`], in order
/// (a truncated buffer ends the list early).
pub fn sentences(data: &[u16]) -> impl Iterator<Item = SentenceFingerprint<'_>> + Clone {
    let mut at = 0;
    std::iter::from_fn(move || {
        let words = usize::from(*data.get(at)?);
        let n = usize::from(*data.get(at + 1)?);
        let values = data.get(at + 2..at + 2 + n)?;
        at += 2 + n;
        Some(SentenceFingerprint { words, values })
    })
}

/// Whether two sentences may align: they share at least two of their
/// kept values, or all of them when one keeps fewer than two.
fn may_align(x: &SentenceFingerprint<'_>, y: &SentenceFingerprint<'_>) -> bool {
    let need = x.values.len().min(y.values.len()).min(2);
    need > 0 && common_sorted(x.values, y.values) >= need
}

/// What the fingerprints tell about how two documents could align.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CoverageEstimate {
    /// Share of the first document's words in sentences that may align.
    pub share_a: f64,
    /// Share of the second document's words in sentences that may align.
    pub share_b: f64,
    /// Sentences of the first document that may align.
    pub matched_a: usize,
    /// Sentences of the second document that may align.
    pub matched_b: usize,
    /// Sentences of the first document.
    pub sentences_a: usize,
    /// Sentences of the second document.
    pub sentences_b: usize,
}

/// Estimated alignment coverage of two documents from their sentence
/// fingerprints (as [`fingerprints`] stores them): which sentences of each
/// document may align with some sentence of the other, and the share of
/// the document's words they hold. Sentences that align share words, so
/// they usually share some of their bottom-k values and are counted; the
/// estimate errs high (sentences sharing two common words count too).
pub fn estimated_coverage(a: &[u16], b: &[u16]) -> CoverageEstimate {
    const MAX_TRACKED: usize = 256;
    let mut matched_b = [false; MAX_TRACKED];
    // The second document's sentences with their value masks, read once:
    // sentences whose masks share no bit share no value, so most pairs of
    // sentences are ruled out by one `and`.
    let others: Vec<(SentenceFingerprint<'_>, u64)> =
        sentences(b).map(|y| (y, value_mask(y.values))).collect();
    let mut e = CoverageEstimate::default();
    let (mut words_a, mut covered_a) = (0usize, 0usize);
    let mut covered_b_untracked = 0usize;
    for x in sentences(a) {
        words_a += x.words;
        e.sentences_a += 1;
        let mut found = false;
        let mask = value_mask(x.values);
        for (k, (y, y_mask)) in others.iter().enumerate() {
            if mask & y_mask != 0 && may_align(&x, y) {
                found = true;
                match matched_b.get_mut(k) {
                    Some(m) => *m = true,
                    // Past the tracked sentences, count each match (errs high).
                    None => {
                        covered_b_untracked += y.words;
                        e.matched_b += 1;
                    }
                }
            }
        }
        if found {
            covered_a += x.words;
            e.matched_a += 1;
        }
    }
    let (mut words_b, mut covered_b) = (0usize, covered_b_untracked);
    for (k, (y, _)) in others.iter().enumerate() {
        words_b += y.words;
        e.sentences_b += 1;
        if matched_b.get(k).copied().unwrap_or(false) {
            covered_b += y.words;
            e.matched_b += 1;
        }
    }
    let share = |c: usize, w: usize| {
        if w == 0 {
            0.0
        } else {
            (c as f64 / w as f64).min(1.0)
        }
    };
    e.share_a = share(covered_a, words_a);
    e.share_b = share(covered_b, words_b);
    e
}

/// One bit per value (by its low bits): two lists sharing a value have
/// masks sharing a bit.
fn value_mask(values: &[u16]) -> u64 {
    values.iter().fold(0, |m, &v| m | 1u64 << (v & 63))
}

/// The first implementation of [`estimated_coverage`] (every pair of
/// sentences compared value by value), kept as the reference.
#[cfg(test)]
fn estimated_coverage_reference(a: &[u16], b: &[u16]) -> CoverageEstimate {
    const MAX_TRACKED: usize = 256;
    let mut matched_b = [false; MAX_TRACKED];
    let mut e = CoverageEstimate::default();
    let (mut words_a, mut covered_a) = (0usize, 0usize);
    let mut covered_b_untracked = 0usize;
    for x in sentences(a) {
        words_a += x.words;
        e.sentences_a += 1;
        let mut found = false;
        for (k, y) in sentences(b).enumerate() {
            if may_align(&x, &y) {
                found = true;
                match matched_b.get_mut(k) {
                    Some(m) => *m = true,
                    // Past the tracked sentences, count each match (errs high).
                    None => {
                        covered_b_untracked += y.words;
                        e.matched_b += 1;
                    }
                }
            }
        }
        if found {
            covered_a += x.words;
            e.matched_a += 1;
        }
    }
    let (mut words_b, mut covered_b) = (0usize, covered_b_untracked);
    for (k, y) in sentences(b).enumerate() {
        words_b += y.words;
        e.sentences_b += 1;
        if matched_b.get(k).copied().unwrap_or(false) {
            covered_b += y.words;
            e.matched_b += 1;
        }
    }
    let share = |c: usize, w: usize| {
        if w == 0 {
            0.0
        } else {
            (c as f64 / w as f64).min(1.0)
        }
    };
    e.share_a = share(covered_a, words_a);
    e.share_b = share(covered_b, words_b);
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn prints(text: &str) -> Vec<u16> {
        let mut out = Vec::new();
        fingerprints(&Prepared::new(text), &mut out);
        out
    }

    const STORY: &str = "The central bank raised its discount rate to 7.5 pct on Monday. \
        Officials in Brasilia said coffee exports rose sharply in March. \
        Analysts expect the trade surplus to narrow later this year. \
        The finance ministry declined to comment on the new figures.";

    #[test]
    fn a_copy_covers_everything_and_an_unrelated_story_nothing() {
        let copy = format!("{STORY}\nShare this article");
        let e = estimated_coverage(&prints(STORY), &prints(&copy));
        assert_eq!(e.share_a, 1.0);
        assert!(e.share_b > 0.9, "{e:?}");
        assert_eq!((e.matched_a, e.sentences_a), (4, 4));
        let other = "Ford Motor Co recalled 40,000 trucks built in Detroit. \
            The carmaker blamed faulty brakes supplied by a Japanese firm. \
            Its shares fell two dlrs in heavy trading on Wall Street.";
        let e = estimated_coverage(&prints(STORY), &prints(other));
        assert_eq!((e.matched_a, e.matched_b), (0, 0));
        assert_eq!((e.share_a, e.share_b), (0.0, 0.0));
    }

    #[test]
    fn one_shared_sentence_covers_one_sentence() {
        let other = "Ford Motor Co recalled 40,000 trucks built in Detroit. \
            Officials in Brasilia said coffee exports rose sharply in March. \
            Its shares fell two dlrs in heavy trading on Wall Street.";
        let e = estimated_coverage(&prints(STORY), &prints(other));
        assert_eq!((e.matched_a, e.matched_b), (1, 1));
        assert!(e.share_a < 0.4 && e.share_b < 0.4, "{e:?}");
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_within_bounds(a in prop::collection::vec(any::<u16>(), 0..64),
                                                 b in prop::collection::vec(any::<u16>(), 0..64)) {
            let e = estimated_coverage(&a, &b);
            prop_assert!((0.0..=1.0).contains(&e.share_a) && (0.0..=1.0).contains(&e.share_b));
            prop_assert!(e.matched_a <= e.sentences_a);
        }

        #[test]
        fn fingerprints_match_the_sorting_reference(
            text in "((alpha|beta|Gamma|delta|7|the|of|Epsilon|zeta|eta|theta|iota|kappa|Lambda|mu|nu|xi|omicron|pi|rho)[ .\n]{1,2}){0,150}",
        ) {
            // Few distinct words, so that sentences repeat values and keep
            // more than the bottom-k of them.
            let p = Prepared::new(&text);
            let (mut ours, mut reference) = (Vec::new(), Vec::new());
            fingerprints(&p, &mut ours);
            fingerprints_reference(&p, &mut reference);
            prop_assert_eq!(&ours, &reference);
            // With a buffer left holding other values (longer than any
            // sentence here, or shorter).
            for stale in [vec![u64::MAX; 400], vec![3; 2]] {
                let mut values = stale;
                let mut with = Vec::new();
                fingerprints_with(&p, &mut with, &mut values);
                prop_assert_eq!(&with, &reference);
            }
        }

        #[test]
        fn bottom_k_keeps_the_smallest_distinct_values(values in prop::collection::vec(0u64..40, 0..60)) {
            let mut bottom = BottomK::default();
            for &v in &values {
                bottom.insert(v);
            }
            let mut expected = values.clone();
            expected.sort_unstable();
            expected.dedup();
            expected.truncate(VALUES_PER_SENTENCE);
            prop_assert_eq!(bottom.values(), &expected[..]);
        }

        #[test]
        fn coverage_matches_the_reference_on_any_data(
            a in prop::collection::vec(0u16..80, 0..120),
            b in prop::collection::vec(0u16..80, 0..120),
        ) {
            // Small values: word counts, value counts and values collide
            // often, and lists are neither sorted nor distinct.
            prop_assert_eq!(estimated_coverage(&a, &b), estimated_coverage_reference(&a, &b));
        }

        #[test]
        fn coverage_matches_the_reference_on_fingerprints(
            x in "((alpha|beta|Gamma|delta|7|the|of|Epsilon|zeta|eta|theta|iota|kappa|Lambda|mu|nu|xi|omicron|pi|rho)[ .\n]{1,2}){0,300}",
            y in "((alpha|beta|Gamma|delta|7|the|of|Epsilon|zeta|eta|theta|iota|kappa|Lambda|mu|nu|xi|omicron|pi|rho)[ .\n]{1,2}){0,300}",
        ) {
            // Few distinct words: many sentence pairs share values, and
            // long texts pass the tracked sentences.
            let (a, b) = (prints(&x), prints(&y));
            prop_assert_eq!(estimated_coverage(&a, &b), estimated_coverage_reference(&a, &b));
            prop_assert_eq!(estimated_coverage(&b, &a), estimated_coverage_reference(&b, &a));
        }

        #[test]
        fn a_document_fully_covers_itself(text in "[A-Za-z0-9 .\n]{0,300}") {
            let p = prints(&text);
            let e = estimated_coverage(&p, &p);
            let with_values = sentences(&p).filter(|s| !s.values.is_empty()).count();
            prop_assert_eq!(e.matched_a, with_values);
            prop_assert_eq!(e.sentences_a, Prepared::new(&text).sentences.len());
        }
    }
}
