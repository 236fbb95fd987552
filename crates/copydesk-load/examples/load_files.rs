//! Loads files with this crate's loaders, as the runner would, and prints
//! what came out: documents, errors (one line each) and time.
//!
//! ```text
//! cargo run --release -p copydesk-load --example load_files -- FILE...
//! ```
//!
//! Each file goes to the first loader (text, JSON lines, HTML, WARC) whose
//! `accepts` takes it, with default options. For WARC files the records
//! skipped without error (requests, metadata, non-HTML responses) are
//! printed by reason.

use copydesk_core::{BuiltStage, LoadStage};
use copydesk_load::{WarcLoader, WarcLoaderConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let loaders: Vec<(&str, Box<dyn LoadStage>)> = copydesk_load::factories()
        .into_iter()
        .map(|f| match (f.build)(&(f.defaults)()) {
            Ok(BuiltStage::Load(l)) => Ok((f.name, l)),
            Ok(_) => Err(format!("{} is not a loader", f.name)),
            Err(e) => Err(format!("{}: {e}", f.name)),
        })
        .collect::<Result<_, _>>()?;
    let warc = WarcLoader::new(WarcLoaderConfig::default())?;
    for file in std::env::args().skip(1) {
        let path = std::path::Path::new(&file);
        let Some((name, loader)) = loaders.iter().find(|(_, l)| l.accepts(path)) else {
            println!("{file}: no loader accepts it");
            continue;
        };
        let is_warc = warc.accepts(path) && *name == "load.warc.v1";
        let loader: &dyn LoadStage = if is_warc { &warc } else { loader.as_ref() };
        let before = warc.counts();
        let started = std::time::Instant::now();
        let (mut docs, mut errors, mut chars) = (0u64, 0u64, 0usize);
        for result in loader.open(path) {
            match result {
                Ok(doc) => {
                    docs += 1;
                    chars += doc.text.chars().count();
                }
                Err(e) => {
                    errors += 1;
                    println!("  error: {e}");
                }
            }
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{file}: {name}: {docs} documents ({chars} chars), {errors} errors in {secs:.2}s ({:.0} documents/s)",
            docs as f64 / secs.max(1e-9)
        );
        if is_warc {
            let after = warc.counts();
            let skipped: Vec<String> = after
                .skipped
                .iter()
                .map(|(why, n)| (why, n - before.skipped.get(why).copied().unwrap_or(0)))
                .filter(|(_, n)| *n > 0)
                .map(|(why, n)| format!("{why} {n}"))
                .collect();
            println!(
                "  {} records; skipped {}: {}",
                after.records - before.records,
                after.skipped_total() - before.skipped_total(),
                skipped.join(", ")
            );
        }
    }
    Ok(())
}
