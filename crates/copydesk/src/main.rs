//! The `copydesk` command line.

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use copydesk_runner::{Pipeline, RunOptions, Shard, registry};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc: the pipeline allocates many short-lived strings on every core,
/// where glibc's malloc spends a fifth of the run and contends on its arena
/// locks (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// copydesk: clean news text, tag it, and trace copies and spun rewrites.
///
/// Exit codes: 0 success; 1 the run could not start or stopped (bad config,
/// unwritable output, --fail-fast); 2 the run finished but some documents
/// failed (each is listed on stderr and in the outputs).
#[derive(Parser, Debug)]
#[command(name = "copydesk", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// More log output (-v info, -vv debug); COPYDESK_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a pipeline over inputs and write the outputs.
    Run(RunArgs),
    /// Check a pipeline file without running it; prints every problem with its line.
    Validate {
        /// The pipeline file.
        #[arg(short, long, default_value = "pipeline.toml")]
        config: PathBuf,
    },
    /// List every registered stage with its options.
    Stages {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Show only stages whose name contains this.
        filter: Option<String>,
    },
    /// Restore the original wording of one suspicious (machine-spun) article.
    Despin(DespinArgs),
}

#[derive(Args, Debug)]
struct RunArgs {
    /// The pipeline file.
    #[arg(short, long, default_value = "pipeline.toml")]
    config: PathBuf,
    /// Output directory (overrides [run] output).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Stop at the first failing document (overrides [run] fail_fast).
    #[arg(long)]
    fail_fast: bool,
    /// Worker threads, 0 = all cores (overrides [run] threads).
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// Documents per batch (overrides [run] batch_size).
    #[arg(long)]
    batch_size: Option<usize>,
    /// Process shard I of N (0-based, `I/N`), writing to OUTPUT/shard-I-of-N; a finished shard is skipped.
    #[arg(long, conflicts_with = "shards")]
    shard: Option<String>,
    /// Number of shards, taking this shard's index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX.
    #[arg(long)]
    shards: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Write the run summary as JSON to this file.
    #[arg(long)]
    summary_json: Option<PathBuf>,
    /// Input files, directories or globs (override [run] inputs).
    inputs: Vec<String>,
}

#[derive(Args, Debug)]
struct DespinArgs {
    /// The article (plain text); `-` reads stdin.
    file: String,
    /// Print the marked spans (spun wording → likely original) instead of the repaired text.
    #[arg(long)]
    spans: bool,
    /// Print the whole verdict as JSON.
    #[arg(long, conflicts_with = "spans")]
    json: bool,
    /// Spin stage options as TOML (a file with the `tag.spin.v1` options, e.g. your own tortured-phrase list).
    #[arg(long)]
    options: Option<PathBuf>,
}

