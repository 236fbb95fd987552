//! The shape of a paragraph: title-like, body-like, crosshead, and the keys
//! paragraphs are compared by.

use crate::tabular::is_table_row;
use copydesk_core::text::fold_for_matching;

/// Words in `s` (whitespace-separated).
pub fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Words in `s`, counted up to `limit` only: `min(word_count(s), limit)`,
/// without scanning a long paragraph to its end.
pub fn word_count_up_to(s: &str, limit: usize) -> usize {
    let mut counter = WordCounter::new();
    counter.count_to(s, limit);
    counter.words.min(limit)
}

/// A word count of a prefix of a text, which can be taken further: the
/// words starting in `text[..pos]`. Words are runs of non-blank
/// characters (`char::is_whitespace` separates them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WordCounter {
    /// Bytes counted so far (always a char boundary).
    pos: usize,
    /// Words starting before `pos`.
    words: usize,
    /// Whether the character before `pos` is blank (true at the start).
    prev_blank: bool,
}

/// `char::is_whitespace` for an ASCII byte: space and `\t` to `\r`.
fn is_ascii_blank(b: u8) -> bool {
    b == b' ' || b.wrapping_sub(b'\t') < 5
}

/// Bit `k` set when byte `k` of an ASCII chunk (at most 64 bytes) is blank
/// (the reference of [`ascii_word_starts`]).
#[cfg(test)]
pub(crate) fn ascii_blank_mask(chunk: &[u8]) -> u64 {
    let mut mask = 0u64;
    let mut groups = chunk.chunks_exact(8);
    for (g, group) in groups.by_ref().enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(group);
        mask |= u64::from(ascii_blank_bits(u64::from_le_bytes(word))) << (8 * g);
    }
    let done = chunk.len() - groups.remainder().len();
    for (k, &b) in groups.remainder().iter().enumerate() {
        mask |= u64::from(is_ascii_blank(b)) << (done + k);
    }
    mask
}

/// Eight high bits.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of byte `j` (little-endian) of eight ASCII bytes set when
/// that byte is blank, all eight compared at once (no carry crosses a
/// byte: each is below 0x80).
fn ascii_blank_high_bits(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // High bit set where the byte is not a space.
    let t = x ^ (ONES * 0x20);
    let not_space = (t.wrapping_add(ONES * 0x7f) | t) & HIGH;
    // High bit set where the byte is `\t` (9) to `\r` (13).
    let from_tab = x.wrapping_add(ONES * 0x77) & HIGH;
    let past_cr = x.wrapping_add(ONES * 0x72) & HIGH;
    (!not_space & HIGH) | (from_tab & !past_cr)
}

