//! Property tests of `corpus.provenance.v1` through its public API.

use copydesk_core::{Document, Relation, RelationKind, Source, SpinVerdict};
use copydesk_devset::{Dictionary, Spinner, SpinnerConfig};
use copydesk_provenance::{ProvenanceConfig, run_provenance};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "the",
    "company",
    "said",
    "it",
    "would",
    "sell",
    "its",
    "stake",
    "in",
    "a",
    "unit",
    "to",
    "investors",
    "for",
    "mln",
    "dlrs",
    "and",
    "that",
    "profits",
    "rose",
    "sharply",
    "during",
    "quarter",
    "officials",
    "expect",
    "demand",
    "growth",
    "market",
    "prices",
    "of",
    "on",
    "with",
];
const NAMES: &[&str] = &[
    "Reuters", "Tokyo", "Smith", "OPEC", "Brazil", "Ford", "Paris",
];

/// A sentence of 8 to 16 words with a name and a number.
fn sentence() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(0..WORDS.len(), 8..16),
        0..NAMES.len(),
        1u32..2000,
    )
        .prop_map(|(words, name, number)| {
            let mut w: Vec<String> = words.iter().map(|&i| WORDS[i].to_string()).collect();
            w.insert(w.len() / 2, NAMES[name].to_string());
            w.insert(w.len() / 3, number.to_string());
            let mut s = w.join(" ");
            if let Some(first) = s.get(0..1) {
                s.replace_range(0..1, &first.to_uppercase());
            }
            s.push('.');
            s
        })
}

fn article() -> impl Strategy<Value = String> {
    prop::collection::vec(sentence(), 3..8).prop_map(|s| s.join(" "))
}

fn docs(texts: &[String]) -> Vec<Document> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| Document::new(format!("d{i:02}"), Source::default(), t.clone()))
        .collect()
}

fn relations(docs: &mut [Document]) -> Vec<Relation> {
    relations_with(ProvenanceConfig::default(), docs)
}

fn relations_with(config: ProvenanceConfig, docs: &mut [Document]) -> Vec<Relation> {
    let out = run_provenance(config, docs).expect("stage runs");
    out.tables["relations"]
        .rows_as::<Relation>()
        .expect("table readable")
        .map(|r| r.expect("relation"))
        .collect()
}

fn spinner() -> Spinner {
    Spinner::new(SpinnerConfig {
        rate: 0.8,
        seed: 1,
        dictionary: Dictionary::from_pairs([
            ("company", vec!["firm"]),
            ("sell", vec!["vend"]),
            ("stake", vec!["share"]),
            ("investors", vec!["backers"]),
            ("profits", vec!["earnings"]),
            ("rose", vec!["climbed"]),
            ("sharply", vec!["steeply"]),
            ("quarter", vec!["period"]),
            ("officials", vec!["functionaries"]),
            ("expect", vec!["anticipate"]),
            ("demand", vec!["requirement"]),
            ("growth", vec!["increase"]),
            ("market", vec!["marketplace"]),
            ("prices", vec!["costs"]),
            ("said", vec!["mentioned"]),
        ]),
    })
}

