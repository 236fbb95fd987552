//! `report.jsonl.v1`: every document as one JSON line, corpus tables as
//! `<table>.jsonl`, failures and a `summary.json`.

use crate::corpus::table_sizes;
use crate::error::ReportError;
use crate::json_text::EscapedText;
use crate::output::{OutputFile, check_relative_path, table_file_name};
#[cfg(test)]
use copydesk_core::{Annotation, Meta, Source};
use copydesk_core::{
    BuiltStage, CorpusSummary, Document, DocumentRenderer, OptionDoc, OptionError, Rendered,
    ReportStage, StageConfig, StageError, StageKind, StageStats,
};
#[cfg(test)]
use serde::Serializer;
#[cfg(test)]
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const NAME: &str = "report.jsonl.v1";

/// Options of `report.jsonl.v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JsonlReportConfig {
    /// File the documents are written to, relative to the output directory.
    pub path: String,
    /// Also write each document's raw text (as loaded) under `raw`.
    pub include_raw: bool,
    /// Add the covered `text` to every span in `tags`, for readability.
    pub span_text: bool,
    /// Annotation layers left out of `tags`. By default the `tokens` layer,
    /// two thirds of the file and derivable from the text; `[]` writes all.
    pub skip_layers: Vec<String>,
}

impl Default for JsonlReportConfig {
    fn default() -> Self {
        JsonlReportConfig {
            path: "documents.jsonl".into(),
            include_raw: false,
            span_text: true,
            skip_layers: vec!["tokens".into()],
        }
    }
}

impl StageConfig for JsonlReportConfig {
    const NAME: &'static str = NAME;
    const KIND: StageKind = StageKind::Report;
    const DESCRIPTION: &'static str = "Writes documents.jsonl (one JSON object per document), \
        each corpus table as <table>.jsonl, failures.jsonl and summary.json";
    const NEEDS: &'static [copydesk_core::Capability] = &[];
    const PROVIDES: &'static [copydesk_core::Capability] = &[];
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "path",
            kind: "string",
            doc: "File the documents are written to, relative to the output directory \
                  (default \"documents.jsonl\").",
        },
        OptionDoc {
            name: "include_raw",
            kind: "boolean",
            doc: "Also write each document's raw text (as loaded) under `raw` (default false).",
        },
        OptionDoc {
            name: "span_text",
            kind: "boolean",
            doc: "Add the covered `text` to every span in `tags`, for readability (default true).",
        },
        OptionDoc {
            name: "skip_layers",
            kind: "list of strings",
            doc: "Annotation layers left out of `tags` (default [\"tokens\"], two thirds of \
                  the file; [] writes every layer).",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        check_relative_path("path", &self.path)
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Report(Box::new(JsonlReport::new(self.clone()))))
    }
}

/// The runtime of `report.jsonl.v1`: streams documents to a buffered file.
pub struct JsonlReport {
    config: JsonlReportConfig,
    out_dir: PathBuf,
    documents: Option<OutputFile>,
    written: u64,
    /// The buffers lines are rendered into, shared with the renderers.
    buffers: Arc<LineBuffers>,
}

impl JsonlReport {
    /// A report with the given options; call [`ReportStage::begin`] first.
    pub fn new(config: JsonlReportConfig) -> Self {
        JsonlReport {
            config,
            out_dir: PathBuf::new(),
            documents: None,
            written: 0,
            buffers: Arc::default(),
        }
    }
}

/// Serializes documents to their JSON lines, on any thread.
struct JsonlRenderer {
    config: JsonlReportConfig,
    buffers: Arc<LineBuffers>,
}

impl DocumentRenderer for JsonlRenderer {
    fn render(&self, doc: &Document) -> Result<Rendered, StageError> {
        // The line's box is the rendering's: no allocation for it.
        Ok(self.buffers.line(doc, &self.config)?)
    }
}

impl ReportStage for JsonlReport {
    fn reads_documents_back(&self) -> bool {
        false
    }

    fn reads_raw(&self) -> bool {
        self.config.include_raw
    }

    fn unread_layers(&self) -> Vec<String> {
        self.config.skip_layers.clone()
    }

    fn begin(&mut self, out_dir: &Path) -> Result<(), StageError> {
        self.out_dir = out_dir.to_path_buf();
        self.written = 0;
        self.documents = Some(OutputFile::create_large(
            NAME,
            out_dir.join(&self.config.path),
        )?);
        Ok(())
    }

