//! Prints a text spun by each of the evaluation spinners (for inspection).
//!
//! `cargo run --release -p copydesk-spin --example spin_sample -- FILE [RATE]`

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
    let text = std::fs::read_to_string(path)?;
    let wn = builtin_dictionary("wordnet").ok_or("wordnet")?;
    let moby = builtin_dictionary("moby").ok_or("moby")?;
    for spinner in [
        Spinner::from_thesaurus("wordnet-consistent-words", wn, Style::Consistent, false),
        Spinner::from_thesaurus("moby-random-phrases", moby, Style::Random, true),
        Spinner::from_thesaurus("moby-common-phrases", moby, Style::Common, true),
        Spinner::from_thesaurus("wordnet-common-words", wn, Style::Common, false),
    ] {
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