fn key(r: &Relation) -> (String, String, RelationKind, String) {
    (
        r.doc.clone(),
        r.source.clone(),
        r.kind,
        format!("{:.9}", r.score),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn an_exact_copy_is_verbatim(text in article(), other in article()) {
        let mut d = docs(&[text.clone(), other, text]);
        let rels = relations(&mut d);
        let link = rels.iter().find(|r| {
            (r.doc == "d00" && r.source == "d02") || (r.doc == "d02" && r.source == "d00")
        });
        prop_assert!(link.is_some_and(|r| r.kind == RelationKind::Verbatim), "{rels:?}");
    }

    #[test]
    fn relations_do_not_depend_on_order_or_threads(
        texts in prop::collection::vec(article(), 3..6),
        rotate in 1usize..5,
    ) {
        // A corpus with copies: each article, a spun copy of the first and a copy of the second.
        let mut all = texts.clone();
        all.push(spinner().spin(&texts[0]).text);
        all.push(format!("{}\nShare this article", texts[1]));
        let base = docs(&all);
        let mut a = base.clone();
        let ra: Vec<_> = relations(&mut a).iter().map(key).collect();
        // Same documents (same ids) in another order.
        let mut b = base.clone();
        let len = b.len();
        b.rotate_left(rotate % len);
        let mut rb: Vec<_> = relations(&mut b).iter().map(key).collect();
        rb.sort();
        let mut ra_sorted = ra.clone();
        ra_sorted.sort();
        prop_assert_eq!(&ra_sorted, &rb);
        // One thread and three threads.
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
            let mut c = base.clone();
            let rc: Vec<_> = pool.install(|| relations(&mut c)).iter().map(key).collect();
            prop_assert_eq!(&ra, &rc);
        }
    }

    #[test]
    fn spans_are_valid_and_unspun_repairs_are_identity(
        texts in prop::collection::vec(article(), 2..4),
        noise in "\\PC{0,60}",
    ) {
        let mut all = texts.clone();
        all.push(format!("{noise}\n{}", spinner().spin(&texts[0]).text));
        all.push(format!("{}\n{noise}", texts[1]));
        all.push(noise.clone());
        let mut d = docs(&all);
        let rels = relations(&mut d);
        let text = |id: &str| d.iter().find(|x| x.id == id).map(|x| x.text.clone()).unwrap_or_default();
        for r in &rels {
            let (dt, st) = (text(&r.doc), text(&r.source));
            let ev = &r.evidence;
            for p in &ev.aligned {
                prop_assert!(dt.get(p.doc.start..p.doc.end).is_some());
                prop_assert!(st.get(p.source.start..p.source.end).is_some());
                prop_assert!((0.0..=1.0).contains(&p.similarity));
            }
            for s in &ev.added {
                prop_assert!(dt.get(s.start..s.end).is_some());
            }
            for s in &ev.dropped {
                prop_assert!(st.get(s.start..s.end).is_some());
            }
            for s in &ev.substitutions {
                prop_assert_eq!(dt.get(s.doc.start..s.doc.end), Some(s.spun.as_str()));
                prop_assert_eq!(st.get(s.source.start..s.source.end), Some(s.original.as_str()));
            }
            prop_assert!((0.0..=1.0).contains(&r.score));
        }
        for doc in &d {
            let v: SpinVerdict = doc.get_ext("spin").expect("every document gets a spin verdict");
            if !v.spun {
                prop_assert_eq!(&v.repaired, &doc.text);
            }
        }
    }

    #[test]
    fn the_prefilter_skips_no_relation(
        texts in prop::collection::vec(article(), 3..6),
        picks in prop::collection::vec((0usize..6, 0usize..8), 4..12),
    ) {
        // Articles, copies of them, and mosaics of their sentences (which
        // share a sentence or two with several articles).
        let mut all = texts.clone();
        all.push(spinner().spin(&texts[0]).text);
        all.push(format!("{}\nShare this article", texts[1]));
        let sentences: Vec<Vec<String>> = texts
            .iter()
            .map(|t| t.split_inclusive(". ").map(str::to_string).collect())
            .collect();
        for pair in picks.chunks(2) {
            let mosaic: String = pair
                .iter()
                .filter_map(|&(t, s)| {
                    let list = &sentences[t % sentences.len()];
                    list.get(s % list.len()).cloned()
                })
                .collect();
            all.push(format!("Unrelated words open this mosaic story today. {mosaic}"));
        }
        let keys = |prefilter: bool| -> Vec<_> {
            let config = ProvenanceConfig { sentence_prefilter: prefilter, ..ProvenanceConfig::default() };
            let mut d = docs(&all);
            let mut k: Vec<_> = relations_with(config, &mut d).iter().map(key).collect();
            k.sort();
            k
        };
        prop_assert_eq!(keys(true), keys(false));
    }

    #[test]
    fn every_exact_copy_is_found_among_documents_sharing_sentences(
        texts in prop::collection::vec(article(), 4..8),
        copied in prop::collection::vec(0usize..8, 1..4),
    ) {
        // Every article also appears in three mosaics (its sentences mixed
        // with another article's), and some articles are copied exactly.
        let mut all = texts.clone();
        let n = texts.len();
        for (i, t) in texts.iter().enumerate() {
            let other = &texts[(i + 1) % n];
            let mut parts: Vec<&str> = t.split_inclusive(". ").take(2).collect();
            parts.extend(other.split_inclusive(". ").skip(2).take(2));
            for k in 0..3 {
                all.push(format!("Mosaic number {k} of {i}. {}", parts.concat()));
            }
        }
        let mut copies = Vec::new();
        for &c in &copied {
            let c = c % n;
            if !copies.contains(&c) {
                copies.push(c);
                all.push(texts[c].clone());
            }
        }
        // Also with no weak pair aligned at all: exact copies are strong.
        for weak_pairs_per_doc in [0.1, 0.0] {
        let config = ProvenanceConfig { weak_pairs_per_doc, ..ProvenanceConfig::default() };
        let mut d = docs(&all);
        let rels = relations_with(config, &mut d);
        for (k, &c) in copies.iter().enumerate() {
            let copy_id = format!("d{:02}", n * 4 + k);
            let source_id = format!("d{c:02}");
            // Articles can repeat (the strategy may draw one twice); any
            // verbatim link to an identical text counts.
            let found = rels.iter().any(|r| {
                r.kind == RelationKind::Verbatim
                    && (r.doc == copy_id || r.source == copy_id)
                    && {
                        let other = if r.doc == copy_id { &r.source } else { &r.doc };
                        other == &source_id
                            || d.iter().any(|x| &x.id == other && x.text == texts[c])
                    }
            });
            prop_assert!(found, "copy {copy_id} of {source_id} not found: {rels:?}");
        }
        }
    }

    #[test]
    fn twins_are_verbatim_copies_of_one_representative(
        text in article(),
        others in prop::collection::vec(article(), 1..4),
        captures in 2usize..40,
        first in 0usize..4,
    ) {
        // One page captured many times among other pages: every capture but
        // one is a verbatim copy of the same representative, the
        // smallest id of the group.
        let mut all = others.clone();
        let at = first.min(all.len());
        for _ in 0..captures {
            all.insert(at, text.clone());
        }
        let mut d = docs(&all);
        let rels = relations(&mut d);
        let twins: Vec<&String> = d.iter().filter(|x| x.text == text).map(|x| &x.id).collect();
        let rep = twins[0];
        for id in &twins[1..] {
            let found = rels.iter().filter(|r| &&r.doc == id).collect::<Vec<_>>();
            prop_assert_eq!(found.len(), 1, "{} has one source: {:?}", id, rels);
            prop_assert_eq!(found[0].kind, RelationKind::Verbatim);
            let source_text = &d.iter().find(|x| x.id == found[0].source).map(|x| x.text.clone());
            prop_assert!(&found[0].source == rep || source_text.as_deref() != Some(text.as_str()),
                "{} points at another twin", id);
        }
    }

    #[test]
    fn never_panics_on_arbitrary_text(texts in prop::collection::vec("\\PC{0,200}", 1..5)) {
        let mut all = texts.clone();
        all.push(texts[0].clone());
        let mut d = docs(&all);
        let _ = relations(&mut d);
    }
}

