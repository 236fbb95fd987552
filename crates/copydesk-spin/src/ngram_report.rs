//! The report stage `report.ngrams.v1`: writes the word and bigram counts
//! of every processed document's clean text ([`crate::ngrams`]), to give
//! `tag.spin.v1` a domain language model (its `language_model` option).
//!
//! A pipeline of a loader, `clean.news_layout.v1` and this stage over a
//! newsroom's archive of unspun articles builds the file; a file name
//! ending in `.gz` is written gzip-compressed.

use crate::ngrams::{NgramCounts, TextWords};
use copydesk_core::{
    BuiltStage, Capability, CorpusSummary, Document, DocumentRenderer, OptionDoc, OptionError,
    Rendered, ReportStage, StageConfig, StageError, StageKind, cap,
};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const NAME: &str = "report.ngrams.v1";

/// Options of `report.ngrams.v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NgramsReportConfig {
    /// The file written, relative to the output directory (`.gz`: gzip).
    pub path: String,
    /// Bigrams read fewer times than this are left out of the file.
    pub min_bigram_count: u64,
}

impl Default for NgramsReportConfig {
    fn default() -> Self {
        NgramsReportConfig {
            path: "ngrams.txt.gz".to_string(),
            min_bigram_count: 2,
        }
    }
}

impl StageConfig for NgramsReportConfig {
    const NAME: &'static str = NAME;
    const KIND: StageKind = StageKind::Report;
    const DESCRIPTION: &'static str = "Writes the word and bigram counts of the documents' clean \
        text: a domain language model for tag.spin.v1's `language_model` option";
    const NEEDS: &'static [Capability] = &[cap::TEXT_RAW];
    const PROVIDES: &'static [Capability] = &[];
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "path",
            kind: "string",
            doc: "File written, relative to the output directory; `.gz` compresses it \
                  (default \"ngrams.txt.gz\")",
        },
        OptionDoc {
            name: "min_bigram_count",
            kind: "integer",
            doc: "Bigrams read fewer times are left out (default 2)",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        copydesk_core::check_output_path("path", &self.path)
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Report(Box::new(NgramsReport {
            config: self.clone(),
            counts: NgramCounts::new(),
            out_dir: None,
        })))
    }
}

/// The runtime of `report.ngrams.v1`.
pub struct NgramsReport {
    config: NgramsReportConfig,
    counts: NgramCounts,
    out_dir: Option<PathBuf>,
}

/// Reads each document's words on any thread.
struct WordReader;

impl DocumentRenderer for WordReader {
    fn render(&self, doc: &Document) -> Result<Rendered, StageError> {
        Ok(Box::new(TextWords::read(&doc.text)))
    }
}

impl ReportStage for NgramsReport {
    fn begin(&mut self, out_dir: &Path) -> Result<(), StageError> {
        self.out_dir = Some(out_dir.to_path_buf());
        self.counts = NgramCounts::new();
        Ok(())
    }

    fn write(&mut self, doc: &Document) -> Result<(), StageError> {
        self.counts.add_text(&doc.text);
        Ok(())
    }

    fn renderer(&self) -> Option<Arc<dyn DocumentRenderer>> {
        Some(Arc::new(WordReader))
    }

    fn write_rendered(&mut self, doc: &Document, rendered: Rendered) -> Result<(), StageError> {
        match rendered.downcast::<TextWords>() {
            Ok(words) => self.counts.add_words(&words),
            Err(_) => self.counts.add_text(&doc.text),
        }
        Ok(())
    }

    fn reads_rendered_document(&self) -> bool {
        false
    }

    fn reads_documents_back(&self) -> bool {
        false
    }

    fn reads_raw(&self) -> bool {
        false
    }