    fn write(&mut self, doc: &Document) -> Result<(), StageError> {
        let file = self
            .documents
            .as_mut()
            .ok_or(ReportError::NotStarted { stage: NAME })?;
        let line = self.buffers.line(doc, &self.config)?;
        file.write_bytes(&line)?;
        self.buffers.give(line);
        self.written += 1;
        Ok(())
    }

    fn renderer(&self) -> Option<Arc<dyn DocumentRenderer>> {
        Some(Arc::new(JsonlRenderer {
            config: self.config.clone(),
            buffers: Arc::clone(&self.buffers),
        }))
    }

    fn write_rendered(&mut self, doc: &Document, rendered: Rendered) -> Result<(), StageError> {
        // `doc` may hold only its id and source (`reads_rendered_document`),
        // so a record this stage's renderer did not make is an error, never
        // a fallback to `write`.
        let Ok(line) = rendered.downcast::<Vec<u8>>() else {
            return Err(StageError::new(format!(
                "{NAME}: document {}: rendered by another report",
                doc.id
            )));
        };
        let file = self
            .documents
            .as_mut()
            .ok_or(ReportError::NotStarted { stage: NAME })?;
        file.write_bytes(&line)?;
        self.buffers.give(line);
        self.written += 1;
        Ok(())
    }

    fn reads_rendered_document(&self) -> bool {
        false
    }

    fn finish(&mut self, summary: &CorpusSummary<'_>) -> Result<Vec<PathBuf>, StageError> {
        let documents = self
            .documents
            .take()
            .ok_or(ReportError::NotStarted { stage: NAME })?;
        let documents_path = documents.path().to_path_buf();
        let mut written = vec![documents.close()?];

        for (name, rows) in &summary.corpus.tables {
            let mut file_name = table_file_name(name);
            if self.out_dir.join(&file_name) == documents_path {
                file_name = format!("corpus_{file_name}");
            }
            let mut file = OutputFile::create(NAME, self.out_dir.join(file_name))?;
            for row in rows.rows()? {
                file.write_json_line(&row?)?;
            }
            written.push(file.close()?);
        }

        if !summary.failures.is_empty() {
            let mut file = OutputFile::create(NAME, self.out_dir.join("failures.jsonl"))?;
            for failure in summary.failures {
                file.write_json_line(&FailureRecord { error: failure })?;
            }
            written.push(file.close()?);
        }

        let mut file = OutputFile::create(NAME, self.out_dir.join("summary.json"))?;
        let record = SummaryRecord {
            documents: self.written,
            failures: summary.failures.len(),
            stages: summary.stats,
            corpus: &summary.corpus.summary,
            tables: table_sizes(summary.corpus),
        };
        serde_json::to_writer_pretty(file.writer(), &record).map_err(|e| ReportError::Json {
            stage: file.stage(),
            path: file.path().to_path_buf(),
            source: e,
        })?;
        file.write_str("\n")?;
        written.push(file.close()?);
        Ok(written)
    }
}

/// One line of `failures.jsonl`.
#[derive(Serialize)]
struct FailureRecord<'a> {
    error: &'a str,
}

/// `summary.json`.
#[derive(Serialize)]
struct SummaryRecord<'a> {
    /// Documents written to the documents file.
    documents: u64,
    /// Failures of the run.
    failures: usize,
    /// Per-stage counts and times.
    stages: &'a [StageStats],
    /// Corpus-level figures of the corpus stages.
    corpus: &'a BTreeMap<String, serde_json::Value>,
    /// Rows per corpus table.
    tables: BTreeMap<String, usize>,
}

/// Keys of a document record that extension fields may not replace.
const RESERVED_KEYS: [&str; 7] = ["id", "source", "raw", "text", "meta", "tags", "ext"];

/// The buffers lines of `documents.jsonl` are rendered into, handed back
/// once written. A line is rendered into a buffer of its own and written
/// from it, not copied in between (lines are rendered on the pool's threads
/// and written on another, so each needs its own buffer); a buffer is
/// reused for a later line instead of being allocated and freed per line,
/// and after the first lines of a run it is mostly large enough already.
/// Buffers are kept boxed: the box is the [`Rendered`] handed to the
/// writer and back, so that a line costs no allocation for it either.
#[derive(Debug, Default)]
struct LineBuffers {
    // The boxes are the point (clippy's advice is for a box around a
    // vector that is never handed on as one).
    #[allow(clippy::vec_box)]
    free: std::sync::Mutex<Vec<Box<Vec<u8>>>>,
}

