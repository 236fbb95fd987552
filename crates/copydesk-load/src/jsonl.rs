//! `load.jsonl.v1`: JSON lines, one article per line.

use crate::compression::{DecodedReader, has_extension, id_stem, open_decoded};
use crate::decoding::{InvalidUtf8, UTF8_BOM};
use crate::fields::{into_scalar_text, scalar_text, take_field, type_name};
use crate::lines::{LineRead, read_line_capped};
use crate::record::{FieldNames, RecordFields, read_record};
use copydesk_core::{
    BuiltStage, Document, LoadError, LoadStage, Meta, OptionDoc, OptionError, Source, StageConfig,
    StageKind, cap,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Options of `load.jsonl.v1`.
///
/// Field names may be dotted paths into nested objects (`"article.body"`);
/// a key equal to the whole name is preferred. An empty field name turns
/// that mapping off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JsonlLoaderConfig {
    /// File extensions this loader reads, without the dot; compression
    /// suffixes (`.gz`, `.zst`) are looked through.
    pub extensions: Vec<String>,
    /// The field holding the article text (required in every record).
    pub text_field: String,
    /// The field holding the document id (a string or number); records
    /// without it get `<file stem>#<record>`.
    pub id_field: String,
    /// The field copied to `meta.headline`.
    pub headline_field: String,
    /// The field copied to `meta.byline` (a list of names is joined with ", ").
    pub byline_field: String,
    /// The field copied to `meta.dateline`.
    pub dateline_field: String,
    /// The field copied to `meta.date`.
    pub date_field: String,
    /// The field copied to `meta.url`.
    pub url_field: String,
    /// The field copied to `meta.outlet`.
    pub outlet_field: String,
    /// The field copied to `meta.language`.
    pub language_field: String,
    /// Whether the record's other fields are kept in `meta.extra` (a
    /// mapped field whose value is not text, such as an object, is kept
    /// there too).
    pub keep_extra_fields: bool,
    /// What to do with bytes that are not UTF-8 in a line: `"error"`
    /// rejects the record, `"replace"` puts U+FFFD in their place.
    pub invalid_utf8: InvalidUtf8,
    /// Longest line read, in bytes; a longer line is reported as an error
    /// and skipped without being held in memory.
    pub max_line_bytes: u64,
}

impl Default for JsonlLoaderConfig {
    fn default() -> Self {
        JsonlLoaderConfig {
            extensions: vec!["jsonl".into(), "ndjson".into()],
            text_field: "text".into(),
            id_field: "id".into(),
            headline_field: "title".into(),
            byline_field: "author".into(),
            dateline_field: "dateline".into(),
            date_field: "date".into(),
            url_field: "url".into(),
            outlet_field: "source".into(),
            language_field: "language".into(),
            keep_extra_fields: true,
            invalid_utf8: InvalidUtf8::Error,
            max_line_bytes: 64 * 1024 * 1024,
        }
    }
}

impl StageConfig for JsonlLoaderConfig {
    const NAME: &'static str = "load.jsonl.v1";
    const KIND: StageKind = StageKind::Load;
    const DESCRIPTION: &'static str =
        "Reads JSON lines (also gzip/zstd), one article per line, mapping fields to metadata.";
    const NEEDS: &'static [copydesk_core::Capability] = &[];
    const PROVIDES: &'static [copydesk_core::Capability] = &[cap::TEXT_RAW];
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "extensions",
            kind: "list of strings",
            doc: "File extensions read (default [\"jsonl\", \"ndjson\"]); .gz/.zst suffixes are looked through.",
        },
        OptionDoc {
            name: "text_field",
            kind: "string",
            doc: "Field holding the article text (default \"text\"); dotted paths reach nested objects.",
        },
        OptionDoc {
            name: "id_field",
            kind: "string",
            doc: "Field holding the id (default \"id\"); without it the id is `<file stem>#<record>`.",
        },
        OptionDoc {
            name: "headline_field",
            kind: "string",
            doc: "Field copied to meta.headline (default \"title\"; \"\" turns it off).",
        },
        OptionDoc {
            name: "byline_field",
            kind: "string",
            doc: "Field copied to meta.byline (default \"author\"; a list is joined with \", \").",
        },
        OptionDoc {
            name: "dateline_field",
            kind: "string",
            doc: "Field copied to meta.dateline (default \"dateline\").",
        },
        OptionDoc {
            name: "date_field",
            kind: "string",
            doc: "Field copied to meta.date (default \"date\").",
        },
        OptionDoc {
            name: "url_field",
            kind: "string",
            doc: "Field copied to meta.url (default \"url\").",
        },
        OptionDoc {
            name: "outlet_field",
            kind: "string",
            doc: "Field copied to meta.outlet (default \"source\"; use e.g. \"source.name\" for nested).",
        },
        OptionDoc {
            name: "language_field",
            kind: "string",
            doc: "Field copied to meta.language (default \"language\").",
        },
        OptionDoc {
            name: "keep_extra_fields",
            kind: "boolean",
            doc: "Keep the record's other fields in meta.extra (default true).",
        },
        OptionDoc {
            name: "invalid_utf8",
            kind: "string",
            doc: "\"error\" (default: the record is rejected) or \"replace\" (U+FFFD).",
        },
        OptionDoc {
            name: "max_line_bytes",
            kind: "integer",
            doc: "Longest line read (default 64 MiB); longer lines are errors, skipped in bounded memory.",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        crate::validate_extensions(&self.extensions)?;
        if self.text_field.is_empty() {
            return Err(OptionError::for_key("text_field", "must not be empty"));
        }
        if self.max_line_bytes == 0 {
            return Err(OptionError::for_key("max_line_bytes", "must be at least 1"));
        }
        Ok(())
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Load(Box::new(JsonlLoader::new(self.clone()))))
    }
}

