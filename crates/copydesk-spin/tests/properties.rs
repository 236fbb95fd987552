//! Property and example tests of the spin tagger and the `tag.spin.v1` stage.

use copydesk_core::{Document, Source, SpinVerdict, StageKind};
use copydesk_spin::evaluation::word_error_rate;
use copydesk_spin::spinner::{Spinner, Style};
use copydesk_spin::{SpinConfig, SpinTagger, builtin_dictionary, factories};
use proptest::prelude::*;
use std::sync::OnceLock;

fn tagger() -> &'static SpinTagger {
    static T: OnceLock<SpinTagger> = OnceLock::new();
    T.get_or_init(|| SpinTagger::new(&SpinConfig::default()).expect("tagger"))
}

/// A tagger that judges every document spun, so repair rules are exercised.
fn eager() -> &'static SpinTagger {
    static T: OnceLock<SpinTagger> = OnceLock::new();
    T.get_or_init(|| {
        SpinTagger::new(&SpinConfig {
            threshold: 0.0,
            ..SpinConfig::default()
        })
        .expect("tagger")
    })
}

fn spinners() -> &'static [Spinner] {
    static S: OnceLock<Vec<Spinner>> = OnceLock::new();
    S.get_or_init(|| {
        let wn = builtin_dictionary("wordnet").expect("wordnet");
        let moby = builtin_dictionary("moby").expect("moby");
        vec![
            Spinner::from_thesaurus("wn", wn, Style::Consistent, false),
            Spinner::from_thesaurus("moby", moby, Style::Random, true),
        ]
    })
}

const COMMON: &[&str] = &[
    "the",
    "company",
    "said",
    "it",
    "will",
    "pay",
    "a",
    "dividend",
    "of",
    "to",
    "shareholders",
    "in",
    "march",
    "and",
    "expects",
    "higher",
    "sales",
    "this",
    "year",
    "government",
    "has",
    "agreed",
    "new",
    "trade",
    "talks",
    "with",
    "bank",
    "for",
    "was",
    "not",
    "been",
    "is",
    "on",
    "prices",
    "market",
    "share",
    "last",
    "week",
    "but",
];

