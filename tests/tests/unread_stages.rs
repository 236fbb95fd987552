//! A document stage whose only output no report reads is left out of the
//! run: the output is what the pipeline without that stage writes, and the
//! summary names the stage and why it did not run.

use copydesk_runner::Pipeline;
use copydesk_tests::{run_on, seeds};
use std::path::Path;

fn pipeline(with_tokens: bool, skip_layers: &str) -> Pipeline {
    let tokens = if with_tokens {
        "[[stage]]\ntype = \"tag.tokens.v1\""
    } else {
        ""
    };
    let source = format!(
        r#"
[[stage]]
type = "load.text.v1"
[[stage]]
type = "clean.unicode.v1"
[[stage]]
type = "tag.sentences.v1"
{tokens}
[[stage]]
type = "tag.entities.v1"
[[stage]]
type = "corpus.provenance.v1"
[[stage]]
type = "report.jsonl.v1"
skip_layers = [{skip_layers}]
"#
    );
    Pipeline::from_str(&source, Path::new("unread_stages.toml")).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn a_tagger_whose_layer_no_report_reads_is_left_out_and_named_in_the_summary() {
    let with = run_on(&pipeline(true, r#""tokens""#), &seeds(), 2);
    let without = run_on(&pipeline(false, r#""tokens""#), &seeds(), 2);
    assert_eq!(
        std::fs::read(with.path("documents.jsonl")).unwrap(),
        std::fs::read(without.path("documents.jsonl")).unwrap(),
        "leaving out the unread tokens stage changed the documents"
    );
    let tokens = with
        .summary
        .stages
        .iter()
        .find(|s| s.stage == "tag.tokens.v1")
        .expect("the left-out stage is still listed");
    assert_eq!(tokens.docs_in, 0, "the left-out stage ran");
    assert_eq!(
        tokens.skipped.get("nothing reads layer.tokens"),
        Some(&2),
        "{:?}",
        tokens.skipped
    );
    // The stages keep their pipeline order in the summary.
    let order: Vec<&str> = with
        .summary
        .stages
        .iter()
        .map(|s| s.stage.as_str())
        .collect();
    let at = |name: &str| order.iter().position(|s| *s == name).unwrap();
    assert!(at("tag.sentences.v1") < at("tag.tokens.v1"));
    assert!(at("tag.tokens.v1") < at("tag.entities.v1"));
}

#[test]
fn a_tagger_whose_layer_a_report_writes_runs() {
    let out = run_on(&pipeline(true, ""), &seeds(), 2);
    let tokens = out
        .summary
        .stages
        .iter()
        .find(|s| s.stage == "tag.tokens.v1")
        .unwrap();
    assert_eq!((tokens.docs_in, tokens.docs_out), (2, 2));
    assert!(tokens.skipped.is_empty());
    let docs = out.jsonl("documents.jsonl");
    assert!(docs.iter().all(|d| {
        d["tags"]["tokens"]
            .as_array()
            .is_some_and(|t| !t.is_empty())
    }));
}
