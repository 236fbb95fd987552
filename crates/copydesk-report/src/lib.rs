//! copydesk's report stages: what a run leaves for people and programs.
//!
//! | stage | writes |
//! |---|---|
//! | `report.jsonl.v1` ([`JsonlReport`]) | `documents.jsonl` (one object per document: id, source, text, meta, tags with covered text, every extension field such as `spin` and `provenance`), `<table>.jsonl` per corpus table (`relations.jsonl`), `failures.jsonl` (when any) and `summary.json` |
//! | `report.markdown.v1` ([`MarkdownReport`]) | `report.md`: run table, relation counts and list, a bounded section per document (metadata, removed captions and debris, quotes with speakers, numbers, spin substitutions `spun → original`) |
//! | `report.html.v1` ([`HtmlReport`]) | `report.html`: one self-contained page with overview counts, filterable tables, a side-by-side view per relation and a spin view per document |
//! | `report.parquet.v1` (`ParquetReport`, cargo feature `parquet`, off by default) | `documents.parquet` and `relations.parquet` for Arrow-based tools |
//!
//! Every stage implements [`copydesk_core::ReportStage`]: `begin(out_dir)`,
//! then `write(doc)` for each document in input order, then
//! `finish(&summary)`, which returns the files written. Documents are
//! streamed: no stage keeps every document in memory.
//!
//! # Using a report without the runner
//!
//! Build a stage from its config (or from TOML options through
//! [`factories`]), and give `finish` a [`CorpusSummary`](copydesk_core::CorpusSummary);
//! [`MemoryStore`] serves as its document store for documents held in memory.
//!
//! ```
//! use copydesk_core::{CorpusOutput, CorpusSummary, Document, ReportStage, Source};
//! use copydesk_report::{MarkdownReport, MarkdownReportConfig, MemoryStore};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let docs = vec![Document::new("a", Source::default(), "Thousands gathered, police said.")];
//! let mut report = MarkdownReport::new(MarkdownReportConfig::default());
//! report.begin(dir.path()).unwrap();
//! for doc in &docs {
//!     report.write(doc).unwrap();
//! }
//! let store = MemoryStore::new(docs);
//! let corpus = CorpusOutput::default();
//! let summary = CorpusSummary { corpus: &corpus, stats: &[], failures: &[], store: &store };
//! let files = report.finish(&summary).unwrap();
//! let markdown = std::fs::read_to_string(&files[0]).unwrap();
//! assert!(markdown.contains("### 1. `a`"));
//! ```
#![deny(missing_docs)]

mod corpus;
mod direct;
mod error;
mod facts;
pub mod html;
mod json_text;
mod jsonl;
mod markdown;
mod output;
#[cfg(feature = "parquet")]
pub mod parquet;
mod store;

pub use corpus::{ALL_KINDS, RELATIONS_TABLE, Relations};
pub use error::ReportError;
pub use html::{HtmlReport, HtmlReportConfig};
pub use jsonl::{JsonlReport, JsonlReportConfig};
pub use markdown::{MarkdownReport, MarkdownReportConfig};
#[cfg(feature = "parquet")]
pub use parquet::{ParquetReport, ParquetReportConfig};
pub use store::MemoryStore;

use copydesk_core::{StageFactory, factory};

/// Every stage this crate registers.
pub fn factories() -> Vec<StageFactory> {
    vec![
        factory::<JsonlReportConfig>(),
        factory::<MarkdownReportConfig>(),
        factory::<HtmlReportConfig>(),
        #[cfg(feature = "parquet")]
        factory::<ParquetReportConfig>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_factory_passes_the_checks() {
        copydesk_core::testing::check_factory(&factory::<JsonlReportConfig>());
    }

    #[test]
    fn markdown_factory_passes_the_checks() {
        copydesk_core::testing::check_factory(&factory::<MarkdownReportConfig>());
    }

    #[test]
    fn html_factory_passes_the_checks() {
        copydesk_core::testing::check_factory(&factory::<HtmlReportConfig>());
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn parquet_factory_passes_the_checks() {
        copydesk_core::testing::check_factory(&factory::<ParquetReportConfig>());
    }

    #[test]
    fn factories_are_reports_with_versioned_names() {
        let names: Vec<&str> = factories().iter().map(|f| f.name).collect();
        assert_eq!(
            names[..3],
            ["report.jsonl.v1", "report.markdown.v1", "report.html.v1"]
        );
        assert_eq!(names.len(), 3 + usize::from(cfg!(feature = "parquet")));
        assert!(
            factories()
                .iter()
                .all(|f| f.kind == copydesk_core::StageKind::Report)
        );
    }
}
