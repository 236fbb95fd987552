//! Reading one JSON lines record straight into the fields a loader maps,
//! without building the record as a JSON object first.
//!
//! [`JsonlLoader`](crate::JsonlLoader) reads a record through
//! [`read_record`] when every mapped field name is a plain key (no dotted
//! path): the record's keys are compared with the mapped names as they are
//! parsed (borrowed from the line when they have no escapes), each mapped
//! value lands in its slot, the other fields go straight into the extra
//! fields (or are checked and dropped, without being stored, when those
//! are not kept). Values are parsed by `serde_json` exactly as for a whole
//! `serde_json::Value`, so a record is accepted or rejected just as before;
//! the caller reads a rejected record again the general way, for its error
//! message.
//!
//! Most records are read without `serde_json`'s string decoding (see
//! [`read_record`]): the object and its strings are scanned here, which
//! writes each string once, straight into its `String`.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// How many fields a loader maps: text, id, headline, byline, dateline,
/// date, url, outlet, language (in the order they are taken).
pub const MAPPED_FIELDS: usize = 9;

/// The names of the mapped fields, in the order they are taken; an empty
/// name maps nothing.
#[derive(Debug, Clone)]
pub struct FieldNames {
    names: [String; MAPPED_FIELDS],
}

impl FieldNames {
    /// The names, if every non-empty one is a plain key (no `.`, so never
    /// a path into a nested object).
    pub fn plain(names: [&str; MAPPED_FIELDS]) -> Option<Self> {
        if names.iter().any(|n| n.contains('.')) {
            return None;
        }
        Some(FieldNames {
            names: names.map(str::to_string),
        })
    }

    /// The slot a key fills: the first mapped field with that name (a name
    /// mapped twice is taken by the field taken first, as with removal
    /// from a record).
    fn slot_of(&self, key: &str) -> Option<usize> {
        self.names
            .iter()
            .position(|n| n.len() == key.len() && !n.is_empty() && n == key)
    }

    /// The name of slot `i`.
    pub fn name(&self, i: usize) -> &str {
        self.names.get(i).map_or("", String::as_str)
    }
}

/// A record read by [`read_record`].
#[derive(Debug, Default)]
pub struct RecordFields {
    /// The value of each mapped field present (the last, for a key given
    /// twice), by slot.
    pub mapped: [Option<Value>; MAPPED_FIELDS],
    /// The record's other fields, when kept.
    pub extra: BTreeMap<String, Value>,
}

/// Reads one record (a JSON object and nothing after it but whitespace)
/// into the mapped fields and, if `keep_extra`, the other fields. `None`
/// when the line is not such a record, or is one `serde_json` would not
/// read as a `Value` (the caller reads it again for the error).
///
/// A common record is scanned here ([`scan_record`]); any other is read
/// with `serde_json` ([`read_record_by_serde`]), with the same result.
pub fn read_record(line: &str, names: &FieldNames, keep_extra: bool) -> Option<RecordFields> {
    scan_record(line, names, keep_extra).or_else(|| read_record_by_serde(line, names, keep_extra))
}

/// [`read_record`] through `serde_json` alone: the reader of records
/// [`scan_record`] leaves (and the reference of its property test).
pub fn read_record_by_serde(
    line: &str,
    names: &FieldNames,
    keep_extra: bool,
) -> Option<RecordFields> {
    let mut de = serde_json::Deserializer::from_str(line);
    let record = RecordSeed { names, keep_extra }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(record)
}

