//! Words of a document with the class that decides whether a spinner is
//! likely to leave them alone (function words, numbers, names) or not
//! (content words).

use crate::short_hash::{lower8, xxh3_lowercase_of_ascii};
use std::sync::OnceLock;
use xxhash_rust::xxh3::xxh3_64;

/// Function words: spinners leave most of them alone.
pub const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "either",
    "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "may", "me",
    "might", "more", "most", "must", "my", "neither", "no", "nor", "not", "now", "of", "off", "on",
    "once", "only", "or", "other", "our", "out", "over", "own", "per", "same", "shall", "she",
    "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "upon", "us",
    "very", "was", "we", "were", "what", "when", "where", "whether", "which", "while", "who",
    "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you", "your",
    "since", "though", "although", "unless", "around", "among", "across", "toward", "towards",
    "via", "vs",
];

/// What kind of word a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordClass {
    /// A function word.
    Function,
    /// Contains a digit.
    Number,
    /// Capitalized inside a sentence, or all capitals.
    Name,
    /// Anything else: what a spinner replaces.
    Content,
}

/// One word of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte offset in the text.
    pub start: usize,
    /// Byte offset one past the word.
    pub end: usize,
    /// Hash of the lowercased, folded word.
    pub hash: u64,
    /// The word's class.
    pub class: WordClass,
}

/// Lowercases and folds a word for comparison (typographic apostrophes to `'`).
pub fn normalize(word: &str) -> String {
    let mut buf = String::new();
    normalize_into(word, &mut buf).to_string()
}

/// The hash a normalized word gets.
pub fn word_hash(norm: &str) -> u64 {
    xxh3_64(norm.as_bytes())
}

/// The length of the longest function word: longer words need no lookup.
const MAX_FUNCTION_WORD_LEN: usize = {
    let mut max = 0;
    let mut k = 0;
    while k < FUNCTION_WORDS.len() {
        if FUNCTION_WORDS[k].len() > max {
            max = FUNCTION_WORDS[k].len();
        }
        k += 1;
    }
    max
};

/// Slots of the function-word table (a power of two, at least twice the words).
const FUNCTION_SLOTS: usize = 512;

/// Function words by hash: an open-addressing table indexed by the low
/// bits of [`word_hash`], so a lookup costs the hash the tokenizer computes
/// anyway and (on a hash match) one string comparison.
fn function_table() -> &'static [Option<(u64, &'static str)>; FUNCTION_SLOTS] {
    static TABLE: OnceLock<[Option<(u64, &'static str)>; FUNCTION_SLOTS]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [None; FUNCTION_SLOTS];
        for &w in FUNCTION_WORDS {
            let h = word_hash(w);
            let mut slot = h as usize % FUNCTION_SLOTS;
            while let Some((other, _)) = table[slot] {
                if other == h {
                    break;
                }
                slot = (slot + 1) % FUNCTION_SLOTS;
            }
            table[slot] = Some((h, w));
        }
        table
    })
}

/// Slots of [`FunctionIndex`] (bits of a slot number).
const FUNCTION_INDEX_BITS: u32 = 12;

/// Function words by hash with no two in one slot: a slot is the top
/// bits of the hash times a multiplier chosen (at first use) so that the
/// function words' hashes all fall in different slots. A lookup is then
/// one load and, when the slot holds a word, one comparison with it, with
/// none of the probing of [`function_table`] (whose branches a processor
/// mispredicts on every other word of a text).
struct FunctionIndex {
    multiplier: u64,
    /// For each slot, 1 + the index in [`FUNCTION_WORDS`] of its word, or 0.
    slots: Vec<u8>,
    /// Each function word's bytes as a little-endian number (zeros past
    /// its end), by index in [`FUNCTION_WORDS`]: a word is compared with
    /// it in one comparison of eight bytes instead of a byte at a time.
    packed: Vec<u64>,
}

/// A word of up to eight bytes packed as [`FunctionIndex::packed`] holds
/// the function words: its bytes little-endian, zeros past its end.
fn pack_word(word: &[u8]) -> u64 {
    let mut eight = [0u8; 8];
    for (e, b) in eight.iter_mut().zip(word) {
        *e = *b;
    }
    u64::from_le_bytes(eight)
}

/// A word of at most eight bytes packed as [`pack_word`] does, read with
/// at most three loads whatever its length (bytes that two loads both
/// read are the same, so or-ing them changes nothing).
#[inline(always)]
fn pack_short_word(word: &[u8]) -> u64 {
    let len = word.len();
    let byte = |at: usize| u64::from(word.get(at).copied().unwrap_or(0)) << (8 * (at & 7));
    let four = |at: usize| {
        word.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, |b| u64::from(u32::from_le_bytes(b)) << (8 * (at & 7)))
    };
    match len {
        0 => 0,
        1..=3 => byte(0) | byte(len >> 1) | byte(len - 1),
        _ => four(0) | four(len - 4),
    }
}

impl FunctionIndex {
    fn slot(&self, hash: u64) -> usize {
        (hash.wrapping_mul(self.multiplier) >> (64 - FUNCTION_INDEX_BITS)) as usize
    }

