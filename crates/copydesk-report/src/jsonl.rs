//! `report.jsonl.v1`: every document as one JSON line, corpus tables as
//! `<table>.jsonl`, failures and a `summary.json`.

use crate::corpus::table_sizes;
use crate::error::ReportError;
use crate::output::{OutputFile, check_relative_path, table_file_name};
use copydesk_core::{
    Annotation, BuiltStage, CorpusSummary, Document, DocumentRenderer, Meta, OptionDoc,
    OptionError, Rendered, ReportStage, Source, StageConfig, StageError, StageKind, StageStats,
};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Serialize, Serializer};
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
}

impl JsonlReport {
    /// A report with the given options; call [`ReportStage::begin`] first.
    pub fn new(config: JsonlReportConfig) -> Self {
        JsonlReport {
            config,
            out_dir: PathBuf::new(),
            documents: None,
            written: 0,
        }
    }
}

/// Serializes documents to their JSON lines, on any thread.
struct JsonlRenderer {
    config: JsonlReportConfig,
}

impl DocumentRenderer for JsonlRenderer {
    fn render(&self, doc: &Document) -> Result<Rendered, StageError> {
        let mut line = Vec::with_capacity(doc.text.len() * 2 + 256);
        serde_json::to_writer(&mut line, &DocumentRecord::new(doc, &self.config))
            .map_err(|e| StageError::new(format!("{NAME}: document {}: {e}", doc.id)))?;
        line.push(b'\n');
        Ok(Box::new(line))
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
        self.documents = Some(OutputFile::create(NAME, out_dir.join(&self.config.path))?);
        Ok(())
    }

    fn write(&mut self, doc: &Document) -> Result<(), StageError> {
        let file = self
            .documents
            .as_mut()
            .ok_or(ReportError::NotStarted { stage: NAME })?;
        file.write_json_line(&DocumentRecord::new(doc, &self.config))?;
        self.written += 1;
        Ok(())
    }

    fn renderer(&self) -> Option<Arc<dyn DocumentRenderer>> {
        Some(Arc::new(JsonlRenderer {
            config: self.config.clone(),
        }))
    }

    fn write_rendered(&mut self, doc: &Document, rendered: Rendered) -> Result<(), StageError> {
        let Ok(line) = rendered.downcast::<Vec<u8>>() else {
            return self.write(doc);
        };
        let file = self
            .documents
            .as_mut()
            .ok_or(ReportError::NotStarted { stage: NAME })?;
        file.write_bytes(&line)?;
        self.written += 1;
        Ok(())
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

/// One line of `documents.jsonl`, borrowing from the document.
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

/// The `tags` object: layer → list of spans.
struct TagsRecord<'a> {
    doc: &'a Document,
    span_text: bool,
    skip_layers: &'a [String],
}

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

struct SpansRecord<'a> {
    text: &'a str,
    spans: &'a [Annotation],
    span_text: bool,
}

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