/// The common record read without `serde_json`'s string decoding:
/// the object's structure and its string values are scanned here, each
/// string decoded straight into its `String` (`serde_json` decodes one
/// with an escape into a scratch buffer, grown line after line, and then
/// copies it out); other values (numbers, lists, objects, literals) are
/// parsed by `serde_json`.
///
/// `None` for anything out of the common way (a key with an escape, a
/// `\u` escape, a control character, a value nested deeply, malformed
/// JSON), which [`read_record`] then reads with `serde_json` alone: when
/// this gives a record, it is the one `serde_json` gives.
fn scan_record(line: &str, names: &FieldNames, keep_extra: bool) -> Option<RecordFields> {
    let bytes = line.as_bytes();
    let mut i = skip_blanks(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_blanks(bytes, i + 1);
    let mut record = RecordFields::default();
    if bytes.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            let (key, after_key) = plain_key(line, i)?;
            i = skip_blanks(bytes, after_key);
            if bytes.get(i) != Some(&b':') {
                return None;
            }
            i = skip_blanks(bytes, i + 1);
            let slot = names.slot_of(key);
            let (value, after_value) = if bytes.get(i) == Some(&b'"') {
                // The text (slot 0) is most of the line: room for the rest
                // of it, so it is written without growing.
                let (text, end) = decode_string(line, i, slot == Some(0))?;
                (Value::String(text), end)
            } else {
                other_value(line, i)?
            };
            match slot {
                Some(slot) => record.mapped[slot] = Some(value),
                None if keep_extra => {
                    record.extra.insert(key.to_string(), value);
                }
                None => {}
            }
            i = skip_blanks(bytes, after_value);
            match bytes.get(i) {
                Some(b',') => i = skip_blanks(bytes, i + 1),
                Some(b'}') => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_blanks(bytes, i) == bytes.len()).then_some(record)
}

/// The index of the first byte from `i` that is not JSON whitespace.
fn skip_blanks(bytes: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(i) {
        i += 1;
    }
    i
}

/// The key whose opening quote is at `open`, if it has no escape and no
/// control character, and the index after its closing quote.
fn plain_key(line: &str, open: usize) -> Option<(&str, usize)> {
    let bytes = line.as_bytes();
    if bytes.get(open) != Some(&b'"') {
        return None;
    }
    let start = open + 1;
    let close = start + memchr::memchr2(b'"', b'\\', bytes.get(start..)?)?;
    let key = bytes.get(start..close)?;
    if bytes[close] != b'"' || has_control(key) {
        return None;
    }
    // `"` is ASCII: both ends are char boundaries.
    Some((line.get(start..close)?, close + 1))
}

/// Whether `bytes` hold a control character (below 0x20), which a JSON
/// string may not (checked without branching, so it vectorizes).
fn has_control(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |any, &b| any | (b < 0x20))
}

/// The string whose opening quote is at `open`, decoded, and the index
/// after its closing quote; `None` on a `\u` escape (left to
/// `serde_json`, which checks surrogates), a bad escape, a control
/// character or a missing end. `long` reserves room for the rest of the
/// line when the string has an escape.
///
/// One pass, sixteen bytes at a time ([`special_mask`]): a string
/// without escapes is found whole and copied at once; in one with escapes
/// (a text's `\n`s), each chunk is stored into the string whole and only
/// its bytes before the first quote, backslash or control byte are kept,
/// so runs between escapes cost no call (to `memchr` or `memcpy`).
fn decode_string(line: &str, open: usize, long: bool) -> Option<(String, usize)> {
    let bytes = line.as_bytes();
    let start = open + 1;
    let first = next_special(bytes, start)?;
    if bytes[first] == b'"' {
        // No escape and (the scan stops at one) no control byte.
        return Some((line.get(start..first)?.to_string(), first + 1));
    }
    if bytes[first] != b'\\' {
        return None;
    }
    let mut out: Vec<u8> = if long {
        Vec::with_capacity(bytes.len() - start)
    } else {
        Vec::with_capacity(2 * (first - start) + 16)
    };
    out.extend_from_slice(&bytes[start..first]);
    let mut at = first;
    loop {
        // `at` is a special byte.
        match bytes[at] {
            b'"' => {
                // SAFETY: `out` holds runs of `line` that each start after
                // an ASCII byte (the opening quote or an escape) and end
                // before one (a quote or backslash), so on char
                // boundaries, and the ASCII characters of the escapes:
                // UTF-8 throughout.
                let out = unsafe { String::from_utf8_unchecked(out) };
                return Some((out, at + 1));
            }
            b'\\' => {
                out.push(match bytes.get(at + 1)? {
                    b'"' => b'"',
                    b'\\' => b'\\',
                    b'/' => b'/',
                    b'b' => 0x08,
                    b'f' => 0x0c,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    _ => return None,
                });
                at += 2;
            }
            _ => return None,
        }
        // The run up to the next special byte, chunk by chunk.
        loop {
            let Some(chunk) = bytes.get(at..at + 16) else {
                let next = next_special(bytes, at)?;
                out.extend_from_slice(&bytes[at..next]);
                at = next;
                break;
            };
            let mask = special_mask(chunk);
            let kept = if mask == 0 {
                16
            } else {
                mask.trailing_zeros() as usize
            };
            out.reserve(16);
            // SAFETY: `out` has room for 16 more bytes (reserved above);
            // all 16 are written, and the length takes in only the first
            // `kept` (at most 16) of them.
            unsafe {
                out.as_mut_ptr()
                    .add(out.len())
                    .copy_from_nonoverlapping(chunk.as_ptr(), 16);
                out.set_len(out.len() + kept);
            }
            at += kept;
            if mask != 0 {
                break;
            }
        }
    }
}

