//! Hash maps keyed by values that are hashes already (word and shingle
//! hashes): the key's bits are used as they are, after one multiplication,
//! instead of being hashed again with SipHash.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A [`Hasher`] for keys that are (or are made of) well-mixed integers.
#[derive(Debug, Clone, Copy, Default)]
pub struct PreHasher(u64);

impl Hasher for PreHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        // Multiply so that small integers (ordinals) spread over the high
        // bits too, which the table uses for its control bytes.
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A [`HashMap`] whose keys are hashes or ordinals.
pub type PreHashedMap<K, V> = HashMap<K, V, BuildHasherDefault<PreHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_distinct_keys_apart() {
        let mut m: PreHashedMap<u64, u32> = PreHashedMap::default();
        for k in 0..10_000u64 {
            *m.entry(k).or_default() += 1;
            *m.entry(k << 40).or_default() += 1;
        }
        assert_eq!(m.len(), 19_999);
        assert_eq!(m[&0], 2);
        assert_eq!(m[&(5 << 40)], 1);
        let mut pairs: PreHashedMap<(usize, usize), u32> = PreHashedMap::default();
        pairs.insert((1, 2), 1);
        pairs.insert((2, 1), 2);
        assert_eq!(pairs.len(), 2);
    }
}