/// Bit `j` set when byte `j` (little-endian) of eight ASCII bytes is blank.
#[cfg(test)]
fn ascii_blank_bits(x: u64) -> u8 {
    // Gather the eight high bits into one byte.
    ((ascii_blank_high_bits(x) >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8
}

/// The words starting in an ASCII chunk of at most 64 bytes (a non-blank byte after a blank
/// one, or first after a blank when `prev_blank`), and whether its last
/// byte is blank (`prev_blank` if it is empty). Eight bytes at a time,
/// the word starts counted as high bits.
fn ascii_word_starts(chunk: &[u8], prev_blank: bool) -> (usize, bool) {
    // Word starts per byte lane, summed over the groups (at most eight
    // groups, so a lane holds at most 8), then added up across the lanes.
    debug_assert!(chunk.len() <= 64);
    let mut lanes = 0u64;
    // The high bit of the byte before the group: set when it is blank.
    let mut before = if prev_blank { 0x80 } else { 0 };
    let mut groups = chunk.chunks_exact(8);
    for group in groups.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(group);
        let blank = ascii_blank_high_bits(u64::from_le_bytes(word));
        lanes += (!blank & ((blank << 8) | before) & HIGH) >> 7;
        before = blank >> 56;
    }
    let mut words = (lanes.wrapping_mul(0x0101_0101_0101_0101) >> 56) as usize;
    let mut prev = before != 0;
    for &b in groups.remainder() {
        let blank = is_ascii_blank(b);
        words += usize::from(prev && !blank);
        prev = blank;
    }
    (words, prev)
}

/// [`ascii_word_starts`] of a chunk of 64 bytes, sixteen bytes at a time
/// with SSE2 (part of x86-64), or `None` when the chunk is not ASCII (told
/// from the same loads). A byte is blank when it is a space or `b - 9`
/// (wrapping) is at most 4; a word starts at a non-blank byte whose byte
/// before is blank (the blank lanes shifted one byte up, the last lane
/// of each block carried into the next). The starts, one per lane, are
/// summed with `psadbw`, so no bit count is needed (baseline x86-64 has
/// no `popcnt`).
#[cfg(target_arch = "x86_64")]
fn ascii_word_starts_64_sse2(chunk: &[u8; 64], prev_blank: bool) -> Option<(usize, bool)> {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi64, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cvtsi32_si128,
        _mm_cvtsi128_si64, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_sad_epu8, _mm_set1_epi8, _mm_setzero_si128, _mm_slli_si128, _mm_srli_si128,
        _mm_sub_epi8, _mm_unpackhi_epi64,
    };
    // SAFETY: SSE2 is part of x86-64; each load reads sixteen bytes of the
    // 64-byte chunk (`k` is 0, 16, 32 or 48); the rest computes on registers.
    unsafe {
        let zero = _mm_setzero_si128();
        let one = _mm_set1_epi8(1);
        let mut high = zero;
        let mut sums = zero;
        // Lane 0: whether the byte before the block is blank.
        let mut carry = _mm_cvtsi32_si128(if prev_blank { 0xFF } else { 0 });
        for k in (0..64).step_by(16) {
            let v = _mm_loadu_si128(chunk.as_ptr().add(k).cast::<__m128i>());
            high = _mm_or_si128(high, v);
            let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
            let d = _mm_sub_epi8(v, _mm_set1_epi8(b'\t' as i8));
            let control = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(4)), d);
            let blank = _mm_or_si128(space, control);
            let before = _mm_or_si128(_mm_slli_si128::<1>(blank), carry);
            carry = _mm_srli_si128::<15>(blank);
            let starts = _mm_and_si128(_mm_andnot_si128(blank, before), one);
            sums = _mm_add_epi64(sums, _mm_sad_epu8(starts, zero));
        }
        if _mm_movemask_epi8(high) != 0 {
            return None;
        }
        let words = _mm_cvtsi128_si64(sums) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
        Some((words as usize, is_ascii_blank(chunk[63])))
    }
}

impl WordCounter {
    /// Nothing counted yet.
    pub(crate) const fn new() -> Self {
        WordCounter {
            pos: 0,
            words: 0,
            prev_blank: true,
        }
    }

    /// Words counted so far.
    pub(crate) fn words(&self) -> usize {
        self.words
    }

    /// Counts further into `s` (the text counted so far) until at least
    /// `limit` words are counted or `s` ends. ASCII stretches go 64 bytes
    /// at a time (word starts as bits: a non-blank byte after a blank one),
    /// so the count may pass `limit` by up to 63 words.
    pub(crate) fn count_to(&mut self, s: &str, limit: usize) {
        let bytes = s.as_bytes();
        while self.pos < bytes.len() && self.words < limit {
            let end = (self.pos + 64).min(bytes.len());
            let chunk = &bytes[self.pos..end];
            #[cfg(target_arch = "x86_64")]
            if let Ok(chunk) = <&[u8; 64]>::try_from(chunk) {
                if let Some((words, last_blank)) = ascii_word_starts_64_sse2(chunk, self.prev_blank)
                {
                    self.words += words;
                    self.prev_blank = last_blank;
                    self.pos = end;
                    continue;
                }
            } else if chunk.is_ascii() {
                let (words, last_blank) = ascii_word_starts(chunk, self.prev_blank);
                self.words += words;
                self.prev_blank = last_blank;
                self.pos = end;
                continue;
            }
            #[cfg(not(target_arch = "x86_64"))]
            if chunk.is_ascii() {
                let (words, last_blank) = ascii_word_starts(chunk, self.prev_blank);
                self.words += words;
                self.prev_blank = last_blank;
                self.pos = end;
                continue;
            }
            // Character by character to the end of the chunk (or just past
            // it, to finish a character).
            while self.pos < end {
                let b = bytes[self.pos];
                let (blank, len) = if b.is_ascii() {
                    (is_ascii_blank(b), 1)
                } else {
                    match s.get(self.pos..).and_then(|rest| rest.chars().next()) {
                        Some(c) => (c.is_whitespace(), c.len_utf8()),
                        None => (false, 1),
                    }
                };
                self.words += usize::from(self.prev_blank && !blank);
                self.prev_blank = blank;
                self.pos += len;
            }
        }
    }
}

