//! The side-by-side layout of a relation: aligned passages in parallel
//! rows, added passages (copy only) and dropped passages (source only) in
//! rows of their own, in reading order. A clause added or dropped inside an
//! aligned passage stays in that passage's row, marked where it is.

use copydesk_core::{RelationEvidence, TextSpan};

/// What a row of the side-by-side view holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum RowKind {
    /// A passage of the copy aligned with a passage of the source.
    #[serde(rename = "=")]
    Aligned,
    /// A passage only in the copy.
    #[serde(rename = "+")]
    Added,
    /// A passage only in the source.
    #[serde(rename = "-")]
    Dropped,
}

/// One row of the side-by-side view, with spans of type `S`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PassageRow<S> {
    /// What the row holds.
    pub kind: RowKind,
    /// The passage in the copy, if any.
    pub doc: Option<S>,
    /// The passage in the source, if any.
    pub source: Option<S>,
    /// Word similarity of an aligned pair (0..1).
    pub similarity: Option<f64>,
    /// Added passages inside this row's copy passage (aligned rows only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<S>,
    /// Dropped passages inside this row's source passage (aligned rows only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<S>,
}

impl<S> PassageRow<S> {
    fn passage(kind: RowKind, doc: Option<S>, source: Option<S>) -> Self {
        PassageRow {
            kind,
            doc,
            source,
            similarity: None,
            added: Vec::new(),
            dropped: Vec::new(),
        }
    }
}

/// The first aligned row whose passage on one side (`side`) holds `span`.
fn holder(
    rows: &mut [PassageRow<TextSpan>],
    span: TextSpan,
    side: fn(&PassageRow<TextSpan>) -> Option<TextSpan>,
) -> Option<&mut PassageRow<TextSpan>> {
    rows.iter_mut().find(|r| {
        r.kind == RowKind::Aligned
            && side(r).is_some_and(|s| s.start <= span.start && span.end <= s.end)
    })
}

