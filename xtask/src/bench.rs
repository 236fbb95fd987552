//! `cargo xtask bench`: throughput at scale.
//!
//! Builds (once, cached under `bench-out/`) a synthetic news corpus from
//! Reuters-21578 ([`crate::corpus`]) at a tenth of the target size and at
//! the target size (1 GB; `--quick`: 20 MB), and a WARC file of pages from
//! the article extraction benchmark (10,000 pages; `--quick`: 1,000), then
//! measures with the release `copydesk` binary (inputs: the small corpus,
//! the WARC, the large corpus), in this order:
//!
//! * `wc -w` over the same bytes (the floor: one pass over the input),
//!   then two of them at once: how many cores the machine delivers at the
//!   moment (`cores_delivered`; a shared virtual machine's second core is
//!   not always all there);
//! * loading alone (the four loaders of `pipeline.toml` and `report.jsonl.v1`,
//!   which the runner needs to have an output: documents read and written back);
//! * the per-document stages alone (`per-document`): load, clean, tag, JSON
//!   lines out, without corpus stages (a shard of a sharded run; written in
//!   one pass, nothing spilled);
//! * the pipeline the scale goal names (`jsonl-no-spin`): load, clean, tag,
//!   provenance, JSON lines out;
//! * the default pipeline without `tag.spin.v1` (Markdown and HTML reports too);
//! * the default pipeline (`pipeline.toml`).
//!
//! Each row gives wall time, MB/s and documents/s, peak RSS and CPU time
//! (user + system, from `wait4`), CPU utilisation (CPU time / wall time:
//! 2.0 means both cores busy all the time), and the ratio to `wc -w`; below
//! it, the run's phases (pass 1, the corpus decision, pass 2, the reports'
//! finish) with their wall and CPU time, from the run summary.
//! Rows go to `bench-out/bench-{quick,full}.json` and a Markdown table;
//! the growth from a tenth of the size to the whole is printed per
//! pipeline (the goal: 10× input within 11× time).
//!
//! Disk: the runner's spill file (about 2x the input, binary records,
//! without the `tokens` layer and the text as loaded when no report reads
//! them) and `documents.jsonl`
//! (about 5.6x: every tag layer but `tokens`) together take about 9x the
//! input: the 1 GB corpus needs some 10 GB free under `bench-out/`; a
//! warning is printed when there is less.
//!
//! Options: `--quick`, `--size-mb N` (target corpus size), `--warc-pages N`,
//! `--seed N`, `--skip-default` (leave out the slowest pipeline),
//! `--only-large` (only the full-size corpus), `--pipelines a,b` (only
//! these of `load-only`, `per-document`, `jsonl-no-spin`, `default-no-spin`, `default`; partial runs write
//! `bench-partial.json`), `--prepare` (build the inputs and stop), `--keep-output` (keep each run's output directory; by default it is
//! deleted after its size is noted, as it is about 6× the input),
//! `--stages` (also run each stage family's own benchmark example).

use crate::corpus::write_synthetic;
use crate::{Measurement, cargo, measure, option};
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// One benchmark input.
struct Input {
    label: String,
    path: PathBuf,
    bytes: u64,
    /// Shell command counting its words (the floor).
    wc: String,
}

/// One pipeline measured.
struct Pipeline {
    name: &'static str,
    config: PathBuf,
}

