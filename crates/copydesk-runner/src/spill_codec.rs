//! The spill's record format: a document in a compact binary form that is
//! several times smaller and cheaper to write and read than JSON (a tokens
//! layer costs 3–4 bytes per token instead of ~40).
//!
//! Layout, integers as LEB128 varints and strings as length + UTF-8 bytes:
//! `text`, `id`, `source` (path, record + 1 or 0, line + 1 or 0), `raw`
//! (0 when it equals the text, 1 and the string, or 2 when left out),
//! `meta` (its optional strings, lists and extra fields) and `ext` (a map of
//! values), then the tags: the layer count, and per layer its name, its
//! distinct labels, its distinct attribute names, the annotation count and
//! per annotation the start (as a zigzag delta from the previous start), the
//! length, the label's index, the attribute count and per attribute its
//! name's index and its value (a tag byte, then the number, the string or
//! the items; see [`put_value`]). The text comes first so that it can be
//! read without decoding the rest.

use copydesk_core::{Annotation, Attrs, Document, Label, Meta, Source};
use rustc_hash::FxBuildHasher;
use std::cell::RefCell;
use std::collections::HashSet;
use std::collections::{BTreeMap, HashMap};
use std::sync::{OnceLock, RwLock};

/// What the spill leaves out of a document because nothing after pass 1
/// reads it.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Omitted {
    /// Annotation layers left out.
    pub(crate) layers: Vec<String>,
    /// Whether the text as loaded (`Document::raw`) is left out; it then
    /// reads back empty.
    pub(crate) raw: bool,
}

/// How `raw` is stored: the byte after `source`.
mod raw_tag {
    /// `raw` equals the text and is not stored again.
    pub const SAME_AS_TEXT: u8 = 0;
    /// `raw` follows as a string.
    pub const STORED: u8 = 1;
    /// `raw` was left out; it reads back empty.
    pub const OMITTED: u8 = 2;
}

/// Appends everything of `doc` that precedes its layers: text, id,
/// source, `raw` (or its tag), `meta` and `ext`.
fn encode_head(doc: &Document, omitted: &Omitted, out: &mut Vec<u8>) {
    put_str(out, &doc.text);
    put_str(out, &doc.id);
    put_str(out, &doc.source.path);
    put_optional(out, doc.source.record);
    put_optional(out, doc.source.line);
    if omitted.raw {
        out.push(raw_tag::OMITTED);
    } else if doc.raw == doc.text {
        out.push(raw_tag::SAME_AS_TEXT);
    } else {
        out.push(raw_tag::STORED);
        put_str(out, &doc.raw);
    }
    put_meta(out, &doc.meta);
    put_map(out, &doc.ext);
}

/// Appends `doc` to `out`, without what `omitted` names.
pub(crate) fn encode(doc: &Document, omitted: &Omitted, out: &mut Vec<u8>) {
    encode_head(doc, omitted, out);
    let kept = |layer: &String| !omitted.layers.contains(layer);
    put_varint(out, doc.tags.keys().filter(|l| kept(l)).count() as u64);
    let mut labels = NameTable::default();
    let mut keys = NameTable::default();
    SPANS.with(|scratch| {
        let mut own = Vec::new();
        let mut borrowed = scratch.try_borrow_mut();
        let spans_out = match &mut borrowed {
            Ok(scratch) => &mut **scratch,
            Err(_) => &mut own,
        };
        for (layer, spans) in doc.tags.iter().filter(|(l, _)| kept(l)) {
            labels.clear();
            keys.clear();
            // One walk over the annotations: each is encoded as its names
            // are met, and the tables (which come first) are written after.
            spans_out.clear();
            let mut previous = 0u64;
            for a in spans {
                let start = a.start as u64;
                put_varint(spans_out, zigzag(start.wrapping_sub(previous) as i64));
                previous = start;
                put_varint(spans_out, a.end.saturating_sub(a.start) as u64);
                put_varint(spans_out, labels.index_or_add(&a.label));
                put_varint(spans_out, a.attrs.len() as u64);
                for (key, value) in &a.attrs {
                    put_varint(spans_out, keys.index_or_add(key));
                    put_value(spans_out, value);
                }
            }
            put_str(out, layer);
            labels.put(out);
            keys.put(out);
            put_varint(out, spans.len() as u64);
            out.extend_from_slice(spans_out);
        }
    });
}

thread_local! {
    /// The encoded annotations of the layer being encoded, before they are
    /// appended after the layer's name tables (one buffer per thread).
    static SPANS: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The distinct names (labels or attribute names) of one layer, in order of
/// first use. A layer has a handful of names, so they are found by a scan
/// that compares addresses first (names written from literals share one),
/// and by a map only past [`NameTable::SCAN`] names.
#[derive(Default)]
struct NameTable<'d> {
    names: Vec<&'d str>,
    index: HashMap<&'d str, u64>,
}

impl<'d> NameTable<'d> {
    /// Names found by scanning; a map takes over beyond.
    const SCAN: usize = 16;

    fn clear(&mut self) {
        self.names.clear();
        self.index.clear();
    }

    fn find(&self, name: &str) -> Option<u64> {
        if self.names.len() > Self::SCAN {
            return self.index.get(name).copied();
        }
        let same = |n: &&str| std::ptr::eq(n.as_ptr(), name.as_ptr()) && n.len() == name.len();
        self.names
            .iter()
            .position(same)
            .or_else(|| self.names.iter().position(|n| *n == name))
            .map(|at| at as u64)
    }

    /// Adds `name` at the end if it is new (the two-walk encoder of the
    /// tests builds its tables so).
    #[cfg(test)]
    fn add(&mut self, name: &'d str) {
        if self.find(name).is_some() {
            return;
        }
        self.push_new(name);
    }

    /// Adds `name`, which is not in the table, at the end.
    fn push_new(&mut self, name: &'d str) {
        self.names.push(name);
        if self.names.len() > Self::SCAN {
            if self.index.is_empty() {
                for (at, n) in self.names.iter().enumerate() {
                    self.index.insert(n, at as u64);
                }
            } else {
                self.index.insert(name, self.names.len() as u64 - 1);
            }
        }
    }

    /// The index of `name`, added at the end if it is new. A name at the
    /// same address as one in a short table (a label or key written from a
    /// literal or interned, most of them) is found inline; the others by
    /// [`NameTable::index_or_add_slowly`]. The names of a table differ, so
    /// the entry at the same address is the one [`NameTable::find`] finds.
    #[inline]
    fn index_or_add(&mut self, name: &'d str) -> u64 {
        if self.names.len() <= Self::SCAN {
            let same = |n: &&str| std::ptr::eq(n.as_ptr(), name.as_ptr()) && n.len() == name.len();
            if let Some(at) = self.names.iter().position(same) {
                return at as u64;
            }
        }
        self.index_or_add_slowly(name)
    }

    /// [`NameTable::index_or_add`] by [`NameTable::find`].
    #[inline(never)]
    fn index_or_add_slowly(&mut self, name: &'d str) -> u64 {
        if let Some(at) = self.find(name) {
            return at;
        }
        self.push_new(name);
        self.names.len() as u64 - 1
    }

    #[cfg(test)]
    fn index(&self, name: &str) -> u64 {
        self.find(name).unwrap_or(0)
    }

    fn put(&self, out: &mut Vec<u8>) {
        put_varint(out, self.names.len() as u64);
        for name in &self.names {
            put_str(out, name);
        }
    }
}

/// Tags of [`put_value`]'s encoding.
mod value_tag {
    pub const NULL: u8 = 0;
    pub const FALSE: u8 = 1;
    pub const TRUE: u8 = 2;
    pub const UNSIGNED: u8 = 3;
    pub const NEGATIVE: u8 = 4;
    pub const FLOAT: u8 = 5;
    pub const STRING: u8 = 6;
    pub const ARRAY: u8 = 7;
    pub const OBJECT: u8 = 8;
}

/// Appends a JSON value: a tag byte, then an unsigned or zigzag varint, the
/// 8 little-endian bytes of a float, a string, or a count and the items
/// (objects as name, value pairs).
fn put_value(out: &mut Vec<u8>, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Null => out.push(value_tag::NULL),
        Value::Bool(false) => out.push(value_tag::FALSE),
        Value::Bool(true) => out.push(value_tag::TRUE),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                out.push(value_tag::UNSIGNED);
                put_varint(out, u);
            } else if let Some(i) = n.as_i64() {
                out.push(value_tag::NEGATIVE);
                put_varint(out, zigzag(i));
            } else {
                out.push(value_tag::FLOAT);
                out.extend_from_slice(&n.as_f64().unwrap_or(0.0).to_le_bytes());
            }
        }
        Value::String(s) => {
            out.push(value_tag::STRING);
            put_str(out, s);
        }
        Value::Array(items) => {
            out.push(value_tag::ARRAY);
            put_varint(out, items.len() as u64);
            for item in items {
                put_value(out, item);
            }
        }
        Value::Object(map) => {
            out.push(value_tag::OBJECT);
            put_varint(out, map.len() as u64);
            for (k, v) in map {
                put_str(out, k);
                put_value(out, v);
            }
        }
    }
}

