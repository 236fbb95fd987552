//! Measures tagging throughput (MB/s on one core) over Reuters-21578 texts:
//! `cargo run --release -p copydesk-tag --example tag_throughput -- [MAX_DOCS]`.
//!
//! Prints the figure for each stage alone and for all stages in pipeline order.

use copydesk_core::{BuiltStage, Document, DocumentStage, Source};
use std::io::BufRead;
use std::time::Instant;

const REUTERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/reuters21578/reuters21578.jsonl"
);

fn main() {
    let max_docs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5000);
    let file = match std::fs::File::open(REUTERS) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{REUTERS}: {e}");
            std::process::exit(1);
        }
    };
    let texts: Vec<String> = std::io::BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| {
            let v: serde_json::Value = serde_json::from_str(&line).ok()?;
            v["text"].as_str().map(str::to_string)
        })
        .filter(|t| !t.is_empty())
        .take(max_docs)
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    println!("{} documents, {mb:.2} MB", texts.len());
    let stages: Vec<(&'static str, Box<dyn DocumentStage>)> = copydesk_tag::factories()
        .into_iter()
        .filter_map(|f| match (f.build)(&(f.defaults)()) {
            Ok(BuiltStage::Document(s)) => Some((f.name, s)),
            _ => None,
        })
        .collect();
    println!("each stage alone (computing what it needs itself):");
    for (name, stage) in &stages {
        let secs = time(&texts, std::slice::from_ref(stage))[0];
        println!("  {name:<18} {:>8.1} MB/s", mb / secs);
    }
    let names: Vec<&str> = stages.iter().map(|(n, _)| *n).collect();
    let all: Vec<Box<dyn DocumentStage>> = stages.into_iter().map(|(_, s)| s).collect();
    let per_stage = time(&texts, &all);
    let total: f64 = per_stage.iter().sum();
    println!("in pipeline order (later stages reuse earlier layers):");
    for (name, secs) in names.iter().zip(&per_stage) {
        println!("  {name:<18} {:>8.1} MB/s", mb / secs);
    }
    println!(
        "  {:<18} {:>8.1} MB/s ({total:.2} s)",
        "all stages",
        mb / total
    );
}

/// Seconds spent in each stage over all texts.
fn time(texts: &[String], stages: &[Box<dyn DocumentStage>]) -> Vec<f64> {
    let mut secs = vec![0.0; stages.len()];
    let mut annotations = 0usize;
    for text in texts {
        let mut doc = Document::new("d", Source::default(), text.clone());
        for (k, s) in stages.iter().enumerate() {
            let start = Instant::now();
            if let Err(e) = s.process(&mut doc) {
                eprintln!("{e}");
            }
            secs[k] += start.elapsed().as_secs_f64();
        }
        annotations += doc.tags.values().map(Vec::len).sum::<usize>();
    }
    std::hint::black_box(annotations);
    secs
}
