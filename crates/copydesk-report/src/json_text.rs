//! JSON strings and values written straight into a byte buffer, byte for
//! byte as `serde_json`'s compact writer makes them, but with strings
//! scanned eight bytes at a time: a `documents.jsonl` line is mostly text
//! (the document, its sentences, quotes and repaired text), and
//! `serde_json` escapes it one byte at a time.

/// Eight copies of a byte.
const fn lanes(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// A mask with the high bit set in the lane of each byte of `word` that
/// must be escaped in a JSON string (a control byte below 0x20, `"` or
/// `\\`), reading `word` little-endian (lane 0 is the first byte). The
/// lowest set lane is always exact (the borrow of a subtraction only runs
/// upwards, into lanes after one already found); lanes above it may be
/// set falsely, so only the lowest is used.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline]
fn escape_mask(word: u64) -> u64 {
    const LOW: u64 = lanes(0x01);
    const HIGH: u64 = lanes(0x80);
    let zero_in = |v: u64| v.wrapping_sub(LOW) & !v & HIGH;
    let below_space = word.wrapping_sub(lanes(0x20)) & !word & HIGH;
    below_space | zero_in(word ^ lanes(b'"')) | zero_in(word ^ lanes(b'\\'))
}

/// The eight bytes of `chunk` (exactly eight) as a little-endian word.
#[inline]
fn word(chunk: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(chunk);
    u64::from_le_bytes(word)
}

/// The position of the first byte at or after `at` that must be escaped:
/// sixteen bytes at a time, each chunk compared at once with SSE2 (part of
/// every x86-64 processor), the last few bytes of a string of sixteen or
/// more as the string's last chunk (the lanes before `at` shifted out; the
/// SSE2 mask is exact in every lane).
#[cfg(target_arch = "x86_64")]
#[inline]
fn next_escape(bytes: &[u8], mut at: usize) -> Option<usize> {
    while let Some(chunk) = bytes.get(at..at + 16) {
        let mask = escape_mask16(chunk);
        if mask != 0 {
            return Some(at + mask.trailing_zeros() as usize);
        }
        at += 16;
    }
    let rest = bytes.len().checked_sub(at).filter(|&rest| rest > 0)?;
    let Some(last) = bytes
        .len()
        .checked_sub(16)
        .and_then(|from| bytes.get(from..))
    else {
        return scan_bytes(bytes, at);
    };
    let mask = escape_mask16(last) >> (16 - rest);
    (mask != 0).then(|| at + mask.trailing_zeros() as usize)
}

/// A mask with bit `i` set when byte `i` of `chunk` (at least sixteen
/// bytes; the first sixteen are read) must be escaped.
#[cfg(target_arch = "x86_64")]
#[inline]
fn escape_mask16(chunk: &[u8]) -> u32 {
    use std::arch::x86_64::{__m128i, _mm_loadu_si128};
    assert!(chunk.len() >= 16);
    // SAFETY: SSE2 is part of x86-64; `chunk` holds at least 16 bytes
    // (checked above), and an unaligned load has no alignment requirement.
    escape_mask_sse2(unsafe { _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>()) })
}

/// A mask with bit `i` set when byte `i` of `v` must be escaped: `"`,
/// `\\` or a byte below 0x20 (found as the bytes whose unsigned minimum
/// with 0x1f is themselves). Exact in every lane.
#[cfg(target_arch = "x86_64")]
#[inline]
fn escape_mask_sse2(v: std::arch::x86_64::__m128i) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of x86-64 (every processor the target runs on
    // has it); these intrinsics only compute on registers.
    unsafe {
        let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
        let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
        let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
    }
}

/// Whether a byte of either word must be escaped (both compared at once
/// with SSE2).
#[cfg(target_arch = "x86_64")]
#[inline]
fn words_need_escape(first: u64, last: u64) -> bool {
    use std::arch::x86_64::_mm_set_epi64x;
    // SAFETY: SSE2 is part of x86-64; this only moves two integers into a
    // register.
    let v = unsafe { _mm_set_epi64x(last as i64, first as i64) };
    escape_mask_sse2(v) != 0
}

