//! The hash of a word ([`crate::tokens::word_hash`], XXH3 64-bit with the
//! default secret and seed 0) computed straight from the text of an ASCII
//! word, its capitals lowercased as the bytes are read: no lowercased copy
//! of the word, and no call into the general hash (whose length dispatch
//! and call cost more than the few multiplications a word of up to 16
//! bytes needs). Words are short; longer ones go through a lowercased copy
//! and the general hash.

use xxhash_rust::xxh3::xxh3_64;

/// The first bytes of XXH3's default secret (all that inputs of up to 16
/// bytes read).
const SECRET: [u8; 72] = [
    0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
    0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
    0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
    0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
    0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb,
];

const fn secret_u32(at: usize) -> u32 {
    u32::from_le_bytes([SECRET[at], SECRET[at + 1], SECRET[at + 2], SECRET[at + 3]])
}

const fn secret_u64(at: usize) -> u64 {
    (secret_u32(at) as u64) | ((secret_u32(at + 4) as u64) << 32)
}

/// What inputs of 1 to 3 bytes are keyed with.
const FLIP_1TO3: u64 = (secret_u32(0) ^ secret_u32(4)) as u64;
/// What inputs of 4 to 8 bytes are keyed with.
const FLIP_4TO8: u64 = secret_u64(8) ^ secret_u64(16);
/// What the first and last eight of 9 to 16 bytes are keyed with.
const FLIP_9TO16: (u64, u64) = (
    secret_u64(24) ^ secret_u64(32),
    secret_u64(40) ^ secret_u64(48),
);
/// The hash of the empty input.
const EMPTY: u64 = xxh64_avalanche(secret_u64(56) ^ secret_u64(64));

const PRIME64_2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const PRIME64_3: u64 = 0x1656_67B1_9E37_79F9;

const fn xxh64_avalanche(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(PRIME64_2);
    h ^= h >> 29;
    h = h.wrapping_mul(PRIME64_3);
    h ^ (h >> 32)
}

fn xxh3_avalanche(mut h: u64) -> u64 {
    h ^= h >> 37;
    h = h.wrapping_mul(0x1656_6791_9E37_79F9);
    h ^ (h >> 32)
}

fn rrmxmx(mut h: u64, len: u64) -> u64 {
    h ^= h.rotate_left(49) ^ h.rotate_left(24);
    h = h.wrapping_mul(0x9FB2_1C65_1E98_DF25);
    h ^= (h >> 35).wrapping_add(len);
    h = h.wrapping_mul(0x9FB2_1C65_1E98_DF25);
    h ^ (h >> 28)
}

/// Each byte of `x` (all ASCII) with `A`..=`Z` lowercased, eight at a time.
pub(crate) fn lower8(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // A byte reaches 0x80 when added to, exactly when it is at least the
    // bound (bytes below 0x80 carry into no neighbour).
    let at_least_a = x.wrapping_add(ONES * (0x80 - u64::from(b'A')));
    let past_z = x.wrapping_add(ONES * (0x80 - u64::from(b'Z') - 1));
    let capital = at_least_a & !past_z & (ONES * 0x80);
    x | (capital >> 2)
}

fn lower4(x: u32) -> u32 {
    lower8(u64::from(x)) as u32
}

/// `xxh3_64` of `word` with its ASCII capitals lowercased: the
/// [`crate::tokens::word_hash`] of the normalized form of an ASCII word
/// (other bytes are hashed as they are).
#[inline]
pub fn xxh3_ascii_lowercase(word: &[u8]) -> u64 {
    if !word.is_ascii() {
        return xxh3_lowercased_copy(word);
    }
    xxh3_lowercase_of_ascii(word)
}

