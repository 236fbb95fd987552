//! Document frequencies: in how many documents of the corpus each word
//! (hash) occurs. Documents are taken in order on one thread (the stage's
//! `absorb`), so adding one only sets its words aside; they are counted in
//! batches, in parallel, each thread counting the words of one hash range
//! in its own table.

use crate::hashing::PreHashedMap;
use rayon::prelude::*;

/// Tables the words are counted in, by the top bits of their hashes.
const PARTS: usize = 16;

/// Words set aside before they are counted, by default.
const BATCH_WORDS: usize = 1 << 22;

/// The table of a word hash.
fn part(word: u64) -> usize {
    (word >> (64 - PARTS.trailing_zeros())) as usize
}

/// Counts, for each word hash, the documents that carry it.
#[derive(Debug)]
pub struct DocumentFrequencies {
    parts: Vec<PreHashedMap<u64, u32>>,
    /// Documents' words not counted yet (each list ascending).
    pending: Vec<Vec<u64>>,
    pending_words: usize,
    batch_words: usize,
}

impl Default for DocumentFrequencies {
    fn default() -> Self {
        DocumentFrequencies::with_batch(BATCH_WORDS)
    }
}

impl DocumentFrequencies {
    /// Counts that set aside up to `batch_words` words before counting them.
    pub fn with_batch(batch_words: usize) -> Self {
        DocumentFrequencies {
            parts: vec![PreHashedMap::default(); PARTS],
            pending: Vec::new(),
            pending_words: 0,
            batch_words,
        }
    }

    /// Adds one document's words (its distinct words count once each;
    /// a word listed twice counts twice). Lists grouped by table already
    /// ([`distinct_words_into`] gives them so; ascending ones are) are
    /// taken as they are.
    pub fn add(&mut self, mut words: Vec<u64>) {
        if !words.is_sorted_by_key(|&w| part(w)) {
            words.sort_unstable();
        }
        self.pending_words += words.len();
        self.pending.push(words);
        if self.pending_words >= self.batch_words {
            self.count_pending();
        }
    }

    /// Counts the words set aside; [`Self::get`] sees every document added
    /// before this.
    pub fn count_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        self.pending_words = 0;
        if pending.is_empty() {
            return;
        }
        // One task per thread, each with a range of tables: it reads every
        // document's list once, from the first word of its range to the last.
        let per_task = PARTS.div_ceil(rayon::current_num_threads().clamp(1, PARTS));
        self.parts
            .par_chunks_mut(per_task)
            .enumerate()
            .for_each(|(task, tables)| {
                let first = task * per_task;
                let end = first + tables.len();
                for words in &pending {
                    let from = words.partition_point(|&w| part(w) < first);
                    let to = from + words[from..].partition_point(|&w| part(w) < end);
                    for &w in &words[from..to] {
                        if let Some(table) = tables.get_mut(part(w) - first) {
                            *table.entry(w).or_insert(0) += 1;
                        }
                    }
                }
            });
    }

    /// The documents counted so far that carry `word`.
    pub fn get(&self, word: u64) -> u32 {
        self.parts
            .get(part(word))
            .and_then(|t| t.get(&word))
            .copied()
            .unwrap_or(0)
    }
}

/// Buffers [`distinct_words_into`] reuses: an open-addressing set of
/// word hashes (all slots empty between calls: a call empties the slots it
/// filled, instead of clearing the whole table for the next one), and the
/// list the words are grouped in.
#[derive(Debug, Default)]
pub struct DistinctScratch {
    slots: Vec<u64>,
    grouped: Vec<u64>,
}

/// The distinct values of `words` into `out` (cleared first), grouped by
/// the table [`DocumentFrequencies`] counts them in (within a group in the
/// order they first occur): a list [`DocumentFrequencies::add`] takes as
/// it is. A set and one counting pass instead of a sort of every word (a
/// document repeats its function words many times).
pub fn distinct_words_into(
    words: impl ExactSizeIterator<Item = u64>,
    scratch: &mut DistinctScratch,
    out: &mut Vec<u64>,
) {
    out.clear();
    // At most half full; 0 marks an empty slot (the word 0 is noted apart).
    let size = (words.len() * 2).next_power_of_two().max(16);
    let mask = size - 1;
    let DistinctScratch { slots, grouped } = scratch;
    if slots.len() < size {
        slots.resize(size, 0);
    }
    let slots = &mut slots[..size];
    let mut zero = false;
    // The distinct words go to `out` in order of first occurrence.
    for w in words {
        if w == 0 {
            if !zero {
                zero = true;
                out.push(0);
            }
            continue;
        }
        // Spread by the low bits (a word's table is read from the top ones).
        let mut slot = w as usize & mask;
        loop {
            match slots[slot] {
                0 => {
                    slots[slot] = w;
                    out.push(w);
                    break;
                }
                x if x == w => break,
                _ => slot = (slot + 1) & mask,
            }
        }
    }
    // The set emptied again, its words taken in the reverse order of their
    // insertion: each is found where it was put, as the words its probe
    // passed (inserted before it) are still in place.
    for &w in out.iter().rev() {
        if w == 0 {
            continue;
        }
        let mut slot = w as usize & mask;
        while slots[slot] != w {
            slot = (slot + 1) & mask;
        }
        slots[slot] = 0;
    }
    // Then grouped by table with a (stable) counting sort.
    let mut next = [0usize; PARTS + 1];
    for &w in out.iter() {
        next[part(w) + 1] += 1;
    }
    for p in 1..=PARTS {
        next[p] += next[p - 1];
    }
    grouped.clear();
    grouped.resize(out.len(), 0);
    for &w in out.iter() {
        let at = &mut next[part(w)];
        grouped[*at] = w;
        *at += 1;
    }
    out.copy_from_slice(grouped);
}

