//! Open-addressing tables for the language model's two hot lookups (a
//! word's vocabulary id, a bigram's count), laid out so that a lookup
//! reads one cache line where a general hash map reads two or three (its
//! control bytes, its bucket, and for a `String` key the key's own
//! allocation).

use crate::language_model::WordHasher;
use std::hash::Hasher;

/// A slot of [`PairTable`]: a packed word pair and its value.
#[derive(Debug, Clone, Copy)]
struct PairSlot {
    key: u64,
    value: f32,
}

/// The key of an empty [`PairTable`] slot (no pair of `u32` ids packs to
/// it but `(u32::MAX, u32::MAX)`, which [`PairTable::insert`] refuses).
const EMPTY_PAIR: u64 = u64::MAX;

/// A map from packed word pairs to `f32`, by linear probing at most half
/// full: key and value share a slot.
#[derive(Debug, Clone)]
pub(crate) struct PairTable {
    slots: Vec<PairSlot>,
    mask: usize,
    len: usize,
}

impl Default for PairTable {
    fn default() -> Self {
        PairTable::with_capacity(0)
    }
}

/// The slot a pair key starts probing from (the mix of the pair hasher
/// the model used before).
fn pair_home(key: u64, mask: usize) -> usize {
    let mut h = (key ^ (key >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 32;
    (h as usize) & mask
}

impl PairTable {
    /// A table that holds `n` pairs without growing.
    pub(crate) fn with_capacity(n: usize) -> Self {
        let size = (n.max(8) * 2).next_power_of_two();
        PairTable {
            slots: vec![
                PairSlot {
                    key: EMPTY_PAIR,
                    value: 0.0,
                };
                size
            ],
            mask: size - 1,
            len: 0,
        }
    }

    /// Number of pairs held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Sets the value of a pair (a later insert of the same pair wins).
    pub(crate) fn insert(&mut self, key: u64, value: f32) {
        if key == EMPTY_PAIR {
            return;
        }
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mut at = pair_home(key, self.mask);
        loop {
            let Some(slot) = self.slots.get_mut(at) else {
                return;
            };
            if slot.key == key {
                slot.value = value;
                return;
            }
            if slot.key == EMPTY_PAIR {
                *slot = PairSlot { key, value };
                self.len += 1;
                return;
            }
            at = (at + 1) & self.mask;
        }
    }

    fn grow(&mut self) {
        let mut bigger = PairTable::with_capacity(self.slots.len());
        for (key, value) in self.iter() {
            bigger.insert(key, value);
        }
        *self = bigger;
    }

    /// The value of a pair.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<f32> {
        let mut at = pair_home(key, self.mask);
        loop {
            let slot = self.slots.get(at)?;
            if slot.key == key {
                return Some(slot.value);
            }
            if slot.key == EMPTY_PAIR {
                return None;
            }
            at = (at + 1) & self.mask;
        }
    }

    /// Every pair and its value, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, f32)> + '_ {
        self.slots
            .iter()
            .filter(|s| s.key != EMPTY_PAIR)
            .map(|s| (s.key, s.value))
    }
}

/// Bytes of a word kept in its [`WordTable`] slot.
const INLINE: usize = 16;

/// A slot of [`WordTable`]: the word's first bytes (see [`prefix_words`]),
/// its length and its id (`u32::MAX`: empty).
#[derive(Debug, Clone, Copy)]
struct WordSlot {
    prefix: [u64; 2],
    len: u32,
    id: u32,
}

const EMPTY_WORD: WordSlot = WordSlot {
    prefix: [0; 2],
    len: 0,
    id: u32::MAX,
};

/// The vocabulary: word to id and id to word. A word of up to 16 bytes
/// is compared inside its slot; a longer one is confirmed against the
/// word list.
#[derive(Debug, Clone)]
pub(crate) struct WordTable {
    slots: Vec<WordSlot>,
    mask: usize,
    words: Vec<Box<str>>,
}

impl Default for WordTable {
    fn default() -> Self {
        WordTable::with_capacity(0)
    }
}

/// Eight bytes, little-endian (`b` holds at least eight).
#[inline(always)]
fn load8(b: &[u8]) -> u64 {
    b.first_chunk::<8>().map_or(0, |c| u64::from_le_bytes(*c))
}

