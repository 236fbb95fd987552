//! What the reports rendered ahead of the corpus stages, kept on disk
//! between the passes ([`copydesk_core::AheadRenderer`]).
//!
//! When every report renders ahead and every corpus stage annotates only a
//! document's `ext` map, pass 1 renders all of each document but that map
//! and the spill keeps only what the corpus stages read (id, source, text
//! and ext). Pass 2 then reads back a small record instead of every
//! annotation layer, and finishes each rendering with the map the corpus
//! stages wrote. The rendered bytes are written and read in whole aligned
//! blocks past the page cache: they are several times the input, go to
//! disk once and come back once, in order.
//!
//! A document's record holds one entry per report, in pipeline order: a tag
//! byte ([`entry::RENDERED`] or [`entry::FAILED`]), the length as eight
//! little-endian bytes, then the rendered bytes or the failure's message.

use copydesk_core::{AheadRenderer, Document, StageError};
use copydesk_report::direct::{DirectFile, DirectReader, ReadBytes};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// The tag byte of a record's entry.
mod entry {
    /// The report rendered the document; its bytes follow.
    pub const RENDERED: u8 = 0;
    /// The report failed on the document; the message follows.
    pub const FAILED: u8 = 1;
}

/// Bytes of an entry before its content: the tag and the length.
const ENTRY_HEADER: usize = 9;

/// The records of a group of documents, one after the other in one buffer
/// (any thread may make it).
pub(crate) struct AheadGroup {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl AheadGroup {
    /// Renders every document of `docs` with every renderer, adding each
    /// renderer's time to its entry of `nanos`.
    pub(crate) fn render<'d>(
        docs: impl ExactSizeIterator<Item = &'d Document> + Clone,
        renderers: &[&dyn AheadRenderer],
        nanos: &[AtomicU64],
    ) -> AheadGroup {
        // A rendering is several times the text (tags are verbose).
        let estimate: usize = docs.clone().map(|d| 6 * d.text.len() + 512).sum();
        let mut group = AheadGroup {
            bytes: Vec::with_capacity(estimate),
            ends: Vec::with_capacity(docs.len()),
        };
        let mut spent = vec![0u64; renderers.len()];
        for doc in docs {
            for (renderer, spent) in renderers.iter().zip(&mut spent) {
                let t = Instant::now();
                group.push_entry(doc, *renderer);
                *spent += t.elapsed().as_nanos() as u64;
            }
            group.ends.push(group.bytes.len());
        }
        for (nanos, spent) in nanos.iter().zip(spent) {
            nanos.fetch_add(spent, Ordering::Relaxed);
        }
        group
    }

    /// Appends one report's entry for `doc`.
    fn push_entry(&mut self, doc: &Document, renderer: &dyn AheadRenderer) {
        let at = self.bytes.len();
        self.bytes.push(entry::RENDERED);
        self.bytes.extend_from_slice(&[0; 8]);
        if let Err(e) = renderer.render_ahead(doc, &mut self.bytes) {
            self.bytes.truncate(at);
            self.bytes.push(entry::FAILED);
            self.bytes
                .extend_from_slice(&(e.message.len() as u64).to_le_bytes());
            self.bytes.extend_from_slice(e.message.as_bytes());
            return;
        }
        let len = (self.bytes.len() - at - ENTRY_HEADER) as u64;
        self.bytes[at + 1..at + ENTRY_HEADER].copy_from_slice(&len.to_le_bytes());
    }

    /// The records, in order.
    pub(crate) fn records(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| &self.bytes[start..end])
    }
}

/// Appends records to the file and remembers where each starts.
pub(crate) struct AheadWriter {
    path: PathBuf,
    file: DirectFile,
    offsets: Vec<u64>,
    at: u64,
}

impl AheadWriter {
    /// Creates (or truncates) the file at `path`.
    pub(crate) fn create(path: &Path) -> std::io::Result<AheadWriter> {
        Ok(AheadWriter {
            path: path.to_path_buf(),
            file: DirectFile::create(path)?,
            offsets: vec![0],
            at: 0,
        })
    }

    /// Appends one document's record (of an [`AheadGroup`]).
    pub(crate) fn push(&mut self, record: &[u8]) -> std::io::Result<()> {
        self.file.write_all(record)?;
        self.at += record.len() as u64;
        self.offsets.push(self.at);
        Ok(())
    }

    /// Writes what is gathered and opens the file for reading back.
    pub(crate) fn finish(self) -> std::io::Result<AheadReader> {
        self.file.finish()?;
        Ok(AheadReader {
            reader: DirectReader::open(&self.path)?,
            path: self.path,
            offsets: self.offsets,
        })
    }
}

/// Reads the records back, a run of documents at a time, from any thread.
pub(crate) struct AheadReader {
    path: PathBuf,
    reader: DirectReader,
    offsets: Vec<u64>,
}