/// Orders a relation's evidence for reading: aligned and added passages in
/// the copy's order; each dropped passage just before the first aligned
/// passage that comes after it in the source (or at the end). An added
/// passage inside an aligned row's copy passage, or a dropped one inside its
/// source passage, is listed in that row (`added`, `dropped`) instead of
/// getting a row of its own.
pub fn layout(evidence: &RelationEvidence) -> Vec<PassageRow<TextSpan>> {
    let mut copy_side: Vec<PassageRow<TextSpan>> = evidence
        .aligned
        .iter()
        .map(|a| PassageRow {
            similarity: Some(a.similarity),
            ..PassageRow::passage(RowKind::Aligned, Some(a.doc), Some(a.source))
        })
        .collect();
    let mut added = evidence.added.clone();
    added.sort_by_key(|s| (s.start, s.end));
    for span in added {
        match holder(&mut copy_side, span, |r| r.doc) {
            Some(row) => row.added.push(span),
            None => copy_side.push(PassageRow::passage(RowKind::Added, Some(span), None)),
        }
    }
    copy_side.sort_by_key(|r| r.doc.map(|s| (s.start, s.end)));

    let mut dropped = evidence.dropped.clone();
    dropped.sort_by_key(|s| (s.start, s.end));
    dropped.retain(|&span| match holder(&mut copy_side, span, |r| r.source) {
        Some(row) => {
            row.dropped.push(span);
            false
        }
        None => true,
    });
    // (position in copy_side it goes before, source start) for each dropped passage.
    let mut placed: Vec<(usize, PassageRow<TextSpan>)> = dropped
        .into_iter()
        .map(|span| {
            let before = copy_side
                .iter()
                .position(|r| {
                    r.kind == RowKind::Aligned && r.source.is_some_and(|s| s.start >= span.end)
                })
                .unwrap_or(copy_side.len());
            (
                before,
                PassageRow::passage(RowKind::Dropped, None, Some(span)),
            )
        })
        .collect();
    placed.sort_by_key(|(before, r)| (*before, r.source.map(|s| s.start)));

    let mut rows = Vec::with_capacity(copy_side.len() + placed.len());
    let mut pending = placed.into_iter().peekable();
    for (i, row) in copy_side.into_iter().enumerate() {
        while let Some((_, r)) = pending.next_if(|(before, _)| *before <= i) {
            rows.push(r);
        }
        rows.push(row);
    }
    rows.extend(pending.map(|(_, r)| r));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_core::AlignedPassage;
    use proptest::prelude::*;

    fn span(start: usize, end: usize) -> TextSpan {
        TextSpan { start, end }
    }

    fn aligned(d: (usize, usize), s: (usize, usize)) -> AlignedPassage {
        AlignedPassage {
            doc: span(d.0, d.1),
            source: span(s.0, s.1),
            similarity: 1.0,
        }
    }

    #[test]
    fn dropped_and_added_passages_take_their_reading_place() {
        let evidence = RelationEvidence {
            aligned: vec![aligned((50, 90), (60, 100)), aligned((0, 40), (0, 30))],
            added: vec![span(40, 50)],
            dropped: vec![span(30, 60), span(100, 120)],
            ..RelationEvidence::default()
        };
        let kinds: Vec<(RowKind, Option<usize>, Option<usize>)> = layout(&evidence)
            .iter()
            .map(|r| (r.kind, r.doc.map(|s| s.start), r.source.map(|s| s.start)))
            .collect();
        assert_eq!(
            kinds,
            [
                (RowKind::Aligned, Some(0), Some(0)),
                (RowKind::Added, Some(40), None),
                (RowKind::Dropped, None, Some(30)),
                (RowKind::Aligned, Some(50), Some(60)),
                (RowKind::Dropped, None, Some(100)),
            ]
        );
    }

    #[test]
    fn a_clause_edited_inside_an_aligned_sentence_stays_in_its_row() {
        let evidence = RelationEvidence {
            aligned: vec![aligned((0, 100), (0, 90)), aligned((100, 150), (90, 140))],
            added: vec![span(40, 55), span(150, 170)],
            dropped: vec![span(30, 42)],
            ..RelationEvidence::default()
        };
        let rows = layout(&evidence);
        let kinds: Vec<RowKind> = rows.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [RowKind::Aligned, RowKind::Aligned, RowKind::Added],
            "only the passage after every aligned one gets a row"
        );
        assert_eq!(rows[0].added, [span(40, 55)]);
        assert_eq!(rows[0].dropped, [span(30, 42)]);
        assert!(rows[1].added.is_empty() && rows[1].dropped.is_empty());
    }

    proptest! {
        #[test]
        fn every_passage_appears_once(
            a in proptest::collection::vec((0usize..500, 0usize..50, 0usize..500, 0usize..50), 0..8),
            added in proptest::collection::vec((0usize..500, 0usize..50), 0..5),
            dropped in proptest::collection::vec((0usize..500, 0usize..50), 0..5),
        ) {
            let evidence = RelationEvidence {
                aligned: a.iter().map(|&(d, dl, s, sl)| aligned((d, d + dl), (s, s + sl))).collect(),
                added: added.iter().map(|&(s, l)| span(s, s + l)).collect(),
                dropped: dropped.iter().map(|&(s, l)| span(s, s + l)).collect(),
                ..RelationEvidence::default()
            };
            let rows = layout(&evidence);
            let inline_added: usize = rows.iter().map(|r| r.added.len()).sum();
            let inline_dropped: usize = rows.iter().map(|r| r.dropped.len()).sum();
            prop_assert_eq!(
                rows.len() + inline_added + inline_dropped,
                a.len() + added.len() + dropped.len()
            );
            prop_assert_eq!(
                rows.iter().filter(|r| r.kind == RowKind::Dropped).count() + inline_dropped,
                dropped.len()
            );
            // Inline passages lie inside their aligned row's passage.
            for r in &rows {
                prop_assert!(r.kind == RowKind::Aligned || (r.added.is_empty() && r.dropped.is_empty()));
                for s in &r.added {
                    prop_assert!(r.doc.is_some_and(|d| d.start <= s.start && s.end <= d.end));
                }
                for s in &r.dropped {
                    prop_assert!(r.source.is_some_and(|d| d.start <= s.start && s.end <= d.end));
                }
            }
            // Rows with a copy passage stay in copy order.
            let starts: Vec<usize> = rows.iter().filter_map(|r| r.doc.map(|s| s.start)).collect();
            prop_assert!(starts.windows(2).all(|w| w[0] <= w[1]));
        }
    }
}