/// The position of the first byte at or after `at` that is a quote, a
/// backslash or a control byte (below 0x20); `None` when there is none.
#[inline]
fn next_special(bytes: &[u8], mut at: usize) -> Option<usize> {
    while let Some(chunk) = bytes.get(at..at + 16) {
        let mask = special_mask(chunk);
        if mask != 0 {
            return Some(at + mask.trailing_zeros() as usize);
        }
        at += 16;
    }
    let rest = bytes.get(at..)?;
    rest.iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|found| at + found)
}

/// A mask with bit `i` set when byte `i` of `chunk` (at least sixteen
/// bytes; the first sixteen are read) is a quote, a backslash or a
/// control byte: with SSE2 (part of every x86-64 processor), else a
/// byte at a time.
#[inline]
fn special_mask(chunk: &[u8]) -> u32 {
    assert!(chunk.len() >= 16);
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8,
            _mm_or_si128, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of x86-64; `chunk` holds at least 16 bytes
        // (checked above) and an unaligned load has no alignment
        // requirement; the rest only computes on registers.
        unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        chunk[..16]
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b'"' || b == b'\\' || b < 0x20)
            .fold(0, |mask, (i, _)| mask | 1 << i)
    }
}

/// [`decode_string`] as it was (a `memchr2` per run, a `String` pushed
/// run by run, a check for control bytes at the end): the reference of
/// the tests.
#[cfg(test)]
fn decode_string_by_runs(line: &str, open: usize, long: bool) -> Option<(String, usize)> {
    let bytes = line.as_bytes();
    let mut start = open + 1;
    let mut special = start + memchr::memchr2(b'"', b'\\', bytes.get(start..)?)?;
    let mut out = if bytes[special] == b'"' {
        String::with_capacity(special - start)
    } else if long {
        String::with_capacity(bytes.len() - start)
    } else {
        String::with_capacity(2 * (special - start) + 16)
    };
    loop {
        // `"` and `\` are ASCII: the run starts and ends on char boundaries.
        out.push_str(line.get(start..special)?);
        if bytes[special] == b'"' {
            // Escapes hold no control character: one check of the whole
            // string as written finds any.
            return (!has_control(bytes.get(open + 1..special)?)).then_some((out, special + 1));
        }
        out.push(match bytes.get(special + 1)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            _ => return None,
        });
        start = special + 2;
        special = start + memchr::memchr2(b'"', b'\\', bytes.get(start..)?)?;
    }
}

