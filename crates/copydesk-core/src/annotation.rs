//! Layered annotations over the clean text.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// An annotation's label: borrowed when it is a `&'static str` (every label
/// a stage writes from a literal, without an allocation per annotation),
/// owned when it is made at run time or read back.
pub type Label = Cow<'static, str>;

pub use crate::attrs::Attrs;

/// One labelled span of [`crate::Document::text`].
///
/// `start` and `end` are byte offsets, `start <= end`, both on `char`
/// boundaries. The layer an annotation belongs to is the key it is stored
/// under in [`crate::Document::tags`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annotation {
    /// Byte offset of the first byte of the span.
    pub start: usize,
    /// Byte offset one past the last byte of the span.
    pub end: usize,
    /// What the span is (`"money"`, `"quote"`, `"PERSON"`, ...).
    pub label: Label,
    /// Extra facts about the span.
    #[serde(default, skip_serializing_if = "Attrs::is_empty")]
    pub attrs: Attrs,
}

impl Annotation {
    /// An annotation without attributes.
    pub fn new(start: usize, end: usize, label: impl Into<Label>) -> Self {
        Annotation {
            start,
            end,
            label: label.into(),
            attrs: Attrs::new(),
        }
    }

    /// Adds an attribute (builder style); a literal key costs no allocation.
    pub fn with(mut self, key: impl Into<Label>, value: impl Into<serde_json::Value>) -> Self {
        self.attrs.insert(key, value);
        self
    }

    /// The covered text, or `None` when the span does not fit `text`.
    #[inline]
    pub fn slice<'t>(&self, text: &'t str) -> Option<&'t str> {
        text.get(self.start..self.end)
    }
}
