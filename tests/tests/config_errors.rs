//! A broken pipeline.toml gives every error, each with file, line and stage.

use copydesk_runner::Pipeline;
use std::path::Path;

fn errors(src: &str) -> Vec<String> {
    match Pipeline::from_str(src, Path::new("broken.toml")) {
        Ok(_) => panic!("pipeline accepted:\n{src}"),
        Err(errors) => errors.iter().map(|e| e.to_string()).collect(),
    }
}

const BROKEN: &str = r#"[run]
inputs = ["seeds"]

[[stage]]
type = "load.text.v1"

[[stage]]
type = "clean.unicode.v1"
form = 42

[[stage]]
type = "tag.quotz.v1"

[[stage]]
type = "tag.sentences.v1"
no_such_option = true

[[stage]]
type = "report.jsonl.v1"
"#;

#[test]
fn every_error_is_reported_with_its_line() {
    let errs = errors(BROKEN);
    assert_eq!(errs.len(), 3, "{errs:#?}");
    assert!(
        errs[0].starts_with("broken.toml:9:"),
        "wrong type names its line: {errs:#?}"
    );
    assert!(
        errs[0].contains("stage 2 (clean.unicode.v1)") && errs[0].contains("form"),
        "{errs:#?}"
    );
    assert!(errs[1].starts_with("broken.toml:12:"), "{errs:#?}");
    assert!(
        errs[1].contains("unknown stage type `tag.quotz.v1`") && errs[1].contains("tag.quotes.v1"),
        "suggests the right name: {errs:#?}"
    );
    assert!(errs[2].starts_with("broken.toml:16:"), "{errs:#?}");
    assert!(errs[2].contains("no_such_option"), "{errs:#?}");
}

#[test]
fn a_stage_missing_what_it_needs_is_refused() {
    let src = "[[stage]]\ntype = \"load.text.v1\"\n\n[[stage]]\ntype = \"tag.quotes.v1\"\n\n[[stage]]\ntype = \"report.jsonl.v1\"\n";
    let errs = errors(src);
    assert!(!errs.is_empty());
    assert!(
        errs.iter().all(|e| e.starts_with("broken.toml:5:")
            && e.contains("tag.quotes.v1")
            && e.contains("needs")),
        "{errs:#?}"
    );
}

#[test]
fn cleaning_after_tagging_is_refused() {
    let src = "[[stage]]\ntype = \"load.text.v1\"\n[[stage]]\ntype = \"tag.sentences.v1\"\n[[stage]]\ntype = \"clean.unicode.v1\"\n[[stage]]\ntype = \"report.jsonl.v1\"\n";
    let errs = errors(src);
    assert!(
        errs.iter().any(|e| e.starts_with("broken.toml:6:")
            && e.contains("clean stages must run before tag stages")),
        "{errs:#?}"
    );
}

#[test]
fn stages_out_of_kind_order_are_refused() {
    let src = "[[stage]]\ntype = \"load.text.v1\"\n[[stage]]\ntype = \"report.jsonl.v1\"\n[[stage]]\ntype = \"clean.unicode.v1\"\n";
    let errs = errors(src);
    assert!(
        errs.iter()
            .any(|e| e.contains(":6:") && e.contains("cannot come after a report stage")),
        "{errs:#?}"
    );
}

#[test]
fn toml_syntax_errors_name_the_line() {
    let errs = errors("[run]\ninputs = [\"a\"\n[[stage]]\n");
    assert_eq!(errs.len(), 1);
    assert!(errs[0].starts_with("broken.toml:"), "{errs:#?}");
}

#[test]
fn unknown_run_options_and_top_level_keys_are_reported() {
    let src = "[run]\nthreds = 2\n\n[pipeline]\nx = 1\n\n[[stage]]\ntype = \"load.text.v1\"\n[[stage]]\ntype = \"report.jsonl.v1\"\n";
    let errs = errors(src);
    assert!(
        errs.iter()
            .any(|e| e.starts_with("broken.toml:2:") && e.contains("threds")),
        "{errs:#?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("broken.toml:4:") && e.contains("pipeline")),
        "{errs:#?}"
    );
}

#[test]
fn missing_type_and_empty_pipeline_are_reported() {
    let errs = errors("[[stage]]\nform = \"nfc\"\n");
    assert!(
        errs.iter().any(|e| e.contains("missing `type`")),
        "{errs:#?}"
    );
    assert!(
        errs.iter().any(|e| e.contains("no report stage")),
        "{errs:#?}"
    );
}

#[test]
fn the_default_pipeline_validates() {
    copydesk_tests::default_pipeline();
}
