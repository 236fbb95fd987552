//! Development-set evaluation of `corpus.provenance.v1` against a MinHash
//! LSH baseline (datasketch, word 5-gram shingles, 128 permutations).
//!
//! ```text
//! cargo run --release -p copydesk-provenance --example provenance_eval -- \
//!     [--sources 600] [--unrelated 3000] [--seed 1] [--out target/provenance-eval] \
//!     [--no-baseline] [--threshold 0.5] [--set KEY=VALUE]...
//! ```
//!
//! Generates the development set from Reuters-21578 (`../shared/data/reuters21578`),
//! runs the stage through its public API, scores precision, recall and F1 of
//! the (copy → source) pairs per kind and the false relations per 1,000
//! unrelated documents, runs the baseline on the same documents, and prints
//! a side-by-side table. Mistakes are written to the output directory.

use copydesk_core::{Document, Relation, Source, StageConfig};
use copydesk_devset::{CopyKind, Dictionary, GeneratorConfig, generate, read_records};
use copydesk_provenance::{ProvenanceConfig, run_provenance};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

const REUTERS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/reuters21578/reuters21578.jsonl"
);
const BASELINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/minhash_baseline.py");

struct Args {
    sources: usize,
    unrelated: usize,
    seed: u64,
    out: PathBuf,
    baseline: bool,
    threshold: f64,
    /// Options set on the command line (`--set KEY=VALUE`, the value in TOML).
    options: toml::Table,
}

