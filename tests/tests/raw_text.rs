//! The text as loaded (`raw`) is kept between the passes only when something
//! reads it: a report asked to include it gets every document's loaded text
//! even in a two-pass run, and a run where nothing reads it writes the same
//! documents as one that keeps it.

use copydesk_runner::Pipeline;
use copydesk_tests::{run_on, seeds};
use std::path::Path;

fn pipeline(include_raw: bool) -> Pipeline {
    let source = format!(
        r#"
[[stage]]
type = "load.text.v1"
[[stage]]
type = "clean.unicode.v1"
[[stage]]
type = "clean.unwrap.v1"
[[stage]]
type = "clean.news_layout.v1"
[[stage]]
type = "tag.sentences.v1"
[[stage]]
type = "corpus.provenance.v1"
[[stage]]
type = "report.jsonl.v1"
include_raw = {include_raw}
"#
    );
    Pipeline::from_str(&source, Path::new("raw_text.toml")).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn a_report_that_includes_the_loaded_text_gets_it_after_the_corpus_step() {
    let with_raw = run_on(&pipeline(true), &seeds(), 2);
    let docs = with_raw.jsonl("documents.jsonl");
    assert_eq!(docs.len(), 2);
    for doc in &docs {
        let path = doc["source"]["path"].as_str().expect("a source path");
        let loaded = std::fs::read_to_string(path).expect("the seed file");
        assert_eq!(
            doc["raw"].as_str(),
            Some(loaded.as_str()),
            "{path}: raw is not the text as loaded"
        );
        assert_ne!(doc["raw"], doc["text"], "{path}: cleaning changed nothing");
    }

    let without_raw = run_on(&pipeline(false), &seeds(), 2);
    let mut others = without_raw.jsonl("documents.jsonl");
    assert!(others.iter().all(|d| d.get("raw").is_none()));
    let mut docs = docs;
    for doc in &mut docs {
        doc.as_object_mut().map(|o| o.remove("raw"));
    }
    others.sort_by_key(|d| d["id"].to_string());
    docs.sort_by_key(|d| d["id"].to_string());
    assert_eq!(
        docs, others,
        "leaving the loaded text out changed the output"
    );
}
