//! Measures tagging throughput (MB/s on one core) over Reuters-21578 texts:
//! `cargo run --release -p copydesk-tag --example tag_throughput -- [MAX_DOCS] [--input FILE.jsonl] [--digest OUT] [--pipeline-only] [--repeat N] [--only STAGE]`.
//!
//! Prints the figure for each stage alone and for all stages in pipeline order.
//!
//! `--input` reads documents from a JSON-lines file instead: serialized
//! [`Document`]s (as `clean_throughput --dump` of copydesk-clean writes
//! them, cleaned, with their metadata) or records with a `text` field.
//! `--repeat N` keeps the best of N runs of each stage in pipeline order.
//! `--pipeline-only` skips the runs of each stage alone (for profiling).
//! `--only STAGE` measures that stage alone in pipeline order (the stages
//! before it run unmeasured, those after it not at all), for profiling.
//! `--digest OUT` writes one line per document with a hash of each layer
//! the stages wrote, to check that a change leaves their output alone.
//! `--doc-major` runs every stage on a document before the next document,
//! as the runner does (each stage then finds the layers of the ones before
//! it in cache), in batches of 512 documents dropped once tagged (as the
//! runner spills them, so memory is reused), best of `--repeat` runs: it
//! prints the CPU time of all stages together and each stage's share of
//! the wall time.
//! `--skip STAGE` leaves a stage out (repeatable): `--skip tag.tokens.v1`
//! runs the stages as the runner does when nothing reads `layer.tokens`.

use copydesk_core::{BuiltStage, Document, DocumentStage, Source};

/// The allocator of the `copydesk` binary (the stages allocate as they
/// would in the pipeline).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufRead, Write};
use std::time::Instant;

const REUTERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/reuters21578/reuters21578.jsonl"
);

