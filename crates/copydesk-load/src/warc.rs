//! `load.warc.v1`: web archives (`.warc`, `.warc.gz` with per-record or
//! whole-file gzip), one article per HTML response.
//!
//! # Skipped records
//!
//! `warcinfo`, `request`, `metadata`, `revisit` and other record types,
//! non-HTML responses and responses whose status is not 2xx carry no
//! article. They are **not errors** (a Common Crawl file holds two of them
//! for every page, and counting them as failures would drown the real
//! ones), so they yield nothing; each is logged with `tracing::debug!`,
//! counted by reason in [`WarcLoader::counts`], and a per-file summary is
//! logged with `tracing::info!` when the file ends. Damaged records
//! (a wrong `Content-Length`, a broken header, a cut-off file) and HTML
//! pages without main text are [`LoadError`]s naming the file and record.

use crate::compression::{DecodedReader, has_extension, id_stem, open_decoded};
use crate::extract::{ExtractionOptions, Focus, HtmlExtractor};
use crate::http::{charset_param, media_type, parse_response};
use crate::warc_reader::{WarcReader, WarcRecord};
use copydesk_core::{
    BuiltStage, Document, LoadError, LoadStage, OptionDoc, OptionError, Source, StageConfig,
    StageKind, cap,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Options of `load.warc.v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WarcLoaderConfig {
    /// File extensions this loader reads, without the dot; compression
    /// suffixes (`.gz`, `.zst`) are looked through.
    pub extensions: Vec<String>,
    /// The pages' character encoding: `"auto"` (byte order mark, HTTP
    /// charset, `<meta>` declaration, then detection) or an encoding label
    /// that overrides declarations.
    pub encoding: String,
    /// Keep tables that are part of the article.
    pub include_tables: bool,
    /// Precision/recall balance of main-text extraction: `"recall"`
    /// (default, measured best), `"balanced"` or `"precision"`.
    pub focus: Focus,
    /// Pages whose main text is shorter than this many characters give an
    /// error ("no main text") instead of a document.
    pub min_text_chars: usize,
    /// Largest record block kept in memory, in bytes; larger records are
    /// skipped over (an error when they are HTML responses).
    pub max_record_bytes: u64,
}

impl Default for WarcLoaderConfig {
    fn default() -> Self {
        WarcLoaderConfig {
            extensions: vec!["warc".into()],
            encoding: "auto".into(),
            include_tables: true,
            focus: Focus::Recall,
            min_text_chars: 50,
            max_record_bytes: 32 * 1024 * 1024,
        }
    }
}

impl StageConfig for WarcLoaderConfig {
    const NAME: &'static str = "load.warc.v1";
    const KIND: StageKind = StageKind::Load;
    const DESCRIPTION: &'static str = "Reads WARC web archives (also .warc.gz), one article per HTML response, with WARC-Target-URI and WARC-Date.";
    const NEEDS: &'static [copydesk_core::Capability] = &[];
    const PROVIDES: &'static [copydesk_core::Capability] = &[cap::TEXT_RAW];
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "extensions",
            kind: "list of strings",
            doc: "File extensions read (default [\"warc\"]); .gz/.zst suffixes are looked through.",
        },
        OptionDoc {
            name: "encoding",
            kind: "string",
            doc: "\"auto\" (default: BOM, HTTP charset, <meta>, then detection) or an encoding label that overrides declarations.",
        },
        OptionDoc {
            name: "include_tables",
            kind: "boolean",
            doc: "Keep tables that are part of the article (default true).",
        },
        OptionDoc {
            name: "focus",
            kind: "string",
            doc: "Main-text extraction balance: \"recall\" (default, measured best), \"balanced\" or \"precision\".",
        },
        OptionDoc {
            name: "min_text_chars",
            kind: "integer",
            doc: "Main text shorter than this (default 50 characters) is an error (\"no main text\").",
        },
        OptionDoc {
            name: "max_record_bytes",
            kind: "integer",
            doc: "Largest record block kept in memory (default 32 MiB); larger ones are skipped over.",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        crate::validate_extensions(&self.extensions)?;
        ExtractionOptions::new(
            &self.encoding,
            self.include_tables,
            self.focus,
            self.min_text_chars,
        )?;
        if self.max_record_bytes == 0 {
            return Err(OptionError::for_key(
                "max_record_bytes",
                "must be at least 1",
            ));
        }
        Ok(())
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Load(Box::new(WarcLoader::new(self.clone())?)))
    }
}

/// What a WARC loader did, summed over the files it read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WarcCounts {
    /// Record headers found.
    pub records: u64,
    /// Documents produced.
    pub documents: u64,
    /// Errors reported (damaged records, pages without main text).
    pub errors: u64,
    /// Records skipped without error, by reason (`"type:request"`,
    /// `"not_html:image/jpeg"`, `"status:404"`, ...).
    pub skipped: BTreeMap<String, u64>,
}

impl WarcCounts {
    /// All skipped records.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    fn add(&mut self, other: &WarcCounts) {
        self.records += other.records;
        self.documents += other.documents;
        self.errors += other.errors;
        for (k, v) in &other.skipped {
            *self.skipped.entry(k.clone()).or_default() += v;
        }
    }
}

/// Reads WARC files: each HTML `response` (or `resource`) record becomes a
/// document through the same extraction as [`crate::HtmlLoader`].
///
/// Ids are `<file stem>#<record number>`; `source.record` is the record
/// number (from 1, counting every record of the file). `meta.url` is the
/// `WARC-Target-URI`; `meta.date` is the page's publication date, else the
/// `WARC-Date`; both WARC values are also kept in `meta.extra`
/// (`warc_target_uri`, `warc_date`, `warc_record_id`).
#[derive(Debug, Clone)]
pub struct WarcLoader {
    config: WarcLoaderConfig,
    extractor: HtmlExtractor,
    counts: Arc<Mutex<WarcCounts>>,
}

impl WarcLoader {
    /// A loader with these options; fails on an unknown `encoding` label.
    pub fn new(config: WarcLoaderConfig) -> Result<Self, OptionError> {
        let extractor = HtmlExtractor::new(ExtractionOptions::new(
            &config.encoding,
            config.include_tables,
            config.focus,
            config.min_text_chars,
        )?);
        Ok(WarcLoader {
            config,
            extractor,
            counts: Arc::default(),
        })
    }

    /// Counts over every file read so far (files still being read included).
    pub fn counts(&self) -> WarcCounts {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The documents of one WARC file, read lazily.
    pub fn documents(&self, path: &Path) -> WarcDocuments<'_> {
        let (reader, failed_open) = match open_decoded(path) {
            Ok(r) => (Some(WarcReader::new(r, self.config.max_record_bytes)), None),
            Err(e) => (
                None,
                Some(LoadError::file(path, format!("cannot read: {e}"))),
            ),
        };
        WarcDocuments {
            loader: self,
            path: path.to_path_buf(),
            stem: id_stem(path),
            reader,
            failed_open,
            counts: WarcCounts::default(),
            ready: VecDeque::new(),
        }
    }

    /// Turns one record into a document, or says why not.
    fn record_to_document(
        &self,
        record: &WarcRecord,
        stem: &str,
        path: &Path,
    ) -> Result<Document, NoDocument> {
        let warc_type = record.warc_type();
        let record_type = record
            .header("Content-Type")
            .map(media_type)
            .unwrap_or_default();
        let (body, http_charset): (Vec<u8>, Option<String>) = match warc_type.as_str() {
            "response" if record_type.is_empty() || record_type == "application/http" => {
                if !record.block_kept() {
                    return Err(NoDocument::Failed(self.oversized(record)));
                }
                let response = match parse_response(&record.block, self.config.max_record_bytes) {
                    Ok(r) => r,
                    Err(e) => return Err(NoDocument::Failed(e.to_string())),
                };
                if !(200..300).contains(&response.status) {
                    return Err(NoDocument::Skipped(format!("status:{}", response.status)));
                }
                let media = response.media_type();
                if !is_html(media.as_deref(), &response.body) {
                    return Err(NoDocument::Skipped(format!(
                        "not_html:{}",
                        media.unwrap_or_default()
                    )));
                }
                let charset = response.charset();
                (response.body, charset)
            }
            "resource" | "response" => {
                if !is_html(
                    Some(&record_type)
                        .filter(|t| !t.is_empty())
                        .map(|t| t.as_str()),
                    &record.block,
                ) {
                    return Err(NoDocument::Skipped(format!("not_html:{record_type}")));
                }
                if !record.block_kept() {
                    return Err(NoDocument::Failed(self.oversized(record)));
                }
                let charset = record.header("Content-Type").and_then(charset_param);
                (record.block.clone(), charset)
            }
            "" => return Err(NoDocument::Skipped("type:missing".into())),
            other => return Err(NoDocument::Skipped(format!("type:{other}"))),
        };
        let page = match self.extractor.extract(&body, http_charset.as_deref()) {
            Ok(p) => p,
            Err(e) => return Err(NoDocument::Failed(e.to_string())),
        };
        let source = Source {
            path: path.display().to_string(),
            record: Some(record.number),
            line: None,
        };
        let mut doc = Document::new(format!("{stem}#{}", record.number), source, page.text);
        doc.meta = page.meta;
        let target = record.header("WARC-Target-URI").map(str::to_string);
        let date = record.header("WARC-Date").map(str::to_string);
        if let (Some(target), Some(page_url)) = (&target, &doc.meta.url)
            && target != page_url
        {
            doc.meta
                .extra
                .insert("canonical_url".into(), Value::String(page_url.clone()));
        }
        if let Some(t) = &target {
            doc.meta.url = Some(t.clone());
        }
        if doc.meta.date.is_none() {
            doc.meta.date.clone_from(&date);
        }
        for (key, value) in [
            ("warc_target_uri", target),
            ("warc_date", date),
            (
                "warc_record_id",
                record.header("WARC-Record-ID").map(str::to_string),
            ),
        ] {
            if let Some(v) = value {
                doc.meta.extra.insert(key.into(), Value::String(v));
            }
        }
        Ok(doc)
    }

    /// What becomes of one record: a document, an error or a skip, logged.
    fn outcome(&self, record: &WarcRecord, stem: &str, path: &Path) -> Outcome {
        match self.record_to_document(record, stem, path) {
            Ok(doc) => Outcome::Document(Box::new(doc)),
            Err(NoDocument::Failed(message)) => {
                let message = match record.header("WARC-Target-URI") {
                    Some(uri) => format!("{message} ({uri})"),
                    None => message,
                };
                Outcome::Error(LoadError::at(path, None, Some(record.number), message))
            }
            Err(NoDocument::Skipped(reason)) => {
                tracing::debug!(
                    file = %path.display(),
                    record = record.number,
                    reason = %reason,
                    "WARC record skipped"
                );
                Outcome::Skipped(reason)
            }
        }
    }

    fn oversized(&self, record: &WarcRecord) -> String {
        format!(
            "record block of {} bytes is larger than `max_record_bytes` ({}); skipped",
            record.block_len, self.config.max_record_bytes
        )
    }
}

/// Whether a body is HTML: by its media type, or by sniffing when no type
/// is given.
fn is_html(media_type: Option<&str>, body: &[u8]) -> bool {
    match media_type {
        Some(t) if !t.is_empty() => t.contains("html"),
        _ => {
            let head: Vec<u8> = body.iter().take(1024).map(u8::to_ascii_lowercase).collect();
            memchr::memmem::find(&head, b"<html").is_some()
                || memchr::memmem::find(&head, b"<!doctype html").is_some()
        }
    }
}

impl LoadStage for WarcLoader {
    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &self.config.extensions)
    }

    fn open<'a>(
        &'a self,
        path: &Path,
    ) -> Box<dyn Iterator<Item = Result<Document, LoadError>> + Send + 'a> {
        Box::new(self.documents(path))
    }

    fn skipped(&self) -> std::collections::BTreeMap<String, u64> {
        self.counts().skipped
    }
}

