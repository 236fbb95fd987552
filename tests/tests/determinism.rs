//! The runner gives the same output whatever the thread count and batch size.

use copydesk_runner::RunOptions;
use copydesk_tests::{default_pipeline, root};
use proptest::prelude::*;

fn reuters_sample(dir: &std::path::Path, n: usize) -> Vec<String> {
    use std::io::BufRead;
    let src = root().join("../shared/data/reuters21578/reuters21578.jsonl");
    let file = std::fs::File::open(&src).expect("../shared/data/reuters21578 present");
    let lines: Vec<String> = std::io::BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .take(n)
        .collect();
    let path = dir.join("sample.jsonl");
    std::fs::write(&path, lines.join("\n")).unwrap();
    vec![
        path.display().to_string(),
        root().join("seeds").display().to_string(),
    ]
}

fn run(inputs: &[String], threads: usize, batch_size: usize) -> (String, String) {
    let pipeline = default_pipeline();
    let out = tempfile::tempdir().unwrap();
    let mut options = RunOptions::from_pipeline(&pipeline);
    options.inputs = inputs.to_vec();
    options.output = out.path().to_path_buf();
    options.threads = threads;
    options.batch_size = batch_size;
    options.progress = false;
    copydesk_runner::run(&pipeline, &options).unwrap();
    (
        std::fs::read_to_string(out.path().join("documents.jsonl")).unwrap(),
        std::fs::read_to_string(out.path().join("relations.jsonl")).unwrap_or_default(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]
    #[test]
    fn output_does_not_depend_on_threads_or_batch_size(threads in 2usize..5, batch_size in 1usize..40) {
        let dir = tempfile::tempdir().unwrap();
        let inputs = reuters_sample(dir.path(), 120);
        let one = run(&inputs, 1, 512);
        let many = run(&inputs, threads, batch_size);
        prop_assert!(one.0 == many.0, "documents.jsonl differs");
        prop_assert!(one.1 == many.1, "relations.jsonl differs");
    }
}

/// Small files are loaded several at once; documents still come out in
/// input order, whatever the thread count.
#[test]
fn many_small_files_keep_their_order_when_loaded_in_parallel() {
    let dir = tempfile::tempdir().unwrap();
    let texts = dir.path().join("texts");
    std::fs::create_dir_all(&texts).unwrap();
    for i in 0..45 {
        // Longer texts for later files, so that parallel loads finish out of order.
        let body =
            format!("Article number {i} reports that markets moved. ").repeat(1 + (45 - i) * 20);
        std::fs::write(texts.join(format!("a{i:03}.txt")), body).unwrap();
    }
    let inputs = vec![texts.display().to_string()];
    let one = run(&inputs, 1, 7);
    let many = run(&inputs, 3, 7);
    assert_eq!(one.0, many.0, "documents.jsonl differs with 3 threads");
    let ids: Vec<String> = many
        .0
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let expected: Vec<String> = (0..45).map(|i| format!("a{i:03}")).collect();
    assert_eq!(ids, expected);
}
