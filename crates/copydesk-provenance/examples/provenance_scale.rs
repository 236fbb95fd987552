//! Growth of `corpus.provenance.v1` on a crawl-like corpus: the synthetic
//! JSON-lines corpora of `cargo xtask bench` (articles mixing sentences of
//! three to six random Reuters stories, 2 % republished copies), where
//! sentences are shared by many unrelated documents.
//!
//! ```text
//! cargo run --release -p copydesk-provenance --example provenance_scale -- \
//!     bench-out/synthetic-v2-30mb-seed1.jsonl [--docs N] [--thread-clock] \
//!     [--set KEY=VALUE]...
//! ```
//!
//! Reads the first `--docs` articles (all by default), undoes the hard line
//! wrapping as `clean.unwrap.v1` would (a line break not followed by an
//! indented paragraph start becomes a space), runs the stage as the runner
//! does and prints one JSON line: documents, megabytes, wall and CPU
//! seconds, candidate pairs, relations and peak resident memory of the stage,
//! the CPU seconds of each phase (observe, absorb, finish, annotate), the
//! `[wall, CPU]` seconds of each phase of `finish` (with `--thread-clock`,
//! the CPU of the thread calling `finish`: the phase's sequential part) and a
//! digest of the results (relations table rows, then each document's
//! `provenance` and `spin` fields) to check that a change keeps them identical.

use copydesk_core::{CorpusStage, Document, Source, StageConfig};
use copydesk_provenance::{MemoryStore, ProvenanceConfig, ProvenanceStage};
use rayon::prelude::*;
use std::io::BufRead;
use std::time::Instant;

/// The allocator the `copydesk` runner uses, so that allocation costs as much as in a run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod process_stats;
use process_stats::{cpu_seconds, status_kib, thread_cpu_seconds};

