//! Measures the throughput of the clean stages (MB/s of input text on one
//! core) over JSON-lines articles, by default Reuters-21578:
//!
//! ```text
//! cargo run --release -p copydesk-clean --example clean_throughput -- \
//!     [FILE.jsonl ...] [--max N] [--repeat N] [--mutate] [--digest OUT] [--dump OUT]
//! ```
//!
//! Records are read as `load.jsonl.v1` reads them by default (`text`, with
//! `title`, `dateline` and `date` as metadata; records without text are
//! skipped). A record with a `meta` object is a whole document as
//! `report.jsonl.v1` writes it (a loader's output, such as the web pages of
//! the extraction benchmark loaded by `load.html.v1`) and is read as one,
//! metadata included.
//!
//! `--mutate` garbles every text before the stages run, the same way on
//! every run (a fixed pseudo-random sequence per document): line endings
//! turned into `\r\n` or `\r`, control and invisible characters and
//! exotic spaces scattered in, typographic punctuation added, and some
//! texts read as windows-1252 (mojibake). The stages run in pipeline order, each over every document,
//! and the figure of a stage is the input bytes of the corpus divided by
//! the CPU time the stage took (best of `--repeat` runs, default 3).
//!
//! `--digest OUT` writes one line per document (`id`, a hash of the clean
//! text, a hash of the metadata, a hash of the whole document as JSON), to check that a change to the stages
//! leaves their output alone; `--dump OUT` writes the cleaned documents as
//! JSON lines (input for the tag stages' digest).

use copydesk_core::{BuiltStage, Document, DocumentStage, Source};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufRead, Write};
use std::time::Instant;
#[path = "../tests/support/mojibake.rs"]
mod mojibake;
use mojibake::as_windows_1252;

const REUTERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/reuters21578/reuters21578.jsonl"
);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    let (mut max, mut repeat) = (usize::MAX, 3usize);
    let (mut digest, mut dump, mut mutate) = (None, None, false);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--max" => max = args.next().ok_or("--max N")?.parse()?,
            "--repeat" => repeat = args.next().ok_or("--repeat N")?.parse()?,
            "--digest" => digest = Some(args.next().ok_or("--digest OUT")?),
            "--dump" => dump = Some(args.next().ok_or("--dump OUT")?),
            "--mutate" => mutate = true,
            _ => files.push(a),
        }
    }
    if files.is_empty() {
        files.push(REUTERS.to_string());
    }
    let mut originals = Vec::new();
    for file in &files {
        for line in std::io::BufReader::new(std::fs::File::open(file)?).lines() {
            if originals.len() == max {
                break;
            }
            if let Some(doc) = read_record(&line?, originals.len()) {
                originals.push(doc);
            }
        }
    }
    if mutate {
        for (i, doc) in originals.iter_mut().enumerate() {
            let garbled = garble(&doc.text, i as u64);
            doc.raw = garbled.clone();
            doc.text = garbled;
        }
    }
    let bytes: usize = originals.iter().map(|d| d.text.len()).sum();
    let mb = bytes as f64 / 1e6;
    println!("{} documents, {mb:.2} MB of text", originals.len());

    let stages: Vec<(&'static str, Box<dyn DocumentStage>)> = copydesk_clean::factories()
        .into_iter()
        .filter_map(|f| match (f.build)(&(f.defaults)()) {
            Ok(BuiltStage::Document(s)) => Some((f.name, s)),
            _ => None,
        })
        .collect();
    let mut docs = originals.clone();
    let mut total = 0.0;
    for (name, stage) in &stages {
        let input = docs.clone();
        let mut best = f64::INFINITY;
        for _ in 0..repeat.max(1) {
            docs = input.clone();
            best = best.min(measure(&mut docs, stage.as_ref()));
        }
        total += best;
        println!("{name:<22} {:>8.1} MB/s cpu ({best:.3} s)", mb / best);
    }
    println!(
        "{:<22} {:>8.1} MB/s cpu ({total:.3} s)",
        "all stages",
        mb / total
    );

    if let Some(path) = digest {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for doc in &docs {
            let meta = serde_json::to_string(&doc.meta)?;
            let whole = serde_json::to_string(doc)?;
            writeln!(
                out,
                "{}\t{:016x}\t{:016x}\t{:016x}",
                doc.id,
                hash(&doc.text),
                hash(&meta),
                hash(&whole)
            )?;
        }
        println!("digest written to {path}");
    }
    if let Some(path) = dump {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        for doc in &docs {
            serde_json::to_writer(&mut out, doc)?;
            writeln!(out)?;
        }
        println!("cleaned documents written to {path}");
    }
    Ok(())
}

