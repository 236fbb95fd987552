//! The attributes of an annotation: a small map from names to JSON values.

use crate::annotation::Label;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// Free attributes of an annotation (for example a quote's `speaker`).
///
/// A map kept as a vector sorted by key: annotations carry a handful of
/// attributes at most, so a sorted vector is smaller and faster to build,
/// copy and drop than a tree, and keys written from literals cost no
/// allocation. It serializes as a JSON object with its keys in order, the
/// same bytes a `BTreeMap<String, Value>` gives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Attrs {
    entries: Vec<(Label, Value)>,
}

impl Attrs {
    /// An empty map.
    pub const fn new() -> Self {
        Attrs {
            entries: Vec::new(),
        }
    }

    /// An empty map with room for `capacity` entries, so that filling it
    /// does not regrow it.
    pub fn with_capacity(capacity: usize) -> Self {
        Attrs {
            entries: Vec::with_capacity(capacity),
        }
    }

    /// Sets `key` to `value`; returns the value it replaces.
    pub fn insert(&mut self, key: impl Into<Label>, value: impl Into<Value>) -> Option<Value> {
        let key = key.into();
        let value = value.into();
        // Builders add keys in order most of the time: check the end first.
        match self.entries.last() {
            Some((last, _)) if last.as_ref() < key.as_ref() => {
                self.entries.push((key, value));
                None
            }
            None => {
                self.entries.push((key, value));
                None
            }
            Some(_) => match self.position(&key) {
                Ok(at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
                Err(at) => {
                    self.entries.insert(at, (key, value));
                    None
                }
            },
        }
    }

    /// A map of `entries` already in strictly increasing key order (the
    /// order another map's iteration gives, or a record written from one):
    /// built without the search [`Attrs::insert`] makes. The order is
    /// checked in debug builds only; entries out of order in a release
    /// build make a map whose lookups may miss keys (never a panic).
    pub fn from_sorted(entries: Vec<(Label, Value)>) -> Self {
        debug_assert!(
            entries.windows(2).all(|w| w[0].0 < w[1].0),
            "Attrs::from_sorted: keys not in strictly increasing order"
        );
        Attrs { entries }
    }

    /// Appends `key`, which must sort after every key in the map (as when
    /// copying another map's entries in order), without the search
    /// [`Attrs::insert`] makes. The order is checked in debug builds only,
    /// as with [`Attrs::from_sorted`].
    #[inline(always)]
    pub fn push_sorted(&mut self, key: impl Into<Label>, value: impl Into<Value>) {
        let key = key.into();
        debug_assert!(
            self.entries.last().is_none_or(|(last, _)| *last < key),
            "Attrs::push_sorted: {key:?} does not sort after the last key"
        );
        self.entries.push((key, value.into()));
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).ok().map(|at| &self.entries[at].1)
    }

    /// Whether `key` is set.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.position(key).ok().map(|at| self.entries.remove(at).1)
    }

    /// The number of attributes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no attributes.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The attributes in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&Label, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_ref())
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_ref().cmp(key))
    }
}

/// `attrs["key"]` is the value, or `null` when the key is not set (never a
/// panic).
impl std::ops::Index<&str> for Attrs {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}

impl<K: Into<Label>, V: Into<Value>> FromIterator<(K, V)> for Attrs {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut attrs = Attrs::new();
        attrs.extend(pairs);
        attrs
    }
}

impl<K: Into<Label>, V: Into<Value>> Extend<(K, V)> for Attrs {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, pairs: I) {
        for (k, v) in pairs {
            self.insert(k, v);
        }
    }
}

impl<'a> IntoIterator for &'a Attrs {
    type Item = (&'a Label, &'a Value);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (Label, Value)>, EntryRef>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(entry_ref)
    }
}

/// The function type [`Attrs`]' borrowing iterator maps entries through.
type EntryRef = for<'a> fn(&'a (Label, Value)) -> (&'a Label, &'a Value);

