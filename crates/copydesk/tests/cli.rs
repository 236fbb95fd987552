//! The command line: exit codes, messages on stderr, overrides.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn copydesk(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_copydesk"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("runs")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn validate_accepts_the_default_pipeline() {
    let o = copydesk(&["validate"], &root());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("pipeline.toml: ok"));
}

#[test]
fn validate_prints_every_problem_with_its_line_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[[stage]]\ntype = \"load.text.v1\"\nextensions = 3\n[[stage]]\ntype = \"nope.v1\"\n[[stage]]\ntype = \"report.jsonl.v1\"\n").unwrap();
    let o = copydesk(&["validate", "--config", cfg.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("bad.toml:3:") && err.contains("extensions"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:5:") && err.contains("nope.v1"),
        "{err}"
    );
    assert!(err.contains("2 problem(s)"), "{err}");
}

#[test]
fn stages_lists_every_stage_with_options() {
    let o = copydesk(&["stages"], &root());
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    for name in [
        "load.text.v1",
        "clean.news_layout.v1",
        "tag.quotes.v1",
        "corpus.provenance.v1",
        "report.html.v1",
    ] {
        assert!(out.contains(name), "{name} listed");
    }
    let json = copydesk(&["stages", "--json"], &root());
    let list: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|s| s["description"].as_str().is_some_and(|d| !d.is_empty()))
    );
}

#[test]
fn run_with_overrides_writes_outputs_and_exits_2_when_documents_fail() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    std::fs::write(input.join("a.txt"), "Officials said the talks went on.").unwrap();
    std::fs::write(input.join("b.txt"), "").unwrap();
    let out = dir.path().join("out");
    let cfg = root().join("pipeline.toml");
    let o = copydesk(
        &[
            "run",
            "--config",
            cfg.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ],
        dir.path(),
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("b.txt"), "the failing file is named: {err}");
    assert!(err.contains("1 failed"), "{err}");
    let docs = std::fs::read_to_string(out.join("documents.jsonl")).unwrap();
    assert_eq!(docs.lines().count(), 1);
}

#[test]
fn run_with_a_broken_config_exits_1_without_running() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("p.toml");
    std::fs::write(&cfg, "[[stage]]\ntype = \"load.text.v1\"\n").unwrap();
    let o = copydesk(&["run", "--config", cfg.to_str().unwrap(), "x"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no report stage"));
}

#[test]
fn help_lists_every_command() {
    let o = copydesk(&["--help"], &root());
    let out = String::from_utf8_lossy(&o.stdout);
    for c in ["run", "validate", "stages", "despin"] {
        assert!(out.contains(c), "{c} in --help");
    }
}

#[test]
fn despin_reads_stdin_and_prints_text() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_copydesk"))
        .args(["despin", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"The minister said the talks went well.\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "The minister said the talks went well.\n"
    );
}

#[test]
fn shards_split_the_inputs_and_a_finished_shard_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for i in 0..5 {
        std::fs::write(
            input.join(format!("a{i}.txt")),
            format!("Article number {i} said little."),
        )
        .unwrap();
    }
    let out = dir.path().join("out");
    let cfg = root().join("pipeline.toml");
    let mut ids = Vec::new();
    for shard in ["0/2", "1/2"] {
        let o = copydesk(
            &[
                "run",
                "--no-progress",
                "--config",
                cfg.to_str().unwrap(),
                "--output",
                out.to_str().unwrap(),
                "--shard",
                shard,
                input.to_str().unwrap(),
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let name = format!("shard-{}-of-2", &shard[..1]);
        let docs = std::fs::read_to_string(out.join(&name).join("documents.jsonl")).unwrap();
        for line in docs.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            ids.push(v["id"].as_str().unwrap().to_string());
        }
        assert!(out.join(&name).join("_SUCCESS").exists());
    }
    ids.sort();
    assert_eq!(
        ids,
        ["a0", "a1", "a2", "a3", "a4"],
        "every input in exactly one shard"
    );
    // Re-running a finished shard does nothing.
    std::fs::remove_file(out.join("shard-0-of-2/documents.jsonl")).unwrap();
    let o = copydesk(
        &[
            "run",
            "--no-progress",
            "--config",
            cfg.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--shard",
            "0/2",
            input.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(o.status.success());
    assert!(
        !out.join("shard-0-of-2/documents.jsonl").exists(),
        "finished shard skipped"
    );
}

#[test]
fn ngram_counts_built_by_a_pipeline_feed_the_spin_stage() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("archive");
    std::fs::create_dir(&input).unwrap();
    for i in 0..3 {
        std::fs::write(
            input.join(format!("a{i}.txt")),
            format!("Security forces said on Tuesday that article {i} was filed.\n"),
        )
        .unwrap();
    }
    let config = dir.path().join("ngrams.toml");
    std::fs::write(
        &config,
        "[[stage]]\ntype = \"load.text.v1\"\n\n[[stage]]\ntype = \"clean.news_layout.v1\"\n\n\
         [[stage]]\ntype = \"report.ngrams.v1\"\npath = \"news.txt\"\n",
    )
    .unwrap();
    let o = copydesk(
        &[
            "-q",
            "run",
            "--no-progress",
            "-c",
            "ngrams.toml",
            "--output",
            "lm",
            "archive",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let counts = std::fs::read_to_string(dir.path().join("lm/news.txt")).unwrap();
    assert!(counts.contains("\nsecurity forces 3\n"), "{counts}");
    // The counts as the spin stage's domain language model.
    let options = dir.path().join("spin.toml");
    std::fs::write(&options, "language_model = \"lm/news.txt\"\n").unwrap();
    let article = dir.path().join("article.txt");
    std::fs::write(&article, "The minister said the talks went well.\n").unwrap();
    let o = copydesk(
        &["despin", "--options", "spin.toml", "article.txt"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "The minister said the talks went well.\n"
    );
    // A missing file is named.
    std::fs::write(&options, "language_model = \"lm/missing.txt\"\n").unwrap();
    let o = copydesk(
        &["despin", "--options", "spin.toml", "article.txt"],
        dir.path(),
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("lm/missing.txt"), "{}", stderr(&o));
}
