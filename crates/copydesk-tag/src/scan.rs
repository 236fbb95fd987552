//! Small text-scanning helpers shared by the stages: paragraphs, quotation
//! marks, and character classes.

/// Byte spans of the paragraphs of `text`: runs of text separated by a line
/// that is empty or only whitespace, trimmed of surrounding whitespace.
/// When `lines` is true every line is its own paragraph.
pub fn paragraphs(text: &str, lines: bool) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    // Room for the paragraphs of most documents (grown past that).
    let mut out = Vec::with_capacity(16);
    let mut para_start: Option<usize> = None;
    let mut para_end = 0;
    let mut line_start = 0;
    // The lines `split_inclusive('\n')` gives, each with its `\n`, found
    // with the memchr crate (vectorized) rather than core's byte search.
    while line_start < bytes.len() {
        let line_end =
            memchr::memchr(b'\n', &bytes[line_start..]).map_or(bytes.len(), |k| line_start + k + 1);
        let line = &text[line_start..line_end];
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if let Some(s) = para_start.take() {
                out.push((s, para_end));
            }
            line_start = line_end;
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let content_start = line_start + lead;
        let content_end = content_start + trimmed.len();
        line_start = line_end;
        if lines {
            out.push((content_start, content_end));
            continue;
        }
        if para_start.is_none() {
            para_start = Some(content_start);
        }
        para_end = content_end;
    }
    if let Some(s) = para_start {
        out.push((s, para_end));
    }
    out
}

/// [`paragraphs`] as it was, over `split_inclusive('\n')` (the tests'
/// reference).
#[cfg(test)]
fn paragraphs_split_inclusive(text: &str, lines: bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut para_start: Option<usize> = None;
    let mut para_end = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            if let Some(s) = para_start.take() {
                out.push((s, para_end));
            }
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let content_start = line_start + lead;
        let content_end = content_start + trimmed.len();
        if lines {
            out.push((content_start, content_end));
            continue;
        }
        if para_start.is_none() {
            para_start = Some(content_start);
        }
        para_end = content_end;
    }
    if let Some(s) = para_start {
        out.push((s, para_end));
    }
    out
}

/// Whether `b` is a word byte for an ASCII word boundary: `[0-9A-Za-z_]`,
/// what a regex `\b` reads as a word character with Unicode off.
pub fn is_ascii_word_byte(b: u8) -> bool {
    ASCII_WORD_BYTES[usize::from(b)]
}

/// [`is_ascii_word_byte`] for every byte, looked up rather than compared.
static ASCII_WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || byte == b'_';
        b += 1;
    }
    table
};

/// Whether `b` is whitespace as a regex `\s` reads it with Unicode off.
pub fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}

/// Byte spans of the maximal runs of ASCII word bytes in `text` (see
/// [`is_ascii_word_byte`]): the words between ASCII word boundaries, so a
/// word here is what a pattern `\bword\b` without Unicode would match.
pub fn ascii_words(text: &str) -> AsciiWords<'_> {
    AsciiWords::new(text.as_bytes(), &ASCII_WORD_BYTES, true)
}

/// Byte spans of the maximal runs of ASCII letters (`[A-Za-z]`) in `text`,
/// read as [`ascii_words`] reads its words (64 bytes at a time).
pub fn ascii_letter_runs(text: &str) -> AsciiWords<'_> {
    AsciiWords::new(text.as_bytes(), &ASCII_LETTERS, false)
}

/// Whether each byte is an ASCII letter, looked up rather than compared.
static ASCII_LETTERS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphabetic();
        b += 1;
    }
    table
};

