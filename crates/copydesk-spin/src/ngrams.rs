//! Word and bigram counts of a domain's own text, for the spin tagger's
//! language model ([`crate::SpinConfig::language_model`]).
//!
//! The built-in model knows general English (Google Books counts); a
//! newsroom's archive or a field's papers say what fluent text of *that*
//! domain reads like ("said on Tuesday", "mln dlrs", "deep learning").
//! [`NgramCounts`] counts a text the way the tagger reads it: lowercase
//! words of the built-in vocabulary, and bigrams only between words that
//! nothing but spaces or one line break separate. Words outside the
//! vocabulary are counted in one total (the tagger could not use them).
//!
//! The file format, read back by [`crate::LanguageModel::blended`]: one
//! `word count` line per word, one `<other> count` line for the words
//! outside the vocabulary, then one `word word count` line per bigram;
//! `#` starts a comment. Files may be gzip-compressed.

use crate::language_model::{LanguageModel, WordHash};
use crate::resources;
use crate::tokens::tokenize;
use std::collections::HashMap;
use std::io::{self, Write};

/// The unigram line standing for every word outside the vocabulary.
pub const OTHER_WORDS: &str = "<other>";

/// The words of one text as [`NgramCounts`] counts them: each word's
/// vocabulary id (`None` outside the vocabulary) and whether a bigram may
/// be read from it to the next word.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextWords {
    words: Vec<(Option<u32>, bool)>,
}