/// Reads JSON lines files, one document per non-blank line.
///
/// Each record's `source` carries its line and its record number (records
/// are the non-blank lines, counted from 1). A bad line yields a
/// [`LoadError`] naming file, line and record, and reading goes on; blank
/// lines are skipped. Files are streamed line by line.
#[derive(Debug, Clone)]
pub struct JsonlLoader {
    config: JsonlLoaderConfig,
    /// The mapped field names, when all are plain keys (records are then
    /// read field by field, see [`crate::record`]).
    plain_names: Option<FieldNames>,
}

impl JsonlLoader {
    /// A loader with these options (not validated: see [`StageConfig::validate`]).
    pub fn new(config: JsonlLoaderConfig) -> Self {
        let c = &config;
        let plain_names = FieldNames::plain([
            &c.text_field,
            &c.id_field,
            &c.headline_field,
            &c.byline_field,
            &c.dateline_field,
            &c.date_field,
            &c.url_field,
            &c.outlet_field,
            &c.language_field,
        ]);
        JsonlLoader {
            config,
            plain_names,
        }
    }

    /// The records of `path`, as documents or errors, in file order.
    pub fn records(&self, path: &Path) -> JsonlRecords<'_> {
        LineRecords::open(self, path)
    }

    /// Turns one line (a record) into a document.
    ///
    /// `stem` names the file in fallback ids; `source` is where the line is.
    ///
    /// A record whose mapped fields are all plain keys is read field by
    /// field ([`crate::record`]); the document is the one
    /// [`JsonlLoader::parse_record_via_value`] makes, which reads any
    /// other record and gives the error of a bad one.
    pub fn parse_record(
        &self,
        line: &[u8],
        stem: &str,
        source: Source,
    ) -> Result<Document, String> {
        let Some(names) = &self.plain_names else {
            return self.parse_record_via_value(line, stem, source);
        };
        let fields = match (std::str::from_utf8(line), self.config.invalid_utf8) {
            (Ok(line), _) => read_record(line, names, self.config.keep_extra_fields),
            (Err(_), InvalidUtf8::Replace) => read_record(
                &String::from_utf8_lossy(line),
                names,
                self.config.keep_extra_fields,
            ),
            (Err(_), InvalidUtf8::Error) => None,
        };
        match fields {
            Some(fields) => self.document_of(fields, names, stem, source),
            None => self.parse_record_via_value(line, stem, source),
        }
    }

    /// The document of a record read by [`read_record`], as
    /// [`JsonlLoader::parse_record_via_value`] makes it from the same
    /// record; a record it would reject goes to it for the error.
    fn document_of(
        &self,
        mut fields: RecordFields,
        names: &FieldNames,
        stem: &str,
        source: Source,
    ) -> Result<Document, String> {
        let text = text_of(&self.config.text_field, fields.mapped[0].take())?;
        let keep_extra = self.config.keep_extra_fields;
        let mut extra = fields.extra;
        let mut take_text = |slot: usize| {
            let value = fields.mapped.get_mut(slot)?.take()?;
            match into_scalar_text(value) {
                Ok(text) => Some(text),
                Err(value) => {
                    if keep_extra && !value.is_null() {
                        extra.insert(names.name(slot).to_string(), value);
                    }
                    None
                }
            }
        };
        let id = take_text(1).unwrap_or_else(|| fallback_id(stem, &source));
        let headline = take_text(2);
        let byline = take_text(3);
        let dateline = take_text(4);
        let date = take_text(5);
        let url = take_text(6);
        let outlet = take_text(7);
        let language = take_text(8);
        let meta = Meta {
            headline,
            byline,
            dateline,
            date,
            url,
            outlet,
            language,
            extra,
            ..Meta::default()
        };
        let mut doc = Document::new(id, source, text);
        doc.meta = meta;
        Ok(doc)
    }

    /// Turns one line into a document through a whole `serde_json::Value`
    /// (any field names, dotted paths included): the general way, which
    /// [`JsonlLoader::parse_record`] takes for records it does not read
    /// field by field, and which gives the error of a bad record.
    pub fn parse_record_via_value(
        &self,
        line: &[u8],
        stem: &str,
        source: Source,
    ) -> Result<Document, String> {
        let c = &self.config;
        let value: Value = match c.invalid_utf8 {
            InvalidUtf8::Error => serde_json::from_slice(line),
            InvalidUtf8::Replace => serde_json::from_str(&String::from_utf8_lossy(line)),
        }
        .map_err(|e| format!("malformed JSON: {e}"))?;
        let mut record = match value {
            Value::Object(map) => map,
            other => {
                return Err(format!(
                    "record is not a JSON object (found {})",
                    type_name(&other)
                ));
            }
        };
        let text = text_of(&c.text_field, take_field(&mut record, &c.text_field))?;
        let mut leftovers = Map::new();
        let mut take_text = |record: &mut Map<String, Value>, name: &str| {
            let value = take_field(record, name)?;
            let text = scalar_text(&value);
            if text.is_none() && !value.is_null() {
                leftovers.insert(name.to_string(), value);
            }
            text
        };
        let id = take_text(&mut record, &c.id_field).unwrap_or_else(|| fallback_id(stem, &source));
        let meta = Meta {
            headline: take_text(&mut record, &c.headline_field),
            byline: take_text(&mut record, &c.byline_field),
            dateline: take_text(&mut record, &c.dateline_field),
            date: take_text(&mut record, &c.date_field),
            url: take_text(&mut record, &c.url_field),
            outlet: take_text(&mut record, &c.outlet_field),
            language: take_text(&mut record, &c.language_field),
            extra: if c.keep_extra_fields {
                record.into_iter().chain(leftovers).collect()
            } else {
                Default::default()
            },
            ..Meta::default()
        };
        let mut doc = Document::new(id, source, text);
        doc.meta = meta;
        Ok(doc)
    }
}

