//! The data the page's script renders from, embedded as JSON: one row per
//! document, the text of the embedded documents, and one view per relation.
//! Spans are converted to UTF-16 offsets, the unit of JavaScript strings.

use super::layout::{PassageRow, RowKind, layout};
use super::utf16::Utf16Offsets;
use crate::facts;
use copydesk_core::{Document, Meta, Relation, TextSpan};
use serde::{Deserialize, Serialize};

/// Longest headline kept in a table row, in characters.
const ROW_HEADLINE_CHARS: usize = 160;
/// Quotes kept per embedded document.
const MAX_QUOTES: usize = 50;
/// Shared anchors kept per relation.
const MAX_ANCHORS: usize = 30;

/// One row of the documents table; every document gets one.
#[derive(Debug, Clone, Serialize)]
pub struct DocRow {
    /// Document id.
    pub id: String,
    /// Source locator (`path:line`).
    pub src: String,
    /// Headline, on one bounded line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub h: Option<String>,
    /// Words in the clean text.
    pub w: usize,
    /// Spin score, when a verdict exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spin: Option<f64>,
    /// Whether the verdict says spun.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub spun: bool,
    /// Substitutions in the verdict.
    pub subs: usize,
    /// Story or cluster id from the provenance stage, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story: Option<String>,
    /// Index of the document's text in the embedded texts, when embedded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub t: Option<usize>,
}

impl DocRow {
    /// The row of `doc`.
    pub fn new(doc: &Document) -> Self {
        let verdict = facts::spin_verdict(doc);
        DocRow {
            id: doc.id.clone(),
            src: doc.source.locator(),
            h: doc
                .meta
                .headline
                .as_deref()
                .map(|h| facts::one_line(h, ROW_HEADLINE_CHARS)),
            w: copydesk_core::text::word_spans(&doc.text).len(),
            spin: verdict.as_ref().map(|v| v.score),
            spun: verdict.as_ref().is_some_and(|v| v.spun),
            subs: verdict.as_ref().map_or(0, |v| v.substitutions.len()),
            story: facts::story_id(doc),
            t: None,
        }
    }
}

/// A spin substitution for the page: UTF-16 span in the text, and wording.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpinMark {
    /// UTF-16 start and end in the text.
    pub at: [usize; 2],
    /// The spun wording.
    pub spun: String,
    /// The wording restored.
    pub original: String,
    /// Confidence in 0..1.
    pub conf: f64,
}

/// The spin verdict of an embedded document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpinView {
    /// Whether the document looks spun.
    pub spun: bool,
    /// Spin score in 0..1.
    pub score: f64,
    /// The source the verdict rests on, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<String>,
    /// Substitutions, in text order.
    pub subs: Vec<SpinMark>,
    /// The repaired text, only when it is not the text with `subs` applied
    /// (the script rebuilds it otherwise, to keep the page small).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub repaired: Option<String>,
}

/// A quotation and its speaker.
pub type QuoteView = (String, Option<String>);

/// What the page shows of an embedded document beyond its row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocText {
    /// The clean text.
    pub text: String,
    /// Metadata (headline, byline, captions and debris removed, ...).
    pub meta: Meta,
    /// Annotation counts per layer.
    pub layers: Vec<(String, usize)>,
    /// Quotations with their speaker (at most [`MAX_QUOTES`]).
    pub quotes: Vec<QuoteView>,
    /// The spin verdict, when present.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub spin: Option<SpinView>,
    /// The provenance stage's findings, shown as JSON.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub prov: Option<serde_json::Value>,
}

impl DocText {
    /// The embedded view of `doc`.
    pub fn new(doc: &Document) -> Self {
        let offsets = Utf16Offsets::new(&doc.text);
        let spin = facts::spin_verdict(doc).map(|v| {
            let mut subs = v.substitutions.clone();
            let rebuilt = copydesk_core::SpinVerdict::apply(&doc.text, &mut subs);
            SpinView {
                spun: v.spun,
                score: v.score,
                source: v.source.clone(),
                subs: subs
                    .iter()
                    .filter_map(|s| {
                        Some(SpinMark {
                            at: offsets.span(s.start, s.end)?,
                            spun: s.spun.clone(),
                            original: s.original.clone(),
                            conf: s.confidence,
                        })
                    })
                    .collect(),
                repaired: (rebuilt != v.repaired).then_some(v.repaired),
            }
        });
        DocText {
            text: doc.text.clone(),
            meta: doc.meta.clone(),
            layers: facts::layer_counts(doc),
            quotes: facts::quotes(doc)
                .into_iter()
                .take(MAX_QUOTES)
                .map(|q| (q.text, q.speaker))
                .collect(),
            spin,
            prov: doc.ext.get(facts::PROVENANCE_KEY).cloned(),
        }
    }
}