/// Buffers of at most this many bytes are reused; a longer one is freed once
/// its line is written, so a few huge documents do not leave their memory in
/// the free list for the rest of the run.
const KEPT_BUFFER_BYTES: usize = 64 << 10;

/// Bytes of line reserved per byte of text: the default report's lines
/// are about seven times their text (the Reuters and synthetic corpora).
const LINE_BYTES_PER_TEXT_BYTE: usize = 8;

/// At most this many free buffers are kept (more than the lines a run has in
/// flight at once: a few batches).
const MAX_FREE_BUFFERS: usize = 4096;

// The lines are boxed on purpose: see `LineBuffers`.
#[allow(clippy::box_collection)]
impl LineBuffers {
    /// A document's line of `documents.jsonl`, newline included, in a free
    /// buffer (or a new one).
    fn line(&self, doc: &Document, config: &JsonlReportConfig) -> Result<Box<Vec<u8>>, StageError> {
        let mut out = self.take();
        // Room for the line at once, rather than grown (and copied) step
        // by step as it is written: a line is a few times its text (the
        // text, its sentences, quotes and repeats, the spans), up to the
        // size of a kept buffer.
        // A free buffer too small is replaced, not grown: growing it would
        // copy its old room for nothing.
        let wanted = (doc.text.len() * LINE_BYTES_PER_TEXT_BYTE + 1024).min(KEPT_BUFFER_BYTES);
        if out.capacity() < wanted {
            *out = Vec::with_capacity(wanted);
        }
        match render_line(doc, config, &mut out) {
            Ok(()) => {
                out.push(b'\n');
                Ok(out)
            }
            Err(e) => {
                self.give(out);
                Err(StageError::new(format!("{NAME}: document {}: {e}", doc.id)))
            }
        }
    }

    /// A free buffer, empty; a new one when there is none.
    fn take(&self) -> Box<Vec<u8>> {
        let free = self.free.lock().ok().and_then(|mut free| free.pop());
        free.unwrap_or_default()
    }

    /// Hands back the buffer of a written line.
    fn give(&self, mut line: Box<Vec<u8>>) {
        if line.capacity() == 0 || line.capacity() > KEPT_BUFFER_BYTES {
            return;
        }
        line.clear();
        if let Ok(mut free) = self.free.lock()
            && free.len() < MAX_FREE_BUFFERS
        {
            free.push(line);
        }
    }
}

/// Appends a document's line of `documents.jsonl`, without the newline:
/// what `serde_json` writes for [`DocumentRecord`] (the tests check it
/// byte for byte), with the text-heavy parts written by [`json_text`].
fn render_line(
    doc: &Document,
    config: &JsonlReportConfig,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    use crate::json_text::{push_key, push_str};
    out.push(b'{');
    push_key(out, "id", true);
    push_str(out, &doc.id);
    push_key(out, "source", false);
    push_source(out, &doc.source);
    if config.include_raw {
        push_key(out, "raw", false);
        push_str(out, &doc.raw);
    }
    push_key(out, "text", false);
    let escapes = ESCAPES.take();
    let text = EscapedText::push(out, &doc.text, escapes);
    let result = render_rest(doc, config, &text, out);
    ESCAPES.set(text.into_escapes());
    result
}

