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
    let mut out = Vec::new();
    anchor_shingles_into(tokens, k, &mut Vec::new(), &mut out);
    out
}

/// [`anchor_shingles`] into `out` (cleared first), with `anchors` as a
/// reused buffer (each anchor word's hash, and whether it is a name or a
/// number rather than a function word).
pub fn anchor_shingles_into(
    tokens: &[Token],
    k: usize,
    anchors: &mut Vec<(u64, bool)>,
    out: &mut Vec<u64>,
) {
    shingles_deduplicated_by(tokens, k, anchors, out, |v| {
        v.sort_unstable();
        v.dedup();
    });
}

/// The shingles of [`anchor_shingles_into`], the same set, in no
/// particular order (what [`minhash`] and a count of them need): made
/// distinct with a set (`slots`, a reused table, all zeros between calls)
/// instead of a sort.
pub(crate) fn anchor_shingle_set_into(
    tokens: &[Token],
    k: usize,
    anchors: &mut Vec<(u64, bool)>,
    out: &mut Vec<u64>,
    slots: &mut Vec<u64>,
) {
    shingles_deduplicated_by(tokens, k, anchors, out, |v| distinct_in_place(v, slots));
}

/// Keeps the first occurrence of each value of `values`, in order, with
/// `slots` as an open-addressing set (all zeros before and after; 0 is
/// noted apart). The values are hashes: their low bits pick the slot.
fn distinct_in_place(values: &mut Vec<u64>, slots: &mut Vec<u64>) {
    let size = (values.len() * 2).next_power_of_two().max(16);
    if slots.len() < size {
        slots.resize(size, 0);
    }
    let table = &mut slots[..size];
    let mask = size - 1;
    let (mut kept, mut zero) = (0, false);
    for i in 0..values.len() {
        let v = values[i];
        let fresh = if v == 0 {
            !std::mem::replace(&mut zero, true)
        } else {
            let mut slot = v as usize & mask;
            loop {
                let t = table[slot];
                if t == 0 {
                    table[slot] = v;
                    break true;
                }
                if t == v {
                    break false;
                }
                slot = (slot + 1) & mask;
            }
        };
        if fresh {
            values[kept] = v;
            kept += 1;
        }
    }
    values.truncate(kept);
    table.fill(0);
}

/// [`anchor_shingles_into`] with `dedup` making a list of shingles distinct.
#[inline(always)]
fn shingles_deduplicated_by(
    tokens: &[Token],
    k: usize,
    anchors: &mut Vec<(u64, bool)>,
    out: &mut Vec<u64>,
    mut dedup: impl FnMut(&mut Vec<u64>),
) {
    out.clear();
    // Each token written to the next place, which only an anchor word
    // keeps (no branch on the class, which varies from word to word).
    anchors.clear();
    anchors.resize(tokens.len(), (0, false));
    let mut kept = 0;
    for t in tokens {
        if let Some(place) = anchors.get_mut(kept) {
            *place = (t.hash, t.class != WordClass::Function);
        }
        kept += usize::from(t.class != WordClass::Content);
    }
    anchors.truncate(kept);
    let k = k.max(1);
    let window_hash = |w: &[(u64, bool)]| fold_shingle(w.iter().map(|a| a.0));
    if anchors.len() >= k {
        // The default window of three words gets a loop of its own (the
        // fold unrolled).
        if k == 3 {
            specific_windows(anchors, 3, out);
        } else {
            specific_windows(anchors, k, out);
        }
        dedup(out);
        if out.len() >= MIN_SPECIFIC_SHINGLES {
            return;
        }
        out.clear();
        out.extend(anchors.windows(k).map(window_hash));
    } else if !anchors.is_empty() {
        out.push(
            anchors
                .iter()
                .fold(0x51_7C_C1_B7_27_22_0A_95_u64, |h, a| mix(h ^ a.0)),
        );
    }
    dedup(out);
}