/// Why a record could not be decoded.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DecodeError {
    /// The record ends early.
    #[error("record truncated at byte {0}")]
    Truncated(usize),
    /// A varint is longer than 64 bits.
    #[error("bad integer at byte {0}")]
    BadInteger(usize),
    /// A string is not UTF-8.
    #[error("string at byte {0} is not UTF-8")]
    NotUtf8(usize),
    /// A label index points past the layer's labels.
    #[error("label index {0} out of range")]
    BadLabel(u64),
    /// An attribute name index points past the layer's names.
    #[error("attribute name index {0} out of range")]
    BadName(u64),
    /// An annotation's attribute names are not in order (checked in debug
    /// builds only).
    #[error("attribute name index {0} out of order")]
    NamesOutOfOrder(u64),
    /// A value's tag byte is unknown.
    #[error("bad value tag {tag} at byte {at}")]
    BadValue {
        /// The tag read.
        tag: u8,
        /// Where it was read.
        at: usize,
    },
    /// Values nest deeper than the codec reads.
    #[error("values nested too deep at byte {0}")]
    TooDeep(usize),
}

/// Reads a whole document back, into buffers of documents this thread read
/// back before and gave up ([`recycle`]) where it has some.
pub(crate) fn decode(bytes: &[u8]) -> Result<Document, DecodeError> {
    SPARE.with(|spare| match spare.try_borrow_mut() {
        Ok(mut spare) => decode_in(bytes, &mut spare),
        Err(_) => decode_in(bytes, &mut Spare::default()),
    })
}

/// [`decode`] with the spare buffers `spare`.
fn decode_in(bytes: &[u8], spare: &mut Spare) -> Result<Document, DecodeError> {
    let mut r = Reader { bytes, at: 0 };
    let text = r.text_in(spare)?;
    let id = r.string_in(spare)?;
    let path = r.string_in(spare)?;
    let record = r.optional()?;
    let line = r.optional()?;
    let raw = match r.byte()? {
        raw_tag::SAME_AS_TEXT => text.clone(),
        raw_tag::OMITTED => String::new(),
        _ => r.string()?,
    };
    let meta = r.meta_in(spare)?;
    let ext = r.map_in(0, spare)?;
    let layers = r.varint()?;
    let mut tags = BTreeMap::new();
    // The name tables of each layer in turn, in two vectors allocated once
    // per record rather than twice per layer.
    let (mut labels, mut keys) = (Vec::new(), Vec::new());
    for _ in 0..layers {
        let layer = r.string_in(spare)?;
        r.names_into(&mut labels)?;
        r.names_into(&mut keys)?;
        let count = r.varint()?;
        // Each annotation takes at least 4 bytes: no allocation beyond the input.
        let mut spans = spare.spans((count as usize).min(r.remaining() / 4));
        let mut previous = 0u64;
        for _ in 0..count {
            let start = previous.wrapping_add(unzigzag(r.varint()?) as u64);
            previous = start;
            let len = r.varint()?;
            let label_at = r.varint()?;
            let label = shared(
                labels
                    .get(label_at as usize)
                    .ok_or(DecodeError::BadLabel(label_at))?,
            );
            let attr_count = r.varint()?;
            // Each attribute takes at least 2 bytes: no allocation beyond the input.
            // (Most spans have none: no call for them.)
            let mut attrs = if attr_count == 0 {
                Attrs::new()
            } else {
                spare.attrs((attr_count as usize).min(r.remaining() / 2))
            };
            for _ in 0..attr_count {
                let key_at = r.varint()?;
                let key = shared(
                    keys.get(key_at as usize)
                        .ok_or(DecodeError::BadName(key_at))?,
                );
                // Written from a map in key order: appended, not searched.
                // (Debug builds check the order, so that a damaged record
                // is an error there rather than push_sorted's panic; release
                // builds trust the spill they wrote themselves.)
                if cfg!(debug_assertions) && attrs.keys().last().is_some_and(|last| *last >= *key) {
                    return Err(DecodeError::NamesOutOfOrder(key_at));
                }
                attrs.push_sorted(key, r.attr_value_in(spare)?);
            }
            spans.push(Annotation {
                start: start as usize,
                end: start.saturating_add(len) as usize,
                label,
                attrs,
            });
        }
        tags.insert(layer, spans);
    }
    Ok(Document {
        id,
        source: Source { path, record, line },
        raw,
        text,
        meta,
        tags,
        ext,
        cache: Default::default(),
    })
}

/// Buffers of documents read back and given up ([`recycle`]), which the
/// thread's next records are decoded into instead of fresh memory: the
/// strings (attribute values, layer names, metadata), attribute maps and
/// annotation vectors of a document read back in pass 2 are freed once it
/// is rendered, on the thread that decodes the next ones (about 60
/// allocations and frees a document otherwise).
#[derive(Default)]
pub(crate) struct Spare {
    /// Empty strings with room for [`Spare::STRING_BYTES`] bytes at most.
    strings: Vec<String>,
    /// Empty attribute entries with room for [`Spare::ATTR_ENTRIES`] at most.
    attrs: Vec<Vec<(Label, serde_json::Value)>>,
    /// Empty annotation vectors.
    spans: Vec<Vec<Annotation>>,
    /// Empty texts, with room for [`Spare::TEXT_BYTES`] bytes at most.
    texts: Vec<String>,
}

impl Spare {
    /// Strings kept at most (a group of documents' worth, with room).
    const STRINGS: usize = 8192;
    /// The longest string kept; a longer one is freed.
    const STRING_BYTES: usize = 256;
    /// The least room a string is made with, so that it can take most
    /// other values once handed back (attribute values are short).
    const STRING_MIN: usize = 32;
    /// Attribute maps kept at most.
    const ATTRS: usize = 4096;
    /// The most entries an attribute map kept has room for.
    const ATTR_ENTRIES: usize = 64;
    /// The least room an attribute map is made with.
    const ATTR_MIN: usize = 4;
    /// Annotation vectors kept at most.
    const SPANS: usize = 512;
    /// The most annotations a vector kept has room for.
    const SPAN_ENTRIES: usize = 1 << 14;

    /// Texts kept at most (a group's worth).
    const TEXTS: usize = 32;
    /// The longest text kept.
    const TEXT_BYTES: usize = 256 << 10;

    /// `s`, a document's text, in a spare text if the last one kept has
    /// room for it (texts vary in length: one too small is not grown, which
    /// would copy it, but left for a shorter text).
    #[inline]
    fn text(&mut self, s: &str) -> String {
        match self.texts.last_mut() {
            Some(spare) if spare.capacity() >= s.len() => {
                let mut spare = std::mem::take(spare);
                self.texts.pop();
                spare.push_str(s);
                spare
            }
            _ => s.to_string(),
        }
    }

    /// Keeps `text` (emptied) if it is not too long and there is room.
    fn keep_text(&mut self, mut text: String) {
        if (1..=Self::TEXT_BYTES).contains(&text.capacity()) && self.texts.len() < Self::TEXTS {
            text.clear();
            self.texts.push(text);
        }
    }

    /// `s` in a spare string, or a new one with room to spare.
    #[inline(always)]
    fn string(&mut self, s: &str) -> String {
        // Every spare string has room for `STRING_MIN` bytes.
        if s.len() <= Self::STRING_MIN
            && !s.is_empty()
            && let Some(mut spare) = self.strings.pop()
        {
            spare.push_str(s);
            return spare;
        }
        self.fresh_string(s)
    }

    /// [`Spare::string`] in a new string.
    #[inline(never)]
    fn fresh_string(&mut self, s: &str) -> String {
        if s.is_empty() {
            return String::new();
        }
        // A spare string too small is left: growing it would copy it.
        if let Some(at) = self.strings.last().map(String::capacity)
            && at >= s.len()
            && let Some(mut spare) = self.strings.pop()
        {
            spare.push_str(s);
            return spare;
        }
        let mut fresh = String::with_capacity(s.len().max(Self::STRING_MIN));
        fresh.push_str(s);
        fresh
    }

