//! Writing a stage's layer into a document without copying it.

use copydesk_core::{Annotation, Document, SpanError};

/// Adds `annotations` to `layer` of `doc`, exactly as
/// [`Document::annotate`] would (same checks, same errors, same order),
/// but hands the vector over instead of copying it when the layer is new
/// (the usual case: each stage writes its own layer once). Tagging writes
/// millions of annotations, so the copy and its reallocations matter.
pub fn add_layer(
    doc: &mut Document,
    layer: &str,
    mut annotations: Vec<Annotation>,
) -> Result<(), SpanError> {
    let text = &doc.text;
    // In ASCII text every offset up to its length is a char boundary: the
    // text is read once instead of two boundary tests an annotation.
    let valid = if text.is_ascii() {
        annotations
            .iter()
            .all(|a| a.start <= a.end && a.end <= text.len())
    } else {
        annotations.iter().all(|a| {
            a.start <= a.end
                && a.end <= text.len()
                && text.is_char_boundary(a.start)
                && text.is_char_boundary(a.end)
        })
    };
    let existing = doc.tags.get(layer).is_some_and(|v| !v.is_empty());
    if !valid || existing {
        // The core reports the first bad span, or merges into the layer.
        return doc.annotate(layer, annotations);
    }
    // Stages write in order: the (stable) sort would leave the vector as
    // it is, so it runs only when some annotation is out of order.
    if !annotations.is_sorted_by_key(|a| (a.start, a.end)) {
        annotations.sort_by_key(|a| (a.start, a.end));
    }
    doc.tags.insert(layer.to_string(), annotations);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_core::Source;
    use proptest::prelude::*;

    fn spans(v: &[(usize, usize)]) -> Vec<Annotation> {
        v.iter().map(|&(s, e)| Annotation::new(s, e, "x")).collect()
    }

    proptest! {
        // Same result as the core's annotate: layers, order and errors.
        #[test]
        fn agrees_with_document_annotate(
            text in "([aé ]{0,12}|[a ]{0,12})",
            first in proptest::collection::vec((0usize..16, 0usize..16), 0..6),
            second in proptest::collection::vec((0usize..16, 0usize..16), 0..6),
        ) {
            let mut ours = Document::new("d", Source::default(), text.clone());
            let mut core = ours.clone();
            for batch in [&first, &second] {
                let a = add_layer(&mut ours, "l", spans(batch));
                let b = core.annotate("l", spans(batch));
                prop_assert_eq!(a, b);
                prop_assert_eq!(&ours, &core);
            }
        }
    }
}