fn check_verdict(text: &str, v: &SpinVerdict) -> Result<(), TestCaseError> {
    prop_assert!((0.0..=1.0).contains(&v.score));
    let mut subs = v.substitutions.clone();
    prop_assert_eq!(&SpinVerdict::apply(text, &mut subs), &v.repaired);
    for s in &v.substitutions {
        prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        prop_assert!(s.start < s.end && s.end <= text.len());
        prop_assert_eq!(&text[s.start..s.end], s.spun.as_str());
        prop_assert!((0.0..=1.0).contains(&s.confidence));
        prop_assert_eq!(s.evidence.as_str(), "intrinsic");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn never_panics_and_spans_fit(text in "\\PC{0,200}") {
        let v = eager().analyze(&text);
        check_verdict(&text, &v)?;
    }

    #[test]
    fn unspun_sentence_of_common_words_keeps_its_text(words in prop::collection::vec(prop::sample::select(COMMON), 3..25)) {
        let mut text = words.join(" ");
        if let Some(f) = text.get(..1) {
            text = f.to_uppercase() + &text[1..];
        }
        text.push('.');
        let v = tagger().analyze(&text);
        prop_assert_eq!(&v.repaired, &text);
        prop_assert!(!v.spun);
    }

    #[test]
    fn repair_never_touches_quotes_or_numbers(
        before in prop::collection::vec(prop::sample::select(COMMON), 2..12),
        quoted in prop::collection::vec(prop::sample::select(COMMON), 1..8),
        number in 0u32..100_000,
        marks in prop::sample::select(vec![("\u{201C}", "\u{201D}"), ("\"", "\""), ("\u{2018}", "\u{2019}")]),
    ) {
        let quote = format!("{}{}{}", marks.0, quoted.join(" "), marks.1);
        let text = format!("Sources mentioned {} {quote} after {number} assaults on the metropolis.", before.join(" "));
        let v = eager().analyze(&text);
        check_verdict(&text, &v)?;
        prop_assert!(v.repaired.contains(&quote), "{} -> {}", text, v.repaired);
        prop_assert!(v.repaired.contains(&number.to_string()));
        for s in &v.substitutions {
            prop_assert!(!s.spun.chars().any(|c| c.is_ascii_digit()));
        }
    }
}

/// Words a spinner writes, so that the pruning meets real candidates.
const SPUN_WORDS: &[&str] = &[
    "mentioned",
    "metropolis",
    "assaults",
    "undertaking",
    "bettering",
    "safety",
    "automotive",
    "offered",
    "to",
    "buy",
    "had",
    "been",
    "got",
    "here",
    "one",
    "of",
    "many",
    "as",
    "an",
    "alternative",
    "within",
    "the",
    "bottom",
    "Particular",
    "Financial",
    "Hall",
    "profound",
    "learning",
    "accredited",
    "final",
    "month",
    "firm",
    "officers",
    "proceed",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The stage judges a document on the pruned candidates; the verdict
    /// must be the one every candidate gives.
    #[test]
    fn pruned_candidates_give_the_exhaustive_verdict(
        words in prop::collection::vec(
            prop_oneof![prop::sample::select(COMMON), prop::sample::select(SPUN_WORDS)],
            1..60,
        ),
        eager_tagger in any::<bool>(),
    ) {
        let text = words.join(" ") + ".";
        let t = if eager_tagger { eager() } else { tagger() };
        let full = t.decide(&text, &t.candidates(&text, &[]), &t.weights());
        let pruned = t.decide(&text, &t.candidates_pruned(&text, &[]), &t.weights());
        prop_assert_eq!(full, pruned);
    }
}

#[test]
fn pruned_candidates_give_the_exhaustive_verdict_on_spun_articles() {
    for (k, article) in ARTICLES.iter().enumerate() {
        for spinner in spinners() {
            for (r, rate) in [0.15, 0.3, 0.5].iter().enumerate() {
                let spun = spinner.spin(article, *rate, (k * 10 + r) as u64).text;
                for t in [tagger(), eager()] {
                    let full = t.decide(&spun, &t.candidates(&spun, &[]), &t.weights());
                    let pruned = t.decide(&spun, &t.candidates_pruned(&spun, &[]), &t.weights());
                    assert_eq!(full, pruned, "{spun}");
                }
            }
        }
    }
}

const ARTICLES: &[&str] = &[
    "The company said it expects sales to rise sharply this year after the merger, and that profits \
     would improve as costs fall. Analysts said the outlook for the industry remains strong, although \
     prices have been weak in recent months and demand from abroad has slowed.",
    "Officials said the government will start talks with the unions next week to end the strike at the \
     ports. The dispute has stopped exports of coffee and cocoa and has cost the country millions of \
     dollars, the minister told reporters on Tuesday.",
    "The bank raised its key lending rate by half a point to curb inflation, which reached its highest \
     level in five years last month. Traders said the move was widely expected and had little effect on \
     the currency, which closed slightly higher against the dollar.",
];

#[test]
fn spin_then_repair_never_increases_word_error_rate() {
    for (k, article) in ARTICLES.iter().enumerate() {
        for spinner in spinners() {
            for (r, rate) in [0.15, 0.3, 0.5].iter().enumerate() {
                let spun = spinner.spin(article, *rate, (k * 10 + r) as u64);
                let repaired = tagger().analyze(&spun.text).repaired;
                let before = word_error_rate(&spun.text, article);
                let after = word_error_rate(&repaired, article);
                assert!(
                    after <= before + 1e-9,
                    "{}: WER rose from {before:.3} to {after:.3}\nspun: {}\nrepaired: {}",
                    spinner.name,
                    spun.text,
                    repaired
                );
            }
        }
    }
}

#[test]
fn heavily_spun_text_is_flagged_and_partly_restored() {
    let text = "The firm mentioned its assaults on the metropolis had been bettering, and the undertaking \
                would proceed. Officers mentioned the metropolis was bettering its defences after the \
                assaults, and the undertaking had been accredited by the authorities final month.";
    let v = eager().analyze(text);
    let restored: Vec<(&str, &str)> = v
        .substitutions
        .iter()
        .map(|s| (s.spun.as_str(), s.original.as_str()))
        .collect();
    assert!(restored.contains(&("metropolis", "city")), "{restored:?}");
    assert!(
        restored.contains(&("undertaking", "project")),
        "{restored:?}"
    );
    assert!(
        restored.contains(&("bettering", "improving")),
        "{restored:?}"
    );
    // Every restoration is of a wording the spinner wrote, and most
    // restore the spinner's own original. Repair may guess another
    // original for a word it judges surely spun ("proceed" read as "go"
    // where the spinner replaced "continue"): the word was wrong already.
    let made = [
        ("mentioned", "said"),
        ("assaults", "attacks"),
        ("metropolis", "city"),
        ("bettering", "improving"),
        ("undertaking", "project"),
        ("proceed", "continue"),
        ("accredited", "approved"),
        ("final", "last"),
    ];
    let mut wrong = Vec::new();
    for pair in &restored {
        assert!(
            made.iter().any(|(spun, _)| *spun == pair.0),
            "a word the spinner left alone was rewritten: {pair:?}"
        );
        if !made.contains(pair) {
            wrong.push(*pair);
        }
    }
    assert!(
        wrong.len() * 4 <= restored.len(),
        "wrong originals {wrong:?} in {restored:?}"
    );
    assert!(restored.len() >= wrong.len() + 6, "{restored:?}");
}

#[test]
fn user_tortured_phrases_are_restored_even_in_clean_documents() {
    let config = SpinConfig {
        tortured_phrases: [("fuzzy rationale".to_string(), "fuzzy logic".to_string())].into(),
        ..SpinConfig::default()
    };
    let t = SpinTagger::new(&config).expect("tagger");
    let v = t.analyze("We apply fuzzy rationale and profound learning to the data.");
    assert_eq!(
        v.repaired,
        "We apply fuzzy logic and deep learning to the data."
    );
    assert_eq!(v.substitutions.len(), 2);
}

#[test]
fn user_synonym_file_adds_candidates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("syn.txt");
    std::fs::write(&path, "car\tzorbmobile\n").expect("write");
    let config = SpinConfig {
        synonyms: vec![path],
        threshold: 0.0,
        ..SpinConfig::default()
    };
    let t = SpinTagger::new(&config).expect("tagger");
    let v = t.analyze("He bought a new zorbmobile last year.");
    assert!(v.repaired.contains("new car"), "{}", v.repaired);
    let bad = SpinConfig {
        synonyms: vec![dir.path().join("missing.txt")],
        ..SpinConfig::default()
    };
    assert!(SpinTagger::new(&bad).is_err());
}

