//! The spill file: processed documents on disk, readable back by ordinal
//! (records in the format of [`crate::spill_codec`]).

use crate::spill_codec;
pub(crate) use crate::spill_codec::Omitted;
use copydesk_core::{CorpusStage, Document, DocumentStore, StageError};

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A document as one spill record, without what `omitted` names (any
/// thread may make it).
#[cfg(test)]
pub(crate) fn spill_line(doc: &Document, omitted: &Omitted) -> Vec<u8> {
    let mut record = Vec::new();
    spill_codec::encode(doc, omitted, &mut record);
    record
}

/// The spill records of a group of documents, encoded one after the other
/// into one buffer (no allocation per document; any thread may make it).
#[derive(Default)]
pub(crate) struct SpillGroup {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl SpillGroup {
    /// Encodes `docs` without what `omitted` names.
    #[cfg(test)]
    pub(crate) fn encode<'d>(
        docs: impl ExactSizeIterator<Item = &'d Document> + Clone,
        omitted: &Omitted,
    ) -> SpillGroup {
        let mut group = SpillGroup::default();
        group.encode_into(docs, omitted);
        group
    }

    /// Replaces the group's records by those of `docs`, reusing its buffers
    /// (a buffer handed back by [`BufferPool`] has the room already: no
    /// fresh memory for the kernel to fault in and zero).
    pub(crate) fn encode_into<'d>(
        &mut self,
        docs: impl ExactSizeIterator<Item = &'d Document> + Clone,
        omitted: &Omitted,
    ) {
        self.bytes.clear();
        self.ends.clear();
        // A record is about twice its text (the annotations and the rest);
        // an estimate that is too small costs a regrowth of the buffer.
        let estimate: usize = docs
            .clone()
            .map(|d| 2 * d.text.len() + if omitted.raw { 0 } else { d.raw.len() } + 512)
            .sum();
        self.bytes.reserve(estimate);
        self.ends.reserve(docs.len());
        for doc in docs {
            spill_codec::encode(doc, omitted, &mut self.bytes);
            self.ends.push(self.bytes.len());
        }
    }

    /// The records, in order.
    #[cfg(test)]
    pub(crate) fn records(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| &self.bytes[start..end])
    }

    /// Renames the document of record `index` (its id is replaced in the
    /// record; the other records stay as they are).
    pub(crate) fn rename(
        &mut self,
        index: usize,
        id: &str,
    ) -> Result<(), spill_codec::DecodeError> {
        let mut bytes = Vec::with_capacity(self.bytes.len() + id.len() + 8);
        let mut start = 0;
        for (at, end) in self.ends.iter_mut().enumerate() {
            let record = &self.bytes[start..*end];
            start = *end;
            if at == index {
                spill_codec::replace_id(record, id, &mut bytes)?;
            } else {
                bytes.extend_from_slice(record);
            }
            *end = bytes.len();
        }
        self.bytes = bytes;
        Ok(())
    }

    /// How many records the group holds.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Groups already written, kept to encode later groups into: every batch
/// needs about as much room as the one before, and memory handed back and
/// taken again is faulted in and zeroed by the kernel.
#[derive(Default)]
pub(crate) struct BufferPool {
    free: Mutex<Vec<SpillGroup>>,
}

impl BufferPool {
    /// Groups kept at most (two batches in flight of 32 groups each, with
    /// room to spare); beyond, a group handed back is freed.
    const KEPT: usize = 256;

    /// The largest buffer kept: a group of unusually long documents frees
    /// its buffer once written instead of holding the memory for the rest
    /// of the run.
    const KEPT_BYTES: usize = 4 << 20;

    /// A group to encode into: one handed back, or a new one.
    pub(crate) fn take(&self) -> SpillGroup {
        self.free
            .lock()
            .ok()
            .and_then(|mut free| free.pop())
            .unwrap_or_default()
    }