    /// The function word that a word of hash `hash` would have to be.
    fn candidate(&self, hash: u64) -> Option<&'static str> {
        let k = usize::from(*self.slots.get(self.slot(hash))?);
        FUNCTION_WORDS.get(k.checked_sub(1)?).copied()
    }

    /// [`FunctionIndex::candidate`] packed ([`pack_word`]).
    #[inline(always)]
    fn packed_candidate(&self, hash: u64) -> Option<u64> {
        let k = usize::from(*self.slots.get(self.slot(hash))?);
        self.packed.get(k.checked_sub(1)?).copied()
    }

    /// The index, or `None` if no multiplier tried separates the words
    /// (then [`function_table`] answers).
    fn get() -> Option<&'static FunctionIndex> {
        static INDEX: OnceLock<Option<FunctionIndex>> = OnceLock::new();
        INDEX
            .get_or_init(|| {
                let hashes: Vec<u64> = FUNCTION_WORDS.iter().map(|w| word_hash(w)).collect();
                if FUNCTION_WORDS.len() >= usize::from(u8::MAX) || MAX_FUNCTION_WORD_LEN > 8 {
                    return None;
                }
                let packed: Vec<u64> = FUNCTION_WORDS
                    .iter()
                    .map(|w| pack_word(w.as_bytes()))
                    .collect();
                (0..10_000u64).find_map(|attempt| {
                    let multiplier = crate::signature::mix(attempt) | 1;
                    let mut index = FunctionIndex {
                        multiplier,
                        slots: vec![0; 1 << FUNCTION_INDEX_BITS],
                        packed: packed.clone(),
                    };
                    for (k, &h) in hashes.iter().enumerate() {
                        let slot = index.slot(h);
                        if index.slots[slot] != 0 {
                            return None;
                        }
                        index.slots[slot] = k as u8 + 1;
                    }
                    Some(index)
                })
            })
            .as_ref()
    }
}

/// Whether a normalized word whose [`word_hash`] is `hash` is a function word.
pub fn is_function_hashed(norm: &str, hash: u64) -> bool {
    if let Some(index) = FunctionIndex::get() {
        return index.candidate(hash).is_some_and(|w| w == norm);
    }
    is_function_probing(norm, hash)
}

/// [`is_function_hashed`] through the probing table.
fn is_function_probing(norm: &str, hash: u64) -> bool {
    let table = function_table();
    let mut slot = hash as usize % FUNCTION_SLOTS;
    while let Some((h, w)) = table[slot] {
        if h == hash {
            // Byte by byte: the words are short, a call to `memcmp` costs more.
            return w.len() == norm.len() && w.bytes().zip(norm.bytes()).all(|(x, y)| x == y);
        }
        slot = (slot + 1) % FUNCTION_SLOTS;
    }
    false
}

/// Whether an ASCII word whose lowercased form has the [`word_hash`]
/// `hash` is a function word ([`is_function_hashed`] of the lowercased
/// word, without lowercasing a copy).
#[cfg(test)]
fn is_function_ascii(word: &[u8], hash: u64) -> bool {
    is_function_ascii_in(FunctionIndex::get(), word, hash)
}

/// [`is_function_ascii`] with the [`FunctionIndex`] looked up once by the
/// caller (the tokenizer asks for every word). A word of up to eight
/// bytes is compared with its candidate in one comparison, its capitals
/// lowercased eight at a time.
#[inline]
fn is_function_ascii_in(index: Option<&FunctionIndex>, word: &[u8], hash: u64) -> bool {
    if let Some(index) = index {
        if word.len() <= 8 {
            return index
                .packed_candidate(hash)
                .is_some_and(|w| w == lower8(pack_short_word(word)));
        }
        return index.candidate(hash).is_some_and(|w| {
            w.len() == word.len()
                && w.bytes()
                    .zip(word)
                    .all(|(x, y)| x == y.to_ascii_lowercase())
        });
    }
    let table = function_table();
    let mut slot = hash as usize % FUNCTION_SLOTS;
    while let Some((h, w)) = table[slot] {
        if h == hash {
            return w.len() == word.len()
                && w.bytes()
                    .zip(word)
                    .all(|(x, y)| x == y.to_ascii_lowercase());
        }
        slot = (slot + 1) % FUNCTION_SLOTS;
    }
    false
}

/// Whether a normalized word is a function word.
pub fn is_function(norm: &str) -> bool {
    // Function words are short; longer words need no lookup.
    norm.len() <= 10 && is_function_hashed(norm, word_hash(norm))
}

/// Whether the text between two words ends a sentence (the reference
/// tokenizer's test; the scan tracks the marks as it passes them).
#[cfg(test)]
fn ends_sentence(gap: &str) -> bool {
    // The marks are ASCII: a byte scan finds them (UTF-8 continuation
    // bytes are never ASCII).
    gap.bytes()
        .any(|b| matches!(b, b'.' | b'!' | b'?' | b'\n' | b':' | b';'))
}

/// What one pass over a word's bytes tells: letters, uppercase letters,
/// whether it holds a digit, and whether it needs folding before hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WordShape {
    letters: usize,
    upper: usize,
    digit: bool,
    plain: bool,
}

impl WordShape {
    fn of(word: &str) -> WordShape {
        if word.is_ascii() {
            let (mut letters, mut upper, mut digit, mut backtick) = (0, 0, false, false);
            for b in word.bytes() {
                letters += usize::from(b.is_ascii_alphabetic());
                upper += usize::from(b.is_ascii_uppercase());
                digit |= b.is_ascii_digit();
                backtick |= b == b'`';
            }
            return WordShape {
                letters,
                upper,
                digit,
                plain: upper == 0 && !backtick,
            };
        }
        let (letters, upper) = letter_counts(word);
        WordShape {
            letters,
            upper,
            digit: word.bytes().any(|b| b.is_ascii_digit()),
            plain: false,
        }
    }

    /// At least two letters, all of them capitals.
    fn all_upper(&self) -> bool {
        self.letters >= 2 && self.upper == self.letters
    }
}

/// The words of `text` with their classes.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 6 + 1);
    tokenize_into(text, &mut out);
    out
}

