//! Speed of the intrinsic spin tagger on Reuters-21578 article bodies:
//! documents per second and MB per second, single thread, after the
//! embedded tables are loaded (their load time is printed apart).
//!
//! `cargo run --release -p copydesk-spin --example bench -- [--docs N] [--input FILE] [--digest] [--exhaustive]`
//!
//! `--input` reads another JSON-lines file with a `text` field (for example
//! the 19,043 Reuters bodies of the end-to-end benchmark); `--digest`
//! prints a hash of every verdict (spun, score, substitutions, repaired
//! text), so that two builds meant to give identical outputs can be
//! compared over many documents. `--exhaustive` judges each document on
//! every candidate ([`copydesk_spin::SpinTagger::candidates`]) instead of
//! the pruned set the stage uses: the digests must agree.

use copydesk_spin::{SpinConfig, SpinTagger};
use std::time::Instant;

const REUTERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/reuters21578/reuters21578.jsonl"
);

/// CPU seconds used by this thread so far (from /proc, in clock ticks of
/// 10 ms; 0 where /proc is missing): a measure less disturbed than wall
/// time when other programs share the machine.
fn thread_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    // After the command name: state is field 3, utime 14 and stime 15.
    let ticks = |k: usize| {
        fields
            .get(k - 3)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(14) + ticks(15)) / 100.0
}

/// FNV-1a: a small stable hash for the verdict digest.
struct Fnv(u64);

impl Fnv {
    fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let limit: usize = args
        .iter()
        .position(|a| a == "--docs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let input = args
        .iter()
        .position(|a| a == "--input")
        .and_then(|i| args.get(i + 1))
        .map_or(REUTERS, String::as_str);
    let digest = args.iter().any(|a| a == "--digest");
    let exhaustive = args.iter().any(|a| a == "--exhaustive");
    let text = std::fs::read_to_string(input)?;
    let docs: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
        .take(limit)
        .collect();
    let t0 = Instant::now();
    let _ = copydesk_spin::language_model();
    println!("language model: {:.2}s", t0.elapsed().as_secs_f64());
    let _ = copydesk_spin::builtin_dictionary("wordnet");
    println!("+ wordnet: {:.2}s", t0.elapsed().as_secs_f64());
    let _ = copydesk_spin::builtin_dictionary("moby");
    println!("+ moby: {:.2}s", t0.elapsed().as_secs_f64());
    let tagger = SpinTagger::new(&SpinConfig::default())?;
    let _ = tagger.analyze("warm up the tables");
    println!("tables loaded in {:.2}s", t0.elapsed().as_secs_f64());
    let bytes: usize = docs.iter().map(String::len).sum();
    let t1 = Instant::now();
    let c1 = thread_cpu_seconds();
    let mut spun = 0;
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    // With `--digest`, SPIN_DUMP=FILE also writes each verdict there.
    let mut dump = match std::env::var_os("SPIN_DUMP") {
        Some(path) => Some(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => None,
    };
    let show = std::env::var_os("SPIN_SHOW_FLAGGED").is_some();
    for d in &docs {
        let v = if exhaustive {
            let a = tagger.candidates(d, &copydesk_spin::detect_quotes(d));
            tagger.decide(d, &a, &tagger.weights())
        } else {
            tagger.analyze(d)
        };
        spun += usize::from(v.spun);
        if digest {
            let json = serde_json::to_string(&v)?;
            hash.add(json.as_bytes());
            if let Some(dump) = dump.as_mut() {
                use std::io::Write;
                writeln!(dump, "{json}")?;
            }
        }
        if show && v.spun {
            let subs: Vec<String> = v
                .substitutions
                .iter()
                .map(|s| format!("{}->{}", s.spun, s.original))
                .collect();
            let opening: String = d.split_whitespace().take(25).collect::<Vec<_>>().join(" ");
            println!(
                "FLAGGED {:.2} {} words: {}\n    {opening}",
                v.score,
                d.split_whitespace().count(),
                subs.join(", ")
            );
        }
    }
    let secs = t1.elapsed().as_secs_f64();
    let cpu = thread_cpu_seconds() - c1;
    println!(
        "{} docs, {:.1} MB in {:.2}s: {:.0} docs/s, {:.2} MB/s (one thread; {:.0} docs per CPU-second); {} flagged spun",
        docs.len(),
        bytes as f64 / 1e6,
        secs,
        docs.len() as f64 / secs,
        bytes as f64 / 1e6 / secs,
        docs.len() as f64 / cpu.max(0.01),
        spun
    );
    if digest {
        println!("digest of {} verdicts: {:016x}", docs.len(), hash.0);
    }
    let t2 = Instant::now();
    let c2 = thread_cpu_seconds();
    let mut in_candidates = 0.0;
    for d in &docs {
        let t = Instant::now();
        let a = tagger.candidates_pruned(d, &copydesk_spin::detect_quotes(d));
        in_candidates += t.elapsed().as_secs_f64();
        let _ = tagger.decide(d, &a, &tagger.weights());
    }
    let warm = t2.elapsed().as_secs_f64();
    let warm_cpu = thread_cpu_seconds() - c2;
    println!(
        "  of which finding candidates: {:.0}%",
        100.0 * in_candidates / warm
    );
    println!(
        "second pass (synonym cache warm): {:.0} docs/s, {:.2} MB/s ({:.0} docs per CPU-second)",
        docs.len() as f64 / warm,
        bytes as f64 / 1e6 / warm,
        docs.len() as f64 / warm_cpu.max(0.01)
    );
    Ok(())
}
