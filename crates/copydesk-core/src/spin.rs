//! The `spin` verdict shared by the intrinsic spin tagger and provenance.

use serde::{Deserialize, Serialize};

/// One substituted word or phrase and the wording it replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpinSubstitution {
    /// Byte offset of the spun wording in the clean text.
    pub start: usize,
    /// Byte offset one past the spun wording.
    pub end: usize,
    /// The spun wording as it stands in the text.
    pub spun: String,
    /// The wording it most likely replaced.
    pub original: String,
    /// Confidence in 0..1.
    pub confidence: f64,
    /// What found it: `"source"` (aligned against a source document) or
    /// `"intrinsic"` (language evidence alone).
    pub evidence: String,
}

/// The document-level spin verdict, stored under the `spin` key of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpinVerdict {
    /// Whether the document looks machine-spun.
    pub spun: bool,
    /// Spin score in 0..1.
    pub score: f64,
    /// The text with spun wording restored; equal to the text when nothing was restored.
    pub repaired: String,
    /// The source document's id when the verdict rests on an aligned source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The substitutions restored in `repaired`, in text order.
    #[serde(default)]
    pub substitutions: Vec<SpinSubstitution>,
}

impl SpinVerdict {
    /// The verdict for a document with no sign of spin.
    pub fn clean(text: &str) -> Self {
        SpinVerdict {
            spun: false,
            score: 0.0,
            repaired: text.to_string(),
            source: None,
            substitutions: Vec::new(),
        }
    }

    /// Builds `repaired` from `text` by applying non-overlapping substitutions
    /// (sorted by start; overlapping later ones are dropped).
    pub fn apply(text: &str, subs: &mut Vec<SpinSubstitution>) -> String {
        subs.sort_by_key(|s| (s.start, s.end));
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        subs.retain(|s| {
            let ok = s.start >= at
                && s.end <= text.len()
                && text.is_char_boundary(s.start)
                && text.is_char_boundary(s.end);
            if ok {
                out.push_str(&text[at..s.start]);
                out.push_str(&s.original);
                at = s.end;
            }
            ok
        });
        out.push_str(&text[at..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(start: usize, end: usize, original: &str) -> SpinSubstitution {
        SpinSubstitution {
            start,
            end,
            spun: String::new(),
            original: original.into(),
            confidence: 1.0,
            evidence: "test".into(),
        }
    }

    #[test]
    fn apply_replaces_and_drops_overlaps() {
        let text = "sources mentioned the safety";
        let mut subs = vec![
            sub(22, 28, "security"),
            sub(8, 17, "said"),
            sub(10, 12, "x"),
        ];
        let out = SpinVerdict::apply(text, &mut subs);
        assert_eq!(out, "sources said the security");
        assert_eq!(subs.len(), 2);
    }
}