/// [`tokenize`] into `out` (cleared first), reusing its allocation.
pub fn tokenize_into(text: &str, out: &mut Vec<Token>) {
    tokenize_scan(text, out, None, &mut TokenizeScratch::default());
}

/// Buffers the tokenizer reuses from one text to the next.
#[derive(Debug, Default)]
pub(crate) struct TokenizeScratch {
    /// Per token: at least two letters (bit 0), and all of them capitals (bit 1).
    lettering: Vec<u8>,
    /// A word folded for hashing.
    folded: String,
}

/// [`tokenize_into`], also pushing to `cuts` the sentence cuts that
/// [`crate::align`] splits at (after each line break, and after a `.`, `!`
/// or `?` and its closing quotes when a space and a capital, digit or
/// opening quote follow), found in the same pass over the text.
pub(crate) fn tokenize_with_cuts(
    text: &str,
    out: &mut Vec<Token>,
    cuts: &mut Vec<usize>,
    scratch: &mut TokenizeScratch,
) {
    tokenize_scan(text, out, Some(cuts), scratch);
}

fn tokenize_scan(
    text: &str,
    out: &mut Vec<Token>,
    cuts: Option<&mut Vec<usize>>,
    scratch: &mut TokenizeScratch,
) {
    out.clear();
    let TokenizeScratch {
        lettering,
        folded: buf,
    } = scratch;
    lettering.clear();
    let function_index = FunctionIndex::get();
    let bytes = text.as_bytes();
    scan_words(text, cuts, |start, end, ascii_shape, mark_before| {
        // The word's bytes: only a word that is not all ASCII is sliced as
        // a `str` (whose slicing checks both ends for char boundaries).
        let word = &bytes[start..end];
        // An ASCII word is hashed lowercased as it is read; others are
        // normalized into the buffer first.
        let (shape, hash, norm) = match ascii_shape {
            Some(shape) => (shape, xxh3_lowercase_of_ascii(word), None),
            None => {
                let word = &text[start..end];
                let shape = WordShape::of(word);
                let norm = if shape.plain {
                    word
                } else {
                    normalize_into(word, buf)
                };
                (shape, word_hash(norm), Some(norm))
            }
        };
        let sentence_start = out.is_empty() || mark_before;
        let first_upper = match word.first() {
            Some(b) if b.is_ascii() => b.is_ascii_uppercase(),
            _ => text
                .get(start..end)
                .and_then(|w| w.chars().next())
                .is_some_and(char::is_uppercase),
        };
        let class = if shape.digit {
            WordClass::Number
        } else if
        // Looked up here, in the condition, not through a closure (which
        // the compiler kept out of line: a call for every word).
        match norm {
            None => {
                word.len() <= MAX_FUNCTION_WORD_LEN
                    && is_function_ascii_in(function_index, word, hash)
            }
            Some(norm) => norm.len() <= 10 && is_function_hashed(norm, hash),
        } {
            WordClass::Function
        } else if shape.all_upper() || (first_upper && !sentence_start) {
            WordClass::Name
        } else {
            WordClass::Content
        };
        out.push(Token {
            start,
            end,
            hash,
            class,
        });
        lettering.push(u8::from(shape.letters >= 2) | (u8::from(shape.all_upper()) << 1));
    });
    demote_capitalized_lines(text, out, lettering);
}

/// Byte classes of [`scan_words`]: ASCII alphanumeric, letter, capital,
/// digit; and, for the other ASCII bytes, a line break, a sentence stop
/// (`.`, `!`, `?`), an ASCII joiner (`'`, `-`, `.`, `,`) and a sentence
/// mark (a stop, a line break, `:` or `;`).
const ALNUM: u8 = 1;
const LETTER: u8 = 2;
const UPPER: u8 = 4;
const DIGIT: u8 = 8;
const NEWLINE: u8 = 16;
const STOP: u8 = 32;
const JOINER: u8 = 64;
const MARK: u8 = 128;

/// The class bits of every byte (non-ASCII bytes have none).
const BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_uppercase() {
            table[b] = ALNUM | LETTER | UPPER;
        } else if c.is_ascii_lowercase() {
            table[b] = ALNUM | LETTER;
        } else if c.is_ascii_digit() {
            table[b] = ALNUM | DIGIT;
        } else {
            if c == b'\n' {
                table[b] |= NEWLINE;
            }
            if matches!(c, b'.' | b'!' | b'?') {
                table[b] |= STOP;
            }
            if matches!(c, b'\'' | b'-' | b'.' | b',') {
                table[b] |= JOINER;
            }
            if matches!(c, b'.' | b'!' | b'?' | b'\n' | b':' | b';') {
                table[b] |= MARK;
            }
        }
        b += 1;
    }
    table
};

/// Where the sentence splitter of [`crate::align`] cuts after the mark
/// (`.`, `!` or `?`) at byte `i`: past its closing quotes and brackets,
/// when a space then a capital, a digit or an opening quote follow.
pub(crate) fn cut_after_mark(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut j = i + 1;
    while j < bytes.len() {
        let n = text.get(j..)?.chars().next()?;
        if matches!(n, '"' | '\'' | ')' | '\u{201D}' | '\u{2019}') {
            j += n.len_utf8();
        } else {
            break;
        }
    }
    let mut chars = text.get(j..)?.chars();
    (chars.next() == Some(' ')
        && chars.next().is_some_and(|n| {
            n.is_uppercase()
                || n.is_ascii_digit()
                || matches!(n, '"' | '\u{201C}' | '\'' | '\u{2018}')
        }))
    .then_some(j)
}

