//! `cargo xtask <task>`: project tasks that need more than one cargo command.
//!
//! Tasks:
//! * `run [--output DIR] [--config FILE]`: runs `pipeline.toml` on `seeds/` (outputs under `out/`).
//! * `bench [--quick] [--size-mb N] [--warc-pages N] [--skip-default] [--stages]`: throughput,
//!   peak memory and CPU use at scale (1 GB synthetic corpus, 10,000-page WARC; see `bench.rs`).
//! * `eval [provenance|spin|extraction]`: quality on development sets built from the Reuters data.
//! * `derive-spin-data`: rebuilds the spin tagger's committed tables from openly licensed sources.
//! * `measure -- CMD ARGS...`: runs a command and prints its wall time and peak memory.

mod bench;
mod corpus;

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The task list `cargo xtask help` prints.
const USAGE: &str = "usage: cargo xtask <task>

  run [--output DIR] [--config FILE]   run pipeline.toml on seeds/
  bench [--quick] [--size-mb N] [--only-large] [--pipelines A,B] [--stages]
                                       throughput at scale (results for BENCHMARKS.md)
  eval [provenance|spin|extraction]    quality on development sets
  derive-spin-data                     rebuild the spin tagger's tables
  measure -- CMD ARGS...               wall time and peak memory of a command
  help                                 this list";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("bench") => {
            let bin = build_release()?;
            bench::bench(&args[1..], &bin)
        }
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
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        other => {
            eprintln!("{USAGE}");
            match other {
                Some(task) => bail!("unknown task `{task}`"),
                None => bail!("no task given"),
            }
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

/// Wall time, CPU time and peak resident memory of one command.
struct Measurement {
    command: String,
    seconds: f64,
    /// User CPU seconds of the command and its children.
    user_s: f64,
    /// System CPU seconds of the command and its children.
    sys_s: f64,
    peak_rss_mb: f64,
    success: bool,
}

impl Measurement {
    fn line(&self) -> String {
        format!(
            "{:.2} s, CPU {:.2} s user + {:.2} s sys ({:.2} cores), peak RSS {:.0} MB{}: {}",
            self.seconds,
            self.user_s,
            self.sys_s,
            (self.user_s + self.sys_s) / self.seconds.max(1e-9),
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
        user_s: timeval_secs(usage.ru_utime),
        sys_s: timeval_secs(usage.ru_stime),
        peak_rss_mb: usage.ru_maxrss as f64 / 1024.0,
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    })
}

fn timeval_secs(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
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
