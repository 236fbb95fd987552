//! `cargo xtask <task>`: project tasks that need more than one cargo command.
//!
//! Tasks:
//! * `run [--output DIR] [--config FILE]`: runs `pipeline.toml` on `seeds/` (outputs under `out/`).
//! * `bench [--quick]`: throughput and peak memory of the pipeline and its stages (see BENCHMARKS.md).
//! * `eval [provenance|spin]`: quality on development sets built from the Reuters data.
//! * `derive-spin-data`: rebuilds the spin tagger's committed tables from openly licensed sources.
//! * `measure -- CMD ARGS...`: runs a command and prints its wall time and peak memory.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("eval") => eval(&args[1..]),
        // Arguments pass through, e.g. `--symspell DIR --wordnet /usr/share/wordnet --moby moby.txt
        // --out crates/copydesk-spin/data` (see crates/copydesk-spin/data/LICENSES.md for the sources).
        Some("derive-spin-data") => cargo(
            &[
                "run",
                "--release",
                "-p",
                "copydesk-spin",
                "--example",
                "derive_tables",
                "--",
            ],
            &args[1..],
        ),
        Some("measure") => {
            let cmd: Vec<String> = args[1..]
                .iter()
                .skip_while(|a| *a == "--")
                .cloned()
                .collect();
            let m = measure(&cmd)?;
            println!("{}", m.line());
            Ok(())
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\n  run [--output DIR] [--config FILE]   run pipeline.toml on seeds/\n  bench [--quick]                        benchmarks (results for BENCHMARKS.md)\n  eval [provenance|spin]                 quality on development sets\n  derive-spin-data                       rebuild the spin tagger's tables\n  measure -- CMD ARGS...                 wall time and peak memory of a command"
            );
            bail!("unknown or missing task")
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn cargo(base: &[&str], extra: &[String]) -> Result<()> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(base)
        .args(extra)
        .status()
        .context("running cargo")?;
    if !status.success() {
        bail!("cargo {} failed ({status})", base.join(" "));
    }
    Ok(())
}

fn option(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn build_release() -> Result<PathBuf> {
    cargo(&["build", "--release", "-p", "copydesk"], &[])?;
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("target"));
    Ok(target.join("release/copydesk"))
}

/// `cargo xtask run`: the default pipeline on the seeds.
fn run(args: &[String]) -> Result<()> {
    let output = option(args, "--output").unwrap_or_else(|| "out".into());
    let config = option(args, "--config").unwrap_or_else(|| "pipeline.toml".into());
    let bin = build_release()?;
    let status = Command::new(&bin)
        .args(["run", "--config", &config, "--output", &output, "seeds"])
        .status()
        .with_context(|| format!("running {}", bin.display()))?;
    if !status.success() {
        bail!("copydesk run failed ({status})");
    }
    println!("outputs in {output}/: documents.jsonl, relations.jsonl, report.md, report.html");
    Ok(())
}

/// Wall time and peak resident memory of one command.
struct Measurement {
    command: String,
    seconds: f64,
    peak_rss_mb: f64,
    success: bool,
}

impl Measurement {
    fn line(&self) -> String {
        format!(
            "{:.2} s, peak RSS {:.0} MB{}: {}",
            self.seconds,
            self.peak_rss_mb,
            if self.success { "" } else { " (FAILED)" },
            self.command
        )
    }
}

