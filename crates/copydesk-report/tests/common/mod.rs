//! Test fixtures: a small corpus with a spun copy of a source, its relation
//! and spin verdict, built from the texts by a word-level diff.
#![allow(dead_code)]

use copydesk_core::{
    AlignedPassage, Annotation, CorpusOutput, CorpusSummary, Document, Relation, RelationEvidence,
    RelationKind, ReportStage, Source, SpinSubstitution, SpinVerdict, StageStats, Substitution,
    TextSpan,
};
use copydesk_report::MemoryStore;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Paragraphs of the source; `None` marks a paragraph the copy dropped.
const SOURCE: &[&str] = &[
    "Beijing is pushing Pakistan to allow its own security staff to provide protection to thousands of Chinese citizens working in the country, sources said.",
    "Last month's airport bombing in Karachi killed two Chinese engineers returning to work on a project.",
    "\"They want to bring in their own security,\" one official said, adding that Pakistan had not agreed.",
    "Neither Beijing nor Islamabad confirmed the talks officially.",
    "China has invested $65 billion since 2015 in the Belt and Road projects of the China-Pakistan Economic Corridor.",
];

/// Paragraphs of the copy: spun versions of source paragraphs 0, 1, 2 and 4,
/// plus two added paragraphs carrying markup that must stay text.
const COPY: &[(&str, Option<usize>)] = &[
    (
        "Beijing is pushing Pakistan to permit its own safety staff to provide protection to hundreds of Chinese citizens working in the country, sources mentioned.",
        Some(0),
    ),
    (
        "Last month's airport bombing in Karachi, claimed by separatists, killed two Chinese language engineers returning to work on a undertaking.",
        Some(1),
    ),
    (
        "Read more: <script>window.__pwned=1</script> and more.",
        None,
    ),
    (
        "\"They want to bring in their own security,\" one official mentioned, adding that Pakistan had not agreed.",
        Some(2),
    ),
    (
        "China has invested $65 billion in the Belt and Street projects of the China-Pakistan Financial Hall.",
        Some(4),
    ),
    (
        "</script><img src=x onerror=\"window.__pwned=2\"> \"><b>bold</b>",
        None,
    ),
];

/// A text made of paragraphs and the byte span of each.
fn join(paragraphs: &[&str]) -> (String, Vec<TextSpan>) {
    let mut text = String::new();
    let mut spans = Vec::new();
    for p in paragraphs {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let start = text.len();
        text.push_str(p);
        spans.push(TextSpan {
            start,
            end: text.len(),
        });
    }
    (text, spans)
}

/// A run of unmatched words: byte range in the copy, byte range in the source.
type Run = ((usize, usize), (usize, usize));

/// What differs inside an aligned pair of passages.
struct Differences {
    /// Runs of words on neither side's common subsequence, paired up.
    substitutions: Vec<Substitution>,
    /// Runs of words only in the copy.
    added: Vec<TextSpan>,
    /// Runs of words only in the source.
    dropped: Vec<TextSpan>,
}