    /// Hands back a group whose records were written.
    pub(crate) fn give(&self, group: SpillGroup) {
        if group.bytes.capacity() > Self::KEPT_BYTES {
            return;
        }
        if let Ok(mut free) = self.free.lock()
            && free.len() < Self::KEPT
        {
            free.push(group);
        }
    }
}

/// Appends documents as records and remembers where each starts.
pub(crate) struct SpillWriter {
    path: PathBuf,
    /// Written to directly: the groups of a batch go out in one vectored
    /// write from their own buffers, not copied into a write buffer first.
    out: File,
    offsets: Vec<u64>,
    at: u64,
}

impl SpillWriter {
    pub(crate) fn create(path: &Path) -> std::io::Result<SpillWriter> {
        Ok(SpillWriter {
            path: path.to_path_buf(),
            out: File::create(path)?,
            offsets: vec![0],
            at: 0,
        })
    }

    #[cfg(test)]
    pub(crate) fn push(&mut self, doc: &Document) -> std::io::Result<()> {
        self.push_line(&spill_line(doc, &Omitted::default()))
    }

    /// Appends one record.
    #[cfg(test)]
    pub(crate) fn push_line(&mut self, line: &[u8]) -> std::io::Result<()> {
        self.out.write_all(line)?;
        self.at += line.len() as u64;
        self.offsets.push(self.at);
        Ok(())
    }

    /// Appends the records of a group, with one write.
    #[cfg(test)]
    pub(crate) fn push_group(&mut self, group: &SpillGroup) -> std::io::Result<()> {
        self.push_groups(std::slice::from_ref(group))
    }

