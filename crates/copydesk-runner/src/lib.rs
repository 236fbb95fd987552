//! The copydesk runner: reads `pipeline.toml`, checks the pipeline against
//! the stage [`registry`], and runs it.
//!
//! ```no_run
//! use copydesk_runner::{Pipeline, RunOptions};
//! let pipeline = Pipeline::from_file("pipeline.toml".as_ref()).map_err(|errors| errors.len())?;
//! let summary = copydesk_runner::run(&pipeline, &RunOptions::from_pipeline(&pipeline))
//!     .map_err(|_| 0usize)?;
//! println!("{}", summary.table());
//! # Ok::<(), usize>(())
//! ```
//!
//! The run streams: a reader thread loads documents, batches of
//! `batch_size` documents go through the per-document stages in parallel
//! (rayon), corpus stages observe each batch, and documents are written to a
//! spill file in the output directory (a compact binary record per document)
//! so that corpus stages can read a few
//! back and the final pass can annotate and report them in input order.
//! Memory is bounded by the batch size and the corpus stages' own state.
//!
//! Within a batch, documents go through the stages in groups of 16, stage by
//! stage (each stage's tables stay warm in the cache, and the per-stage
//! clocks and counters are touched once per group). Each group is encoded
//! for the spill as soon as the last stage is done with it, while it is
//! still in the cache, and the layers no corpus stage needs are dropped
//! then. In the final pass the
//! reports are written by a thread of their own while the pool reads back,
//! annotates and renders the next batch.
#![deny(missing_docs)]

mod config;
mod inputs;
mod phase;
mod registry;
mod run;
mod spill;
mod spill_codec;
mod summary;

pub use config::{ConfigError, Pipeline, PlannedStage, RUN_OPTIONS, RunSection};
pub use inputs::{InputFile, Shard, expand_inputs};
pub use phase::PhaseStats;
pub use registry::{find_stage, registry};
pub use run::{RunError, RunOptions, run};
pub use summary::RunSummary;
