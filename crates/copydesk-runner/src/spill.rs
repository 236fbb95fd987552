//! The spill file: processed documents on disk, readable back by ordinal.

use copydesk_core::{CorpusStage, Document, DocumentStore, StageError};

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Appends documents as JSON lines and remembers where each starts.
pub(crate) struct SpillWriter {
    path: PathBuf,
    out: BufWriter<File>,
    offsets: Vec<u64>,
    at: u64,
}

impl SpillWriter {
    pub(crate) fn create(path: &Path) -> std::io::Result<SpillWriter> {
        Ok(SpillWriter {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 20, File::create(path)?),
            offsets: vec![0],
            at: 0,
        })
    }

    pub(crate) fn push(&mut self, doc: &Document) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(doc).map_err(std::io::Error::other)?;
        line.push(b'\n');
        self.out.write_all(&line)?;
        self.at += line.len() as u64;
        self.offsets.push(self.at);
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub(crate) fn finish(mut self) -> std::io::Result<SpillReader> {
        self.out.flush()?;
        drop(self.out);
        Ok(SpillReader {
            file: File::open(&self.path)?,
            path: self.path,
            offsets: self.offsets,
        })
    }
}

/// Reads spilled documents back, by ordinal, from any thread.
pub(crate) struct SpillReader {
    path: PathBuf,
    file: File,
    offsets: Vec<u64>,
}

impl SpillReader {
    pub(crate) fn read(&self, ordinal: usize) -> Result<Document, StageError> {
        let (Some(&start), Some(&end)) = (self.offsets.get(ordinal), self.offsets.get(ordinal + 1))
        else {
            return Err(StageError::new(format!(
                "no document {ordinal} in the spill ({} documents)",
                self.offsets.len() - 1
            )));
        };
        let mut buf = vec![0u8; (end - start) as usize];
        self.file
            .read_exact_at(&mut buf, start)
            .map_err(|e| StageError::new(format!("{}: {e}", self.path.display())))?;
        serde_json::from_slice(&buf).map_err(|e| {
            StageError::new(format!("{}: document {ordinal}: {e}", self.path.display()))
        })
    }

    pub(crate) fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl DocumentStore for SpillReader {
    fn len(&self) -> usize {
        self.offsets.len() - 1
    }
    fn get(&self, ordinal: usize) -> Result<Document, StageError> {
        self.read(ordinal)
    }
}

/// The documents as the reports see them: read back and annotated by every
/// corpus stage, exactly as they were written.
pub(crate) struct AnnotatedStore<'a> {
    pub(crate) spill: &'a SpillReader,
    pub(crate) corpus: &'a [(String, Box<dyn CorpusStage>)],
}

impl DocumentStore for AnnotatedStore<'_> {
    fn len(&self) -> usize {
        self.spill.len()
    }
    fn get(&self, ordinal: usize) -> Result<Document, StageError> {
        let mut doc = self.spill.read(ordinal)?;
        for (_, stage) in self.corpus {
            stage.annotate(ordinal, &mut doc)?;
        }
        Ok(doc)
    }
}
