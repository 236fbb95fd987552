//! Per-document cost of the kernels `corpus.provenance.v1` runs on every
//! document (the word scan alone and with hashing, tokenizing, sentence
//! splitting, anchor shingles, MinHash, sentence fingerprints, the distinct
//! words by set and by sort, document-frequency counting, and the whole of
//! `observe`), on one thread, with the runner's allocator, for comparing
//! implementations.
//!
//! ```text
//! cargo run --release -p copydesk-provenance --example provenance_kernels -- \
//!     bench-out/synthetic-v2-30mb-seed1.jsonl [--docs N] [--rounds R]
//! ```
//!
//! Reads the `text` field of the first `--docs` lines (10,000 by default),
//! runs each kernel over all of them `--rounds` times (3 by default) and
//! prints the best round's microseconds (CPU time of the thread) per
//! document for each kernel, with a checksum of its output so that two
//! builds can be checked to agree. The thread's CPU time advances in
//! scheduler ticks (4 ms here): use enough documents (50,000 or more) for
//! differences of a tenth of a microsecond to show.

use copydesk_core::{CorpusStage, Document, Source};
use copydesk_provenance::align::Prepared;
use copydesk_provenance::fingerprint::fingerprints;
use copydesk_provenance::frequencies::{DistinctScratch, DocumentFrequencies, distinct_words_into};
use copydesk_provenance::signature::{anchor_shingles, minhash};
use copydesk_provenance::tokens::{for_each_word, tokenize, word_hash};
use copydesk_provenance::{ProvenanceConfig, ProvenanceStage};
use std::io::BufRead;
use std::time::Instant;

/// The allocator the `copydesk` runner uses, so that allocation costs as much as in a run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Nanoseconds the calling thread has run on a CPU (the first field of
/// `/proc/thread-self/schedstat`): unlike the wall clock, not counting the
/// time other processes of a shared machine hold the core. The wall clock
/// where the file is missing.
fn thread_nanos() -> u64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| START.get_or_init(Instant::now).elapsed().as_nanos() as u64)
}

