//! Writes the three reports for a synthetic corpus of N documents, to see
//! how the outputs scale (sizes and times are printed).
//!
//! `cargo run -p copydesk-report --example synthetic_reports -- 20000 /tmp/out`
//!
//! Every fifth document is a copy of the one before it with a few words
//! substituted, related to it by a `spun` relation with paragraph alignment.

use copydesk_core::{
    AlignedPassage, CorpusOutput, CorpusSummary, Document, Relation, RelationEvidence,
    RelationKind, ReportStage, Source, SpinSubstitution, SpinVerdict, Substitution, TextSpan,
};
use copydesk_report::{
    HtmlReport, HtmlReportConfig, JsonlReport, JsonlReportConfig, MarkdownReport,
    MarkdownReportConfig, MemoryStore,
};
use std::time::Instant;

const WORDS: &[&str] = &[
    "the",
    "minister",
    "said",
    "talks",
    "security",
    "agreement",
    "city",
    "port",
    "officials",
    "would",
    "begin",
    "project",
    "thousands",
    "workers",
    "government",
    "market",
    "prices",
    "rose",
    "Tuesday",
    "according",
    "to",
    "sources",
    "in",
    "of",
    "and",
    "a",
    "new",
    "plan",
];
const SWAPS: &[(&str, &str)] = &[
    ("security", "safety"),
    ("said", "mentioned"),
    ("thousands", "hundreds"),
    ("project", "undertaking"),
];

/// A small deterministic generator (xorshift).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as usize
    }
}

fn article(rng: &mut Rng) -> (String, Vec<TextSpan>) {
    let mut text = String::new();
    let mut paragraphs = Vec::new();
    for _ in 0..(3 + rng.next() % 5) {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let start = text.len();
        let n = 20 + rng.next() % 30;
        for i in 0..n {
            if i > 0 {
                text.push(' ');
            }
            text.push_str(WORDS[rng.next() % WORDS.len()]);
        }
        text.push('.');
        paragraphs.push(TextSpan {
            start,
            end: text.len(),
        });
    }
    (text, paragraphs)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let out = std::path::PathBuf::from(args.next().unwrap_or_else(|| "synthetic-report".into()));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut docs = Vec::with_capacity(n);
    let mut relations = Vec::new();
    let mut last: Option<(String, Vec<TextSpan>)> = None;
    for i in 0..n {
        let source = Source {
            path: format!("synthetic/{i}.txt"),
            ..Source::default()
        };
        if i % 5 == 4
            && let Some((src_text, src_paragraphs)) = last.take()
        {
            // A spun copy: swap words, keep paragraph structure.
            let mut text = String::new();
            let mut subs = Vec::new();
            let mut evidence = RelationEvidence::default();
            for p in &src_paragraphs {
                if !text.is_empty() {
                    text.push_str("\n\n");
                }
                let start = text.len();
                let mut at = p.start;
                for (ws, we) in copydesk_core::text::word_spans(&src_text[p.start..p.end]) {
                    let (ws, we) = (ws + p.start, we + p.start);
                    text.push_str(&src_text[at..ws]);
                    let word = &src_text[ws..we];
                    match SWAPS.iter().find(|(o, _)| *o == word) {
                        Some((original, spun)) => {
                            let d = TextSpan {
                                start: text.len(),
                                end: text.len() + spun.len(),
                            };
                            text.push_str(spun);
                            evidence.substitutions.push(Substitution {
                                doc: d,
                                source: TextSpan { start: ws, end: we },
                                spun: spun.to_string(),
                                original: original.to_string(),
                            });
                            subs.push(SpinSubstitution {
                                start: d.start,
                                end: d.end,
                                spun: spun.to_string(),
                                original: original.to_string(),
                                confidence: 0.9,
                                evidence: "source".into(),
                            });
                        }
                        None => text.push_str(word),
                    }
                    at = we;
                }
                text.push_str(&src_text[at..p.end]);
                evidence.aligned.push(AlignedPassage {
                    doc: TextSpan {
                        start,
                        end: text.len(),
                    },
                    source: *p,
                    similarity: 0.9,
                });
            }
            let mut doc = Document::new(format!("doc{i:06}"), source, text.clone());
            let repaired = SpinVerdict::apply(&text, &mut subs);
            doc.set_ext(
                "spin",
                &SpinVerdict {
                    spun: true,
                    score: 0.8,
                    repaired,
                    source: Some(format!("doc{:06}", i - 1)),
                    substitutions: subs,
                },
            )
            .ok();
            relations.push(Relation {
                doc: doc.id.clone(),
                source: format!("doc{:06}", i - 1),
                kind: RelationKind::Spun,
                score: 0.9,
                doc_ordinal: i,
                source_ordinal: i - 1,
                evidence,
            });
            docs.push(doc);
            continue;
        }
        let (text, paragraphs) = article(&mut rng);
        let mut doc = Document::new(format!("doc{i:06}"), source, text.clone());
        doc.meta.headline = Some(format!("Headline number {i}"));
        doc.set_ext("spin", &SpinVerdict::clean(&text)).ok();
        docs.push(doc);
        last = Some((text, paragraphs));
    }
    let mut corpus = CorpusOutput::default();
    corpus.tables.insert(
        "relations".into(),
        copydesk_core::RecordTable::from_rows(&relations).expect("temporary table file"),
    );
    let store = MemoryStore::new(docs);
    let summary = CorpusSummary {
        corpus: &corpus,
        stats: &[],
        failures: &[],
        store: &store,
    };
    let reports: Vec<(&str, Box<dyn ReportStage>)> = vec![
        (
            "report.jsonl.v1",
            Box::new(JsonlReport::new(JsonlReportConfig::default())),
        ),
        (
            "report.markdown.v1",
            Box::new(MarkdownReport::new(MarkdownReportConfig::default())),
        ),
        (
            "report.html.v1",
            Box::new(HtmlReport::new(HtmlReportConfig::default())),
        ),
    ];
    println!("{n} documents, {} relations", relations.len());
    for (name, mut report) in reports {
        let started = Instant::now();
        let files = (|| {
            report.begin(&out)?;
            for doc in store.documents() {
                report.write(doc)?;
            }
            report.finish(&summary)
        })();
        match files {
            Ok(files) => {
                let bytes: u64 = files
                    .iter()
                    .filter_map(|f| std::fs::metadata(f).ok())
                    .map(|m| m.len())
                    .sum();
                println!(
                    "{name}: {:.2} s, {} file(s), {:.1} MB",
                    started.elapsed().as_secs_f64(),
                    files.len(),
                    bytes as f64 / 1e6
                );
            }
            Err(e) => eprintln!("{name}: {e}"),
        }
    }
}