/// Word-level differences between an aligned pair of passages: runs of
/// words not on the longest common subsequence, paired up when both sides
/// have words, else added or dropped.
fn differences(copy: &str, c: TextSpan, source: &str, s: TextSpan) -> Differences {
    let cw: Vec<(usize, usize)> = copydesk_core::text::word_spans(&copy[c.start..c.end])
        .into_iter()
        .map(|(a, b)| (a + c.start, b + c.start))
        .collect();
    let sw: Vec<(usize, usize)> = copydesk_core::text::word_spans(&source[s.start..s.end])
        .into_iter()
        .map(|(a, b)| (a + s.start, b + s.start))
        .collect();
    let word = |t: &str, (a, b): (usize, usize)| t[a..b].to_lowercase();
    let (n, m) = (cw.len(), sw.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if word(copy, cw[i]) == word(source, sw[j]) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Differences {
        substitutions: Vec::new(),
        added: Vec::new(),
        dropped: Vec::new(),
    };
    let mut run: Option<Run> = None;
    let flush = |run: &mut Option<Run>, out: &mut Differences| match run.take() {
        Some(((ca, cb), (sa, sb))) if ca < cb && sa < sb => out.substitutions.push(Substitution {
            doc: TextSpan { start: ca, end: cb },
            source: TextSpan { start: sa, end: sb },
            spun: copy[ca..cb].to_string(),
            original: source[sa..sb].to_string(),
        }),
        Some(((ca, cb), _)) if ca < cb => out.added.push(TextSpan { start: ca, end: cb }),
        Some((_, (sa, sb))) if sa < sb => out.dropped.push(TextSpan { start: sa, end: sb }),
        _ => {}
    };
    while i < n || j < m {
        if i < n && j < m && word(copy, cw[i]) == word(source, sw[j]) {
            flush(&mut run, &mut out);
            i += 1;
            j += 1;
            continue;
        }
        let take_copy = j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]);
        let r = run.get_or_insert(((usize::MAX, 0), (usize::MAX, 0)));
        if take_copy {
            r.0 = (r.0.0.min(cw[i].0), r.0.1.max(cw[i].1));
            i += 1;
        } else {
            r.1 = (r.1.0.min(sw[j].0), r.1.1.max(sw[j].1));
            j += 1;
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The fixture: `[copy, source, unrelated]`, the relation table and stats.
pub struct Fixture {
    /// The documents in input order.
    pub docs: Vec<Document>,
    /// Corpus output with the `relations` table.
    pub corpus: CorpusOutput,
    /// Stage stats.
    pub stats: Vec<StageStats>,
    /// Failures.
    pub failures: Vec<String>,
}

/// Builds the fixture corpus.
pub fn fixture() -> Fixture {
    let (source_text, source_spans) = join(SOURCE);
    let copy_paragraphs: Vec<&str> = COPY.iter().map(|(p, _)| *p).collect();
    let (copy_text, copy_spans) = join(&copy_paragraphs);

    let mut evidence = RelationEvidence::default();
    for (k, (_, from)) in COPY.iter().enumerate() {
        match from {
            Some(si) => {
                let diff = differences(&copy_text, copy_spans[k], &source_text, source_spans[*si]);
                let subs = diff.substitutions;
                evidence.added.extend(diff.added);
                evidence.dropped.extend(diff.dropped);
                let words = copydesk_core::text::word_spans(
                    &copy_text[copy_spans[k].start..copy_spans[k].end],
                )
                .len()
                .max(1);
                evidence.aligned.push(AlignedPassage {
                    doc: copy_spans[k],
                    source: source_spans[*si],
                    similarity: 1.0 - subs.len() as f64 / words as f64,
                });
                evidence.substitutions.extend(subs);
            }
            None => evidence.added.push(copy_spans[k]),
        }
    }
    for (si, span) in source_spans.iter().enumerate() {
        if !COPY.iter().any(|(_, f)| *f == Some(si)) {
            evidence.dropped.push(*span);
        }
    }
    evidence.shared_anchors = vec!["Beijing".into(), "Karachi".into(), "$65 billion".into()];

    let mut copy = Document::new(
        "copy_000",
        Source {
            path: "seeds/000.txt".into(),
            record: None,
            line: Some(1),
        },
        copy_text.clone(),
    );
    copy.meta.headline = Some(
        "China wants own safety: <i>report</i> \"><img src=x onerror=\"window.__pwned=3\">".into(),
    );
    copy.meta.byline = Some("Asif Shahzad".into());
    copy.meta.dateline = Some("ISLAMABAD".into());
    copy.meta.credit = Some("Reuters".into());
    copy.meta.captions = vec!["Pakistan-China cooperation. - Reuters/file".into()];
    copy.meta.debris = vec!["Load Next Story0".into()];
    let quote_start = copy_text.find("\"They").unwrap_or(0);
    let quote_end = copy_text[quote_start..]
        .find(",\"")
        .map_or(quote_start, |e| quote_start + e + 2);
    copy.annotate(
        "quotes",
        [Annotation::new(quote_start, quote_end, "quote").with("speaker", "one official")],
    )
    .unwrap();
    let money = copy_text.find("$65 billion").unwrap_or(0);
    copy.annotate(
        "numbers",
        [Annotation::new(money, money + "$65 billion".len(), "money")],
    )
    .unwrap();
    let mut spin_subs: Vec<SpinSubstitution> = evidence
        .substitutions
        .iter()
        .map(|s| SpinSubstitution {
            start: s.doc.start,
            end: s.doc.end,
            spun: s.spun.clone(),
            original: s.original.clone(),
            confidence: 0.9,
            evidence: "source".into(),
        })
        .collect();
    let repaired = SpinVerdict::apply(&copy_text, &mut spin_subs);
    copy.set_ext(
        "spin",
        &SpinVerdict {
            spun: true,
            score: 0.87,
            repaired,
            source: Some("source_001".into()),
            substitutions: spin_subs,
        },
    )
    .unwrap();
    copy.set_ext("provenance", &serde_json::json!({"story": 1, "role": "copy", "note": "</script><script>window.__pwned=4</script>"})).unwrap();

    let mut source = Document::new(
        "source_001",
        Source {
            path: "seeds/001.txt".into(),
            record: None,
            line: Some(1),
        },
        source_text,
    );
    source.meta.headline = Some("China proposes own security: report".into());
    source
        .set_ext("spin", &SpinVerdict::clean(&source.text))
        .unwrap();
    source
        .set_ext(
            "provenance",
            &serde_json::json!({"story": 1, "role": "source"}),
        )
        .unwrap();

    let other = Document::new(
        "other_002",
        Source {
            path: "in/other.jsonl".into(),
            record: Some(7),
            line: Some(7),
        },
        "Wheat prices rose 3% on Tuesday, traders said. “Supply is tight,” one trader said.",
    );

    let relation = Relation {
        doc: copy.id.clone(),
        source: source.id.clone(),
        kind: RelationKind::Spun,
        score: 0.93,
        doc_ordinal: 0,
        source_ordinal: 1,
        evidence,
    };
    let mut corpus = CorpusOutput::default();
    corpus.tables.insert(
        "relations".into(),
        copydesk_core::RecordTable::from_rows([&relation]).unwrap(),
    );
    corpus
        .summary
        .insert("stories".into(), serde_json::json!(2));
    corpus
        .summary
        .insert("relations_by_kind".into(), serde_json::json!({"spun": 1}));
    let stats = vec![
        StageStats {
            stage: "load.text.v1".into(),
            docs_in: 3,
            docs_out: 3,
            failed: 0,
            time: Duration::from_millis(12),
            ..StageStats::default()
        },
        StageStats {
            stage: "provenance.v1".into(),
            docs_in: 3,
            docs_out: 3,
            failed: 0,
            time: Duration::from_millis(40),
            ..StageStats::default()
        },
    ];
    Fixture {
        docs: vec![copy, source, other],
        corpus,
        stats,
        failures: vec!["in/bad.jsonl:3: load.jsonl.v1: expected value <oops>".into()],
    }
}

/// Runs `report` over the fixture into `out_dir`; returns the files written.
pub fn run_report(report: &mut dyn ReportStage, f: &Fixture, out_dir: &Path) -> Vec<PathBuf> {
    report.begin(out_dir).unwrap();
    for d in &f.docs {
        report.write(d).unwrap();
    }
    let store = MemoryStore::new(f.docs.clone());
    let summary = CorpusSummary {
        corpus: &f.corpus,
        stats: &f.stats,
        failures: &f.failures,
        store: &store,
    };
    report.finish(&summary).unwrap()
}

/// Like [`run_report`], but as a parallel runner does it: each document is
/// rendered by the report's renderer (when it has one), then written with
/// `write_rendered`.
pub fn run_report_rendered(
    report: &mut dyn ReportStage,
    f: &Fixture,
    out_dir: &Path,
) -> Vec<PathBuf> {
    report.begin(out_dir).unwrap();
    let renderer = report.renderer();
    for d in &f.docs {
        match &renderer {
            Some(r) => {
                let rendered = r.render(d).unwrap();
                report.write_rendered(d, rendered).unwrap();
            }
            None => report.write(d).unwrap(),
        }
    }
    let store = MemoryStore::new(f.docs.clone());
    let summary = CorpusSummary {
        corpus: &f.corpus,
        stats: &f.stats,
        failures: &f.failures,
        store: &store,
    };
    report.finish(&summary).unwrap()
}

/// Every file `run_report` writes, with `run_report_rendered` instead: the
/// same bytes, after `normalize` (for per-run values such as a nonce).
pub fn assert_rendered_output_is_identical(
    make: impl Fn() -> Box<dyn ReportStage>,
    f: &Fixture,
    normalize: impl Fn(String) -> String,
) {
    let plain = tempfile::tempdir().unwrap();
    let rendered = tempfile::tempdir().unwrap();
    let plain_files = run_report(&mut *make(), f, plain.path());
    let rendered_files = run_report_rendered(&mut *make(), f, rendered.path());
    assert_eq!(plain_files.len(), rendered_files.len());
    for (a, b) in plain_files.iter().zip(&rendered_files) {
        assert_eq!(a.file_name(), b.file_name());
        let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
        assert_eq!(
            normalize(String::from_utf8_lossy(&a).into_owned()),
            normalize(String::from_utf8_lossy(&b).into_owned()),
            "{:?} differs when rendered ahead",
            b
        );
    }
}