/// The iterator of [`ascii_words`] (and [`ascii_letter_runs`], with
/// another class of bytes). It reads the text 64 bytes at a time
/// into a mask of word bytes (one bit a byte, without a branch a byte) and
/// takes the word boundaries from the set bits of the mask's transitions,
/// rather than testing byte after byte where each word starts and ends
/// (two mispredicted branches a word).
#[derive(Debug, Clone)]
pub struct AsciiWords<'t> {
    bytes: &'t [u8],
    /// Which bytes make words.
    class: &'static [bool; 256],
    /// Whether the class is the word bytes (else the letters), read eight
    /// bytes at a time in the chunks of 64 bytes (see [`word_byte_mask_of_64`]).
    word_bytes: bool,
    /// Offset of the chunk `transitions` describes.
    base: usize,
    /// Offset of the next chunk to read.
    next: usize,
    /// The boundaries of the current chunk not yet taken: bit `k` set when
    /// byte `base + k` is a word byte and the byte before is not, or the
    /// other way round (a word starts or ends there).
    transitions: u64,
    /// Whether the last byte read is a word byte.
    in_word_byte: bool,
    /// The start of the word being read, between its start and its end.
    start: Option<usize>,
}

impl<'t> AsciiWords<'t> {
    fn new(bytes: &'t [u8], class: &'static [bool; 256], word_bytes: bool) -> Self {
        AsciiWords {
            bytes,
            class,
            word_bytes,
            base: 0,
            next: 0,
            transitions: 0,
            in_word_byte: false,
            start: None,
        }
    }
}

impl Iterator for AsciiWords<'_> {
    type Item = (usize, usize);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        loop {
            let t = self.transitions;
            if t != 0 {
                let at = self.base + t.trailing_zeros() as usize;
                let rest = t & (t - 1);
                // A word started in an earlier chunk ends at the first
                // transition of this one.
                if let Some(start) = self.start.take() {
                    self.transitions = rest;
                    return Some((start, at));
                }
                // Most words start and end in one chunk: both of their
                // transitions are taken at once.
                if rest != 0 {
                    self.transitions = rest & (rest - 1);
                    return Some((at, self.base + rest.trailing_zeros() as usize));
                }
                self.transitions = 0;
                self.start = Some(at);
            }
            let Some(chunk) = self.bytes.get(self.next..).filter(|c| !c.is_empty()) else {
                // A word running to the end of the text ends there.
                return self.start.take().map(|start| (start, self.bytes.len()));
            };
            let chunk = &chunk[..chunk.len().min(64)];
            let mask = match (chunk.len(), self.word_bytes) {
                (64, true) => word_byte_mask_of_64(chunk),
                (64, false) => letter_mask_of_64(chunk),
                _ => class_mask(chunk, self.class),
            };
            // Bit k of `shifted`: whether the byte before byte k is a word
            // byte. A word ending at the last byte of a short (final)
            // chunk shows as a transition at the chunk's length.
            let shifted = (mask << 1) | u64::from(self.in_word_byte);
            self.transitions = mask ^ shifted;
            self.in_word_byte = mask >> (chunk.len() - 1) & 1 == 1;
            self.base = self.next;
            self.next += chunk.len();
        }
    }
}

/// Bit `k` set when byte `k` of `chunk` (at most 64 bytes) is of `class`.
fn class_mask(chunk: &[u8], class: &[bool; 256]) -> u64 {
    let mut mask = 0u64;
    for (k, &b) in chunk.iter().enumerate() {
        mask |= u64::from(class[usize::from(b)]) << k;
    }
    mask
}

