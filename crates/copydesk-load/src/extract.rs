//! Main-text extraction from HTML pages, shared by the HTML and WARC
//! loaders: decoding (see [`crate::charset`]), boilerplate removal with
//! the `trafilatura` extractor (a Rust port of go-trafilatura), whitespace
//! tidying, and metadata.

use crate::boilerplate::{Boilerplate, ExplainedBlock, PageLinks, explain, split_boilerplate};
use crate::charset::decode_html;
use crate::render::{BlockKind, html_blocks};
use copydesk_core::{Meta, OptionError};
use encoding_rs::Encoding;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Whether extraction leans to keeping doubtful blocks or dropping them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Focus {
    /// Keep doubtful blocks (measured best on the article extraction benchmark).
    #[default]
    Recall,
    /// The extractor's balance.
    Balanced,
    /// Drop doubtful blocks.
    Precision,
}

/// How pages are decoded and extracted.
#[derive(Debug, Clone)]
pub struct ExtractionOptions {
    /// An encoding that overrides declarations (`None`: automatic).
    pub forced_encoding: Option<&'static Encoding>,
    /// Keep tables that are part of the article.
    pub include_tables: bool,
    /// Precision/recall balance.
    pub focus: Focus,
    /// Main text shorter than this many characters counts as no text.
    pub min_text_chars: usize,
}

impl ExtractionOptions {
    /// Options from a loader's `encoding` label (`"auto"` or an encoding
    /// label) and `include_tables` flag.
    pub fn new(
        encoding: &str,
        include_tables: bool,
        focus: Focus,
        min_text_chars: usize,
    ) -> Result<Self, OptionError> {
        let forced_encoding = if encoding.trim().eq_ignore_ascii_case("auto") {
            None
        } else {
            Some(Encoding::for_label(encoding.trim().as_bytes()).ok_or_else(|| {
                OptionError::for_key(
                    "encoding",
                    format!("`{encoding}` is not an encoding label (try \"auto\" or \"windows-1252\")"),
                )
            })?)
        };
        Ok(ExtractionOptions {
            forced_encoding,
            include_tables,
            focus,
            min_text_chars,
        })
    }
}

/// Why no document came out of a page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// The page holds no text that looks like an article.
    #[error("no main text found in the page")]
    NoMainText,
    /// The extractor failed.
    #[error("main-text extraction failed: {0}")]
    Extractor(String),
}

/// A page reduced to its article.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractedPage {
    /// The main text: paragraphs separated by an empty line, whitespace
    /// inside lines collapsed.
    pub text: String,
    /// Headline, byline, date, outlet, URL and language from the page;
    /// `extra` holds `description`, `tags`, `categories`, `encoding`.
    pub meta: Meta,
}

/// Extracts the main text and metadata of HTML pages.
#[derive(Debug, Clone)]
pub struct HtmlExtractor {
    options: ExtractionOptions,
    trafilatura: trafilatura::Options,
}

impl HtmlExtractor {
    /// An extractor with these options.
    pub fn new(options: ExtractionOptions) -> Self {
        // `Options` is non-exhaustive: start from the defaults and set fields.
        let mut trafilatura = trafilatura::Options::default();
        trafilatura.exclude_comments = true;
        trafilatura.exclude_tables = !options.include_tables;
        trafilatura.focus = match options.focus {
            Focus::Recall => trafilatura::ExtractionFocus::FavorRecall,
            Focus::Balanced => trafilatura::ExtractionFocus::Balanced,
            Focus::Precision => trafilatura::ExtractionFocus::FavorPrecision,
        };
        HtmlExtractor {
            options,
            trafilatura,
        }
    }

    /// Extracts one page given as bytes; `http_charset` is the charset of
    /// the HTTP response the page came in, if any.
    pub fn extract(
        &self,
        bytes: &[u8],
        http_charset: Option<&str>,
    ) -> Result<ExtractedPage, ExtractError> {
        let decoded = decode_html(bytes, self.options.forced_encoding, http_charset);
        let mut page = self.extract_str(&decoded.text)?;
        page.meta
            .extra
            .insert("encoding".into(), Value::String(decoded.encoding.into()));
        Ok(page)
    }

