//! A per-document cache of values derived from the clean text.
//!
//! Several stages may need the same derived value (the word tokens of the
//! text, say) without any of them publishing it as an annotation layer. The
//! first stage that asks computes it; the others reuse it. Entries are keyed
//! by type, so a crate keeps its values private by caching a type of its own
//! (a newtype around its tokens), and two crates never mistake each other's
//! values for their own.
//!
//! The cache is not part of the document's data: it is never serialized,
//! compares equal to any other cache, starts empty on a clone, and is
//! emptied whenever [`crate::Document::set_text`] replaces the text.

use std::any::{Any, TypeId};

/// Values derived from a document's clean text, one per type.
#[derive(Default)]
pub struct Derived {
    entries: Vec<(TypeId, Box<dyn Any + Send + Sync>)>,
}

impl Derived {
    /// The cached value of type `T`, computing it with `derive` on first use.
    pub fn get_or_insert_with<T: Any + Send + Sync>(&mut self, derive: impl FnOnce() -> T) -> &T {
        let key = TypeId::of::<T>();
        let at = match self.entries.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                self.entries.push((key, Box::new(derive())));
                self.entries.len() - 1
            }
        };
        self.entries[at]
            .1
            .downcast_ref::<T>()
            .expect("an entry is stored under its own type's id")
    }

    /// The cached value of type `T`, if a stage computed it.
    pub fn get<T: Any + Send + Sync>(&self) -> Option<&T> {
        let key = TypeId::of::<T>();
        self.entries
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v.downcast_ref::<T>())
    }

    /// Forgets every cached value.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// How many values are cached.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A clone starts empty: cached values are cheap to recompute and may not be
/// `Clone`.
impl Clone for Derived {
    fn clone(&self) -> Self {
        Derived::default()
    }
}

/// Caches never make two documents differ.
impl PartialEq for Derived {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Derived({} cached)", self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Words(Vec<&'static str>);

    #[test]
    fn a_value_is_computed_once_and_reused() {
        let mut cache = Derived::default();
        let mut calls = 0;
        cache.get_or_insert_with(|| {
            calls += 1;
            Words(vec!["a"])
        });
        let again = cache.get_or_insert_with(|| {
            calls += 1;
            Words(vec!["b"])
        });
        assert_eq!(again, &Words(vec!["a"]));
        assert_eq!(calls, 1);
    }

    #[test]
    fn values_of_different_types_do_not_collide() {
        let mut cache = Derived::default();
        cache.get_or_insert_with(|| Words(vec!["a"]));
        cache.get_or_insert_with(|| 7_u32);
        assert_eq!(cache.get::<u32>(), Some(&7));
        assert_eq!(cache.get::<Words>(), Some(&Words(vec!["a"])));
        assert_eq!(cache.get::<u64>(), None);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn a_clone_starts_empty() {
        let mut cache = Derived::default();
        cache.get_or_insert_with(|| 1_u8);
        assert!(cache.clone().is_empty());
        assert_eq!(cache, Derived::default());
    }
}