/// `cargo xtask bench`.
pub fn bench(args: &[String], bin: &Path) -> Result<()> {
    let quick = args.iter().any(|a| a == "--quick");
    let size_mb: u64 = option(args, "--size-mb")
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(if quick { 20 } else { 1000 });
    let warc_pages: usize = option(args, "--warc-pages")
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(if quick { 1_000 } else { 10_000 });
    let seed: u64 = option(args, "--seed")
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(1);
    let skip_default = args.iter().any(|a| a == "--skip-default");
    let only_large = args.iter().any(|a| a == "--only-large");
    let only_pipelines: Option<Vec<String>> =
        option(args, "--pipelines").map(|s| s.split(',').map(str::to_string).collect());
    let keep_output = args.iter().any(|a| a == "--keep-output");
    let dir = PathBuf::from("bench-out");
    std::fs::create_dir_all(&dir)?;
    let reuters = Path::new("../shared/data/reuters21578/reuters21578.jsonl");
    if !reuters.exists() {
        bail!(
            "{} not found: the benchmarks need ../shared beside the checkout",
            reuters.display()
        );
    }

    let mut inputs = Vec::new();
    let sizes = if only_large {
        vec![size_mb]
    } else {
        vec![size_mb.div_ceil(10), size_mb]
    };
    for mb in sizes {
        // The generator's version is in the name: a changed generator builds anew.
        let path = dir.join(format!("synthetic-v2-{mb}mb-seed{seed}.jsonl"));
        if !path.exists() {
            eprintln!("building {} ...", path.display());
            let n = write_synthetic(reuters, &path, mb * 1_000_000, seed)?;
            eprintln!("  {n} articles");
        }
        let bytes = std::fs::metadata(&path)?.len();
        inputs.push(Input {
            label: format!("synthetic Reuters JSON lines, {:.0} MB", bytes as f64 / 1e6),
            wc: format!("wc -w {}", path.display()),
            path,
            bytes,
        });
    }
    let warc = dir.join(format!("benchmark-{warc_pages}.warc.gz"));
    if !warc.exists() {
        cargo(
            &[
                "run",
                "--release",
                "-p",
                "copydesk-load",
                "--example",
                "make_benchmark_warc",
                "--",
            ],
            &[warc.display().to_string(), warc_pages.to_string()],
        )?;
    }
    let warc_bytes = std::fs::metadata(&warc)?.len();
    if !only_large {
        // The WARC goes before the largest corpus: a long run stopped before
        // the end still has every input measured at least once.
        let position = inputs.len() - 1;
        inputs.insert(
            position,
            Input {
                label: format!(
                    "WARC, {warc_pages} pages, {:.0} MB gzip",
                    warc_bytes as f64 / 1e6
                ),
                wc: format!("gzip -dc {} | wc -w", warc.display()),
                path: warc,
                bytes: warc_bytes,
            },
        );
    }

    if args.iter().any(|a| a == "--prepare") {
        for input in &inputs {
            println!(
                "{}: {:.0} MB",
                input.path.display(),
                input.bytes as f64 / 1e6
            );
        }
        return Ok(());
    }
    let mut pipelines = write_configs(&dir, skip_default)?;
    if let Some(only) = &only_pipelines {
        pipelines.retain(|p| only.iter().any(|o| o == p.name));
    }
    let mut rows: Vec<Value> = Vec::new();
    // A partial run (some inputs or pipelines) gets its own results file.
    let name = match (quick, only_large || only_pipelines.is_some()) {
        (true, _) => "bench-quick",
        (false, false) => "bench-full",
        (false, true) => "bench-partial",
    };
    let out = dir.join(format!("{name}.json"));
    let started = utc_now();
    for input in &inputs {
        let wc = measure(&["sh".into(), "-c".into(), input.wc.clone()])?;
        println!("{}", wc.line());
        let (warm, pair) = two_core_probe(input)?;
        println!(
            "one `wc -w` again {:.2} s, two at once {:.2} s: the machine delivers {:.2} cores now",
            warm.seconds,
            pair.seconds,
            cores_delivered(&warm, &pair)
        );
        for p in &pipelines {
            let tag = format!(
                "{}-{}",
                input
                    .path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or("in"),
                p.name
            );
            warn_if_disk_short(&dir, input.bytes);
            let summary = dir.join(format!("summary-{tag}.json"));
            let out_dir = dir.join(format!("out-{tag}"));
            // The previous run's output (gigabytes at 1 GB) is still being
            // written back or freed by the kernel: let that finish first, or
            // it lands in this run's time.
            settle_disk();
            let load_before = load_average();
            let m = measure(&[
                bin.display().to_string(),
                "-q".into(),
                "run".into(),
                "--no-progress".into(),
                "--config".into(),
                p.config.display().to_string(),
                "--output".into(),
                out_dir.display().to_string(),
                "--summary-json".into(),
                summary.display().to_string(),
                input.path.display().to_string(),
            ])?;
            println!("{}", m.line());
            let s: Value = std::fs::read_to_string(&summary)
                .ok()
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or(Value::Null);
            for phase in s["phases"].as_array().into_iter().flatten() {
                let (wall, cpu) = (phase["wall"].as_f64(), phase["cpu"].as_f64());
                if let (Some(wall), Some(cpu)) = (wall, cpu) {
                    println!(
                        "    {:<42} {wall:>8.2} s  {cpu:>8.2} CPU-s  {:.2} cores",
                        phase["phase"].as_str().unwrap_or("?"),
                        cpu / wall.max(1e-9)
                    );
                }
            }
            let mut r = row(input, p, &m, (&wc, &warm, &pair), &s, load_before);
            r["output_mb"] = json!(round(dir_bytes(&out_dir) as f64 / 1e6, 0));
            rows.push(r);
            // The outputs are about fifteen times the input (every tag layer
            // in documents.jsonl): at 1 GB they would fill the disk.
            if !keep_output {
                std::fs::remove_dir_all(&out_dir).ok();
            }
            // Written after every run, so that a long run stopped half-way
            // keeps what it measured.
            write_results(&out, args, &started, &rows)?;
        }
    }

    let result = write_results(&out, args, &started, &rows)?;
    print_table(&result);
    println!("\nwritten: {}", out.display());

    if args.iter().any(|a| a == "--stages") {
        stage_benches(quick)?;
    }
    Ok(())
}