/// The article text of a record from the value of its text field (named
/// `field`), or why there is none.
fn text_of(field: &str, value: Option<Value>) -> Result<String, String> {
    match value {
        Some(Value::String(s)) if s.trim().is_empty() => {
            Err(format!("text field `{field}` is empty"))
        }
        Some(Value::String(s)) => Ok(s),
        Some(Value::Null) => Err(format!("text field `{field}` is null")),
        Some(other) => Err(format!(
            "text field `{field}` is not a string (found {})",
            type_name(&other)
        )),
        None => Err(format!("missing text field `{field}`")),
    }
}

/// The id of a record without one: `<file stem>#<record>`.
fn fallback_id(stem: &str, source: &Source) -> String {
    match source.record {
        Some(r) => format!("{stem}#{r}"),
        None => stem.to_string(),
    }
}

impl LoadStage for JsonlLoader {
    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &self.config.extensions)
    }

    fn open<'a>(
        &'a self,
        path: &Path,
    ) -> Box<dyn Iterator<Item = Result<Document, LoadError>> + Send + 'a> {
        Box::new(self.records(path))
    }
}

/// The records of one JSON lines file, read lazily; see [`JsonlLoader::records`].
pub type JsonlRecords<'a> = LineRecords<'a, JsonlLoader>;

/// How a JSON lines loader turns one line into a document.
pub trait LineParser {
    /// Longest line read, in bytes.
    fn max_line_bytes(&self) -> u64;
    /// Parses one non-blank line; `stem` names the file in fallback ids and
    /// `source` is where the line is. The error is the reason only (the
    /// reader adds file, line and record).
    fn parse_line(&self, line: &[u8], stem: &str, source: Source) -> Result<Document, String>;
}

impl LineParser for JsonlLoader {
    fn max_line_bytes(&self) -> u64 {
        self.config.max_line_bytes
    }
    fn parse_line(&self, line: &[u8], stem: &str, source: Source) -> Result<Document, String> {
        self.parse_record(line, stem, source)
    }
}

