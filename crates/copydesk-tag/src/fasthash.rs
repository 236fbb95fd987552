//! A fast, non-cryptographic hasher for the crate's small in-memory maps
//! (gazetteer words, token offsets). The standard SipHash protects maps
//! from untrusted keys chosen to collide; these maps hold the shipped word
//! lists and byte offsets, looked up once or more per token, where SipHash
//! was a tenth of the entities stage. Only lookups use these maps, never
//! their iteration order, so the hasher cannot change any output.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A word-at-a-time multiplicative hasher (the FxHash scheme).
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weakest; the table reads the top
        // and bottom bits, so both get the well-mixed middle.
        self.0.rotate_left(26)
    }
}

/// Builds [`FastHasher`]s.
pub type FastBuild = BuildHasherDefault<FastHasher>;

/// A `HashMap` with [`FastHasher`].
pub type FastMap<K, V> = HashMap<K, V, FastBuild>;

/// A `HashSet` with [`FastHasher`].
pub type FastSet<T> = HashSet<T, FastBuild>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn equal_keys_hash_equal_and_near_keys_differ() {
        let b = FastBuild::default();
        assert_eq!(b.hash_one("Pakistan"), b.hash_one("Pakistan"));
        assert_ne!(b.hash_one("Pakistan"), b.hash_one("Pakistani"));
        assert_ne!(b.hash_one("ab"), b.hash_one("ab\0"));
        assert_ne!(b.hash_one(1usize), b.hash_one(2usize));
    }

    proptest::proptest! {
        #[test]
        fn sets_find_what_they_hold(words in proptest::collection::vec("\\PC{0,12}", 0..40), probe in "\\PC{0,12}") {
            let fast: FastSet<&str> = words.iter().map(String::as_str).collect();
            let std: HashSet<&str> = words.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(fast.len(), std.len());
            proptest::prop_assert_eq!(fast.contains(probe.as_str()), std.contains(probe.as_str()));
            for w in &words {
                proptest::prop_assert!(fast.contains(w.as_str()));
            }
        }
    }
}
