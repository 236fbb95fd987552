//! A sharded run (per-document stages in each shard, then the corpus stage
//! over every shard's `documents.jsonl` read back by `load.documents.v1`)
//! finds what one process finds over the same inputs.

use copydesk_runner::{Pipeline, RunOptions, Shard};
use copydesk_tests::{default_pipeline, root};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Reuters records split over three JSON lines files, and the two seeds.
fn inputs(dir: &Path) -> Vec<String> {
    use std::io::BufRead;
    let src = root().join("../shared/data/reuters21578/reuters21578.jsonl");
    let file = std::fs::File::open(&src).expect("../shared/data/reuters21578 present");
    let lines: Vec<String> = std::io::BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .take(240)
        .collect();
    let mut inputs = Vec::new();
    for (i, chunk) in lines.chunks(80).enumerate() {
        let path = dir.join(format!("part-{i}.jsonl"));
        std::fs::write(&path, chunk.join("\n")).unwrap();
        inputs.push(path.display().to_string());
    }
    for seed in std::fs::read_dir(root().join("seeds")).unwrap() {
        let seed = seed.unwrap().path();
        let copy = dir.join(seed.file_name().unwrap());
        std::fs::copy(&seed, &copy).unwrap();
        inputs.push(copy.display().to_string());
    }
    inputs
}

fn run(pipeline: &Pipeline, inputs: &[String], output: &Path, shard: Option<Shard>) {
    let mut options = RunOptions::from_pipeline(pipeline);
    options.inputs = inputs.to_vec();
    options.output = output.to_path_buf();
    options.progress = false;
    options.shard = shard;
    copydesk_runner::run(pipeline, &options).unwrap_or_else(|e| panic!("run failed: {e}"));
}

fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `(copy, source, kind)` of every relation.
fn relations(path: &Path) -> BTreeSet<(String, String, String)> {
    read_jsonl(path)
        .into_iter()
        .map(|r| {
            let field = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (field("doc"), field("source"), field("kind"))
        })
        .collect()
}

/// Each document's text and `spin` object, by id.
fn verdicts(path: &Path) -> BTreeMap<String, (Value, Value)> {
    read_jsonl(path)
        .into_iter()
        .map(|d| {
            let id = d["id"].as_str().unwrap().to_string();
            (id, (d["text"].clone(), d["spin"].clone()))
        })
        .collect()
}

/// The default pipeline without its corpus stage: what each shard runs.
fn per_document_pipeline() -> Pipeline {
    let source = std::fs::read_to_string(root().join("pipeline.toml")).unwrap();
    let without_corpus = source.replace(
        "[[stage]]\ntype = \"corpus.provenance.v1\"",
        "# corpus stages run in the merge step",
    );
    assert_ne!(source, without_corpus, "pipeline.toml changed shape");
    Pipeline::from_str(&without_corpus, Path::new("per-document.toml")).unwrap()
}

fn merge_pipeline() -> Pipeline {
    let source = "[[stage]]\ntype = \"load.documents.v1\"\n\n[[stage]]\ntype = \"corpus.provenance.v1\"\n\n[[stage]]\ntype = \"report.jsonl.v1\"\n";
    Pipeline::from_str(source, Path::new("merge.toml")).unwrap()
}

#[test]
fn sharded_run_then_merge_finds_what_one_run_finds() {
    let dir = tempfile::tempdir().unwrap();
    let input_dir = dir.path().join("in");
    std::fs::create_dir_all(&input_dir).unwrap();
    let inputs = inputs(&input_dir);
    let one = dir.path().join("one");
    run(&default_pipeline(), &inputs, &one, None);

    let shards = dir.path().join("shards");
    let per_document = per_document_pipeline();
    for index in 0..2 {
        run(
            &per_document,
            &inputs,
            &shards,
            Some(Shard { index, count: 2 }),
        );
    }
    let shard_outputs: Vec<String> = (0..2)
        .map(|i| {
            shards
                .join(format!("shard-{i}-of-2/documents.jsonl"))
                .display()
                .to_string()
        })
        .collect();
    let merged = dir.path().join("merged");
    run(&merge_pipeline(), &shard_outputs, &merged, None);

    let expected = relations(&one.join("relations.jsonl"));
    assert!(
        expected
            .iter()
            .any(|(doc, source, kind)| doc.starts_with("000")
                && source.starts_with("001")
                && kind == "spun"),
        "the seeds' relation is among those found: {expected:?}"
    );
    assert_eq!(relations(&merged.join("relations.jsonl")), expected);

    let single = verdicts(&one.join("documents.jsonl"));
    let sharded = verdicts(&merged.join("documents.jsonl"));
    assert!(single.len() > 200, "{} documents", single.len());
    assert_eq!(
        single.keys().collect::<Vec<_>>(),
        sharded.keys().collect::<Vec<_>>()
    );
    for (id, verdict) in &single {
        assert_eq!(&sharded[id], verdict, "{id}: text or spin verdict differs");
    }
}