/// Pushes to `out` the hash of each window of `k` anchors (`k` at most
/// their number) that holds a name or a number, counting those as the
/// window slides rather than searching each window for one.
#[inline(always)]
fn specific_windows(anchors: &[(u64, bool)], k: usize, out: &mut Vec<u64>) {
    let Some(last) = anchors.len().checked_sub(k) else {
        return;
    };
    let mut specific: usize = anchors
        .get(..k - 1)
        .unwrap_or(&[])
        .iter()
        .map(|a| usize::from(a.1))
        .sum();
    out.reserve(last + 1);
    for w in anchors.windows(k) {
        specific += usize::from(w[k - 1].1);
        if specific > 0 {
            out.push(fold_shingle(w.iter().map(|a| a.0)));
        }
        specific -= usize::from(w[0].1);
    }
}

/// The first implementation of [`anchor_shingles`], kept as the reference.
#[cfg(test)]
fn anchor_shingles_reference(tokens: &[Token], k: usize) -> Vec<u64> {
    let anchors: Vec<&Token> = tokens
        .iter()
        .filter(|t| t.class != WordClass::Content)
        .collect();
    let k = k.max(1);
    if anchors.len() >= k {
        let mut distinct: Vec<u64> = anchors
            .windows(k)
            .filter(|w| w.iter().any(|t| t.class != WordClass::Function))
            .map(|w| fold_shingle(w.iter().map(|t| t.hash)))
            .collect();
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

/// Most permutations a sketch can have (the configuration allows up to this).
pub const MAX_PERMUTATIONS: usize = 1024;

/// The multipliers and offsets of the permutations: odd 64-bit numbers
/// and random offsets drawn from a fixed SplitMix64 stream.
fn permutation_coefficients() -> &'static [(u64, u64)] {
    static COEFFICIENTS: std::sync::OnceLock<Vec<(u64, u64)>> = std::sync::OnceLock::new();
    COEFFICIENTS.get_or_init(|| {
        (0..MAX_PERMUTATIONS as u64)
            .map(|i| {
                let a = mix(i.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1)) | 1;
                let b = mix(a ^ 0xD1B5_4A32_D192_ED03);
                (a, b)
            })
            .collect()
    })
}

/// The permutations' multipliers and offsets in two arrays (the layout
/// the vectorized loops of [`minhash`] read), and in blocks of eight
/// slots for the AVX2 one.
struct Permutations {
    multipliers: Vec<u64>,
    offsets: Vec<u64>,
    blocks: Vec<SlotBlock>,
}

/// Eight slots' coefficients as the AVX2 loop of [`minhash`] reads them:
/// the multipliers' low and high 32 bits, and the offsets of the even and
/// of the odd slots.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(32))]
struct SlotBlock {
    low: [u32; 8],
    high: [u32; 8],
    even: [u64; 4],
    odd: [u64; 4],
}

impl SlotBlock {
    /// The block of eight slots' multipliers `a` and offsets `b`.
    fn new(a: &[u64], b: &[u64]) -> SlotBlock {
        let mut block = SlotBlock {
            low: [0; 8],
            high: [0; 8],
            even: [0; 4],
            odd: [0; 4],
        };
        for k in 0..8 {
            block.low[k] = a[k] as u32;
            block.high[k] = (a[k] >> 32) as u32;
            if k % 2 == 0 {
                block.even[k / 2] = b[k];
            } else {
                block.odd[k / 2] = b[k];
            }
        }
        block
    }
}

fn permutations() -> &'static Permutations {
    static PERMUTATIONS: std::sync::OnceLock<Permutations> = std::sync::OnceLock::new();
    PERMUTATIONS.get_or_init(|| {
        let (multipliers, offsets): (Vec<u64>, Vec<u64>) =
            permutation_coefficients().iter().copied().unzip();
        let blocks = multipliers
            .chunks_exact(8)
            .zip(offsets.chunks_exact(8))
            .map(|(a, b)| SlotBlock::new(a, b))
            .collect();
        Permutations {
            multipliers,
            offsets,
            blocks,
        }
    })
}

