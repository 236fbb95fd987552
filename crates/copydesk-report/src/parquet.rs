//! `report.parquet.v1` (cargo feature `parquet`): `documents.parquet` with
//! one row per document, and `relations.parquet` with one row per relation,
//! for analysis in Arrow-based tools (DuckDB, Polars, pandas).
//!
//! Common fields get typed columns; nested data (annotation layers, every
//! extension field, relation evidence) is kept as JSON text columns so that
//! nothing is lost.

use crate::corpus::Relations;
use crate::error::{Context, ReportError};
use crate::facts;
use crate::output::check_relative_path;
use arrow_array::builder::{
    BooleanBuilder, Float64Builder, ListBuilder, StringBuilder, UInt32Builder, UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use copydesk_core::{
    BuiltStage, CorpusSummary, Document, OptionDoc, OptionError, ReportStage, StageConfig,
    StageError, StageKind,
};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const NAME: &str = "report.parquet.v1";

/// Column compression of the Parquet files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParquetCompression {
    /// Zstandard (smaller files).
    Zstd,
    /// Snappy (faster).
    Snappy,
    /// No compression.
    None,
}

/// Options of `report.parquet.v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ParquetReportConfig {
    /// File the documents are written to, relative to the output directory.
    pub path: String,
    /// File the relations are written to, relative to the output directory.
    pub relations_path: String,
    /// Also write each document's raw text in a `raw` column (null otherwise).
    pub include_raw: bool,
    /// Documents buffered per record batch (row group slices); bounds memory.
    pub batch_rows: usize,
    /// Column compression: `"zstd"`, `"snappy"` or `"none"`.
    pub compression: ParquetCompression,
}

impl Default for ParquetReportConfig {
    fn default() -> Self {
        ParquetReportConfig {
            path: "documents.parquet".into(),
            relations_path: "relations.parquet".into(),
            include_raw: false,
            batch_rows: 1024,
            compression: ParquetCompression::Zstd,
        }
    }
}

impl StageConfig for ParquetReportConfig {
    const NAME: &'static str = NAME;
    const KIND: StageKind = StageKind::Report;
    const DESCRIPTION: &'static str = "Writes documents.parquet (one row per document: ids, \
        text, metadata, spin; layers and extension fields as JSON) and relations.parquet";
    const NEEDS: &'static [copydesk_core::Capability] = &[];
    const PROVIDES: &'static [copydesk_core::Capability] = &[];
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "path",
            kind: "string",
            doc: "File the documents are written to, relative to the output directory \
                  (default \"documents.parquet\").",
        },
        OptionDoc {
            name: "relations_path",
            kind: "string",
            doc: "File the relations are written to, relative to the output directory \
                  (default \"relations.parquet\"); written only when there are relations.",
        },
        OptionDoc {
            name: "include_raw",
            kind: "boolean",
            doc: "Also write each document's raw text in a `raw` column (default false).",
        },
        OptionDoc {
            name: "batch_rows",
            kind: "integer",
            doc: "Documents buffered per record batch; bounds memory (default 1024).",
        },
        OptionDoc {
            name: "compression",
            kind: "string",
            doc: "Column compression: \"zstd\" (default), \"snappy\" or \"none\".",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        check_relative_path("path", &self.path)?;
        check_relative_path("relations_path", &self.relations_path)?;
        if self.batch_rows == 0 {
            return Err(OptionError::for_key("batch_rows", "must be at least 1"));
        }
        if self.path == self.relations_path {
            return Err(OptionError::for_key(
                "relations_path",
                "must differ from `path`",
            ));
        }
        Ok(())
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Report(Box::new(ParquetReport::new(
            self.clone(),
        ))))
    }
}

/// The runtime of `report.parquet.v1`: documents are buffered in column
/// builders and written every `batch_rows` documents.
pub struct ParquetReport {
    config: ParquetReportConfig,
    out_dir: PathBuf,
    writer: Option<(PathBuf, ArrowWriter<File>)>,
    batch: DocumentColumns,
}

impl ParquetReport {
    /// A report with the given options; call [`ReportStage::begin`] first.
    pub fn new(config: ParquetReportConfig) -> Self {
        ParquetReport {
            config,
            out_dir: PathBuf::new(),
            writer: None,
            batch: DocumentColumns::default(),
        }
    }

    fn flush(&mut self) -> Result<(), ReportError> {
        if self.batch.rows == 0 {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch).finish();
        let (path, writer) = self
            .writer
            .as_mut()
            .ok_or(ReportError::NotStarted { stage: NAME })?;
        let batch = batch.map_err(|e| parquet_error(path, e.to_string()))?;
        writer
            .write(&batch)
            .map_err(|e| parquet_error(path, e.to_string()))
    }
}

