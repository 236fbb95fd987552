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
    let fresh = || -> Vec<Document> {
        texts
            .iter()
            .map(|t| Document::new("d", Source::default(), t.clone()))
            .collect()
    };
    println!(
        "stage               alone (computes what it needs)   in pipeline order (reuses layers)"
    );
    let mut pipeline_docs = fresh();
    let (mut total_cpu, mut total_wall) = (0.0, 0.0);
    for (name, stage) in &stages {
        let mut alone_docs = fresh();
        let (alone_cpu, _) = measure(&mut alone_docs, stage.as_ref());
        let (cpu, wall) = measure(&mut pipeline_docs, stage.as_ref());
        total_cpu += cpu;
        total_wall += wall;
        println!(
            "{name:<18} {:>8.1} MB/s cpu               {:>8.1} MB/s cpu ({:.1} MB/s wall)",
            mb / alone_cpu,
            mb / cpu,
            mb / wall
        );
    }
    println!(
        "{:<18} {:>40.1} MB/s cpu ({:.1} MB/s wall)",
        "all stages",
        mb / total_cpu,
        mb / total_wall
    );
    let annotations: usize = pipeline_docs
        .iter()
        .map(|d| d.tags.values().map(Vec::len).sum::<usize>())
        .sum();
    println!("{annotations} annotations");
}

/// Runs one stage over every document: (CPU seconds, wall seconds).
fn measure(docs: &mut [Document], stage: &dyn DocumentStage) -> (f64, f64) {
    let (cpu0, wall0) = (cpu_seconds(), Instant::now());
    for doc in docs.iter_mut() {
        if let Err(e) = stage.process(doc) {
            eprintln!("{e}");
        }
    }
    let wall = wall0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    // The CPU clock ticks in 10 ms; fall back to wall time for tiny runs.
    (if cpu > 0.05 { cpu } else { wall }, wall)
}

/// CPU time of this process (user + system), from /proc; 0 where unavailable.
/// CPU time rather than wall time, because the machine is shared.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields, in clock ticks (100 per second on Linux).
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |k: usize| {
        fields
            .get(k)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}
