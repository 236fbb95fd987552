//! Prints the spin verdict of a file (or `-` for stdin): the score, then
//! each substitution, then the repaired text.
//!
//! `cargo run --release -p copydesk-spin --example despin -- FILE`

use copydesk_spin::{SpinConfig, SpinTagger};
use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "-".into());
    let mut text = String::new();
    if path == "-" {
        std::io::stdin().read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(&path)?;
    }
    let mut tagger = SpinTagger::new(&SpinConfig::default())?;
    if let Ok(list) = std::env::var("SPIN_WEIGHTS") {
        let mut w = tagger.weights();
        for kv in list.split(',') {
            let Some((k, v)) = kv.split_once('=') else {
                continue;
            };
            let Ok(v) = v.parse::<f64>() else { continue };
            match k {
                "unigram" => w.unigram = v,
                "context" => w.context = v,
                "support" => w.support = v,
                "fanout" => w.fanout = v,
                "bias" => w.bias = v,
                "half_rate" => w.half_rate = v,
                _ => eprintln!("unknown weight {k}"),
            }
        }
        tagger = tagger.with_weights(w);
    }
    let v = tagger.analyze(&text);
    if std::env::var_os("SPIN_DEBUG").is_some() {
        let a = tagger.candidates(&text, &copydesk_spin::detect_quotes(&text));
        let w = tagger.weights();
        let mut best: std::collections::BTreeMap<(usize, usize), &copydesk_spin::Candidate> =
            Default::default();
        for c in &a.candidates {
            let e = best.entry((c.first, c.last)).or_insert(c);
            if c.logodds(&w) > e.logodds(&w) {
                *e = c;
            }
        }
        for ((f, l), c) in best {
            let spun = &text[a.tokens[f].start..a.tokens[l].end];
            println!(
                "{:>7.2} {:<24} <- {:<20} uni {:>6.2} ctx {:>6.2} sup {:>2} fan {:.1}",
                c.logodds(&w),
                spun,
                c.original,
                c.unigram,
                c.context,
                c.support,
                c.log_fanout
            );
        }
    }
    if std::env::var_os("SPIN_RERANK_DEBUG").is_some() {
        // Every candidate the re-ranker sees, with its probability.
        let a = tagger.candidates(&text, &copydesk_spin::detect_quotes(&text));
        let w = tagger.weights();
        let model = w
            .rerank
            .model(a.expanded_words as f64 / a.tokens.len().max(1) as f64);
        for (k, x) in tagger.rerank_features(&a, &w) {
            let c = &a.candidates[k];
            let spun = &text[a.tokens[c.first].start..a.tokens[c.last].end];
            let p = 1.0 / (1.0 + (-model.logodds(&x)).exp());
            if p > 0.1 {
                let xs: Vec<String> = copydesk_spin::rerank::FEATURE_NAMES
                    .iter()
                    .zip(x)
                    .map(|(n, v)| format!("{n}={v:.2}"))
                    .collect();
                println!("{p:.2} {spun} <- {} {}", c.original, xs.join(" "));
            }
        }
    }
    println!(
        "spun={} score={:.3} substitutions={}",
        v.spun,
        v.score,
        v.substitutions.len()
    );
    for s in &v.substitutions {
        println!(
            "  {:>6} {:<28} <- {:<24} {:.2}",
            s.start, s.spun, s.original, s.confidence
        );
    }
    println!("\n{}", v.repaired);
    Ok(())
}