thread_local! {
    /// The storage of [`EscapedText`]'s escapes, reused line after line.
    static ESCAPES: std::cell::Cell<Vec<(usize, usize)>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The rest of [`render_line`] after the text: spans' texts and extension
/// strings that repeat the text are copied from `text` escaped.
fn render_rest(
    doc: &Document,
    config: &JsonlReportConfig,
    text: &EscapedText<'_>,
    out: &mut Vec<u8>,
) -> serde_json::Result<()> {
    use crate::json_text::{push_attr_value, push_key, push_str, push_usize, push_value_in};
    push_key(out, "meta", false);
    push_meta(out, &doc.meta)?;
    push_key(out, "tags", false);
    out.push(b'{');
    let written = doc
        .tags
        .iter()
        .filter(|(layer, _)| !config.skip_layers.contains(layer));
    for (i, (layer, spans)) in written.enumerate() {
        push_key(out, layer, i == 0);
        out.push(b'[');
        for (j, a) in spans.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"start\":");
            push_usize(out, a.start);
            out.extend_from_slice(b",\"end\":");
            push_usize(out, a.end);
            out.extend_from_slice(b",\"label\":");
            push_str(out, &a.label);
            if !a.attrs.is_empty() {
                out.extend_from_slice(b",\"attrs\":{");
                for (k, (key, value)) in a.attrs.iter().enumerate() {
                    push_key(out, key, k == 0);
                    push_attr_value(out, value)?;
                }
                out.push(b'}');
            }
            if config.span_text
                && let Some(span) = a.slice(&doc.text)
            {
                out.extend_from_slice(b",\"text\":");
                text.push_span(out, a.start, span);
            }
            out.push(b'}');
        }
        out.push(b']');
    }
    out.push(b'}');
    let reserved = |key: &String| RESERVED_KEYS.contains(&key.as_str());
    if doc.ext.keys().any(reserved) {
        push_key(out, "ext", false);
        out.push(b'{');
        for (i, (key, value)) in doc.ext.iter().filter(|(k, _)| reserved(k)).enumerate() {
            push_key(out, key, i == 0);
            push_value_in(out, value, Some(text))?;
        }
        out.push(b'}');
    }
    for (key, value) in doc.ext.iter().filter(|(k, _)| !reserved(k)) {
        push_key(out, key, false);
        push_value_in(out, value, Some(text))?;
    }
    out.push(b'}');
    Ok(())
}

/// Appends a [`Source`] as `serde_json` writes it (its fields in order,
/// `None`s left out). The pattern names every field, so a field added to
/// `Source` does not compile until it is written here.
fn push_source(out: &mut Vec<u8>, source: &copydesk_core::Source) {
    use crate::json_text::{push_key, push_str, push_u64};
    let copydesk_core::Source { path, record, line } = source;
    out.push(b'{');
    push_key(out, "path", true);
    push_str(out, path);
    for (key, value) in [("record", record), ("line", line)] {
        if let Some(value) = value {
            push_key(out, key, false);
            push_u64(out, *value);
        }
    }
    out.push(b'}');
}

/// Appends a [`Meta`] as `serde_json` writes it: its fields in order, empty
/// ones left out as its `skip_serializing_if`s say. The pattern names
/// every field, so a field added to `Meta` does not compile until it is
/// written here.
fn push_meta(out: &mut Vec<u8>, meta: &copydesk_core::Meta) -> serde_json::Result<()> {
    use crate::json_text::{push_key, push_value};
    let copydesk_core::Meta {
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
    let mut first = true;
    out.push(b'{');
    push_optional(out, &mut first, "headline", headline);
    push_list(out, &mut first, "subheadlines", subheadlines);
    for (name, value) in [
        ("byline", byline),
        ("dateline", dateline),
        ("credit", credit),
        ("outlet", outlet),
        ("url", url),
        ("date", date),
        ("language", language),
    ] {
        push_optional(out, &mut first, name, value);
    }
    push_list(out, &mut first, "captions", captions);
    push_list(out, &mut first, "debris", debris);
    if !extra.is_empty() {
        push_key(out, "extra", first);
        out.push(b'{');
        for (i, (name, value)) in extra.iter().enumerate() {
            push_key(out, name, i == 0);
            push_value(out, value)?;
        }
        out.push(b'}');
    }
    out.push(b'}');
    Ok(())
}

/// Appends `"name":"value"` to an object when `value` is set.
fn push_optional(out: &mut Vec<u8>, first: &mut bool, name: &str, value: &Option<String>) {
    if let Some(value) = value {
        crate::json_text::push_key(out, name, *first);
        crate::json_text::push_str(out, value);
        *first = false;
    }
}

/// Appends `"name":[...]` to an object when `items` is not empty.
fn push_list(out: &mut Vec<u8>, first: &mut bool, name: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    crate::json_text::push_key(out, name, *first);
    *first = false;
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        crate::json_text::push_str(out, item);
    }
    out.push(b']');
}

/// One line of `documents.jsonl`, borrowing from the document: the
/// reference that [`render_line`] is tested against.
#[cfg(test)]
#[derive(Serialize)]
struct DocumentRecord<'a> {
    id: &'a str,
    source: &'a Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw: Option<&'a str>,
    text: &'a str,
    meta: &'a Meta,
    tags: TagsRecord<'a>,
    /// Extension fields whose key clashes with a field above.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    ext: BTreeMap<&'a str, &'a serde_json::Value>,
    #[serde(flatten)]
    top_level_ext: BTreeMap<&'a str, &'a serde_json::Value>,
}

