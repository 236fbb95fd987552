//! The four kinds of stage and the factory that registers one.

use crate::capability::Capability;
use crate::config::{OptionDoc, OptionError};
use crate::document::Document;
use crate::error::{LoadError, StageError};
use crate::table::RecordTable;
use serde::Serialize;
use std::any::Any;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// What a stage does in the pipeline; the runner orders them load → document
/// → corpus → report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// Reads inputs into documents.
    Load,
    /// Works on one document at a time (cleaning, tagging).
    Document,
    /// Sees the whole corpus (cross-document work).
    Corpus,
    /// Writes outputs.
    Report,
}

/// Reads files into documents.
pub trait LoadStage: Send + Sync {
    /// Whether this loader reads `path` (usually decided by its extension).
    fn accepts(&self, path: &Path) -> bool;
    /// The documents in `path`, in file order. A file that cannot be opened
    /// yields one `Err`; a bad record yields an `Err` and reading goes on.
    fn open<'a>(
        &'a self,
        path: &Path,
    ) -> Box<dyn Iterator<Item = Result<Document, LoadError>> + Send + 'a>;
    /// Records read so far that gave no document by design (a WARC request
    /// or metadata record, a non-HTML response), counted by reason. These
    /// are not failures; the run summary shows them.
    fn skipped(&self) -> BTreeMap<String, u64> {
        BTreeMap::new()
    }
}

/// Works on one document at a time; called from many threads at once.
pub trait DocumentStage: Send + Sync {
    /// Processes one document in place.
    fn process(&self, doc: &mut Document) -> Result<(), StageError>;
}

/// What a corpus stage extracts from one document, computed in parallel and
/// handed back to [`CorpusStage::absorb`] in document order.
pub type Observation = Box<dyn Any + Send>;

/// Random access to the documents of a run, by ordinal (0-based, in input order).
///
/// The runner keeps processed documents on disk, so a corpus stage can read a
/// few documents back (to align a candidate pair, say) without the corpus in memory.
pub trait DocumentStore: Sync {
    /// How many documents the store holds.
    fn len(&self) -> usize;
    /// Whether the store is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Reads one document back.
    fn get(&self, ordinal: usize) -> Result<Document, StageError>;
    /// Reads only the text of one document back: stores that keep documents
    /// serialized skip the annotation layers, which cost most to rebuild.
    fn get_text(&self, ordinal: usize) -> Result<String, StageError> {
        Ok(self.get(ordinal)?.text)
    }
}

/// What a corpus stage found, for the reports.
#[derive(Debug, Default, Serialize)]
pub struct CorpusOutput {
    /// Named tables of records, kept on disk; each becomes `<name>.jsonl`
    /// in the output.
    pub tables: BTreeMap<String, RecordTable>,
    /// Corpus-level figures (counts by kind, ...).
    pub summary: BTreeMap<String, serde_json::Value>,
}

/// Sees the whole corpus: documents are observed as they stream past, the
/// stage decides once all are seen, then annotates each document.
pub trait CorpusStage: Send + Sync {
    /// Extracts what the stage keeps of a document (a signature, not the
    /// text). Called in parallel.
    fn observe(&self, doc: &Document) -> Result<Observation, StageError>;
    /// Takes in one observation; called in document order, `ordinal` from 0.
    fn absorb(&mut self, ordinal: usize, observation: Observation) -> Result<(), StageError>;
    /// Decides, once every document was absorbed. May read documents back.
    fn finish(&mut self, store: &dyn DocumentStore) -> Result<CorpusOutput, StageError>;
    /// Adds the stage's findings to one document; called in parallel after `finish`.
    fn annotate(&self, ordinal: usize, doc: &mut Document) -> Result<(), StageError>;
    /// Whether [`CorpusStage::finish`] or [`CorpusStage::annotate`] reads
    /// [`Document::raw`] (the text as loaded) of the documents they get back
    /// from the runner. When no corpus stage and no report reads it, a
    /// runner may leave it out of what it keeps between the passes, and
    /// documents come back with an empty `raw`. [`CorpusStage::observe`]
    /// always sees it. The default is yes.
    fn reads_raw(&self) -> bool {
        true
    }
}

/// Counts and time for one stage in a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StageStats {
    /// The stage's registered name.
    pub stage: String,
    /// Documents (or, for loaders, files) given to the stage.
    pub docs_in: u64,
    /// Documents the stage passed on.
    pub docs_out: u64,
    /// Documents (or records) that failed in the stage.
    pub failed: u64,
    /// For loaders: records skipped by design, by reason (see
    /// [`LoadStage::skipped`]).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped: BTreeMap<String, u64>,
    /// Wall-clock time summed over threads.
    #[serde(serialize_with = "secs")]
    pub time: Duration,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// Everything a report sees once the documents are written.
pub struct CorpusSummary<'a> {
    /// Output of every corpus stage, merged (tables of later stages win on name clashes).
    pub corpus: &'a CorpusOutput,
    /// Per-stage counts and times, in pipeline order.
    pub stats: &'a [StageStats],
    /// Every failure of the run, as one line each (`path:line: stage: message`).
    pub failures: &'a [String],
    /// The processed documents, read back exactly as the reports received
    /// them (after every corpus stage annotated them).
    pub store: &'a dyn DocumentStore,
}

