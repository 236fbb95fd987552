//! The default pipeline on the two seed articles: the outputs say what a
//! reader of the seeds can see.

use copydesk_tests::{Outcome, default_pipeline, run_on, seeds};
use serde_json::Value;
use std::sync::OnceLock;

const SPUN: &str = "000_ad935d4100d70209";
const REPUBLISHED: &str = "001_25e86bbaf733a1cc";

fn outcome() -> &'static Outcome {
    static OUT: OnceLock<Outcome> = OnceLock::new();
    OUT.get_or_init(|| run_on(&default_pipeline(), &seeds(), 2))
}

fn layer<'a>(doc: &'a Value, name: &str) -> Vec<&'a Value> {
    doc["tags"][name]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn span_text<'a>(doc: &'a Value, a: &Value) -> &'a str {
    let text = doc["text"].as_str().unwrap();
    &text[a["start"].as_u64().unwrap() as usize..a["end"].as_u64().unwrap() as usize]
}

#[test]
fn both_seeds_run_without_failures() {
    let out = outcome();
    assert_eq!(out.summary.documents_in, 2);
    assert_eq!(out.summary.documents_out, 2);
    assert_eq!(out.summary.failed, 0, "{:?}", out.summary.failures);
    for f in [
        "documents.jsonl",
        "relations.jsonl",
        "report.md",
        "report.html",
    ] {
        assert!(out.path(f).exists(), "{f} written");
    }
}

#[test]
fn layout_is_split_into_metadata() {
    let out = outcome();
    let spun = out.document(SPUN);
    assert_eq!(spun["meta"]["byline"], "Asif Shahzad");
    assert_eq!(spun["meta"]["dateline"], "ISLAMABAD");
    assert_eq!(spun["meta"]["credit"], "Reuters");
    assert!(
        spun["text"]
            .as_str()
            .unwrap()
            .starts_with("Beijing is pushing Pakistan")
    );

    let rep = out.document(REPUBLISHED);
    assert_eq!(
        rep["meta"]["headline"],
        "China proposes own security: report"
    );
    assert_eq!(rep["meta"]["dateline"], "ISLAMABAD");
    let captions = rep["meta"]["captions"].to_string();
    assert!(
        captions.contains("Pakistan-China cooperation"),
        "{captions}"
    );
    let debris = rep["meta"]["debris"].to_string();
    assert!(debris.contains("Load Next Story"), "{debris}");
    let text = rep["text"].as_str().unwrap();
    assert!(text.starts_with("Beijing is pushing Islamabad"), "{text}");
    assert!(!text.contains("Load Next Story") && !text.contains("Reuters/file"));
}

#[test]
fn quotes_have_their_speakers() {
    let out = outcome();
    for id in [SPUN, REPUBLISHED] {
        let doc = out.document(id);
        let quotes = layer(&doc, "quotes");
        let security = quotes
            .iter()
            .find(|q| span_text(&doc, q).contains("want to bring in their own security"))
            .unwrap_or_else(|| panic!("{id}: quote found"));
        assert_eq!(
            security["attrs"]["speaker"], "one official",
            "{id}: {security}"
        );
        assert_eq!(security["attrs"]["speaker_type"], "anonymous", "{id}");
        let ministry = quotes
            .iter()
            .find(|q| span_text(&doc, q).contains("China will continue to strengthen"))
            .unwrap_or_else(|| panic!("{id}: ministry quote found"));
        let speaker = ministry["attrs"]["speaker"].as_str().unwrap_or_default();
        assert!(
            speaker.starts_with("A spokesman for China"),
            "{id}: {speaker}"
        );
        assert_eq!(ministry["attrs"]["speaker_type"], "named_role", "{id}");
    }
}

#[test]
fn numbers_and_money_are_tagged() {
    let out = outcome();
    let doc = out.document(SPUN);
    let numbers = layer(&doc, "numbers");
    let found: Vec<&str> = numbers.iter().map(|n| span_text(&doc, n)).collect();
    let money = numbers
        .iter()
        .find(|n| n["label"] == "money")
        .expect("money tagged");
    assert!(span_text(&doc, money).contains("65-billion"), "{found:?}");
    assert!(found.iter().any(|t| t.contains("100 kg")), "{found:?}");
    assert!(found.iter().any(|t| t.contains("220 lbs")), "{found:?}");
    assert!(
        numbers.iter().any(|n| n["attrs"]["value"] == 2.0
            && n["attrs"]["counted"]
                .as_str()
                .is_some_and(|c| c.contains("engineers"))),
        "{found:?}"
    );
}

#[test]
fn sentences_cover_the_text() {
    let out = outcome();
    let doc = out.document(REPUBLISHED);
    let sentences = layer(&doc, "sentences");
    assert!(sentences.len() >= 15, "{}", sentences.len());
    assert!(
        sentences.iter().any(|s| span_text(&doc, s)
            == "Neither Beijing nor Islamabad confirmed the talks officially.")
    );
}

#[test]
fn the_spun_seed_is_traced_to_the_republished_one() {
    let out = outcome();
    let relations = out.jsonl("relations.jsonl");
    let rel = relations
        .iter()
        .find(|r| r["doc"] == SPUN && r["source"] == REPUBLISHED)
        .unwrap_or_else(|| panic!("000 derives from 001: {relations:#?}"));
    assert_eq!(rel["kind"], "spun");
    let subs = rel["evidence"]["substitutions"].to_string();
    for (spun, original) in [("safety", "security"), ("mentioned", "said")] {
        assert!(
            subs.contains(spun) && subs.contains(original),
            "{spun} -> {original}: {subs}"
        );
    }
    let spun_doc = out.document(SPUN);
    assert_eq!(spun_doc["spin"]["spun"], true);
    let repaired = spun_doc["spin"]["repaired"].as_str().unwrap();
    assert!(
        repaired.contains("Neither Beijing nor Islamabad confirmed the talks"),
        "{repaired}"
    );
    assert!(repaired.contains("security"), "{repaired}");
    let rep_doc = out.document(REPUBLISHED);
    assert_eq!(rep_doc["spin"]["spun"], false);
    assert_eq!(rep_doc["spin"]["repaired"], rep_doc["text"]);
}

#[test]
fn reports_describe_the_seeds() {
    let out = outcome();
    let md = std::fs::read_to_string(out.path("report.md")).unwrap();
    assert!(
        md.contains(SPUN) && md.contains(REPUBLISHED),
        "report.md names both documents"
    );
    assert!(
        md.contains("one official"),
        "report.md lists quote speakers"
    );
    let html = std::fs::read_to_string(out.path("report.html")).unwrap();
    assert!(
        html.contains("<html") && !html.contains("src=\"http"),
        "self-contained"
    );
}