fn main() {
    let mut max_docs = 5000usize;
    let mut input = None;
    let mut digest = None;
    let mut alone = true;
    let mut repeat = 1usize;
    let mut only: Option<String> = None;
    let mut doc_major = false;
    let mut skip: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--input" => input = args.next(),
            "--digest" => digest = args.next(),
            "--pipeline-only" => alone = false,
            "--repeat" => repeat = args.next().and_then(|n| n.parse().ok()).unwrap_or(1),
            "--only" => only = args.next(),
            "--doc-major" => doc_major = true,
            "--skip" => skip.extend(args.next()),
            n => max_docs = n.parse().unwrap_or(max_docs),
        }
    }
    let path = input.clone().unwrap_or_else(|| REUTERS.to_string());
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let originals: Vec<Document> = std::io::BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| read_document(&line))
        .filter(|d| !d.text.is_empty())
        .take(max_docs)
        .collect();
    let bytes: usize = originals.iter().map(|d| d.text.len()).sum();
    let mb = bytes as f64 / 1e6;
    println!("{} documents, {mb:.2} MB", originals.len());
    let stages: Vec<(&'static str, Box<dyn DocumentStage>)> = copydesk_tag::factories()
        .into_iter()
        .filter(|f| !skip.iter().any(|s| s == f.name))
        .filter_map(|f| match (f.build)(&(f.defaults)()) {
            Ok(BuiltStage::Document(s)) => Some((f.name, s)),
            _ => None,
        })
        .collect();
    let fresh = || -> Vec<Document> { originals.clone() };
    if doc_major {
        let mut best_cpu = f64::INFINITY;
        let mut best_walls = vec![0.0; stages.len()];
        for _ in 0..repeat {
            let mut walls = vec![0.0; stages.len()];
            let mut cpu = 0.0;
            // Batches of the runner's default size, dropped once tagged
            // (the runner spills them), so memory is reused as it is there.
            for batch in originals.chunks(512) {
                let mut docs = batch.to_vec();
                let cpu0 = cpu_seconds();
                for doc in docs.iter_mut() {
                    for (k, (_, stage)) in stages.iter().enumerate() {
                        let t = Instant::now();
                        if let Err(e) = stage.process(doc) {
                            eprintln!("{e}");
                        }
                        walls[k] += t.elapsed().as_secs_f64();
                    }
                }
                cpu += cpu_seconds() - cpu0;
            }
            if cpu < best_cpu {
                (best_cpu, best_walls) = (cpu, walls);
            }
        }
        let total_wall: f64 = best_walls.iter().sum();
        for ((name, _), wall) in stages.iter().zip(&best_walls) {
            println!(
                "{name:<18} {:>5.1}% of the time  ~{:>7.1} MB/s cpu",
                100.0 * wall / total_wall,
                mb / (best_cpu * wall / total_wall)
            );
        }
        println!(
            "all stages, document by document {:>8.1} MB/s cpu ({best_cpu:.3} s)",
            mb / best_cpu
        );
        return;
    }
    println!(
        "stage               alone (computes what it needs)   in pipeline order (reuses layers)"
    );
    let mut pipeline_docs = fresh();
    let (mut total_cpu, mut total_wall) = (0.0, 0.0);
    for (name, stage) in &stages {
        if let Some(target) = only.as_deref()
            && target != *name
        {
            // Earlier stages run unmeasured, later ones not at all.
            if stages.iter().position(|(n, _)| *n == target)
                > stages.iter().position(|(n, _)| n == name)
            {
                measure(&mut pipeline_docs, stage.as_ref());
            }
            continue;
        }
        let alone_cpu = if alone {
            measure(&mut fresh(), stage.as_ref()).0
        } else {
            f64::NAN
        };
        // Best of `repeat` runs, each on a copy of the documents as the
        // previous stages left them.
        let before = if repeat > 1 {
            pipeline_docs.clone()
        } else {
            Vec::new()
        };
        let (mut cpu, mut wall) = measure(&mut pipeline_docs, stage.as_ref());
        for _ in 1..repeat {
            let mut again = before.clone();
            let (c, w) = measure(&mut again, stage.as_ref());
            (cpu, wall) = (cpu.min(c), wall.min(w));
        }
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
    let mut by_layer: std::collections::BTreeMap<&str, usize> = Default::default();
    for d in &pipeline_docs {
        for (layer, v) in &d.tags {
            *by_layer.entry(layer.as_str()).or_default() += v.len();
        }
    }
    for (layer, n) in by_layer {
        println!("  {layer:<10} {n:>9}");
    }
    if let Some(out_path) = digest {
        if let Err(e) = write_digest(&out_path, &pipeline_docs) {
            eprintln!("{out_path}: {e}");
            std::process::exit(1);
        }
        println!("digest written to {out_path}");
    }
}

/// A serialized document, or a record with a `text` field.
fn read_document(line: &str) -> Option<Document> {
    if let Ok(doc) = serde_json::from_str::<Document>(line) {
        return Some(doc);
    }
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let text = v["text"].as_str()?;
    let id = v["id"].as_str().unwrap_or("d");
    Some(Document::new(id, Source::default(), text))
}

/// One line per document: its id, then `layer:hash` for every layer.
fn write_digest(path: &str, docs: &[Document]) -> Result<(), Box<dyn std::error::Error>> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for doc in docs {
        write!(out, "{}", doc.id)?;
        for (layer, annotations) in &doc.tags {
            let mut h = DefaultHasher::new();
            serde_json::to_string(annotations)?.hash(&mut h);
            write!(out, "\t{layer}:{:016x}", h.finish())?;
        }
        writeln!(out)?;
    }
    Ok(())
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
    // A coarse CPU clock (10 ms ticks) reads 0 for tiny runs: wall time then.
    (if cpu > 0.0 { cpu } else { wall }, wall)
}

/// CPU time of this thread in seconds: nanoseconds on the CPU from
/// `/proc/thread-self/schedstat` (user and system, precise), or the
/// process's user + system ticks from `/proc/self/stat` (10 ms) where that
/// is unavailable; 0 where neither is. CPU time rather than wall time,
/// because the machine is shared.
fn cpu_seconds() -> f64 {
    if let Some(ns) = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
    {
        return ns / 1e9;
    }
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