/// Runs `f` over every text `rounds` times; the best round's microseconds
/// (of the thread's CPU time) per text and the (wrapping) sum of what `f`
/// returned in that round.
fn time_kernel<T>(texts: &[T], rounds: usize, mut f: impl FnMut(&T) -> u64) -> (f64, u64) {
    let mut best = f64::INFINITY;
    let mut check = 0u64;
    for _ in 0..rounds.max(1) {
        let t = thread_nanos();
        let mut sum = 0u64;
        for x in texts {
            sum = sum.wrapping_add(f(x));
        }
        let us = thread_nanos().saturating_sub(t) as f64 / 1e3 / texts.len().max(1) as f64;
        if us < best {
            best = us;
        }
        check = sum;
    }
    (best, check)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let argv: Vec<String> = std::env::args().collect();
    let path = argv
        .iter()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .ok_or("usage: provenance_kernels FILE.jsonl [--docs N] [--rounds R]")?;
    let number = |flag: &str, default: usize| {
        argv.iter()
            .position(|a| a == flag)
            .and_then(|i| argv.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (limit, rounds) = (number("--docs", 10_000), number("--rounds", 3));
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut texts = Vec::new();
    for line in file.lines().take(limit) {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        texts.push(
            v.get("text")
                .and_then(|x| x.as_str())
                .unwrap_or("")
                .to_string(),
        );
    }
    let prepared: Vec<Prepared> = texts.iter().map(|t| Prepared::new(t)).collect();
    let shingles: Vec<Vec<u64>> = prepared
        .iter()
        .map(|p| anchor_shingles(&p.tokens, 3))
        .collect();
    let mut report = serde_json::Map::new();
    let mut put = |name: &str, (us, check): (f64, u64)| {
        report.insert(
            name.to_string(),
            serde_json::json!({"us_per_doc": us, "check": format!("{check:016x}")}),
        );
    };
    put(
        "tokenize",
        time_kernel(&texts, rounds, |t| {
            tokenize(t).iter().fold(0u64, |h, t| {
                h.rotate_left(5) ^ t.hash ^ t.start as u64 ^ (t.class as u64) << 60
            })
        }),
    );
    put(
        "word_scan",
        time_kernel(&texts, rounds, |t| {
            let mut h = 0u64;
            for_each_word(t, |a, b| {
                h = h.rotate_left(5) ^ (a as u64) ^ (b as u64) << 32
            });
            h
        }),
    );
    put(
        "word_hashes",
        time_kernel(&texts, rounds, |t| {
            let mut h = 0u64;
            for_each_word(t, |a, b| h = h.rotate_left(5) ^ word_hash(&t[a..b]));
            h
        }),
    );
    put(
        "prepare",
        time_kernel(&texts, rounds, |t| {
            let p = Prepared::new(t);
            p.sentences.iter().fold(p.tokens.len() as u64, |h, s| {
                h.rotate_left(7) ^ (s.first as u64) ^ (s.last as u64) << 32
            })
        }),
    );
    put(
        "anchor_shingles",
        time_kernel(&prepared, rounds, |p| {
            anchor_shingles(&p.tokens, 3)
                .iter()
                .fold(0u64, |h, &x| h.rotate_left(3) ^ x)
        }),
    );
    put(
        "minhash",
        time_kernel(&shingles, rounds, |s| {
            minhash(s, 128)
                .iter()
                .fold(0u64, |h, &x| h.rotate_left(3) ^ u64::from(x))
        }),
    );
    put(
        "fingerprints",
        time_kernel(&prepared, rounds, |p| {
            let mut out = Vec::new();
            fingerprints(p, &mut out);
            out.iter()
                .fold(0u64, |h, &x| h.rotate_left(3) ^ u64::from(x))
        }),
    );
    // Document frequencies: each document's distinct words counted (the
    // counting `absorb` sets aside, in batches), a round from empty tables.
    let distinct: Vec<Vec<u64>> = prepared
        .iter()
        .map(|p| {
            let mut words = Vec::new();
            distinct_words_into(
                p.tokens.iter().map(|t| t.hash),
                &mut DistinctScratch::default(),
                &mut words,
            );
            words
        })
        .collect();
    let mut scratch = DistinctScratch::default();
    let mut words = Vec::new();
    put(
        "distinct_words",
        time_kernel(&prepared, rounds, |p| {
            distinct_words_into(p.tokens.iter().map(|t| t.hash), &mut scratch, &mut words);
            words.iter().fold(0u64, |h, &w| h.rotate_left(3) ^ w)
        }),
    );
    put(
        "sorted_words",
        time_kernel(&prepared, rounds, |p| {
            words.clear();
            words.extend(p.tokens.iter().map(|t| t.hash));
            words.sort_unstable();
            words.dedup();
            words.iter().fold(0u64, |h, &w| h.rotate_left(3) ^ w)
        }),
    );
    let mut df = DocumentFrequencies::default();
    let (us_per_round, check) = time_kernel(&[()], rounds, |_| {
        df = DocumentFrequencies::default();
        for words in &distinct {
            df.add(words.clone());
        }
        df.count_pending();
        distinct[0].iter().map(|&w| u64::from(df.get(w))).sum()
    });
    put(
        "frequencies",
        (us_per_round / distinct.len().max(1) as f64, check),
    );
    // The whole of `observe` (all of the above, the distinct words, the
    // text hash, the observation's allocations), as the runner calls it.
    let stage = ProvenanceStage::new(ProvenanceConfig::default());
    let docs: Vec<Document> = texts
        .iter()
        .enumerate()
        .map(|(k, t)| Document::new(format!("d{k}"), Source::default(), t.as_str()))
        .collect();
    put(
        "observe",
        time_kernel(&docs, rounds, |d| u64::from(stage.observe(d).is_ok())),
    );
    println!("{}", serde_json::Value::Object(report));
    Ok(())
}
