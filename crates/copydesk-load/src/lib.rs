//! copydesk load stages: read files into [`Document`]s.
//!
//! | stage | reads | options |
//! |---|---|---|
//! | `load.text.v1` ([`TextLoader`]) | plain text, one article per file | [`TextLoaderConfig`] |
//! | `load.jsonl.v1` ([`JsonlLoader`]) | JSON lines, one article per line | [`JsonlLoaderConfig`] |
//! | `load.html.v1` ([`HtmlLoader`]) | HTML pages, main text and metadata | [`HtmlLoaderConfig`] |
//! | `load.warc.v1` ([`WarcLoader`]) | WARC archives, one article per HTML response | [`WarcLoaderConfig`] |
//!
//! Every loader reads gzip and zstd files transparently: the compression
//! is detected from the file's first bytes, and `accepts` looks through
//! `.gz`/`.zst` suffixes (`a.jsonl.gz` is a JSON lines file). See
//! [`compression`].
//!
//! Each document gets `source.path`, `source.line`/`source.record` where the
//! format has them, and a stable id: a configured id field, else the file
//! stem for one-document files, else `<stem>#<record>`. A file or record
//! that cannot be read becomes a [`LoadError`] naming file, line and record;
//! loaders never panic on bad input and go on with the next record when
//! the format allows it.
//!
//! # Using a loader without the runner
//!
//! ```
//! use copydesk_core::LoadStage;
//! use copydesk_load::{JsonlLoader, JsonlLoaderConfig};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("news.jsonl");
//! std::fs::write(
//!     &path,
//!     "{\"id\": \"a1\", \"title\": \"Rates rise\", \"text\": \"The bank raised rates.\"}\n\
//!      {\"id\": \"a2\", \"text\": null}\n",
//! )?;
//!
//! let loader = JsonlLoader::new(JsonlLoaderConfig::default());
//! assert!(loader.accepts(&path));
//! let results: Vec<_> = loader.open(&path).collect();
//! let doc = results[0].as_ref().unwrap();
//! assert_eq!(doc.id, "a1");
//! assert_eq!(doc.meta.headline.as_deref(), Some("Rates rise"));
//! let err = results[1].as_ref().unwrap_err();
//! assert_eq!((err.line, err.record), (Some(2), Some(2)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! HTML pages and web archives work the same way; the WARC loader also
//! counts the records it skipped (requests, metadata, non-HTML responses),
//! which are not errors:
//!
//! ```
//! use copydesk_core::LoadStage;
//! use copydesk_load::warc_writer::WarcWriter;
//! use copydesk_load::{WarcLoader, WarcLoaderConfig};
//!
//! let page = "<html><head><title>Dam opens</title></head><body><article>\
//!     <p>The new dam on the river opened on Monday after six years of work, \
//!     officials said, and will supply power to two million homes.</p></article></body></html>";
//! let mut w = WarcWriter::new(Vec::new(), true);
//! w.write_request("https://example.com/dam", "2024-05-01T12:00:00Z")?;
//! w.write_html_response("https://example.com/dam", "2024-05-01T12:00:00Z", page.as_bytes())?;
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("crawl.warc.gz");
//! std::fs::write(&path, w.finish()?)?;
//!
//! let loader = WarcLoader::new(WarcLoaderConfig::default())?;
//! let docs: Vec<_> = loader.open(&path).collect::<Result<_, _>>()?;
//! assert_eq!(docs.len(), 1);
//! assert_eq!(docs[0].id, "crawl#2");
//! assert!(docs[0].text.starts_with("The new dam on the river"));
//! assert_eq!(docs[0].meta.url.as_deref(), Some("https://example.com/dam"));
//! assert_eq!(loader.counts().skipped["type:request"], 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A loader can also be built from TOML options, as the runner does, through
//! [`factories`] and [`copydesk_core::StageFactory::build`].
//!
//! # Main-text extraction
//!
//! [`HtmlExtractor`] (used by both HTML and WARC loaders) decodes the page
//! ([`charset`]: BOM, HTTP charset, `<meta>`, else detection with
//! chardetng, so undeclared windows-1252 pages decode correctly), runs the
//! `trafilatura` crate (a port of go-trafilatura) with comments excluded
//! and recall favoured, then renders the kept HTML as paragraphs
//! ([`render`]), and takes out the boilerplate that survived
//! ([`boilerplate`]: blocks that are mostly links in the page, stock lines
//! such as "Read more:" or newsletter promotions, date lines, contributor
//! credits), keeping it in `meta.debris` and `meta.extra["credits"]`.
//! Headings before the first paragraph go to
//! `meta.headline`/`meta.subheadlines`. On the article extraction benchmark
//! (181 pages, its own scorer; see `examples/extraction_eval.rs`) this
//! scores F1 0.974 (precision 0.976, recall 0.972; 0.967 without the
//! boilerplate filter).
#![deny(missing_docs)]

pub mod boilerplate;
pub mod charset;
pub mod compression;
pub mod decoding;
pub mod documents;
pub mod extract;
pub mod fields;
pub mod html;
pub mod http;
pub mod jsonl;
pub mod lines;
pub mod record;
pub mod render;
pub mod text;
pub mod warc;
pub mod warc_reader;
pub mod warc_writer;

pub use decoding::InvalidUtf8;
pub use documents::{DocumentsLoader, DocumentsLoaderConfig};
pub use extract::{ExtractedPage, Focus, HtmlExtractor};
pub use html::{HtmlLoader, HtmlLoaderConfig};
pub use jsonl::{JsonlLoader, JsonlLoaderConfig, JsonlRecords, LineParser, LineRecords};
pub use text::{TextLoader, TextLoaderConfig};
pub use warc::{WarcCounts, WarcLoader, WarcLoaderConfig};

use copydesk_core::{OptionError, StageFactory, factory};

/// Every stage this crate registers.
pub fn factories() -> Vec<StageFactory> {
    vec![
        factory::<TextLoaderConfig>(),
        factory::<JsonlLoaderConfig>(),
        factory::<HtmlLoaderConfig>(),
        factory::<WarcLoaderConfig>(),
        factory::<DocumentsLoaderConfig>(),
    ]
}

/// Checks an `extensions` option: not empty, no empty names, no dots or
/// path separators inside a name.
pub(crate) fn validate_extensions(extensions: &[String]) -> Result<(), OptionError> {
    if extensions.is_empty() {
        return Err(OptionError::for_key(
            "extensions",
            "needs at least one extension",
        ));
    }
    for ext in extensions {
        let bare = ext.trim_start_matches('.');
        if bare.is_empty() || bare.contains(['.', '/', '\\']) {
            return Err(OptionError::for_key(
                "extensions",
                format!("`{ext}` is not a file extension (write e.g. \"txt\")"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_factory_is_sound_and_named_uniquely() {
        let all = factories();
        let mut names: Vec<_> = all.iter().map(|f| f.name).collect();
        for f in &all {
            copydesk_core::testing::check_factory(f);
            assert!(f.name.starts_with("load."), "{}", f.name);
        }
        names.dedup();
        assert_eq!(names.len(), all.len());
    }

    #[test]
    fn bad_extensions_are_refused_with_the_key() {
        for bad in [vec![], vec!["".to_string()], vec!["tar.gz".to_string()]] {
            let e = validate_extensions(&bad).unwrap_err();
            assert_eq!(e.key.as_deref(), Some("extensions"));
        }
        assert!(validate_extensions(&[".txt".into()]).is_ok());
    }
}
