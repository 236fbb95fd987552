//! Errors shared by stages.

use std::path::PathBuf;

/// An annotation span that does not fit the text, or text changed under spans.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpanError {
    /// The span reaches outside the text or is reversed.
    #[error("layer `{layer}`: span {start}..{end} outside text of {len} bytes")]
    OutOfBounds {
        /// Layer name.
        layer: String,
        /// Span start.
        start: usize,
        /// Span end.
        end: usize,
        /// Text length.
        len: usize,
    },
    /// The span cuts a UTF-8 character.
    #[error("layer `{layer}`: span {start}..{end} is not on char boundaries")]
    NotCharBoundary {
        /// Layer name.
        layer: String,
        /// Span start.
        start: usize,
        /// Span end.
        end: usize,
    },
    /// A cleaning stage tried to rewrite text that already has annotations.
    #[error("text rewritten after annotation layer `{layer}` was added: clean before you tag")]
    TextChangedUnderAnnotations {
        /// The first non-empty layer found.
        layer: String,
    },
}

/// Why a stage could not process a document (the runner adds the stage name
/// and the document's source).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StageError {
    /// What went wrong.
    pub message: String,
}

impl StageError {
    /// A stage error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        StageError {
            message: message.into(),
        }
    }
}

impl From<SpanError> for StageError {
    fn from(e: SpanError) -> Self {
        StageError::new(e.to_string())
    }
}

impl From<serde_json::Error> for StageError {
    fn from(e: serde_json::Error) -> Self {
        StageError::new(e.to_string())
    }
}

impl From<std::io::Error> for StageError {
    fn from(e: std::io::Error) -> Self {
        StageError::new(e.to_string())
    }
}

/// An input that could not be read or parsed, with where it happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", locator(path, *line, *record))]
pub struct LoadError {
    /// The file.
    pub path: PathBuf,
    /// The line (from 1), where the format has lines.
    pub line: Option<u64>,
    /// The record (from 1), where the format has records.
    pub record: Option<u64>,
    /// What went wrong.
    pub message: String,
}

impl LoadError {
    /// An error about a whole file.
    pub fn file(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        LoadError {
            path: path.into(),
            line: None,
            record: None,
            message: message.into(),
        }
    }

    /// An error about one line or record of a file.
    pub fn at(
        path: impl Into<PathBuf>,
        line: Option<u64>,
        record: Option<u64>,
        message: impl Into<String>,
    ) -> Self {
        LoadError {
            path: path.into(),
            line,
            record,
            message: message.into(),
        }
    }
}

fn locator(path: &std::path::Path, line: Option<u64>, record: Option<u64>) -> String {
    match (line, record) {
        (Some(l), Some(r)) => format!("{}:{l} (record {r})", path.display()),
        (Some(l), None) => format!("{}:{l}", path.display()),
        (None, Some(r)) => format!("{} (record {r})", path.display()),
        (None, None) => path.display().to_string(),
    }
}
