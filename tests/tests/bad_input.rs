//! Bad input is reported with its path (and line), counted, and the run goes
//! on; `fail_fast` stops at the first.

use copydesk_runner::{Pipeline, RunOptions};
use std::path::Path;

const PIPELINE: &str = r#"
[[stage]]
type = "load.text.v1"
[[stage]]
type = "load.jsonl.v1"
[[stage]]
type = "clean.unicode.v1"
[[stage]]
type = "tag.sentences.v1"
[[stage]]
type = "report.jsonl.v1"
"#;

fn inputs(dir: &Path) -> Vec<String> {
    std::fs::write(
        dir.join("good.txt"),
        "A good article. It has two sentences.",
    )
    .unwrap();
    std::fs::write(dir.join("empty.txt"), "").unwrap();
    std::fs::write(dir.join("latin1.txt"), b"caf\xe9 au lait\n").unwrap();
    std::fs::write(
        dir.join("feed.jsonl"),
        "{\"id\": \"j1\", \"text\": \"First record.\"}\n{\"id\": \"j2\", \"text\": \"broken\n{\"id\": \"j3\", \"text\": \"Third record.\"}\n",
    )
    .unwrap();
    let mut names = vec![
        "good.txt",
        "empty.txt",
        "latin1.txt",
        "feed.jsonl",
        "missing.txt",
    ];
    let unreadable = dir.join("unreadable.txt");
    std::fs::write(&unreadable, "secret").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o000)).unwrap();
        // root reads anything: only count on the failure when the file is really unreadable.
        if std::fs::read(&unreadable).is_err() {
            names.push("unreadable.txt");
        }
    }
    names
        .iter()
        .map(|n| dir.join(n).display().to_string())
        .collect()
}

#[test]
fn bad_inputs_are_reported_counted_and_skipped() {
    let pipeline = Pipeline::from_str(PIPELINE, Path::new("test.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut options = RunOptions::from_pipeline(&pipeline);
    options.inputs = inputs(dir.path());
    // one failure per input but good.txt, plus none for feed.jsonl beyond its line 2
    let expected_failures = options.inputs.len() - 1;
    options.output = out.path().to_path_buf();
    options.progress = false;
    let summary = copydesk_runner::run(&pipeline, &options).expect("the run goes on");
    let failures = summary.failures.join("\n");
    assert!(failures.contains("empty.txt"), "{failures}");
    assert!(failures.contains("latin1.txt"), "{failures}");
    assert!(
        failures.contains("feed.jsonl:2"),
        "malformed JSON names file and line: {failures}"
    );
    assert!(failures.contains("missing.txt"), "{failures}");
    // empty, latin1, feed line 2, missing (+ unreadable when not root)
    assert_eq!(summary.failed as usize, expected_failures, "{failures}");
    let docs: Vec<serde_json::Value> = std::fs::read_to_string(out.path().join("documents.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["good", "j1", "j3"],
        "every readable document survives"
    );
    assert_eq!(summary.documents_out, 3);
}

#[test]
fn fail_fast_stops_at_the_first_failure() {
    let pipeline = Pipeline::from_str(PIPELINE, Path::new("test.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let mut options = RunOptions::from_pipeline(&pipeline);
    options.inputs = inputs(dir.path());
    options.output = out.path().to_path_buf();
    options.progress = false;
    options.fail_fast = true;
    let err = copydesk_runner::run(&pipeline, &options).expect_err("fail_fast stops");
    assert!(
        err.to_string().contains("missing.txt"),
        "the first failure is named: {err}"
    );
}
