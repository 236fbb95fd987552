//! Renders the documents of a `documents.jsonl` (as `report.jsonl.v1`
//! wrote it) again with the default options, on one thread, and prints the
//! time: a driver for profiling the renderer on real pipeline output.
//!
//! `cargo run --release -p copydesk-report --example render_jsonl -- out/documents.jsonl 3 /tmp/again.jsonl`
//!
//! The optional third argument receives the first pass's lines, to compare
//! two versions of the renderer byte for byte (the lines differ from the
//! input where `serde_json` reads a float to a neighbouring value).

use copydesk_core::{Document, ReportStage};
use copydesk_report::{JsonlReport, JsonlReportConfig};
use std::io::Write;
use std::time::Instant;

/// Lines held before they are dropped, as the runner holds a batch.
const BATCH: usize = 512;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: render_jsonl DOCUMENTS.jsonl [PASSES] [OUT.jsonl]")?;
    let passes: usize = args.next().map(|p| p.parse()).transpose()?.unwrap_or(3);
    let mut out = args
        .next()
        .map(|p| std::fs::File::create(p).map(std::io::BufWriter::new))
        .transpose()?;
    let docs = std::fs::read_to_string(&path)?
        .lines()
        .map(serde_json::from_str::<Document>)
        .collect::<Result<Vec<_>, _>>()?;
    let renderer = JsonlReport::new(JsonlReportConfig::default())
        .renderer()
        .ok_or("report.jsonl.v1 has no renderer")?;
    let mut best = f64::INFINITY;
    for pass in 0..passes {
        let started = Instant::now();
        let cpu_started = thread_cpu_seconds();
        let mut bytes = 0usize;
        let mut in_flight = Vec::with_capacity(BATCH);
        for doc in &docs {
            let rendered = renderer.render(doc)?;
            let line = rendered.downcast::<Vec<u8>>().map_err(|_| "not a line")?;
            bytes += line.len();
            if pass == 0
                && let Some(out) = out.as_mut()
            {
                out.write_all(&line)?;
            }
            in_flight.push(line);
            if in_flight.len() == BATCH {
                in_flight.clear();
            }
        }
        in_flight.clear();
        let seconds = started.elapsed().as_secs_f64();
        let cpu = thread_cpu_seconds()
            .zip(cpu_started)
            .map(|(end, start)| end - start);
        let measured = cpu.unwrap_or(seconds);
        best = best.min(measured);
        println!(
            "pass {pass}: {} documents, {bytes} bytes, {seconds:.3} s wall, {} cpu, {:.0} MB/s cpu",
            docs.len(),
            cpu.map_or("?".into(), |c| format!("{c:.3} s")),
            bytes as f64 / measured / 1e6
        );
    }
    if let Some(mut out) = out {
        out.flush()?;
    }
    println!("best {best:.3} s cpu");
    Ok(())
}

/// CPU time of this thread so far (Linux `schedstat`), if it can be read.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanos as f64 / 1e9)
}
