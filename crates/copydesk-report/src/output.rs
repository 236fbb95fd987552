//! Output files: creating them with context and naming corpus tables safely.

use crate::direct::DirectFile;
use crate::error::{Context, ReportError};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A buffered output file that remembers its path for error messages.
pub(crate) struct OutputFile {
    stage: &'static str,
    path: PathBuf,
    writer: BufWriter<Sink>,
}

/// Where an output file's bytes go.
pub(crate) enum Sink {
    /// Through the page cache.
    Plain(File),
    /// Past it, in whole blocks ([`DirectFile`]).
    Direct(DirectFile),
}

impl Write for Sink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(f) => f.write(data),
            Sink::Direct(f) => f.write(data),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(f) => f.flush(),
            Sink::Direct(f) => f.flush(),
        }
    }
}

impl OutputFile {
    /// Creates (or truncates) `path`, creating its parent directories.
    pub(crate) fn create(stage: &'static str, path: PathBuf) -> Result<Self, ReportError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).at(stage, parent)?;
        }
        let file = File::create(&path).at(stage, &path)?;
        Ok(OutputFile {
            stage,
            path,
            writer: BufWriter::with_capacity(1 << 16, Sink::Plain(file)),
        })
    }

    /// Creates (or truncates) `path` for a large file written in a stream
    /// of big pieces (`documents.jsonl`): past the page cache where the
    /// system allows it ([`DirectFile`]), which gathers the bytes itself.
    pub(crate) fn create_large(stage: &'static str, path: PathBuf) -> Result<Self, ReportError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).at(stage, parent)?;
        }
        let file = DirectFile::create(&path).at(stage, &path)?;
        Ok(OutputFile {
            stage,
            path,
            writer: BufWriter::with_capacity(0, Sink::Direct(file)),
        })
    }

    /// The file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The stage writing the file (for error context).
    pub(crate) fn stage(&self) -> &'static str {
        self.stage
    }

    /// The underlying writer, for serializers.
    pub(crate) fn writer(&mut self) -> &mut BufWriter<Sink> {
        &mut self.writer
    }

    /// Writes a string.
    pub(crate) fn write_str(&mut self, s: &str) -> Result<(), ReportError> {
        self.writer
            .write_all(s.as_bytes())
            .at(self.stage, &self.path)
    }

    /// Writes bytes as they are.
    pub(crate) fn write_bytes(&mut self, bytes: &[u8]) -> Result<(), ReportError> {
        self.writer.write_all(bytes).at(self.stage, &self.path)
    }

    /// Writes one value as a JSON line.
    pub(crate) fn write_json_line<T: serde::Serialize + ?Sized>(
        &mut self,
        value: &T,
    ) -> Result<(), ReportError> {
        serde_json::to_writer(&mut self.writer, value).at(self.stage, &self.path)?;
        self.writer.write_all(b"\n").at(self.stage, &self.path)
    }

    /// Flushes and closes the file, returning its path.
    pub(crate) fn close(mut self) -> Result<PathBuf, ReportError> {
        self.writer.flush().at(self.stage, &self.path)?;
        let sink = self
            .writer
            .into_inner()
            .map_err(|e| e.into_error())
            .at(self.stage, &self.path)?;
        let file = match sink {
            Sink::Plain(file) => file,
            Sink::Direct(file) => file.finish().at(self.stage, &self.path)?,
        };
        // Some file systems cannot sync (and say so); the bytes are written
        // either way, so a failed sync is worth a warning, not a failed run.
        if let Err(e) = file.sync_all() {
            tracing::warn!(
                "{}: {}: could not sync to disk: {e}",
                self.stage,
                self.path.display()
            );
        }
        Ok(self.path)
    }
}

/// A file name for corpus table `name`: `<name>.jsonl`, with every character
/// outside `[A-Za-z0-9_.-]` replaced by `_` and leading dots removed, so a
/// table name can never reach outside the output directory.
pub(crate) fn table_file_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_start_matches('.');
    if safe.is_empty() {
        "table.jsonl".to_string()
    } else {
        format!("{safe}.jsonl")
    }
}

/// Checks an output path option (see [`copydesk_core::check_output_path`]).
pub(crate) use copydesk_core::check_output_path as check_relative_path;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_stay_inside_the_output_directory() {
        assert_eq!(table_file_name("relations"), "relations.jsonl");
        assert_eq!(table_file_name("../../etc/passwd"), "_.._etc_passwd.jsonl");
        assert_eq!(table_file_name(".."), "table.jsonl");
        assert_eq!(table_file_name("a b/c"), "a_b_c.jsonl");
    }

    #[test]
    fn output_paths_must_be_relative() {
        assert!(check_relative_path("path", "documents.jsonl").is_ok());
        assert!(check_relative_path("path", "out/documents.jsonl").is_ok());
        assert!(check_relative_path("path", "").is_err());
        assert!(check_relative_path("path", "/tmp/x").is_err());
        assert!(check_relative_path("path", "../x").is_err());
    }
}
