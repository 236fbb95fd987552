//! Renders the documents of a `documents.jsonl` (as `report.jsonl.v1`
//! wrote it) again with the default options, on one thread, and prints the
//! time: a driver for profiling the renderer on real pipeline output.
//!
//! `cargo run --release -p copydesk-report --example render_jsonl -- out/documents.jsonl 3 /tmp/again.jsonl`
//!
//! The optional third argument receives the first pass's lines, to compare
//! two versions of the renderer byte for byte (the lines differ from the
//! input where `serde_json` reads a float to a neighbouring value).
//!
//! With `RENDER_WARM=1` in the environment, each group of 16 documents is
//! cloned just before it is rendered and only the rendering is timed: the
//! runner renders groups it has just decoded or tagged, still in cache,
//! while a plain pass reads every document cold from memory. Neither mode
//! is the pipeline: a change that wins here may still lose there (copying
//! span texts out of the escaped line did), so confirm a gain with `perf`
//! on a pipeline run before keeping it.

use copydesk_core::{Document, ReportStage};
use copydesk_report::{JsonlReport, JsonlReportConfig};
use std::io::Write;
use std::time::Instant;

/// Lines held before they are dropped, as the runner holds a batch.
const BATCH: usize = 512;
/// Documents cloned and rendered together with `RENDER_WARM=1`, as the
/// runner renders a group.
const GROUP: usize = 16;

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
    let warm = std::env::var_os("RENDER_WARM").is_some_and(|v| v == "1");
    let mut best = f64::INFINITY;
    for pass in 0..passes {
        let started = Instant::now();
        let mut cpu = Some(0.0);
        let mut bytes = 0usize;
        let mut in_flight = Vec::with_capacity(BATCH);
        for group in docs.chunks(if warm { GROUP } else { docs.len().max(1) }) {
            let fresh: Vec<Document> = if warm { group.to_vec() } else { Vec::new() };
            let group = if warm { &fresh[..] } else { group };
            let cpu_started = thread_cpu_seconds();
            for doc in group {
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
            let spent = thread_cpu_seconds()
                .zip(cpu_started)
                .map(|(end, start)| end - start);
            cpu = cpu.zip(spent).map(|(sum, spent)| sum + spent);
        }
        in_flight.clear();
        let seconds = started.elapsed().as_secs_f64();
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

/// CPU time of this thread so far (`CLOCK_THREAD_CPUTIME_ID`, exact to the
/// nanosecond), if it can be read.
#[cfg(target_os = "linux")]
fn thread_cpu_seconds() -> Option<f64> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the call's duration.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    (status == 0).then(|| now.tv_sec as f64 + now.tv_nsec as f64 / 1e9)
}

/// Elsewhere only wall time is reported.
#[cfg(not(target_os = "linux"))]
fn thread_cpu_seconds() -> Option<f64> {
    None
}
