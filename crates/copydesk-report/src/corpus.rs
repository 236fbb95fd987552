//! What the reports read from the corpus stages' output: relations and
//! corpus-level figures.

use copydesk_core::{CorpusOutput, Relation, RelationKind};
use std::collections::BTreeMap;

pub use copydesk_core::RELATIONS_TABLE;

/// The relations of a run, parsed from the `relations` table.
#[derive(Debug, Clone, Default)]
pub struct Relations {
    /// The well-formed relations, in table order.
    pub relations: Vec<Relation>,
    /// Rows of the table that did not parse as a [`Relation`] (with the reason).
    pub malformed: Vec<String>,
}

impl Relations {
    /// Parses the `relations` table of `corpus` (empty when there is none).
    pub fn from_corpus(corpus: &CorpusOutput) -> Self {
        let mut out = Relations::default();
        let Some(table) = corpus.tables.get(RELATIONS_TABLE) else {
            return out;
        };
        match table.rows_as::<Relation>() {
            Ok(rows) => {
                for row in rows {
                    match row {
                        Ok(r) => out.relations.push(r),
                        Err(e) => out.malformed.push(format!("relations: {e}")),
                    }
                }
            }
            Err(e) => out
                .malformed
                .push(format!("relations table unreadable: {e}")),
        }
        out
    }

    /// How many relations there are of each kind, for every kind (zero included),
    /// in the order verbatim, syndicated, spun, same_story.
    pub fn counts_by_kind(&self) -> Vec<(RelationKind, usize)> {
        ALL_KINDS
            .iter()
            .map(|&k| (k, self.relations.iter().filter(|r| r.kind == k).count()))
            .collect()
    }

    /// How many distinct documents appear in a relation, as copy or source.
    pub fn documents_involved(&self) -> usize {
        let mut ids: Vec<&str> = self
            .relations
            .iter()
            .flat_map(|r| [r.doc.as_str(), r.source.as_str()])
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

/// Every relation kind, in the order reports list them.
pub const ALL_KINDS: [RelationKind; 4] = [
    RelationKind::Verbatim,
    RelationKind::Syndicated,
    RelationKind::Spun,
    RelationKind::SameStory,
];

/// The corpus summary as `(name, value)` lines: scalars as they are, objects
/// flattened one level (`relations_by_kind.spun`), other values as compact JSON.
pub fn summary_lines(corpus: &CorpusOutput) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    for (key, value) in &corpus.summary {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    lines.push((format!("{key}.{k}"), scalar_text(v)));
                }
            }
            v => lines.push((key.clone(), scalar_text(v))),
        }
    }
    lines
}

/// A JSON value as short text: strings bare, numbers and booleans as
/// written, anything else as compact JSON.
pub fn scalar_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Row counts of every corpus table, by name.
pub fn table_sizes(corpus: &CorpusOutput) -> BTreeMap<String, usize> {
    corpus
        .tables
        .iter()
        .map(|(k, v)| (k.clone(), v.len()))
        .collect()
}
