//! Cross-document relations: the records of the `relations` table, shared by
//! the provenance stage that finds them and the reports that show them.

use serde::{Deserialize, Serialize};

/// The name of the corpus table holding [`Relation`] records (written as
/// `relations.jsonl`); the provenance stage fills it, the reports read it.
pub const RELATIONS_TABLE: &str = "relations";

/// How a document relates to its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// Same text up to layout and debris.
    Verbatim,
    /// Same text with edits (headline, dateline, dropped or added paragraphs, small wording edits).
    Syndicated,
    /// Systematic synonym substitution.
    Spun,
    /// Independent coverage of the same event.
    SameStory,
}

impl RelationKind {
    /// The snake_case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::Verbatim => "verbatim",
            RelationKind::Syndicated => "syndicated",
            RelationKind::Spun => "spun",
            RelationKind::SameStory => "same_story",
        }
    }
}

/// A byte span `start..end` of one document's clean text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSpan {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// A passage of the document aligned with a passage of the source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlignedPassage {
    /// The passage in the document.
    pub doc: TextSpan,
    /// The matching passage in the source.
    pub source: TextSpan,
    /// Share of the passage's words that are the same in both (0..1).
    pub similarity: f64,
}

/// A word or phrase of the document that replaced the source's wording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Substitution {
    /// Where it stands in the document.
    pub doc: TextSpan,
    /// Where the replaced wording stands in the source.
    pub source: TextSpan,
    /// The document's wording.
    pub spun: String,
    /// The source's wording.
    pub original: String,
}

/// Why a relation was reported: what is shared, added, dropped and substituted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RelationEvidence {
    /// Aligned passages, in document order.
    #[serde(default)]
    pub aligned: Vec<AlignedPassage>,
    /// Passages of the document with no counterpart in the source.
    #[serde(default)]
    pub added: Vec<TextSpan>,
    /// Passages of the source with no counterpart in the document.
    #[serde(default)]
    pub dropped: Vec<TextSpan>,
    /// Substituted words and phrases (for `spun`; small edits for `syndicated`).
    #[serde(default)]
    pub substitutions: Vec<Substitution>,
    /// Names, numbers and quotes found in both.
    #[serde(default)]
    pub shared_anchors: Vec<String>,
}

/// One record of `relations.jsonl`: `doc` derives from (or shares its story with) `source`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    /// The derived document's id.
    pub doc: String,
    /// The source document's id.
    pub source: String,
    /// How `doc` relates to `source`.
    pub kind: RelationKind,
    /// Confidence in 0..1.
    pub score: f64,
    /// Ordinal of `doc` in the run (for reading it back).
    pub doc_ordinal: usize,
    /// Ordinal of `source` in the run.
    pub source_ordinal: usize,
    /// The evidence.
    pub evidence: RelationEvidence,
}