/// Why a record gave no document.
enum NoDocument {
    /// It carries no article (a request, an image, a redirect): the reason
    /// under which it is counted.
    Skipped(String),
    /// It should have given one but is damaged or has no main text.
    Failed(String),
}

/// Records read ahead and extracted in parallel at a time (in a crawl,
/// about a third are HTML responses: enough pages per batch that the
/// slowest page of a batch does not leave the other cores idle for long).
const BATCH_RECORDS: usize = 128;
/// Block bytes read ahead at most (a batch ends early past this).
const BATCH_BYTES: u64 = 64 * 1024 * 1024;

/// What became of one record.
enum Outcome {
    /// A document (boxed: documents are large, skips are many).
    Document(Box<Document>),
    /// A damaged record or a page without main text.
    Error(LoadError),
    /// A record without an article, and why.
    Skipped(String),
}

/// The documents of one WARC file; see [`WarcLoader::documents`].
///
/// Records are read ahead in batches and their pages extracted in
/// parallel (rayon); documents and errors still come out in file order.
pub struct WarcDocuments<'a> {
    loader: &'a WarcLoader,
    path: PathBuf,
    stem: String,
    /// `None` once the file is exhausted.
    reader: Option<WarcReader<DecodedReader>>,
    failed_open: Option<LoadError>,
    counts: WarcCounts,
    ready: VecDeque<Result<Document, LoadError>>,
}

