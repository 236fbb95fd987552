//! `report.jsonl.v1`: documents, corpus tables, failures and summary.

mod common;

use copydesk_core::{Annotation, Document, Relation, ReportStage, Source};
use copydesk_report::{JsonlReport, JsonlReportConfig};
use proptest::prelude::*;
use serde_json::Value;

fn lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn documents_carry_text_tags_and_extension_fields() {
    let f = common::fixture();
    let dir = tempfile::tempdir().unwrap();
    let mut report = JsonlReport::new(JsonlReportConfig::default());
    let files = common::run_report(&mut report, &f, dir.path());
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "documents.jsonl",
            "relations.jsonl",
            "failures.jsonl",
            "summary.json"
        ]
    );

    let docs = lines(&dir.path().join("documents.jsonl"));
    assert_eq!(docs.len(), 3);
    let copy = &docs[0];
    assert_eq!(copy["id"], "copy_000");
    assert_eq!(copy["text"], f.docs[0].text.as_str());
    assert!(copy.get("raw").is_none(), "raw is off by default");
    assert_eq!(copy["meta"]["byline"], "Asif Shahzad");
    assert_eq!(copy["meta"]["debris"][0], "Load Next Story0");
    let quote = &copy["tags"]["quotes"][0];
    assert_eq!(quote["attrs"]["speaker"], "one official");
    assert_eq!(
        quote["text"],
        "\"They want to bring in their own security,\""
    );
    assert_eq!(copy["tags"]["numbers"][0]["text"], "$65 billion");
    assert_eq!(copy["spin"]["spun"], true);
    assert!(
        copy["spin"]["substitutions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["spun"] == "safety" && s["original"] == "security")
    );
    assert_eq!(copy["provenance"]["role"], "copy");
    assert_eq!(docs[2]["source"]["record"], 7);

    let relations = lines(&dir.path().join("relations.jsonl"));
    let r: Relation = serde_json::from_value(relations[0].clone()).unwrap();
    assert_eq!(
        (r.doc.as_str(), r.source.as_str()),
        ("copy_000", "source_001")
    );

    let failures = lines(&dir.path().join("failures.jsonl"));
    assert_eq!(failures, [serde_json::json!({"error": f.failures[0]})]);

    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["documents"], 3);
    assert_eq!(summary["failures"], 1);
    assert_eq!(summary["stages"][0]["stage"], "load.text.v1");
    assert_eq!(summary["stages"][1]["time"], 0.04);
    assert_eq!(summary["corpus"]["stories"], 2);
    assert_eq!(summary["tables"]["relations"], 1);
}

#[test]
fn options_raw_span_text_and_path() {
    let mut f = common::fixture();
    f.failures.clear();
    let dir = tempfile::tempdir().unwrap();
    let mut report = JsonlReport::new(JsonlReportConfig {
        path: "out/docs.jsonl".into(),
        include_raw: true,
        span_text: false,
        skip_layers: Vec::new(),
    });
    let files = common::run_report(&mut report, &f, dir.path());
    assert!(
        files.iter().all(|p| !p.ends_with("failures.jsonl")),
        "no failures, no file"
    );
    assert!(!dir.path().join("failures.jsonl").exists());
    let docs = lines(&dir.path().join("out/docs.jsonl"));
    assert_eq!(docs[0]["raw"], f.docs[0].raw.as_str());
    assert!(docs[0]["tags"]["quotes"][0].get("text").is_none());
    assert_eq!(docs[0]["tags"]["quotes"][0]["label"], "quote");
}

#[test]
fn skipped_layers_are_left_out_and_the_rest_kept() {
    let f = common::fixture();
    let layers: Vec<String> = f.docs[0].tags.keys().cloned().collect();
    assert!(layers.len() >= 2, "fixture has several layers: {layers:?}");
    let dir = tempfile::tempdir().unwrap();
    let mut report = JsonlReport::new(JsonlReportConfig {
        skip_layers: vec![layers[0].clone()],
        ..JsonlReportConfig::default()
    });
    common::run_report(&mut report, &f, dir.path());
    let docs = lines(&dir.path().join("documents.jsonl"));
    let tags = docs[0]["tags"].as_object().unwrap();
    assert!(!tags.contains_key(&layers[0]));
    assert!(tags.contains_key(&layers[1]));
    // By default only the tokens layer is left out.
    assert_eq!(
        JsonlReportConfig::default().skip_layers,
        vec!["tokens".to_string()]
    );
}

