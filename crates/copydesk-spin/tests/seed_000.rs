//! Seed 000 (a machine-spun Reuters story) analyzed alone, without its
//! source: which known substitutions are restored, which are missed.
//! Run with `--nocapture` to see the lists (they feed BENCHMARKS.md).

use copydesk_spin::{SpinConfig, SpinTagger};

const SEED_000: &str = include_str!("../../../seeds/000_ad935d4100d70209.txt");
const SEED_001: &str = include_str!("../../../seeds/001_25e86bbaf733a1cc.txt");

/// Substitutions visible by comparing with the Reuters wording (seed 001
/// covers a third of the story; the rest is plain English usage).
const KNOWN: &[(&str, &str)] = &[
    ("safety", "security"),
    ("mentioned", "said"),
    ("Chinese language", "Chinese"),
    ("automotive", "car"),
    ("metropolis", "city"),
    ("undertaking", "project"),
    ("bettering", "improving"),
    ("informed", "told"),
    ("accustomed", "familiar"),
    ("organising", "setting up"),
    ("bottom", "ground"),
    ("assaults", "attacks"),
    ("within the", "in the"),
    ("as an alternative of", "instead of"),
    ("employees", "staff"),
    ("permit", "allow"),
    ("significant", "major"),
    ("information", "knowledge"),
    ("beforehand", "previously"),
    ("assembly", "meeting"),
    ("settlement", "agreement"),
    ("overseas", "foreign"),
    ("remark", "comment"),
    ("announcement", "statement"),
    ("character", "nature"),
    ("technique", "strategy"),
    ("Final", "Last"),
    ("personal", "own"),
    ("offer", "provide"),
    ("requested", "asked"),
    ("assist", "help"),
    ("supply", "source"),
    ("primary", "first"),
    ("comparable", "similar"),
    ("had been", "were"),
    ("got here", "came"),
    ("one of many", "one of the"),
    ("Particular", "Special"),
    ("Financial Hall", "Economic Corridor"),
    ("Belt and Street", "Belt and Road"),
    ("forestall", "prevent"),
    ("practically", "nearly"),
    ("pursuits", "interests"),
];

#[test]
fn seed_000_alone_restores_known_substitutions_and_leaves_quotes() {
    let tagger = SpinTagger::new(&SpinConfig::default()).expect("tagger");
    let default_verdict = tagger.analyze(SEED_000);
    let body_001 = SEED_001.split("ISLAMABAD:").nth(1).unwrap_or(SEED_001);
    let unspun = tagger.analyze(body_001);
    println!(
        "default settings: seed 000 score {:.3} (spun: {}), seed 001 body score {:.3} (spun: {})",
        default_verdict.score, default_verdict.spun, unspun.score, unspun.spun
    );
    assert!(
        default_verdict.score > unspun.score,
        "the spun seed must score above its unspun republication"
    );

    // The default threshold is calibrated on unspun Reuters articles
    // (about 0.5% of them flagged); the seed must be judged spun on its own.
    let verdict = default_verdict;
    assert!(
        verdict.spun,
        "seed 000 flagged at the default threshold (score {:.3})",
        verdict.score
    );
    assert!(!unspun.spun, "seed 001 (unspun) flagged");
    let mut restored = Vec::new();
    let mut wrong = Vec::new();
    let mut missed = Vec::new();
    for (spun, original) in KNOWN {
        let hits: Vec<_> = verdict
            .substitutions
            .iter()
            .filter(|s| s.spun.contains(spun) || spun.contains(s.spun.as_str()))
            .filter(|s| spun.split(' ').any(|w| s.spun.split(' ').any(|x| x == w)))
            .collect();
        if hits
            .iter()
            .any(|s| s.original.eq_ignore_ascii_case(original))
        {
            restored.push(format!("{spun} -> {original}"));
        } else if let Some(s) = hits.first() {
            wrong.push(format!("{spun} -> {} (expected {original})", s.original));
        } else {
            missed.push(format!("{spun} (expected {original})"));
        }
    }
    println!(
        "score {:.3}, {} substitutions restored in all",
        verdict.score,
        verdict.substitutions.len()
    );
    println!(
        "RESTORED ({}):\n  {}",
        restored.len(),
        restored.join("\n  ")
    );
    println!(
        "WRONG ORIGINAL ({}):\n  {}",
        wrong.len(),
        wrong.join("\n  ")
    );
    println!("MISSED ({}):\n  {}", missed.len(), missed.join("\n  "));
    println!("ALL RESTORATIONS:");
    for s in &verdict.substitutions {
        println!("  {:?} -> {:?} ({:.2})", s.spun, s.original, s.confidence);
    }
    // The re-ranker, calibrated on heavily spun development documents,
    // restores few of this lightly spun article's substitutions, but
    // rewrites little else: at least as many known substitutions are
    // restored exactly as are given another original.
    assert!(
        restored.len() >= 4 && wrong.len() <= restored.len(),
        "{} known substitutions restored, {} with another original",
        restored.len(),
        wrong.len()
    );

    for quote in [
        "\u{201C}They (Chinese) want to bring in their own security,\u{201D}",
        "\u{201C}It was a grave security breach,\u{201D}",
        "\u{201C}inside help\u{201D}",
        "\u{2018}GRAVE SECURITY BREACH\u{2019}",
    ] {
        assert!(SEED_000.contains(quote));
        assert!(verdict.repaired.contains(quote), "quote changed: {quote}");
    }
    for s in &verdict.substitutions {
        assert!(
            !s.spun.chars().any(|c| c.is_ascii_digit()),
            "number touched: {s:?}"
        );
    }
}
