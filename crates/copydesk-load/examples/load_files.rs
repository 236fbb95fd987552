//! Loads files with this crate's loaders, as the runner would, and prints
//! what came out: documents, errors (one line each) and time.
//!
//! ```text
//! cargo run --release -p copydesk-load --example load_files -- FILE...
//! ```
//!
//! Each file goes to the first loader (text, JSON lines, HTML, WARC) whose
//! `accepts` takes it, with default options.

use copydesk_core::{BuiltStage, LoadStage};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let loaders: Vec<(&str, Box<dyn LoadStage>)> = copydesk_load::factories()
        .into_iter()
        .map(|f| match (f.build)(&(f.defaults)()) {
            Ok(BuiltStage::Load(l)) => Ok((f.name, l)),
            Ok(_) => Err(format!("{} is not a loader", f.name)),
            Err(e) => Err(format!("{}: {e}", f.name)),
        })
        .collect::<Result<_, _>>()?;
    for file in std::env::args().skip(1) {
        let path = std::path::Path::new(&file);
        let Some((name, loader)) = loaders.iter().find(|(_, l)| l.accepts(path)) else {
            println!("{file}: no loader accepts it");
            continue;
        };
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
    }
    Ok(())
}