    /// Appends the records of groups, in order, with as few writes as the
    /// system allows (one vectored write of all of them, most of the time).
    pub(crate) fn push_groups(&mut self, groups: &[SpillGroup]) -> std::io::Result<()> {
        let mut slices: Vec<std::io::IoSlice<'_>> = groups
            .iter()
            .filter(|g| !g.bytes.is_empty())
            .map(|g| std::io::IoSlice::new(&g.bytes))
            .collect();
        write_all_vectored(&mut self.out, &mut slices)?;
        for group in groups {
            let at = self.at;
            self.offsets
                .extend(group.ends.iter().map(|&end| at + end as u64));
            self.at += group.bytes.len() as u64;
        }
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Bytes written so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.at
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

/// Writes all of `slices` to `out`, in order, however the system splits
/// the writes.
fn write_all_vectored(
    out: &mut impl Write,
    mut slices: &mut [std::io::IoSlice<'_>],
) -> std::io::Result<()> {
    loop {
        // Empty slices first are passed over (a write of nothing but
        // empty slices writes nothing).
        std::io::IoSlice::advance_slices(&mut slices, 0);
        if slices.is_empty() {
            return Ok(());
        }
        match out.write_vectored(slices) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => std::io::IoSlice::advance_slices(&mut slices, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
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
        let bytes = self.read_record(ordinal)?;
        spill_codec::decode(&bytes).map_err(|e| self.damaged(ordinal, e))
    }

    /// Reads only a document's text (the rest of the record is not decoded).
    pub(crate) fn read_text(&self, ordinal: usize) -> Result<String, StageError> {
        let bytes = self.read_record(ordinal)?;
        spill_codec::decode_text(&bytes).map_err(|e| self.damaged(ordinal, e))
    }

    /// Reads the records of a run of ordinals with one read, to be decoded
    /// one by one (by any thread) with [`SpillBatch::read`].
    pub(crate) fn read_batch(
        &self,
        ordinals: std::ops::Range<usize>,
    ) -> Result<SpillBatch<'_>, StageError> {
        let (Some(&start), Some(&end)) = (
            self.offsets.get(ordinals.start),
            self.offsets.get(ordinals.end),
        ) else {
            return Err(StageError::new(format!(
                "no documents {}..{} in the spill ({} documents)",
                ordinals.start,
                ordinals.end,
                self.offsets.len() - 1
            )));
        };
        let bytes = self
            .read_span(start, end.saturating_sub(start))
            .map_err(|e| StageError::new(format!("{}: {e}", self.path.display())))?;
        Ok(SpillBatch {
            reader: self,
            first: ordinals.start,
            base: start,
            bytes,
        })
    }

    /// The `len` bytes of the spill from `start`, read into a vector that is
    /// not zeroed first (a batch is about a megabyte: `read_exact_at` needs
    /// it initialized, and clearing it cost as much as a copy of it). The
    /// read goes through a handle of its own, whose file position no other
    /// reader shares.
    fn read_span(&self, start: u64, len: u64) -> std::io::Result<Vec<u8>> {
        use std::io::{Read, Seek, SeekFrom};
        let wanted = usize::try_from(len).map_err(std::io::Error::other)?;
        let mut file = File::open(&self.path)?;
        file.seek(SeekFrom::Start(start))?;
        let mut bytes = Vec::with_capacity(wanted);
        file.take(len).read_to_end(&mut bytes)?;
        if bytes.len() != wanted {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("{} of {wanted} bytes at {start}", bytes.len()),
            ));
        }
        Ok(bytes)
    }

    fn damaged(&self, ordinal: usize, e: spill_codec::DecodeError) -> StageError {
        StageError::new(format!("{}: document {ordinal}: {e}", self.path.display()))
    }

    fn read_record(&self, ordinal: usize) -> Result<Vec<u8>, StageError> {
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
        Ok(buf)
    }

    pub(crate) fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The records of consecutive ordinals, read at once.
pub(crate) struct SpillBatch<'r> {
    reader: &'r SpillReader,
    first: usize,
    base: u64,
    bytes: Vec<u8>,
}

impl SpillBatch<'_> {
    /// Decodes the document at `ordinal`, which must be in the batch.
    pub(crate) fn read(&self, ordinal: usize) -> Result<Document, StageError> {
        let offsets = &self.reader.offsets;
        let record = ordinal
            .checked_sub(self.first)
            .and_then(|_| Some((*offsets.get(ordinal)?, *offsets.get(ordinal + 1)?)))
            .and_then(|(start, end)| {
                let at = |o: u64| usize::try_from(o.checked_sub(self.base)?).ok();
                self.bytes.get(at(start)?..at(end)?)
            })
            .ok_or_else(|| {
                StageError::new(format!(
                    "{}: document {ordinal} is not in the batch read",
                    self.reader.path.display()
                ))
            })?;
        spill_codec::decode(record).map_err(|e| self.reader.damaged(ordinal, e))
    }
}

impl DocumentStore for SpillReader {
    fn len(&self) -> usize {
        self.offsets.len() - 1
    }
    fn get(&self, ordinal: usize) -> Result<Document, StageError> {
        self.read(ordinal)
    }
    fn get_text(&self, ordinal: usize) -> Result<String, StageError> {
        self.read_text(ordinal)
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
    fn get_text(&self, ordinal: usize) -> Result<String, StageError> {
        // Corpus stages annotate; they never rewrite the text.
        self.spill.read_text(ordinal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_core::{Annotation, Source};
    use proptest::prelude::*;

    /// One document per text, with ids `d0`, `d1`, ...
    fn documents_of(texts: &[String]) -> Vec<Document> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Document::new(format!("d{i}"), Source::default(), t.clone()))
            .collect()
    }

    fn spill(docs: &[Document]) -> (tempfile::TempDir, SpillReader) {
        let dir = tempfile::tempdir().unwrap();
        let mut w = SpillWriter::create(&dir.path().join("spill.bin")).unwrap();
        for d in docs {
            w.push(d).unwrap();
        }
        (dir, w.finish().unwrap())
    }

    proptest! {
        #[test]
        fn text_read_alone_equals_the_documents_text(texts in proptest::collection::vec(".{0,80}", 1..6)) {
            let docs: Vec<Document> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let mut d = Document::new(format!("d{i}"), Source::default(), t.clone());
                    if !t.is_empty() {
                        let end = t.chars().next().map_or(0, char::len_utf8);
                        d.annotate("first", vec![Annotation::new(0, end, "x")]).unwrap();
                    }
                    d
                })
                .collect();
            let (_dir, reader) = spill(&docs);
            for (i, d) in docs.iter().enumerate() {
                prop_assert_eq!(&reader.get_text(i).unwrap(), &d.text);
                prop_assert_eq!(&reader.get(i).unwrap().text, &d.text);
            }
            prop_assert!(reader.get_text(docs.len()).is_err());
        }