/// mimalloc's `purge_delay` option (its index in `mi_option_t`, stable
/// across mimalloc versions: retired options keep their slots).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory in the process instead of handing it back to the OS
/// after a second: every batch frees and reallocates the same amount, and
/// each page handed back was faulted in and zeroed again by the kernel (5 to
/// 10 % of the CPU on large inputs, for about a fifth more peak memory; see
/// BENCHMARKS.md). Memory stays bounded by the largest batch. A user's own
/// `MIMALLOC_PURGE_DELAY` wins.
fn keep_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: called once at the start of main, before any other thread
        // exists (mi_option_set is not thread-safe); the option takes any
        // integer, -1 meaning "never purge".
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    }
}

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet);
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn init_logging(verbose: u8, quiet: bool) {
    let level = if quiet {
        "error"
    } else {
        match verbose {
            0 => "warn",
            1 => "info",
            _ => "debug",
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("COPYDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run(args, cli.quiet),
        Command::Validate { config } => Ok(validate(&config)),
        Command::Stages { json, filter } => stages(json, filter.as_deref()),
        Command::Despin(args) => despin(args),
    }
}

fn load_pipeline(config: &std::path::Path) -> Result<Pipeline, ExitCode> {
    Pipeline::from_file(config).map_err(|errors| {
        for e in &errors {
            eprintln!("error: {e}");
        }
        eprintln!(
            "{}: {} problem(s); nothing was run",
            config.display(),
            errors.len()
        );
        ExitCode::from(1)
    })
}

fn validate(config: &std::path::Path) -> ExitCode {
    match load_pipeline(config) {
        Ok(p) => {
            println!("{}: ok ({} stages)", config.display(), p.stages.len());
            for s in &p.stages {
                println!("  {}  {}", s.factory.name, s.factory.description);
            }
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

fn run(args: RunArgs, quiet: bool) -> Result<ExitCode> {
    let pipeline = match load_pipeline(&args.config) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let mut options = RunOptions::from_pipeline(&pipeline);
    if !args.inputs.is_empty() {
        options.inputs = args.inputs.clone();
    }
    if let Some(o) = args.output {
        options.output = o;
    }
    options.fail_fast |= args.fail_fast;
    if let Some(t) = args.threads {
        options.threads = t;
    }
    if let Some(b) = args.batch_size {
        if b == 0 {
            bail!("--batch-size must be at least 1");
        }
        options.batch_size = b;
    }
    options.progress = !args.no_progress && !quiet;
    options.shard = match (&args.shard, args.shards) {
        (Some(s), _) => Some(Shard::parse(s).map_err(anyhow::Error::msg)?),
        (None, Some(count)) => {
            let index = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"]
                .iter()
                .find_map(|v| std::env::var(v).ok())
                .context("--shards needs SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX in the environment (or use --shard I/N)")?;
            Some(Shard::parse(&format!("{index}/{count}")).map_err(anyhow::Error::msg)?)
        }
        (None, None) => None,
    };
    let summary = copydesk_runner::run(&pipeline, &options)?;
    if !quiet {
        for f in &summary.failures {
            eprintln!("failed: {f}");
        }
        eprint!("{}", summary.table());
        for o in &summary.outputs {
            eprintln!("wrote {}", o.display());
        }
    }
    if let Some(path) = args.summary_json {
        std::fs::write(&path, serde_json::to_vec_pretty(&summary)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(if summary.failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn stages(json: bool, filter: Option<&str>) -> Result<ExitCode> {
    let chosen: Vec<_> = registry()
        .iter()
        .filter(|f| filter.is_none_or(|x| f.name.contains(x)))
        .collect();
    if json {
        let list: Vec<serde_json::Value> = chosen
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.name,
                    "kind": f.kind,
                    "description": f.description,
                    "needs": f.needs,
                    "provides": f.provides,
                    "rewrites_text": f.rewrites_text,
                    "options": f.options.iter().map(|o| serde_json::json!({"name": o.name, "type": o.kind, "doc": o.doc})).collect::<Vec<_>>(),
                    "defaults": (f.defaults)(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    for f in chosen {
        println!("{}  [{:?}]\n    {}", f.name, f.kind, f.description);
        if !f.needs.is_empty() {
            println!("    needs: {}", f.needs.join(", "));
        }
        if !f.provides.is_empty() {
            println!("    provides: {}", f.provides.join(", "));
        }
        let defaults = (f.defaults)();
        for o in f.options {
            let default = defaults
                .get(o.name)
                .map(|v| format!(" = {v}"))
                .unwrap_or_default();
            println!("    {} ({}){}: {}", o.name, o.kind, default, o.doc);
        }
        println!();
    }
    println!("[run] options:");
    for o in copydesk_runner::RUN_OPTIONS {
        println!("    {} ({}): {}", o.name, o.kind, o.doc);
    }
    Ok(ExitCode::SUCCESS)
}

fn despin(args: DespinArgs) -> Result<ExitCode> {
    let text = if args.file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading stdin")?;
        s
    } else {
        std::fs::read_to_string(&args.file).with_context(|| format!("reading {}", args.file))?
    };
    let config: copydesk_spin::SpinConfig = match &args.options {
        Some(path) => {
            let src = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let table: toml::Table =
                toml::from_str(&src).with_context(|| format!("{}", path.display()))?;
            copydesk_core::parse_options(&table)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        None => copydesk_spin::SpinConfig::default(),
    };
    let tagger = copydesk_spin::SpinTagger::new(&config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let verdict = tagger.analyze(&text);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&verdict)?);
    } else if args.spans {
        println!(
            "spun: {} (score {:.2}), {} substitution(s)",
            verdict.spun,
            verdict.score,
            verdict.substitutions.len()
        );
        for s in &verdict.substitutions {
            println!(
                "{}..{}\t{}\t→ {}\t({:.2})",
                s.start, s.end, s.spun, s.original, s.confidence
            );
        }
    } else {
        print!("{}", verdict.repaired);
        if !verdict.repaired.ends_with('\n') {
            println!();
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod allocator_tests {
    use super::*;

    #[test]
    fn the_purge_delay_slot_is_mimallocs_purge_delay_and_is_switched_off() {
        // SAFETY: reading an option is a plain load of a global.
        let default = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // mimalloc's defaults for purge_delay (v2: 10 ms, v3: 1000 ms);
            // another option in this slot would have another default.
            assert!(matches!(default, 10 | 1000), "slot holds {default}");
            keep_freed_memory();
            let now = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
            assert_eq!(now, -1);
        }
    }
}
