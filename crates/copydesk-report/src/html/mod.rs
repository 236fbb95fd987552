//! `report.html.v1`: one self-contained `report.html` (inline CSS and
//! script, no network): overview counts, filterable and paginated tables of
//! relations and documents, a side-by-side view per relation and a spin view
//! per document, rendered on demand from embedded JSON.
//!
//! Safety: markup written by Rust escapes every text ([`escape::escape_html`]);
//! the data block escapes `<`, `>` and `&` ([`escape::ScriptJsonWriter`]); the
//! script only builds nodes with `textContent` and DOM APIs; and a
//! Content-Security-Policy allows only the page's own script (by nonce).

mod data;
pub mod escape;
mod layout;
mod page;
mod spill;
mod utf16;

use crate::corpus::Relations;
use crate::error::{Context, ReportError};
use crate::output::{OutputFile, check_relative_path};
use copydesk_core::{
    BuiltStage, CorpusSummary, Document, DocumentRenderer, OptionDoc, OptionError, Rendered,
    ReportStage, StageConfig, StageError, StageKind,
};
use data::{DocRow, DocText, RelationView};
use escape::ScriptJsonWriter;
use serde::{Deserialize, Serialize};
use spill::Spill;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const NAME: &str = "report.html.v1";

/// Options of `report.html.v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HtmlReportConfig {
    /// File the page is written to, relative to the output directory.
    pub path: String,
    /// The page title.
    pub title: String,
    /// Documents whose text is embedded in the page (documents in relations
    /// first, then in input order); the others are listed without text.
    pub max_embedded_documents: usize,
    /// Rows per page of the relation and document tables.
    pub page_size: usize,
}

impl Default for HtmlReportConfig {
    fn default() -> Self {
        HtmlReportConfig {
            path: "report.html".into(),
            title: "copydesk report".into(),
            max_embedded_documents: 5000,
            page_size: 50,
        }
    }
}

impl StageConfig for HtmlReportConfig {
    const NAME: &'static str = NAME;
    const KIND: StageKind = StageKind::Report;
    const DESCRIPTION: &'static str = "Writes report.html, one self-contained page: overview, \
        relation and document tables, side-by-side views of copies and spin verdicts";
    const NEEDS: &'static [copydesk_core::Capability] = &[];
    const PROVIDES: &'static [copydesk_core::Capability] = &[];
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "path",
            kind: "string",
            doc: "File the page is written to, relative to the output directory \
                  (default \"report.html\").",
        },
        OptionDoc {
            name: "title",
            kind: "string",
            doc: "The page title (default \"copydesk report\").",
        },
        OptionDoc {
            name: "max_embedded_documents",
            kind: "integer",
            doc: "Documents whose text is embedded in the page, documents in relations \
                  first; the others are listed without text (default 5000).",
        },
        OptionDoc {
            name: "page_size",
            kind: "integer",
            doc: "Rows per page of the relation and document tables (default 50).",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        check_relative_path("path", &self.path)?;
        if self.page_size == 0 {
            return Err(OptionError::for_key("page_size", "must be at least 1"));
        }
        Ok(())
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Report(Box::new(HtmlReport::new(self.clone()))))
    }
}

/// The runtime of `report.html.v1`. Table rows are kept in memory (small,
/// one per document); texts go to a spill file next to the output and the
/// ones to embed are read back in `finish`.
pub struct HtmlReport {
    config: HtmlReportConfig,
    out_dir: Option<PathBuf>,
    rows: Vec<DocRow>,
    row_of_id: HashMap<String, usize>,
    spill: Option<Spill>,
}

impl HtmlReport {
    /// A report with the given options; call [`ReportStage::begin`] first.
    pub fn new(config: HtmlReportConfig) -> Self {
        HtmlReport {
            config,
            out_dir: None,
            rows: Vec::new(),
            row_of_id: HashMap::new(),
            spill: None,
        }
    }

    /// Row indices of the documents to embed: documents in relations first
    /// (in relation order, source before copy), then the rest in input order.
    fn choose_embedded(&self, relations: &Relations) -> Vec<usize> {
        let max = self.config.max_embedded_documents.min(self.rows.len());
        let mut chosen = vec![false; self.rows.len()];
        let mut order = Vec::with_capacity(max);
        let in_relations = relations
            .relations
            .iter()
            .flat_map(|r| [r.source.as_str(), r.doc.as_str()])
            .filter_map(|id| self.row_of_id.get(id).copied());
        for i in in_relations.chain(0..self.rows.len()) {
            if order.len() >= max {
                break;
            }
            if !chosen[i] {
                chosen[i] = true;
                order.push(i);
            }
        }
        order.sort_unstable();
        order
    }
}

/// A document's table row and its serialized text, made on any thread.
struct HtmlRendered {
    text: Vec<u8>,
    row: DocRow,
}

/// Renders documents for the page ahead of the ordered writes.
struct HtmlRenderer;