fn args() -> Args {
    let mut a = Args {
        sources: 600,
        unrelated: 3000,
        seed: 1,
        out: PathBuf::from("target/provenance-eval"),
        baseline: true,
        threshold: 0.5,
        options: toml::Table::new(),
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let val = argv.get(i + 1).cloned().unwrap_or_default();
        match argv[i].as_str() {
            "--sources" => a.sources = val.parse().unwrap_or(a.sources),
            "--unrelated" => a.unrelated = val.parse().unwrap_or(a.unrelated),
            "--seed" => a.seed = val.parse().unwrap_or(a.seed),
            "--out" => a.out = PathBuf::from(val),
            "--threshold" => a.threshold = val.parse().unwrap_or(a.threshold),
            "--set" => match toml::from_str::<toml::Table>(&val) {
                Ok(t) => a.options.extend(t),
                Err(e) => {
                    eprintln!("--set {val}: expected KEY=VALUE in TOML ({e})");
                    std::process::exit(2);
                }
            },
            "--no-baseline" => {
                a.baseline = false;
                i += 1;
                continue;
            }
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    a
}

#[derive(Default, Clone, Copy)]
struct Prf {
    tp: usize,
    predicted: usize,
    truth: usize,
}

impl Prf {
    fn p(&self) -> f64 {
        if self.predicted == 0 {
            0.0
        } else {
            self.tp as f64 / self.predicted as f64
        }
    }
    fn r(&self) -> f64 {
        if self.truth == 0 {
            0.0
        } else {
            self.tp as f64 / self.truth as f64
        }
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.p(), self.r());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map(|kib| kib / 1024.0)
        .unwrap_or(0.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = args();
    std::fs::create_dir_all(&args.out)?;
    let t0 = Instant::now();
    let records = read_records(std::path::Path::new(REUTERS))?;
    let config = GeneratorConfig {
        seed: args.seed,
        sources: args.sources,
        unrelated: args.unrelated,
        ..GeneratorConfig::default()
    };
    let corpus = generate(&records, &config, Dictionary::wordnet());
    eprintln!(
        "generated {} documents ({} truth pairs) in {:.1}s",
        corpus.docs.len(),
        corpus.truth.len(),
        t0.elapsed().as_secs_f64()
    );
    // Export for the baseline and for inspection.
    let docs_path = args.out.join("docs.jsonl");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&docs_path)?);
        for d in &corpus.docs {
            writeln!(f, "{}", serde_json::to_string(d)?)?;
        }
        let mut t = std::io::BufWriter::new(std::fs::File::create(args.out.join("truth.jsonl"))?);
        for p in &corpus.truth {
            writeln!(t, "{}", serde_json::to_string(p)?)?;
        }
    }
    let mut docs: Vec<Document> = corpus
        .docs
        .iter()
        .map(|d| {
            let mut doc = Document::new(d.id.clone(), Source::default(), d.text.clone());
            doc.meta.date = d.date.clone();
            doc
        })
        .collect();
    let t1 = Instant::now();
    let config: ProvenanceConfig = toml::Value::Table(args.options.clone()).try_into()?;
    config.validate()?;
    let out = run_provenance(config, &mut docs)?;
    let ours_secs = t1.elapsed().as_secs_f64();
    let relations: Vec<Relation> = out.tables["relations"]
        .rows_as::<Relation>()?
        .collect::<Result<_, _>>()?;
    {
        let mut f =
            std::io::BufWriter::new(std::fs::File::create(args.out.join("relations.jsonl"))?);
        for r in &relations {
            writeln!(f, "{}", serde_json::to_string(r)?)?;
        }
    }
    // Scoring.
    let story: HashMap<&str, usize> = corpus
        .docs
        .iter()
        .map(|d| (d.id.as_str(), d.story))
        .collect();
    let made_as: HashMap<&str, Option<CopyKind>> = corpus
        .docs
        .iter()
        .map(|d| (d.id.as_str(), d.made_as))
        .collect();
    let truth: HashMap<(&str, &str), CopyKind> = corpus
        .truth
        .iter()
        .map(|t| ((t.copy.as_str(), t.source.as_str()), t.kind))
        .collect();
    let truth_unordered: HashSet<(&str, &str)> = corpus
        .truth
        .iter()
        .map(|t| {
            let (a, b) = (t.copy.as_str(), t.source.as_str());
            if a < b { (a, b) } else { (b, a) }
        })
        .collect();
    let kinds = [CopyKind::Verbatim, CopyKind::Syndicated, CopyKind::Spun];
    let mut prf: BTreeMap<&str, Prf> = BTreeMap::new();
    for k in kinds {
        prf.entry(k.as_str()).or_default().truth =
            corpus.truth.iter().filter(|t| t.kind == k).count();
    }
    let mut all = Prf {
        truth: corpus.truth.len(),
        ..Prf::default()
    };
    let mut false_relations = 0;
    let mut false_kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let mut same_story = 0;
    let mut within_story_wrong = 0;
    let mut direction_ok = 0;
    let mut direction_total = 0;
    let mut mistakes =
        std::io::BufWriter::new(std::fs::File::create(args.out.join("mistakes.jsonl"))?);
    let mut found_unordered = HashSet::new();
    for r in &relations {
        let kind = r.kind.as_str();
        let cross = story.get(r.doc.as_str()) != story.get(r.source.as_str());
        if kind == "same_story" {
            same_story += 1;
            if cross {
                false_relations += 1;
                *false_kinds.entry(kind).or_default() += 1;
                writeln!(
                    mistakes,
                    "{}",
                    serde_json::json!({"mistake": "false_relation", "doc": r.doc, "source": r.source, "kind": kind, "score": r.score})
                )?;
            }
            continue;
        }
        all.predicted += 1;
        prf.entry(kind).or_default().predicted += 1;
        let key = if r.doc < r.source {
            (r.doc.as_str(), r.source.as_str())
        } else {
            (r.source.as_str(), r.doc.as_str())
        };
        if truth_unordered.contains(&key) {
            found_unordered.insert(key);
            direction_total += 1;
            if truth.contains_key(&(r.doc.as_str(), r.source.as_str())) {
                direction_ok += 1;
            }
        }
        match truth.get(&(r.doc.as_str(), r.source.as_str())) {
            Some(k) if k.as_str() == kind => {
                all.tp += 1;
                prf.entry(kind).or_default().tp += 1;
            }
            Some(k) => {
                all.tp += 1;
                writeln!(
                    mistakes,
                    "{}",
                    serde_json::json!({"mistake": "wrong_kind", "doc": r.doc, "source": r.source, "kind": kind, "truth": k.as_str(), "score": r.score})
                )?;
            }
            None => {
                if cross {
                    false_relations += 1;
                    *false_kinds.entry(kind).or_default() += 1;
                    writeln!(
                        mistakes,
                        "{}",
                        serde_json::json!({"mistake": "false_relation", "doc": r.doc, "source": r.source, "kind": kind, "score": r.score})
                    )?;
                } else {
                    within_story_wrong += 1;
                    writeln!(
                        mistakes,
                        "{}",
                        serde_json::json!({"mistake": "wrong_source", "doc": r.doc, "source": r.source, "kind": kind, "doc_made_as": made_as.get(r.doc.as_str()).copied().flatten().map(|k| k.as_str()), "score": r.score})
                    )?;
                }
            }
        }
    }
    let predicted_pairs: HashSet<(&str, &str)> = relations
        .iter()
        .map(|r| (r.doc.as_str(), r.source.as_str()))
        .collect();
    for t in &corpus.truth {
        if !predicted_pairs.contains(&(t.copy.as_str(), t.source.as_str())) {
            writeln!(
                mistakes,
                "{}",
                serde_json::json!({"mistake": "missed", "copy": t.copy, "source": t.source, "kind": t.kind.as_str()})
            )?;
        }
    }
    mistakes.flush()?;
    let unrelated_docs = corpus
        .docs
        .iter()
        .filter(|d| d.story >= args.sources)
        .count();
    // Baseline.
    let mut baseline: Option<(serde_json::Value, Vec<(String, String)>)> = None;
    if args.baseline {
        let pairs_path = args.out.join("baseline_pairs.jsonl");
        let output = std::process::Command::new("python3")
            .arg(BASELINE)
            .arg(&docs_path)
            .arg(&pairs_path)
            .arg("--threshold")
            .arg(args.threshold.to_string())
            .output()?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        match stdout
            .lines()
            .last()
            .map(serde_json::from_str::<serde_json::Value>)
        {
            Some(Ok(summary)) if output.status.success() => {
                let pairs = std::fs::read_to_string(&pairs_path)?
                    .lines()
                    .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                    .filter_map(|v| {
                        Some((v["a"].as_str()?.to_string(), v["b"].as_str()?.to_string()))
                    })
                    .collect();
                baseline = Some((summary, pairs));
            }
            _ => eprintln!(
                "baseline did not run: {}{}",
                stdout,
                String::from_utf8_lossy(&output.stderr)
            ),
        }
    }
    // Report.
    println!(
        "development set: {} documents, {} sources, {} unrelated, {} truth pairs (seed {})",
        corpus.docs.len(),
        args.sources,
        unrelated_docs,
        corpus.truth.len(),
        args.seed
    );
    println!();
    println!(
        "| kind | truth pairs | ours P | ours R | ours F1 | baseline R (pair found, any direction) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let baseline_found = |k: Option<CopyKind>| -> Option<f64> {
        let (_, pairs) = baseline.as_ref()?;
        let set: HashSet<(&str, &str)> = pairs
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let relevant: Vec<_> = corpus
            .truth
            .iter()
            .filter(|t| k.is_none_or(|k| t.kind == k))
            .collect();
        let hit = relevant
            .iter()
            .filter(|t| {
                let (a, b) = (t.copy.as_str(), t.source.as_str());
                set.contains(&if a < b { (a, b) } else { (b, a) })
            })
            .count();
        Some(hit as f64 / relevant.len().max(1) as f64)
    };
    let fmt = |x: Option<f64>| x.map(|v| format!("{v:.3}")).unwrap_or_else(|| "-".into());
    for k in kinds {
        let s = prf.get(k.as_str()).copied().unwrap_or_default();
        println!(
            "| {} | {} | {:.3} | {:.3} | {:.3} | {} |",
            k.as_str(),
            s.truth,
            s.p(),
            s.r(),
            s.f1(),
            fmt(baseline_found(Some(k)))
        );
    }
    println!(
        "| all copies (kind-agnostic) | {} | {:.3} | {:.3} | {:.3} | {} |",
        all.truth,
        all.p(),
        all.r(),
        all.f1(),
        fmt(baseline_found(None))
    );
    println!();
    let per_k = |n: usize| n as f64 * 1000.0 / unrelated_docs.max(1) as f64;
    println!(
        "ours: {} relations ({} same_story); false relations across stories: {} ({:.2} per 1,000 unrelated docs) {:?}; wrong source within a story: {}; direction correct on found pairs: {}/{}; pairs found in any direction: {}/{}",
        relations.len(),
        same_story,
        false_relations,
        per_k(false_relations),
        false_kinds,
        within_story_wrong,
        direction_ok,
        direction_total,
        found_unordered.len(),
        corpus.truth.len()
    );
    if let Some((summary, pairs)) = &baseline {
        let cross = pairs
            .iter()
            .filter(|(a, b)| story.get(a.as_str()) != story.get(b.as_str()))
            .count();
        let correct = pairs
            .iter()
            .filter(|(a, b)| {
                let (a, b) = (a.as_str(), b.as_str());
                truth_unordered.contains(&if a < b { (a, b) } else { (b, a) })
            })
            .count();
        println!(
            "baseline (datasketch MinHashLSH, word 5-gram shingles, 128 perms, threshold {}): {} pairs, {} true pairs (precision {:.3}), false pairs across stories: {} ({:.2} per 1,000 unrelated docs); names no source and no kind",
            args.threshold,
            pairs.len(),
            correct,
            correct as f64 / pairs.len().max(1) as f64,
            cross,
            per_k(cross)
        );
        println!(
            "time: ours {:.2}s (whole stage: signatures, LSH, alignment, classification, annotation; {} threads) vs baseline {:.2}s (shingling, MinHash, LSH insert and query; 1 thread)",
            ours_secs,
            rayon::current_num_threads(),
            summary["seconds"].as_f64().unwrap_or(0.0)
        );
    } else {
        println!("time: ours {:.2}s", ours_secs);
    }
    println!("summary: {}", serde_json::to_string(&out.summary)?);
    println!("peak RSS (whole eval process): {:.0} MiB", peak_rss_mib());
    Ok(())
}