fn parquet_error(path: &Path, message: String) -> ReportError {
    ReportError::Io {
        stage: NAME,
        path: path.to_path_buf(),
        source: std::io::Error::other(message),
    }
}

fn properties(compression: ParquetCompression) -> WriterProperties {
    let compression = match compression {
        ParquetCompression::Zstd => Compression::ZSTD(ZstdLevel::default()),
        ParquetCompression::Snappy => Compression::SNAPPY,
        ParquetCompression::None => Compression::UNCOMPRESSED,
    };
    WriterProperties::builder()
        .set_compression(compression)
        .set_created_by(format!("copydesk {}", env!("CARGO_PKG_VERSION")))
        .build()
}

fn create_writer(
    path: &Path,
    schema: SchemaRef,
    compression: ParquetCompression,
) -> Result<ArrowWriter<File>, ReportError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).at(NAME, parent)?;
    }
    let file = File::create(path).at(NAME, path)?;
    ArrowWriter::try_new(file, schema, Some(properties(compression)))
        .map_err(|e| parquet_error(path, e.to_string()))
}

impl ReportStage for ParquetReport {
    fn reads_documents_back(&self) -> bool {
        false
    }

    fn reads_raw(&self) -> bool {
        self.config.include_raw
    }

    fn begin(&mut self, out_dir: &Path) -> Result<(), StageError> {
        self.out_dir = out_dir.to_path_buf();
        self.batch = DocumentColumns::default();
        let path = out_dir.join(&self.config.path);
        let writer = create_writer(&path, document_schema(), self.config.compression)?;
        self.writer = Some((path, writer));
        Ok(())
    }

    fn write(&mut self, doc: &Document) -> Result<(), StageError> {
        if self.writer.is_none() {
            return Err(ReportError::NotStarted { stage: NAME }.into());
        }
        self.batch.push(doc, self.config.include_raw)?;
        if self.batch.rows >= self.config.batch_rows {
            self.flush()?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &CorpusSummary<'_>) -> Result<Vec<PathBuf>, StageError> {
        self.flush()?;
        let (path, writer) = self
            .writer
            .take()
            .ok_or(ReportError::NotStarted { stage: NAME })?;
        writer
            .close()
            .map_err(|e| parquet_error(&path, e.to_string()))?;
        let mut written = vec![path];

        let relations = Relations::from_corpus(summary.corpus);
        if !relations.relations.is_empty() {
            let path = self.out_dir.join(&self.config.relations_path);
            let batch = relation_batch(&relations).map_err(|e| parquet_error(&path, e))?;
            let mut writer = create_writer(&path, batch.schema(), self.config.compression)?;
            writer
                .write(&batch)
                .map_err(|e| parquet_error(&path, e.to_string()))?;
            writer
                .close()
                .map_err(|e| parquet_error(&path, e.to_string()))?;
            written.push(path);
        }
        Ok(written)
    }
}

fn utf8(name: &str, nullable: bool) -> Field {
    Field::new(name, DataType::Utf8, nullable)
}

fn string_list(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        false,
    )
}

/// The columns of `documents.parquet`.
pub fn document_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("id", false),
        utf8("source_path", false),
        Field::new("source_line", DataType::UInt64, true),
        Field::new("source_record", DataType::UInt64, true),
        utf8("text", false),
        utf8("raw", true),
        utf8("headline", true),
        utf8("byline", true),
        utf8("dateline", true),
        utf8("credit", true),
        utf8("outlet", true),
        utf8("url", true),
        utf8("date", true),
        utf8("language", true),
        string_list("captions"),
        string_list("debris"),
        Field::new("words", DataType::UInt64, false),
        Field::new("spun", DataType::Boolean, true),
        Field::new("spin_score", DataType::Float64, true),
        Field::new("spin_substitutions", DataType::UInt32, true),
        utf8("story", true),
        utf8("tags_json", false),
        utf8("ext_json", false),
    ]))
}

/// Column builders for one batch of documents.
#[derive(Default)]
struct DocumentColumns {
    rows: usize,
    id: StringBuilder,
    source_path: StringBuilder,
    source_line: UInt64Builder,
    source_record: UInt64Builder,
    text: StringBuilder,
    raw: StringBuilder,
    meta: [StringBuilder; 8],
    captions: ListBuilder<StringBuilder>,
    debris: ListBuilder<StringBuilder>,
    words: UInt64Builder,
    spun: BooleanBuilder,
    spin_score: Float64Builder,
    spin_substitutions: UInt32Builder,
    story: StringBuilder,
    tags_json: StringBuilder,
    ext_json: StringBuilder,
}