/// Whether a byte of either word must be escaped.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn words_need_escape(first: u64, last: u64) -> bool {
    escape_mask(first) | escape_mask(last) != 0
}

/// The position of the first byte at or after `at` that must be escaped:
/// sixteen bytes at a time over long runs of plain text, then eight, then
/// the last few as one padded word (the portable version of the SSE2 scan,
/// also tested against it on x86-64).
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline]
fn next_escape_words(bytes: &[u8], mut at: usize) -> Option<usize> {
    let lane = |mask: u64| (mask.trailing_zeros() / 8) as usize;
    while let Some(chunk) = bytes.get(at..at + 16) {
        let (first, second) = chunk.split_at(8);
        let (first, second) = (escape_mask(word(first)), escape_mask(word(second)));
        if first | second != 0 {
            return Some(if first != 0 {
                at + lane(first)
            } else {
                at + 8 + lane(second)
            });
        }
        at += 16;
    }
    if let Some(chunk) = bytes.get(at..at + 8) {
        let mask = escape_mask(word(chunk));
        if mask != 0 {
            return Some(at + lane(mask));
        }
        at += 8;
    }
    // Fewer than eight bytes are left. In a string of eight bytes or more
    // they end its last word, read in one load (the lanes before `at` are
    // masked off; a borrow out of an escape among them may flag a later
    // lane falsely, so a lane found there is checked before it is taken).
    // Most keys, labels and entity texts are shorter: byte by byte.
    let rest = bytes.len().checked_sub(at).filter(|&rest| rest > 0)?;
    let Some(last) = bytes
        .len()
        .checked_sub(8)
        .and_then(|from| bytes.get(from..))
    else {
        return scan_bytes(bytes, at);
    };
    let mask = escape_mask(word(last)) & (u64::MAX << ((8 - rest) * 8));
    if mask == 0 {
        return None;
    }
    let found = bytes.len() - 8 + lane(mask);
    scan_bytes(bytes, found)
}

/// The portable scan where SSE2 is not there.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn next_escape(bytes: &[u8], at: usize) -> Option<usize> {
    next_escape_words(bytes, at)
}

/// The first byte at or after `at` that must be escaped, one at a time.
#[inline]
fn scan_bytes(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = bytes.get(at..)?;
    rest.iter()
        .position(|&b| ESCAPED[b as usize])
        .map(|found| at + found)
}

/// Whether each byte must be escaped in a JSON string.
static ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = b < 0x20 || b == b'"' as usize || b == b'\\' as usize;
        b += 1;
    }
    table
};

/// How `serde_json` escapes one byte, if it does.
#[inline]
fn escape(byte: u8) -> Option<&'static [u8]> {
    Some(match byte {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        0x08 => b"\\b",
        0x0c => b"\\f",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0x00..=0x1f => return Some(&CONTROL[byte as usize]),
        _ => return None,
    })
}

/// `\u00XX` for every control byte (lowercase hex, as `serde_json` writes).
static CONTROL: [[u8; 6]; 32] = {
    let hex = b"0123456789abcdef";
    let mut table = [[0u8; 6]; 32];
    let mut b = 0;
    while b < 32 {
        table[b] = [b'\\', b'u', b'0', b'0', hex[b >> 4], hex[b & 15]];
        b += 1;
    }
    table
};

/// Appends `s` as a quoted, escaped JSON string.
#[inline(always)]
pub(crate) fn push_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if !push_plain_short(out, bytes) {
        push_escaped(out, bytes);
    }
}