        #[test]
        fn a_batch_read_gives_the_documents_read_one_by_one(
            texts in proptest::collection::vec(".{0,40}", 1..8),
            from in 0usize..8,
            len in 0usize..8,
        ) {
            let docs = documents_of(&texts);
            let (_dir, reader) = spill(&docs);
            let from = from.min(docs.len());
            let to = (from + len).min(docs.len());
            let batch = reader.read_batch(from..to).unwrap();
            for ordinal in 0..docs.len() {
                let got = batch.read(ordinal);
                if (from..to).contains(&ordinal) {
                    prop_assert_eq!(got.unwrap(), reader.read(ordinal).unwrap());
                } else {
                    prop_assert!(got.is_err(), "document {} is outside {}..{}", ordinal, from, to);
                }
            }
            prop_assert!(reader.read_batch(0..docs.len() + 1).is_err());
        }

        /// A span read without zeroing first is what `read_exact_at` (the
        /// reader before) reads; a span reaching past the end is an error.
        #[test]
        fn a_span_read_is_what_read_exact_at_reads(
            texts in proptest::collection::vec(".{0,60}", 1..6),
            start in 0u64..400,
            len in 0u64..400,
        ) {
            let docs = documents_of(&texts);
            let (_dir, reader) = spill(&docs);
            let size = reader.file.metadata().unwrap().len();
            let got = reader.read_span(start, len);
            // (Nothing to read is read anywhere, as read_exact_at does.)
            if start + len <= size || len == 0 {
                let mut expected = vec![0u8; len as usize];
                reader.file.read_exact_at(&mut expected, start).unwrap();
                prop_assert_eq!(got.unwrap(), expected);
            } else {
                prop_assert!(got.is_err());
            }
        }

        #[test]
        fn a_group_holds_each_documents_record(texts in proptest::collection::vec(".{0,300}", 0..20)) {
            let docs = documents_of(&texts);
            let omitted = Omitted::default();
            let group = SpillGroup::encode(docs.iter(), &omitted);
            let records: Vec<&[u8]> = group.records().collect();
            prop_assert_eq!(records.len(), docs.len());
            for (record, doc) in records.iter().zip(&docs) {
                prop_assert_eq!(record.to_vec(), spill_line(doc, &omitted));
            }
        }

        #[test]
        fn a_group_encoded_into_a_reused_buffer_holds_only_its_own_records(
            before in proptest::collection::vec(".{0,300}", 0..20),
            texts in proptest::collection::vec(".{0,300}", 0..20),
        ) {
            let docs = documents_of;
            let omitted = Omitted::default();
            let pool = BufferPool::default();
            pool.give(SpillGroup::encode(docs(&before).iter(), &omitted));
            let mut group = pool.take();
            let docs = docs(&texts);
            group.encode_into(docs.iter(), &omitted);
            let fresh = SpillGroup::encode(docs.iter(), &omitted);
            prop_assert_eq!(group.records().collect::<Vec<_>>(), fresh.records().collect::<Vec<_>>());
        }