#[cfg(any(test, not(target_arch = "x86_64")))]
/// [`class_mask`] of a chunk of 64 bytes, eight bytes at a time: `lanes`
/// sets the high bit of each lane in class, and the eight high bits are
/// gathered into a byte of the mask by one multiplication (lane `i`'s bit,
/// at bit `8i` once shifted, lands on bit `56 + i` and nowhere else there).
#[inline(always)]
fn class_mask_of_64(chunk: &[u8], lanes: impl Fn(u64) -> u64) -> u64 {
    let mut mask = 0u64;
    for (k, block) in chunk.chunks_exact(8).enumerate() {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(block);
        let high = lanes(u64::from_le_bytes(eight));
        let packed = ((high >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
        mask |= packed << (8 * k);
    }
    mask
}

/// [`class_mask`] of a chunk of 64 bytes for the word bytes: sixteen
/// bytes at a time with SSE2 (part of x86-64), eight at a time elsewhere.
#[inline(always)]
fn word_byte_mask_of_64(chunk: &[u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        class_mask_of_64_sse2(chunk, sse2::word_byte_mask16)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        class_mask_of_64(chunk, word_byte_lanes)
    }
}

/// [`class_mask`] of a chunk of 64 bytes for the ASCII letters, as
/// [`word_byte_mask_of_64`] reads it.
#[inline(always)]
fn letter_mask_of_64(chunk: &[u8]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        class_mask_of_64_sse2(chunk, sse2::letter_mask16)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        class_mask_of_64(chunk, letter_lanes)
    }
}

/// [`class_mask`] of a chunk of 64 bytes, sixteen bytes at a time:
/// `mask16` gives the class bits of sixteen bytes (bit `i` for byte `i`).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn class_mask_of_64_sse2(chunk: &[u8], mask16: impl Fn(&[u8; 16]) -> u32) -> u64 {
    let mut mask = 0u64;
    for (k, block) in chunk.chunks_exact(16).enumerate() {
        if let Ok(block) = <&[u8; 16]>::try_from(block) {
            mask |= u64::from(mask16(block)) << (16 * k);
        }
    }
    mask
}

/// The byte classes of sixteen bytes at once with SSE2 (every x86-64
/// processor has it): each returns a mask with bit `i` set when byte `i`
/// is of the class. A byte `b` is in a range `lo..=lo + n` exactly when
/// `b - lo` (wrapping) is at most `n`, that is when its unsigned minimum
/// with `n` is itself; exact in every lane.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_sub_epi8,
    };

    /// The sixteen bytes in a register.
    #[inline(always)]
    fn load(block: &[u8; 16]) -> __m128i {
        // SAFETY: SSE2 is part of x86-64; `block` is sixteen readable
        // bytes, and an unaligned load has no alignment requirement.
        unsafe { _mm_loadu_si128(block.as_ptr().cast::<__m128i>()) }
    }

    /// The lanes of `v` (all ones) in `lo..=lo + n`.
    #[inline(always)]
    fn in_range(v: __m128i, lo: u8, n: u8) -> __m128i {
        // SAFETY: SSE2 is part of x86-64; these only compute on registers.
        unsafe {
            let d = _mm_sub_epi8(v, _mm_set1_epi8(lo as i8));
            _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(n as i8)), d)
        }
    }

    /// The ASCII letter lanes of `v`: the letters are the bytes that
    /// fall in `a..=z` with bit 5 set (`A..=Z` do, and no other byte:
    /// bytes above 0x7F stay above it).
    #[inline(always)]
    fn letters(v: __m128i) -> __m128i {
        // SAFETY: SSE2 is part of x86-64; these only compute on registers.
        let folded = unsafe { _mm_or_si128(v, _mm_set1_epi8(0x20)) };
        in_range(folded, b'a', b'z' - b'a')
    }

    /// The bits of a lane mask.
    #[inline(always)]
    fn bits(lanes: __m128i) -> u32 {
        // SAFETY: SSE2 is part of x86-64; this only computes on registers.
        (unsafe { _mm_movemask_epi8(lanes) }) as u32
    }

    /// ASCII letters (`[A-Za-z]`).
    #[inline(always)]
    pub(super) fn letter_mask16(block: &[u8; 16]) -> u32 {
        bits(letters(load(block)))
    }

    /// ASCII letters and digits (`[0-9A-Za-z]`).
    #[inline(always)]
    pub(super) fn alnum_mask16(block: &[u8; 16]) -> u32 {
        let v = load(block);
        // SAFETY: SSE2 is part of x86-64; this only computes on registers.
        bits(unsafe { _mm_or_si128(letters(v), in_range(v, b'0', 9)) })
    }

    /// Word bytes (`[0-9A-Za-z_]`, see [`super::is_ascii_word_byte`]).
    #[inline(always)]
    pub(super) fn word_byte_mask16(block: &[u8; 16]) -> u32 {
        let v = load(block);
        // SAFETY: SSE2 is part of x86-64; these only compute on registers.
        bits(unsafe {
            let underscore = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'_' as i8));
            _mm_or_si128(_mm_or_si128(letters(v), in_range(v, b'0', 9)), underscore)
        })
    }
}

