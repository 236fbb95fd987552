//! What the human-readable reports show of one document, read from its
//! layers and extension fields without failing on unexpected shapes.

use copydesk_core::{Annotation, Document, SpinVerdict};

/// The layer holding quotations (with a `speaker` attribute when known).
pub const QUOTES_LAYER: &str = "quotes";
/// The layer holding numbers, quantities, money and percentages.
pub const NUMBERS_LAYER: &str = "numbers";
/// The extension key of the spin verdict.
pub const SPIN_KEY: &str = "spin";
/// The extension key of the provenance stage's findings.
pub const PROVENANCE_KEY: &str = "provenance";

/// A quotation and who said it.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteFact {
    /// The quoted words as they stand in the text.
    pub text: String,
    /// The speaker, when the tagger found one.
    pub speaker: Option<String>,
}

/// The spin verdict of a document, when a spin stage left a well-formed one.
pub fn spin_verdict(doc: &Document) -> Option<SpinVerdict> {
    doc.get_ext(SPIN_KEY)
}

/// The text an annotation covers, or `""` when its span does not fit.
pub fn covered<'t>(doc: &'t Document, a: &Annotation) -> &'t str {
    a.slice(&doc.text).unwrap_or("")
}

/// The quotations of a document, in text order.
pub fn quotes(doc: &Document) -> Vec<QuoteFact> {
    doc.layer(QUOTES_LAYER)
        .iter()
        .map(|a| QuoteFact {
            text: covered(doc, a).to_string(),
            speaker: a.attrs.get("speaker").and_then(speaker_name),
        })
        .collect()
}

/// The story or cluster id the provenance stage gave a document, if any:
/// the first of `story`, `story_id`, `cluster`, `cluster_id` that is a
/// string or a number (the rest of the provenance value stays opaque).
pub fn story_id(doc: &Document) -> Option<String> {
    let p = doc.ext.get(PROVENANCE_KEY)?.as_object()?;
    ["story", "story_id", "cluster", "cluster_id"]
        .iter()
        .find_map(|k| match p.get(*k)? {
            serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
}

/// A speaker attribute as a name: a string, or an object's `text`/`name`.
fn speaker_name(v: &serde_json::Value) -> Option<String> {
    let name = match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(map) => map
            .get("text")
            .or_else(|| map.get("name"))
            .and_then(|v| v.as_str())?
            .to_string(),
        _ => return None,
    };
    let name = name.trim().to_string();
    (!name.is_empty()).then_some(name)
}

/// The numbers layer as `(label, covered text)` pairs, in text order.
pub fn numbers(doc: &Document) -> Vec<(String, String)> {
    doc.layer(NUMBERS_LAYER)
        .iter()
        .map(|a| (a.label.to_string(), covered(doc, a).to_string()))
        .collect()
}

/// Counts of annotations per layer, by layer name.
pub fn layer_counts(doc: &Document) -> Vec<(String, usize)> {
    doc.tags.iter().map(|(k, v)| (k.clone(), v.len())).collect()
}

/// `s` on one line (runs of whitespace become one space) and at most
/// `max_chars` characters, ending in `…` when cut.
pub fn one_line(s: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        let needed = 1 + usize::from(pending_space);
        if count + needed > max_chars {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_core::Source;
    use proptest::prelude::*;

    #[test]
    fn quotes_carry_their_speaker() {
        let mut d = Document::new("a", Source::default(), "\"We agree,\" said Ali.");
        d.annotate(
            QUOTES_LAYER,
            [Annotation::new(0, 11, "quote").with("speaker", "Ali")],
        )
        .unwrap();
        assert_eq!(
            quotes(&d),
            [QuoteFact {
                text: "\"We agree,\"".into(),
                speaker: Some("Ali".into())
            }]
        );
    }

    #[test]
    fn speaker_objects_and_blanks() {
        assert_eq!(
            speaker_name(&serde_json::json!({"text": "Ali", "start": 3})),
            Some("Ali".into())
        );
        assert_eq!(speaker_name(&serde_json::json!("  ")), None);
        assert_eq!(speaker_name(&serde_json::json!(3)), None);
    }

    #[test]
    fn story_id_reads_common_keys_only() {
        let mut d = Document::new("a", Source::default(), "x");
        assert_eq!(story_id(&d), None);
        d.ext
            .insert(PROVENANCE_KEY.into(), serde_json::json!({"story": "s-3"}));
        assert_eq!(story_id(&d), Some("s-3".into()));
        d.ext
            .insert(PROVENANCE_KEY.into(), serde_json::json!({"cluster_id": 7}));
        assert_eq!(story_id(&d), Some("7".into()));
        d.ext
            .insert(PROVENANCE_KEY.into(), serde_json::json!({"story": null}));
        assert_eq!(story_id(&d), None);
    }

    #[test]
    fn one_line_collapses_and_cuts() {
        assert_eq!(one_line("  a\n\n b  ", 10), "a b");
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(one_line("ab cd", 4), "ab c…");
    }

    proptest! {
        #[test]
        fn one_line_is_bounded_and_single_line(s in "\\PC{0,200}", n in 0usize..50) {
            let out = one_line(&s, n);
            prop_assert!(out.chars().count() <= n + 1);
            prop_assert!(!out.contains('\n'));
        }
    }
}