    /// An empty attribute map with room for `count` entries.
    #[inline]
    fn attrs(&mut self, count: usize) -> Attrs {
        match self.attrs.pop() {
            Some(entries) if entries.capacity() >= count => Attrs::from_sorted(entries),
            _ => Attrs::with_capacity(count.max(Self::ATTR_MIN)),
        }
    }

    /// An empty annotation vector with room for `count` annotations.
    #[inline]
    fn spans(&mut self, count: usize) -> Vec<Annotation> {
        match self.spans.pop() {
            Some(spans) if spans.capacity() >= count => spans,
            _ => Vec::with_capacity(count),
        }
    }

    /// Keeps `s` (emptied) if it has room for [`Spare::STRING_MIN`] bytes
    /// and not much more, and there is room.
    #[inline(always)]
    fn keep_string(&mut self, mut s: String) {
        if (Self::STRING_MIN..=Self::STRING_BYTES).contains(&s.capacity())
            && self.strings.len() < Self::STRINGS
        {
            s.clear();
            self.strings.push(s);
        }
    }

    /// Keeps the strings of `value`: a string (most values kept) inline,
    /// the items of a list or object by [`Spare::keep_items`].
    #[inline]
    fn keep_value(&mut self, value: serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(s) => self.keep_string(s),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
            items => self.keep_items(items),
        }
    }

    /// [`Spare::keep_value`] for a list or an object.
    #[inline(never)]
    fn keep_items(&mut self, value: serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::Array(items) => items.into_iter().for_each(|v| self.keep_value(v)),
            Value::Object(map) => {
                for (k, v) in map {
                    self.keep_string(k);
                    self.keep_value(v);
                }
            }
            other => self.keep_value(other),
        }
    }

    /// Keeps the strings of a map of values.
    fn keep_map(&mut self, map: BTreeMap<String, serde_json::Value>) {
        for (k, v) in map {
            self.keep_string(k);
            self.keep_value(v);
        }
    }

    /// Keeps the room of `attrs` (not empty) and its strings.
    #[inline(never)]
    fn keep_attrs(&mut self, attrs: Attrs) {
        use serde_json::Value;
        let mut entries = attrs.into_iter();
        // The values' strings are taken, leaving values that own nothing.
        let mut keys_borrowed = true;
        for (key, value) in entries.as_mut_slice() {
            keys_borrowed &= matches!(key, Label::Borrowed(_));
            match value {
                Value::String(s) => self.keep_string(std::mem::take(s)),
                Value::Array(_) | Value::Object(_) => self.keep_items(std::mem::take(value)),
                Value::Null | Value::Bool(_) | Value::Number(_) => {}
            }
        }
        // An iterator not advanced is collected into its own vector, as it
        // is.
        let mut entries: Vec<(Label, serde_json::Value)> = entries.collect();
        if keys_borrowed && !std::mem::needs_drop::<serde_json::Number>() {
            // SAFETY: no entry owns memory: each key is borrowed, each
            // value is null, a boolean, a number (which owns nothing, as
            // checked) or a string, list or map taken above (empty, with
            // no room). Forgetting them frees nothing.
            unsafe { entries.set_len(0) }
        } else {
            entries.clear();
        }
        if (Self::ATTR_MIN..=Self::ATTR_ENTRIES).contains(&entries.capacity())
            && self.attrs.len() < Self::ATTRS
        {
            self.attrs.push(entries);
        }
    }

    /// Keeps the room of `spans` and of their attributes.
    fn keep_spans(&mut self, mut spans: Vec<Annotation>) {
        let mut labels_borrowed = true;
        for a in &mut spans {
            // Every field named: one added to `Annotation` does not compile
            // until it is considered here.
            let Annotation {
                start: _,
                end: _,
                label,
                attrs,
            } = a;
            labels_borrowed &= matches!(label, Label::Borrowed(_));
            if !attrs.is_empty() {
                self.keep_attrs(std::mem::replace(attrs, Attrs::new()));
            }
        }
        if labels_borrowed {
            // SAFETY: no annotation owns memory: its label is borrowed and
            // its attributes were taken above (an empty map has no room).
            unsafe { spans.set_len(0) }
        } else {
            spans.clear();
        }
        if (1..=Self::SPAN_ENTRIES).contains(&spans.capacity()) && self.spans.len() < Self::SPANS {
            self.spans.push(spans);
        }
    }

    /// Keeps the strings of `meta`.
    fn keep_meta(&mut self, meta: Meta) {
        let Meta {
            headline,
            subheadlines,
            byline,
            dateline,
            credit,
            outlet,
            url,
            date,
            language,
            captions,
            debris,
            extra,
        } = meta;
        for field in [
            headline, byline, dateline, credit, outlet, url, date, language,
        ]
        .into_iter()
        .flatten()
        {
            self.keep_string(field);
        }
        for list in [subheadlines, captions, debris] {
            list.into_iter().for_each(|s| self.keep_string(s));
        }
        self.keep_map(extra);
    }
}

thread_local! {
    /// This thread's [`Spare`] buffers.
    static SPARE: RefCell<Spare> = RefCell::default();
}

/// Gives up the layers, metadata and extension fields of a document read
/// back (and rendered), keeping their buffers for the next records this
/// thread decodes.
pub(crate) fn recycle(
    text: String,
    tags: BTreeMap<String, Vec<Annotation>>,
    meta: Meta,
    ext: BTreeMap<String, serde_json::Value>,
) {
    SPARE.with(|spare| {
        let Ok(mut spare) = spare.try_borrow_mut() else {
            return;
        };
        spare.keep_text(text);
        for (layer, spans) in tags {
            spare.keep_string(layer);
            spare.keep_spans(spans);
        }
        spare.keep_meta(meta);
        spare.keep_map(ext);
    });
}

/// [`decode`] as it was before [`Spare`] (the reference of the tests).
#[cfg(test)]
fn decode_reference(bytes: &[u8]) -> Result<Document, DecodeError> {
    let mut r = Reader { bytes, at: 0 };
    let text = r.string()?;
    let id = r.string()?;
    let path = r.string()?;
    let record = r.optional()?;
    let line = r.optional()?;
    let raw = match r.byte()? {
        raw_tag::SAME_AS_TEXT => text.clone(),
        raw_tag::OMITTED => String::new(),
        _ => r.string()?,
    };
    let meta = r.meta()?;
    let ext = r.map(0)?;
    let layers = r.varint()?;
    let mut tags = BTreeMap::new();
    // The name tables of each layer in turn, in two vectors allocated once
    // per record rather than twice per layer.
    let (mut labels, mut keys) = (Vec::new(), Vec::new());
    for _ in 0..layers {
        let layer = r.string()?;
        r.names_into(&mut labels)?;
        r.names_into(&mut keys)?;
        let count = r.varint()?;
        // Each annotation takes at least 4 bytes: no allocation beyond the input.
        let mut spans = Vec::with_capacity((count as usize).min(r.remaining() / 4));
        let mut previous = 0u64;
        for _ in 0..count {
            let start = previous.wrapping_add(unzigzag(r.varint()?) as u64);
            previous = start;
            let len = r.varint()?;
            let label_at = r.varint()?;
            let label = shared(
                labels
                    .get(label_at as usize)
                    .ok_or(DecodeError::BadLabel(label_at))?,
            );
            let attr_count = r.varint()?;
            // Each attribute takes at least 2 bytes: no allocation beyond the input.
            // (Most spans have none: no call for them.)
            let mut attrs = if attr_count == 0 {
                Attrs::new()
            } else {
                Attrs::with_capacity((attr_count as usize).min(r.remaining() / 2))
            };
            for _ in 0..attr_count {
                let key_at = r.varint()?;
                let key = shared(
                    keys.get(key_at as usize)
                        .ok_or(DecodeError::BadName(key_at))?,
                );
                // Written from a map in key order: appended, not searched.
                // (Debug builds check the order, so that a damaged record
                // is an error there rather than push_sorted's panic; release
                // builds trust the spill they wrote themselves.)
                if cfg!(debug_assertions) && attrs.keys().last().is_some_and(|last| *last >= *key) {
                    return Err(DecodeError::NamesOutOfOrder(key_at));
                }
                attrs.push_sorted(key, r.attr_value()?);
            }
            spans.push(Annotation {
                start: start as usize,
                end: start.saturating_add(len) as usize,
                label,
                attrs,
            });
        }
        tags.insert(layer, spans);
    }
    Ok(Document {
        id,
        source: Source { path, record, line },
        raw,
        text,
        meta,
        tags,
        ext,
        cache: Default::default(),
    })
}