#[cfg(test)]
impl<'a> DocumentRecord<'a> {
    fn new(doc: &'a Document, config: &'a JsonlReportConfig) -> Self {
        let (clashing, top_level_ext) = doc
            .ext
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .partition(|(k, _)| RESERVED_KEYS.contains(k));
        DocumentRecord {
            id: &doc.id,
            source: &doc.source,
            raw: config.include_raw.then_some(doc.raw.as_str()),
            text: &doc.text,
            meta: &doc.meta,
            tags: TagsRecord {
                doc,
                span_text: config.span_text,
                skip_layers: &config.skip_layers,
            },
            ext: clashing,
            top_level_ext,
        }
    }
}

#[cfg(test)]
/// The `tags` object: layer → list of spans.
struct TagsRecord<'a> {
    doc: &'a Document,
    span_text: bool,
    skip_layers: &'a [String],
}

#[cfg(test)]
impl Serialize for TagsRecord<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let written = |layer: &String| !self.skip_layers.contains(layer);
        let count = self.doc.tags.keys().filter(|l| written(l)).count();
        let mut map = s.serialize_map(Some(count))?;
        for (layer, spans) in self.doc.tags.iter().filter(|(l, _)| written(l)) {
            map.serialize_entry(
                layer,
                &SpansRecord {
                    text: &self.doc.text,
                    spans,
                    span_text: self.span_text,
                },
            )?;
        }
        map.end()
    }
}

#[cfg(test)]
struct SpansRecord<'a> {
    text: &'a str,
    spans: &'a [Annotation],
    span_text: bool,
}

#[cfg(test)]
impl Serialize for SpansRecord<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.spans.len()))?;
        for a in self.spans {
            seq.serialize_element(&SpanRecord {
                start: a.start,
                end: a.end,
                label: &a.label,
                attrs: &a.attrs,
                text: if self.span_text {
                    a.slice(self.text)
                } else {
                    None
                },
            })?;
        }
        seq.end()
    }
}

