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
    let tagger = SpinTagger::new(&SpinConfig::default())?;
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
