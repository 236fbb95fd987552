//! copydesk: a pipeline for news text.
//!
//! This facade re-exports the crates a program needs to use copydesk as a
//! library: the document model and stage API ([`core`]), each stage family
//! ([`load`], [`clean`], [`tag`], [`spin`], [`provenance`], [`report`]) and the
//! [`runner`] that reads `pipeline.toml`. The `copydesk` binary is a thin
//! command line over the runner.
#![deny(missing_docs)]

pub use copydesk_clean as clean;
pub use copydesk_core as core;
pub use copydesk_load as load;
pub use copydesk_provenance as provenance;
pub use copydesk_report as report;
pub use copydesk_runner as runner;
pub use copydesk_spin as spin;
pub use copydesk_tag as tag;