    /// The blocks the extractor kept from a page, each with the verdict of
    /// the boilerplate filter (for looking into extraction results).
    pub fn explain(&self, bytes: &[u8]) -> Result<Vec<ExplainedBlock>, ExtractError> {
        let decoded = decode_html(bytes, self.options.forced_encoding, None);
        let (result, links) = self.run_extractor(&decoded.text)?;
        Ok(explain(html_blocks(&result.content_html), &links))
    }

    /// Parses the page once, takes the link density of its blocks from the
    /// tree, then gives the tree to the extractor.
    fn run_extractor(
        &self,
        html: &str,
    ) -> Result<(trafilatura::ExtractResult, PageLinks), ExtractError> {
        // The extractor is third-party code run on arbitrary pages: a panic
        // in it becomes an error for this page, not the end of the run.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let doc = trafilatura::dom::Document::parse(html);
            let links = PageLinks::of_document(&doc);
            trafilatura::extract_document(doc, &self.trafilatura).map(|r| (r, links))
        }))
        .map_err(|panic| ExtractError::Extractor(panic_message(&panic)))?
        .map_err(|e| ExtractError::Extractor(e.to_string()))
    }

    /// Extracts one page already decoded to text.
    pub fn extract_str(&self, html: &str) -> Result<ExtractedPage, ExtractError> {
        let (result, links) = self.run_extractor(html)?;
        let mut meta = page_meta(&result.metadata);
        let text = article_text(&result.content_html, &links, &mut meta);
        if text.chars().count() < self.options.min_text_chars.max(1) {
            return Err(ExtractError::NoMainText);
        }
        Ok(ExtractedPage { text, meta })
    }
}

/// The article's text from the extracted HTML: blocks separated by an
/// empty line. Boilerplate blocks ([`crate::boilerplate`]) go to
/// `meta.debris`, contributor credits to `meta.extra["credits"]`.
/// Headings before the first paragraph are the headline and
/// standfirsts: they go to `meta` (headline if none was found, else
/// subheadlines), not into the text.
fn article_text(content_html: &str, links: &PageLinks, meta: &mut Meta) -> String {
    let (blocks, removed) = split_boilerplate(html_blocks(content_html), links);
    let mut credits = Vec::new();
    for (block, why) in removed {
        match why {
            Boilerplate::Credit => credits.push(Value::String(block.text)),
            _ => meta.debris.push(block.text),
        }
    }
    if !credits.is_empty() {
        meta.extra.insert("credits".into(), Value::Array(credits));
    }
    let first_text = blocks
        .iter()
        .position(|b| b.kind == BlockKind::Text)
        .unwrap_or(blocks.len());
    for block in &blocks[..first_text] {
        let same_as_headline = meta
            .headline
            .as_deref()
            .is_some_and(|h| same_words(h, &block.text));
        if same_as_headline {
            continue;
        }
        if meta.headline.is_none() && block.kind == BlockKind::Heading(1) {
            meta.headline = Some(block.text.clone());
        } else if !meta.subheadlines.contains(&block.text) {
            meta.subheadlines.push(block.text.clone());
        }
    }
    blocks[first_text..]
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Whether two strings have the same words, ignoring case and punctuation.
fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    words(a) == words(b)
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "the extractor panicked".into())
}

/// The page's metadata in copydesk's terms.
fn page_meta(m: &trafilatura::Metadata) -> Meta {
    let clean = |s: &str| Some(collapse_spaces(s)).filter(|s| !s.is_empty());
    let mut meta = Meta {
        headline: clean(&m.title),
        byline: clean(&m.author),
        outlet: clean(&m.sitename).or_else(|| clean(&m.hostname)),
        url: clean(&m.url),
        date: m.date.map(|d| d.format("%Y-%m-%d").to_string()),
        language: clean(&m.language),
        ..Meta::default()
    };
    if let Some(d) = clean(&m.description) {
        meta.extra.insert("description".into(), Value::String(d));
    }
    for (key, list) in [("tags", &m.tags), ("categories", &m.categories)] {
        let items: Vec<Value> = list
            .iter()
            .filter_map(|s| clean(s))
            .map(Value::String)
            .collect();
        if !items.is_empty() {
            meta.extra.insert(key.into(), Value::Array(items));
        }
    }
    meta
}

/// Collapses runs of whitespace to one space and trims.
pub fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