/// Appends to `out` the record `record` with its document's id replaced by
/// `id` (the rest of the record is copied as it is, not decoded).
pub(crate) fn replace_id(record: &[u8], id: &str, out: &mut Vec<u8>) -> Result<(), DecodeError> {
    let mut r = Reader {
        bytes: record,
        at: 0,
    };
    r.slice()?;
    let text_end = r.at;
    r.slice()?;
    out.extend_from_slice(&record[..text_end]);
    put_str(out, id);
    out.extend_from_slice(&record[r.at..]);
    Ok(())
}

/// Reads only the text of a record.
pub(crate) fn decode_text(bytes: &[u8]) -> Result<String, DecodeError> {
    Reader { bytes, at: 0 }.string()
}

/// Distinct labels kept for the life of the process at most: labels are a
/// small vocabulary (`word`, `sentence`, `PERSON`, ...), so reading them back
/// need not allocate a string per annotation; past this many, a label is
/// simply owned.
const MAX_INTERNED_LABELS: usize = 4096;

/// How deep attribute values may nest in a record (a bound on the reader's
/// recursion; stages write flat values or one level of lists).
const MAX_VALUE_DEPTH: usize = 64;

/// Another handle on a label of a name table: the same string when it is
/// interned (no call, no allocation), a copy when it is owned.
#[inline]
fn shared(label: &Label) -> Label {
    match label {
        Label::Borrowed(name) => Label::Borrowed(name),
        Label::Owned(name) => Label::Owned(name.clone()),
    }
}

/// A label read back, shared with every other annotation of that label
/// (allocated only the first time it is seen).
fn intern(label: &str) -> Label {
    thread_local! {
        /// The names this thread has already interned: found without the
        /// shared lock, which every reading thread would otherwise take for
        /// every name of every layer.
        static SEEN: RefCell<HashSet<&'static str, FxBuildHasher>> = RefCell::default();
    }
    if let Some(known) = SEEN.with_borrow(|seen| seen.get(label).copied()) {
        return Label::Borrowed(known);
    }
    let interned = intern_shared(label);
    if let Label::Borrowed(known) = interned {
        SEEN.with_borrow_mut(|seen| seen.insert(known));
    }
    interned
}

/// A name of at most 16 bytes as two words that together hold every byte
/// of it (overlapping below 16 bytes; below 4, the first, middle and last
/// bytes), and its length: two names have the same key exactly when they
/// have the same bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct NameKey {
    len: usize,
    first: u64,
    last: u64,
}

impl NameKey {
    /// The key of `bytes`, or `None` past 16 bytes.
    #[inline]
    fn of(bytes: &[u8]) -> Option<NameKey> {
        let len = bytes.len();
        let word = |chunk: &[u8]| {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            u64::from_le_bytes(word)
        };
        let (first, last) = match len {
            8..=16 => (word(&bytes[..8]), word(&bytes[len - 8..])),
            4..=7 => (word(&bytes[..4]), word(&bytes[len - 4..])),
            1..=3 => (
                u64::from(bytes[0])
                    | u64::from(bytes[len / 2]) << 8
                    | u64::from(bytes[len - 1]) << 16,
                0,
            ),
            0 => (0, 0),
            _ => return None,
        };
        Some(NameKey { len, first, last })
    }

