//! Errors of the report stages, with the file they concern.

use copydesk_core::StageError;
use std::path::PathBuf;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be created, written or read.
    #[error("{stage}: {}: {source}", path.display())]
    Io {
        /// The report stage.
        stage: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A record could not be serialized or parsed.
    #[error("{stage}: {}: {source}", path.display())]
    Json {
        /// The report stage.
        stage: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// `write` or `finish` was called before `begin`.
    #[error("{stage}: `begin` was not called before writing")]
    NotStarted {
        /// The report stage.
        stage: &'static str,
    },
}

impl From<ReportError> for StageError {
    fn from(e: ReportError) -> Self {
        StageError::new(e.to_string())
    }
}

/// Attaches the stage and file to I/O and JSON errors.
pub(crate) trait Context<T> {
    /// Wraps the error with the stage name and the path it concerns.
    fn at(self, stage: &'static str, path: &std::path::Path) -> Result<T, ReportError>;
}

impl<T> Context<T> for Result<T, std::io::Error> {
    fn at(self, stage: &'static str, path: &std::path::Path) -> Result<T, ReportError> {
        self.map_err(|source| ReportError::Io {
            stage,
            path: path.to_path_buf(),
            source,
        })
    }
}

impl<T> Context<T> for Result<T, serde_json::Error> {
    fn at(self, stage: &'static str, path: &std::path::Path) -> Result<T, ReportError> {
        self.map_err(|source| {
            // serde_json wraps writer failures; keep them as I/O errors.
            if source.is_io() {
                ReportError::Io {
                    stage,
                    path: path.to_path_buf(),
                    source: std::io::Error::other(source.to_string()),
                }
            } else {
                ReportError::Json {
                    stage,
                    path: path.to_path_buf(),
                    source,
                }
            }
        })
    }
}