/// A value that is not a string, starting at `at`, parsed by
/// `serde_json`, and the index after it; `None` when it is malformed or
/// nested deeply (`serde_json` counts the depth from the record, not from
/// the value; the limit is far off).
fn other_value(line: &str, at: usize) -> Option<(Value, usize)> {
    let rest = line.get(at..)?;
    let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
    let value = values.next()?.ok()?;
    (depth(&value) < MAX_SCANNED_DEPTH).then(|| (value, at + values.byte_offset()))
}

/// How deep a value [`scan_record`] takes may be nested.
const MAX_SCANNED_DEPTH: usize = 64;

/// How deep lists and objects are nested in `value` (0 for a scalar).
fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(fields) => 1 + fields.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Reads a record object into [`RecordFields`].
struct RecordSeed<'a> {
    names: &'a FieldNames,
    keep_extra: bool,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = RecordFields;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = RecordFields;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut record = RecordFields::default();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if let Some(slot) = self.names.slot_of(&key) {
                record.mapped[slot] = Some(map.next_value()?);
            } else if self.keep_extra {
                let value = map.next_value()?;
                record.extra.insert(key.into_owned(), value);
            } else {
                map.next_value::<CheckedValue>()?;
            }
        }
        Ok(record)
    }
}

/// A key, borrowed from the line when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// A value parsed as strictly as a `serde_json::Value` (strings decoded
/// and checked, numbers parsed and range-checked) but not kept. `serde`'s
/// `IgnoredAny` would skip strings and numbers without those checks and
/// accept records a `Value` rejects.
struct CheckedValue;

impl<'de> de::Deserialize<'de> for CheckedValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckedValueVisitor)
    }
}

/// The visitor of [`CheckedValue`]: accepts what `Value`'s visitor accepts.
struct CheckedValueVisitor;