#[test]
fn stage_writes_verdict_and_layer_and_respects_quote_layer() {
    let factory = factories().into_iter().next().expect("factory");
    assert_eq!(factory.name, "tag.spin.v1");
    assert_eq!(factory.kind, StageKind::Document);
    let mut options = toml::Table::new();
    options.insert("threshold".into(), toml::Value::Float(0.0));
    let copydesk_core::BuiltStage::Document(stage) = (factory.build)(&options).expect("build")
    else {
        panic!("not a document stage");
    };
    let text =
        "Officials mentioned the metropolis was bettering its roads. He said metropolis bettering.";
    let mut doc = Document::new("d", Source::default(), text);
    let quoted_from = text.find("He said").expect("sentence");
    doc.annotate(
        "quotes",
        [copydesk_core::Annotation::new(
            quoted_from,
            text.len(),
            "quote",
        )],
    )
    .expect("annotate");
    stage.process(&mut doc).expect("process");
    let verdict: SpinVerdict = doc.get_ext("spin").expect("verdict");
    assert!(verdict.spun);
    assert!(verdict.repaired.starts_with("Officials"));
    assert!(verdict.repaired.contains("city"), "{}", verdict.repaired);
    assert!(
        verdict.repaired.ends_with("He said metropolis bettering."),
        "{}",
        verdict.repaired
    );
    let layer = doc.layer("spin");
    assert_eq!(layer.len(), verdict.substitutions.len());
    assert!(
        layer
            .iter()
            .all(|a| a.label == "substitution" && a.attrs.contains_key("original"))
    );
}

#[test]
fn bad_options_are_named() {
    let factory = factories().into_iter().next().expect("factory");
    let mut options = toml::Table::new();
    options.insert(
        "dictionaries".into(),
        toml::Value::Array(vec![toml::Value::String("roget".into())]),
    );
    let err = (factory.build)(&options).err().expect("error");
    assert_eq!(err.key.as_deref(), Some("dictionaries"));
    let mut options = toml::Table::new();
    options.insert("threshold".into(), toml::Value::Float(2.0));
    let err = (factory.build)(&options).err().expect("error");
    assert_eq!(err.key.as_deref(), Some("threshold"));
}

#[test]
fn phrase_spinning_leaves_more_expanded_words_than_the_original() {
    let moby = &spinners()[1];
    for (k, article) in ARTICLES.iter().enumerate() {
        let original = tagger().candidates(article, &[]);
        let spun = moby.spin(article, 0.5, k as u64);
        let spun_analysis = tagger().candidates(&spun.text, &[]);
        assert!(
            spun_analysis.expanded_words > original.expanded_words,
            "{} expanded words in the original, {} in the phrase-spun copy: {}",
            original.expanded_words,
            spun_analysis.expanded_words,
            spun.text
        );
    }
}

