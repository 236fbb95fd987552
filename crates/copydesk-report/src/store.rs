//! An in-memory [`DocumentStore`], for tests and for programs that run the
//! report stages on a handful of documents without the runner.

use copydesk_core::{Document, DocumentStore, StageError};

/// A [`DocumentStore`] over documents held in memory, in input order
/// (ordinal `i` is `documents[i]`).
///
/// The runner keeps documents on disk; use this one when you call the
/// report stages yourself on a corpus that fits in memory:
///
/// ```
/// use copydesk_core::{Document, DocumentStore, Source};
/// use copydesk_report::MemoryStore;
/// let store = MemoryStore::new(vec![Document::new("a", Source::default(), "Hello.")]);
/// assert_eq!(store.len(), 1);
/// assert_eq!(store.get(0).unwrap().id, "a");
/// assert!(store.get(1).is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    documents: Vec<Document>,
}

impl MemoryStore {
    /// A store over `documents`, in input order.
    pub fn new(documents: Vec<Document>) -> Self {
        MemoryStore { documents }
    }

    /// The documents, in input order.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }
}

impl From<Vec<Document>> for MemoryStore {
    fn from(documents: Vec<Document>) -> Self {
        MemoryStore::new(documents)
    }
}

impl DocumentStore for MemoryStore {
    fn len(&self) -> usize {
        self.documents.len()
    }

    fn get(&self, ordinal: usize) -> Result<Document, StageError> {
        self.documents.get(ordinal).cloned().ok_or_else(|| {
            StageError::new(format!(
                "no document #{ordinal} (the store holds {})",
                self.documents.len()
            ))
        })
    }
}