/// Appends `bytes` quoted, and tells that it did, when they are at most
/// 16 (keys, labels, most attribute values and entity texts), none needs
/// escaping and the vector has room for them; otherwise leaves `out` as it
/// is. The bytes are read as two words that together cover them
/// (overlapping below sixteen bytes; below eight, each holds all of them,
/// padded with spaces) and written back by fixed-size moves: no call (to
/// `memcpy` or to grow the vector), so no registers to save either.
#[inline(always)]
fn push_plain_short(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    let len = bytes.len();
    if len > 16 || out.capacity() - out.len() < len + 2 {
        return false;
    }
    let (first, last) = match len {
        8.. => (word(&bytes[..8]), word(&bytes[len - 8..])),
        4..=7 => {
            let w = u64::from(half(&bytes[..4])) | u64::from(half(&bytes[len - 4..])) << 32;
            (w, w)
        }
        1..=3 => {
            let w = u64::from(bytes[0])
                | u64::from(bytes[len / 2]) << 8
                | u64::from(bytes[len - 1]) << 16
                | lanes(b' ') << 24;
            (w, w)
        }
        0 => (lanes(b' '), lanes(b' ')),
    };
    if words_need_escape(first, last) {
        return false;
    }
    // SAFETY: the `len + 2` bytes after the vector's length are within its
    // capacity (checked above), and all of them are written before the
    // length takes them in: the opening quote at 0, the bytes at `1..=len`
    // (as two 8- or 4-byte halves that overlap to cover them exactly, or
    // as the first, middle and last of at most three), the closing quote
    // at `len + 1`.
    unsafe {
        let quote = out.as_mut_ptr().add(out.len());
        quote.write(b'"');
        let body = quote.add(1);
        match len {
            8.. => {
                body.cast::<[u8; 8]>().write_unaligned(first.to_le_bytes());
                body.add(len - 8)
                    .cast::<[u8; 8]>()
                    .write_unaligned(last.to_le_bytes());
            }
            4..=7 => {
                body.cast::<[u8; 4]>()
                    .write_unaligned((first as u32).to_le_bytes());
                body.add(len - 4)
                    .cast::<[u8; 4]>()
                    .write_unaligned(((first >> 32) as u32).to_le_bytes());
            }
            1..=3 => {
                body.write(first as u8);
                body.add(len / 2).write((first >> 8) as u8);
                body.add(len - 1).write((first >> 16) as u8);
            }
            0 => {}
        }
        body.add(len).write(b'"');
        out.set_len(out.len() + len + 2);
    }
    true
}

/// The four bytes of `chunk` (exactly four) as a little-endian word.
#[inline]
fn half(chunk: &[u8]) -> u32 {
    let mut half = [0u8; 4];
    half.copy_from_slice(chunk);
    u32::from_le_bytes(half)
}

/// Appends `bytes` quoted, escaping what must be escaped: runs of plain
/// bytes copied whole between the escapes.
fn push_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    push_escaped_noting(out, bytes, |_, _| {});
}

/// [`push_escaped`], telling `noted` the position in `bytes` of each byte
/// escaped and how many bytes its escape adds (one less than its length),
/// in order.
#[inline]
fn push_escaped_noting(out: &mut Vec<u8>, bytes: &[u8], mut noted: impl FnMut(usize, usize)) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut copied = 0;
    while let Some(at) = next_escape(bytes, copied) {
        out.extend_from_slice(&bytes[copied..at]);
        // Every byte `next_escape` finds has an escape; were one not to,
        // it is copied as it is.
        match escape(bytes[at]) {
            Some(escaped) => {
                out.extend_from_slice(escaped);
                noted(at, escaped.len() - 1);
            }
            None => out.push(bytes[at]),
        }
        copied = at + 1;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

/// Spans shorter than this are escaped on their own ([`push_str`]'s short
/// path is cheaper than finding and copying their escaped bytes).
const COPIED_SPAN_BYTES: usize = 17;

/// A text (a document's) written once into a line, quoted and escaped,
/// whose spans (sentences, quotes, entities) and repeats (`spin.repaired`)
/// are then copied from the line instead of escaped again. Each byte's
/// escape depends on that byte alone, so the escaped bytes of a span are
/// the run of the escaped text between the escaped positions of its ends:
/// a position `i` of the text is at `i` plus the bytes the escapes before
/// it added.
pub(crate) struct EscapedText<'t> {
    text: &'t str,
    /// Where in the line the escaped text begins (after its opening quote).
    at: usize,
    /// Each escaped byte's position in `text`, and the bytes the escapes
    /// up to and including it added, in order.
    escapes: Vec<(usize, usize)>,
}