/// Calls `f(start, end)` for each word of `text`, in order: the spans of
/// [`copydesk_core::text::word_spans`] (maximal runs of alphanumeric
/// characters, joined by an apostrophe, hyphen or period between two
/// alphanumerics, or by a comma between two digits), found with a byte
/// scan that decodes only non-ASCII characters and collects no list.
pub fn for_each_word(text: &str, mut f: impl FnMut(usize, usize)) {
    scan_words(text, None, |start, end, _, _| f(start, end));
}

/// The leading ASCII alphanumerics of eight bytes: how many, and their
/// letters, capitals and whether a digit is among them, found with a few
/// word-wide operations instead of a loop whose exit is hard to predict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AsciiRun {
    len: usize,
    letters: usize,
    upper: usize,
    digit: bool,
}

impl AsciiRun {
    #[inline(always)]
    fn of(eight: &[u8]) -> AsciiRun {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = ONES * 0x80;
        let x = eight.try_into().map_or(0, u64::from_le_bytes);
        // Each byte's low seven bits: adding to them carries into no
        // neighbour, and a byte's 0x80 bit then tells whether it reached a bound.
        let low = x & !HIGH;
        let at_least = |bound: u8| low.wrapping_add(ONES * u64::from(0x80 - bound)) & HIGH;
        let ascii = !x & HIGH;
        let upper = at_least(b'A') & !at_least(b'Z' + 1) & ascii;
        let lower = at_least(b'a') & !at_least(b'z' + 1) & ascii;
        let digit = at_least(b'0') & !at_least(b'9' + 1) & ascii;
        let alnum = upper | lower | digit;
        // Bytes before the first that is not alphanumeric.
        let stop = !alnum & HIGH;
        let len = (stop.trailing_zeros() / 8) as usize;
        // The bits below the first stop's flag (all of them when there is
        // none), found without a branch: they hold the flags of the run's
        // bytes and of no byte after it.
        let inside = (stop & stop.wrapping_neg()).wrapping_sub(1);
        // Flags (0x80 bits) counted by moving each to its byte's low bit
        // and summing the bytes into the top one (no popcount instruction
        // in the baseline instruction set).
        let count = |flags: u64| ((((flags & inside) >> 7).wrapping_mul(ONES)) >> 56) as usize;
        AsciiRun {
            len,
            letters: count(upper | lower),
            upper: count(upper),
            digit: digit & inside != 0,
        }
    }
}

/// The scan behind [`for_each_word`]: calls `f(start, end, shape, mark)`
/// for each word, where `shape` is the word's [`WordShape`] when it is all
/// ASCII (counted during the scan) and `mark` tells whether the text since
/// the previous word holds a sentence-ending mark (`.!?:;` or a line
/// break); pushes the sentence cuts of [`cut_after_mark`] and line breaks
/// to `cuts` when given.
fn scan_words(
    text: &str,
    mut cuts: Option<&mut Vec<usize>>,
    mut f: impl FnMut(usize, usize, Option<WordShape>, bool),
) {
    let bytes = text.as_bytes();
    let len = bytes.len();
    // The character at byte `i` (a char boundary) and its length.
    let char_at = |i: usize| -> Option<(char, usize)> {
        match bytes.get(i) {
            None => None,
            Some(&b) if b.is_ascii() => Some((char::from(b), 1)),
            Some(_) => text.get(i..)?.chars().next().map(|c| (c, c.len_utf8())),
        }
    };
    let is_alnum = |c: char| {
        if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric()
        }
    };
    let mut start: Option<usize> = None;
    let mut prev_alnum = false;
    // The shape of the current word while it is all ASCII.
    let (mut letters, mut upper, mut digit, mut ascii) = (0usize, 0usize, false, true);
    // A sentence mark since the last word, and before the current one.
    let (mut mark, mut mark_before) = (false, false);
    let mut i = 0;
    // Up to the end of the text included: there the scan reads a space
    // that ends the last word, so that `f` is called from one place only
    // (and the compiler inlines it into the loop).
    while i <= len {
        let class = bytes.get(i).map_or(0, |&b| BYTE_CLASS[usize::from(b)]);
        if class & ALNUM != 0 {
            if start.is_none() {
                start = Some(i);
                (letters, upper, digit, ascii) = (0, 0, false, true);
                mark_before = std::mem::take(&mut mark);
            }
            // A run of ASCII alphanumerics, eight bytes at a time.
            let mut class = class;
            loop {
                let Some(eight) = bytes.get(i..i + 8) else {
                    // The last few bytes of the text, one at a time.
                    letters += usize::from(class & LETTER != 0);
                    upper += usize::from(class & UPPER != 0);
                    digit |= class & DIGIT != 0;
                    i += 1;
                    match bytes.get(i) {
                        Some(&b) if BYTE_CLASS[usize::from(b)] & ALNUM != 0 => {
                            class = BYTE_CLASS[usize::from(b)];
                            continue;
                        }
                        _ => break,
                    }
                };
                let run = AsciiRun::of(eight);
                letters += run.letters;
                upper += run.upper;
                digit |= run.digit;
                i += run.len;
                if run.len < 8 {
                    break;
                }
                match bytes.get(i) {
                    Some(&b) if BYTE_CLASS[usize::from(b)] & ALNUM != 0 => {
                        class = BYTE_CLASS[usize::from(b)];
                    }
                    _ => break,
                }
            }
            prev_alnum = true;
            continue;
        }
        // A space (the most common separator) ends the current word and
        // is nothing else: none of the tests for the other separators (a
        // letter that is not ASCII, a cut, a joiner) apply to it, and its
        // class has no mark.
        let (n, ends) = if bytes.get(i) == Some(&b' ') {
            (1, true)
        } else {
            // Past the last byte: a space (`i` is a char boundary before).
            let (c, n) = char_at(i).unwrap_or((' ', 1));
            if !c.is_ascii() && c.is_alphanumeric() {
                if start.is_none() {
                    start = Some(i);
                    mark_before = std::mem::take(&mut mark);
                }
                ascii = false;
                prev_alnum = true;
                i += n;
                continue;
            }
            // The ASCII separators' tests are bits of their byte class (a
            // character that is not ASCII has none: its first byte's class is 0).
            if let Some(cuts) = cuts.as_deref_mut() {
                if class & NEWLINE != 0 {
                    cuts.push(i + 1);
                } else if class & STOP != 0
                    && let Some(cut) = cut_after_mark(text, i)
                {
                    cuts.push(cut);
                }
            }
            let joiner = class & JOINER != 0 || c == '\u{2019}';
            let joins = joiner
                && prev_alnum
                && char_at(i + n).is_some_and(|(next, _)| is_alnum(next))
                && (c != ','
                    || (i > 0
                        && bytes[i - 1].is_ascii_digit()
                        && bytes.get(i + n).is_some_and(u8::is_ascii_digit)));
            ascii &= !joins || c.is_ascii();
            (n, !joins)
        };
        if ends {
            if let Some(s) = start.take() {
                let shape = ascii.then_some(WordShape {
                    letters,
                    upper,
                    digit,
                    plain: upper == 0,
                });
                f(s, i, shape, mark_before);
            }
            mark |= class & MARK != 0;
        }
        prev_alnum = false;
        i += n;
    }
}