#[test]
fn adjacent_pairs_are_judged_together() {
    let wn = &spinners()[0];
    let mut pairs = 0;
    for (k, article) in ARTICLES.iter().enumerate() {
        let spun = wn.spin(article, 0.5, k as u64);
        let a = tagger().candidates(&spun.text, &[]);
        for c in a.candidates.iter().filter(|c| c.substitutions == 2) {
            pairs += 1;
            assert_eq!(c.last, c.first + 1, "{c:?}");
            assert_eq!(c.original.split(' ').count(), 2, "{c:?}");
            assert!(a.tokens[c.first].linked_next, "{c:?}");
        }
    }
    assert!(pairs > 0, "no pair candidates in heavily spun text");
}

#[test]
fn repeated_wordings_share_groups_and_pooling_only_adds_evidence() {
    let text = "Police mentioned the attack. The minister mentioned the attack on the metropolis. \
                Officials mentioned that the metropolis was calm.";
    let a = eager().candidates(text, &[]);
    let groups_of = |word: &str, original: &str| -> Vec<u32> {
        a.candidates
            .iter()
            .zip(&a.groups)
            .filter(|(c, _)| {
                c.first == c.last && &text[a.tokens[c.first].start..a.tokens[c.first].end] == word
            })
            .filter(|(c, _)| &*c.original == original)
            .map(|(_, &g)| g)
            .collect()
    };
    let said = groups_of("mentioned", "said");
    assert_eq!(said.len(), 3, "{said:?}");
    assert!(said.iter().all(|&g| g == said[0] && g != u32::MAX));
    let city = groups_of("metropolis", "city");
    assert_eq!(city.len(), 2);
    assert_ne!(city[0], said[0]);
    let w = eager().weights();
    let plain = eager().decide(text, &a, &w);
    let pooled = eager().decide(text, &a, &copydesk_spin::Weights { pool: 1.0, ..w });
    assert!(pooled.substitutions.len() >= plain.substitutions.len());
}

/// The eager tagger with the re-ranker off (the noisy-channel repair alone).
fn channel_only() -> &'static SpinTagger {
    static T: OnceLock<SpinTagger> = OnceLock::new();
    T.get_or_init(|| {
        let t = SpinTagger::new(&SpinConfig {
            threshold: 0.0,
            ..SpinConfig::default()
        })
        .expect("tagger");
        let mut w = t.weights();
        w.rerank.enabled = false;
        t.with_weights(w)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Re-ranked restorations never overlap, and each carries at least
    /// the smallest confidence a restoration may be chosen at (the
    /// model's threshold or the channel's floor).
    #[test]
    fn reranked_restorations_are_disjoint_and_clear_a_threshold(
        words in prop::collection::vec(
            prop_oneof![prop::sample::select(COMMON), prop::sample::select(SPUN_WORDS)],
            1..60,
        ),
    ) {
        let text = words.join(" ") + ".";
        let v = eager().analyze(&text);
        check_verdict(&text, &v)?;
        let r = eager().weights().rerank;
        let floor = [r.word, r.phrase]
            .iter()
            .flat_map(|m| [m.threshold, m.channel_floor])
            .fold(1.0f64, f64::min);
        for pair in v.substitutions.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start, "{:?}", pair);
        }
        for s in &v.substitutions {
            prop_assert!(s.confidence >= floor - 1e-9, "{s:?} below {floor}");
        }
    }

    /// With the re-ranker off, the pruned candidates still give the
    /// exhaustive verdict (the channel-only repair stays usable).
    #[test]
    fn channel_only_repair_prunes_exactly(
        words in prop::collection::vec(
            prop_oneof![prop::sample::select(COMMON), prop::sample::select(SPUN_WORDS)],
            1..60,
        ),
    ) {
        let text = words.join(" ") + ".";
        let t = channel_only();
        let full = t.decide(&text, &t.candidates(&text, &[]), &t.weights());
        let pruned = t.decide(&text, &t.candidates_pruned(&text, &[]), &t.weights());
        prop_assert_eq!(full, pruned);
    }
}

#[test]
fn the_reranker_repairs_a_phrase_spun_article_the_channel_left_alone() {
    // A Moby phrase spinner's output: judged spun, and since the
    // re-ranker some of it restored (before, such documents were only
    // judged). The article is one of the test texts, not the eval's.
    let moby = builtin_dictionary("moby").expect("moby");
    let spinner = Spinner::from_thesaurus("moby-common", moby, Style::Common, true);
    let mut repaired_any = false;
    for (k, article) in ARTICLES.iter().enumerate() {
        let spun = spinner.spin(article, 0.5, k as u64);
        let v = tagger().analyze(&spun.text);
        let before = word_error_rate(&spun.text, article);
        let after = word_error_rate(&v.repaired, article);
        assert!(after <= before + 1e-9, "{}\n{}", spun.text, v.repaired);
        repaired_any |= after < before;
    }
    assert!(repaired_any, "no phrase-spun article was improved");
}