fn entry_ref(entry: &(Label, Value)) -> (&Label, &Value) {
    (&entry.0, &entry.1)
}

impl IntoIterator for Attrs {
    type Item = (Label, Value);
    type IntoIter = std::vec::IntoIter<(Label, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl Serialize for Attrs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k.as_ref(), v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Attrs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AttrsVisitor;

        impl<'de> Visitor<'de> for AttrsVisitor {
            type Value = Attrs;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of attributes")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Attrs, A::Error> {
                let mut attrs = Attrs::new();
                while let Some((key, value)) = access.next_entry::<String, Value>()? {
                    attrs.insert(key, value);
                }
                Ok(attrs)
            }
        }

        deserializer.deserialize_map(AttrsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn keys_added_out_of_order_are_kept_sorted_and_replaced() {
        let mut a = Attrs::new();
        a.insert("speaker", "Smith");
        a.insert("cue", "said");
        a.insert("direct", true);
        assert_eq!(a.insert("cue", "told"), Some(Value::from("said")));
        assert_eq!(a.keys().collect::<Vec<_>>(), ["cue", "direct", "speaker"]);
        assert_eq!(a["cue"], "told");
        assert_eq!(a["missing"], Value::Null);
        assert_eq!(a.remove("direct"), Some(Value::Bool(true)));
        assert!(!a.contains_key("direct"));
        assert_eq!(a.len(), 2);
    }

    #[test]
    fn serializes_like_a_sorted_map() {
        let a: Attrs = [("value", Value::from(3.5)), ("unit", Value::from("mln"))]
            .into_iter()
            .collect();
        assert_eq!(
            serde_json::to_string(&a).ok().as_deref(),
            Some(r#"{"unit":"mln","value":3.5}"#)
        );
    }

    proptest! {
        /// Entries pushed in key order make the map that inserting them
        /// makes, and `from_sorted` makes it too.
        #[test]
        fn sorted_pushes_build_what_inserts_build(
            keys in proptest::collection::btree_set("[a-f]{1,3}", 0..12),
            seed in any::<i32>(),
        ) {
            let mut inserted = Attrs::new();
            let mut pushed = Attrs::with_capacity(keys.len());
            let mut entries = Vec::new();
            for (n, key) in keys.iter().enumerate() {
                let value = Value::from(seed.wrapping_add(n as i32));
                inserted.insert(key.clone(), value.clone());
                pushed.push_sorted(key.clone(), value.clone());
                entries.push((Label::from(key.clone()), value));
            }
            prop_assert_eq!(&pushed, &inserted);
            prop_assert_eq!(&Attrs::from_sorted(entries), &inserted);
            for key in &keys {
                prop_assert_eq!(pushed.get(key), inserted.get(key));
            }
        }
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "does not sort after")]
    fn a_push_out_of_order_is_caught_in_debug_builds() {
        let mut a = Attrs::new();
        a.push_sorted("b", 1);
        a.push_sorted("a", 2);
    }

    proptest! {
        /// Any sequence of inserts and removes gives the map a `BTreeMap`
        /// gives, and the same JSON both ways.
        #[test]
        fn behaves_like_a_btree_map(
            ops in proptest::collection::vec(("[a-e]{1,2}", any::<i32>(), any::<bool>()), 0..40)
        ) {
            let mut ours = Attrs::new();
            let mut reference: BTreeMap<String, Value> = BTreeMap::new();
            for (key, value, remove) in ops {
                if remove {
                    prop_assert_eq!(ours.remove(&key), reference.remove(&key));
                } else {
                    prop_assert_eq!(
                        ours.insert(key.clone(), value),
                        reference.insert(key, Value::from(value))
                    );
                }
            }
            let ours_json = serde_json::to_string(&ours).unwrap_or_default();
            prop_assert_eq!(&ours_json, &serde_json::to_string(&reference).unwrap_or_default());
            let back: Attrs = serde_json::from_str(&ours_json).unwrap_or_default();
            prop_assert_eq!(back, ours);
        }
    }
}