/// Four bytes, little-endian (`b` holds at least four).
#[inline(always)]
fn load4(b: &[u8]) -> u64 {
    b.first_chunk::<4>()
        .map_or(0, |c| u64::from(u32::from_le_bytes(*c)))
}

/// The first 16 bytes of a word, zero-padded, as two little-endian
/// words, read with a few overlapping loads (no byte loop, no copy).
#[inline(always)]
fn prefix_words(b: &[u8]) -> [u64; 2] {
    let n = b.len();
    if n >= 16 {
        [load8(b), load8(&b[8..])]
    } else if n >= 8 {
        // Bytes `n - 8..n` shifted down so that byte 8 comes first.
        let hi = load8(&b[n - 8..]).checked_shr(8 * (16 - n) as u32);
        [load8(b), hi.unwrap_or(0)]
    } else if n >= 4 {
        [load4(b) | (load4(&b[n - 4..]) << (8 * (n - 4))), 0]
    } else if n > 0 {
        let lo = u64::from(b[0])
            | (u64::from(b[n / 2]) << (8 * (n / 2)))
            | (u64::from(b[n - 1]) << (8 * (n - 1)));
        [lo, 0]
    } else {
        [0, 0]
    }
}

/// The high and low halves of a 128-bit product, folded together.
#[inline(always)]
fn fold_mul(a: u64, b: u64) -> u64 {
    let m = u128::from(a) * u128::from(b);
    (m as u64) ^ ((m >> 64) as u64)
}

/// The hash of a word from its [`prefix_words`] (and, past 16 bytes,
/// the rest of its bytes).
#[inline(always)]
fn word_hash(prefix: [u64; 2], word: &[u8]) -> u64 {
    const K0: u64 = 0x243f_6a88_85a3_08d3;
    const K1: u64 = 0x1319_8a2e_0370_7344;
    let n = word.len() as u64;
    let mut h = fold_mul(prefix[0] ^ K0, prefix[1] ^ K1 ^ n.rotate_right(8));
    if word.len() > INLINE {
        let mut h2 = WordHasher::default();
        h2.write(&word[INLINE..]);
        h = fold_mul(h ^ h2.finish(), K0);
    }
    h
}

fn word_home(prefix: [u64; 2], word: &[u8], mask: usize) -> usize {
    (word_hash(prefix, word) as usize) & mask
}

impl WordTable {
    /// A table that holds `n` words without growing.
    pub(crate) fn with_capacity(n: usize) -> Self {
        // At most a third full: most lookups of words outside the
        // vocabulary (names) stop at the first or second slot.
        let size = (n.max(8) * 3).next_power_of_two();
        WordTable {
            slots: vec![EMPTY_WORD; size],
            mask: size - 1,
            words: Vec::new(),
        }
    }

    /// Number of words.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }

