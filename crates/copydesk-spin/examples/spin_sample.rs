//! Prints a text spun by each of the evaluation spinners (for inspection).
//!
//! `cargo run --release -p copydesk-spin --example spin_sample -- FILE [RATE]`
//!
//! A `.jsonl` FILE (records with a `text` field) is written back to
//! standard output as JSON lines, each text spun by one of the spinners in
//! turn (spun input for `examples/bench.rs --input`).

use copydesk_spin::builtin_dictionary;
use copydesk_spin::spinner::{Spinner, Style};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: spin_sample FILE [RATE]")?;
    let rate: f64 = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0.3);
    let text = std::fs::read_to_string(&path)?;
    let wn = builtin_dictionary("wordnet").ok_or("wordnet")?;
    let moby = builtin_dictionary("moby").ok_or("moby")?;
    let spinners = [
        Spinner::from_thesaurus("wordnet-consistent-words", wn, Style::Consistent, false),
        Spinner::from_thesaurus("moby-random-phrases", moby, Style::Random, true),
        Spinner::from_thesaurus("moby-common-phrases", moby, Style::Common, true),
        Spinner::from_thesaurus("wordnet-common-words", wn, Style::Common, false),
    ];
    if path.ends_with(".jsonl") {
        let records = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string));
        for (k, body) in records.enumerate() {
            let spun = spinners[k % spinners.len()].spin(&body, rate, k as u64);
            println!("{}", serde_json::json!({ "text": spun.text }));
        }
        return Ok(());
    }
    for spinner in spinners {
        let spun = spinner.spin(&text, rate, 1);
        println!(
            "== {} ({} substitutions)\n{}\n",
            spinner.name,
            spun.substitutions.len(),
            spun.text
        );
    }
    Ok(())
}