/// A substitution of a relation: UTF-16 spans in the copy and the source.
#[derive(Debug, Clone, Serialize)]
pub struct SubView {
    /// Span in the copy.
    pub d: [usize; 2],
    /// Span in the source.
    pub s: [usize; 2],
    /// The copy's wording.
    pub spun: String,
    /// The source's wording.
    pub original: String,
}

/// One relation for the page.
#[derive(Debug, Clone, Serialize)]
pub struct RelationView {
    /// Row index of the copy in the documents table, if it was written.
    pub d: Option<usize>,
    /// Row index of the source, if it was written.
    pub s: Option<usize>,
    /// The copy's id.
    pub doc: String,
    /// The source's id.
    pub source: String,
    /// Relation kind (`spun`, ...).
    pub kind: &'static str,
    /// Confidence in 0..1.
    pub score: f64,
    /// Counts: aligned, added, dropped passages and substitutions.
    pub n: [usize; 4],
    /// Names, numbers and quotes found in both.
    pub anchors: Vec<String>,
    /// Side-by-side rows, when both texts are embedded.
    pub rows: Option<Vec<PassageRow<[usize; 2]>>>,
    /// Substitutions, when both texts are embedded.
    pub subs: Vec<SubView>,
}

impl RelationView {
    /// The view of `r`; `texts` gives the copy's and the source's embedded
    /// text when both are embedded.
    pub fn new(
        r: &Relation,
        rows: (Option<usize>, Option<usize>),
        texts: Option<(&str, &str)>,
    ) -> Self {
        let e = &r.evidence;
        let mut view = RelationView {
            d: rows.0,
            s: rows.1,
            doc: r.doc.clone(),
            source: r.source.clone(),
            kind: r.kind.as_str(),
            score: r.score,
            n: [
                e.aligned.len(),
                e.added.len(),
                e.dropped.len(),
                e.substitutions.len(),
            ],
            anchors: e.shared_anchors.iter().take(MAX_ANCHORS).cloned().collect(),
            rows: None,
            subs: Vec::new(),
        };
        if let Some((doc_text, source_text)) = texts {
            let d = Utf16Offsets::new(doc_text);
            let s = Utf16Offsets::new(source_text);
            view.rows = Some(
                layout(e)
                    .into_iter()
                    .filter_map(|row| {
                        let doc = match row.doc {
                            Some(span) => Some(d.span(span.start, span.end)?),
                            None => None,
                        };
                        let source = match row.source {
                            Some(span) => Some(s.span(span.start, span.end)?),
                            None => None,
                        };
                        // A row needs the side its kind promises.
                        let complete = match row.kind {
                            RowKind::Aligned => doc.is_some() && source.is_some(),
                            RowKind::Added => doc.is_some(),
                            RowKind::Dropped => source.is_some(),
                        };
                        let inside = |spans: &[TextSpan], o: &Utf16Offsets| {
                            spans
                                .iter()
                                .filter_map(|span| o.span(span.start, span.end))
                                .collect()
                        };
                        complete.then_some(PassageRow {
                            kind: row.kind,
                            doc,
                            source,
                            similarity: row.similarity,
                            added: inside(&row.added, &d),
                            dropped: inside(&row.dropped, &s),
                        })
                    })
                    .collect(),
            );
            view.subs = e
                .substitutions
                .iter()
                .filter_map(|sub| {
                    Some(SubView {
                        d: d.span(sub.doc.start, sub.doc.end)?,
                        s: s.span(sub.source.start, sub.source.end)?,
                        spun: sub.spun.clone(),
                        original: sub.original.clone(),
                    })
                })
                .collect();
        }
        view
    }
}