/// Whether `s` has at most `max` words (`word_count(s) <= max`), looking
/// no further than word `max + 1`.
pub fn has_at_most_words(s: &str, max: usize) -> bool {
    word_count_up_to(s, max.saturating_add(1)) <= max
}

/// `s` folded for comparison: typographic punctuation to ASCII, lower case,
/// whitespace collapsed.
pub fn key(s: &str) -> String {
    if !s.is_ascii() {
        return fold_for_matching(s)
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
    }
    // The same in one pass for ASCII, where folding only turns '`' into
    // '\'' (and blanks into spaces, which are collapsed anyway).
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    let mut space = false;
    for b in s.bytes() {
        // `char::is_whitespace` for ASCII.
        if b == b' ' || (b'\t'..=b'\r').contains(&b) {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(b' ');
            space = false;
        }
        out.push(if b == b'`' {
            b'\''
        } else {
            b.to_ascii_lowercase()
        });
    }
    // ASCII in, ASCII out: always valid.
    String::from_utf8(out).unwrap_or_default()
}

/// [`key`] without leading and trailing non-letters, so `"Load Next
/// Story0"`, `"» Read more:"` and `"12 Comments"` compare by their words.
pub fn line_key(s: &str) -> String {
    key(s)
        .trim_matches(|c: char| !c.is_alphabetic())
        .to_string()
}

/// Whether two paragraphs say the same (compared by [`line_key`]).
pub fn same_text(a: &str, b: &str) -> bool {
    same_text_as_key(&line_key(a), b)
}

/// [`same_text`] with the [`line_key`] of the first paragraph given
/// (`ka`), so a paragraph compared with many is keyed once.
pub(crate) fn same_text_as_key(ka: &str, b: &str) -> bool {
    if ka.is_empty() {
        return false;
    }
    if ka.is_ascii() && b.is_ascii() {
        return ascii_line_key_is(b.as_bytes(), ka.as_bytes());
    }
    ka == line_key(b)
}

/// The bytes of [`key`] of ASCII text, one at a time.
fn ascii_key_bytes(text: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut i = 0;
    let mut started = false;
    let mut space = false;
    std::iter::from_fn(move || {
        while let Some(&b) = text.get(i) {
            if is_ascii_blank(b) {
                space = started;
                i += 1;
                continue;
            }
            if space {
                space = false;
                return Some(b' ');
            }
            started = true;
            i += 1;
            return Some(if b == b'`' {
                b'\''
            } else {
                b.to_ascii_lowercase()
            });
        }
        None
    })
}

/// Whether `line_key(text) == wanted` for ASCII `text` and a non-empty
/// ASCII `wanted` (which, being a line key, starts and ends with a letter),
/// reading `text` only as far as it agrees.
fn ascii_line_key_is(text: &[u8], wanted: &[u8]) -> bool {
    let mut key = ascii_key_bytes(text).skip_while(|b| !b.is_ascii_alphabetic());
    wanted.iter().all(|&w| key.next() == Some(w)) && key.all(|b| !b.is_ascii_alphabetic())
}

/// `s` without closing quotes and brackets at its end.
fn without_closers(s: &str) -> &str {
    s.trim_end()
        .trim_end_matches(['"', '\'', '”', '’', ')', ']', '»'])
}

/// Whether a paragraph ends like a sentence (`.`, `!`, `?`, `…`, maybe
/// followed by closing quotes).
pub fn ends_sentence(s: &str) -> bool {
    without_closers(s)
        .chars()
        .next_back()
        .is_some_and(|c| matches!(c, '.' | '!' | '?' | '…'))
}

/// Whether a paragraph ends with a full stop, comma, colon or semicolon
/// (a headline never does; `?` and `!` are allowed, and so is an
/// abbreviation such as `U.S.`).
fn ends_like_prose(s: &str) -> bool {
    let end = without_closers(s);
    let last_word = end.split_whitespace().next_back().unwrap_or("");
    let abbreviation = is_abbreviation(last_word);
    end.chars()
        .next_back()
        .is_some_and(|c| matches!(c, '.' | ',' | ':' | ';' | '…'))
        && !abbreviation
}

