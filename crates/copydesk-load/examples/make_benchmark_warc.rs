//! Builds a WARC file of many pages from the article extraction
//! benchmark's HTML, for loader benchmarks.
//!
//! ```text
//! cargo run --release -p copydesk-load --example make_benchmark_warc -- \
//!     OUT.warc.gz [PAGES] [BENCHMARK_DIR]
//! ```
//!
//! Writes `PAGES` (default 10,000) HTML responses, cycling through the
//! benchmark's 181 pages, each preceded by its `request` record and
//! followed by a `metadata` record, as Common Crawl lays them out; every
//! record is its own gzip member when `OUT` ends in `.gz`. Target URIs are
//! made unique (`...?copy=N`) so the pages read as distinct captures.

use copydesk_load::compression::{id_stem, read_all};
use copydesk_load::warc_writer::WarcWriter;
use std::io::BufWriter;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .ok_or("usage: make_benchmark_warc OUT.warc.gz [PAGES] [BENCHMARK_DIR]")?,
    );
    let pages: usize = args
        .next()
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(10_000);
    let bench = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/article-extraction-benchmark"
        ))
    });
    let truth: serde_json::Value =
        serde_json::from_reader(std::fs::File::open(bench.join("ground-truth.json"))?)?;
    let mut sources: Vec<PathBuf> = std::fs::read_dir(bench.join("html"))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    sources.sort();
    let html: Vec<(String, Vec<u8>)> = sources
        .iter()
        .map(|p| {
            let id = id_stem(p);
            let url = truth[&id]["url"]
                .as_str()
                .map_or_else(|| format!("https://benchmark.invalid/{id}"), str::to_string);
            read_all(p, u64::MAX).map(|bytes| (url, bytes))
        })
        .collect::<Result<_, _>>()?;
    if html.is_empty() {
        return Err("no pages found".into());
    }

    let gzip = out.extension().is_some_and(|e| e == "gz");
    let mut w = WarcWriter::new(BufWriter::new(std::fs::File::create(&out)?), gzip);
    w.write_warcinfo("copydesk benchmark crawl built from the article extraction benchmark")?;
    for n in 0..pages {
        let (url, body) = &html[n % html.len()];
        let sep = if url.contains('?') { '&' } else { '?' };
        let uri = format!("{url}{sep}copy={n}");
        let date = format!(
            "2024-01-01T{:02}:{:02}:{:02}Z",
            (n / 3600) % 24,
            (n / 60) % 60,
            n % 60
        );
        w.write_request(&uri, &date)?;
        w.write_html_response(&uri, &date, body)?;
        w.write_record(
            "metadata",
            &[
                ("WARC-Target-URI", uri.as_str()),
                ("WARC-Date", date.as_str()),
                ("Content-Type", "application/warc-fields"),
            ],
            format!("fetchTimeMs: {}\r\n", 100 + n % 900).as_bytes(),
        )?;
    }
    let records = w.records();
    w.finish()?;
    eprintln!("{}: {pages} pages, {records} records", out.display());
    Ok(())
}
