//! Spin-robust document signatures: MinHash over shingles of the words a
//! spinner leaves alone (function words, names, numbers), in story order.
//! This follows the "immutables" idea of DSpin (Zhang, Wang and Voelker,
//! NDSS 2014) and the stop-word anchors of SpotSigs (Theobald et al., 2008).

use crate::tokens::{Token, WordClass};

/// Mixes a 64-bit value (SplitMix64 finalizer).
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Documents with fewer shingles that hold a name or number than this use
/// all their anchor shingles (short texts have few names).
pub const MIN_SPECIFIC_SHINGLES: usize = 8;

/// The shingle hashes of a document: every `k` consecutive anchor words
/// (function words, names, numbers: what spinners leave alone), keeping
/// the shingles that hold a name or a number (function-word-only shingles
/// such as "of the to" occur in every document) unless the document has
/// fewer than [`MIN_SPECIFIC_SHINGLES`] of those. Deduplicated and sorted.
pub fn anchor_shingles(tokens: &[Token], k: usize) -> Vec<u64> {
    let anchors: Vec<&Token> = tokens
        .iter()
        .filter(|t| t.class != WordClass::Content)
        .collect();
    let k = k.max(1);
    if anchors.len() >= k {
        let specific: Vec<u64> = anchors
            .windows(k)
            .filter(|w| w.iter().any(|t| t.class != WordClass::Function))
            .map(shingle_hash)
            .collect();
        let mut distinct = specific.clone();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() >= MIN_SPECIFIC_SHINGLES {
            return distinct;
        }
    }
    let anchors: Vec<u64> = anchors.iter().map(|t| t.hash).collect();
    let mut out: Vec<u64> = if anchors.len() < k {
        if anchors.is_empty() {
            Vec::new()
        } else {
            vec![
                anchors
                    .iter()
                    .fold(0x51_7C_C1_B7_27_22_0A_95_u64, |h, &a| mix(h ^ a)),
            ]
        }
    } else {
        anchors
            .windows(k)
            .map(|w| {
                w.iter().fold(0x51_7C_C1_B7_27_22_0A_95_u64, |h, &a| {
                    mix(h.rotate_left(7) ^ a)
                })
            })
            .collect()
    };
    out.sort_unstable();
    out.dedup();
    out
}

fn fold_shingle(hashes: impl Iterator<Item = u64>) -> u64 {
    hashes.fold(0x51_7C_C1_B7_27_22_0A_95_u64, |h, a| {
        mix(h.rotate_left(7) ^ a)
    })
}

fn shingle_hash(window: &[&Token]) -> u64 {
    fold_shingle(window.iter().map(|t| t.hash))
}

/// A MinHash sketch of a set of hashes: `perms` minimum values of
/// independent hash functions.
pub fn minhash(set: &[u64], perms: usize) -> Vec<u32> {
    let mut sig = vec![u32::MAX; perms];
    for &h in set {
        for (i, slot) in sig.iter_mut().enumerate() {
            let v = (mix(h ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) >> 32) as u32;
            if v < *slot {
                *slot = v;
            }
        }
    }
    sig
}

/// The share of equal slots of two sketches: an estimate of Jaccard similarity.
pub fn estimated_jaccard(a: &[u32], b: &[u32]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let same = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x == y && **x != u32::MAX)
        .count();
    same as f64 / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn jaccard(a: &[u64], b: &[u64]) -> f64 {
        let sa: std::collections::HashSet<_> = a.iter().collect();
        let sb: std::collections::HashSet<_> = b.iter().collect();
        let inter = sa.intersection(&sb).count() as f64;
        let union = sa.union(&sb).count() as f64;
        if union == 0.0 { 0.0 } else { inter / union }
    }

    proptest! {
        #[test]
        fn minhash_estimates_jaccard(shared in 0usize..200, only_a in 0usize..200, only_b in 0usize..200) {
            let a: Vec<u64> = (0..shared as u64).chain(1000..1000 + only_a as u64).collect();
            let b: Vec<u64> = (0..shared as u64).chain(5000..5000 + only_b as u64).collect();
            let est = estimated_jaccard(&minhash(&a, 256), &minhash(&b, 256));
            let exact = jaccard(&a, &b);
            prop_assert!((est - exact).abs() < 0.15, "est {est} exact {exact}");
        }
    }

    #[test]
    fn identical_sets_have_identical_sketches() {
        let s: Vec<u64> = (0..50).collect();
        assert_eq!(estimated_jaccard(&minhash(&s, 64), &minhash(&s, 64)), 1.0);
        assert_eq!(estimated_jaccard(&minhash(&[], 64), &minhash(&[], 64)), 0.0);
    }
}