    fn finish(&mut self, _summary: &CorpusSummary<'_>) -> Result<Vec<PathBuf>, StageError> {
        let out_dir = self
            .out_dir
            .take()
            .ok_or_else(|| StageError::new(format!("{NAME}: finish before begin")))?;
        let path = out_dir.join(&self.config.path);
        let fail = |e: std::io::Error| StageError::new(format!("{NAME}: {}: {e}", path.display()));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        // Written beside the target, then renamed: a failed run leaves no
        // truncated file under the final name.
        let partial = path.with_extension("partial");
        let file = std::fs::File::create(&partial).map_err(fail)?;
        let min = self.config.min_bigram_count;
        if self.config.path.ends_with(".gz") {
            let mut out = BufWriter::new(GzEncoder::new(file, Compression::default()));
            self.counts.write_to(&mut out, min).map_err(fail)?;
            out.into_inner()
                .map_err(|e| fail(e.into_error()))?
                .finish()
                .map_err(fail)?;
        } else {
            let mut out = BufWriter::new(file);
            self.counts.write_to(&mut out, min).map_err(fail)?;
            out.flush().map_err(fail)?;
        }
        std::fs::rename(&partial, &path).map_err(fail)?;
        Ok(vec![path])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_core::{CorpusOutput, Source};
    use std::io::Read;

    struct NoDocuments;
    impl copydesk_core::DocumentStore for NoDocuments {
        fn len(&self) -> usize {
            0
        }
        fn get(&self, _: usize) -> Result<Document, StageError> {
            Err(StageError::new("no documents"))
        }
    }

    fn run(config: NgramsReportConfig, texts: &[&str], dir: &Path) -> Vec<PathBuf> {
        let BuiltStage::Report(mut stage) = config.build().expect("builds") else {
            panic!("a report stage");
        };
        stage.begin(dir).expect("begin");
        let renderer = stage.renderer().expect("a renderer");
        for (i, text) in texts.iter().enumerate() {
            let mut doc = Document::new(format!("d{i}"), Source::default(), *text);
            doc.text = text.to_string();
            let rendered = renderer.render(&doc).expect("render");
            stage.write_rendered(&doc, rendered).expect("write");
        }
        let corpus = CorpusOutput::default();
        let summary = CorpusSummary {
            corpus: &corpus,
            stats: &[],
            failures: &[],
            store: &NoDocuments,
        };
        stage.finish(&summary).expect("finish")
    }

    #[test]
    fn writes_gzip_counts_that_the_spin_stage_reads() {
        let dir = tempfile::tempdir().expect("temp dir");
        let texts = [
            "Security forces said on Tuesday.",
            "Security forces said nothing.",
        ];
        let files = run(NgramsReportConfig::default(), &texts, dir.path());
        assert_eq!(files, vec![dir.path().join("ngrams.txt.gz")]);
        let mut text = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&files[0]).expect("written"))
            .read_to_string(&mut text)
            .expect("gzip");
        assert!(text.contains("\nsecurity forces 2\n"), "{text}");
        assert!(
            !text.contains("on tuesday"),
            "read once, below the minimum: {text}"
        );
        assert!(!dir.path().join("ngrams.partial").exists());
        let spin = crate::SpinConfig {
            language_model: Some(files[0].clone()),
            ..crate::SpinConfig::default()
        };
        assert!(crate::SpinTagger::new(&spin).is_ok());
    }

    #[test]
    fn a_plain_path_writes_plain_text_and_bad_paths_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = NgramsReportConfig {
            path: "lm/news.txt".to_string(),
            min_bigram_count: 1,
        };
        let files = run(config, &["the quarterly dividend"], dir.path());
        let text = std::fs::read_to_string(&files[0]).expect("plain text");
        assert!(text.contains("\nquarterly dividend 1\n"), "{text}");
        for bad in ["", "/tmp/x.txt", "../x.txt"] {
            let config = NgramsReportConfig {
                path: bad.to_string(),
                ..NgramsReportConfig::default()
            };
            let e = config.validate().expect_err(bad);
            assert!(e.to_string().contains("path"), "{e}");
        }
    }

    #[test]
    fn a_missing_language_model_file_is_named_in_the_spin_stage_error() {
        let spin = crate::SpinConfig {
            language_model: Some(PathBuf::from("/nonexistent/news.txt.gz")),
            ..crate::SpinConfig::default()
        };
        let e = spin.build().err().expect("refused").to_string();
        assert!(
            e.contains("language_model") && e.contains("/nonexistent/news.txt.gz"),
            "{e}"
        );
    }
}
