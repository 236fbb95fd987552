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
