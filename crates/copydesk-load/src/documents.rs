//! `load.documents.v1`: copydesk's own `documents.jsonl` read back as whole
//! documents (clean text, metadata, tags and verdicts such as `spin`), so a
//! later run can pick up where another stopped: the corpus step of a sharded
//! run reads every shard's output this way, without cleaning or tagging again.

use crate::jsonl::{LineParser, LineRecords};
use copydesk_core::{
    BuiltStage, Document, LoadError, LoadStage, OptionDoc, OptionError, Source, StageConfig,
    StageKind, cap,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// Options of `load.documents.v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DocumentsLoaderConfig {
    /// File extensions this loader reads, without the dot; compression
    /// suffixes (`.gz`, `.zst`) are looked through.
    pub extensions: Vec<String>,
    /// Longest line read, in bytes; a longer line is reported as an error
    /// and skipped without being held in memory.
    pub max_line_bytes: u64,
}

impl Default for DocumentsLoaderConfig {
    fn default() -> Self {
        DocumentsLoaderConfig {
            extensions: vec!["jsonl".into()],
            max_line_bytes: 256 * 1024 * 1024,
        }
    }
}

impl StageConfig for DocumentsLoaderConfig {
    const NAME: &'static str = "load.documents.v1";
    const KIND: StageKind = StageKind::Load;
    const DESCRIPTION: &'static str = "Reads copydesk's own documents.jsonl back as whole documents (text, metadata, tags, verdicts), e.g. to run corpus stages over the output of sharded runs.";
    const NEEDS: &'static [copydesk_core::Capability] = &[];
    const PROVIDES: &'static [copydesk_core::Capability] = &[cap::TEXT_RAW];
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "extensions",
            kind: "list of strings",
            doc: "File extensions read (default [\"jsonl\"]); .gz/.zst suffixes are looked through.",
        },
        OptionDoc {
            name: "max_line_bytes",
            kind: "integer",
            doc: "Longest line read (default 256 MiB); longer lines are errors, skipped in bounded memory.",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        crate::validate_extensions(&self.extensions)?;
        if self.max_line_bytes == 0 {
            return Err(OptionError::for_key("max_line_bytes", "must be at least 1"));
        }
        Ok(())
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Load(Box::new(DocumentsLoader::new(
            self.clone(),
        ))))
    }
}

/// Reads `documents.jsonl` files written by `report.jsonl.v1`.
///
/// Each line becomes the document it was written from: id, source (where
/// the document originally came from), clean text, metadata, every tag
/// layer that was written (the `text` of a span, if written, is dropped)
/// and the extension fields (`spin`, `provenance`, ...). `raw` is the text
/// when the record has none (`include_raw` was off). A line that is not
/// such a record, or whose spans do not fit its text, is an error naming
/// file, line and record.
#[derive(Debug, Clone)]
pub struct DocumentsLoader {
    config: DocumentsLoaderConfig,
}

impl DocumentsLoader {
    /// A loader with these options (not validated: see [`StageConfig::validate`]).
    pub fn new(config: DocumentsLoaderConfig) -> Self {
        DocumentsLoader { config }
    }

    /// The documents of `path`, or errors, in file order.
    pub fn records(&self, path: &Path) -> LineRecords<'_, DocumentsLoader> {
        LineRecords::open(self, path)
    }

    /// Turns one line of `documents.jsonl` back into a document.
    pub fn parse_document(line: &[u8]) -> Result<Document, String> {
        let mut doc: Document = serde_json::from_slice(line)
            .map_err(|e| format!("not a copydesk document record: {e}"))?;
        if doc.id.is_empty() {
            return Err("document record has an empty `id`".into());
        }
        // Extension fields whose key clashes with a document field were
        // written under `ext`.
        if let Some(Value::Object(clashing)) = doc.ext.remove("ext") {
            doc.ext.extend(clashing);
        }
        for (layer, spans) in &doc.tags {
            for (i, a) in spans.iter().enumerate() {
                if a.start > a.end || doc.text.get(a.start..a.end).is_none() {
                    return Err(format!(
                        "tags.{layer}[{i}]: span {}..{} is not inside the text ({} bytes) on character boundaries",
                        a.start,
                        a.end,
                        doc.text.len()
                    ));
                }
            }
        }
        if doc.raw.is_empty() {
            doc.raw = doc.text.clone();
        }
        Ok(doc)
    }
}

impl LineParser for DocumentsLoader {
    fn max_line_bytes(&self) -> u64 {
        self.config.max_line_bytes
    }
    fn parse_line(&self, line: &[u8], _stem: &str, _source: Source) -> Result<Document, String> {
        DocumentsLoader::parse_document(line)
    }
}

impl LoadStage for DocumentsLoader {
    fn accepts(&self, path: &Path) -> bool {
        crate::compression::has_extension(path, &self.config.extensions)
    }

    fn open<'a>(
        &'a self,
        path: &Path,
    ) -> Box<dyn Iterator<Item = Result<Document, LoadError>> + Send + 'a> {
        Box::new(self.records(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_core::Annotation;
    use proptest::prelude::*;

    fn document(text: &str) -> Document {
        let mut doc = Document::new("d1", Source::default(), text);
        doc.meta.headline = Some("A headline".into());
        let end = text.char_indices().nth(2).map_or(text.len(), |(i, _)| i);
        doc.annotate("sentences", vec![Annotation::new(0, end, "sentence")])
            .unwrap();
        doc.ext.insert(
            "spin".into(),
            serde_json::json!({"spun": false, "score": 0.1}),
        );
        doc
    }

    #[test]
    fn a_written_document_reads_back_whole() {
        let doc = document("Markets fell on Monday.");
        let line = serde_json::to_vec(&doc).unwrap();
        let back = DocumentsLoader::parse_document(&line).unwrap();
        assert_eq!(back, doc);
    }

    #[test]
    fn spans_outside_the_text_are_refused_with_their_layer() {
        let mut value = serde_json::to_value(document("Short text.")).unwrap();
        value["tags"]["sentences"][0]["end"] = 99.into();
        let e = DocumentsLoader::parse_document(value.to_string().as_bytes()).unwrap_err();
        assert!(e.contains("tags.sentences[0]"), "{e}");
    }

    #[test]
    fn a_line_that_is_not_a_document_is_an_error() {
        for bad in [&b"[1, 2]"[..], b"{\"text\": \"no id\"}", b"not json"] {
            assert!(DocumentsLoader::parse_document(bad).is_err());
        }
    }

    #[test]
    fn clashing_extension_fields_come_back_from_ext() {
        let line = br#"{"id":"a","source":{"path":"x"},"text":"T","ext":{"text":"an extension"}}"#;
        let doc = DocumentsLoader::parse_document(line).unwrap();
        assert_eq!(doc.text, "T");
        assert_eq!(doc.ext["text"], "an extension");
        assert_eq!(doc.raw, "T");
    }

    proptest! {
        #[test]
        fn any_bytes_give_a_document_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = DocumentsLoader::parse_document(&bytes);
        }

        #[test]
        fn documents_round_trip(text in "\\PC{1,60}") {
            let doc = document(&text);
            let line = serde_json::to_vec(&doc).unwrap();
            prop_assert_eq!(DocumentsLoader::parse_document(&line).unwrap(), doc);
        }
    }
}