#[cfg(any(test, not(target_arch = "x86_64")))]
/// One in every lane of eight bytes read as a `u64`.
const LANE_ONES: u64 = 0x0101_0101_0101_0101;
#[cfg(any(test, not(target_arch = "x86_64")))]
/// The high bit of every lane.
const LANE_HIGH: u64 = 0x8080_8080_8080_8080;

#[cfg(any(test, not(target_arch = "x86_64")))]
/// The high bit of each lane whose 7-bit value `x7` is at least `lo`
/// (adding `0x80 - lo` carries into it exactly then; lanes never carry
/// into each other, 0x7F + 0x80 < 0x100).
fn lanes_at_least(x7: u64, lo: u8) -> u64 {
    (x7 + LANE_ONES * u64::from(0x80 - lo)) & LANE_HIGH
}

#[cfg(any(test, not(target_arch = "x86_64")))]
/// The high bit of each lane of `x` that is an ASCII letter.
fn letter_lanes(x: u64) -> u64 {
    let folded = (x & !LANE_HIGH) | (LANE_ONES * 0x20);
    let letter = lanes_at_least(folded, b'a') & !lanes_at_least(folded, b'z' + 1);
    // Non-ASCII bytes (high bit set) are none.
    letter & !x
}

#[cfg(any(test, not(target_arch = "x86_64")))]
/// The high bit of each lane of `x` that is a word byte (see
/// [`is_ascii_word_byte`]).
fn word_byte_lanes(x: u64) -> u64 {
    let x7 = x & !LANE_HIGH;
    let digit = lanes_at_least(x7, b'0') & !lanes_at_least(x7, b'9' + 1);
    let underscore = lanes_at_least(x7, b'_') & !lanes_at_least(x7, b'_' + 1);
    letter_lanes(x) | ((digit | underscore) & !x)
}

/// How many bytes from `from` on are ASCII letters or digits, as
/// `bytes[from..].iter().take_while(|b| b.is_ascii_alphanumeric()).count()`
/// counts them, but eight bytes at a time: each byte's class is computed in
/// the lanes of one 64-bit word and the run's end is the first lane out of
/// class, so a run of up to seven bytes costs no loop and no branch per byte.
#[inline(always)]
pub fn ascii_alnum_run(bytes: &[u8], from: usize) -> usize {
    let rest = bytes.get(from..).unwrap_or_default();
    // Sixteen bytes at a time with SSE2 while sixteen are left, the last
    // few eight at a time.
    #[cfg(target_arch = "x86_64")]
    {
        let mut n = 0;
        while let Some(block) = rest.get(n..n + 16) {
            let Ok(block) = <&[u8; 16]>::try_from(block) else {
                break;
            };
            let out = !sse2::alnum_mask16(block) & 0xFFFF;
            if out != 0 {
                return n + out.trailing_zeros() as usize;
            }
            n += 16;
        }
        n + ascii_alnum_run_by_words(rest, n)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        ascii_alnum_run_by_words(rest, 0)
    }
}