/// A MinHash sketch of a set of hashes: `perms` minimum values of
/// independent hash functions. Each element is mixed once, then each
/// permutation is a multiply-add-shift of it (one multiplication per slot).
/// More than [`MAX_PERMUTATIONS`] are cut to that many.
pub fn minhash(set: &[u64], perms: usize) -> Vec<u32> {
    let n = perms.min(MAX_PERMUTATIONS);
    let p = permutations();
    let mut sig = vec![u32::MAX; n];
    let (a, b) = (&p.multipliers[..n], &p.offsets[..n]);
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
        {
            // SAFETY: the CPU supports AVX-512F and DQ (checked just
            // above), the only requirement of this `target_feature` function.
            unsafe { minhash_avx512(set, a, b, &mut sig) };
            return sig;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above), the only
            // requirement of a `target_feature(enable = "avx2")` function.
            unsafe { minhash_avx2(set, &p.blocks, a, b, &mut sig) };
            return sig;
        }
    }
    minhash_slots(set, a, b, &mut sig);
    sig
}

/// [`minhash`] for AVX2, which has no 64-bit multiply: eight slots at a
/// time, each block of them kept in registers over all the elements. Of
/// `a x + b` (mod 2^64), with `a = ah 2^32 + al` and `x = xh 2^32 + xl`,
/// only bits 32..63 are kept: `(al xl + b) >> 32` (two 32 x 32 -> 64-bit
/// multiplies for eight slots, the even and the odd ones) plus
/// `ah xl + al xh` mod 2^32 (two 32-bit multiplies), mod 2^32. The slots
/// past the last whole block of `blocks` (the blocks of `a` and `b`) are
/// computed as [`minhash_slots`] does.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn minhash_avx2(set: &[u64], blocks: &[SlotBlock], a: &[u64], b: &[u64], sig: &mut [u32]) {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi32, _mm256_add_epi64, _mm256_blend_epi32, _mm256_loadu_si256,
        _mm256_min_epu32, _mm256_mul_epu32, _mm256_mullo_epi32, _mm256_set1_epi32,
        _mm256_srli_epi64, _mm256_storeu_si256,
    };
    let whole = blocks.len().min(sig.len() / 8);
    // Each element mixed, its halves broadcast to every 32-bit lane.
    let mixed: Vec<[__m256i; 2]> = set
        .iter()
        .map(|&h| {
            let x = mix(h);
            [
                _mm256_set1_epi32(x as u32 as i32),
                _mm256_set1_epi32((x >> 32) as u32 as i32),
            ]
        })
        .collect();
    for (block, out) in blocks[..whole].iter().zip(sig.chunks_exact_mut(8)) {
        // SAFETY: each array of the block is 32 bytes, and so is `out`
        // (eight `u32`s); the loads need no alignment.
        let (low, high, even, odd, mut acc) = unsafe {
            (
                _mm256_loadu_si256(block.low.as_ptr().cast::<__m256i>()),
                _mm256_loadu_si256(block.high.as_ptr().cast::<__m256i>()),
                _mm256_loadu_si256(block.even.as_ptr().cast::<__m256i>()),
                _mm256_loadu_si256(block.odd.as_ptr().cast::<__m256i>()),
                _mm256_loadu_si256(out.as_ptr().cast::<__m256i>()),
            )
        };
        let low_odd = _mm256_srli_epi64::<32>(low);
        // One element's values of the eight slots.
        macro_rules! slots {
            ($xl:expr, $xh:expr) => {{
                let (xl, xh) = ($xl, $xh);
                // al xl + b, for the even slots (in the low halves of the
                // 64-bit lanes) and the odd ones; their high halves, in order.
                let products_even = _mm256_add_epi64(_mm256_mul_epu32(low, xl), even);
                let products_odd = _mm256_add_epi64(_mm256_mul_epu32(low_odd, xl), odd);
                let top = _mm256_blend_epi32::<0b1010_1010>(
                    _mm256_srli_epi64::<32>(products_even),
                    products_odd,
                );
                let cross =
                    _mm256_add_epi32(_mm256_mullo_epi32(high, xl), _mm256_mullo_epi32(low, xh));
                _mm256_add_epi32(top, cross)
            }};
        }
        // Two elements a step (fewer loop steps).
        let pairs = mixed.chunks_exact(2);
        let rest = pairs.remainder();
        for pair in pairs {
            let (first, second) = (
                slots!(pair[0][0], pair[0][1]),
                slots!(pair[1][0], pair[1][1]),
            );
            acc = _mm256_min_epu32(acc, _mm256_min_epu32(first, second));
        }
        for &[xl, xh] in rest {
            acc = _mm256_min_epu32(acc, slots!(xl, xh));
        }
        // SAFETY: as the load of `acc`.
        unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), acc) };
    }
    let done = whole * 8;
    if let (Some(a), Some(b), Some(sig)) = (a.get(done..), b.get(done..), sig.get_mut(done..)) {
        minhash_slots(set, a, b, sig);
    }
}