/// Whether a paragraph looks like a headline or a sub-headline: between two
/// and `max_words` words, mostly letters, starting with a capital (or a
/// quote, or a digit), at least 60% letters and at most 25% digits, not
/// ending with a full stop, comma or colon, holding a single sentence, not
/// a table row.
pub fn is_title_like(s: &str, max_words: usize) -> bool {
    let s = s.trim();
    let words = word_count_up_to(s, max_words.saturating_add(1));
    if words < 2
        || words > max_words
        || ends_like_prose(s)
        || has_inner_sentence_end(s)
        || is_table_row(s)
    {
        return false;
    }
    let first = s
        .chars()
        .find(|c| !matches!(c, '"' | '\'' | '“' | '‘' | '«' | '(' | '<' | '['));
    if !first.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()) || starts_like_dateline(s) {
        return false;
    }
    let visible: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    let letters = visible.iter().filter(|c| c.is_alphabetic()).count();
    let digits = visible.iter().filter(|c| c.is_numeric()).count();
    let real_words = s
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .count();
    letters * 10 >= visible.len() * 6 && digits * 4 <= visible.len() && real_words >= 2
}

/// Whether a sentence ends inside `s`: `.`, `?` or `!` followed by a space
/// and a capital (`"All opinions are mine. #ad"` and `"Never heard them?
/// Listen!"` are not headlines). Abbreviations such as `U.S.` and `Inc.`
/// before a name do not count.
fn has_inner_sentence_end(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    words.windows(2).any(|pair| {
        let (word, next) = (pair[0], pair[1]);
        let ends = word.ends_with(['?', '!'])
            || (word.ends_with('.')
                && !is_abbreviation(word)
                && word.chars().count() > 3
                && !TITLE_ABBREVIATIONS.contains(&word.to_lowercase().as_str()));
        ends && next
            .chars()
            .find(|c| c.is_alphanumeric() || *c == '#')
            .is_some_and(|c| c.is_uppercase() || c == '#')
    })
}

/// Abbreviations of more than two letters that a name or a date follows
/// (`Apple Inc. Sues`, `Gov. Smith`, `Sept. 3`).
const TITLE_ABBREVIATIONS: &[&str] = &[
    "inc.", "corp.", "ltd.", "mrs.", "gov.", "sen.", "rep.", "gen.", "prof.", "capt.", "sgt.",
    "dept.", "bros.", "univ.", "jan.", "feb.", "apr.", "aug.", "sept.", "oct.", "nov.", "dec.",
];

/// Whether a word is an abbreviation with inner full stops (`U.S.`, `N.Y.`).
fn is_abbreviation(word: &str) -> bool {
    let core = word.trim_end_matches('.');
    core.contains('.')
        && core
            .split('.')
            .all(|part| part.chars().count() <= 3 && part.chars().all(char::is_alphabetic))
}

/// Whether a paragraph ends with `?` or `!` (after closing quotes).
pub fn ends_with_question_or_exclamation(s: &str) -> bool {
    without_closers(s).ends_with(['?', '!'])
}

/// Whether a paragraph starts like a dateline the parser did not read
/// (`"NEW YORK, Narch 2 - Qtr ended"`): a first comma-separated part in
/// capitals, in a paragraph not all in capitals.
fn starts_like_dateline(s: &str) -> bool {
    let Some((first, _)) = s.split_once(',') else {
        return false;
    };
    let caps = |t: &str| {
        let letters: Vec<char> = t.chars().filter(|c| c.is_alphabetic()).collect();
        letters.len() >= 3 && letters.iter().all(|c| c.is_uppercase())
    };
    caps(first) && !caps(s)
}

/// The share of digits among the visible characters of `s`, in percent.
pub fn digit_percent(s: &str) -> usize {
    let visible = s.chars().filter(|c| !c.is_whitespace()).count();
    let digits = s.chars().filter(|c| c.is_numeric()).count();
    (digits * 100).checked_div(visible).unwrap_or(0)
}

/// Whether a paragraph reads as running text: at least eight words ending
/// like a sentence, or at least twenty words.
pub fn is_body_like(s: &str) -> bool {
    let words = word_count_up_to(s, 20);
    (words >= 8 && ends_sentence(s)) || words >= 20
}