impl AheadReader {
    /// Reads the records of a run of ordinals with one read.
    pub(crate) fn read_batch(&self, ordinals: Range<usize>) -> Result<AheadBatch<'_>, StageError> {
        let (Some(&start), Some(&end)) = (
            self.offsets.get(ordinals.start),
            self.offsets.get(ordinals.end),
        ) else {
            return Err(StageError::new(format!(
                "{}: no documents {}..{} ({} documents)",
                self.path.display(),
                ordinals.start,
                ordinals.end,
                self.offsets.len() - 1
            )));
        };
        let bytes = self
            .reader
            .read(start..end)
            .map_err(|e| StageError::new(format!("{}: {e}", self.path.display())))?;
        Ok(AheadBatch {
            reader: self,
            first: ordinals.start,
            base: start,
            bytes,
        })
    }

    /// Deletes the file.
    pub(crate) fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The records of consecutive ordinals, read at once.
pub(crate) struct AheadBatch<'r> {
    reader: &'r AheadReader,
    first: usize,
    base: u64,
    bytes: ReadBytes,
}

impl AheadBatch<'_> {
    /// The entries of the document at `ordinal` (which must be in the
    /// batch), one per report: the bytes rendered ahead, or the message of
    /// the report's failure.
    pub(crate) fn entries(&self, ordinal: usize) -> Result<Vec<Result<&[u8], String>>, StageError> {
        let offsets = &self.reader.offsets;
        let record = ordinal
            .checked_sub(self.first)
            .and_then(|_| Some((*offsets.get(ordinal)?, *offsets.get(ordinal + 1)?)))
            .and_then(|(start, end)| {
                let at = |o: u64| usize::try_from(o.checked_sub(self.base)?).ok();
                self.bytes.get(at(start)?..at(end)?)
            })
            .ok_or_else(|| self.damaged(ordinal, "not in the batch read"))?;
        parse_record(record).ok_or_else(|| self.damaged(ordinal, "record damaged"))
    }

    fn damaged(&self, ordinal: usize, why: &str) -> StageError {
        StageError::new(format!(
            "{}: document {ordinal}: {why}",
            self.reader.path.display()
        ))
    }
}

/// A record's entries, or `None` if it is damaged.
fn parse_record(mut record: &[u8]) -> Option<Vec<Result<&[u8], String>>> {
    let mut entries = Vec::with_capacity(1);
    while let Some((&tag, rest)) = record.split_first() {
        let (len, rest) = rest.split_first_chunk::<8>()?;
        let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
        let (content, rest) = rest.split_at_checked(len)?;
        entries.push(match tag {
            entry::RENDERED => Ok(content),
            entry::FAILED => Err(String::from_utf8_lossy(content).into_owned()),
            _ => return None,
        });
        record = rest;
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_core::Rendered;
    use proptest::prelude::*;

    /// Renders a document's text, failing on texts that start with `!`.
    struct Echo;

    impl AheadRenderer for Echo {
        fn render_ahead(&self, doc: &Document, out: &mut Vec<u8>) -> Result<(), StageError> {
            if doc.text.starts_with('!') {
                return Err(StageError::new(format!("cannot render {}", doc.text)));
            }
            out.extend_from_slice(doc.text.as_bytes());
            Ok(())
        }
        fn render_after(&self, ahead: &[u8], _: &Document) -> Result<Rendered, StageError> {
            Ok(Box::new(ahead.to_vec()))
        }
    }

    fn entry_of(text: &str) -> Result<&[u8], String> {
        match text.strip_prefix('!') {
            Some(_) => Err(format!("cannot render {text}")),
            None => Ok(text.as_bytes()),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn every_batch_reads_back_each_documents_entries(
            groups in prop::collection::vec(prop::collection::vec("!?\\PC{0,3000}", 0..12), 1..5),
            cut in any::<prop::sample::Index>(),
        ) {
            let dir = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).unwrap();
            let path = dir.path().join("ahead.bin");
            let mut writer = AheadWriter::create(&path).unwrap();
            let renderers: [&dyn AheadRenderer; 2] = [&Echo, &Echo];
            let nanos = [AtomicU64::new(0), AtomicU64::new(0)];
            let mut texts = Vec::new();
            for group in &groups {
                let docs: Vec<Document> = group.iter().map(|t| Document::new("d", Default::default(), t.clone())).collect();
                let rendered = AheadGroup::render(docs.iter(), &renderers, &nanos);
                for record in rendered.records() {
                    writer.push(record).unwrap();
                }
                texts.extend(group.iter().cloned());
            }
            let reader = writer.finish().unwrap();
            // Two batches, split anywhere.
            let split = cut.index(texts.len() + 1);
            for range in [0..split, split..texts.len()] {
                let batch = reader.read_batch(range.clone()).unwrap();
                for ordinal in range {
                    let entries = batch.entries(ordinal).unwrap();
                    let expected = entry_of(&texts[ordinal]);
                    prop_assert_eq!(entries, vec![expected.clone(), expected]);
                }
            }
            prop_assert!(reader.read_batch(0..texts.len() + 1).is_err());
            reader.remove();
        }

        #[test]
        fn a_damaged_record_is_an_error_never_a_panic(record in prop::collection::vec(any::<u8>(), 0..40)) {
            let _ = parse_record(&record);
        }
    }
}