/// [`xxh3_ascii_lowercase`] of a word known to be all ASCII (the word
/// scan of [`crate::tokens`] counts that as it reads), without checking it
/// again. A word with other bytes gets some other hash (never a panic).
#[inline]
pub(crate) fn xxh3_lowercase_of_ascii(word: &[u8]) -> u64 {
    let len = word.len();
    let u32_at = |at: usize| {
        word.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    };
    let u64_at = |at: usize| {
        word.get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    };
    match len {
        0 => EMPTY,
        1..=3 => {
            let byte = |at: usize| u32::from(word.get(at).map_or(0, u8::to_ascii_lowercase));
            let combined =
                (byte(0) << 16) | (byte(len >> 1) << 24) | byte(len - 1) | ((len as u32) << 8);
            xxh64_avalanche(u64::from(combined) ^ FLIP_1TO3)
        }
        4..=8 => {
            let first = u64::from(lower4(u32_at(0)));
            let last = u64::from(lower4(u32_at(len - 4)));
            let keyed = last.wrapping_add(first << 32) ^ FLIP_4TO8;
            rrmxmx(keyed, len as u64)
        }
        9..=16 => {
            let lo = lower8(u64_at(0)) ^ FLIP_9TO16.0;
            let hi = lower8(u64_at(len - 8)) ^ FLIP_9TO16.1;
            let product = u128::from(lo) * u128::from(hi);
            let folded = (product as u64) ^ ((product >> 64) as u64);
            let acc = (len as u64)
                .wrapping_add(lo.swap_bytes())
                .wrapping_add(hi)
                .wrapping_add(folded);
            xxh3_avalanche(acc)
        }
        _ => xxh3_lowercased_copy(word),
    }
}

/// `xxh3_64` of a lowercased copy of `word` (long or non-ASCII words).
#[cold]
#[inline(never)]
fn xxh3_lowercased_copy(word: &[u8]) -> u64 {
    let mut buf = [0u8; 64];
    match buf.get_mut(..word.len()) {
        Some(b) => {
            b.copy_from_slice(word);
            b.make_ascii_lowercase();
            xxh3_64(b)
        }
        None => xxh3_64(&word.to_ascii_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn expected(word: &[u8]) -> u64 {
        xxh3_64(&word.to_ascii_lowercase())
    }

    #[test]
    fn every_length_up_to_seventy_hashes_as_xxh3_of_the_lowercased_word() {
        let text: Vec<u8> = (0..70u8)
            .map(|k| b"AbZz09'-.@[`{"[usize::from(k) % 13])
            .collect();
        for len in 0..=70 {
            assert_eq!(
                xxh3_ascii_lowercase(&text[..len]),
                expected(&text[..len]),
                "{len}"
            );
        }
        assert_eq!(xxh3_ascii_lowercase(b"Hello"), xxh3_64(b"hello"));
    }

    proptest! {
        #[test]
        fn hashes_as_xxh3_of_the_lowercased_word(word in prop::collection::vec(any::<u8>(), 0..40)) {
            prop_assert_eq!(xxh3_ascii_lowercase(&word), expected(&word));
        }

        #[test]
        fn hashes_ascii_words_as_xxh3_of_the_lowercased_word(word in "[ -~]{0,24}") {
            prop_assert_eq!(xxh3_ascii_lowercase(word.as_bytes()), expected(word.as_bytes()));
        }

        #[test]
        fn hashes_known_ascii_words_as_the_checking_hash(word in prop::collection::vec(0u8..128, 0..40)) {
            prop_assert_eq!(xxh3_lowercase_of_ascii(&word), expected(&word));
            prop_assert_eq!(xxh3_lowercase_of_ascii(&word), xxh3_ascii_lowercase(&word));
        }

        #[test]
        fn lowercases_eight_ascii_bytes_at_once(bytes in prop::array::uniform8(0u8..128)) {
            let mut lowered = bytes;
            lowered.make_ascii_lowercase();
            prop_assert_eq!(lower8(u64::from_le_bytes(bytes)), u64::from_le_bytes(lowered));
        }
    }
}