/// Runs `cmd` in a child process and reads its peak RSS with wait4.
fn measure(cmd: &[String]) -> Result<Measurement> {
    let (program, rest) = cmd.split_first().context("measure: no command")?;
    let start = Instant::now();
    let child = Command::new(program)
        .args(rest)
        .spawn()
        .with_context(|| format!("starting {program}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if r < 0 {
        bail!("wait4 failed: {}", std::io::Error::last_os_error());
    }
    Ok(Measurement {
        command: cmd.join(" "),
        seconds: start.elapsed().as_secs_f64(),
        peak_rss_mb: usage.ru_maxrss as f64 / 1024.0,
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    })
}

/// `cargo xtask eval`: the quality evaluations.
fn eval(args: &[String]) -> Result<()> {
    let which = args.first().map(String::as_str).unwrap_or("all");
    let rest: Vec<String> = args.iter().skip(1).cloned().collect();
    if matches!(which, "all" | "provenance") {
        cargo(
            &[
                "run",
                "--release",
                "-p",
                "copydesk-provenance",
                "--example",
                "provenance_eval",
                "--",
            ],
            &rest,
        )?;
    }
    if matches!(which, "all" | "spin") {
        cargo(
            &[
                "run",
                "--release",
                "-p",
                "copydesk-spin",
                "--example",
                "eval",
                "--",
            ],
            &rest,
        )?;
    }
    if matches!(which, "all" | "extraction") {
        cargo(
            &[
                "run",
                "--release",
                "-p",
                "copydesk-load",
                "--example",
                "extraction_eval",
                "--",
            ],
            &rest,
        )?;
    }
    Ok(())
}

/// `cargo xtask bench`: end-to-end throughput of the default pipeline on
/// Reuters corpora of growing size, plus each stage family's own benchmark.
fn bench(args: &[String]) -> Result<()> {
    let quick = args.iter().any(|a| a == "--quick");
    let bin = build_release()?;
    let dir = PathBuf::from("bench-out");
    std::fs::create_dir_all(&dir)?;
    let reuters = Path::new("../shared/data/reuters21578/reuters21578.jsonl");
    if !reuters.exists() {
        bail!(
            "{} not found: the benchmarks need ../shared beside the checkout",
            reuters.display()
        );
    }
    let sizes: &[usize] = if quick {
        &[2_000, 10_000]
    } else {
        &[10_000, 100_000]
    };
    let mut lines = Vec::new();
    for &n in sizes {
        let corpus = dir.join(format!("reuters-{n}.jsonl"));
        let bytes = make_corpus(reuters, &corpus, n)?;
        let wc = measure(&["wc".into(), "-w".into(), corpus.display().to_string()])?;
        let out = dir.join(format!("out-{n}"));
        let m = measure(&[
            bin.display().to_string(),
            "-q".into(),
            "run".into(),
            "--config".into(),
            "pipeline.toml".into(),
            "--output".into(),
            out.display().to_string(),
            "--summary-json".into(),
            dir.join(format!("summary-{n}.json")).display().to_string(),
            corpus.display().to_string(),
        ])?;
        let mb = bytes as f64 / 1e6;
        lines.push(format!(
            "| {n} | {mb:.1} | {:.2} | {:.1} | {:.0} | {:.0} | {:.2} s ({:.0}x) |",
            m.seconds,
            mb / m.seconds,
            n as f64 / m.seconds,
            m.peak_rss_mb,
            wc.seconds,
            m.seconds / wc.seconds.max(1e-6)
        ));
        println!("{}", m.line());
        if let Ok(s) = std::fs::read_to_string(dir.join(format!("summary-{n}.json")))
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&s)
        {
            {
                for st in v["stages"].as_array().into_iter().flatten() {
                    println!(
                        "  {:<28} {:>8} in {:>8} out {:>6} failed {:>9.2} s",
                        st["stage"].as_str().unwrap_or("?"),
                        st["docs_in"],
                        st["docs_out"],
                        st["failed"],
                        st["time"].as_f64().unwrap_or(0.0)
                    );
                }
            }
        }
    }
    println!(
        "\n| documents | MB | seconds | MB/s | docs/s | peak RSS MB | wc -w (ratio) |\n|---|---|---|---|---|---|---|"
    );
    for l in &lines {
        println!("{l}");
    }
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

/// Writes `n` Reuters records (with bodies) to `path`, cycling through the
/// data with a suffix on the id when more are needed. Returns the byte size.
fn make_corpus(source: &Path, path: &Path, n: usize) -> Result<u64> {
    use std::io::{BufRead, BufWriter, Write};
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > 0
    {
        return Ok(meta.len());
    }
    let records: Vec<serde_json::Value> = std::io::BufReader::new(std::fs::File::open(source)?)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
        .filter(|v| v["text"].is_string())
        .collect();
    if records.is_empty() {
        bail!("no records with text in {}", source.display());
    }
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    for i in 0..n {
        let mut r = records[i % records.len()].clone();
        let round = i / records.len();
        if round > 0 {
            let id = format!("{}~{round}", r["id"].as_str().unwrap_or("doc"));
            r["id"] = serde_json::Value::String(id);
        }
        serde_json::to_writer(&mut out, &r)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}