    /// The key's slot in a [`NameCache`].
    #[inline]
    fn slot(&self) -> usize {
        let mixed = (self.first ^ self.last.rotate_left(29) ^ self.len as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (mixed >> (64 - NameCache::BITS)) as usize
    }
}

/// Interned names this thread has read back, by their [`NameKey`]: a
/// direct-mapped table (a name whose slot another takes is simply read
/// the long way again).
struct NameCache {
    slots: [Option<(NameKey, &'static str)>; 1 << NameCache::BITS],
}

impl NameCache {
    /// Slots: `1 << BITS`.
    const BITS: u32 = 8;

    /// The interned name with key `key`, if it is in the cache.
    #[inline]
    fn get(&self, key: &NameKey) -> Option<&'static str> {
        match self.slots[key.slot()] {
            Some((known, name)) if known == *key => Some(name),
            _ => None,
        }
    }

    /// Remembers `name` under `key` (the key of its bytes).
    fn put(&mut self, key: NameKey, name: &'static str) {
        debug_assert_eq!(NameKey::of(name.as_bytes()), Some(key));
        self.slots[key.slot()] = Some((key, name));
    }
}

thread_local! {
    /// This thread's [`NameCache`].
    static NAME_CACHE: RefCell<NameCache> = const {
        RefCell::new(NameCache {
            slots: [None; 1 << NameCache::BITS],
        })
    };
}

/// [`intern`] through the process-wide set.
fn intern_shared(label: &str) -> Label {
    static LABELS: OnceLock<RwLock<HashSet<&'static str>>> = OnceLock::new();
    let labels = LABELS.get_or_init(Default::default);
    if let Some(known) = labels.read().ok().and_then(|l| l.get(label).copied()) {
        return Label::Borrowed(known);
    }
    let Ok(mut write) = labels.write() else {
        return Label::Owned(label.to_string());
    };
    if let Some(known) = write.get(label) {
        return Label::Borrowed(known);
    }
    if write.len() >= MAX_INTERNED_LABELS {
        return Label::Owned(label.to_string());
    }
    let leaked: &'static str = Box::leak(label.to_string().into_boxed_str());
    write.insert(leaked);
    Label::Borrowed(leaked)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_optional(out: &mut Vec<u8>, v: Option<u64>) {
    put_varint(out, v.map_or(0, |v| v.saturating_add(1)));
}

/// An optional string: 0 when absent, else its length + 1 and its bytes.
fn put_optional_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => put_varint(out, 0),
        Some(s) => {
            put_varint(out, s.len() as u64 + 1);
            out.extend_from_slice(s.as_bytes());
        }
    }
}

fn put_strings(out: &mut Vec<u8>, list: &[String]) {
    put_varint(out, list.len() as u64);
    for s in list {
        put_str(out, s);
    }
}

/// A map of values: the count, then each name and value.
fn put_map(out: &mut Vec<u8>, map: &BTreeMap<String, serde_json::Value>) {
    put_varint(out, map.len() as u64);
    for (name, value) in map {
        put_str(out, name);
        put_value(out, value);
    }
}

/// The metadata: its optional strings in declaration order, its lists, then
/// `extra` as a map. Every field is named here, so a field added to [`Meta`]
/// does not compile until the codec carries it.
fn put_meta(out: &mut Vec<u8>, meta: &Meta) {
    let Meta {
        headline,
        subheadlines,
        byline,
        dateline,
        credit,
        outlet,
        url,
        date,
        language,
        captions,
        debris,
        extra,
    } = meta;
    for field in [
        headline, byline, dateline, credit, outlet, url, date, language,
    ] {
        put_optional_str(out, field.as_deref());
    }
    for list in [subheadlines, captions, debris] {
        put_strings(out, list);
    }
    put_map(out, extra);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// `bytes` as a string if they are UTF-8: a short ASCII string (most
/// attribute values, names and metadata) is recognised by a few word
/// tests instead of the call and the setup of the general check.
#[inline]
fn utf8(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    if bytes.len() <= 32 && bytes.is_ascii() {
        // SAFETY: every ASCII byte sequence is UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    std::str::from_utf8(bytes)
}

/// A cursor over one record.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = *self
            .bytes
            .get(self.at)
            .ok_or(DecodeError::Truncated(self.at))?;
        self.at += 1;
        Ok(b)
    }

    /// A varint: one byte (most lengths, indexes and deltas) read inline,
    /// longer ones by [`Reader::long_varint`].
    #[inline]
    fn varint(&mut self) -> Result<u64, DecodeError> {
        match self.bytes.get(self.at) {
            Some(&b) if b < 0x80 => {
                self.at += 1;
                Ok(u64::from(b))
            }
            _ => self.long_varint(),
        }
    }

    /// A varint of any length.
    #[inline(never)]
    fn long_varint(&mut self) -> Result<u64, DecodeError> {
        let start = self.at;
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(DecodeError::BadInteger(start))
    }

    fn optional(&mut self) -> Result<Option<u64>, DecodeError> {
        Ok(self.varint()?.checked_sub(1))
    }

    fn slice(&mut self) -> Result<&'a [u8], DecodeError> {
        let len = self.varint()?;
        let start = self.at;
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| start.checked_add(len))
            .filter(|&end| end <= self.bytes.len())
            .ok_or(DecodeError::Truncated(start))?;
        self.at = end;
        Ok(&self.bytes[start..end])
    }

    /// A string written by [`put_optional_str`].
    /// (The reader before [`Spare`]: the reference of the tests.)
    #[cfg(test)]
    fn optional_string(&mut self) -> Result<Option<String>, DecodeError> {
        let start = self.at;
        let Some(len) = self.varint()?.checked_sub(1) else {
            return Ok(None);
        };
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| self.at.checked_add(len))
            .filter(|&end| end <= self.bytes.len())
            .ok_or(DecodeError::Truncated(self.at))?;
        let bytes = &self.bytes[self.at..end];
        self.at = end;
        utf8(bytes)
            .map(|s| Some(s.to_string()))
            .map_err(|_| DecodeError::NotUtf8(start))
    }

    /// A list written by [`put_strings`].
    /// (The reader before [`Spare`]: the reference of the tests.)
    #[cfg(test)]
    fn strings(&mut self) -> Result<Vec<String>, DecodeError> {
        let count = self.varint()?;
        // Each string takes at least one byte: no allocation beyond the input.
        let mut list = Vec::with_capacity((count as usize).min(self.remaining()));
        for _ in 0..count {
            list.push(self.string()?);
        }
        Ok(list)
    }

    /// A map written by [`put_map`], nested `depth` deep.
    /// (The reader before [`Spare`]: the reference of the tests.)
    #[cfg(test)]
    fn map(&mut self, depth: usize) -> Result<BTreeMap<String, serde_json::Value>, DecodeError> {
        let count = self.varint()?;
        let mut map = BTreeMap::new();
        for _ in 0..count {
            let name = self.string()?;
            map.insert(name, self.value(depth + 1)?);
        }
        Ok(map)
    }

    /// Metadata written by [`put_meta`].
    /// (The reader before [`Spare`]: the reference of the tests.)
    #[cfg(test)]
    fn meta(&mut self) -> Result<Meta, DecodeError> {
        let mut fields: [Option<String>; 8] = Default::default();
        for field in &mut fields {
            *field = self.optional_string()?;
        }
        let [
            headline,
            byline,
            dateline,
            credit,
            outlet,
            url,
            date,
            language,
        ] = fields;
        Ok(Meta {
            headline,
            byline,
            dateline,
            credit,
            outlet,
            url,
            date,
            language,
            subheadlines: self.strings()?,
            captions: self.strings()?,
            debris: self.strings()?,
            extra: self.map(0)?,
        })
    }

    /// [`Reader::names`] as it was before [`NAME_CACHE`] (the reference of
    /// the tests).
    #[cfg(test)]
    fn names_uncached(&mut self) -> Result<Vec<Label>, DecodeError> {
        let count = self.varint()?;
        let mut names = Vec::with_capacity((count as usize).min(self.remaining()));
        for _ in 0..count {
            let start = self.at;
            let name =
                std::str::from_utf8(self.slice()?).map_err(|_| DecodeError::NotUtf8(start))?;
            names.push(intern(name));
        }
        Ok(names)
    }

    /// A name table: the count, then the names, each interned; a name this
    /// thread has read before is found by its bytes in [`NAME_CACHE`],
    /// without checking them as UTF-8 or hashing them again.
    #[cfg(test)]
    fn names(&mut self) -> Result<Vec<Label>, DecodeError> {
        let mut names = Vec::new();
        self.names_into(&mut names)?;
        Ok(names)
    }

    /// [`Reader::names`] into `names` (cleared first), reusing its room.
    fn names_into(&mut self, names: &mut Vec<Label>) -> Result<(), DecodeError> {
        names.clear();
        let count = self.varint()?;
        // Each name takes at least one byte: no allocation beyond the input.
        names.reserve((count as usize).min(self.remaining()));
        NAME_CACHE.with_borrow_mut(|cache| {
            for _ in 0..count {
                let start = self.at;
                let bytes = self.slice()?;
                let key = NameKey::of(bytes);
                if let Some(known) = key.and_then(|key| cache.get(&key)) {
                    names.push(Label::Borrowed(known));
                    continue;
                }
                let name = utf8(bytes).map_err(|_| DecodeError::NotUtf8(start))?;
                let label = intern(name);
                if let (Some(key), Label::Borrowed(known)) = (key, &label) {
                    cache.put(key, known);
                }
                names.push(label);
            }
            Ok(())
        })
    }

    /// An attribute's value, written by [`put_value`]: the flat kinds
    /// stages write (strings, integers, booleans) are read here, inline;
    /// the others by [`Reader::value`].
    #[inline]
    /// (The reader before [`Spare`]: the reference of the tests.)
    #[cfg(test)]
    fn attr_value(&mut self) -> Result<serde_json::Value, DecodeError> {
        use serde_json::Value;
        let Some(&tag) = self.bytes.get(self.at) else {
            return Err(DecodeError::Truncated(self.at));
        };
        let value = match tag {
            value_tag::STRING => {
                self.at += 1;
                Value::String(self.string()?)
            }
            value_tag::UNSIGNED => {
                self.at += 1;
                Value::from(self.varint()?)
            }
            value_tag::TRUE => {
                self.at += 1;
                Value::Bool(true)
            }
            value_tag::FALSE => {
                self.at += 1;
                Value::Bool(false)
            }
            _ => return self.value(0),
        };
        Ok(value)
    }

    /// A value written by [`put_value`], nested `depth` deep.
    /// (The reader before [`Spare`]: the reference of the tests.)
    #[cfg(test)]
    fn value(&mut self, depth: usize) -> Result<serde_json::Value, DecodeError> {
        use serde_json::Value;
        let at = self.at;
        if depth > MAX_VALUE_DEPTH {
            return Err(DecodeError::TooDeep(at));
        }
        Ok(match self.byte()? {
            value_tag::NULL => Value::Null,
            value_tag::FALSE => Value::Bool(false),
            value_tag::TRUE => Value::Bool(true),
            value_tag::UNSIGNED => Value::from(self.varint()?),
            value_tag::NEGATIVE => Value::from(unzigzag(self.varint()?)),
            value_tag::FLOAT => {
                let end = self
                    .at
                    .checked_add(8)
                    .filter(|&end| end <= self.bytes.len())
                    .ok_or(DecodeError::Truncated(self.at))?;
                let mut le = [0u8; 8];
                le.copy_from_slice(&self.bytes[self.at..end]);
                self.at = end;
                Value::from(f64::from_le_bytes(le))
            }
            value_tag::STRING => Value::String(self.string()?),
            value_tag::ARRAY => {
                let count = self.varint()?;
                let mut items = Vec::with_capacity((count as usize).min(self.remaining()));
                for _ in 0..count {
                    items.push(self.value(depth + 1)?);
                }
                Value::Array(items)
            }
            value_tag::OBJECT => {
                let count = self.varint()?;
                let mut map = serde_json::Map::new();
                for _ in 0..count {
                    let key = self.string()?;
                    map.insert(key, self.value(depth + 1)?);
                }
                Value::Object(map)
            }
            tag => return Err(DecodeError::BadValue { tag, at }),
        })
    }

    /// A document's text, in a spare text of `spare` where it has one
    /// with room.
    fn text_in(&mut self, spare: &mut Spare) -> Result<String, DecodeError> {
        let start = self.at;
        let slice = self.slice()?;
        utf8(slice)
            .map(|s| spare.text(s))
            .map_err(|_| DecodeError::NotUtf8(start))
    }

    /// A string, in a spare one of `spare` where it has one. A short string
    /// (most of them) is copied as [`Spare::STRING_MIN`] bytes of the
    /// record at once, with no call to `memcpy`, when the record goes on
    /// that far: a spare string has that much room.
    #[inline]
    fn string_in(&mut self, spare: &mut Spare) -> Result<String, DecodeError> {
        let start = self.at;
        let slice = self.slice()?;
        let s = utf8(slice).map_err(|_| DecodeError::NotUtf8(start))?;
        let from = self.at - s.len();
        if (1..=Spare::STRING_MIN).contains(&s.len())
            && let Some(window) = self.bytes.get(from..from + Spare::STRING_MIN)
            && let Some(mut out) = spare.strings.pop()
        {
            if out.capacity() >= Spare::STRING_MIN {
                // SAFETY: `out` is empty with room for `STRING_MIN` bytes;
                // they are written from `window`, which starts with the
                // bytes of `s` (UTF-8, checked above), and only the
                // `s.len()` bytes of `s` are taken as the string's.
                unsafe {
                    let v = out.as_mut_vec();
                    std::ptr::copy_nonoverlapping(
                        window.as_ptr(),
                        v.as_mut_ptr(),
                        Spare::STRING_MIN,
                    );
                    v.set_len(s.len());
                }
                return Ok(out);
            }
            spare.strings.push(out);
        }
        Ok(spare.string(s))
    }

    /// A string written by [`put_optional_str`], in a spare one.
    fn optional_string_in(&mut self, spare: &mut Spare) -> Result<Option<String>, DecodeError> {
        let start = self.at;
        let Some(len) = self.varint()?.checked_sub(1) else {
            return Ok(None);
        };
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| self.at.checked_add(len))
            .filter(|&end| end <= self.bytes.len())
            .ok_or(DecodeError::Truncated(self.at))?;
        let bytes = &self.bytes[self.at..end];
        self.at = end;
        utf8(bytes)
            .map(|s| Some(spare.string(s)))
            .map_err(|_| DecodeError::NotUtf8(start))
    }

    /// A list written by [`put_strings`], in spare strings.
    fn strings_in(&mut self, spare: &mut Spare) -> Result<Vec<String>, DecodeError> {
        let count = self.varint()?;
        // Each string takes at least one byte: no allocation beyond the input.
        let mut list = Vec::with_capacity((count as usize).min(self.remaining()));
        for _ in 0..count {
            list.push(self.string_in(spare)?);
        }
        Ok(list)
    }

    /// A map written by [`put_map`], nested `depth` deep, in spare strings.
    fn map_in(
        &mut self,
        depth: usize,
        spare: &mut Spare,
    ) -> Result<BTreeMap<String, serde_json::Value>, DecodeError> {
        let count = self.varint()?;
        let mut map = BTreeMap::new();
        for _ in 0..count {
            let name = self.string_in(spare)?;
            map.insert(name, self.value_in(depth + 1, spare)?);
        }
        Ok(map)
    }

    /// Metadata written by [`put_meta`], in spare strings.
    #[inline(always)]
    fn meta_in(&mut self, spare: &mut Spare) -> Result<Meta, DecodeError> {
        let mut fields: [Option<String>; 8] = Default::default();
        for field in &mut fields {
            *field = self.optional_string_in(spare)?;
        }
        let [
            headline,
            byline,
            dateline,
            credit,
            outlet,
            url,
            date,
            language,
        ] = fields;
        Ok(Meta {
            headline,
            byline,
            dateline,
            credit,
            outlet,
            url,
            date,
            language,
            subheadlines: self.strings_in(spare)?,
            captions: self.strings_in(spare)?,
            debris: self.strings_in(spare)?,
            extra: self.map_in(0, spare)?,
        })
    }

    /// An attribute's value, written by [`put_value`], strings in spare
    /// ones: the flat kinds stages write (strings, integers, booleans) are
    /// read here, inline; the others by [`Reader::value_in`].
    #[inline]
    fn attr_value_in(&mut self, spare: &mut Spare) -> Result<serde_json::Value, DecodeError> {
        use serde_json::Value;
        let Some(&tag) = self.bytes.get(self.at) else {
            return Err(DecodeError::Truncated(self.at));
        };
        let value = match tag {
            value_tag::STRING => {
                self.at += 1;
                Value::String(self.string_in(spare)?)
            }
            value_tag::UNSIGNED => {
                self.at += 1;
                Value::from(self.varint()?)
            }
            value_tag::TRUE => {
                self.at += 1;
                Value::Bool(true)
            }
            value_tag::FALSE => {
                self.at += 1;
                Value::Bool(false)
            }
            _ => return self.value_in(0, spare),
        };
        Ok(value)
    }

    /// A value written by [`put_value`], nested `depth` deep, strings in
    /// spare ones.
    fn value_in(
        &mut self,
        depth: usize,
        spare: &mut Spare,
    ) -> Result<serde_json::Value, DecodeError> {
        use serde_json::Value;
        let at = self.at;
        if depth > MAX_VALUE_DEPTH {
            return Err(DecodeError::TooDeep(at));
        }
        Ok(match self.byte()? {
            value_tag::NULL => Value::Null,
            value_tag::FALSE => Value::Bool(false),
            value_tag::TRUE => Value::Bool(true),
            value_tag::UNSIGNED => Value::from(self.varint()?),
            value_tag::NEGATIVE => Value::from(unzigzag(self.varint()?)),
            value_tag::FLOAT => {
                let end = self
                    .at
                    .checked_add(8)
                    .filter(|&end| end <= self.bytes.len())
                    .ok_or(DecodeError::Truncated(self.at))?;
                let mut le = [0u8; 8];
                le.copy_from_slice(&self.bytes[self.at..end]);
                self.at = end;
                Value::from(f64::from_le_bytes(le))
            }
            value_tag::STRING => Value::String(self.string_in(spare)?),
            value_tag::ARRAY => {
                let count = self.varint()?;
                let mut items = Vec::with_capacity((count as usize).min(self.remaining()));
                for _ in 0..count {
                    items.push(self.value_in(depth + 1, spare)?);
                }
                Value::Array(items)
            }
            value_tag::OBJECT => {
                let count = self.varint()?;
                let mut map = serde_json::Map::new();
                for _ in 0..count {
                    let key = self.string_in(spare)?;
                    map.insert(key, self.value_in(depth + 1, spare)?);
                }
                Value::Object(map)
            }
            tag => return Err(DecodeError::BadValue { tag, at }),
        })
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        let start = self.at;
        let slice = self.slice()?;
        utf8(slice)
            .map(str::to_string)
            .map_err(|_| DecodeError::NotUtf8(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Metadata with any field set or not, lists of any length and extra
    /// fields of every value kind.
    fn arbitrary_meta() -> impl Strategy<Value = Meta> {
        let text = || proptest::option::of("\\PC{0,12}");
        let list = || proptest::collection::vec("\\PC{0,8}", 0..3);
        (
            [
                text(),
                text(),
                text(),
                text(),
                text(),
                text(),
                text(),
                text(),
            ],
            [list(), list(), list()],
            proptest::collection::btree_map(
                "[a-z_]{1,8}",
                prop_oneof![
                    Just(serde_json::Value::Null),
                    any::<bool>().prop_map(serde_json::Value::from),
                    any::<i64>().prop_map(serde_json::Value::from),
                    any::<f64>()
                        .prop_filter("finite", |f| f.is_finite())
                        .prop_map(serde_json::Value::from),
                    "\\PC{0,8}".prop_map(serde_json::Value::from),
                    Just(serde_json::json!([{"kind": "credit", "text": "Reuter"}, 1.5])),
                ],
                0..4,
            ),
        )
            .prop_map(|(fields, lists, extra)| {
                let [
                    headline,
                    byline,
                    dateline,
                    credit,
                    outlet,
                    url,
                    date,
                    language,
                ] = fields;
                let [subheadlines, captions, debris] = lists;
                Meta {
                    headline,
                    subheadlines,
                    byline,
                    dateline,
                    credit,
                    outlet,
                    url,
                    date,
                    language,
                    captions,
                    debris,
                    extra,
                }
            })
    }

    /// The encoder as it was before it walked each layer once: the name
    /// tables from a first walk, the annotations from a second.
    fn encode_two_walks(doc: &Document, omitted: &Omitted, out: &mut Vec<u8>) {
        encode_head(doc, omitted, out);
        let kept = |layer: &String| !omitted.layers.contains(layer);
        put_varint(out, doc.tags.keys().filter(|l| kept(l)).count() as u64);
        let mut labels = NameTable::default();
        let mut keys = NameTable::default();
        for (layer, spans) in doc.tags.iter().filter(|(l, _)| kept(l)) {
            put_str(out, layer);
            labels.clear();
            keys.clear();
            for a in spans {
                labels.add(&a.label);
                for key in a.attrs.keys() {
                    keys.add(key);
                }
            }
            labels.put(out);
            keys.put(out);
            put_varint(out, spans.len() as u64);
            let mut previous = 0u64;
            for a in spans {
                let start = a.start as u64;
                put_varint(out, zigzag(start.wrapping_sub(previous) as i64));
                previous = start;
                put_varint(out, a.end.saturating_sub(a.start) as u64);
                put_varint(out, labels.index(&a.label));
                put_varint(out, a.attrs.len() as u64);
                for (key, value) in &a.attrs {
                    put_varint(out, keys.index(key));
                    put_value(out, value);
                }
            }
        }
    }

    /// Any JSON value, nested a few levels.
    fn arbitrary_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z]{0,4}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn arbitrary_document() -> impl Strategy<Value = Document> {
        (
            "\\PC{0,60}",
            "\\PC{0,10}",
            proptest::option::of(any::<u64>()),
            any::<bool>(),
            proptest::collection::vec(
                (
                    "[a-z]{1,6}",
                    0usize..70,
                    0usize..20,
                    "[A-Z]{0,4}",
                    any::<bool>(),
                ),
                0..12,
            ),
            arbitrary_meta(),
        )
            .prop_map(|(text, id, record, same_raw, spans, meta)| {
                let mut doc = Document::new(
                    id,
                    Source {
                        path: "in/x.jsonl".into(),
                        record,
                        line: record.map(|r| r / 2),
                    },
                    text.clone(),
                );
                if !same_raw {
                    doc.raw = format!("{text} (raw)");
                }
                doc.meta = meta;
                doc.ext.insert(
                    "spin".into(),
                    serde_json::json!({"spun": same_raw, "score": 0.5}),
                );
                for (layer, start, len, label, with_attrs) in spans {
                    let mut a = Annotation::new(start, start + len, label);
                    if with_attrs {
                        a.attrs.insert("speaker", "an official");
                        a.attrs.insert("value", -2.5);
                        a.attrs.insert("count", 7u64);
                        a.attrs.insert("offset", -3i64);
                        a.attrs.insert("direct", true);
                        a.attrs.insert(
                            "parts",
                            serde_json::json!([null, {"unit": "mln", "of": [1, "x"]}]),
                        );
                    }
                    // Spans are stored as given: the codec does not check them.
                    doc.tags.entry(layer).or_default().push(a);
                }
                doc
            })
    }

    #[test]
    fn a_document_given_up_leaves_its_buffers_and_the_next_is_decoded_into_them() {
        let mut doc = Document::new("d", Source::default(), "Prices rose, he said.");
        let mut quote = Annotation::new(0, 5, "quote");
        quote.attrs.insert("cue", "said");
        quote.attrs.insert("speaker", "he");
        doc.annotate("quotes", vec![quote]).unwrap();
        let mut bytes = Vec::new();
        encode(&doc, &Omitted::default(), &mut bytes);
        let room = |spare: &Spare| {
            (
                spare.strings.len(),
                spare.attrs.len(),
                spare.spans.len(),
                spare.texts.len(),
            )
        };
        let Document {
            text,
            tags,
            meta,
            ext,
            ..
        } = decode(&bytes).unwrap();
        let before = SPARE.with_borrow(room);
        recycle(text, tags, meta, ext);
        let kept = SPARE.with_borrow(room);
        // The layer name and both values; the attribute map (collected in
        // place: its own vector); the annotation vector; the text.
        assert_eq!(
            kept,
            (before.0 + 3, before.1 + 1, before.2 + 1, before.3 + 1)
        );
        assert_eq!(decode(&bytes).unwrap(), doc);
        assert_eq!(SPARE.with_borrow(room), before);
    }

    #[test]
    fn a_name_is_interned_once_for_every_thread() {
        let address = |label: Label| match label {
            Label::Borrowed(s) => s.as_ptr() as usize,
            Label::Owned(s) => panic!("{s} was not interned"),
        };
        let name = "spill-codec-test-name";
        let here = address(intern(name));
        // Copies at other addresses, as a record's bytes are.
        let copy = || name.chars().collect::<String>();
        assert_eq!(address(intern(&copy())), here);
        let there = std::thread::spawn(move || address(intern(&copy())))
            .join()
            .unwrap();
        assert_eq!(there, here, "another thread gets the same string");
    }

    proptest! {
        #[test]
        fn documents_round_trip(doc in arbitrary_document()) {
            let mut bytes = Vec::new();
            encode(&doc, &Omitted::default(), &mut bytes);
            prop_assert_eq!(decode_text(&bytes).unwrap(), doc.text.clone());
            prop_assert_eq!(decode(&bytes).unwrap(), doc);
        }

        #[test]
        fn damaged_records_are_errors_not_panics(doc in arbitrary_document(), cut in any::<prop::sample::Index>(), flip in any::<u8>()) {
            let mut bytes = Vec::new();
            encode(&doc, &Omitted::default(), &mut bytes);
            let at = cut.index(bytes.len());
            prop_assert!(decode(&bytes[..at]).is_err(), "a record cut at {} of {} decoded", at, bytes.len());
            if let Some(b) = bytes.get_mut(at) {
                *b ^= flip;
            }
            let _ = decode(&bytes);
        }

        #[test]
        fn a_record_with_its_id_replaced_is_the_record_of_the_renamed_document(
            doc in arbitrary_document(),
            id in "\\PC{0,200}",
        ) {
            let mut record = Vec::new();
            encode(&doc, &Omitted::default(), &mut record);
            let mut replaced = b"stale".to_vec();
            replace_id(&record, &id, &mut replaced).unwrap();
            let mut renamed = doc.clone();
            renamed.id = id;
            let mut expected = b"stale".to_vec();
            encode(&renamed, &Omitted::default(), &mut expected);
            prop_assert_eq!(replaced, expected);
            prop_assert!(replace_id(&record[..record.len().min(doc.text.len())], "x", &mut Vec::new()).is_err());
        }

        #[test]
        fn records_decoded_into_spare_buffers_read_as_the_reader_before_read_them(
            docs in proptest::collection::vec(arbitrary_document(), 1..5),
            cut in any::<prop::sample::Index>(),
            flip in any::<u8>(),
        ) {
            // Each document is decoded (into what the ones before it left),
            // compared with the reference, then given up as pass 2 does.
            for doc in &docs {
                let mut bytes = Vec::new();
                encode(doc, &Omitted::default(), &mut bytes);
                let got = decode(&bytes).unwrap();
                prop_assert_eq!(&got, &decode_reference(&bytes).unwrap());
                prop_assert_eq!(&got, doc);
                // A damaged record fails (or not) as it did, with the same error.
                let at = cut.index(bytes.len());
                prop_assert_eq!(
                    format!("{:?}", decode(&bytes[..at])),
                    format!("{:?}", decode_reference(&bytes[..at]))
                );
                let mut flipped = bytes.clone();
                flipped[at] ^= flip;
                prop_assert_eq!(
                    format!("{:?}", decode(&flipped)),
                    format!("{:?}", decode_reference(&flipped))
                );
                let Document { text, tags, meta, ext, .. } = got;
                recycle(text, tags, meta, ext);
            }
        }

        #[test]
        fn strings_read_into_spare_strings_read_as_before(
            strings in proptest::collection::vec("\\PC{0,40}|[a-z]{0,33}", 1..8),
            tail in 0usize..40,
            spares in 0usize..10,
            damage in proptest::collection::vec(any::<u8>(), 0..12),
        ) {
            let mut spare = Spare::default();
            for _ in 0..spares {
                spare.keep_string(String::with_capacity(Spare::STRING_MIN + spares));
            }
            let mut bytes = Vec::new();
            for s in &strings {
                put_str(&mut bytes, s);
            }
            // Strings near the end of a record, or not: the short copy reads
            // past a string only inside the record.
            bytes.extend(std::iter::repeat_n(b'x', tail));
            for input in [&bytes[..], &damage[..]] {
                let mut kept = Reader { bytes: input, at: 0 };
                let mut before = Reader { bytes: input, at: 0 };
                for _ in 0..strings.len() {
                    let got = kept.string_in(&mut spare);
                    prop_assert_eq!(format!("{:?}", got), format!("{:?}", before.string()));
                    prop_assert_eq!(kept.at, before.at);
                    match got {
                        Ok(s) => spare.keep_string(s),
                        Err(_) => break,
                    }
                }
            }
        }

        #[test]
        fn an_attribute_value_read_into_spare_strings_reads_as_before(
            values in proptest::collection::vec(arbitrary_value(), 1..6),
            damage in proptest::collection::vec(any::<u8>(), 0..12),
        ) {
            let mut spare = Spare::default();
            for value in values {
                let mut bytes = Vec::new();
                put_value(&mut bytes, &value);
                for input in [&bytes, &damage] {
                    let mut kept = Reader { bytes: input, at: 0 };
                    let mut before = Reader { bytes: input, at: 0 };
                    let got = kept.attr_value_in(&mut spare);
                    prop_assert_eq!(format!("{:?}", got), format!("{:?}", before.attr_value()));
                    if got.is_ok() {
                        prop_assert_eq!(kept.at, before.at);
                    }
                    if let Ok(got) = got {
                        spare.keep_value(got);
                    }
                }
            }
        }

        #[test]
        fn an_attribute_value_reads_as_the_general_reader_reads_it(
            value in arbitrary_value(),
            damage in proptest::collection::vec(any::<u8>(), 0..12),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = Vec::new();
            put_value(&mut bytes, &value);
            let inputs = [bytes.clone(), bytes[..cut.index(bytes.len() + 1)].to_vec(), damage];
            for input in &inputs {
                let mut fast = Reader { bytes: input, at: 0 };
                let mut general = Reader { bytes: input, at: 0 };
                let got = format!("{:?}", fast.attr_value());
                prop_assert_eq!(&got, &format!("{:?}", general.value(0)));
                if got.starts_with("Ok") {
                    prop_assert_eq!(fast.at, general.at);
                }
            }
            let mut r = Reader { bytes: &bytes, at: 0 };
            prop_assert_eq!(r.attr_value().unwrap(), value);
        }

        #[test]
        fn one_walk_per_layer_encodes_the_bytes_two_walks_did(
            doc in arbitrary_document(),
            many in 0usize..60,
            omit_raw in any::<bool>(),
            omit_first_layer in any::<bool>(),
        ) {
            let mut doc = doc;
            // Past the table's scan limit, with labels and names in any order.
            let spans: Vec<Annotation> = (0..many)
                .map(|i| {
                    Annotation::new(i, i + 1, format!("L{}", (i * 7) % 23))
                        .with(format!("k{}", (i * 5) % 19), i as u64)
                        .with("shared", "v")
                })
                .collect();
            doc.tags.insert("many".to_string(), spans);
            let omitted = Omitted {
                layers: if omit_first_layer { doc.tags.keys().take(1).cloned().collect() } else { Vec::new() },
                raw: omit_raw,
            };
            let mut one = b"before".to_vec();
            encode(&doc, &omitted, &mut one);
            let mut two = b"before".to_vec();
            encode_two_walks(&doc, &omitted, &mut two);
            prop_assert_eq!(one, two);
        }

        #[test]
        fn name_keys_are_equal_exactly_when_the_bytes_are(
            a in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(0u8), Just(0xffu8)], 0..18),
            b in proptest::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(0u8), Just(0xffu8)], 0..18),
        ) {
            let (ka, kb) = (NameKey::of(&a), NameKey::of(&b));
            prop_assert_eq!(ka.is_none(), a.len() > 16);
            if let (Some(ka), Some(kb)) = (ka, kb) {
                prop_assert_eq!(ka == kb, a == b, "{:?} {:?}", a, b);
            }
            let same = NameKey::of(&a.clone());
            prop_assert_eq!(same, ka);
        }

        #[test]
        fn names_read_through_the_cache_are_the_names_read_without_it(
            names in proptest::collection::vec("[a-c]{0,18}|\\PC{0,18}", 0..12),
            damage in proptest::collection::vec(any::<u8>(), 0..24),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut table = Vec::new();
            put_varint(&mut table, names.len() as u64);
            for name in &names {
                put_str(&mut table, name);
            }
            let cut_table = table[..cut.index(table.len() + 1)].to_vec();
            let mut damaged = table.clone();
            damaged.extend_from_slice(&damage);
            for (i, b) in damage.iter().enumerate() {
                if let Some(byte) = damaged.get_mut(i * 7 % table.len().max(1)) {
                    *byte ^= b;
                }
            }
            // Twice each: the second read finds the names in the cache.
            for input in [&table, &table, &cut_table, &cut_table, &damaged, &damaged] {
                let mut cached = Reader { bytes: input, at: 0 };
                let mut uncached = Reader { bytes: input, at: 0 };
                let got = cached.names();
                prop_assert_eq!(format!("{got:?}"), format!("{:?}", uncached.names_uncached()));
                if got.is_ok() {
                    prop_assert_eq!(cached.at, uncached.at);
                }
            }
            let mut r = Reader { bytes: &table, at: 0 };
            let read: Vec<String> = r.names().unwrap().into_iter().map(|l| l.into_owned()).collect();
            prop_assert_eq!(read, names);
        }

        #[test]
        fn varints_read_as_the_long_reader_reads_them(
            v in any::<u64>(),
            shift in 0u32..64,
            damage in proptest::collection::vec(any::<u8>(), 0..12),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut bytes = Vec::new();
            put_varint(&mut bytes, v >> shift);
            let inputs = [bytes.clone(), bytes[..cut.index(bytes.len() + 1)].to_vec(), damage];
            for input in &inputs {
                let mut fast = Reader { bytes: input, at: 0 };
                let mut long = Reader { bytes: input, at: 0 };
                let got = format!("{:?}", fast.varint());
                prop_assert_eq!(&got, &format!("{:?}", long.long_varint()));
                prop_assert_eq!(fast.at, long.at);
            }
            prop_assert_eq!(Reader { bytes: &bytes, at: 0 }.varint().unwrap(), v >> shift);
        }

        #[test]
        fn strings_are_utf8_exactly_when_from_utf8_says_so(
            bytes in proptest::collection::vec(prop_oneof![4 => 0u8..0x80, 1 => any::<u8>()], 0..40),
            text in "\\PC{0,20}",
        ) {
            prop_assert_eq!(utf8(&bytes), std::str::from_utf8(&bytes));
            for len in 0..=text.len() {
                let prefix = &text.as_bytes()[..len];
                prop_assert_eq!(utf8(prefix), std::str::from_utf8(prefix));
            }
        }

        #[test]
        fn zigzag_round_trips(v in any::<i64>()) {
            prop_assert_eq!(unzigzag(zigzag(v)), v);
        }
    }

    #[test]
    fn layers_with_many_labels_and_names_round_trip_and_dropped_layers_are_left_out() {
        let text = "x".repeat(200);
        let mut doc = Document::new("d", Source::default(), text.as_str());
        let spans: Vec<Annotation> = (0..100)
            .map(|i| {
                Annotation::new(i, i + 1, format!("L{}", i % 40))
                    .with(format!("k{}", i % 30), i as u64)
                    .with("shared", "v")
            })
            .collect();
        doc.annotate("many", spans).unwrap();
        doc.annotate("tokens", vec![Annotation::new(0, 1, "word")])
            .unwrap();
        let mut bytes = Vec::new();
        encode(&doc, &Omitted::default(), &mut bytes);
        assert_eq!(decode(&bytes).unwrap(), doc);
        bytes.clear();
        let tokens = Omitted {
            layers: vec!["tokens".to_string()],
            raw: false,
        };
        encode(&doc, &tokens, &mut bytes);
        let back = decode(&bytes).unwrap();
        assert_eq!(back.tags.keys().collect::<Vec<_>>(), ["many"]);
        assert_eq!(back.tags["many"], doc.tags["many"]);
    }

    #[test]
    fn an_omitted_raw_text_reads_back_empty_and_costs_nothing() {
        let mut doc = Document::new("d", Source::default(), "The clean text.");
        doc.raw = "The   clean\ntext.".repeat(50);
        let mut kept = Vec::new();
        encode(&doc, &Omitted::default(), &mut kept);
        assert_eq!(decode(&kept).unwrap(), doc);
        let mut left_out = Vec::new();
        let raw = Omitted {
            layers: Vec::new(),
            raw: true,
        };
        encode(&doc, &raw, &mut left_out);
        assert!(left_out.len() + doc.raw.len() <= kept.len());
        let back = decode(&left_out).unwrap();
        assert_eq!(back.raw, "");
        assert_eq!(back.text, doc.text);
    }

    #[test]
    fn a_tokens_layer_costs_a_few_bytes_per_token() {
        let text = "word ".repeat(1000);
        let mut doc = Document::new("d", Source::default(), text.trim_end());
        let spans: Vec<Annotation> = (0..1000)
            .map(|i| Annotation::new(i * 5, i * 5 + 4, "word"))
            .collect();
        doc.annotate("tokens", spans).unwrap();
        let mut bytes = Vec::new();
        encode(&doc, &Omitted::default(), &mut bytes);
        let tags_bytes = bytes.len() - text.len();
        assert!(
            tags_bytes < 4 * 1000 + 200,
            "{tags_bytes} bytes for 1000 tokens"
        );
        assert!(serde_json::to_vec(&doc).unwrap().len() > 8 * bytes.len() / 2);
        let back = decode(&bytes).unwrap();
        assert!(
            back.tags["tokens"]
                .iter()
                .all(|a| matches!(a.label, Label::Borrowed("word"))),
            "labels read back are shared, not allocated per annotation"
        );
    }
}