impl<'de> Visitor<'de> for CheckedValueVisitor {
    type Value = CheckedValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<CheckedValue, E> {
        Ok(CheckedValue)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<CheckedValue, E> {
        Ok(CheckedValue)
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<CheckedValue, E> {
        // What `Value` does: a number only if it fits a JSON number.
        serde_json::Number::from_i128(v)
            .map(|_| CheckedValue)
            .ok_or_else(|| E::custom("JSON number out of range"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<CheckedValue, E> {
        Ok(CheckedValue)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<CheckedValue, E> {
        serde_json::Number::from_u128(v)
            .map(|_| CheckedValue)
            .ok_or_else(|| E::custom("JSON number out of range"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<CheckedValue, E> {
        Ok(CheckedValue)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<CheckedValue, E> {
        Ok(CheckedValue)
    }

    fn visit_none<E: de::Error>(self) -> Result<CheckedValue, E> {
        Ok(CheckedValue)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<CheckedValue, D::Error> {
        de::Deserialize::deserialize(deserializer)
    }

    fn visit_unit<E: de::Error>(self) -> Result<CheckedValue, E> {
        Ok(CheckedValue)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CheckedValue, A::Error> {
        while seq.next_element::<CheckedValue>()?.is_some() {}
        Ok(CheckedValue)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CheckedValue, A::Error> {
        // Keys as `Value` reads them: decoded strings.
        while map.next_key::<IgnoredKey>()?.is_some() {
            map.next_value::<CheckedValue>()?;
        }
        Ok(CheckedValue)
    }
}

/// An object key decoded as a string (and dropped).
struct IgnoredKey;

impl<'de> de::Deserialize<'de> for IgnoredKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeySeed).map(|_| IgnoredKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names() -> FieldNames {
        FieldNames::plain([
            "text", "id", "title", "author", "dateline", "date", "url", "source", "language",
        ])
        .unwrap()
    }

    /// Compares what the scan and `serde_json` read.
    fn same(a: &Option<RecordFields>, b: &Option<RecordFields>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => a.mapped == b.mapped && a.extra == b.extra,
            (None, None) => true,
            _ => false,
        }
    }

    #[test]
    fn common_records_are_scanned_and_odd_ones_left_to_serde() {
        let line = r#" {"id": "r-1", "text": "Showers\ncontinued \"here\" \\ / \t.", "topics": ["a", 1, {"b": null}], "n": -1.5e3, "title": "T"} "#;
        let scanned = scan_record(line, &names(), true).unwrap();
        assert!(same(
            &Some(scanned),
            &read_record_by_serde(line, &names(), true)
        ));
        for odd in [
            r#"{"text": "\u00e9"}"#,
            r#"{"te\u0078t": "a"}"#,
            "{\"text\": \"a\u{1}b\"}",
            r#"{"text": "a",}"#,
            r#"{"text": "a"} x"#,
            r#"{"text": "a\x"}"#,
            r#"{"text" "a"}"#,
            r#"{"text": 1x}"#,
        ] {
            assert!(scan_record(odd, &names(), true).is_none(), "{odd}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Strings are decoded as the run-by-run decoder decoded them,
        /// from any opening quote, long or not.
        #[test]
        fn strings_decode_as_run_by_run(
            pieces in proptest::collection::vec(
                prop_oneof![
                    4 => "[ -!#-\\[\\]-~é€😀]{0,40}",
                    2 => prop::sample::select(vec![
                        "\\n", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r", "\\t",
                        "\\u00e9", "\\q", "\\", "\"", "\u{1}", "\u{1f}", "\n", "\u{7f}",
                    ]).prop_map(str::to_string),
                ],
                0..24,
            ),
            before in "[ -~]{0,3}",
            long: bool,
        ) {
            let line = format!("{before}\"{}", pieces.concat());
            for open in line.char_indices().filter(|&(_, c)| c == '"').map(|(i, _)| i) {
                prop_assert_eq!(
                    decode_string(&line, open, long),
                    decode_string_by_runs(&line, open, long),
                    "{:?} from {}", line, open
                );
            }
        }

        #[test]
        fn scanned_records_are_serdes(
            parts in proptest::collection::vec(
                (
                    prop::sample::select(vec!["text", "id", "title", "topics", "x", "", "é", "a\\\"b"]),
                    prop_oneof![
                        "[ -~é\u{1}\u{7f}]{0,12}".prop_map(|s| format!("\"{}\"", s.replace('"', "\\\""))),
                        prop::sample::select(vec![
                            "\"a\\nb\\\\c\\/d\\te\\rf\\bg\\fh\\\"\"", "\"\\u00e9\"", "\"\\ud800\"",
                            "\"\\q\"", "null", "true", "-0", "1e400", "12.5", "[1, \"a\\n\", [[]]]",
                            "{\"k\": \"v\", \"k\": 2}", "01", "[", "\"open",
                        ]).prop_map(str::to_string),
                    ],
                    prop::sample::select(vec!["", " ", "\t\r\n"]),
                ),
                0..6,
            ),
            cut in any::<prop::sample::Index>(),
            how in 0u8..6,
            keep_extra: bool,
        ) {
            let fields: Vec<String> = parts
                .iter()
                .map(|(k, v, blank)| format!("{blank}\"{k}\"{blank}:{blank}{v}{blank}"))
                .collect();
            let mut line = format!("{{{}}}", fields.join(","));
            match how {
                0 => {
                    let at = cut.index(line.len() + 1);
                    if line.is_char_boundary(at) {
                        line.truncate(at);
                    }
                }
                1 => line.push_str(" ,"),
                _ => {}
            }
            let scanned = scan_record(&line, &names(), keep_extra);
            let by_serde = read_record_by_serde(&line, &names(), keep_extra);
            if scanned.is_some() {
                prop_assert!(same(&scanned, &by_serde), "{}", line);
            }
            prop_assert!(same(&read_record(&line, &names(), keep_extra), &by_serde), "{}", line);
        }
    }
}