#[test]
fn spun_copy_gets_source_and_repaired_text() {
    let text = "The company said its profits rose sharply in the quarter, Ford said on Monday. \
                Officials expect demand growth in the market for 2025 to lift prices by 12 pct. \
                The company said it would sell its stake in the Paris unit to investors for 300 mln dlrs.";
    let spun = spinner().spin(text);
    assert!(spun.substitutions.len() >= 5, "{spun:?}");
    let mut d = docs(&[text.to_string(), spun.text.clone()]);
    let rels = relations(&mut d);
    assert_eq!(rels.len(), 1, "{rels:?}");
    assert_eq!(
        (rels[0].doc.as_str(), rels[0].source.as_str()),
        ("d01", "d00")
    );
    assert_eq!(rels[0].kind, RelationKind::Spun);
    let v: SpinVerdict = d[1].get_ext("spin").expect("spin");
    assert!(v.spun);
    assert_eq!(v.repaired, text);
    let source: SpinVerdict = d[0].get_ext("spin").expect("spin");
    assert!(!source.spun);
}

#[test]
fn intrinsic_substitutions_outside_aligned_passages_are_kept() {
    let text = "The company said its profits rose sharply in the quarter, Ford said on Monday. \
                Officials expect demand growth in the market for 2025 to lift prices by 12 pct.";
    let spun = spinner().spin(text).text;
    let extra = "An extra line about vending things.";
    let spun_doc = format!("{spun}\n{extra}");
    let mut d = docs(&[text.to_string(), spun_doc.clone()]);
    // An intrinsic tagger flagged "vending" in the extra line.
    let at = spun_doc.find("vending").expect("word");
    let intrinsic = SpinVerdict {
        spun: true,
        score: 0.4,
        repaired: String::new(),
        source: None,
        substitutions: vec![copydesk_core::SpinSubstitution {
            start: at,
            end: at + "vending".len(),
            spun: "vending".into(),
            original: "selling".into(),
            confidence: 0.4,
            evidence: "intrinsic".into(),
        }],
    };
    d[1].set_ext("spin", &intrinsic).expect("ext");
    let _ = relations(&mut d);
    let v: SpinVerdict = d[1].get_ext("spin").expect("spin");
    assert_eq!(v.source.as_deref(), Some("d00"));
    assert!(v.repaired.starts_with(text), "{}", v.repaired);
    assert!(
        v.repaired.ends_with("An extra line about selling things."),
        "{}",
        v.repaired
    );
}
