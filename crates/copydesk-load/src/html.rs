//! `load.html.v1`: HTML pages, one article per file, reduced to their main
//! text and metadata.

use crate::compression::{self, has_extension, id_stem};
use crate::extract::{ExtractionOptions, Focus, HtmlExtractor};
use copydesk_core::{
    BuiltStage, Document, LoadError, LoadStage, OptionDoc, OptionError, Source, StageConfig,
    StageKind, cap,
};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Options of `load.html.v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HtmlLoaderConfig {
    /// File extensions this loader reads, without the dot; compression
    /// suffixes (`.gz`, `.zst`) are looked through.
    pub extensions: Vec<String>,
    /// The pages' character encoding: `"auto"` (byte order mark, then
    /// `<meta>` declaration, then detection) or an encoding label such as
    /// `"windows-1252"` that overrides declarations.
    pub encoding: String,
    /// Keep tables that are part of the article.
    pub include_tables: bool,
    /// Precision/recall balance of main-text extraction: `"recall"`
    /// (default, measured best), `"balanced"` or `"precision"`.
    pub focus: Focus,
    /// Pages whose main text is shorter than this many characters give an
    /// error ("no main text") instead of a document.
    pub min_text_chars: usize,
    /// Largest page read (after decompression), in bytes.
    pub max_bytes: u64,
}

impl Default for HtmlLoaderConfig {
    fn default() -> Self {
        HtmlLoaderConfig {
            extensions: vec!["html".into(), "htm".into(), "xhtml".into()],
            encoding: "auto".into(),
            include_tables: true,
            focus: Focus::Recall,
            min_text_chars: 50,
            max_bytes: 32 * 1024 * 1024,
        }
    }
}

impl HtmlLoaderConfig {
    fn extraction(&self) -> Result<ExtractionOptions, OptionError> {
        ExtractionOptions::new(
            &self.encoding,
            self.include_tables,
            self.focus,
            self.min_text_chars,
        )
    }
}

impl StageConfig for HtmlLoaderConfig {
    const NAME: &'static str = "load.html.v1";
    const KIND: StageKind = StageKind::Load;
    const DESCRIPTION: &'static str = "Reads HTML pages (also gzip/zstd), keeping the article's main text and its headline, byline, date, outlet and URL.";
    const NEEDS: &'static [copydesk_core::Capability] = &[];
    const PROVIDES: &'static [copydesk_core::Capability] = &[cap::TEXT_RAW];
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "extensions",
            kind: "list of strings",
            doc: "File extensions read (default [\"html\", \"htm\", \"xhtml\"]); .gz/.zst suffixes are looked through.",
        },
        OptionDoc {
            name: "encoding",
            kind: "string",
            doc: "\"auto\" (default: BOM, <meta> declaration, then detection) or an encoding label that overrides declarations.",
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
            name: "max_bytes",
            kind: "integer",
            doc: "Largest page read after decompression, in bytes (default 32 MiB).",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        crate::validate_extensions(&self.extensions)?;
        self.extraction()?;
        if self.max_bytes == 0 {
            return Err(OptionError::for_key("max_bytes", "must be at least 1"));
        }
        Ok(())
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Load(Box::new(HtmlLoader::new(self.clone())?)))
    }
}

/// Reads HTML pages, one document per file: the main text of the page
/// (navigation, ads, related links and comments dropped) with metadata
/// from the page (`og:*` and `article:*` meta tags, JSON-LD, `<time>`,
/// canonical link).
///
/// The document's id is the file stem (`dir/a.html.gz` → `a`).
#[derive(Debug, Clone)]
pub struct HtmlLoader {
    config: HtmlLoaderConfig,
    extractor: HtmlExtractor,
}

impl HtmlLoader {
    /// A loader with these options; fails on an unknown `encoding` label.
    pub fn new(config: HtmlLoaderConfig) -> Result<Self, OptionError> {
        let extractor = HtmlExtractor::new(config.extraction()?);
        Ok(HtmlLoader { config, extractor })
    }

    /// Reads one page into a document.
    pub fn load(&self, path: &Path) -> Result<Document, LoadError> {
        let bytes = compression::read_all(path, self.config.max_bytes)
            .map_err(|e| LoadError::file(path, format!("cannot read: {e}")))?;
        let page = self
            .extractor
            .extract(&bytes, None)
            .map_err(|e| LoadError::file(path, e.to_string()))?;
        let source = Source {
            path: path.display().to_string(),
            record: None,
            line: None,
        };
        let mut doc = Document::new(id_stem(path), source, page.text);
        doc.meta = page.meta;
        Ok(doc)
    }
}

impl LoadStage for HtmlLoader {
    fn accepts(&self, path: &Path) -> bool {
        has_extension(path, &self.config.extensions)
    }

    fn open<'a>(
        &'a self,
        path: &Path,
    ) -> Box<dyn Iterator<Item = Result<Document, LoadError>> + Send + 'a> {
        Box::new(std::iter::once(self.load(path)))
    }
}