/// The first implementation of [`scan_words`] (alphanumeric runs read a
/// byte at a time), kept as the reference.
#[cfg(test)]
fn scan_words_reference(
    text: &str,
    mut cuts: Option<&mut Vec<usize>>,
    mut f: impl FnMut(usize, usize, Option<WordShape>, bool),
) {
    let bytes = text.as_bytes();
    let len = bytes.len();
    // The character at byte `i` (a char boundary) and its length.
    let char_at = |i: usize| -> Option<(char, usize)> {
        match bytes.get(i) {
            None => None,
            Some(&b) if b.is_ascii() => Some((char::from(b), 1)),
            Some(_) => text.get(i..)?.chars().next().map(|c| (c, c.len_utf8())),
        }
    };
    let is_alnum = |c: char| {
        if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric()
        }
    };
    let mut start: Option<usize> = None;
    let mut prev_alnum = false;
    // The shape of the current word while it is all ASCII.
    let (mut letters, mut upper, mut digit, mut ascii) = (0usize, 0usize, false, true);
    // A sentence mark since the last word, and before the current one.
    let (mut mark, mut mark_before) = (false, false);
    let mut i = 0;
    while i < len {
        let class = BYTE_CLASS[usize::from(bytes[i])];
        if class & ALNUM != 0 {
            if start.is_none() {
                start = Some(i);
                (letters, upper, digit, ascii) = (0, 0, false, true);
                mark_before = std::mem::take(&mut mark);
            }
            // A run of ASCII alphanumerics.
            let mut class = class;
            loop {
                letters += usize::from(class & LETTER != 0);
                upper += usize::from(class & UPPER != 0);
                digit |= class & DIGIT != 0;
                i += 1;
                match bytes.get(i) {
                    Some(&b) if BYTE_CLASS[usize::from(b)] & ALNUM != 0 => {
                        class = BYTE_CLASS[usize::from(b)];
                    }
                    _ => break,
                }
            }
            prev_alnum = true;
            continue;
        }
        let Some((c, n)) = char_at(i) else { break };
        if !c.is_ascii() && c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
                mark_before = std::mem::take(&mut mark);
            }
            ascii = false;
            prev_alnum = true;
            i += n;
            continue;
        }
        if let Some(cuts) = cuts.as_deref_mut() {
            if c == '\n' {
                cuts.push(i + 1);
            } else if matches!(c, '.' | '!' | '?')
                && let Some(cut) = cut_after_mark(text, i)
            {
                cuts.push(cut);
            }
        }
        let joiner = matches!(c, '\'' | '\u{2019}' | '-' | '.' | ',');
        let joins = joiner
            && prev_alnum
            && char_at(i + n).is_some_and(|(next, _)| is_alnum(next))
            && (c != ','
                || (i > 0
                    && bytes[i - 1].is_ascii_digit()
                    && bytes.get(i + n).is_some_and(u8::is_ascii_digit)));
        if joins {
            ascii &= c.is_ascii();
        } else {
            if let Some(s) = start.take() {
                let shape = ascii.then_some(WordShape {
                    letters,
                    upper,
                    digit,
                    plain: upper == 0,
                });
                f(s, i, shape, mark_before);
            }
            mark |= matches!(c, '.' | '!' | '?' | '\n' | ':' | ';');
        }
        prev_alnum = false;
        i += n;
    }
    if let Some(s) = start {
        let shape = ascii.then_some(WordShape {
            letters,
            upper,
            digit,
            plain: upper == 0,
        });
        f(s, len, shape, mark_before);
    }
}

/// Letters of a word, and how many of them are uppercase.
fn letter_counts(word: &str) -> (usize, usize) {
    if word.is_ascii() {
        let letters = word.bytes().filter(u8::is_ascii_alphabetic).count();
        let upper = word.bytes().filter(u8::is_ascii_uppercase).count();
        return (letters, upper);
    }
    word.chars()
        .filter(|c| c.is_alphabetic())
        .fold((0, 0), |(l, u), c| {
            (l + 1, u + usize::from(c.is_uppercase()))
        })
}