impl WarcDocuments<'_> {
    /// What was read from this file so far.
    pub fn counts(&self) -> &WarcCounts {
        &self.counts
    }

    fn finish(&mut self) {
        if let Some(reader) = self.reader.take() {
            self.counts.records = reader.records_seen();
            tracing::info!(
                file = %self.path.display(),
                records = self.counts.records,
                documents = self.counts.documents,
                errors = self.counts.errors,
                skipped = self.counts.skipped_total(),
                skipped_by_reason = ?self.counts.skipped,
                "WARC file read"
            );
            self.loader
                .counts
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .add(&self.counts);
        }
    }

    /// Reads the next batch of records and turns them into outcomes.
    fn read_batch(&mut self) {
        let mut batch: Vec<Result<WarcRecord, LoadError>> = Vec::new();
        let mut bytes = 0u64;
        let mut ended = false;
        while batch.len() < BATCH_RECORDS && bytes < BATCH_BYTES {
            let Some(reader) = self.reader.as_mut() else {
                break;
            };
            match reader.next() {
                None => {
                    ended = true;
                    break;
                }
                Some(Ok(record)) => {
                    bytes += record.block.len() as u64;
                    batch.push(Ok(record));
                }
                Some(Err(e)) => {
                    let fatal = e.fatal;
                    let message = format!("{} (byte {})", e.message, e.offset);
                    batch.push(Err(LoadError::at(&self.path, None, e.record, message)));
                    if fatal {
                        ended = true;
                        break;
                    }
                }
            }
        }
        let (loader, stem, path) = (self.loader, self.stem.as_str(), self.path.as_path());
        let outcomes: Vec<Outcome> = batch
            .into_par_iter()
            .map(|item| match item {
                Ok(record) => loader.outcome(&record, stem, path),
                Err(e) => Outcome::Error(e),
            })
            .collect();
        for outcome in outcomes {
            match outcome {
                Outcome::Document(doc) => {
                    self.counts.documents += 1;
                    self.ready.push_back(Ok(*doc));
                }
                Outcome::Error(e) => {
                    self.counts.errors += 1;
                    self.ready.push_back(Err(e));
                }
                Outcome::Skipped(reason) => {
                    *self.counts.skipped.entry(reason).or_default() += 1;
                }
            }
        }
        if ended {
            self.finish();
        }
    }
}

impl Iterator for WarcDocuments<'_> {
    type Item = Result<Document, LoadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.failed_open.take() {
            self.counts.errors += 1;
            self.loader
                .counts
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .errors += 1;
            return Some(Err(e));
        }
        loop {
            if let Some(item) = self.ready.pop_front() {
                return Some(item);
            }
            self.reader.as_ref()?;
            self.read_batch();
        }
    }
}

impl Drop for WarcDocuments<'_> {
    fn drop(&mut self) {
        self.finish();
    }
}
