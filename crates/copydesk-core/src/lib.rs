//! The copydesk document model and stage API.
//!
//! This is the small crate that every stage depends on (as tantivy's
//! `tokenizer-api`): a stage written against it does not depend on the
//! runner or on any other stage.
//!
//! * [`Document`] is what flows through a pipeline: raw and clean text,
//!   metadata, layered [`Annotation`]s and free extension fields.
//! * Stages come in four kinds ([`StageKind`]): loaders ([`LoadStage`]),
//!   per-document stages ([`DocumentStage`]), corpus stages
//!   ([`CorpusStage`]) that see the whole corpus, and reports
//!   ([`ReportStage`]).
//! * A stage is registered through a [`StageFactory`], usually built with
//!   [`factory`] from a config struct implementing [`StageConfig`].
//!
//! # Spans and cleaning
//!
//! Annotation spans are byte offsets into [`Document::text`] (the clean
//! text). copydesk's rule is **clean before tag**: a stage that rewrites the
//! text declares [`StageFactory::rewrites_text`], and the runner refuses a
//! pipeline that places such a stage after a stage that adds annotations.
//! The same rule is enforced on each document at run time:
//! [`Document::set_text`] fails once the document carries annotations, so a
//! span can never point into text that has since changed.
#![deny(missing_docs)]

mod annotation;
mod attrs;
mod capability;
mod config;
mod derived;
mod document;
mod error;
mod relation;
mod spin;
mod stage;
mod table;
pub mod testing;
pub mod text;

pub use annotation::{Annotation, Attrs, Label};
pub use capability::{Capability, cap};
pub use config::{OptionDoc, OptionError, StageConfig, check_output_path, factory, parse_options};
pub use derived::Derived;
pub use document::{Document, Meta, Source};
pub use error::{LoadError, SpanError, StageError};
pub use relation::{
    AlignedPassage, RELATIONS_TABLE, Relation, RelationEvidence, RelationKind, Substitution,
    TextSpan,
};
pub use spin::{SpinSubstitution, SpinVerdict};
pub use stage::{
    BuiltStage, CorpusOutput, CorpusStage, CorpusSummary, DocumentRenderer, DocumentStage,
    DocumentStore, LoadStage, Observation, Rendered, ReportStage, StageFactory, StageKind,
    StageStats,
};
pub use table::{RecordTable, TableRows};