/// The AVX2 loop [`minhash`] had: [`minhash_slots`] compiled for AVX2
/// (its 64-bit multiplies emulated, four slots at a time), kept as a reference.
#[cfg(all(test, target_arch = "x86_64"))]
#[target_feature(enable = "avx2")]
fn minhash_avx2_reference(set: &[u64], a: &[u64], b: &[u64], sig: &mut [u32]) {
    minhash_slots(set, a, b, sig);
}

/// [`minhash`]'s loop compiled for AVX-512 with its 64-bit multiply
/// (`vpmullq`, one instruction where AVX2 needs three and some shuffles).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn minhash_avx512(set: &[u64], a: &[u64], b: &[u64], sig: &mut [u32]) {
    minhash_slots(set, a, b, sig);
}

/// Lowers each slot `k` of `sig` to the smallest `(a[k] x + b[k]) >> 32`
/// over the mixed elements `x` of `set`.
#[inline(always)]
fn minhash_slots(set: &[u64], a: &[u64], b: &[u64], sig: &mut [u32]) {
    let n = sig.len().min(a.len()).min(b.len());
    let (a, b, sig) = (&a[..n], &b[..n], &mut sig[..n]);
    for &h in set {
        let x = mix(h);
        for k in 0..n {
            let v = (a[k].wrapping_mul(x).wrapping_add(b[k]) >> 32) as u32;
            sig[k] = sig[k].min(v);
        }
    }
}

/// The first implementation of [`minhash`], kept as the reference the
/// vectorized one must match.
#[cfg(test)]
fn minhash_reference(set: &[u64], perms: usize) -> Vec<u32> {
    let coefficients = &permutation_coefficients()[..perms.min(MAX_PERMUTATIONS)];
    let mut sig = vec![u32::MAX; coefficients.len()];
    for &h in set {
        let x = mix(h);
        for (slot, &(a, b)) in sig.iter_mut().zip(coefficients) {
            let v = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
            *slot = (*slot).min(v);
        }
    }
    sig
}

/// The share of the smaller set found in the other, from the sets' Jaccard
/// similarity and sizes (`|A ∩ B| = J (|A| + |B|) / (1 + J)`); 0 when a set
/// is empty, at most 1.
pub fn estimated_containment(jaccard: f64, size_a: usize, size_b: usize) -> f64 {
    let smaller = size_a.min(size_b);
    if smaller == 0 || jaccard <= 0.0 {
        return 0.0;
    }
    let common = jaccard / (1.0 + jaccard) * (size_a + size_b) as f64;
    (common / smaller as f64).min(1.0)
}

/// The share of equal slots of two sketches: an estimate of Jaccard similarity.
pub fn estimated_jaccard(a: &[u32], b: &[u32]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    same_slots(a, b) as f64 / n as f64
}

/// A sketch's slots folded to one byte each: two slots that are equal
/// stay equal, so [`narrow_same_slots`] of two narrow sketches bounds
/// [`same_slots`] of the full ones from above, in a quarter of the memory.
pub fn narrow_sketch(sketch: &[u32], out: &mut Vec<u8>) {
    out.extend(sketch.iter().map(|&v| narrow_slot(v)));
}

/// One slot of [`narrow_sketch`]: the slot's four bytes folded into one.
pub fn narrow_slot(v: u32) -> u8 {
    let v = v ^ (v >> 16);
    (v ^ (v >> 8)) as u8
}

