//! An in-memory [`DocumentStore`] and a helper that runs the stage over a
//! list of documents, for tests, examples and programs without the runner.

use crate::stage::{ProvenanceConfig, ProvenanceStage};
use copydesk_core::{CorpusOutput, CorpusStage, Document, DocumentStore, StageError};
use rayon::prelude::*;

/// Documents held in memory, by ordinal.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    /// The documents.
    pub docs: Vec<Document>,
}

impl DocumentStore for MemoryStore {
    fn len(&self) -> usize {
        self.docs.len()
    }

    fn get(&self, ordinal: usize) -> Result<Document, StageError> {
        self.docs
            .get(ordinal)
            .cloned()
            .ok_or_else(|| StageError::new(format!("no document {ordinal}")))
    }

    fn get_text(&self, ordinal: usize) -> Result<String, StageError> {
        self.docs
            .get(ordinal)
            .map(|d| d.text.clone())
            .ok_or_else(|| StageError::new(format!("no document {ordinal}")))
    }
}

/// Runs `corpus.provenance.v1` over `docs` as the runner does (observe in
/// parallel, absorb in order, finish, annotate in parallel) and returns its output.
pub fn run_provenance(
    config: ProvenanceConfig,
    docs: &mut [Document],
) -> Result<CorpusOutput, StageError> {
    let mut stage = ProvenanceStage::new(config);
    let observations: Vec<_> = docs.par_iter().map(|d| stage.observe(d)).collect();
    for (i, obs) in observations.into_iter().enumerate() {
        stage.absorb(i, obs?)?;
    }
    let store = MemoryStore {
        docs: docs.to_vec(),
    };
    let out = stage.finish(&store)?;
    drop(store);
    docs.par_iter_mut()
        .enumerate()
        .try_for_each(|(i, d)| stage.annotate(i, d))?;
    Ok(out)
}
