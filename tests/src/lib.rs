//! Helpers for copydesk's end-to-end tests: run a pipeline into a temporary
//! directory and read its outputs back.
#![deny(missing_docs)]

use copydesk_runner::{Pipeline, RunOptions, RunSummary};
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The default `pipeline.toml`, checked.
pub fn default_pipeline() -> Pipeline {
    let path = root().join("pipeline.toml");
    Pipeline::from_file(&path).unwrap_or_else(|errors| {
        panic!(
            "pipeline.toml does not validate: {:#?}",
            errors.iter().map(|e| e.to_string()).collect::<Vec<_>>()
        )
    })
}

/// A finished run and where its outputs are.
pub struct Outcome {
    /// The output directory (deleted when this is dropped).
    pub dir: tempfile::TempDir,
    /// The run summary.
    pub summary: RunSummary,
}

impl Outcome {
    /// Path of an output file.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Every line of a JSON lines output, parsed.
    pub fn jsonl(&self, name: &str) -> Vec<serde_json::Value> {
        let text =
            std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: {e}: {l}")))
            .collect()
    }

    /// The document with this id from `documents.jsonl`.
    pub fn document(&self, id: &str) -> serde_json::Value {
        self.jsonl("documents.jsonl")
            .into_iter()
            .find(|d| d["id"] == id)
            .unwrap_or_else(|| panic!("no document {id}"))
    }
}

/// Runs `pipeline` on `inputs` with `threads` workers into a fresh temporary directory.
pub fn run_on(pipeline: &Pipeline, inputs: &[String], threads: usize) -> Outcome {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut options = RunOptions::from_pipeline(pipeline);
    options.inputs = inputs.to_vec();
    options.output = dir.path().to_path_buf();
    options.threads = threads;
    options.progress = false;
    let summary =
        copydesk_runner::run(pipeline, &options).unwrap_or_else(|e| panic!("run failed: {e}"));
    Outcome { dir, summary }
}

/// The seed inputs.
pub fn seeds() -> Vec<String> {
    vec![root().join("seeds").display().to_string()]
}