impl<'t> EscapedText<'t> {
    /// Appends `text` quoted and escaped (as [`push_str`] does) and
    /// remembers where; `escapes` is reused storage (cleared here).
    pub(crate) fn push(
        out: &mut Vec<u8>,
        text: &'t str,
        mut escapes: Vec<(usize, usize)>,
    ) -> EscapedText<'t> {
        escapes.clear();
        let at = out.len() + 1;
        let bytes = text.as_bytes();
        if !push_plain_short(out, bytes) {
            let mut added = 0;
            push_escaped_noting(out, bytes, |position, extra| {
                added += extra;
                escapes.push((position, added));
            });
        }
        EscapedText { text, at, escapes }
    }

    /// The storage of the escapes, to reuse.
    pub(crate) fn into_escapes(self) -> Vec<(usize, usize)> {
        self.escapes
    }

    /// Where position `i` of the text is in the escaped text.
    #[inline]
    fn escaped(&self, i: usize) -> usize {
        let before = self.escapes.partition_point(|&(position, _)| position < i);
        i + before.checked_sub(1).map_or(0, |last| self.escapes[last].1)
    }

    /// Appends `span`, the text's bytes from `start` (as `text.get` gives
    /// them), as [`push_str`] does; long spans are copied from the escaped
    /// text.
    #[inline]
    pub(crate) fn push_span(&self, out: &mut Vec<u8>, start: usize, span: &str) {
        debug_assert_eq!(self.text.get(start..start + span.len()), Some(span));
        if span.len() < COPIED_SPAN_BYTES {
            push_str(out, span);
            return;
        }
        let end = start + span.len();
        let (from, to) = (self.at + self.escaped(start), self.at + self.escaped(end));
        out.reserve(to - from + 2);
        out.push(b'"');
        out.extend_from_within(from..to);
        out.push(b'"');
    }

    /// Appends `s` as [`push_str`] does, copied from the escaped text when
    /// it is the text.
    #[inline]
    pub(crate) fn push_str(&self, out: &mut Vec<u8>, s: &str) {
        if s.len() >= COPIED_SPAN_BYTES && s.len() == self.text.len() && s == self.text {
            self.push_span(out, 0, self.text);
        } else {
            push_str(out, s);
        }
    }
}

/// Appends a JSON value; strings (at any depth) go through [`push_str`],
/// integers through [`push_u64`], floats through `serde_json`.
pub(crate) fn push_value(out: &mut Vec<u8>, value: &serde_json::Value) -> serde_json::Result<()> {
    push_value_in(out, value, None)
}

/// [`push_value`], with string values (at any depth) that are the text
/// `text` was escaped from copied from it ([`EscapedText::push_str`]).
pub(crate) fn push_value_in(
    out: &mut Vec<u8>,
    value: &serde_json::Value,
    text: Option<&EscapedText<'_>>,
) -> serde_json::Result<()> {
    use serde_json::Value;
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(n) = n.as_u64() {
                push_u64(out, n);
            } else if let Some(n) = n.as_i64() {
                out.push(b'-');
                push_u64(out, n.unsigned_abs());
            } else if let Some(whole) = n.as_f64().filter(|&f| is_small_whole(f)) {
                push_small_whole(out, whole);
            } else {
                serde_json::to_writer(&mut *out, n)?;
            }
        }
        Value::String(s) => match text {
            Some(text) => text.push_str(out, s),
            None => push_str(out, s),
        },
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                push_value_in(out, item, text)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                push_str(out, key);
                out.push(b':');
                push_value_in(out, item, text)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// [`push_value`] of an attribute's value, with the kinds stages write