        #[test]
        fn the_pool_keeps_ordinary_buffers_and_frees_oversized_ones(long in 0usize..3) {
            let pool = BufferPool::default();
            let size = [1usize << 10, BufferPool::KEPT_BYTES / 4, BufferPool::KEPT_BYTES * 2][long];
            let doc = Document::new("d", Source::default(), "x".repeat(size));
            pool.give(SpillGroup::encode(std::iter::once(&doc), &Omitted::default()));
            let kept = pool.take().bytes.capacity();
            prop_assert_eq!(kept > 0, long < 2, "capacity {} kept for a {}-byte text", kept, size);
        }

        #[test]
        fn groups_written_together_make_the_file_written_a_group_at_a_time(
            sizes in proptest::collection::vec(proptest::collection::vec(0usize..40, 0..5), 0..6),
            split in 1usize..4,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let omitted = Omitted::default();
            let groups: Vec<SpillGroup> = sizes
                .iter()
                .enumerate()
                .map(|(g, lens)| {
                    let docs: Vec<Document> = lens
                        .iter()
                        .enumerate()
                        .map(|(i, &n)| Document::new(format!("g{g}d{i}"), Source::default(), "y".repeat(n)))
                        .collect();
                    SpillGroup::encode(docs.iter(), &omitted)
                })
                .collect();
            // The writer before: each group's bytes through a buffered file.
            let reference = dir.path().join("reference.bin");
            let mut expected_offsets = vec![0u64];
            {
                let mut out = std::io::BufWriter::with_capacity(64 << 10, File::create(&reference).unwrap());
                let mut at = 0u64;
                for group in &groups {
                    out.write_all(&group.bytes).unwrap();
                    expected_offsets.extend(group.ends.iter().map(|&end| at + end as u64));
                    at += group.bytes.len() as u64;
                }
                out.flush().unwrap();
            }
            let path = dir.path().join("spill.bin");
            let mut w = SpillWriter::create(&path).unwrap();
            for chunk in groups.chunks(split) {
                w.push_groups(chunk).unwrap();
            }
            prop_assert_eq!(&w.offsets, &expected_offsets);
            let reader = w.finish().unwrap();
            prop_assert_eq!(std::fs::read(&path).unwrap(), std::fs::read(&reference).unwrap());
            prop_assert_eq!(reader.len(), expected_offsets.len() - 1);
        }

        #[test]
        fn slices_written_in_short_writes_arrive_whole_and_in_order(
            pieces in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..20), 0..8),
            most in 1usize..9,
        ) {
            /// Takes at most `most` bytes a call, from the first slice only.
            struct Short { bytes: Vec<u8>, most: usize }
            impl Write for Short {
                fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
                    let n = data.len().min(self.most);
                    self.bytes.extend_from_slice(&data[..n]);
                    Ok(n)
                }
                fn flush(&mut self) -> std::io::Result<()> {
                    Ok(())
                }
            }
            let mut out = Short { bytes: Vec::new(), most };
            let mut slices: Vec<std::io::IoSlice<'_>> = pieces.iter().map(|p| std::io::IoSlice::new(p)).collect();
            write_all_vectored(&mut out, &mut slices).unwrap();
            prop_assert_eq!(out.bytes, pieces.concat());
        }

        #[test]
        fn documents_written_a_group_at_a_time_read_back_in_order(
            sizes in proptest::collection::vec(0usize..6, 0..6),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut w = SpillWriter::create(&dir.path().join("spill.bin")).unwrap();
            let omitted = Omitted::default();
            let mut all = Vec::new();
            for (g, size) in sizes.iter().enumerate() {
                let docs: Vec<Document> = (0..*size)
                    .map(|i| Document::new(format!("g{g}d{i}"), Source::default(), "x".repeat(g * 7 + i)))
                    .collect();
                w.push_group(&SpillGroup::encode(docs.iter(), &omitted)).unwrap();
                all.extend(docs);
            }
            prop_assert_eq!(w.len(), all.len());
            let reader = w.finish().unwrap();
            for (i, d) in all.iter().enumerate() {
                prop_assert_eq!(&reader.read(i).unwrap(), d);
            }
            prop_assert!(reader.read(all.len()).is_err());
        }
    }
}
