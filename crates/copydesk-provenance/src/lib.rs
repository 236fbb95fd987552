//! copydesk provenance: finds copies, syndicated versions and spun
//! rewrites across a corpus, names each copy's source, and aligns them.
//!
//! The stage `corpus.provenance.v1` ([`ProvenanceConfig`]) builds a
//! spin-robust signature of every document (MinHash over shingles of the
//! words spinners leave alone: function words, names and numbers, in story
//! order), finds candidate pairs with LSH banding, skips weak pairs whose
//! sentence fingerprints ([`fingerprint`]) show too little text that could
//! align for a copy (documents sharing a sentence or two: boilerplate,
//! template lines) and aligns at most a budget of weak pairs linear in the
//! corpus size, so the work grows linearly with the corpus; it aligns each
//! remaining pair sentence by sentence and word by word, classifies the relation
//! (`verbatim`, `syndicated`, `spun`, `same_story`), picks each copy's
//! source, and writes the `relations` table, `doc.ext["provenance"]` and
//! the `spin` verdict (with the spun wording restored from the source).
//!
//! How a direction is chosen (which document is the source): publication
//! dates when both documents have one; for spun copies, the original
//! wording survives in the copy (in quotes, where the spinner skipped a
//! word) and is the more common wording in the corpus; otherwise a wire
//! dateline (`"CITY, Month Day -"`, `"CITY (Agency) -"`) marks the original,
//! then paragraphs other documents confirm (the copy dropped them) or that
//! nobody else carries (the copy added them), then debris and length.
//!
//! Measuring it: `cargo run --release -p copydesk-provenance --example provenance_eval`
//! (development set from Reuters-21578, P/R/F1 per kind, false relations,
//! side by side with a datasketch MinHash LSH baseline) and
//! `--example provenance_bench -- --docs 10000` (throughput and memory),
//! `--example provenance_scale -- FILE.jsonl` (growth on the `cargo xtask
//! bench` synthetic corpora, where sentences are shared by many documents;
//! CPU seconds per phase, the phases of `finish` as
//! [`ProvenanceStage::finish_phases`] reports them, and a digest of the
//! results, which a change that only makes the stage cheaper must leave
//! unchanged),
//! `--example provenance_kernels -- FILE.jsonl` (microseconds per document
//! of the per-document kernels: tokenizing, anchor shingles, MinHash,
//! sentence fingerprints, with checksums of their output).
//!
//! Using it without the runner:
//!
//! ```
//! use copydesk_core::{CorpusStage, Document, DocumentStore, Source, StageError};
//! use copydesk_provenance::{ProvenanceConfig, ProvenanceStage};
//!
//! struct Docs(Vec<Document>);
//! impl DocumentStore for Docs {
//!     fn len(&self) -> usize { self.0.len() }
//!     fn get(&self, i: usize) -> Result<Document, StageError> {
//!         self.0.get(i).cloned().ok_or_else(|| StageError::new("no such document"))
//!     }
//! }
//!
//! let text = "The minister said on Monday that exports of coffee rose 12 pct in March. \
//!             Officials in Brasilia said the rise was due to strong demand from Europe. \
//!             The ministry expects exports to reach 15 mln bags this year.";
//! let mut docs = Docs(vec![
//!     Document::new("a", Source::default(), text),
//!     Document::new("b", Source::default(), format!("{text}\nShare this article")),
//! ]);
//! let mut stage = ProvenanceStage::new(ProvenanceConfig::default());
//! for (i, d) in docs.0.iter().enumerate() {
//!     let obs = stage.observe(d).unwrap();
//!     stage.absorb(i, obs).unwrap();
//! }
//! let out = stage.finish(&docs).unwrap();
//! // Relations are streamed to disk; read them back as `Relation`s or JSON.
//! let relations: Vec<serde_json::Value> =
//!     out.tables["relations"].rows().unwrap().collect::<Result<_, _>>().unwrap();
//! assert_eq!(relations.len(), 1);
//! assert_eq!(relations[0]["kind"], "verbatim");
//! for (i, d) in docs.0.iter_mut().enumerate() {
//!     stage.annotate(i, d).unwrap();
//! }
//! assert_eq!(docs.0[1].ext["spin"]["spun"], false);
//! ```
#![deny(missing_docs)]

pub mod align;
pub mod chunked;
pub mod compare;
pub mod fingerprint;
pub mod frequencies;
pub mod hashing;
pub mod memory;
mod partners;
pub mod phases;
pub mod short_hash;
pub mod signature;
mod stage;
pub mod tokens;
pub mod twins;

pub use copydesk_core::RELATIONS_TABLE;
pub use memory::{MemoryStore, run_provenance};
pub use stage::{ProvenanceConfig, ProvenanceStage};

use copydesk_core::StageFactory;

/// Every stage this crate registers.
pub fn factories() -> Vec<StageFactory> {
    vec![copydesk_core::factory::<ProvenanceConfig>()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn factory_is_well_formed() {
        for f in super::factories() {
            copydesk_core::testing::check_factory(&f);
        }
    }
}