/// The documents of one JSON lines file (also gzip/zstd), read lazily with
/// bounded memory: one per non-blank line, each bad line an error naming
/// file, line and record, and reading goes on.
pub struct LineRecords<'a, P: LineParser> {
    parser: &'a P,
    path: PathBuf,
    /// `path` as each record's `source.path` gives it (written once).
    path_text: String,
    stem: String,
    /// `None` once the input is exhausted or failed.
    reader: Option<DecodedReader>,
    failed_open: Option<LoadError>,
    buf: Vec<u8>,
    line: u64,
    record: u64,
}

impl<'a, P: LineParser> LineRecords<'a, P> {
    /// Opens `path` (decompressing gzip or zstd found by content); a file
    /// that cannot be opened yields one error.
    pub fn open(parser: &'a P, path: &Path) -> Self {
        let (reader, failed_open) = match open_decoded(path) {
            Ok(r) => (Some(r), None),
            Err(e) => (
                None,
                Some(LoadError::file(path, format!("cannot read: {e}"))),
            ),
        };
        LineRecords {
            parser,
            path: path.to_path_buf(),
            path_text: path.display().to_string(),
            stem: id_stem(path),
            reader,
            failed_open,
            buf: Vec::new(),
            line: 0,
            record: 0,
        }
    }
}

impl<P: LineParser> Iterator for LineRecords<'_, P> {
    type Item = Result<Document, LoadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.failed_open.take() {
            return Some(Err(e));
        }
        let max = usize::try_from(self.parser.max_line_bytes()).unwrap_or(usize::MAX);
        loop {
            let reader = self.reader.as_mut()?;
            // A line whole in the reader's buffer is read there, without
            // being copied out first.
            if let Ok(available) = reader.fill_buf()
                && let Some(end) = memchr::memchr(b'\n', available)
            {
                let line = self.line + 1;
                self.line = line;
                let mut bytes = &available[..end];
                bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
                if bytes.len() > max {
                    let too_long = bytes.len() as u64;
                    reader.consume(end + 1);
                    self.record += 1;
                    return Some(Err(line_too_long(
                        &self.path,
                        line,
                        self.record,
                        too_long,
                        max,
                    )));
                }
                let parsed = parse_line_at(
                    self.parser,
                    &self.path,
                    &self.path_text,
                    &self.stem,
                    &mut self.record,
                    bytes,
                    line,
                );
                reader.consume(end + 1);
                match parsed {
                    Some(result) => return Some(result),
                    None => continue,
                }
            }
            let read = read_line_capped(reader, &mut self.buf, max);
            let line = self.line + 1;
            match read {
                Ok(LineRead::Eof) => {
                    self.reader = None;
                    return None;
                }
                Err(e) => {
                    self.reader = None;
                    return Some(Err(LoadError::at(
                        &self.path,
                        Some(line),
                        None,
                        format!("reading stopped after {} records: {e}", self.record),
                    )));
                }
                Ok(LineRead::TooLong { bytes }) => {
                    self.line = line;
                    self.record += 1;
                    return Some(Err(line_too_long(
                        &self.path,
                        line,
                        self.record,
                        bytes,
                        max,
                    )));
                }
                Ok(LineRead::Line) => {
                    self.line = line;
                    let parsed = parse_line_at(
                        self.parser,
                        &self.path,
                        &self.path_text,
                        &self.stem,
                        &mut self.record,
                        &self.buf,
                        line,
                    );
                    if let Some(result) = parsed {
                        return Some(result);
                    }
                }
            }
        }
    }
}

/// The record of line number `line` of the file at `path` (`bytes`,
/// without its line break), counted as record `record + 1`, or `None` for
/// a blank line (not counted).
fn parse_line_at<P: LineParser>(
    parser: &P,
    path: &Path,
    path_text: &str,
    stem: &str,
    record: &mut u64,
    mut bytes: &[u8],
    line: u64,
) -> Option<Result<Document, LoadError>> {
    if line == 1 {
        bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    *record += 1;
    let number = *record;
    let source = Source {
        path: path_text.to_string(),
        record: Some(number),
        line: Some(line),
    };
    Some(
        parser
            .parse_line(bytes, stem, source)
            .map_err(|message| LoadError::at(path, Some(line), Some(number), message)),
    )
}

/// The error for a line longer than `max_line_bytes` (the line is skipped,
/// the reading goes on).
fn line_too_long(path: &Path, line: u64, record: u64, bytes: u64, max: usize) -> LoadError {
    LoadError::at(
        path,
        Some(line),
        Some(record),
        format!("line of {bytes} bytes is longer than `max_line_bytes` ({max}); skipped"),
    )
}