/// One JSON-lines record as a document, mapped as `load.jsonl.v1` maps it
/// by default; `None` without a non-blank `text`.
fn read_record(line: &str, ordinal: usize) -> Option<Document> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    if v["meta"].is_object() {
        let mut doc: Document = serde_json::from_value(v).ok()?;
        if doc.raw.is_empty() {
            doc.raw = doc.text.clone();
        }
        return (!doc.text.trim().is_empty()).then_some(doc);
    }
    let text = v["text"].as_str().filter(|t| !t.trim().is_empty())?;
    let field = |k: &str| v[k].as_str().map(str::to_string);
    let id = field("id").unwrap_or_else(|| format!("#{ordinal}"));
    let mut doc = Document::new(id, Source::default(), text);
    doc.meta.headline = field("title");
    doc.meta.dateline = field("dateline");
    doc.meta.date = field("date");
    Some(doc)
}

/// A deterministic xorshift generator for [`garble`].
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// True one time in `n`.
    fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// `text` garbled the same way for the same `seed` (see the module docs).
fn garble(text: &str, seed: u64) -> String {
    const INSERTED: &[char] = &[
        '\u{0}', '\u{7}', '\u{b}', '\u{c}', '\u{1b}', '\u{7f}', '\u{85}', '\u{ad}', '\u{200b}',
        '\u{200d}', '\u{2028}', '\u{feff}', '\t', '’', '“', '”', '–', '—', '…', 'é', '\u{301}',
    ];
    const SPACES: &[char] = &['\u{a0}', '\u{2009}', '\u{202f}', '\u{3000}', '\t', ' '];
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    for _ in 0..4 {
        rng.next();
    }
    let newline = rng.pick(&["\n", "\r\n", "\r", "mixed"]);
    let rate = rng.pick(&[8u64, 40, 200, 1000]);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        if rng.one_in(rate) {
            out.push(rng.pick(INSERTED));
        }
        match c {
            '\n' => out.push_str(match newline {
                "mixed" => rng.pick(&["\n", "\r\n", "\r", "\n\n"]),
                nl => nl,
            }),
            ' ' if rng.one_in(rate) => out.push(rng.pick(SPACES)),
            '\'' if rng.one_in(2) => out.push('’'),
            '"' if rng.one_in(2) => out.push(rng.pick(&['“', '”'])),
            c => out.push(c),
        }
    }
    if rng.one_in(3) {
        out = as_windows_1252(&out);
    }
    out
}

fn hash(s: &str) -> u64 {
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Runs one stage over every document; returns CPU seconds (wall seconds
/// where no CPU clock can be read).
fn measure(docs: &mut [Document], stage: &dyn DocumentStage) -> f64 {
    let (cpu0, wall0) = (cpu_seconds(), Instant::now());
    for doc in docs.iter_mut() {
        if let Err(e) = stage.process(doc) {
            eprintln!("{}: {e}", doc.id);
        }
    }
    let wall = wall0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    if cpu > 0.0 { cpu } else { wall }
}

/// CPU time of this (single-threaded) process: from the scheduler's
/// nanosecond count where there is one, else user + system time in ticks
/// from /proc, 0 where neither is available.
fn cpu_seconds() -> f64 {
    let schedstat = std::fs::read_to_string("/proc/self/schedstat").ok();
    if let Some(ns) = schedstat
        .as_deref()
        .and_then(|s| s.split_whitespace().next())
        .and_then(|f| f.parse::<f64>().ok())
    {
        return ns / 1e9;
    }
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some((_, rest)) = stat.rsplit_once(')') else {
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