/// Writes the results file; returns its content.
fn write_results(out: &Path, args: &[String], started: &str, rows: &[Value]) -> Result<Value> {
    let result = json!({
        "command": format!("cargo xtask bench {}", args.join(" ")).trim().to_string(),
        "started": started,
        "written": utc_now(),
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "rows": rows,
        "growth": growth(rows),
    });
    std::fs::write(out, serde_json::to_vec_pretty(&result)?)?;
    Ok(result)
}

/// The load-only, JSON-lines-only-without-spin and no-spin variants of
/// `pipeline.toml`, next to it in `dir`, plus `pipeline.toml` itself.
fn write_configs(dir: &Path, skip_default: bool) -> Result<Vec<Pipeline>> {
    let text = std::fs::read_to_string("pipeline.toml").context("reading pipeline.toml")?;
    let (head, stages) = split_stages(&text);
    let keep = |pred: &dyn Fn(&str) -> bool| -> String {
        let mut out = head.clone();
        for s in stages.iter().filter(|s| pred(&stage_type(s))) {
            out.push_str(s);
        }
        out
    };
    let load_only = dir.join("pipeline-load-only.toml");
    std::fs::write(
        &load_only,
        keep(&|t: &str| t.starts_with("load.") || t == "report.jsonl.v1"),
    )?;
    let no_spin = dir.join("pipeline-no-spin.toml");
    std::fs::write(&no_spin, keep(&|t: &str| t != "tag.spin.v1"))?;
    // A shard of a sharded run: the per-document stages, JSON lines out.
    let per_document = dir.join("pipeline-per-document.toml");
    std::fs::write(
        &per_document,
        keep(&|t: &str| {
            t != "tag.spin.v1"
                && !t.starts_with("corpus.")
                && (!t.starts_with("report.") || t == "report.jsonl.v1")
        }),
    )?;
    // What the scale goal names: load, clean, tag, provenance, JSON lines out.
    let jsonl_no_spin = dir.join("pipeline-jsonl-no-spin.toml");
    std::fs::write(
        &jsonl_no_spin,
        keep(&|t: &str| {
            t != "tag.spin.v1" && (!t.starts_with("report.") || t == "report.jsonl.v1")
        }),
    )?;
    let mut out = vec![
        Pipeline {
            name: "load-only",
            config: load_only,
        },
        Pipeline {
            name: "per-document",
            config: per_document,
        },
        Pipeline {
            name: "jsonl-no-spin",
            config: jsonl_no_spin,
        },
        Pipeline {
            name: "default-no-spin",
            config: no_spin,
        },
    ];
    if !skip_default {
        out.push(Pipeline {
            name: "default",
            config: PathBuf::from("pipeline.toml"),
        });
    }
    Ok(out)
}

/// The text before the first `[[stage]]`, and each `[[stage]]` table's text.
fn split_stages(toml: &str) -> (String, Vec<String>) {
    let mut head = String::new();
    let mut stages: Vec<String> = Vec::new();
    for line in toml.lines() {
        if line.trim() == "[[stage]]" {
            stages.push(String::new());
        }
        let target = stages.last_mut().unwrap_or(&mut head);
        target.push_str(line);
        target.push('\n');
    }
    (head, stages)
}