/// most (strings, unsigned integers, whole floats, booleans) written
/// inline, without a call.
#[inline(always)]
pub(crate) fn push_attr_value(
    out: &mut Vec<u8>,
    value: &serde_json::Value,
) -> serde_json::Result<()> {
    use serde_json::Value;
    match value {
        Value::String(s) => push_str(out, s),
        Value::Number(n) if n.is_u64() => push_u64(out, n.as_u64().unwrap_or_default()),
        Value::Number(n) if n.is_f64() && n.as_f64().is_some_and(is_small_whole) => {
            push_small_whole(out, n.as_f64().unwrap_or_default());
        }
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        _ => return push_value(out, value),
    }
    Ok(())
}

/// Whole floats below this in magnitude are written by
/// [`push_small_whole`]: `serde_json` writes them as their digits and
/// `.0` (the tests check every power of ten up to it and around it).
const SMALL_WHOLE_LIMIT: f64 = 1e15;

/// Whether `f` is a whole number that [`push_small_whole`] writes.
#[inline]
fn is_small_whole(f: f64) -> bool {
    // Below the limit, a float is whole when converting it to an integer
    // and back gives it again (two instructions, where `fract` calls
    // `trunc` on processors without SSE4.1).
    f.abs() < SMALL_WHOLE_LIMIT && (f as i64) as f64 == f
}

/// Appends a whole float of magnitude below [`SMALL_WHOLE_LIMIT`] as
/// `serde_json` writes it (`3.0`, `-12.0`, `-0.0`), without its float
/// formatter: most float attributes (numbers' values, scores) are whole.
#[inline]
fn push_small_whole(out: &mut Vec<u8>, f: f64) {
    if f.is_sign_negative() {
        out.push(b'-');
    }
    push_u64(out, f.abs() as u64);
    out.extend_from_slice(b".0");
}

/// Appends `"key":` (after a comma unless `first`). Always inlined: keys
/// are short, and a call costs as much as writing one.
#[inline(always)]
pub(crate) fn push_key(out: &mut Vec<u8>, key: &str, first: bool) {
    if !first {
        out.push(b',');
    }
    push_str(out, key);
    out.push(b':');
}

/// Appends an unsigned integer in decimal.
pub(crate) fn push_usize(out: &mut Vec<u8>, n: usize) {
    push_u64(out, n as u64);
}

/// The two digits of every number below 100.
static DIGIT_PAIRS: [u8; 200] = {
    let mut pairs = [0u8; 200];
    let mut n = 0;
    while n < 100 {
        pairs[2 * n] = b'0' + (n / 10) as u8;
        pairs[2 * n + 1] = b'0' + (n % 10) as u8;
        n += 1;
    }
    pairs
};

/// Appends an unsigned 64-bit integer in decimal. Below 10,000 (most
/// offsets and numbers), when the vector has room, its four digits are
/// made as one word and written at once, the leading zeros shifted out
/// (no call, so no registers to save); otherwise by [`push_digits`].
#[inline]
pub(crate) fn push_u64(out: &mut Vec<u8>, n: u64) {
    if n >= 10_000 || out.capacity() - out.len() < 4 {
        push_digits(out, n);
        return;
    }
    let n = n as u32;
    let (high, low) = ((n / 100) as usize * 2, (n % 100) as usize * 2);
    let digits = u32::from_le_bytes([
        DIGIT_PAIRS[high],
        DIGIT_PAIRS[high + 1],
        DIGIT_PAIRS[low],
        DIGIT_PAIRS[low + 1],
    ]);
    let len = 1 + usize::from(n >= 10) + usize::from(n >= 100) + usize::from(n >= 1000);
    // SAFETY: the 4 bytes after the vector's length are within its
    // capacity (checked above) and are all written before the length takes
    // in the first `len` of them (`len` is at most 4).
    unsafe {
        out.as_mut_ptr()
            .add(out.len())
            .cast::<[u8; 4]>()
            .write_unaligned((digits >> (8 * (4 - len))).to_le_bytes());
        out.set_len(out.len() + len);
    }
}

