//! When every report renders ahead of the corpus stages (JSON lines only)
//! the spill keeps only what the corpus stages read, and pass 2 finishes
//! lines rendered in pass 1. The documents written must be the very bytes a
//! run that keeps whole documents between the passes writes (a Markdown
//! report, which reads documents back, turns rendering ahead off).

use copydesk_runner::Pipeline;
use copydesk_tests::{root, run_on};
use std::path::Path;

fn pipeline(with_markdown: bool) -> Pipeline {
    let markdown = if with_markdown {
        "[[stage]]\ntype = \"report.markdown.v1\"\n"
    } else {
        ""
    };
    let source = format!(
        r#"
[run]
batch_size = 3

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
type = "tag.entities.v1"
[[stage]]
type = "tag.numbers.v1"
[[stage]]
type = "tag.quotes.v1"
[[stage]]
type = "tag.spin.v1"
[[stage]]
type = "corpus.provenance.v1"
[[stage]]
type = "report.jsonl.v1"
include_raw = true
{markdown}"#
    );
    Pipeline::from_str(&source, Path::new("rendered_ahead.toml"))
        .unwrap_or_else(|e| panic!("{e:?}"))
}

/// The seeds, plus copies of the Reuters seed (verbatim, trimmed, edited)
/// and an unrelated article, so that the corpus stage annotates some
/// documents and not others, across several batches.
fn corpus(dir: &Path) -> Vec<String> {
    let seeds = root().join("seeds");
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(&seeds).expect("seeds") {
        let path = entry.expect("entry").path();
        texts.push(std::fs::read_to_string(&path).expect("seed"));
    }
    texts.sort();
    let source = texts[1].clone();
    texts.push(source.clone());
    texts.push(source.replace("said", "told reporters"));
    texts.push(source.lines().take(8).collect::<Vec<_>>().join("\n"));
    texts.push("A quiet day in the markets.\n\nShares ended flat on Tuesday.".to_string());
    for (i, text) in texts.iter().enumerate() {
        std::fs::write(dir.join(format!("{i:02}.txt")), text).expect("write input");
    }
    vec![dir.display().to_string()]
}

#[test]
fn documents_rendered_ahead_are_the_bytes_rendered_from_whole_documents() {
    let inputs = tempfile::tempdir().expect("tempdir");
    let inputs = corpus(inputs.path());
    let ahead = run_on(&pipeline(false), &inputs, 2);
    let whole = run_on(&pipeline(true), &inputs, 2);
    let ahead_bytes = std::fs::read(ahead.path("documents.jsonl")).expect("documents");
    let whole_bytes = std::fs::read(whole.path("documents.jsonl")).expect("documents");
    assert_eq!(
        String::from_utf8_lossy(&ahead_bytes),
        String::from_utf8_lossy(&whole_bytes)
    );
    let docs = ahead.jsonl("documents.jsonl");
    assert_eq!(docs.len(), 6);
    // The corpus stage annotated some documents and left others alone.
    let annotated = docs
        .iter()
        .filter(|d| d.get("provenance").is_some())
        .count();
    assert!(
        annotated >= 3 && annotated < docs.len(),
        "{annotated} annotated"
    );
    // Every document carries what pass 1 rendered and what pass 2 added.
    for doc in &docs {
        assert!(doc["raw"].is_string() && doc["tags"]["sentences"].is_array());
        assert!(doc["spin"]["repaired"].is_string());
    }
    // Nothing is left behind in the output directory.
    let leftovers: Vec<_> = std::fs::read_dir(ahead.path(""))
        .expect("output")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