#[test]
fn extension_keys_cannot_overwrite_document_fields() {
    let mut d = Document::new("a", Source::default(), "real text");
    d.ext.insert("text".into(), serde_json::json!("fake"));
    d.ext
        .insert("spin".into(), serde_json::json!({"spun": false}));
    let f = common::Fixture {
        docs: vec![d],
        corpus: Default::default(),
        stats: vec![],
        failures: vec![],
    };
    let dir = tempfile::tempdir().unwrap();
    let mut report = JsonlReport::new(JsonlReportConfig::default());
    common::run_report(&mut report, &f, dir.path());
    let docs = lines(&dir.path().join("documents.jsonl"));
    assert_eq!(docs[0]["text"], "real text");
    assert_eq!(docs[0]["ext"]["text"], "fake");
    assert_eq!(docs[0]["spin"]["spun"], false);
}

#[test]
fn table_named_like_the_documents_file_does_not_overwrite_it() {
    let mut f = common::fixture();
    f.corpus.tables.insert(
        "documents".into(),
        copydesk_core::RecordTable::from_rows([serde_json::json!({"x": 1})]).unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut report = JsonlReport::new(JsonlReportConfig::default());
    common::run_report(&mut report, &f, dir.path());
    assert_eq!(lines(&dir.path().join("documents.jsonl")).len(), 3);
    assert_eq!(lines(&dir.path().join("corpus_documents.jsonl")).len(), 1);
}

#[test]
fn writing_before_begin_is_an_error() {
    let mut report = JsonlReport::new(JsonlReportConfig::default());
    let err = report
        .write(&Document::new("a", Source::default(), "x"))
        .unwrap_err();
    assert!(err.message.contains("begin"), "{err}");
}

/// A document with arbitrary text and annotations on char boundaries.
fn arbitrary_document() -> impl Strategy<Value = Document> {
    (
        "\\PC{0,12}",
        "\\PC{0,300}",
        proptest::collection::vec((any::<usize>(), any::<usize>(), "\\PC{0,8}"), 0..6),
    )
        .prop_map(|(id, text, spans)| {
            let mut d = Document::new(id, Source::default(), text.clone());
            let bounds: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            let annotations: Vec<Annotation> = spans
                .into_iter()
                .map(|(a, b, label)| {
                    let (a, b) = (bounds[a % bounds.len()], bounds[b % bounds.len()]);
                    Annotation::new(a.min(b), a.max(b), label).with("k", text.len())
                })
                .collect();
            d.annotate("layer", annotations).unwrap();
            d.ext
                .insert("spin".into(), serde_json::json!({"note": text}));
            d
        })
}

#[test]
fn rendering_ahead_writes_the_same_files() {
    let report = || -> Box<dyn ReportStage> {
        Box::new(JsonlReport::new(JsonlReportConfig {
            include_raw: true,
            ..JsonlReportConfig::default()
        }))
    };
    common::assert_rendered_output_is_identical(report, &common::fixture(), |s| s);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn rendering_ahead_writes_the_same_lines(
        docs in proptest::collection::vec(arbitrary_document(), 0..6)
    ) {
        let f = common::Fixture { docs, corpus: Default::default(), stats: vec![], failures: vec![] };
        let report = || -> Box<dyn ReportStage> { Box::new(JsonlReport::new(JsonlReportConfig::default())) };
        common::assert_rendered_output_is_identical(report, &f, |s| s);
    }

    #[test]
    fn every_line_parses_back_with_its_document(
        docs in proptest::collection::vec(arbitrary_document(), 0..6)
    ) {
        let f = common::Fixture { docs: docs.clone(), corpus: Default::default(), stats: vec![], failures: vec![] };
        let dir = tempfile::tempdir().unwrap();
        let mut report = JsonlReport::new(JsonlReportConfig::default());
        common::run_report(&mut report, &f, dir.path());
        let written = std::fs::read_to_string(dir.path().join("documents.jsonl")).unwrap();
        let parsed: Vec<Value> = written.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        prop_assert_eq!(parsed.len(), docs.len());
        for (line, doc) in parsed.iter().zip(&docs) {
            prop_assert_eq!(line["id"].as_str(), Some(doc.id.as_str()));
            prop_assert_eq!(line["text"].as_str(), Some(doc.text.as_str()));
            for (span, a) in line["tags"]["layer"].as_array().unwrap().iter().zip(doc.layer("layer")) {
                prop_assert_eq!(span["text"].as_str(), a.slice(&doc.text));
            }
            // Documents read back as copydesk documents too (extra keys land in ext).
            let back: Document = serde_json::from_value(line.clone()).unwrap();
            prop_assert_eq!(back.ext.get("spin"), doc.ext.get("spin"));
        }
    }
}