/// The `type = "..."` of one `[[stage]]` table.
fn stage_type(stage: &str) -> String {
    stage
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == "type").then(|| {
                v.split('#')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .trim_matches('"')
                    .to_string()
            })
        })
        .unwrap_or_default()
}

/// Waits for the kernel to write back every dirty page (`sync`), so that
/// a run does not pay for the one before it.
fn settle_disk() {
    if let Err(e) = std::process::Command::new("sync").status() {
        eprintln!(
            "warning: could not run sync ({e}); runs may overlap the previous one's writeback"
        );
    }
}

/// One `wc -w` over the input (its bytes now in the page cache), then two
/// at once, each on its own core if the machine gives it two: together
/// they tell how many cores the machine delivers at the moment (a shared
/// virtual machine's second core is not always all there, and the
/// pipeline's wall time follows it).
fn two_core_probe(input: &Input) -> Result<(Measurement, Measurement)> {
    let one = format!("{} >/dev/null", input.wc);
    let warm = measure(&["sh".into(), "-c".into(), one.clone()])?;
    let pair = measure(&["sh".into(), "-c".into(), format!("{one} & {one}; wait")])?;
    Ok((warm, pair))
}

/// Cores delivered during the two-core probe: 2.0 when the two counts
/// together took as long as one, 1.0 when they took twice as long.
fn cores_delivered(one: &Measurement, two: &Measurement) -> f64 {
    2.0 * one.seconds / two.seconds.max(1e-9)
}

fn row(
    input: &Input,
    p: &Pipeline,
    m: &Measurement,
    (wc, warm, pair): (&Measurement, &Measurement, &Measurement),
    summary: &Value,
    load_before: Option<f64>,
) -> Value {
    let mb = input.bytes as f64 / 1e6;
    let docs = summary["documents_in"].as_u64().unwrap_or(0);
    let cpu = m.user_s + m.sys_s;
    json!({
        "input": input.label,
        "file": input.path.display().to_string(),
        "mb": round(mb, 1),
        "pipeline": p.name,
        "config": p.config.display().to_string(),
        "documents": docs,
        "failed": summary["failed"],
        "exit_ok": m.success,
        "wall_s": round(m.seconds, 2),
        "mb_per_s": round(mb / m.seconds, 2),
        "docs_per_s": round(docs as f64 / m.seconds, 0),
        "peak_rss_mb": round(m.peak_rss_mb, 0),
        "user_s": round(m.user_s, 2),
        "sys_s": round(m.sys_s, 2),
        "cpu_utilisation": round(cpu / m.seconds, 2),
        "wc_w_s": round(wc.seconds, 2),
        "times_wc_w": round(m.seconds / wc.seconds.max(1e-6), 1),
        "two_wc_w_s": round(pair.seconds, 2),
        "cores_delivered": round(cores_delivered(warm, pair), 2),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "stages": summary["stages"],
        "phases": summary["phases"],
    })
}

/// For each pipeline on the synthetic corpus: how time grew from a tenth
/// of the input to all of it.
fn growth(rows: &[Value]) -> Vec<Value> {
    let synthetic: Vec<&Value> = rows
        .iter()
        .filter(|r| {
            r["input"]
                .as_str()
                .is_some_and(|s| s.starts_with("synthetic"))
        })
        .collect();
    let mut out = Vec::new();
    for small in &synthetic {
        for large in &synthetic {
            let (sm, lm) = (small["mb"].as_f64(), large["mb"].as_f64());
            if small["pipeline"] == large["pipeline"]
                && let (Some(sm), Some(lm)) = (sm, lm)
                && lm > sm * 5.0
            {
                let (st, lt) = (
                    small["wall_s"].as_f64().unwrap_or(0.0),
                    large["wall_s"].as_f64().unwrap_or(0.0),
                );
                let (sc, lc) = (
                    small["user_s"].as_f64().unwrap_or(0.0)
                        + small["sys_s"].as_f64().unwrap_or(0.0),
                    large["user_s"].as_f64().unwrap_or(0.0)
                        + large["sys_s"].as_f64().unwrap_or(0.0),
                );
                out.push(json!({
                    "pipeline": small["pipeline"],
                    "input_ratio": round(lm / sm, 2),
                    "wall_ratio": round(lt / st.max(1e-6), 2),
                    "cpu_ratio": round(lc / sc.max(1e-6), 2),
                }));
            }
        }
    }
    out
}

