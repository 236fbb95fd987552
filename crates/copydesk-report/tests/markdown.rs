//! `report.markdown.v1`: what a reader finds in report.md.

mod common;

use copydesk_core::{Annotation, Document, Source, SpinSubstitution, SpinVerdict};
use copydesk_report::{MarkdownReport, MarkdownReportConfig};
use proptest::prelude::*;

fn render(f: &common::Fixture, config: MarkdownReportConfig) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut report = MarkdownReport::new(config);
    let files = common::run_report(&mut report, f, dir.path());
    assert_eq!(files, [dir.path().join("report.md")]);
    std::fs::read_to_string(&files[0]).unwrap()
}

#[test]
fn report_shows_run_corpus_and_documents() {
    let f = common::fixture();
    let md = render(&f, MarkdownReportConfig::default());
    // Run table.
    assert!(
        md.contains("| stage | in | out | failed | seconds |"),
        "{md}"
    );
    assert!(md.contains("| load.text.v1 | 3 | 3 | 0 | 0.01 |"), "{md}");
    // Corpus: counts by kind and the relation list with substitutions.
    assert!(md.contains("| spun | 1 |"), "{md}");
    assert!(md.contains("| verbatim | 0 |"), "{md}");
    assert!(
        md.contains("- `copy_000` → `source_001`: **spun**, score 0.93; substitutions: permit → allow, safety → security"),
        "{md}"
    );
    assert!(md.contains("- stories: 2"), "{md}");
    assert!(md.contains("- relations_by_kind.spun: 1"), "{md}");
    // Failures, with markup escaped.
    assert!(md.contains("expected value \\<oops\\>"), "{md}");
    // Document sections.
    assert!(md.contains("### 1. `copy_000`"), "{md}");
    assert!(md.contains("- source: `seeds/000.txt:1`"), "{md}");
    assert!(md.contains("- byline: Asif Shahzad"), "{md}");
    assert!(md.contains("- dateline: ISLAMABAD"), "{md}");
    assert!(md.contains("- credit: Reuters"), "{md}");
    assert!(
        md.contains("- captions removed (1): “Pakistan-China cooperation. - Reuters/file”"),
        "{md}"
    );
    assert!(
        md.contains("- debris removed (1): “Load Next Story0”"),
        "{md}"
    );
    assert!(md.contains("layers: numbers 1 · quotes 1"), "{md}");
    assert!(
        md.contains("> \"They want to bring in their own security,\" — one official"),
        "{md}"
    );
    assert!(md.contains("Numbers (1): $65 billion (money)"), "{md}");
    assert!(
        md.contains("Spin: **spun**, score 0.87, against `source_001`"),
        "{md}"
    );
    assert!(md.contains("safety → security"), "{md}");
    assert!(md.contains("mentioned → said ×2"), "{md}");
    assert!(md.contains("Spin: not spun, score 0.00"), "{md}");
    assert!(md.contains("role: copy; story: 1"), "{md}");
    // Markup in headlines is escaped.
    assert!(md.contains("\\<i\\>report\\</i\\>"), "{md}");
    let unescaped = md
        .char_indices()
        .filter(|&(i, c)| c == '<' && !md[..i].ends_with('\\'))
        .count();
    assert_eq!(unescaped, 0, "every < is escaped:\n{md}");
}

#[test]
fn bounded_by_max_documents_and_items() {
    let f = common::fixture();
    let md = render(
        &f,
        MarkdownReportConfig {
            max_documents: 1,
            max_items_per_section: 2,
            ..MarkdownReportConfig::default()
        },
    );
    assert!(md.contains("## Documents (first 1 of 3)"), "{md}");
    assert!(
        md.contains("… 2 more document(s) left out (max_documents = 1)."),
        "{md}"
    );
    assert!(!md.contains("### 2."), "{md}");
    assert!(
        md.contains("substitutions: permit → allow, safety → security (+5 more)"),
        "{md}"
    );
}

#[test]
fn quote_without_speaker_is_marked_unknown() {
    let mut d = Document::new("q", Source::default(), "“Supply is tight,” a note read.");
    let end = d.text.find('”').unwrap() + '”'.len_utf8();
    d.annotate("quotes", [Annotation::new(0, end, "quote")])
        .unwrap();
    let f = common::Fixture {
        docs: vec![d],
        corpus: Default::default(),
        stats: vec![],
        failures: vec![],
    };
    let md = render(&f, MarkdownReportConfig::default());
    assert!(
        md.contains("> “Supply is tight,” — (speaker unknown)"),
        "{md}"
    );
    assert!(md.contains("No corpus findings."), "{md}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn never_panics_and_keeps_one_section_per_document(
        texts in proptest::collection::vec(("\\PC{0,10}", "\\PC{0,200}", "\\PC{0,30}"), 1..5),
        max_items in 1usize..4,
    ) {
        let docs: Vec<Document> = texts
            .iter()
            .map(|(id, text, headline)| {
                let mut d = Document::new(id.clone(), Source { path: headline.clone(), ..Source::default() }, text.clone());
                d.meta.headline = Some(headline.clone());
                d.meta.captions = vec![text.clone()];
                let end = text.char_indices().nth(3).map_or(text.len(), |(i, _)| i);
                d.annotate("quotes", [Annotation::new(0, end, "quote").with("speaker", headline.clone())]).unwrap();
                let mut subs = vec![SpinSubstitution { start: 0, end, spun: text[..end].into(), original: headline.clone(), confidence: 1.0, evidence: "intrinsic".into() }];
                let repaired = SpinVerdict::apply(text, &mut subs);
                d.set_ext("spin", &SpinVerdict { spun: true, score: 0.5, repaired, source: None, substitutions: subs }).unwrap();
                d
            })
            .collect();
        let n = docs.len();
        let f = common::Fixture { docs, corpus: Default::default(), stats: vec![], failures: vec![] };
        let md = render(&f, MarkdownReportConfig { max_items_per_section: max_items, ..MarkdownReportConfig::default() });
        for i in 1..=n {
            let heading = format!("### {i}. ");
            prop_assert!(md.contains(&heading));
        }
        // Every line that starts a document section is a heading we wrote.
        prop_assert_eq!(md.matches("\n### ").count(), n);
    }
}