impl TextWords {
    /// Reads a text's words.
    pub fn read(text: &str) -> TextWords {
        let lm = resources::language_model();
        TextWords {
            words: tokenize(text, &[])
                .iter()
                .map(|t| (lm.id(&t.lower), t.linked_next))
                .collect(),
        }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the text has no word.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// Word and bigram counts over the built-in vocabulary.
#[derive(Debug, Clone)]
pub struct NgramCounts {
    lm: &'static LanguageModel,
    /// Per vocabulary id, how often the word was read.
    unigrams: Vec<u64>,
    /// Words read outside the vocabulary.
    other: u64,
    /// Per packed id pair, how often the two words were read adjacent.
    bigrams: HashMap<u64, u64, WordHash>,
}

impl Default for NgramCounts {
    fn default() -> Self {
        NgramCounts::new()
    }
}

fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

impl NgramCounts {
    /// Empty counts over the built-in vocabulary.
    pub fn new() -> NgramCounts {
        let lm = resources::language_model();
        NgramCounts {
            lm,
            unigrams: vec![0; lm.vocabulary_size()],
            other: 0,
            bigrams: HashMap::default(),
        }
    }

    /// Counts the words and adjacent word pairs of one text.
    pub fn add_text(&mut self, text: &str) {
        self.add_words(&TextWords::read(text));
    }

    /// Counts the words of a text read by [`TextWords::read`] (which may
    /// run on another thread).
    pub fn add_words(&mut self, words: &TextWords) {
        let mut previous: Option<u32> = None;
        for &(id, linked_next) in &words.words {
            match id.and_then(|i| self.unigrams.get_mut(i as usize)) {
                Some(count) => *count += 1,
                None => self.other += 1,
            }
            if let (Some(a), Some(b)) = (previous, id) {
                *self.bigrams.entry(pair(a, b)).or_insert(0) += 1;
            }
            previous = if linked_next { id } else { None };
        }
    }

    /// Adds another set of counts to these (counting texts apart and
    /// merging gives the same counts as counting them one after another).
    pub fn merge(&mut self, other: &NgramCounts) {
        for (mine, theirs) in self.unigrams.iter_mut().zip(&other.unigrams) {
            *mine += theirs;
        }
        self.other += other.other;
        for (&key, &count) in &other.bigrams {
            *self.bigrams.entry(key).or_insert(0) += count;
        }
    }

    /// Every word read (inside the vocabulary or not).
    pub fn words(&self) -> u64 {
        self.unigrams.iter().sum::<u64>() + self.other
    }

    /// How often a word (lowercase) was read; 0 for words outside the
    /// vocabulary.
    pub fn count(&self, word: &str) -> u64 {
        self.lm
            .id(word)
            .and_then(|i| self.unigrams.get(i as usize))
            .copied()
            .unwrap_or(0)
    }

    /// How often the two words (lowercase) were read adjacent.
    pub fn bigram_count(&self, a: &str, b: &str) -> u64 {
        match (self.lm.id(a), self.lm.id(b)) {
            (Some(a), Some(b)) => self.bigrams.get(&pair(a, b)).copied().unwrap_or(0),
            _ => 0,
        }
    }

    /// Number of distinct bigrams read.
    pub fn distinct_bigrams(&self) -> usize {
        self.bigrams.len()
    }

    /// Writes the counts in the file format of this module, most frequent
    /// first (ties in word order, so equal counts give equal files),
    /// leaving out bigrams read fewer than `min_bigram` times.
    pub fn write_to(&self, out: &mut impl Write, min_bigram: u64) -> io::Result<()> {
        let vocabulary = self.lm.vocabulary();
        let word = |id: u32| vocabulary.get(id as usize).copied().unwrap_or("");
        writeln!(
            out,
            "# copydesk word and bigram counts: {} words, {} bigrams read",
            self.words(),
            self.bigrams.values().sum::<u64>()
        )?;
        let mut unigrams: Vec<(u64, &str)> = self
            .unigrams
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(id, &c)| (c, word(id as u32)))
            .collect();
        unigrams.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)));
        for (c, w) in unigrams {
            writeln!(out, "{w} {c}")?;
        }
        if self.other > 0 {
            writeln!(out, "{OTHER_WORDS} {}", self.other)?;
        }
        let mut bigrams: Vec<(u64, &str, &str)> = self
            .bigrams
            .iter()
            .filter(|(_, c)| **c >= min_bigram.max(1))
            .map(|(&key, &c)| (c, word((key >> 32) as u32), word(key as u32)))
            .collect();
        bigrams.sort_unstable_by(|x, y| y.0.cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        for (c, a, b) in bigrams {
            writeln!(out, "{a} {b} {c}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "the", "security", "forces", "said", "on", "Tuesday", "zzqx", "Mln", "dlrs", "car",
    ];
    const GAPS: &[&str] = &[" ", " ", ", ", ".\n\n", "\n", " - "];

    fn text_of(picks: &[(usize, usize)]) -> String {
        let mut s = String::new();
        for &(w, g) in picks {
            s.push_str(WORDS[w % WORDS.len()]);
            s.push_str(GAPS[g % GAPS.len()]);
        }
        s
    }

    #[test]
    fn counts_words_and_only_linked_bigrams() {
        let mut c = NgramCounts::new();
        c.add_text("Security forces said on Tuesday. The forces said zzqx words");
        assert_eq!(c.count("forces"), 2);
        assert_eq!(c.count("security"), 1);
        assert_eq!(c.bigram_count("security", "forces"), 1);
        assert_eq!(c.bigram_count("forces", "said"), 2);
        // A full stop breaks the pair.
        assert_eq!(c.bigram_count("tuesday", "the"), 0);
        // An unknown word counts in the total and breaks its pairs.
        assert_eq!(c.words(), 10);
        assert_eq!(c.bigram_count("said", "zzqx"), 0);
        assert_eq!(c.bigram_count("zzqx", "words"), 0);
    }

    #[test]
    fn written_counts_read_back_into_a_blended_model() {
        let mut c = NgramCounts::new();
        for _ in 0..3 {
            c.add_text("the quarterly dividend was raised\n\n");
        }
        c.add_text("a rare pairing once\n");
        let mut out = Vec::new();
        c.write_to(&mut out, 2).expect("write to memory");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("quarterly dividend 3\n"));
        assert!(!text.contains("rare pairing"), "below min_bigram: {text}");
        let base = resources::language_model();
        let lm = base.blended(&text, 1.0);
        assert!(lm.log_cond("quarterly", "dividend") > base.log_cond("quarterly", "dividend"));
        assert_eq!(lm.vocabulary_size(), base.vocabulary_size());
    }

    proptest! {
        #[test]
        fn merging_counts_equals_counting_in_one_go(
            a in proptest::collection::vec((0usize..10, 0usize..6), 0..40),
            b in proptest::collection::vec((0usize..10, 0usize..6), 0..40),
        ) {
            // A blank line between the texts: no pair spans them.
            let (ta, tb) = (text_of(&a), text_of(&b));
            let mut together = NgramCounts::new();
            together.add_text(&format!("{ta}\n\n{tb}"));
            let mut first = NgramCounts::new();
            first.add_text(&ta);
            let mut second = NgramCounts::new();
            second.add_text(&tb);
            first.merge(&second);
            prop_assert_eq!(first.words(), together.words());
            prop_assert_eq!(&first.unigrams, &together.unigrams);
            prop_assert_eq!(&first.bigrams, &together.bigrams);
        }

        #[test]
        fn every_word_is_counted_once(
            picks in proptest::collection::vec((0usize..10, 0usize..6), 0..60),
        ) {
            let text = text_of(&picks);
            let mut c = NgramCounts::new();
            c.add_text(&text);
            prop_assert_eq!(c.words() as usize, tokenize(&text, &[]).len());
            let pairs: u64 = c.bigrams.values().sum();
            prop_assert!(pairs < c.words().max(1));
        }
    }
}
