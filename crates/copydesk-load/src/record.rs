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
pub fn read_record(line: &str, names: &FieldNames, keep_extra: bool) -> Option<RecordFields> {
    let mut de = serde_json::Deserializer::from_str(line);
    let record = RecordSeed { names, keep_extra }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(record)
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