/// [`normalize`] into a reused buffer; lowercase ASCII words are returned
/// as they are, without a copy.
fn normalize_into<'a>(word: &'a str, buf: &'a mut String) -> &'a str {
    if word
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase() && b != b'`')
    {
        return word;
    }
    buf.clear();
    if word.is_ascii() {
        buf.push_str(word);
        buf.make_ascii_lowercase();
        if buf.contains('`') {
            *buf = buf.replace('`', "'");
        }
        return buf;
    }
    buf.extend(
        word.chars()
            .map(|c| match c {
                '\u{2019}' | '\u{2018}' | '`' => '\'',
                c => c,
            })
            .flat_map(char::to_lowercase),
    );
    buf
}

/// In lines written mostly in capitals (wire headlines), capitals mark
/// nothing: their words are classed as if written in lowercase.
/// `lettering[i]` tells whether token `i` has at least two letters (bit 0)
/// and whether they are all capitals (bit 1). A line is "mostly in
/// capitals" when at least three fifths of its words of two letters or
/// more are, which takes two of them at least: only the lines of the
/// tokens in capitals are looked at (found eight tokens at a time), not
/// every token's line.
#[inline(never)]
fn demote_capitalized_lines(text: &str, tokens: &mut [Token], lettering: &[u8]) {
    let bytes = text.as_bytes();
    let n = tokens.len().min(lettering.len());
    // The first token in capitals at `from` or after.
    let next_capital = |mut from: usize| -> usize {
        const CAPITALS: u64 = 0x0202_0202_0202_0202;
        while let Some(eight) = lettering.get(from..from + 8) {
            let x = eight.try_into().map_or(0, u64::from_le_bytes) & CAPITALS;
            if x != 0 {
                return from + (x.trailing_zeros() / 8) as usize;
            }
            from += 8;
        }
        while from < n && lettering[from] & 2 == 0 {
            from += 1;
        }
        from
    };
    let mut k = next_capital(0);
    while k < n {
        let start = tokens[k].start;
        // The line of token `k` (words never hold a line break).
        let line_end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |p| start + p);
        // A line with one word in capitals is not mostly in capitals.
        let second = next_capital(k + 1);
        if tokens.get(second).is_none_or(|t| t.start >= line_end) {
            k = second;
            continue;
        }
        let line_start = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |p| p + 1);
        let i = tokens[..k].partition_point(|t| t.start < line_start);
        let j = k + tokens[k..n].partition_point(|t| t.start < line_end);
        let (mut lettered, mut capitals) = (0, 0);
        for &l in &lettering[i..j] {
            lettered += usize::from(l & 1);
            capitals += usize::from(l == 3);
        }
        if lettered >= 2 && capitals * 5 >= lettered * 3 {
            for t in &mut tokens[i..j] {
                if t.class == WordClass::Name {
                    t.class = WordClass::Content;
                }
            }
        }
        k = next_capital(j);
    }
}

/// The previous implementation of [`demote_capitalized_lines`] (a pass
/// over every token with each one's letters noted by the scan), kept as a
/// reference for the tests: `lettering[i]` tells whether token `i` has at
/// least two letters (bit 0) and whether they are all capitals (bit 1);
/// `newlines` are the offsets of the text's line breaks, ascending.
#[cfg(test)]
fn demote_capitalized_lines_lettered(
    text: &str,
    tokens: &mut [Token],
    lettering: &[u8],
    newlines: &[usize],
) {
    let mut line = 0;
    let mut i = 0;
    while i < tokens.len() {
        // The first line break after the token's start (or the end of the text).
        while line < newlines.len() && newlines[line] < tokens[i].start {
            line += 1;
        }
        let line_end = newlines.get(line).copied().unwrap_or(text.len());
        let mut j = i;
        while j < tokens.len() && tokens[j].start < line_end {
            j += 1;
        }
        let (mut lettered, mut capitals) = (0, 0);
        for &l in lettering.get(i..j).unwrap_or(&[]) {
            if l & 1 != 0 {
                lettered += 1;
                if l & 2 != 0 {
                    capitals += 1;
                }
            }
        }
        if lettered >= 2 && capitals * 5 >= lettered * 3 {
            for t in &mut tokens[i..j] {
                if t.class == WordClass::Name {
                    t.class = WordClass::Content;
                }
            }
        }
        i = j.max(i + 1);
    }
}

