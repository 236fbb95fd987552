//! A pipeline without corpus stages is written in one pass (nothing is
//! spilled and read back); its documents must be exactly those a two-pass
//! run writes.

use copydesk_runner::{Pipeline, RunOptions};
use copydesk_tests::{root, seeds};
use std::path::Path;

const PER_DOCUMENT: &str = r#"
[[stage]]
type = "load.text.v1"
[[stage]]
type = "load.jsonl.v1"
[[stage]]
type = "clean.unicode.v1"
[[stage]]
type = "clean.unwrap.v1"
[[stage]]
type = "clean.news_layout.v1"
[[stage]]
type = "tag.sentences.v1"
[[stage]]
type = "tag.tokens.v1"
[[stage]]
type = "tag.numbers.v1"
[[stage]]
type = "tag.quotes.v1"
"#;

const REPORTS: &str = r#"
[[stage]]
type = "report.jsonl.v1"
[[stage]]
type = "report.markdown.v1"
"#;

fn pipeline(with_corpus_stage: bool) -> Pipeline {
    let corpus = if with_corpus_stage {
        "[[stage]]\ntype = \"corpus.provenance.v1\"\n"
    } else {
        ""
    };
    let source = format!("{PER_DOCUMENT}{corpus}{REPORTS}");
    Pipeline::from_str(&source, Path::new("one_pass.toml")).unwrap_or_else(|e| panic!("{e:?}"))
}

/// `documents.jsonl` without the fields only a corpus stage adds.
fn per_document_fields(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("documents.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            if let Some(o) = v.as_object_mut() {
                o.remove("provenance");
                o.remove("spin");
            }
            v
        })
        .collect()
}

#[test]
fn a_run_without_corpus_stages_writes_what_a_two_pass_run_writes() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("../shared/data/reuters21578/reuters21578.jsonl");
    let file = std::fs::File::open(&src).expect("../shared/data/reuters21578 present");
    let lines: Vec<String> = std::io::BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .take(150)
        .collect();
    let sample = dir.path().join("sample.jsonl");
    std::fs::write(&sample, lines.join("\n")).unwrap();
    let mut inputs = vec![sample.display().to_string()];
    inputs.extend(seeds());

    let mut outputs = Vec::new();
    for with_corpus_stage in [false, true] {
        let p = pipeline(with_corpus_stage);
        let out = tempfile::tempdir().unwrap();
        let mut options = RunOptions::from_pipeline(&p);
        options.inputs = inputs.clone();
        options.output = out.path().to_path_buf();
        options.threads = 3;
        options.batch_size = 7;
        options.progress = false;
        let summary = copydesk_runner::run(&p, &options).unwrap();
        assert!(summary.documents_in > 100, "{}", summary.documents_in);
        assert_eq!(summary.documents_out, summary.documents_in);
        assert!(out.path().join("report.md").exists());
        assert!(!out.path().join(".copydesk-spill.bin").exists());
        outputs.push(per_document_fields(out.path()));
    }
    assert!(outputs[0].len() > 100);
    assert!(
        outputs[0] == outputs[1],
        "one-pass and two-pass documents differ"
    );
}
