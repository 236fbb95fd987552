//! Throughput and memory of `corpus.provenance.v1` on generated corpora.
//!
//! ```text
//! cargo run --release -p copydesk-provenance --example provenance_bench -- --docs 10000
//! cargo run --release -p copydesk-provenance --example provenance_bench -- --docs 100000
//! ```
//!
//! Builds a corpus of about `--docs` documents from Reuters-21578: every
//! usable story as a source or unrelated story, with verbatim, syndicated
//! and (as many as needed) spun copies, then runs the stage as the runner
//! does (observe in parallel, absorb in order, finish, annotate in parallel)
//! over an in-memory store (annotated documents are dropped a batch at a
//! time, as the runner streams them to the reports) and prints one JSON
//! line: documents, seconds,
//! documents per second, relations, and peak resident memory of the stage
//! (VmHWM after resetting it, minus the resident memory the corpus already
//! held before the stage started). CPU seconds are reported too: on a shared
//! machine wall-clock time depends on the load.

use copydesk_core::{CorpusStage, Document, Source};
use copydesk_devset::{Dictionary, GeneratorConfig, generate, read_records};
use copydesk_provenance::{MemoryStore, ProvenanceConfig, ProvenanceStage};
use rayon::prelude::*;
use std::time::Instant;

const REUTERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/reuters21578/reuters21578.jsonl"
);

mod process_stats;
use process_stats::{cpu_seconds, status_kib};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argv: Vec<String> = std::env::args().collect();
    let target: usize = argv
        .iter()
        .position(|a| a == "--docs")
        .and_then(|i| argv.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let records = read_records(std::path::Path::new(REUTERS))?;
    // The same mix at every size: families of about 12 documents (a source,
    // maybe a verbatim copy, one or two syndicated copies, twelve spins made
    // with probability 0.8 each, maybe a spun syndicated copy) and
    // unrelated stories for the rest (Reuters-21578 has about 7,000 usable
    // sources, which caps the corpus near 100,000 documents).
    let spun_per_source = 12;
    let family = 2.76 + 0.8 * spun_per_source as f64;
    let sources = (target as f64 * 0.074) as usize;
    let unrelated = target.saturating_sub((sources as f64 * family) as usize);
    let config = GeneratorConfig {
        seed: 7,
        sources,
        unrelated,
        spun_per_source,
        ..GeneratorConfig::default()
    };
    let t = Instant::now();
    let mut corpus = generate(&records, &config, Dictionary::wordnet());
    corpus.docs.truncate(target);
    drop(records);
    eprintln!(
        "generated {} documents in {:.1}s",
        corpus.docs.len(),
        t.elapsed().as_secs_f64()
    );
    let docs: Vec<Document> = corpus
        .docs
        .into_iter()
        .map(|d| {
            let mut doc = Document::new(d.id, Source::default(), d.text);
            doc.meta.date = d.date;
            doc
        })
        .collect();
    let n = docs.len();
    let corpus_bytes: usize = docs.iter().map(|d| d.text.len() + d.raw.len()).sum();
    let store = MemoryStore { docs };
    // Reset the high-water mark so it measures the stage from here on.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before = status_kib("VmRSS:");
    let hwm_after_reset = status_kib("VmHWM:");
    let t = Instant::now();
    let cpu_start = cpu_seconds();
    let mut stage = ProvenanceStage::new(ProvenanceConfig::default());
    for (chunk_start, chunk) in store
        .docs
        .chunks(4096)
        .enumerate()
        .map(|(i, c)| (i * 4096, c))
    {
        let obs: Vec<_> = chunk.par_iter().map(|d| stage.observe(d)).collect();
        for (k, o) in obs.into_iter().enumerate() {
            stage.absorb(chunk_start + k, o?)?;
        }
    }
    let t_absorb = t.elapsed().as_secs_f64();
    let hwm_absorb = status_kib("VmHWM:");
    let out = stage.finish(&store)?;
    let t_finish = t.elapsed().as_secs_f64();
    let hwm_finish = status_kib("VmHWM:");
    // Annotated documents go on to the reports a batch at a time (as the
    // runner streams them), so each batch is dropped once annotated.
    let mut docs = store.docs.into_iter().enumerate();
    loop {
        let batch: Vec<(usize, Document)> = docs.by_ref().take(4096).collect();
        if batch.is_empty() {
            break;
        }
        batch
            .into_par_iter()
            .try_for_each(|(i, mut d)| stage.annotate(i, &mut d))?;
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_start;
    let peak = status_kib("VmHWM:");
    let relations = out.tables.get("relations").map_or(0, |t| t.len());
    println!(
        "{}",
        serde_json::json!({
            "documents": n,
            "sources": sources,
            "spun_per_source": spun_per_source,
            "corpus_text_mib": corpus_bytes as f64 / 1048576.0,
            "seconds": secs,
            "seconds_signatures": t_absorb,
            "seconds_lsh_align_classify": t_finish - t_absorb,
            "seconds_annotate": secs - t_finish,
            "docs_per_second": n as f64 / secs,
            "cpu_seconds": cpu,
            "docs_per_cpu_second": n as f64 / cpu.max(1e-9),
            "relations": relations,
            "summary": out.summary,
            "peak_rss_mib": peak as f64 / 1024.0,
            "peak_rss_after_signatures_mib": hwm_absorb as f64 / 1024.0,
            "peak_rss_after_finish_mib": hwm_finish as f64 / 1024.0,
            "rss_before_stage_mib": rss_before as f64 / 1024.0,
            "hwm_reset_worked": hwm_after_reset <= rss_before + 1024,
            "stage_peak_mib": peak.saturating_sub(rss_before) as f64 / 1024.0,
            "threads": rayon::current_num_threads(),
        })
    );
    Ok(())
}