/// Appends any unsigned 64-bit integer in decimal: its digits counted
/// first, then written in place from the last, two at a time.
#[inline(never)]
fn push_digits(out: &mut Vec<u8>, n: u64) {
    let len = n.checked_ilog10().map_or(1, |log| log as usize + 1);
    out.reserve(len);
    let digits = &mut out.spare_capacity_mut()[..len];
    let mut n = n;
    let mut end = len;
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        end -= 2;
        digits[end..end + 2].write_copy_of_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        end -= 2;
        digits[end..end + 2].write_copy_of_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        end -= 1;
        digits[end].write(b'0' + n as u8);
    }
    assert_eq!(end, 0, "the digits of a number fill its counted length");
    // SAFETY: the `len` bytes after the vector's length are within its
    // capacity (reserved above) and were all written: the writes above
    // cover `end..len` and `end` is 0.
    unsafe { out.set_len(out.len() + len) };
}

/// The integer formatter [`push_u64`] replaced: one digit at a time into a
/// buffer, then copied (the reference of the tests).
#[cfg(test)]
fn push_u64_by_digits(out: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn as_serde_json(s: &str) -> Vec<u8> {
        serde_json::to_vec(s).unwrap()
    }

    /// Room left in the vector before a push: none, one byte short of the
    /// fast paths' need, exactly it, and plenty.
    fn rooms(len: usize) -> [usize; 5] {
        [0, len + 1, len + 2, 4, len + 80]
    }

    /// What `push` appends after a prefix, checked to be the same whatever
    /// room the vector has.
    fn appended(len: usize, push: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
        let outputs: Vec<Vec<u8>> = rooms(len)
            .into_iter()
            .map(|room| {
                let mut out = Vec::with_capacity(6 + room);
                out.extend_from_slice(b"prefix");
                push(&mut out);
                assert_eq!(&out[..6], b"prefix");
                out.split_off(6)
            })
            .collect();
        for other in &outputs[1..] {
            assert_eq!(
                other, &outputs[0],
                "pushes differ with the room in the vector"
            );
        }
        outputs[0].clone()
    }

    /// [`push_str`] of `s`, with every amount of room.
    fn pushed_str(s: &str) -> Vec<u8> {
        appended(s.len(), |out| push_str(out, s))
    }

    /// [`push_u64`] of `n`, with every amount of room.
    fn pushed_u64(n: u64) -> Vec<u8> {
        appended(20, |out| push_u64(out, n))
    }

    #[test]
    fn every_byte_class_is_escaped_as_serde_json_does() {
        let every_char: String = (0u32..0x300).filter_map(char::from_u32).collect();
        for s in [
            "",
            "plain text of some length, longer than a word",
            "quote \" and backslash \\ and tab\tnew\nline",
            "\u{7f} \u{1f}\u{0}\u{8}\u{c}\r",
            "«Ünïcödé» – 北京 😀",
            every_char.as_str(),
        ] {
            assert_eq!(pushed_str(s), as_serde_json(s), "{s:?}");
        }
    }

    #[test]
    fn escapes_are_found_at_every_offset_of_long_plain_runs() {
        for special in ['"', '\\', '\n', '\u{0}', '\u{1f}'] {
            for len in [0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 47, 70] {
                for at in 0..=len {
                    let mut s: String = "abcdefgh".repeat(9)[..len].to_string();
                    s.insert(at, special);
                    s.push_str("é tail");
                    assert_eq!(pushed_str(&s), as_serde_json(&s), "{s:?}");
                    // The run before the tail alone: short strings too.
                    let run = &s[..s.len() - "é tail".len()];
                    assert_eq!(pushed_str(run), as_serde_json(run), "{run:?}");
                }
            }
        }
    }

    #[test]
    fn the_first_flagged_lane_is_the_first_byte_to_escape() {
        // A `"` (0x22) after a 0x01 byte: the borrow out of the control
        // byte's lane may flag later lanes, never an earlier one.
        // A `"` then `#` (0x23) before the tail: its borrow flags the `#`
        // when the last word is read over both.
        for bytes in [
            &b"ab\x01\x23\"cde"[..],
            b"\x00\x00\"\\\x1f\x7f\x80\xff",
            b"\x80\xc3\xa9\x20\x21\x23\x5b\x22",
            b"abcdefgh\"#xy",
            b"abcdefgh\"#\x23\x23\x23a",
            b"abcdefghijklmnop\"##",
            b"\"#",
        ] {
            let first = bytes.iter().position(|&b| escape(b).is_some());
            assert_eq!(next_escape(bytes, 0), first, "{bytes:?}");
            assert_eq!(next_escape_words(bytes, 0), first, "{bytes:?}");
            for at in 0..=bytes.len() {
                let next = bytes[at..].iter().position(|&b| escape(b).is_some());
                assert_eq!(
                    next_escape(bytes, at),
                    next.map(|n| at + n),
                    "{bytes:?} {at}"
                );
                assert_eq!(
                    next_escape_words(bytes, at),
                    next.map(|n| at + n),
                    "{bytes:?} {at}"
                );
            }
        }
    }

    #[test]
    fn the_byte_table_agrees_with_the_escapes() {
        for b in 0..=255u8 {
            assert_eq!(ESCAPED[b as usize], escape(b).is_some(), "{b:#x}");
        }
    }

    #[test]
    fn unsigned_integers_are_written_in_decimal() {
        for n in [0, 7, 10, 99, 100, 12345, usize::MAX] {
            let mut out = Vec::new();
            push_usize(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
        let powers = (0..20).map(|e| 10u64.pow(e));
        let around = powers.flat_map(|p| [p - 1, p, p + 1, p.wrapping_mul(3).wrapping_add(7)]);
        for n in around.chain((0..1000).chain([u64::MAX, u64::MAX - 1])) {
            let out = pushed_u64(n);
            assert_eq!(out, *n.to_string().as_bytes());
            let mut old = Vec::new();
            push_u64_by_digits(&mut old, n);
            assert_eq!(out, old);
        }
    }

    #[test]
    fn whole_floats_are_written_as_serde_json_writes_them() {
        let powers = (0..=15).map(|e| 10f64.powi(e));
        let around = powers.flat_map(|p| [p - 1.0, p, p + 1.0, p * 3.0, p * 7.0 + 3.0]);
        let special = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            999_999_999_999_999.0,
            1e15,
            1e16,
            2.5,
            -0.5,
        ];
        for f in around.chain(special).flat_map(|f| [f, -f]) {
            let value = serde_json::Value::from(f);
            let out = appended(30, |out| push_value(out, &value).unwrap());
            assert_eq!(
                String::from_utf8_lossy(&out),
                serde_json::to_string(&value).unwrap(),
                "{f:?}"
            );
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            Just(Value::from(i64::MIN)),
            Just(Value::from(u64::MAX)),
            (-20i64..20).prop_map(Value::from),
            "\\PC{0,12}|[\\x00-\\x7f]{0,20}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec(("[\\x00-\\x7f]{0,6}", inner), 0..4)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn the_next_escape_is_the_first_escaped_byte_from_any_offset(
            bytes in proptest::collection::vec(prop_oneof![4 => 0x20u8..0x7f, 1 => any::<u8>()], 0..80),
            at in 0usize..90,
        ) {
            let expected = bytes.get(at..).and_then(|rest| rest.iter().position(|&b| escape(b).is_some()).map(|n| at + n));
            prop_assert_eq!(next_escape(&bytes, at), expected);
            prop_assert_eq!(next_escape_words(&bytes, at), expected);
        }

        #[test]
        fn short_strings_match_serde_json_with_any_byte_anywhere(
            plain in "[ -~\u{80}-\u{7ff}]{0,17}",
            special in prop_oneof![Just('"'), Just('\\'), Just('\u{0}'), Just('\n'), Just('\u{1f}'), Just('\u{7f}'), Just('é'), Just('a')],
            at in 0usize..20,
        ) {
            let mut s = plain;
            let mut at = at.min(s.chars().count());
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            s.insert(at, special);
            for t in [&s[..], &s[at..], &s[..at]] {
                prop_assert_eq!(pushed_str(t), as_serde_json(t));
            }
        }

        #[test]
        fn any_u64_is_written_as_the_digit_by_digit_formatter_wrote_it(n in any::<u64>(), shift in 0u32..64) {
            for n in [n, n >> shift] {
                let mut old = Vec::new();
                push_u64_by_digits(&mut old, n);
                prop_assert_eq!(pushed_u64(n), old);
            }
        }

        #[test]
        fn two_words_need_escaping_when_a_byte_of_either_does(first in any::<u64>(), last in any::<u64>(), plain in any::<bool>()) {
            // Half the cases with the bytes that need escaping replaced.
            let clean = |w: u64| u64::from_le_bytes(w.to_le_bytes().map(|b| if plain && ESCAPED[b as usize] { b'a' } else { b }));
            let (first, last) = (clean(first), clean(last));
            let any = first.to_le_bytes().iter().chain(&last.to_le_bytes()).any(|&b| ESCAPED[b as usize]);
            prop_assert_eq!(words_need_escape(first, last), any);
            prop_assert_eq!(escape_mask(first) | escape_mask(last) != 0, any);
        }

        /// Spans copied from a text escaped once are each escaped as
        /// `push_str` (the old way) escapes them alone, and so is the text
        /// when repeated.
        #[test]
        fn spans_copied_from_the_escaped_text_are_escaped_as_alone(
            text in "(\\PC|[\\x00-\\x1f\"\\\\]){0,80}|([ -~]{0,30}(\\PC|[\\x00-\\x1f\"\\\\])?){0,6}",
            spans in proptest::collection::vec((0usize..100, 0usize..100), 0..12),
            prefix in 0usize..20,
        ) {
            let mut out = b"x".repeat(prefix);
            let escaped = EscapedText::push(&mut out, &text, vec![(9, 9)]);
            let mut expected = b"x".repeat(prefix);
            push_str(&mut expected, &text);
            for (start, end) in spans {
                let (start, end) = (start.min(end), start.max(end));
                let Some(span) = text.get(start..end) else { continue };
                escaped.push_span(&mut out, start, span);
                push_str(&mut expected, span);
            }
            escaped.push_str(&mut out, &text);
            push_str(&mut expected, &text);
            escaped.push_str(&mut out, "other");
            push_str(&mut expected, "other");
            let _ = escaped.into_escapes();
            prop_assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&expected));
        }

        #[test]
        fn any_u64_is_written_as_to_string_writes_it(n in any::<u64>()) {
            prop_assert_eq!(pushed_u64(n), n.to_string().into_bytes());
        }

        #[test]
        fn strings_match_serde_json(s in "[\\x00-\\x7f]{0,40}|\\PC{0,40}|(\\PC|[\\x00-\\x1f\"\\\\]){0,40}|([ -~]{0,40}(\\PC|[\\x00-\\x1f\"\\\\])?){0,6}") {
            prop_assert_eq!(pushed_str(&s), as_serde_json(&s));
        }

        #[test]
        fn whole_floats_match_serde_json(n in -2_000_000_000_000_000i64..2_000_000_000_000_000, scale in 0u32..4) {
            let f = n as f64 / 10f64.powi(scale as i32 * 5);
            let value = serde_json::Value::from(f);
            let out = appended(30, |out| push_value(out, &value).unwrap());
            prop_assert_eq!(String::from_utf8_lossy(&out), serde_json::to_string(&value).unwrap());
        }

        #[test]
        fn values_match_serde_json(v in json_value()) {
            let out = appended(64, |out| push_value(out, &v).unwrap());
            prop_assert_eq!(out, serde_json::to_vec(&v).unwrap());
        }

        /// Attribute values written inline are what [`push_value`] (the
        /// old way) writes.
        #[test]
        fn attribute_values_are_written_as_push_value_writes_them(v in json_value(), whole in -2_000_000_000_000_000i64..2_000_000_000_000_000) {
            for v in [v, serde_json::Value::from(whole as f64), serde_json::Value::from(whole as f64 / 8.0)] {
                let out = appended(64, |out| push_attr_value(out, &v).unwrap());
                prop_assert_eq!(out, appended(64, |out| push_value(out, &v).unwrap()));
            }
        }
    }
}