#[cfg(test)]
#[derive(Serialize)]
struct SpanRecord<'a> {
    start: usize,
    end: usize,
    label: &'a str,
    #[serde(skip_serializing_if = "copydesk_core::Attrs::is_empty")]
    attrs: &'a copydesk_core::Attrs,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arbitrary_document() -> impl Strategy<Value = Document> {
        // Spans of up to 40 bytes: long ones are copied from the escaped
        // text, short ones escaped on their own.
        let span = (
            "[a-z]{1,6}",
            0usize..50,
            prop_oneof![0usize..15, 15usize..40],
            "\\PC{0,4}",
            0u8..4,
        );
        let ext = ("id|text|ext|spin|provenance|[a-z\"\\\\]{1,5}", "\\PC{0,20}");
        (
            "(\\PC|[\\x00-\\x1f\"\\\\]){0,60}",
            "\\PC{0,8}",
            proptest::option::of(any::<u64>()),
            "\\PC{0,20}",
            proptest::collection::vec(span, 0..10),
            proptest::collection::vec(ext, 0..4),
        )
            .prop_map(|(text, id, record, raw, spans, ext)| {
                let source = Source {
                    path: "in/\"x\".jsonl".into(),
                    record,
                    line: None,
                };
                let mut doc = Document::new(id, source, text);
                doc.raw = raw;
                doc.meta.headline = Some("A \"headline\"\n".into());
                doc.meta
                    .extra
                    .insert("credits".into(), serde_json::json!(["Reuter", 1.5]));
                for (layer, start, len, label, attrs) in spans {
                    let mut a = Annotation::new(start, start + len, label);
                    if attrs & 1 == 1 {
                        a.attrs.insert("speaker", "an \"official\"\t");
                        a.attrs.insert("value", -2.5e-7);
                        a.attrs.insert("whole", -3.0);
                        a.attrs.insert("wholly", 12.0);
                        a.attrs.insert("direct", true);
                        a.attrs.insert("indirect", false);
                        a.attrs.insert("offset", -4i64);
                    }
                    if attrs & 2 == 2 {
                        a.attrs.insert("count", 7u64);
                        a.attrs.insert(
                            "parts",
                            serde_json::json!([null, {"b": true, "a": [1, "x"]}]),
                        );
                    }
                    // Spans are written as given; the text of one outside
                    // the text or off a char boundary is left out.
                    doc.tags.entry(layer).or_default().push(a);
                }
                for (key, value) in ext {
                    // `spin.repaired` is mostly the text itself.
                    let repaired = if value.len() % 2 == 0 {
                        doc.text.clone()
                    } else {
                        value
                    };
                    doc.ext.insert(
                        key,
                        serde_json::json!({"repaired": repaired, "score": 0.25, "parts": [doc.text.clone()]}),
                    );
                }
                doc
            })
    }

    fn config() -> impl Strategy<Value = JsonlReportConfig> {
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of("[a-z]{1,2}"),
        )
            .prop_map(|(include_raw, span_text, skip)| JsonlReportConfig {
                include_raw,
                span_text,
                skip_layers: skip.into_iter().collect(),
                ..JsonlReportConfig::default()
            })
    }

    #[test]
    fn a_rendered_document_is_written_from_its_rendering_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mut doc = Document::new("d1", Source::default(), "Text one.");
        doc.meta.headline = Some("A headline".into());
        let stripped = Document {
            id: doc.id.clone(),
            ..Document::default()
        };
        let written = |doc_given: &Document, name: &str| {
            let mut report = JsonlReport::new(JsonlReportConfig {
                path: name.into(),
                ..JsonlReportConfig::default()
            });
            report.begin(dir.path()).unwrap();
            assert!(!report.reads_rendered_document());
            let rendered = report.renderer().unwrap().render(&doc).unwrap();
            report.write_rendered(doc_given, rendered).unwrap();
            let other: Rendered = Box::new("not a line");
            let err = report.write_rendered(doc_given, other).unwrap_err();
            assert!(err.message.contains("d1"), "{}", err.message);
            report.documents.take().unwrap().close().unwrap();
            std::fs::read_to_string(dir.path().join(name)).unwrap()
        };
        let from_full = written(&doc, "full.jsonl");
        assert!(from_full.contains("A headline"));
        assert_eq!(written(&stripped, "stripped.jsonl"), from_full);
    }

    #[test]
    fn a_written_rendering_is_rendered_into_again_box_and_all() {
        let dir = tempfile::tempdir().unwrap();
        let mut report = JsonlReport::new(JsonlReportConfig::default());
        report.begin(dir.path()).unwrap();
        let renderer = report.renderer().unwrap();
        let docs = [
            Document::new("d1", Source::default(), "Text one."),
            Document::new("d2", Source::default(), "Text two, a little longer."),
        ];
        let first = renderer.render(&docs[0]).unwrap();
        let address = |r: &Rendered| r.downcast_ref::<Vec<u8>>().unwrap() as *const Vec<u8>;
        let at = address(&first);
        report.write_rendered(&docs[0], first).unwrap();
        let second = renderer.render(&docs[1]).unwrap();
        assert_eq!(address(&second), at, "the box handed back is reused");
        report.write_rendered(&docs[1], second).unwrap();
        report.documents.take().unwrap().close().unwrap();
        let mut expected = Vec::new();
        for doc in &docs {
            render_line(doc, &JsonlReportConfig::default(), &mut expected).unwrap();
            expected.push(b'\n');
        }
        let written = std::fs::read(dir.path().join(JsonlReportConfig::default().path)).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&expected)
        );
    }

    #[test]
    fn lines_in_reused_buffers_are_each_their_own_rendering() {
        let config = JsonlReportConfig::default();
        let long = "long \"text\" ".repeat(KEPT_BUFFER_BYTES / 8);
        let docs = [
            Document::new("short", Source::default(), "Short."),
            Document::new("long", Source::default(), long),
            Document::new("after", Source::default(), "After the long one."),
            Document::new("empty", Source::default(), ""),
            Document::new("last", Source::default(), "Short again."),
        ];
        let buffers = LineBuffers::default();
        for doc in &docs {
            let line = buffers.line(doc, &config).unwrap();
            let mut expected = Vec::new();
            render_line(doc, &config, &mut expected).unwrap();
            expected.push(b'\n');
            assert_eq!(*line, expected, "{}", doc.id);
            buffers.give(line);
            let free = buffers.free.lock().unwrap();
            assert!(free.len() <= 1, "{}: {} free buffers", doc.id, free.len());
            for kept in free.iter() {
                assert!(kept.is_empty());
                assert!(
                    kept.capacity() <= KEPT_BUFFER_BYTES,
                    "{} kept {} bytes",
                    doc.id,
                    kept.capacity()
                );
            }
        }
    }

    fn arbitrary_meta() -> impl Strategy<Value = Meta> {
        let text = || proptest::option::of("(\\PC|[\\x00-\\x1f\"\\\\]){0,12}");
        let list = || proptest::collection::vec("\\PC{0,6}", 0..3);
        (
            (text(), text(), text(), text(), text(), text()),
            (text(), text(), text()),
            (list(), list(), list()),
            proptest::collection::vec(("[a-z\"]{0,4}", any::<i64>(), "\\PC{0,6}"), 0..3),
        )
            .prop_map(
                |(
                    (headline, byline, dateline, credit, outlet, url),
                    (date, language, spare),
                    (subheadlines, captions, debris),
                    extra,
                )| Meta {
                    headline,
                    subheadlines,
                    byline,
                    dateline,
                    credit,
                    outlet,
                    url,
                    date,
                    language: language.or(spare),
                    captions,
                    debris,
                    extra: extra
                        .into_iter()
                        .map(|(k, n, s)| (k, serde_json::json!([n, s, n as f64 / 3.0])))
                        .collect(),
                },
            )
    }

    #[test]
    fn empty_and_full_metadata_and_sources_are_written_as_serde_json_writes_them() {
        let full = Meta {
            headline: Some("H \"1\"".into()),
            subheadlines: vec!["s1".into(), "s2".into()],
            byline: Some("B".into()),
            dateline: Some("D".into()),
            credit: Some("C".into()),
            outlet: Some("O".into()),
            url: Some("U".into()),
            date: Some("2026-01-01".into()),
            language: Some("en".into()),
            captions: vec!["c".into()],
            debris: vec!["d".into()],
            extra: [("x".to_string(), serde_json::json!({"k": [1, -2, 0.5]}))].into(),
        };
        for meta in [Meta::default(), full] {
            let mut out = Vec::new();
            push_meta(&mut out, &meta).unwrap();
            assert_eq!(out, serde_json::to_vec(&meta).unwrap());
        }
        for (record, line) in [
            (None, None),
            (Some(3), None),
            (None, Some(9)),
            (Some(u64::MAX), Some(0)),
        ] {
            let source = Source {
                path: "a\\b\n.jsonl".into(),
                record,
                line,
            };
            let mut out = Vec::new();
            push_source(&mut out, &source);
            assert_eq!(out, serde_json::to_vec(&source).unwrap());
        }
    }

    proptest! {
        #[test]
        fn a_rendered_line_is_what_serde_json_writes_for_the_record(doc in arbitrary_document(), config in config()) {
            let mut line = Vec::new();
            render_line(&doc, &config, &mut line).unwrap();
            let reference = serde_json::to_vec(&DocumentRecord::new(&doc, &config)).unwrap();
            prop_assert_eq!(String::from_utf8_lossy(&line), String::from_utf8_lossy(&reference));
        }

        /// Lines rendered one after the other into buffers handed back and
        /// reused are each what serde_json writes for their record.
        #[test]
        fn lines_in_reused_buffers_are_what_serde_json_writes(
            docs in proptest::collection::vec(arbitrary_document(), 1..6),
            config in config(),
        ) {
            let buffers = LineBuffers::default();
            for doc in &docs {
                let line = buffers.line(doc, &config).unwrap();
                let mut reference = serde_json::to_vec(&DocumentRecord::new(doc, &config)).unwrap();
                reference.push(b'\n');
                prop_assert_eq!(String::from_utf8_lossy(&line[..]), String::from_utf8_lossy(&reference));
                buffers.give(line);
            }
        }

        #[test]
        fn metadata_is_written_as_serde_json_writes_it(meta in arbitrary_meta()) {
            let mut out = Vec::new();
            push_meta(&mut out, &meta).unwrap();
            let reference = serde_json::to_vec(&meta).unwrap();
            prop_assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&reference));
        }

        #[test]
        fn sources_are_written_as_serde_json_writes_them(path in "(\\PC|[\\x00-\\x1f\"\\\\]){0,12}", record in proptest::option::of(any::<u64>()), line in proptest::option::of(any::<u64>())) {
            let source = Source { path, record, line };
            let mut out = Vec::new();
            push_source(&mut out, &source);
            prop_assert_eq!(out, serde_json::to_vec(&source).unwrap());
        }
    }
}
