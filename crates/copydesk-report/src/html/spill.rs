//! A temporary file of JSON records in the output directory, read back by
//! index: the page embeds texts chosen only once every document was seen,
//! without holding every text in memory meanwhile.

use crate::error::{Context, ReportError};
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

/// Records written in order and read back by index; the file is removed
/// when the spill is dropped.
pub struct Spill {
    stage: &'static str,
    path: PathBuf,
    writer: Option<BufWriter<File>>,
    reader: Option<File>,
    /// `(offset, length)` of each record.
    records: Vec<(u64, u64)>,
    end: u64,
}

impl Spill {
    /// Creates the spill file at `path`.
    pub fn create(stage: &'static str, path: PathBuf) -> Result<Self, ReportError> {
        let file = File::create(&path).at(stage, &path)?;
        Ok(Spill {
            stage,
            path,
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            reader: None,
            records: Vec::new(),
            end: 0,
        })
    }

    /// Appends one record.
    pub fn push<T: serde::Serialize>(&mut self, value: &T) -> Result<(), ReportError> {
        let bytes = serde_json::to_vec(value).at(self.stage, &self.path)?;
        self.push_serialized(&bytes)
    }

    /// Appends one record already serialized to JSON (by [`serde_json`]).
    pub fn push_serialized(&mut self, bytes: &[u8]) -> Result<(), ReportError> {
        let writer = self.writer.as_mut().ok_or_else(|| ReportError::Io {
            stage: self.stage,
            path: self.path.clone(),
            source: std::io::Error::other("spill already being read"),
        })?;
        writer.write_all(bytes).at(self.stage, &self.path)?;
        let len = bytes.len() as u64;
        self.records.push((self.end, len));
        self.end += len;
        Ok(())
    }

    /// Reads record `index` back (the first read ends writing).
    pub fn get<T: serde::de::DeserializeOwned>(&mut self, index: usize) -> Result<T, ReportError> {
        if let Some(mut writer) = self.writer.take() {
            writer.flush().at(self.stage, &self.path)?;
            self.reader = Some(File::open(&self.path).at(self.stage, &self.path)?);
        }
        let &(offset, len) = self.records.get(index).ok_or_else(|| ReportError::Io {
            stage: self.stage,
            path: self.path.clone(),
            source: std::io::Error::other(format!("no spilled record #{index}")),
        })?;
        let reader = self.reader.as_mut().ok_or_else(|| ReportError::Io {
            stage: self.stage,
            path: self.path.clone(),
            source: std::io::Error::other("spill not readable"),
        })?;
        reader
            .seek(SeekFrom::Start(offset))
            .at(self.stage, &self.path)?;
        let mut buf = vec![0; len as usize];
        reader.read_exact(&mut buf).at(self.stage, &self.path)?;
        serde_json::from_slice(&buf).at(self.stage, &self.path)
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        self.writer = None;
        self.reader = None;
        let _ = std::fs::remove_file(&self.path);
    }
}