/// How many slots two narrow sketches ([`narrow_sketch`]) share: at
/// least [`same_slots`] of the sketches they were folded from.
pub fn narrow_same_slots(a: &[u8], b: &[u8]) -> u32 {
    // Counted in bytes, 128 slots at a time (a byte holds up to 255), so
    // that the compiler compares and adds 16 or 32 slots per instruction.
    a.chunks(128)
        .zip(b.chunks(128))
        .map(|(x, y)| {
            let same = x
                .iter()
                .zip(y)
                .fold(0u8, |n, (p, q)| n.wrapping_add(u8::from(p == q)));
            u32::from(same)
        })
        .sum()
}

/// How many slots two sketches share (equal values, empty slots aside),
/// over their common length: `estimated_jaccard` times that length.
/// Counted without branches, so that the compiler vectorizes it.
pub fn same_slots(a: &[u32], b: &[u32]) -> u32 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| u32::from((x == y) & (x != u32::MAX)))
        .sum()
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

    /// The count `estimated_jaccard` used before [`same_slots`].
    fn same_slots_reference(a: &[u32], b: &[u32]) -> usize {
        a.iter()
            .zip(b)
            .filter(|(x, y)| x == y && **x != u32::MAX)
            .count()
    }

    proptest! {
        #[test]
        fn same_slots_counts_as_the_filter_did(
            pairs in prop::collection::vec((0u32..4, 0u32..4), 0..300),
            longer in prop::collection::vec(any::<u32>(), 0..20),
        ) {
            // Few distinct values (u32::MAX among them) so that slots often agree.
            let value = |v: u32| if v == 3 { u32::MAX } else { v };
            let a: Vec<u32> = pairs.iter().map(|p| value(p.0)).collect();
            let mut b: Vec<u32> = pairs.iter().map(|p| value(p.1)).collect();
            b.extend(longer);
            prop_assert_eq!(same_slots(&a, &b) as usize, same_slots_reference(&a, &b));
            prop_assert_eq!(same_slots(&b, &a) as usize, same_slots_reference(&a, &b));
            let n = a.len().min(b.len());
            let expected = if n == 0 { 0.0 } else { same_slots_reference(&a, &b) as f64 / n as f64 };
            prop_assert_eq!(estimated_jaccard(&a, &b), expected);
        }

        #[test]
        fn narrow_sketches_share_at_least_the_slots_full_ones_share(
            a in prop::collection::vec(any::<u32>(), 0..200),
            pick in prop::collection::vec(0u8..4, 0..200),
        ) {
            // b takes a's slot, a slot differing in high or low bits only,
            // u32::MAX, or a value of its own.
            let b: Vec<u32> = a
                .iter()
                .zip(&pick)
                .enumerate()
                .map(|(k, (&x, &p))| match p {
                    0 => x,
                    1 => x ^ (1 << (k % 32)),
                    2 => u32::MAX,
                    _ => x.wrapping_mul(2_654_435_761).wrapping_add(k as u32),
                })
                .collect();
            let (mut na, mut nb) = (Vec::new(), Vec::new());
            narrow_sketch(&a, &mut na);
            narrow_sketch(&b, &mut nb);
            prop_assert_eq!(na.len(), a.len());
            prop_assert!(narrow_same_slots(&na, &nb) >= same_slots(&a, &b));
            let equal_bytes = na.iter().zip(&nb).filter(|(x, y)| x == y).count();
            prop_assert_eq!(narrow_same_slots(&na, &nb) as usize, equal_bytes);
            // Longer than a byte counts: 1,000 equal slots.
            let long = vec![7u8; 1000];
            prop_assert_eq!(narrow_same_slots(&long, &long), 1000);
        }

        #[test]
        fn minhash_matches_the_reference(set in prop::collection::vec(any::<u64>(), 0..300), perms in 0usize..1100) {
            prop_assert_eq!(minhash(&set, perms), minhash_reference(&set, perms));
            // Each vectorized loop the CPU can run, whichever `minhash` picks.
            #[cfg(target_arch = "x86_64")]
            {
                let p = permutations();
                let n = perms.min(MAX_PERMUTATIONS);
                let (a, b) = (&p.multipliers[..n], &p.offsets[..n]);
                if std::arch::is_x86_feature_detected!("avx2") {
                    let mut sig = vec![u32::MAX; n];
                    // SAFETY: AVX2 is supported (checked just above).
                    unsafe { minhash_avx2(&set, &p.blocks, a, b, &mut sig) };
                    prop_assert_eq!(&sig, &minhash_reference(&set, perms));
                    let mut old = vec![u32::MAX; n];
                    // SAFETY: as above.
                    unsafe { minhash_avx2_reference(&set, a, b, &mut old) };
                    prop_assert_eq!(sig, old);
                }
                if std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512dq")
                {
                    let mut sig = vec![u32::MAX; n];
                    // SAFETY: AVX-512F and DQ are supported (checked just above).
                    unsafe { minhash_avx512(&set, a, b, &mut sig) };
                    prop_assert_eq!(sig, minhash_reference(&set, perms));
                }
            }
            let mut portable = vec![u32::MAX; perms.min(MAX_PERMUTATIONS)];
            let p = permutations();
            minhash_slots(&set, &p.multipliers, &p.offsets, &mut portable);
            prop_assert_eq!(portable, minhash_reference(&set, perms));
        }

        #[test]
        fn anchor_shingles_match_the_reference(
            classes in prop::collection::vec((0u8..4, 0u64..12), 0..80),
            k in 1usize..5,
        ) {
            // Few distinct words, so that shingles repeat; every class.
            let tokens: Vec<Token> = classes
                .iter()
                .enumerate()
                .map(|(n, &(c, w))| Token {
                    start: n,
                    end: n + 1,
                    hash: mix(w),
                    class: match c {
                        0 => WordClass::Function,
                        1 => WordClass::Number,
                        2 => WordClass::Name,
                        _ => WordClass::Content,
                    },
                })
                .collect();
            let mut anchors = vec![(1, true)];
            let mut out = vec![5];
            anchor_shingles_into(&tokens, k, &mut anchors, &mut out);
            prop_assert_eq!(&out, &anchor_shingles_reference(&tokens, k));
            prop_assert_eq!(anchor_shingles(&tokens, k), out.clone());
            // The set: the same shingles, each once, in any order.
            let mut slots = vec![0; 3];
            let mut set = vec![7, 0];
            anchor_shingle_set_into(&tokens, k, &mut anchors, &mut set, &mut slots);
            prop_assert!(slots.iter().all(|&s| s == 0));
            let mut sorted = set.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), set.len());
            prop_assert_eq!(sorted, out);
        }

        #[test]
        fn distinct_in_place_keeps_first_occurrences(
            values in prop::collection::vec(prop_oneof![0u64..40, any::<u64>()], 0..300),
        ) {
            // Small values (0 too) collide in the table and repeat.
            let mut expected: Vec<u64> = Vec::new();
            for &v in &values {
                if !expected.contains(&v) {
                    expected.push(v);
                }
            }
            let mut slots = Vec::new();
            let mut ours = values.clone();
            distinct_in_place(&mut ours, &mut slots);
            prop_assert_eq!(ours, expected);
            prop_assert!(slots.iter().all(|&s| s == 0));
        }

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
    fn containment_follows_from_jaccard_and_sizes() {
        // A (10) inside B (20): Jaccard 0.5, all of A found in B.
        assert!((estimated_containment(0.5, 10, 20) - 1.0).abs() < 1e-9);
        // 5 shared of 10 and 10: Jaccard 1/3, half of either found.
        assert!((estimated_containment(1.0 / 3.0, 10, 10) - 0.5).abs() < 1e-9);
        assert_eq!(estimated_containment(0.5, 0, 10), 0.0);
        assert!(estimated_containment(1.0, 3, 1000) <= 1.0);
    }

    #[test]
    fn identical_sets_have_identical_sketches() {
        let s: Vec<u64> = (0..50).collect();
        assert_eq!(estimated_jaccard(&minhash(&s, 64), &minhash(&s, 64)), 1.0);
        assert_eq!(estimated_jaccard(&minhash(&[], 64), &minhash(&[], 64)), 0.0);
    }
}
