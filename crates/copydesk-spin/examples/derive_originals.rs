//! Writes `data/word_originals.txt.gz`: the originals of every vocabulary
//! word under the default dictionaries, computed by the tagger itself (see
//! `src/precomputed.rs`). Re-run after changing the embedded tables, the
//! morphology or how originals are found; the crate's tests fail while
//! the table and the computation disagree.
//!
//! `cargo run --release -p copydesk-spin --example derive_originals -- crates/copydesk-spin/data/word_originals.txt.gz`

use copydesk_spin::{SpinConfig, SpinTagger};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .ok_or("usage: derive_originals OUT.txt.gz")?;
    let tagger = SpinTagger::new(&SpinConfig::default())?;
    let table = tagger.word_originals_table();
    let mut gz = GzEncoder::new(std::fs::File::create(&out)?, Compression::best());
    gz.write_all(table.as_bytes())?;
    gz.finish()?;
    println!("{} lines written to {out}", table.lines().count());
    Ok(())
}