fn print_table(result: &Value) {
    println!(
        "\n| input | pipeline | docs | wall s | MB/s | docs/s | peak RSS MB | CPU util | × wc -w | cores delivered |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    for r in result["rows"].as_array().into_iter().flatten() {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} ({} s) | {} |",
            r["input"].as_str().unwrap_or("?"),
            r["pipeline"].as_str().unwrap_or("?"),
            r["documents"],
            r["wall_s"],
            r["mb_per_s"],
            r["docs_per_s"],
            r["peak_rss_mb"],
            r["cpu_utilisation"],
            r["times_wc_w"],
            r["wc_w_s"],
            r["cores_delivered"],
        );
    }
    for g in result["growth"].as_array().into_iter().flatten() {
        println!(
            "growth, {}: {}x input in {}x wall time ({}x CPU time)",
            g["pipeline"].as_str().unwrap_or("?"),
            g["input_ratio"],
            g["wall_ratio"],
            g["cpu_ratio"]
        );
    }
}

/// Each stage family's own benchmark example (`--stages`).
fn stage_benches(quick: bool) -> Result<()> {
    for (krate, example) in [
        ("copydesk-provenance", "provenance_bench"),
        ("copydesk-spin", "bench"),
        ("copydesk-tag", "tag_throughput"),
    ] {
        let have = Path::new("crates")
            .join(krate)
            .join("examples")
            .join(format!("{example}.rs"))
            .exists();
        if have {
            println!("\n== {krate} --example {example}");
            let extra: Vec<String> = match (krate, quick) {
                ("copydesk-provenance", true) => vec!["--docs".into(), "10000".into()],
                ("copydesk-provenance", false) => vec!["--docs".into(), "100000".into()],
                _ => Vec::new(),
            };
            cargo(
                &["run", "--release", "-p", krate, "--example", example, "--"],
                &extra,
            )?;
        }
    }
    Ok(())
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

/// Disk a run needs per input byte, measured on Reuters: the runner's spill
/// file (about 3.4x the input for the default pipeline) and
/// `documents.jsonl` (about 5.6x) are both in the output directory at the
/// end of a run.
const DISK_PER_INPUT_BYTE: u64 = 10;

/// Warns when the disk holding `dir` has less room than a run may need.
fn warn_if_disk_short(dir: &Path, input_bytes: u64) {
    let Some(free) = free_bytes(dir) else {
        return;
    };
    let need = input_bytes.saturating_mul(DISK_PER_INPUT_BYTE);
    if free < need {
        eprintln!(
            "warning: {:.1} GB free under {}, a run on {:.1} GB of input may need {:.1} GB (spill file and documents.jsonl)",
            free as f64 / 1e9,
            dir.display(),
            input_bytes as f64 / 1e9,
            need as f64 / 1e9
        );
    }
}

/// Free bytes on the file system holding `dir` (statvfs).
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: statvfs is plain data filled by the call for a valid C string.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::statvfs(path.as_ptr(), &mut st) };
    (r == 0).then(|| st.f_bavail as u64 * st.f_frsize as u64)
}

/// Bytes of the files directly in `dir`.
fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// The one-minute load average, if the system reports it.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The current UTC time from `date` (no date crate needed).
fn utc_now() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_split_and_typed() {
        let (head, stages) = split_stages(
            "[run]\nthreads = 0\n\n[[stage]]\ntype = \"load.text.v1\"   # text\n\n[[stage]]\ntype = \"tag.spin.v1\"\nx = 1\n",
        );
        assert_eq!(head, "[run]\nthreads = 0\n\n");
        assert_eq!(stages.len(), 2);
        assert_eq!(stage_type(&stages[0]), "load.text.v1");
        assert_eq!(stage_type(&stages[1]), "tag.spin.v1");
        assert!(stages[1].contains("x = 1"));
    }
}