/// Writes outputs. Documents arrive in input order, one at a time.
pub trait ReportStage: Send {
    /// Prepares the output (creates files in `out_dir`).
    fn begin(&mut self, out_dir: &Path) -> Result<(), StageError>;
    /// Writes one document.
    fn write(&mut self, doc: &Document) -> Result<(), StageError>;
    /// The stage's per-document work that needs no mutable state, if it has
    /// any worth running in parallel; asked once, after [`ReportStage::begin`].
    /// A runner that uses it renders each document on any thread, then calls
    /// [`ReportStage::write_rendered`] in document order instead of `write`.
    fn renderer(&self) -> Option<Arc<dyn DocumentRenderer>> {
        None
    }
    /// Writes one document from what the stage's renderer made of it. The
    /// default ignores `rendered` and calls [`ReportStage::write`].
    fn write_rendered(&mut self, doc: &Document, rendered: Rendered) -> Result<(), StageError> {
        let _ = rendered;
        self.write(doc)
    }
    /// Writes corpus-level output and closes files; returns the files written.
    fn finish(&mut self, summary: &CorpusSummary<'_>) -> Result<Vec<PathBuf>, StageError>;
    /// Whether [`ReportStage::write_rendered`] reads the document beyond its
    /// `id` and `source`, once the stage's renderer has run. When no report
    /// does (and every report has a renderer), a runner may free the rest of
    /// each document on the thread that rendered it, and give
    /// `write_rendered` a document that holds only its id and source. The
    /// default is yes.
    fn reads_rendered_document(&self) -> bool {
        true
    }
    /// Annotation layers this report never reads (for example layers it
    /// leaves out of its output). When no report reads a layer and no corpus
    /// stage needs it (capability `layer.<name>`), a runner may drop it
    /// before the corpus step instead of carrying it to the reports. The
    /// default is none: the report reads every layer.
    fn unread_layers(&self) -> Vec<String> {
        Vec::new()
    }
    /// Whether [`ReportStage::finish`] reads documents back from
    /// [`CorpusSummary::store`]. When no report does and the pipeline has no
    /// corpus stage, a runner may write the reports as documents are
    /// processed, in one pass, and give `finish` an empty store. The default
    /// is yes.
    fn reads_documents_back(&self) -> bool {
        true
    }
    /// Whether this report reads [`Document::raw`] (the text as loaded), in
    /// `write` or from the store in `finish`. When no report and no corpus
    /// stage reads it, a runner may leave it out of what it keeps between
    /// the passes, and documents arrive with an empty `raw`. The default is
    /// yes.
    fn reads_raw(&self) -> bool {
        true
    }
}

/// What a [`DocumentRenderer`] made of one document, for
/// [`ReportStage::write_rendered`] of the same report.
pub type Rendered = Box<dyn Any + Send>;

/// The pure part of a report's per-document work (serializing a record,
/// formatting a row), run on many threads ahead of the ordered writes.
pub trait DocumentRenderer: Send + Sync {
    /// Renders one document.
    fn render(&self, doc: &Document) -> Result<Rendered, StageError>;
}

/// A stage built from its options, ready to run.
pub enum BuiltStage {
    /// A loader.
    Load(Box<dyn LoadStage>),
    /// A per-document stage.
    Document(Box<dyn DocumentStage>),
    /// A corpus stage.
    Corpus(Box<dyn CorpusStage>),
    /// A report.
    Report(Box<dyn ReportStage>),
}

impl BuiltStage {
    /// The kind of the built stage.
    pub fn kind(&self) -> StageKind {
        match self {
            BuiltStage::Load(_) => StageKind::Load,
            BuiltStage::Document(_) => StageKind::Document,
            BuiltStage::Corpus(_) => StageKind::Corpus,
            BuiltStage::Report(_) => StageKind::Report,
        }
    }
}

/// How a stage is registered: its name, what it needs and provides, its
/// options, and how to build it. Usually made with [`crate::factory`].
#[derive(Clone)]
pub struct StageFactory {
    /// The stable, versioned name used in `pipeline.toml` (`"clean.unicode.v1"`).
    pub name: &'static str,
    /// The kind of stage.
    pub kind: StageKind,
    /// One line saying what the stage does.
    pub description: &'static str,
    /// Capabilities an earlier stage must provide.
    pub needs: &'static [Capability],
    /// Capabilities this stage provides.
    pub provides: &'static [Capability],
    /// Whether the stage rewrites [`Document::text`] (it must then run before
    /// any stage that adds annotations).
    pub rewrites_text: bool,
    /// The options, documented.
    pub options: &'static [OptionDoc],
    /// The default options, as TOML.
    pub defaults: fn() -> toml::Table,
    /// Builds the stage from the user's options (without its `type` key).
    pub build: fn(&toml::Table) -> Result<BuiltStage, OptionError>,
}

impl std::fmt::Debug for StageFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StageFactory")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}