/// The first implementation of [`demote_capitalized_lines`], kept for the
/// reference tokenizer of the tests.
#[cfg(test)]
fn demote_capitalized_lines_reference(text: &str, tokens: &mut [Token]) {
    let mut i = 0;
    while i < tokens.len() {
        let line_end = text[tokens[i].start..]
            .find('\n')
            .map_or(text.len(), |n| tokens[i].start + n);
        let mut j = i;
        while j < tokens.len() && tokens[j].start < line_end {
            j += 1;
        }
        let (mut lettered, mut capitals) = (0, 0);
        for t in &tokens[i..j] {
            let (letters, upper) = letter_counts(&text[t.start..t.end]);
            if letters >= 2 {
                lettered += 1;
                if upper == letters {
                    capitals += 1;
                }
            }
        }
        if lettered >= 2 && capitals * 5 >= lettered * 3 {
            for t in &mut tokens[i..j] {
                if t.class == WordClass::Name {
                    t.class = WordClass::Content;
                }
            }
        }
        i = j.max(i + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_core::text::word_spans;

    #[test]
    fn classes_words() {
        let t = "Officials said 5 Chinese engineers died in Karachi.";
        let toks = tokenize(t);
        let classes: Vec<WordClass> = toks.iter().map(|t| t.class).collect();
        use WordClass::*;
        assert_eq!(
            classes,
            [
                Content, Content, Number, Name, Content, Content, Function, Name
            ]
        );
        assert_eq!(toks[1].hash, word_hash("said"));
    }

    #[test]
    fn capitalized_headlines_mark_no_names() {
        let toks = tokenize("OPEC SAYS OUTPUT STEADY\nThe OPEC said so.");
        let classes: Vec<WordClass> = toks.iter().map(|t| t.class).collect();
        use WordClass::*;
        assert_eq!(
            classes,
            [
                Content, Content, Content, Content, Function, Name, Content, Function
            ]
        );
    }

    /// The first implementation, kept as the reference the fast one must match.
    fn reference_tokenize(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut prev_end = 0;
        for (start, end) in word_spans(text) {
            let word = &text[start..end];
            let norm = normalize(word);
            let sentence_start = out.is_empty() || ends_sentence(&text[prev_end..start]);
            let first_upper = word.chars().next().is_some_and(char::is_uppercase);
            let letters = word.chars().filter(|c| c.is_alphabetic()).count();
            let all_upper = letters >= 2
                && word
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .all(char::is_uppercase);
            let class = if word.chars().any(|c| c.is_ascii_digit()) {
                WordClass::Number
            } else if FUNCTION_WORDS.contains(&norm.as_str()) {
                WordClass::Function
            } else if all_upper || (first_upper && !sentence_start) {
                WordClass::Name
            } else {
                WordClass::Content
            };
            out.push(Token {
                start,
                end,
                hash: word_hash(&norm),
                class,
            });
            prev_end = end;
        }
        demote_capitalized_lines_reference(text, &mut out);
        out
    }

    #[test]
    fn function_index_separates_every_function_word() {
        let index = FunctionIndex::get().expect("a multiplier separating the function words");
        for w in FUNCTION_WORDS {
            assert_eq!(index.candidate(word_hash(w)), Some(*w));
            assert!(is_function_probing(w, word_hash(w)), "{w}");
        }
        for w in [
            "said", "the.", "thee", "", "ab", "minister", "chinese", "The",
        ] {
            assert!(!is_function_hashed(w, word_hash(w)), "{w}");
            assert!(!is_function_probing(w, word_hash(w)), "{w}");
        }
        assert!(is_function_ascii(b"The", word_hash("the")));
        assert!(!is_function_ascii(b"Thee", word_hash("thee")));
    }

    #[test]
    fn function_word_table_knows_every_function_word_and_nothing_else() {
        for w in FUNCTION_WORDS {
            assert!(is_function(w), "{w}");
        }
        for w in ["said", "the.", "thee", "", "ab", "minister", "Chinese"] {
            assert!(!is_function(w), "{w}");
        }
    }

    fn words_of(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for_each_word(text, |a, b| out.push((a, b)));
        out
    }

    #[test]
    fn word_scan_keeps_joined_words() {
        let t = "China\u{2019}s co-operation, $65-billion and 1,000 U.S. troops, a,b 3,x \u{e9}t\u{e9}-\u{c9}t\u{e9}.";
        assert_eq!(words_of(t), word_spans(t));
        let words: Vec<&str> = words_of(t).into_iter().map(|(s, e)| &t[s..e]).collect();
        assert_eq!(
            words,
            [
                "China\u{2019}s",
                "co-operation",
                "65-billion",
                "and",
                "1,000",
                "U.S",
                "troops",
                "a",
                "b",
                "3",
                "x",
                "\u{e9}t\u{e9}-\u{c9}t\u{e9}"
            ]
        );
    }

    /// The first implementation of [`normalize`], kept as the reference.
    fn normalize_reference(word: &str) -> String {
        word.chars()
            .map(|c| match c {
                '\u{2019}' | '\u{2018}' | '`' => '\'',
                c => c,
            })
            .flat_map(char::to_lowercase)
            .collect()
    }

    /// The comparison [`is_function_ascii_in`] made before words were
    /// packed: a byte at a time, lowercased.
    fn is_function_ascii_bytewise(index: &FunctionIndex, word: &[u8], hash: u64) -> bool {
        index.candidate(hash).is_some_and(|w| {
            w.len() == word.len()
                && w.bytes()
                    .zip(word)
                    .all(|(x, y)| x == y.to_ascii_lowercase())
        })
    }

    /// `text`'s tokens (their classes varied so that some are names) with
    /// what the two implementations of [`demote_capitalized_lines`] take.
    fn demotion_inputs(text: &str) -> (Vec<Token>, Vec<u8>, Vec<usize>) {
        let mut tokens = tokenize(text);
        for (k, t) in tokens.iter_mut().enumerate() {
            if k % 3 != 0 {
                t.class = WordClass::Name;
            }
        }
        let mut lettering = Vec::new();
        for t in &tokens {
            let (letters, upper) = letter_counts(&text[t.start..t.end]);
            let all_upper = letters >= 2 && upper == letters;
            lettering.push(u8::from(letters >= 2) | (u8::from(all_upper) << 1));
        }
        let newlines = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
        (tokens, lettering, newlines)
    }

    #[test]
    fn headline_lines_are_demoted_as_before() {
        let text = "WASHINGTON, March 3\nU.S. SAYS IRAN Talks GO ON\nThe IMF and NATO met Smith.\nOPEC\nNEW";
        let (tokens, lettering, newlines) = demotion_inputs(text);
        let mut fast = tokens.clone();
        demote_capitalized_lines(text, &mut fast, &lettering);
        let mut before = tokens;
        demote_capitalized_lines_lettered(text, &mut before, &lettering, &newlines);
        assert_eq!(fast, before);
    }

    proptest::proptest! {
        #[test]
        fn demotion_by_capitals_matches_the_lettered_pass(
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "NEW", "YORK", "U.S.", "OPEC", "said", "The", "Bank", "of", "IMF", "A", "5",
                    "\n", "\n\n", ".", "RATES", "\u{c9}T\u{c9}", "\u{e9}t\u{e9}", "Oil", "ok", "X1",
                ]),
                0..40,
            ),
        ) {
            let text = words.join(" ");
            let (tokens, lettering, newlines) = demotion_inputs(&text);
            let mut fast = tokens.clone();
            demote_capitalized_lines(&text, &mut fast, &lettering);
            let mut before = tokens.clone();
            demote_capitalized_lines_lettered(&text, &mut before, &lettering, &newlines);
            proptest::prop_assert_eq!(&fast, &before);
            let mut reference = tokens;
            demote_capitalized_lines_reference(&text, &mut reference);
            proptest::prop_assert_eq!(&fast, &reference);
            proptest::prop_assert_eq!(tokenize(&text), reference_tokenize(&text));
        }

        #[test]
        fn packed_function_word_comparison_matches_the_byte_comparison(
            word in "[a-zA-Z0-9'.-]{0,9}|(?i)(the|an|a|although|upon|vs|via|whose|them|hers|thee|tha)",
        ) {
            let index = FunctionIndex::get().expect("a function index");
            let bytes = word.as_bytes();
            if bytes.len() <= 8 {
                proptest::prop_assert_eq!(pack_short_word(bytes), pack_word(bytes));
            }
            let hash = xxh3_lowercase_of_ascii(bytes);
            proptest::prop_assert_eq!(
                is_function_ascii_in(Some(index), bytes, hash),
                is_function_ascii_bytewise(index, bytes, hash)
            );
            proptest::prop_assert_eq!(
                is_function_ascii_in(Some(index), bytes, hash),
                FUNCTION_WORDS.contains(&word.to_ascii_lowercase().as_str())
            );
        }

        #[test]
        fn function_index_answers_as_the_probing_table(word in "[a-zA-Z']{0,11}|\\PC{0,6}") {
            let norm = normalize(&word);
            let hash = word_hash(&norm);
            proptest::prop_assert_eq!(is_function_hashed(&norm, hash), is_function_probing(&norm, hash));
            proptest::prop_assert_eq!(is_function_hashed(&norm, hash), FUNCTION_WORDS.contains(&norm.as_str()));
            if word.is_ascii() {
                proptest::prop_assert_eq!(is_function_ascii(word.as_bytes(), hash), is_function_probing(&norm, hash));
            }
        }
        #[test]
        fn ascii_runs_are_counted_as_a_byte_at_a_time(
            bytes in proptest::array::uniform8(proptest::prelude::any::<u8>()),
            ascii in proptest::array::uniform8(0u8..128),
            letters in proptest::array::uniform8(proptest::sample::select(b"aZ09 .\x80".to_vec())),
            pick in 0u8..3,
        ) {
            let bytes = [bytes, ascii, letters][usize::from(pick)];
            let len = bytes.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            let run = &bytes[..len];
            let expected = AsciiRun {
                len,
                letters: run.iter().filter(|b| b.is_ascii_alphabetic()).count(),
                upper: run.iter().filter(|b| b.is_ascii_uppercase()).count(),
                digit: run.iter().any(u8::is_ascii_digit),
            };
            proptest::prop_assert_eq!(AsciiRun::of(&bytes), expected);
        }

        #[test]
        fn word_scan_matches_the_byte_at_a_time_scan(text in "([a-zA-Z0-9]{0,19}[ .,:;!?'`\"\u{2019}\u{2018}\u{201C}\u{201D}()\u{c9}\u{e9}\u{660}\n-]{0,3}){0,12}|\\PC{0,60}") {
            let scan = |reference: bool| {
                let mut words = Vec::new();
                let mut cuts = Vec::new();
                let record = |s, e, shape, mark| words.push((s, e, shape, mark));
                if reference {
                    scan_words_reference(&text, Some(&mut cuts), record);
                } else {
                    scan_words(&text, Some(&mut cuts), record);
                }
                (words, cuts)
            };
            proptest::prop_assert_eq!(scan(false), scan(true));
        }

        #[test]
        fn normalize_matches_the_reference(word in "[a-zA-Z0-9'`.-]{0,12}|\\PC{0,12}") {
            proptest::prop_assert_eq!(normalize(&word), normalize_reference(&word));
        }

        #[test]
        fn word_scan_matches_core_word_spans(text in "[a-zA-Z0-9 .,:;'`\u{2019}\u{2018}\u{c9}\u{e9}\u{df}\u{130}\u{660}\u{2160}\n-]{0,120}") {
            proptest::prop_assert_eq!(words_of(&text), word_spans(&text));
        }

        #[test]
        fn word_scan_matches_core_word_spans_on_any_text(text in "\\PC{0,80}") {
            proptest::prop_assert_eq!(words_of(&text), word_spans(&text));
        }

        #[test]
        fn fast_tokenize_matches_the_reference(text in "[a-zA-Z0-9 .,:;'`\u{2019}\u{2018}\u{c9}\u{e9}\u{df}\u{130}\n-]{0,120}") {
            proptest::prop_assert_eq!(tokenize(&text), reference_tokenize(&text));
        }

        #[test]
        fn fast_tokenize_matches_the_reference_on_any_text(text in "\\PC{0,80}") {
            proptest::prop_assert_eq!(tokenize(&text), reference_tokenize(&text));
        }
    }

    #[test]
    fn fast_tokenize_matches_the_reference_on_the_seeds() {
        for seed in ["000", "001"] {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds");
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(seed)
                {
                    let text = std::fs::read_to_string(&path).unwrap();
                    assert_eq!(tokenize(&text), reference_tokenize(&text));
                }
            }
        }
    }
}