/// Joins hard-wrapped lines; keeps paragraph breaks (a line break before
/// an indented line) and the sign-off line.
fn unwrap_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        out.push_str(line.trim());
        if let Some(next) = lines.peek() {
            if next.starts_with(' ') {
                out.push('\n');
            } else {
                out.push(' ');
            }
        }
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argv: Vec<String> = std::env::args().collect();
    // The first argument that is neither a flag nor a flag's value.
    let path = argv
        .windows(2)
        .find(|w| !w[1].starts_with("--") && w[0] != "--set" && w[0] != "--docs")
        .map(|w| &w[1])
        .ok_or(
            "usage: provenance_scale FILE.jsonl [--docs N] [--thread-clock] [--set KEY=VALUE]...",
        )?;
    let limit: usize = argv
        .iter()
        .position(|a| a == "--docs")
        .and_then(|i| argv.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut docs = Vec::new();
    for line in file.lines().take(limit) {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let text = format!("{}\n{}", field("title"), unwrap_lines(&field("text")));
        docs.push(Document::new(field("id"), Source::default(), text));
    }
    let n = docs.len();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let store = MemoryStore { docs };
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let rss_before = status_kib("VmRSS:");
    let t = Instant::now();
    let cpu_start = cpu_seconds();
    // `--thread-clock`: finish's phases in CPU seconds of its own thread
    // (their sequential part) instead of the process's.
    let clock = if argv.iter().any(|a| a == "--thread-clock") {
        thread_cpu_seconds
    } else {
        cpu_seconds
    };
    let mut stage = ProvenanceStage::new(config_from(&argv)?).with_phase_clock(clock);
    let (mut cpu_observe, mut cpu_absorb) = (0.0, 0.0);
    let (mut wall_observe, mut wall_absorb, mut absorbing_thread) = (0.0, 0.0, 0.0);
    for (chunk_start, chunk) in store
        .docs
        .chunks(4096)
        .enumerate()
        .map(|(i, c)| (i * 4096, c))
    {
        let (c0, w0) = (cpu_seconds(), Instant::now());
        let obs: Vec<_> = chunk.par_iter().map(|d| stage.observe(d)).collect();
        let (c1, w1, t1) = (cpu_seconds(), Instant::now(), thread_cpu_seconds());
        for (k, o) in obs.into_iter().enumerate() {
            stage.absorb(chunk_start + k, o?)?;
        }
        absorbing_thread += thread_cpu_seconds() - t1;
        cpu_observe += c1 - c0;
        cpu_absorb += cpu_seconds() - c1;
        wall_observe += (w1 - w0).as_secs_f64();
        wall_absorb += w1.elapsed().as_secs_f64();
    }
    let t_absorb = t.elapsed().as_secs_f64();
    let (cpu_before_finish, thread_before_finish) = (cpu_seconds(), thread_cpu_seconds());
    let out = stage.finish(&store)?;
    let cpu_finish = cpu_seconds() - cpu_before_finish;
    // finish's sequential part: what its own thread ran (the rest ran on rayon's threads).
    let finishing_thread = thread_cpu_seconds() - thread_before_finish;
    let t_finish = t.elapsed().as_secs_f64();
    let cpu_before_annotate = cpu_seconds();
    let mut docs = store.docs;
    docs.par_iter_mut()
        .enumerate()
        .try_for_each(|(i, d)| stage.annotate(i, d))?;
    let cpu_annotate = cpu_seconds() - cpu_before_annotate;
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_start;
    let digest = results_digest(&out, &docs)?;
    let peak = status_kib("VmHWM:");
    println!(
        "{}",
        serde_json::json!({
            "documents": n,
            "text_mb": bytes as f64 / 1e6,
            "seconds": secs,
            "seconds_signatures": t_absorb,
            "seconds_observe": wall_observe,
            "seconds_absorb": wall_absorb,
            "cpu_absorbing_thread": absorbing_thread,
            "cpu_finishing_thread": finishing_thread,
            "seconds_finish": t_finish - t_absorb,
            "cpu_seconds": cpu,
            "cpu_observe": cpu_observe,
            "cpu_absorb": cpu_absorb,
            "cpu_finish": cpu_finish,
            "cpu_annotate": cpu_annotate,
            "finish_phases": stage
                .finish_phases()
                .iter()
                .map(|p| {
                    let two = |x: f64| (x * 100.0).round() / 100.0;
                    (p.name.to_string(), serde_json::json!([two(p.seconds), two(p.clock)]))
                })
                .collect::<serde_json::Map<String, serde_json::Value>>(),
            "digest": format!("{digest:016x}"),
            "summary": out.summary,
            "stage_peak_mib": peak.saturating_sub(rss_before) as f64 / 1024.0,
        })
    );
    Ok(())
}

/// The default options with each `--set KEY=VALUE` of the command line
/// applied (the value in TOML: `--set bucket_window=32`).
fn config_from(argv: &[String]) -> Result<ProvenanceConfig, Box<dyn std::error::Error>> {
    let mut table = toml::Table::new();
    for pair in argv.windows(2).filter(|w| w[0] == "--set") {
        let text = &pair[1];
        let parsed: toml::Table = toml::from_str(text)
            .map_err(|e| format!("--set {text}: expected KEY=VALUE in TOML ({e})"))?;
        table.extend(parsed);
    }
    let config: ProvenanceConfig = toml::Value::Table(table).try_into()?;
    config.validate()?;
    Ok(config)
}

/// A hash of everything the stage found: the relations table's rows in
/// order, then each document's `provenance` and `spin` fields.
fn results_digest(
    out: &copydesk_core::CorpusOutput,
    docs: &[Document],
) -> Result<u64, Box<dyn std::error::Error>> {
    let mut all = HashWriter(xxhash_rust::xxh3::Xxh3::new());
    if let Some(table) = out.tables.get(copydesk_provenance::RELATIONS_TABLE) {
        for row in table.rows()? {
            serde_json::to_writer(&mut all, &row?)?;
            all.0.update(b"\n");
        }
    }
    for d in docs {
        for key in ["provenance", "spin"] {
            serde_json::to_writer(&mut all, &d.ext.get(key))?;
            all.0.update(b"\n");
        }
    }
    Ok(all.0.digest())
}

/// Hashes what is written to it.
struct HashWriter(xxhash_rust::xxh3::Xxh3);

impl std::io::Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