/// [`ascii_alnum_run`] eight bytes at a time (the portable version, also
/// tested against the SSE2 one on x86-64; there it reads only the last
/// few bytes of a text, and is kept out of line).
#[cfg_attr(target_arch = "x86_64", inline(never))]
fn ascii_alnum_run_by_words(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The high bit of each lane: whether the lane's 7-bit value is at
    // least `lo` (adding 0x80 - lo carries into it exactly then; lanes
    // never carry into each other, 0x7F + 0x80 < 0x100).
    let at_least = |x7: u64, lo: u8| (x7 + ONES * u64::from(0x80 - lo)) & HIGH;
    let mut n = 0;
    let rest = bytes.get(from..).unwrap_or_default();
    let mut blocks = rest.chunks_exact(8);
    for block in &mut blocks {
        let mut lanes = [0u8; 8];
        lanes.copy_from_slice(block);
        let x = u64::from_le_bytes(lanes);
        let x7 = x & !HIGH;
        let digit = at_least(x7, b'0') & !at_least(x7, b'9' + 1);
        let folded = x7 | (ONES * 0x20);
        let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
        // Non-ASCII bytes (high bit set) are neither.
        let alnum = (digit | letter) & !x;
        let out_of_class = !alnum & HIGH;
        if out_of_class != 0 {
            return n + (out_of_class.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + blocks
        .remainder()
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count()
}

/// [`ascii_words`] collected, with room reserved for a word every six
/// bytes (so the vector rarely grows).
pub fn ascii_word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut words = Vec::with_capacity(text.len() / 6 + 1);
    words.extend(ascii_words(text));
    words
}

/// Whether `c` is a double quotation mark (straight or typographic).
pub fn is_double_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
    )
}

/// Whether `c` closes a quotation or bracket right after a sentence terminator.
pub fn is_closing_mark(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '\u{201D}' | '\u{2019}' | '\u{00BB}' | '\u{203A}' | ')' | ']' | '}'
    )
}

/// Whether `c` is an apostrophe (straight or typographic).
pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

/// The character starting at byte `i` of `s` (`None` at the end or off a boundary).
pub fn char_at(s: &str, i: usize) -> Option<char> {
    s.get(i..).and_then(|rest| rest.chars().next())
}

/// The character ending at byte `i` of `s` (`None` at the start or off a boundary).
pub fn char_before(s: &str, i: usize) -> Option<char> {
    s.get(..i).and_then(|head| head.chars().next_back())
}

/// `s` with a trailing possessive `'s` / `’s` (or a bare trailing apostrophe) removed.
#[inline]
pub fn strip_possessive(s: &str) -> &str {
    // Every suffix ends with `s`, `'` or the last byte of `’`: most words
    // end otherwise and are returned at once.
    if !matches!(s.as_bytes().last(), Some(b's' | b'\'' | 0x99)) {
        return s;
    }
    strip_possessive_by_suffixes(s)
}

/// [`strip_possessive`] without its first test of the last byte (the
/// suffixes tried in turn; the tests' reference too).
fn strip_possessive_by_suffixes(s: &str) -> &str {
    for suffix in ["'s", "\u{2019}s", "'", "\u{2019}"] {
        if let Some(stem) = s.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return stem;
        }
    }
    s
}

/// Whether the first character of `s` is an uppercase letter.
pub fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

/// Whether `s` has letters and all of them are uppercase (an acronym or a
/// heading word such as `CPEC`).
pub fn is_all_caps(s: &str) -> bool {
    // In ASCII the letters are `A-Z` and `a-z`, and only `A-Z` are
    // uppercase: read as bytes, without decoding characters.
    let b = s.as_bytes();
    // A lowercase ASCII letter is a lowercase character in any text: most
    // words looked at have one second (`Treasury`), and are answered at once.
    if b.get(1).is_some_and(u8::is_ascii_lowercase) {
        return false;
    }
    if b.is_ascii() {
        return !b.iter().any(u8::is_ascii_lowercase) && b.iter().any(u8::is_ascii_uppercase);
    }
    is_all_caps_by_chars(s)
}

