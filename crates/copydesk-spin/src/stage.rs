//! The `tag.spin.v1` document stage.

use crate::tagger::SpinTagger;
use copydesk_core::{Annotation, Document, DocumentStage, SpinVerdict, StageError};

/// The runtime of `tag.spin.v1`: runs the [`SpinTagger`] on the clean text,
/// stores the verdict under `doc.ext["spin"]` and the restored substitutions
/// as the `spin` layer (label `substitution`, attrs `original`, `confidence`).
#[derive(Debug)]
pub struct SpinStage {
    tagger: SpinTagger,
}

impl SpinStage {
    /// Wraps a tagger.
    pub fn new(tagger: SpinTagger) -> Self {
        SpinStage { tagger }
    }

    /// The verdict for a document: quoted speech comes from the `quotes`
    /// layer when an earlier stage made it, else from quotation marks.
    pub fn verdict(&self, doc: &Document) -> SpinVerdict {
        let quotes = doc.layer("quotes");
        if quotes.is_empty() || !self.tagger.protects_quotes() {
            self.tagger.analyze(&doc.text)
        } else {
            let mut spans: Vec<(usize, usize)> = quotes.iter().map(|a| (a.start, a.end)).collect();
            spans.extend(crate::tokens::detect_quotes(&doc.text));
            self.tagger.analyze_protected(&doc.text, &spans)
        }
    }
}

impl DocumentStage for SpinStage {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        let verdict = self.verdict(doc);
        let layer: Vec<Annotation> = verdict
            .substitutions
            .iter()
            .map(|s| {
                Annotation::new(s.start, s.end, "substitution")
                    .with("original", s.original.clone())
                    .with("confidence", (s.confidence * 1000.0).round() / 1000.0)
            })
            .collect();
        doc.annotate("spin", layer)?;
        doc.set_ext("spin", &verdict)?;
        Ok(())
    }
}