/// [`distinct_words_into`] as it was before the set emptied only its
/// filled slots (the whole table cleared at every call), kept as the
/// reference.
#[cfg(test)]
fn distinct_words_reference(words: impl ExactSizeIterator<Item = u64>, out: &mut Vec<u64>) {
    out.clear();
    let size = (words.len() * 2).next_power_of_two().max(16);
    let mask = size - 1;
    let mut slots = vec![0u64; size];
    let mut zero = false;
    for w in words {
        if w == 0 {
            if !zero {
                zero = true;
                out.push(0);
            }
            continue;
        }
        let mut slot = w as usize & mask;
        loop {
            match slots[slot] {
                0 => {
                    slots[slot] = w;
                    out.push(w);
                    break;
                }
                x if x == w => break,
                _ => slot = (slot + 1) & mask,
            }
        }
    }
    let mut next = [0usize; PARTS + 1];
    for &w in out.iter() {
        next[part(w) + 1] += 1;
    }
    for p in 1..=PARTS {
        next[p] += next[p - 1];
    }
    slots.clear();
    slots.resize(out.len(), 0);
    for &w in out.iter() {
        let at = &mut next[part(w)];
        slots[*at] = w;
        *at += 1;
    }
    out.copy_from_slice(&slots);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        #[test]
        fn distinct_words_match_the_whole_table_clearing_reference(
            docs in prop::collection::vec(
                prop::collection::vec(prop_oneof![0u64..6, 0u64..64, any::<u64>()], 0..200),
                1..6,
            ),
            spread in any::<bool>(),
        ) {
            // Documents of different sizes one after the other through one
            // scratch (a smaller table after a larger one), with words
            // crowding a few slots (long probes) or spread.
            let mut scratch = DistinctScratch::default();
            let (mut ours, mut expected) = (Vec::new(), Vec::new());
            for doc in &docs {
                let words: Vec<u64> = doc
                    .iter()
                    .map(|&w| if spread { w.wrapping_mul(0x9E37_79B9_7F4A_7C15) } else { w << 4 })
                    .collect();
                distinct_words_into(words.iter().copied(), &mut scratch, &mut ours);
                distinct_words_reference(words.iter().copied(), &mut expected);
                prop_assert_eq!(&ours, &expected);
                prop_assert!(scratch.slots.iter().all(|&s| s == 0));
            }
        }

        #[test]
        fn distinct_words_are_the_sorted_deduplicated_words_grouped_by_table(
            words in prop::collection::vec(prop_oneof![0u64..6, any::<u64>()], 0..300),
            spread in any::<bool>(),
        ) {
            let words: Vec<u64> = words
                .into_iter()
                .map(|w| if spread { w.wrapping_mul(0x9E37_79B9_7F4A_7C15) } else { w })
                .collect();
            let mut expected = words.clone();
            expected.sort_unstable();
            expected.dedup();
            let mut ours = Vec::new();
            let mut scratch = DistinctScratch::default();
            // Twice with the same scratch: nothing of the first call leaks.
            distinct_words_into([7, 1 << 63, 7].into_iter(), &mut scratch, &mut ours);
            distinct_words_into(words.iter().copied(), &mut scratch, &mut ours);
            prop_assert!(ours.is_sorted_by_key(|&w| part(w)));
            let mut sorted = ours.clone();
            sorted.sort_unstable();
            prop_assert_eq!(sorted, expected);
        }
        #[test]
        fn counts_as_one_table_counted_document_by_document(
            docs in prop::collection::vec(prop::collection::vec(0u64..40, 0..20), 0..40),
            batch in 1usize..50,
            spread in any::<bool>(),
        ) {
            // Words spread over every table or crowded in a few of them.
            let word = |w: u64| if spread { w.wrapping_mul(0x9E37_79B9_7F4A_7C15) } else { w };
            let mut expected: HashMap<u64, u32> = HashMap::new();
            let mut df = DocumentFrequencies::with_batch(batch);
            for (k, doc) in docs.iter().enumerate() {
                let mut words: Vec<u64> = doc.iter().map(|&w| word(w)).collect();
                if k % 2 == 0 {
                    words.sort_unstable();
                    words.dedup();
                }
                for &w in &words {
                    *expected.entry(w).or_default() += 1;
                }
                df.add(words);
            }
            df.count_pending();
            for w in 0..45 {
                let w = word(w);
                prop_assert_eq!(df.get(w), expected.get(&w).copied().unwrap_or(0));
            }
        }
    }
}
