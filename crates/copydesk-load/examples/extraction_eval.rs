//! Measures main-text extraction (the HTML and WARC loaders' extractor) on
//! the article extraction benchmark, with the benchmark's own scorer.
//!
//! ```text
//! cargo run --release -p copydesk-load --example extraction_eval -- \
//!     [BENCHMARK_DIR] [OUT_DIR] [focus]
//! ```
//!
//! `BENCHMARK_DIR` defaults to `../shared/data/article-extraction-benchmark`
//! beside the checkout, `OUT_DIR` to `target/extraction-eval`, focus to
//! the loaders' default (`recall`; or `balanced`, `precision`). It writes
//! `OUT_DIR/output/copydesk.json` (`{id: {"articleBody": text}}`), links
//! `ground-truth.json` into `OUT_DIR`, and runs
//! `python3 BENCHMARK_DIR/evaluate.py --n-bootstrap 200` in `OUT_DIR`
//! (the scorer reads `ground-truth.json` and `output/*.json` from its
//! working directory) and prints its table: F1, precision, recall, accuracy.
//! It also writes `OUT_DIR/blocks.jsonl`: every block the extractor kept,
//! with its link density in the page and the boilerplate filter's verdict
//! (`bench/extraction_pages.py` shows per-page and split-half scores).

use copydesk_load::boilerplate::PageLinks;
use copydesk_load::compression::{id_stem, read_all};
use copydesk_load::extract::{ExtractionOptions, Focus, HtmlExtractor};
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let bench = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/article-extraction-benchmark"
        ))
    });
    let out = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/extraction-eval"));
    let focus = match args.next().as_deref() {
        None | Some("recall") => Focus::Recall,
        Some("balanced") => Focus::Balanced,
        Some("precision") => Focus::Precision,
        Some(other) => return Err(format!("unknown focus `{other}`").into()),
    };
    let extractor = HtmlExtractor::new(ExtractionOptions::new("auto", true, focus, 50)?);

    let mut pages: Vec<PathBuf> = std::fs::read_dir(bench.join("html"))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    pages.sort();
    let mut predictions = serde_json::Map::new();
    let mut failed = 0;
    std::fs::create_dir_all(&out)?;
    let mut explained = std::io::BufWriter::new(std::fs::File::create(out.join("blocks.jsonl"))?);
    let started = std::time::Instant::now();
    for page in &pages {
        let bytes = read_all(page, u64::MAX).map_err(|e| format!("{}: {e}", page.display()))?;
        let text = match extractor.extract(&bytes, None) {
            Ok(p) => p.text,
            Err(e) => {
                failed += 1;
                eprintln!("{}: {e}", page.display());
                String::new()
            }
        };
        predictions.insert(id_stem(page), serde_json::json!({ "articleBody": text }));
    }
    let elapsed = started.elapsed();
    // The share of that time spent on the page's link map (a second parse
    // of the page, for the boilerplate filter).
    let started_links = std::time::Instant::now();
    for page in &pages {
        let bytes = read_all(page, u64::MAX).map_err(|e| format!("{}: {e}", page.display()))?;
        let decoded = copydesk_load::charset::decode_html(&bytes, None, None);
        std::hint::black_box(PageLinks::of_page(&decoded.text));
    }
    let links_elapsed = started_links.elapsed();
    // A second pass, outside the timing: every block and its verdict.
    for page in &pages {
        let bytes = read_all(page, u64::MAX).map_err(|e| format!("{}: {e}", page.display()))?;
        for b in extractor.explain(&bytes).unwrap_or_default() {
            let line = serde_json::json!({
                "page": id_stem(page),
                "kind": format!("{:?}", b.block.kind),
                "link_density": b.page_link_density,
                "verdict": b.verdict.map(|v| format!("{v:?}")),
                "text": b.block.text,
            });
            writeln!(explained, "{line}")?;
        }
    }
    explained.flush()?;
    eprintln!(
        "{} pages extracted in {:.2}s ({failed} without main text); reading, decoding and the link map alone: {:.2}s",
        pages.len(),
        elapsed.as_secs_f64(),
        links_elapsed.as_secs_f64()
    );

    std::fs::create_dir_all(out.join("output"))?;
    std::fs::write(
        out.join("output/copydesk.json"),
        serde_json::to_string(&serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "output": predictions,
        }))?,
    )?;
    let truth = out.join("ground-truth.json");
    if !truth.exists() {
        std::fs::copy(bench.join("ground-truth.json"), &truth)?;
    }
    let status = Command::new("python3")
        .arg(std::fs::canonicalize(bench.join("evaluate.py"))?)
        .args(["--n-bootstrap", "200"])
        .current_dir(&out)
        .status()?;
    if !status.success() {
        return Err(format!("evaluate.py failed: {status}").into());
    }
    Ok(())
}
