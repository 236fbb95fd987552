//! The document every stage reads and writes.

use crate::annotation::Annotation;
use crate::derived::Derived;
use crate::error::SpanError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a document came from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The input file (as given, or as found under a given directory).
    pub path: String,
    /// The record number inside the file, from 1 (JSON lines, WARC), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// The line the record starts on, from 1, if the format has lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl Source {
    /// `path`, `path:line` or `path#record`, for messages.
    pub fn locator(&self) -> String {
        match (self.line, self.record) {
            (Some(line), _) => format!("{}:{line}", self.path),
            (None, Some(record)) => format!("{}#{record}", self.path),
            (None, None) => self.path.clone(),
        }
    }
}

/// Article metadata: what the layout cleaner and the loaders find.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// The headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// Sub-headlines and standfirsts under the headline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subheadlines: Vec<String>,
    /// The byline as printed, without "By" (`"Asif Shahzad"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// The dateline place (`"ISLAMABAD"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dateline: Option<String>,
    /// The wire or agency credited in the dateline (`"Reuters"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
    /// The publishing outlet, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    /// The canonical URL, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Publication date as found (ISO 8601 when it could be parsed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Language code (`"en"`), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Photo captions removed from the body.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub captions: Vec<String>,
    /// Page debris removed from the body ("Load Next Story", share buttons).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub debris: Vec<String>,
    /// Any other field, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A document in the pipeline.
///
/// `raw` is the text as loaded and never changes; `text` is the clean text,
/// which starts as a copy of `raw` and is rewritten only by cleaning stages,
/// before any annotation exists (see the crate docs and [`Document::set_text`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// A stable identifier, unique within a run.
    pub id: String,
    /// Where the document came from.
    pub source: Source,
    /// The text as loaded.
    #[serde(default)]
    pub raw: String,
    /// The clean text all annotations point into.
    pub text: String,
    /// Metadata.
    #[serde(default)]
    pub meta: Meta,
    /// Annotation layers by name (`"sentences"`, `"quotes"`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, Vec<Annotation>>,
    /// Results of later stages under their own keys (`"spin"`, `"provenance"`).
    #[serde(default, flatten)]
    pub ext: BTreeMap<String, serde_json::Value>,
    /// Values that stages derived from `text` and share (tokens, say); never
    /// serialized, emptied by [`Document::set_text`]. Use
    /// [`Document::derived`] to read or fill it.
    #[serde(skip)]
    pub cache: Derived,
}

impl Document {
    /// A document whose clean text starts as a copy of `raw`.
    pub fn new(id: impl Into<String>, source: Source, raw: impl Into<String>) -> Self {
        let raw = raw.into();
        Document {
            id: id.into(),
            source,
            text: raw.clone(),
            raw,
            ..Document::default()
        }
    }

    /// Replaces the clean text.
    ///
    /// Fails when the document already has annotations: their spans would
    /// point into text that no longer exists. Cleaning runs before tagging.
    pub fn set_text(&mut self, text: String) -> Result<(), SpanError> {
        if let Some(layer) = self
            .tags
            .iter()
            .find(|(_, v)| !v.is_empty())
            .map(|(k, _)| k)
        {
            return Err(SpanError::TextChangedUnderAnnotations {
                layer: layer.clone(),
            });
        }
        self.text = text;
        self.cache.clear();
        Ok(())
    }

    /// The value of type `T` derived from the clean text, computed by
    /// `derive` the first time any stage asks and shared after that.
    ///
    /// Key the cache with a type of your own (a newtype), so that no other
    /// crate's value is taken for yours. A stage that changes `text` other
    /// than through [`Document::set_text`] must clear [`Document::cache`].
    pub fn derived<T: std::any::Any + Send + Sync>(
        &mut self,
        derive: impl FnOnce(&str) -> T,
    ) -> &T {
        let Document { text, cache, .. } = self;
        cache.get_or_insert_with(|| derive(text))
    }

    /// Adds annotations to a layer after checking every span against the text.
    ///
    /// Annotations within a layer are kept sorted by `(start, end)`.
    pub fn annotate(
        &mut self,
        layer: &str,
        annotations: impl IntoIterator<Item = Annotation>,
    ) -> Result<(), SpanError> {
        let mut checked = Vec::new();
        for a in annotations {
            if a.start > a.end || a.end > self.text.len() {
                return Err(SpanError::OutOfBounds {
                    layer: layer.to_string(),
                    start: a.start,
                    end: a.end,
                    len: self.text.len(),
                });
            }
            if !self.text.is_char_boundary(a.start) || !self.text.is_char_boundary(a.end) {
                return Err(SpanError::NotCharBoundary {
                    layer: layer.to_string(),
                    start: a.start,
                    end: a.end,
                });
            }
            checked.push(a);
        }
        let entry = self.tags.entry(layer.to_string()).or_default();
        entry.extend(checked);
        entry.sort_by_key(|a| (a.start, a.end));
        Ok(())
    }

    /// The annotations of one layer (empty when the layer does not exist).
    pub fn layer(&self, layer: &str) -> &[Annotation] {
        self.tags.get(layer).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Stores a stage's result under `key` in [`Document::ext`].
    pub fn set_ext<T: Serialize>(&mut self, key: &str, value: &T) -> Result<(), serde_json::Error> {
        self.ext
            .insert(key.to_string(), serde_json::to_value(value)?);
        Ok(())
    }

    /// Reads a stage's result stored under `key`, if present and well-formed.
    pub fn get_ext<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.ext
            .get(key)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_values_are_shared_until_the_text_changes() {
        struct WordCount(usize);
        let mut d = Document::new("a", Source::default(), "one two three");
        assert_eq!(d.derived(|t| WordCount(t.split(' ').count())).0, 3);
        assert_eq!(d.derived(|_| WordCount(99)).0, 3);
        d.set_text("one two".into()).unwrap();
        assert_eq!(d.derived(|t| WordCount(t.split(' ').count())).0, 2);
    }

    #[test]
    fn set_text_refused_once_annotated() {
        let mut d = Document::new("a", Source::default(), "Hello world");
        d.set_text("Hello, world".into()).unwrap();
        d.annotate("tokens", [Annotation::new(0, 5, "word")])
            .unwrap();
        assert!(d.set_text("changed".into()).is_err());
        assert_eq!(d.text, "Hello, world");
    }

    #[test]
    fn annotate_rejects_spans_off_char_boundaries() {
        let mut d = Document::new("a", Source::default(), "é");
        assert!(d.annotate("x", [Annotation::new(0, 1, "bad")]).is_err());
        assert!(d.annotate("x", [Annotation::new(0, 3, "bad")]).is_err());
        assert!(d.annotate("x", [Annotation::new(0, 2, "ok")]).is_ok());
    }

    #[test]
    fn document_round_trips_through_json_with_ext_fields() {
        let mut d = Document::new(
            "a",
            Source {
                path: "p".into(),
                record: Some(3),
                line: None,
            },
            "x y",
        );
        d.annotate("tokens", [Annotation::new(0, 1, "word").with("n", 1)])
            .unwrap();
        d.set_ext("spin", &serde_json::json!({"spun": false}))
            .unwrap();
        let s = serde_json::to_string(&d).unwrap();
        let back: Document = serde_json::from_str(&s).unwrap();
        assert_eq!(back, d);
        assert!(s.contains("\"spin\":{\"spun\":false}"));
    }
}