impl DocumentColumns {
    fn push(&mut self, doc: &Document, include_raw: bool) -> Result<(), serde_json::Error> {
        let tags = serde_json::to_string(&doc.tags)?;
        let ext = serde_json::to_string(&doc.ext)?;
        self.id.append_value(&doc.id);
        self.source_path.append_value(&doc.source.path);
        self.source_line.append_option(doc.source.line);
        self.source_record.append_option(doc.source.record);
        self.text.append_value(&doc.text);
        self.raw
            .append_option(include_raw.then_some(doc.raw.as_str()));
        let m = &doc.meta;
        let fields = [
            &m.headline,
            &m.byline,
            &m.dateline,
            &m.credit,
            &m.outlet,
            &m.url,
            &m.date,
            &m.language,
        ];
        for (builder, value) in self.meta.iter_mut().zip(fields) {
            builder.append_option(value.as_deref());
        }
        for (list, items) in [
            (&mut self.captions, &m.captions),
            (&mut self.debris, &m.debris),
        ] {
            for item in items {
                list.values().append_value(item);
            }
            list.append(true);
        }
        self.words
            .append_value(copydesk_core::text::word_spans(&doc.text).len() as u64);
        let verdict = facts::spin_verdict(doc);
        self.spun.append_option(verdict.as_ref().map(|v| v.spun));
        self.spin_score
            .append_option(verdict.as_ref().map(|v| v.score));
        self.spin_substitutions.append_option(
            verdict
                .as_ref()
                .map(|v| u32::try_from(v.substitutions.len()).unwrap_or(u32::MAX)),
        );
        self.story.append_option(facts::story_id(doc));
        self.tags_json.append_value(tags);
        self.ext_json.append_value(ext);
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.source_path.finish()),
            Arc::new(self.source_line.finish()),
            Arc::new(self.source_record.finish()),
            Arc::new(self.text.finish()),
            Arc::new(self.raw.finish()),
        ];
        for builder in self.meta.iter_mut() {
            columns.push(Arc::new(builder.finish()));
        }
        columns.extend([
            Arc::new(self.captions.finish()) as ArrayRef,
            Arc::new(self.debris.finish()),
            Arc::new(self.words.finish()),
            Arc::new(self.spun.finish()),
            Arc::new(self.spin_score.finish()),
            Arc::new(self.spin_substitutions.finish()),
            Arc::new(self.story.finish()),
            Arc::new(self.tags_json.finish()),
            Arc::new(self.ext_json.finish()),
        ]);
        RecordBatch::try_new(document_schema(), columns)
    }
}

/// The columns of `relations.parquet`.
pub fn relation_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        utf8("doc", false),
        utf8("source", false),
        utf8("kind", false),
        Field::new("score", DataType::Float64, false),
        Field::new("doc_ordinal", DataType::UInt64, false),
        Field::new("source_ordinal", DataType::UInt64, false),
        Field::new("aligned", DataType::UInt32, false),
        Field::new("added", DataType::UInt32, false),
        Field::new("dropped", DataType::UInt32, false),
        Field::new("substitutions", DataType::UInt32, false),
        utf8("evidence_json", false),
    ]))
}

fn relation_batch(relations: &Relations) -> Result<RecordBatch, String> {
    let mut doc = StringBuilder::new();
    let mut source = StringBuilder::new();
    let mut kind = StringBuilder::new();
    let mut score = Float64Builder::new();
    let mut doc_ordinal = UInt64Builder::new();
    let mut source_ordinal = UInt64Builder::new();
    let mut counts: [UInt32Builder; 4] = Default::default();
    let mut evidence = StringBuilder::new();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    for r in &relations.relations {
        doc.append_value(&r.doc);
        source.append_value(&r.source);
        kind.append_value(r.kind.as_str());
        score.append_value(r.score);
        doc_ordinal.append_value(r.doc_ordinal as u64);
        source_ordinal.append_value(r.source_ordinal as u64);
        let e = &r.evidence;
        for (b, n) in counts.iter_mut().zip([
            e.aligned.len(),
            e.added.len(),
            e.dropped.len(),
            e.substitutions.len(),
        ]) {
            b.append_value(count(n));
        }
        evidence.append_value(serde_json::to_string(e).map_err(|e| e.to_string())?);
    }
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(doc.finish()),
        Arc::new(source.finish()),
        Arc::new(kind.finish()),
        Arc::new(score.finish()),
        Arc::new(doc_ordinal.finish()),
        Arc::new(source_ordinal.finish()),
    ];
    for b in counts.iter_mut() {
        columns.push(Arc::new(b.finish()));
    }
    columns.push(Arc::new(evidence.finish()));
    RecordBatch::try_new(relation_schema(), columns).map_err(|e| e.to_string())
}
