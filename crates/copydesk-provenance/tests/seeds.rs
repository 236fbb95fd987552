//! The two seed articles: the same Reuters story, 000 machine-spun, 001
//! republished with edits. Provenance must link them, call 000 spun with
//! 001 as its source, list the substitutions and restore the wording.

use copydesk_core::{Document, Relation, RelationKind, Source, SpinVerdict};
use copydesk_provenance::{ProvenanceConfig, run_provenance};

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds");

fn seed(prefix: &str) -> Document {
    let dir = std::fs::read_dir(SEEDS).expect("seeds directory");
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with(prefix) && name.ends_with(".txt") {
            let text = std::fs::read_to_string(entry.path()).expect("seed text");
            return Document::new(prefix, Source::default(), text);
        }
    }
    panic!("seed {prefix} not found");
}

fn run() -> (Vec<Relation>, Vec<Document>) {
    let mut docs = vec![seed("000"), seed("001")];
    let out = run_provenance(ProvenanceConfig::default(), &mut docs).expect("stage runs");
    let relations = out.tables["relations"]
        .rows_as::<Relation>()
        .expect("table readable")
        .map(|r| r.expect("relation"))
        .collect();
    (relations, docs)
}

#[test]
fn seeds_are_linked_with_000_spun_from_001() {
    let (relations, docs) = run();
    assert_eq!(relations.len(), 1, "{relations:#?}");
    let r = &relations[0];
    assert_eq!((r.doc.as_str(), r.source.as_str()), ("000", "001"));
    assert_eq!(r.kind, RelationKind::Spun);
    let spin000: SpinVerdict = docs[0].get_ext("spin").expect("spin of 000");
    let spin001: SpinVerdict = docs[1].get_ext("spin").expect("spin of 001");
    assert!(spin000.spun);
    assert_eq!(spin000.source.as_deref(), Some("001"));
    assert!(!spin001.spun);
    assert_eq!(spin001.repaired, docs[1].text);
    assert_eq!(docs[0].ext["provenance"]["source"], "001");
    assert_eq!(docs[1].ext["provenance"]["copies"][0], "000");
}

#[test]
fn substitutions_include_the_spinner_swaps() {
    let (relations, _) = run();
    let subs: Vec<(String, String)> = relations[0]
        .evidence
        .substitutions
        .iter()
        .map(|s| (s.spun.to_lowercase(), s.original.to_lowercase()))
        .collect();
    for (spun, original) in [("safety", "security"), ("mentioned", "said")] {
        assert!(
            subs.iter().any(|(s, o)| s == spun && o == original),
            "missing {spun} -> {original} in {subs:?}"
        );
    }
    assert!(
        subs.iter().any(|(s, o)| s == "1000’s" && o == "thousands"),
        "missing 1000’s -> thousands in {subs:?}"
    );
    // Every substitution's spans hold its wording.
    for s in &relations[0].evidence.substitutions {
        assert!(!s.spun.is_empty() && !s.original.is_empty());
    }
}

#[test]
fn added_and_dropped_passages_are_reported() {
    let (relations, docs) = run();
    let ev = &relations[0].evidence;
    // 001 (the source) has the written proposal for joint strikes, which 000 lacks.
    let dropped: Vec<&str> = ev
        .dropped
        .iter()
        .map(|s| &docs[1].text[s.start..s.end])
        .collect();
    assert!(
        dropped.iter().any(|d| d.contains("written proposal")),
        "{dropped:?}"
    );
    // 000 carries the CPEC passage that 001 lacks.
    let added: Vec<&str> = ev
        .added
        .iter()
        .map(|s| &docs[0].text[s.start..s.end])
        .collect();
    assert!(added.iter().any(|d| d.contains("CPEC")), "{added:?}");
    for p in &ev.aligned {
        assert!(docs[0].text.get(p.doc.start..p.doc.end).is_some());
        assert!(docs[1].text.get(p.source.start..p.source.end).is_some());
    }
}

#[test]
fn repaired_000_restores_wording_of_shared_sentences() {
    let (_, docs) = run();
    let spin: SpinVerdict = docs[0].get_ext("spin").expect("spin");
    let repaired = &spin.repaired;
    // Sentences 001 has word for word (up to punctuation) come back.
    for restored in [
        "Neither Beijing nor Islamabad confirmed the talks",
        "said there was a consensus on setting up a joint security management system",
        "help in improving its intelligence and surveillance capabilities instead of direct involvement",
        "strengthen cooperation with Pakistan",
    ] {
        assert!(
            repaired.contains(restored),
            "repaired text lacks {restored:?}:\n{repaired}"
        );
    }
    // Wording 001 does not have stays as it is (the CPEC passage).
    assert!(repaired.contains("CPEC"));
}