/// [`is_all_caps`] character by character (any text; the tests' reference).
fn is_all_caps_by_chars(s: &str) -> bool {
    let mut letters = 0;
    for c in s.chars() {
        if c.is_alphabetic() {
            if !c.is_uppercase() {
                return false;
            }
            letters += 1;
        }
    }
    letters > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_on_blank_lines() {
        let t = "  One line\nstill one.\n\n \nTwo.\n";
        let p: Vec<&str> = paragraphs(t, false)
            .iter()
            .map(|&(s, e)| &t[s..e])
            .collect();
        assert_eq!(p, ["One line\nstill one.", "Two."]);
        let l: Vec<&str> = paragraphs(t, true).iter().map(|&(s, e)| &t[s..e]).collect();
        assert_eq!(l, ["One line", "still one.", "Two."]);
    }

    #[test]
    fn word_bytes_are_ascii_letters_digits_and_underscore() {
        for b in 0..=255u8 {
            assert_eq!(
                is_ascii_word_byte(b),
                b.is_ascii_alphanumeric() || b == b'_',
                "{b}"
            );
        }
    }

    #[test]
    fn ascii_words_stop_at_non_ascii_and_punctuation() {
        let t = "Last week’s 1980s_x café-days.";
        let w: Vec<&str> = ascii_words(t).map(|(s, e)| &t[s..e]).collect();
        assert_eq!(w, ["Last", "week", "s", "1980s_x", "caf", "days"]);
    }

    /// The first implementation of [`ascii_words`].
    fn ascii_words_reference(text: &str) -> Vec<(usize, usize)> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            while i < bytes.len() && !is_ascii_word_byte(bytes[i]) {
                i += 1;
            }
            if i == bytes.len() {
                return out;
            }
            let start = i;
            while i < bytes.len() && is_ascii_word_byte(bytes[i]) {
                i += 1;
            }
            out.push((start, i));
        }
    }

    /// Maximal runs of ASCII letters, byte by byte.
    fn ascii_letter_runs_reference(text: &str) -> Vec<(usize, usize)> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut start = None;
        for (i, b) in bytes.iter().enumerate() {
            match (b.is_ascii_alphabetic(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    out.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push((s, bytes.len()));
        }
        out
    }

    #[test]
    fn letter_runs_stop_at_digits_underscores_and_non_ascii() {
        let t = "Last week’s 1980s_x café-days.";
        let w: Vec<&str> = ascii_letter_runs(t).map(|(s, e)| &t[s..e]).collect();
        assert_eq!(w, ["Last", "week", "s", "s", "x", "caf", "days"]);
    }

    proptest::proptest! {
        // The lines (and paragraphs) found with memchr are the ones of
        // `split_inclusive('\n')`, blank lines of any whitespace included.
        #[test]
        fn paragraphs_are_the_split_inclusive_paragraphs(
            t in "([a-z]{1,5}| |\t|\r|\n|\u{a0}|\u{2003}|é|[.,]){0,80}",
            any in "\\PC{0,120}",
            lines: bool,
        ) {
            proptest::prop_assert_eq!(paragraphs(&t, lines), paragraphs_split_inclusive(&t, lines));
            proptest::prop_assert_eq!(paragraphs(&any, lines), paragraphs_split_inclusive(&any, lines));
        }
    }

    proptest::proptest! {
        #[test]
        fn letter_runs_agree_with_the_reference(
            t in "([a-zA-Z0-9_]{1,70}|[ .,é’\\n@\\[`{-]{1,3}){0,30}"
        ) {
            proptest::prop_assert_eq!(ascii_letter_runs(&t).collect::<Vec<_>>(), ascii_letter_runs_reference(&t));
        }

        #[test]
        fn letter_runs_in_any_text_agree_with_the_reference(t in "\\PC{0,300}") {
            proptest::prop_assert_eq!(ascii_letter_runs(&t).collect::<Vec<_>>(), ascii_letter_runs_reference(&t));
        }
    }

    proptest::proptest! {
        #[test]
        fn ascii_words_agree_with_the_reference(t in "([a-z0-9_]{1,3}|[ .,é’-]{1,2}){0,20}") {
            proptest::prop_assert_eq!(ascii_word_spans(&t), ascii_words_reference(&t));
            proptest::prop_assert_eq!(ascii_words(&t).collect::<Vec<_>>(), ascii_words_reference(&t));
        }

        // Texts over several 64-byte chunks, words across chunk edges.
        #[test]
        fn ascii_words_across_chunks_agree_with_the_reference(
            t in "([a-zA-Z0-9_]{1,70}|[ .,é’\n-]{1,3}){0,30}"
        ) {
            proptest::prop_assert_eq!(ascii_words(&t).collect::<Vec<_>>(), ascii_words_reference(&t));
        }

        #[test]
        fn ascii_words_in_any_text_agree_with_the_reference(t in "\\PC{0,300}") {
            proptest::prop_assert_eq!(ascii_words(&t).collect::<Vec<_>>(), ascii_words_reference(&t));
        }
    }

    proptest::proptest! {
        #[test]
        fn alnum_runs_are_counted_as_byte_by_byte(
            t in "([a-zA-Z0-9]{1,20}|[ .,é’\\-_@\\[`{/:\u{80}-\u{10FFFF}]{1,2}){0,12}",
            from in 0usize..80,
        ) {
            let b = t.as_bytes();
            let expected = b.get(from..).unwrap_or_default().iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            proptest::prop_assert_eq!(ascii_alnum_run(b, from), expected);
        }

        #[test]
        fn alnum_runs_of_any_bytes(b in proptest::collection::vec(proptest::num::u8::ANY, 0..40), from in 0usize..40) {
            let expected = b.get(from..).unwrap_or_default().iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            proptest::prop_assert_eq!(ascii_alnum_run(&b, from), expected);
        }
    }

    #[test]
    fn alnum_runs_for_every_byte_value() {
        for v in 0..=255u8 {
            for pos in 0..9 {
                let mut b = vec![b'a'; 12];
                b[pos] = v;
                let expected = b.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
                assert_eq!(ascii_alnum_run(&b, 0), expected, "{v} at {pos}");
            }
        }
    }

    #[test]
    fn alnum_runs_for_every_byte_value_across_blocks() {
        // Past the first sixteen-byte block and into the last few bytes.
        for v in 0..=255u8 {
            for pos in 0..40 {
                let mut b = vec![b'7'; 40];
                b[pos] = v;
                for from in [0, 1, 15, 16, 17, 30] {
                    let expected = b[from..]
                        .iter()
                        .take_while(|b| b.is_ascii_alphanumeric())
                        .count();
                    assert_eq!(
                        ascii_alnum_run(&b, from),
                        expected,
                        "{v} at {pos} from {from}"
                    );
                    assert_eq!(
                        ascii_alnum_run_by_words(&b, from),
                        expected,
                        "{v} at {pos} from {from}"
                    );
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn sse2_masks_are_the_tables_for_every_byte_at_every_place() {
        let alnum: [bool; 256] = std::array::from_fn(|b| (b as u8).is_ascii_alphanumeric());
        for v in 0..=255u8 {
            for pos in 0..16 {
                for fill in [b'a', b'Z', b'0', b' ', b'_', b'@', b'`', 0xE2, 0x7F] {
                    let mut block = [fill; 16];
                    block[pos] = v;
                    let table = |class: &[bool; 256]| class_mask(&block, class) as u32;
                    assert_eq!(
                        sse2::letter_mask16(&block),
                        table(&ASCII_LETTERS),
                        "{v} at {pos}"
                    );
                    assert_eq!(
                        sse2::word_byte_mask16(&block),
                        table(&ASCII_WORD_BYTES),
                        "{v} at {pos}"
                    );
                    assert_eq!(sse2::alnum_mask16(&block), table(&alnum), "{v} at {pos}");
                }
            }
        }
    }

    #[test]
    fn chunk_masks_by_lanes_are_the_tables_for_every_byte_at_every_place() {
        for (lanes, class) in [
            (word_byte_lanes as fn(u64) -> u64, &ASCII_WORD_BYTES),
            (letter_lanes, &ASCII_LETTERS),
        ] {
            for v in 0..=255u8 {
                for pos in 0..64 {
                    for fill in [b'a', b' ', b'_', 0xE2] {
                        let mut chunk = [fill; 64];
                        chunk[pos] = v;
                        assert_eq!(
                            class_mask_of_64(&chunk, lanes),
                            class_mask(&chunk, class),
                            "{v} at {pos} among {fill}"
                        );
                        let by_dispatch = if std::ptr::eq(class, &ASCII_WORD_BYTES) {
                            word_byte_mask_of_64(&chunk)
                        } else {
                            letter_mask_of_64(&chunk)
                        };
                        assert_eq!(
                            by_dispatch,
                            class_mask(&chunk, class),
                            "{v} at {pos} among {fill}"
                        );
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn chunk_masks_of_any_bytes_are_the_tables(b in proptest::collection::vec(proptest::num::u8::ANY, 64)) {
            proptest::prop_assert_eq!(class_mask_of_64(&b, word_byte_lanes), class_mask(&b, &ASCII_WORD_BYTES));
            proptest::prop_assert_eq!(class_mask_of_64(&b, letter_lanes), class_mask(&b, &ASCII_LETTERS));
            proptest::prop_assert_eq!(word_byte_mask_of_64(&b), class_mask(&b, &ASCII_WORD_BYTES));
            proptest::prop_assert_eq!(letter_mask_of_64(&b), class_mask(&b, &ASCII_LETTERS));
        }

        #[test]
        fn alnum_runs_of_long_byte_strings(b in proptest::collection::vec(proptest::sample::select(vec![b'a', b'Q', b'5', b' ', b'.', 0xC3, 0xA9, b'_', b'z']), 0..80), from in 0usize..80) {
            let expected = b.get(from..).unwrap_or_default().iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            proptest::prop_assert_eq!(ascii_alnum_run(&b, from), expected);
        }
    }

    #[test]
    fn ascii_words_at_chunk_edges() {
        for len in [1, 62, 63, 64, 65, 127, 128, 129] {
            for lead in [0, 1, 2] {
                let t = format!("{}{}", " ".repeat(lead), "a".repeat(len));
                assert_eq!(
                    ascii_words(&t).collect::<Vec<_>>(),
                    ascii_words_reference(&t),
                    "{t:?}"
                );
                let t = format!("{t} b");
                assert_eq!(
                    ascii_words(&t).collect::<Vec<_>>(),
                    ascii_words_reference(&t),
                    "{t:?}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn possessives_are_stripped_as_by_the_suffixes(
            s in "([a-zA-Z]{0,4}|é|’|'|s|S|\u{2018}|\u{99}|x){0,4}",
        ) {
            proptest::prop_assert_eq!(strip_possessive(&s), strip_possessive_by_suffixes(&s));
        }

        #[test]
        fn possessives_in_any_text(s in "\\PC{0,12}") {
            proptest::prop_assert_eq!(strip_possessive(&s), strip_possessive_by_suffixes(&s));
        }

        #[test]
        fn all_caps_as_read_by_characters(
            s in "([A-Z]{0,3}|[a-z]{0,2}|[0-9 .'-]|É|é|ß|Σ|ǅ|ⅷ|Ⅷ|’){0,5}",
        ) {
            proptest::prop_assert_eq!(is_all_caps(&s), is_all_caps_by_chars(&s));
        }

        #[test]
        fn all_caps_in_any_text(s in "\\PC{0,12}") {
            proptest::prop_assert_eq!(is_all_caps(&s), is_all_caps_by_chars(&s));
        }
    }

    #[test]
    fn all_caps_for_every_ascii_byte() {
        for b in 0..0x80u8 {
            for t in [vec![b], vec![b'A', b], vec![b, b'a'], vec![b'1', b, b'B']] {
                let s = std::str::from_utf8(&t).expect("ASCII");
                assert_eq!(is_all_caps(s), is_all_caps_by_chars(s), "{s:?}");
            }
        }
    }

    #[test]
    fn possessives_are_stripped() {
        assert_eq!(strip_possessive("China’s"), "China");
        assert_eq!(strip_possessive("Reuters'"), "Reuters");
        assert_eq!(strip_possessive("s"), "s");
    }
}