    /// Adds a word with the next id, unless it is already there; returns
    /// whether it was added.
    pub(crate) fn push(&mut self, word: &str) -> bool {
        if self.id(word).is_some() || self.words.len() >= u32::MAX as usize - 1 {
            return false;
        }
        if (self.words.len() + 1) * 3 > self.slots.len() {
            let mut bigger = WordTable::with_capacity(self.slots.len());
            for w in std::mem::take(&mut self.words) {
                bigger.push(&w);
            }
            *self = bigger;
        }
        let id = self.words.len() as u32;
        let Ok(len) = u32::try_from(word.len()) else {
            return false;
        };
        let prefix = prefix_words(word.as_bytes());
        let mut at = word_home(prefix, word.as_bytes(), self.mask);
        while self.slots.get(at).is_some_and(|s| s.id != u32::MAX) {
            at = (at + 1) & self.mask;
        }
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = WordSlot { prefix, len, id };
            self.words.push(word.into());
            true
        } else {
            false
        }
    }

    /// The id of a word.
    #[inline]
    pub(crate) fn id(&self, word: &str) -> Option<u32> {
        let prefix = prefix_words(word.as_bytes());
        let len = u32::try_from(word.len()).ok()?;
        let mut at = word_home(prefix, word.as_bytes(), self.mask);
        loop {
            let slot = self.slots.get(at)?;
            if slot.id == u32::MAX {
                return None;
            }
            if slot.len == len
                && slot.prefix == prefix
                && (word.len() <= INLINE
                    || self.words.get(slot.id as usize).map(|w| &**w) == Some(word))
            {
                return Some(slot.id);
            }
            at = (at + 1) & self.mask;
        }
    }

    /// The words, by id.
    pub(crate) fn words(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(|w| &**w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        #[test]
        fn the_pair_table_answers_like_a_hash_map(
            pairs in proptest::collection::vec((0u32..50, 0u32..50, -20.0f32..0.0), 0..300),
            probes in proptest::collection::vec((0u32..60, 0u32..60), 0..100),
        ) {
            let mut table = PairTable::with_capacity(pairs.len() / 3);
            let mut reference = HashMap::new();
            for &(a, b, v) in &pairs {
                let key = (u64::from(a) << 32) | u64::from(b);
                table.insert(key, v);
                reference.insert(key, v);
            }
            prop_assert_eq!(table.len(), reference.len());
            for (a, b) in probes.iter().copied().chain(pairs.iter().map(|p| (p.0, p.1))) {
                let key = (u64::from(a) << 32) | u64::from(b);
                prop_assert_eq!(table.get(key), reference.get(&key).copied());
            }
            let mut all: Vec<(u64, f32)> = table.iter().collect();
            all.sort_by_key(|p| p.0);
            let mut want: Vec<(u64, f32)> = reference.into_iter().collect();
            want.sort_by_key(|p| p.0);
            prop_assert_eq!(all, want);
        }

        #[test]
        fn the_word_table_answers_like_a_hash_map(
            words in proptest::collection::vec("[a-d]{0,3}|[a-z' ]{14,20}|\\PC{0,24}", 0..200),
            probes in proptest::collection::vec("[a-d]{0,3}|[a-z' ]{14,20}|\\PC{0,24}", 0..100),
        ) {
            let mut table = WordTable::default();
            let mut reference: HashMap<String, u32> = HashMap::new();
            for w in &words {
                let added = table.push(w);
                prop_assert_eq!(added, !reference.contains_key(w));
                if added {
                    reference.insert(w.clone(), reference.len() as u32);
                }
            }
            prop_assert_eq!(table.len(), reference.len());
            for w in probes.iter().chain(&words) {
                prop_assert_eq!(table.id(w), reference.get(w).copied());
                // A word sharing the first 16 bytes of a longer one.
                if w.len() > INLINE && w.is_char_boundary(INLINE + 1) {
                    prop_assert_eq!(table.id(&w[..INLINE + 1]), reference.get(&w[..INLINE + 1]).copied());
                }
            }
            for (id, w) in table.words().enumerate() {
                prop_assert_eq!(reference.get(w).copied(), Some(id as u32));
            }
        }
    }

    /// The slot prefix as it was built before: the first 16 bytes
    /// copied into a zeroed array.
    fn prefix_reference(word: &[u8]) -> [u8; INLINE] {
        let mut p = [0u8; INLINE];
        let n = word.len().min(INLINE);
        p[..n].copy_from_slice(&word[..n]);
        p
    }

    proptest! {
        #[test]
        fn prefix_words_are_the_first_sixteen_bytes(word in proptest::collection::vec(any::<u8>(), 0..40)) {
            let [a, b] = prefix_words(&word);
            let mut got = [0u8; INLINE];
            got[..8].copy_from_slice(&a.to_le_bytes());
            got[8..].copy_from_slice(&b.to_le_bytes());
            prop_assert_eq!(got, prefix_reference(&word));
        }
    }

    #[test]
    fn long_words_sharing_a_prefix_are_told_apart() {
        let mut table = WordTable::default();
        assert!(table.push("internationalization"));
        assert!(table.push("internationalizations"));
        assert!(!table.push("internationalization"));
        assert_eq!(table.id("internationalization"), Some(0));
        assert_eq!(table.id("internationalizations"), Some(1));
        assert_eq!(table.id("internationalizatio"), None);
        assert_eq!(table.id("internationalizationx"), None);
    }
}