impl DocumentRenderer for HtmlRenderer {
    fn render(&self, doc: &Document) -> Result<Rendered, StageError> {
        let text = serde_json::to_vec(&DocText::new(doc))
            .map_err(|e| StageError::new(format!("{NAME}: document {}: {e}", doc.id)))?;
        Ok(Box::new(HtmlRendered {
            text,
            row: DocRow::new(doc),
        }))
    }
}

impl ReportStage for HtmlReport {
    fn reads_documents_back(&self) -> bool {
        false
    }

    fn reads_raw(&self) -> bool {
        false
    }

    fn begin(&mut self, out_dir: &Path) -> Result<(), StageError> {
        std::fs::create_dir_all(out_dir).at(NAME, out_dir)?;
        self.rows.clear();
        self.row_of_id.clear();
        let spill_name = format!(
            ".{}.{}.spill",
            self.config.path.replace('/', "_"),
            std::process::id()
        );
        self.spill = Some(Spill::create(NAME, out_dir.join(spill_name))?);
        self.out_dir = Some(out_dir.to_path_buf());
        Ok(())
    }

    fn write(&mut self, doc: &Document) -> Result<(), StageError> {
        let spill = self
            .spill
            .as_mut()
            .ok_or(ReportError::NotStarted { stage: NAME })?;
        spill.push(&DocText::new(doc))?;
        self.row_of_id
            .entry(doc.id.clone())
            .or_insert(self.rows.len());
        self.rows.push(DocRow::new(doc));
        Ok(())
    }

    fn renderer(&self) -> Option<Arc<dyn DocumentRenderer>> {
        Some(Arc::new(HtmlRenderer))
    }

    fn write_rendered(&mut self, doc: &Document, rendered: Rendered) -> Result<(), StageError> {
        let Ok(rendered) = rendered.downcast::<HtmlRendered>() else {
            return self.write(doc);
        };
        let HtmlRendered { text, row } = *rendered;
        let spill = self
            .spill
            .as_mut()
            .ok_or(ReportError::NotStarted { stage: NAME })?;
        spill.push_serialized(&text)?;
        self.row_of_id
            .entry(doc.id.clone())
            .or_insert(self.rows.len());
        self.rows.push(row);
        Ok(())
    }

    fn finish(&mut self, summary: &CorpusSummary<'_>) -> Result<Vec<PathBuf>, StageError> {
        let out_dir = self
            .out_dir
            .take()
            .ok_or(ReportError::NotStarted { stage: NAME })?;
        let mut spill = self
            .spill
            .take()
            .ok_or(ReportError::NotStarted { stage: NAME })?;
        let relations = Relations::from_corpus(summary.corpus);

        let mut texts: Vec<DocText> = Vec::new();
        for i in self.choose_embedded(&relations) {
            self.rows[i].t = Some(texts.len());
            texts.push(spill.get(i)?);
        }
        drop(spill);

        let views: Vec<RelationView> = relations
            .relations
            .iter()
            .map(|r| {
                let d = self.row_of_id.get(&r.doc).copied();
                let s = self.row_of_id.get(&r.source).copied();
                let text_of = |row: Option<usize>| {
                    row.and_then(|i| self.rows[i].t)
                        .and_then(|t| texts.get(t))
                        .map(|t| t.text.as_str())
                };
                let both = text_of(d).zip(text_of(s));
                RelationView::new(r, (d, s), both)
            })
            .collect();

        let overview = page::Overview {
            title: &self.config.title,
            documents: self.rows.len(),
            embedded: texts.len(),
            spun_documents: self.rows.iter().filter(|r| r.spun).count(),
            stories: {
                let mut ids: Vec<&str> = self
                    .rows
                    .iter()
                    .filter_map(|r| r.story.as_deref())
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids.len()
            },
            relations: &relations,
            relations_with_view: views.iter().filter(|v| v.rows.is_some()).count(),
            max_embedded_documents: self.config.max_embedded_documents,
        };
        let nonce = nonce();
        let mut file = OutputFile::create(NAME, out_dir.join(&self.config.path))?;
        file.write_str(&page::head(&overview, summary, &nonce))?;
        file.write_str(page::DATA_OPEN)?;
        let data = PageData {
            page_size: self.config.page_size,
            docs: &self.rows,
            rels: &views,
            texts: &texts,
        };
        let (stage, path) = (file.stage(), file.path().to_path_buf());
        let mut json = ScriptJsonWriter::new(file.writer());
        serde_json::to_writer(&mut json, &data).at(stage, &path)?;
        json.flush().at(stage, &path)?;
        file.write_str(&page::tail(&nonce))?;
        self.rows.clear();
        self.row_of_id.clear();
        Ok(vec![file.close()?])
    }
}

/// The embedded data block.
#[derive(Serialize)]
struct PageData<'a> {
    page_size: usize,
    docs: &'a [DocRow],
    rels: &'a [RelationView],
    texts: &'a [DocText],
}

/// A fresh random nonce for the page's Content-Security-Policy, so that no
/// markup smuggled into the page could carry the script permission.
fn nonce() -> String {
    let mut out = String::new();
    for salt in 0..2u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(salt);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}