/// Whether a paragraph is a crosshead: a short section title in capitals
/// inside the body (`‘GRAVE SECURITY BREACH’`).
pub fn is_crosshead(s: &str) -> bool {
    let s = s.trim();
    // A lowercase letter rules it out; most lines have one near the start.
    if s.bytes().any(|b| b.is_ascii_lowercase()) {
        return false;
    }
    let words = word_count_up_to(s, 11);
    if !(1..=10).contains(&words) {
        return false;
    }
    let (mut letters, mut lower, mut upper) = (0usize, false, false);
    for c in s.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        lower |= c.is_lowercase();
        upper |= c.is_uppercase();
    }
    letters >= 4 && !lower && upper && !ends_sentence(s) && !is_table_row(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headlines_are_title_like() {
        assert!(is_title_like("China proposes own security: report", 25));
        assert!(is_title_like(
            "Islamabad, Beijing in talks for joint security system",
            25
        ));
        assert!(is_title_like("Is the Fed done?", 25));
        assert!(!is_title_like("Beijing is pushing Islamabad to act.", 25));
        assert!(!is_title_like("Shr 34 cts vs 1.19 dlrs", 25));
        assert!(!is_title_like("Reuter", 25));
        assert!(!is_title_like("ISLAMABAD:", 25));
        assert!(!is_title_like("lower case start here", 25));
        assert!(!is_title_like("NEW YORK, Narch 2 - Qtr ended Jan 31", 25));
        assert!(is_title_like("<GKN PLC> 1986 YEAR RESULTS", 25));
        assert!(is_title_like(
            "TAIWAN PROPOSES TO INVEST ONE BILLION DLRS IN U.S.",
            25
        ));
        assert!(is_title_like("ZIMBABWE GDP RISES 0.2 PCT IN 1986", 25));
        assert!(is_title_like("Apple Inc. Sues Samsung in U.S. Court", 25));
        assert!(!is_title_like(
            "This shop has been compensated by #CollectiveBias, Inc. and its advertiser. All opinions are mine alone. #ad",
            25
        ));
        assert!(!is_title_like("Never heard of them? Listen to a bit!", 25));
        assert!(!is_title_like(
            "Summary: diver won with a score of 409.30.",
            25
        ));
    }

    #[test]
    fn crossheads_are_short_capitals() {
        assert!(is_crosshead("‘GRAVE SECURITY BREACH’"));
        assert!(is_crosshead("CHINESE FRUSTRATIONS"));
        assert!(!is_crosshead("U.S. said."));
        assert!(!is_crosshead("Grave security breach"));
    }

    proptest::proptest! {
        #[test]
        fn keys_and_word_counts_agree_with_their_definitions(
            s in "([A-Za-z`'’“”…–]{1,6}|[ \t\n\r\u{b}\u{c}\u{a0}\u{2009}]{1,3}|ΣΑΣ|İ){0,12}",
            limit in 0usize..8,
        ) {
            let slow = fold_for_matching(&s)
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            proptest::prop_assert_eq!(key(&s), slow);
            let words = word_count(&s);
            proptest::prop_assert_eq!(word_count_up_to(&s, limit), words.min(limit));
            proptest::prop_assert_eq!(has_at_most_words(&s, limit), words <= limit);
        }
    }

    proptest::proptest! {
        #[test]
        fn blank_masks_agree_with_is_whitespace(s in "[ -~\t\n\r\u{b}\u{c}]{0,64}") {
            let bytes = s.as_bytes();
            let mask = ascii_blank_mask(bytes);
            for (k, &b) in bytes.iter().enumerate() {
                proptest::prop_assert_eq!((mask >> k) & 1 == 1, char::from(b).is_whitespace());
            }
            proptest::prop_assert_eq!(mask >> bytes.len().min(63) >> 1, 0);
        }

        #[test]
        fn chunk_word_starts_agree_with_blank_masks(
            s in "([ -~]{0,9}|[ \t\n\r\u{b}\u{c}]{1,3}){0,20}",
            prev_blank: bool,
        ) {
            // The old count of a chunk: word starts as bits of the blank mask.
            let chunk = &s.as_bytes()[..s.len().min(64)];
            let expected = if chunk.is_empty() {
                (0, prev_blank)
            } else {
                let blanks = ascii_blank_mask(chunk);
                let valid = if chunk.len() == 64 {
                    u64::MAX
                } else {
                    (1u64 << chunk.len()) - 1
                };
                let starts = !blanks & ((blanks << 1) | u64::from(prev_blank)) & valid;
                (starts.count_ones() as usize, (blanks >> (chunk.len() - 1)) & 1 == 1)
            };
            proptest::prop_assert_eq!(ascii_word_starts(chunk, prev_blank), expected);
        }

        #[cfg(target_arch = "x86_64")]
        #[test]
        fn sse2_word_starts_are_the_lane_counts(
            chunk in proptest::collection::vec(proptest::sample::select(vec![b'a', b'Z', b'.', b' ', b'\t', b'\n', b'\r', 0x0B, 0x0C, 0x08, 0x0E, 0x1F, b'!']), 64),
            prev_blank: bool,
        ) {
            let block: &[u8; 64] = chunk.as_slice().try_into().expect("64 bytes");
            proptest::prop_assert_eq!(
                ascii_word_starts_64_sse2(block, prev_blank),
                Some(ascii_word_starts(&chunk, prev_blank))
            );
        }

        #[test]
        fn long_word_counts_agree_with_their_definition(
            s in "([a-z]{1,9}|[ \t\n\r\u{b}\u{c}\u{a0}\u{2009}]{1,3}|é|ΣΑΣ){0,120}",
            limits in proptest::collection::vec(0usize..140, 1..4),
        ) {
            let words = word_count(&s);
            let mut counter = WordCounter::new();
            for limit in limits {
                proptest::prop_assert_eq!(word_count_up_to(&s, limit), words.min(limit));
                // Resumed counting agrees with counting from the start.
                counter.count_to(&s, limit);
                proptest::prop_assert!(counter.words() >= words.min(limit));
                proptest::prop_assert!(counter.words() <= words);
            }
            counter.count_to(&s, usize::MAX);
            proptest::prop_assert_eq!(counter.words(), words);
        }

        #[test]
        fn same_text_agrees_with_its_definition(
            a in "[ .0-9]{0,2}(Talks|TALKS|talks|Stall|é|[ `'’:]{1,2}|[a-zA-Z]{1,4}){1,6}[ .0-9!]{0,3}",
            b in "[ .0-9]{0,2}(Talks|TALKS|talks|Stall|é|[ `'’:\t]{1,2}|[a-zA-Z]{1,4}){1,6}[ .0-9!]{0,3}",
        ) {
            let slow = |a: &str, b: &str| {
                let ka = line_key(a);
                !ka.is_empty() && ka == line_key(b)
            };
            proptest::prop_assert_eq!(same_text(&a, &b), slow(&a, &b));
            proptest::prop_assert_eq!(same_text(&a, &a), slow(&a, &a));
            let upper = a.to_uppercase();
            proptest::prop_assert_eq!(same_text(&a, &upper), slow(&a, &upper));
        }

        #[test]
        fn crossheads_agree_with_their_definition(
            s in "(GRAVE|SECURITY|Breach|é|É|[ .’‘:!]{1,2}|[A-Z]{1,5}|[a-z]{1,3}|   ){0,12}",
        ) {
            let slow = |s: &str| {
                let s = s.trim();
                let words = word_count_up_to(s, 11);
                let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
                (1..=10).contains(&words)
                    && letters.len() >= 4
                    && letters.iter().all(|c| !c.is_lowercase())
                    && letters.iter().any(|c| c.is_uppercase())
                    && !ends_sentence(s)
                    && !is_table_row(s)
            };
            proptest::prop_assert_eq!(is_crosshead(&s), slow(&s));
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn sse2_word_starts_for_every_byte_at_every_place() {
        for v in 0..=255u8 {
            for pos in 0..64 {
                for fill in [b'a', b' '] {
                    for prev_blank in [false, true] {
                        let mut chunk = [fill; 64];
                        chunk[pos] = v;
                        let expected = chunk
                            .is_ascii()
                            .then(|| ascii_word_starts(&chunk, prev_blank));
                        assert_eq!(
                            ascii_word_starts_64_sse2(&chunk, prev_blank),
                            expected,
                            "{v} at {pos} among {fill}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn line_keys_ignore_counters_and_case() {
        assert_eq!(line_key("Load Next Story0"), "load next story");
        assert_eq!(line_key("  12 Comments "), "comments");
        assert!(same_text(
            "China proposes own security: report",
            "CHINA PROPOSES OWN SECURITY: REPORT"
        ));
    }
}
