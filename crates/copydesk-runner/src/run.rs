//! Running a checked pipeline.

use crate::config::{Pipeline, PlannedStage};
use crate::inputs::{Shard, expand_inputs};
use crate::phase::PhaseClock;
use crate::spill::{
    AnnotatedStore, BufferPool, Omitted, SpillBatch, SpillGroup, SpillReader, SpillWriter,
};
use crate::spill_codec;
use crate::summary::RunSummary;
use copydesk_core::{
    BuiltStage, Capability, CorpusOutput, CorpusStage, CorpusSummary, Document, DocumentRenderer,
    DocumentStage, DocumentStore, LoadStage, Observation, Rendered, ReportStage, Source,
    StageError, StageStats,
};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How to run: the `[run]` section with command-line overrides applied.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// Input files, directories or globs.
    pub inputs: Vec<String>,
    /// Output directory.
    pub output: PathBuf,
    /// Stop at the first failure.
    pub fail_fast: bool,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Documents per batch.
    pub batch_size: usize,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Process only this share of the inputs, writing to `output/shard-I-of-N`.
    pub shard: Option<Shard>,
}

impl RunOptions {
    /// The options a pipeline file asks for.
    pub fn from_pipeline(p: &Pipeline) -> RunOptions {
        RunOptions {
            inputs: p.run.inputs.clone(),
            output: PathBuf::from(&p.run.output),
            fail_fast: p.run.fail_fast,
            threads: p.run.threads,
            batch_size: p.run.batch_size.max(1),
            progress: true,
            shard: None,
        }
    }
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A stage could not be built from its options.
    #[error("{stage}: {message}")]
    Build {
        /// The stage.
        stage: String,
        /// Why.
        message: String,
    },
    /// No inputs were given.
    #[error("no inputs: give files, directories or globs (`[run] inputs` or on the command line)")]
    NoInputs,
    /// `fail_fast` is set and a document failed.
    #[error("stopped at the first failure (fail_fast): {0}")]
    FailFast(String),
    /// The output could not be written.
    #[error("{path}: {source}")]
    Output {
        /// The file or directory.
        path: PathBuf,
        /// The io error.
        source: std::io::Error,
    },
    /// A corpus or report stage failed as a whole.
    #[error("{stage}: {message}")]
    Stage {
        /// The stage.
        stage: String,
        /// Why.
        message: String,
    },
    /// The worker pool could not start.
    #[error("thread pool: {0}")]
    Threads(String),
}

/// Counters one stage updates from many threads.
#[derive(Default)]
struct Counters {
    docs_in: AtomicU64,
    docs_out: AtomicU64,
    failed: AtomicU64,
    nanos: AtomicU64,
}

impl Counters {
    /// Adds a group of documents: `ok` passed, `failed` failed, in `took`.
    fn record_group(&self, ok: u64, failed: u64, took: Duration) {
        if ok + failed == 0 {
            return;
        }
        self.docs_in.fetch_add(ok + failed, Ordering::Relaxed);
        self.docs_out.fetch_add(ok, Ordering::Relaxed);
        if failed > 0 {
            self.failed.fetch_add(failed, Ordering::Relaxed);
        }
        self.nanos
            .fetch_add(took.as_nanos() as u64, Ordering::Relaxed);
    }

    fn record(&self, ok: bool, took: Duration) {
        self.docs_in.fetch_add(1, Ordering::Relaxed);
        if ok {
            self.docs_out.fetch_add(1, Ordering::Relaxed);
        } else {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
        self.nanos
            .fetch_add(took.as_nanos() as u64, Ordering::Relaxed);
    }

    /// Runs one call of a stage (`begin`, `finish`), adds its time, and
    /// names the stage in its error.
    fn timed<T>(
        &self,
        stage: &str,
        call: impl FnOnce() -> Result<T, StageError>,
    ) -> Result<T, RunError> {
        let t = Instant::now();
        let result = call().map_err(|e| RunError::Stage {
            stage: stage.to_string(),
            message: e.message,
        });
        self.nanos
            .fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
        result
    }

    fn stats(&self, stage: &str) -> StageStats {
        StageStats {
            stage: stage.to_string(),
            docs_in: self.docs_in.load(Ordering::Relaxed),
            docs_out: self.docs_out.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            time: Duration::from_nanos(self.nanos.load(Ordering::Relaxed)),
            skipped: Default::default(),
        }
    }
}

struct Built {
    loaders: Vec<(String, Box<dyn LoadStage>, Counters)>,
    documents: Vec<(String, Box<dyn DocumentStage>, Counters)>,
    /// Document stages left out of the run ([`Built::leave_out_unread_stages`]),
    /// each with its place among the document stages and the reason.
    left_out: Vec<LeftOut>,
    corpus: Vec<(String, Box<dyn CorpusStage>)>,
    corpus_counters: Vec<Counters>,
    /// Every capability the corpus stages need.
    corpus_needs: Vec<&'static str>,
    reports: Vec<(String, Box<dyn ReportStage>, Counters)>,
}

/// A document stage the run leaves out because nothing reads what it adds.
struct LeftOut {
    /// Its place among the pipeline's document stages, from 0.
    position: usize,
    /// The stage's name.
    name: String,
    /// Why, for the summary (`nothing reads layer.tokens`).
    reason: String,
}

/// What a document stage needs and provides, as its factory declares.
#[derive(Clone, Copy)]
struct Declared {
    needs: &'static [Capability],
    provides: &'static [Capability],
}

impl Built {
    /// Leaves out the document stages whose every output is an annotation
    /// layer nothing reads: no report reads the layer
    /// ([`Built::unread_layers`]), no corpus stage or report needs it, and
    /// no document stage that still runs after it needs it. Stages are
    /// walked from the last, so a stage that only fed a left-out stage is
    /// left out too. A stage that declares any other output (text,
    /// metadata, a verdict) always runs, and so does every stage of a
    /// pipeline without reports.
    fn leave_out_unread_stages(&mut self, declared: &[Declared], report_needs: &[Capability]) {
        let unread = self.unread_layers();
        if unread.is_empty() || declared.len() != self.documents.len() {
            return;
        }
        let mut needed: HashSet<&str> = self.corpus_needs.iter().copied().collect();
        needed.extend(report_needs.iter().copied());
        let mut left_out = Vec::new();
        for (position, d) in declared.iter().enumerate().rev() {
            let unread_layer = |c: &&str| {
                !needed.contains(c)
                    && c.strip_prefix("layer.")
                        .is_some_and(|layer| unread.iter().any(|u| u == layer))
            };
            if !d.provides.is_empty() && d.provides.iter().all(unread_layer) {
                left_out.push(position);
            } else {
                needed.extend(d.needs.iter().copied());
            }
        }
        for position in left_out.into_iter().rev() {
            let (name, _, _) = self.documents.remove(position - self.left_out.len());
            let reason = format!("nothing reads {}", declared[position].provides.join(", "));
            tracing::info!("{name}: left out of the run, {reason}");
            self.left_out.push(LeftOut {
                position,
                name,
                reason,
            });
        }
    }

    /// The annotation layers nothing after pass 1 reads: every report says
    /// it does not read them and no corpus stage needs them. They are left
    /// out of the spill. With no report at all, nothing is dropped.
    fn unread_layers(&self) -> Vec<String> {
        let mut reports = self.reports.iter().map(|(_, r, _)| r.unread_layers());
        let Some(mut unread) = reports.next() else {
            return Vec::new();
        };
        for other in reports {
            unread.retain(|layer| other.contains(layer));
        }
        unread.retain(|layer| {
            !self
                .corpus_needs
                .iter()
                .any(|need| need.strip_prefix("layer.") == Some(layer.as_str()))
        });
        unread.sort();
        unread.dedup();
        unread
    }

    /// The layers some corpus stage needs (capability `layer.<name>`).
    fn corpus_layers(&self) -> Vec<String> {
        self.corpus_needs
            .iter()
            .filter_map(|need| need.strip_prefix("layer."))
            .map(str::to_string)
            .collect()
    }

    /// Whether a document must be kept after its reports rendered it: some
    /// report has no renderer (it writes from the document), or its
    /// `write_rendered` reads more of the document than its id and source.
    fn keeps_rendered_documents(&self, renderers: &[Option<Arc<dyn DocumentRenderer>>]) -> bool {
        self.reports
            .iter()
            .zip(renderers)
            .any(|((_, report, _), renderer)| {
                renderer.is_none() || report.reads_rendered_document()
            })
    }

    /// What the spill leaves out: the layers nothing reads after pass 1
    /// ([`Built::unread_layers`]) and the text as loaded when no corpus
    /// stage and no report reads it.
    fn omitted(&self) -> Omitted {
        let raw_read = self.corpus.iter().any(|(_, c)| c.reads_raw())
            || self.reports.iter().any(|(_, r, _)| r.reads_raw());
        Omitted {
            layers: self.unread_layers(),
            raw: !raw_read,
        }
    }
}

fn build(stages: &[PlannedStage]) -> Result<Built, RunError> {
    let mut b = Built {
        loaders: Vec::new(),
        documents: Vec::new(),
        left_out: Vec::new(),
        corpus: Vec::new(),
        corpus_counters: Vec::new(),
        corpus_needs: Vec::new(),
        reports: Vec::new(),
    };
    let mut declared = Vec::new();
    let mut report_needs = Vec::new();
    for s in stages {
        let built = s.take_built().map_err(|e| RunError::Build {
            stage: s.label(),
            message: e.to_string(),
        })?;
        let name = s.factory.name.to_string();
        match built {
            BuiltStage::Load(x) => b.loaders.push((name, x, Counters::default())),
            BuiltStage::Document(x) => {
                declared.push(Declared {
                    needs: s.factory.needs,
                    provides: s.factory.provides,
                });
                b.documents.push((name, x, Counters::default()));
            }
            BuiltStage::Corpus(x) => {
                b.corpus_needs.extend(s.factory.needs.iter().copied());
                b.corpus.push((name, x));
                b.corpus_counters.push(Counters::default());
            }
            BuiltStage::Report(x) => {
                report_needs.extend(s.factory.needs.iter().copied());
                b.reports.push((name, x, Counters::default()));
            }
        }
    }
    b.leave_out_unread_stages(&declared, &report_needs);
    Ok(b)
}

/// What the reader thread sends.
enum Loaded {
    Doc(Box<Document>),
    Failure(String),
}

/// Collects failures, and stops the run when `fail_fast` asks.
struct Failures {
    lines: Mutex<Vec<String>>,
    fail_fast: bool,
    stop: AtomicBool,
}

impl Failures {
    fn push(&self, line: String) {
        tracing::debug!("{line}");
        if self.fail_fast {
            self.stop.store(true, Ordering::SeqCst);
        }
        if let Ok(mut lines) = self.lines.lock() {
            lines.push(line);
        }
    }
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
    fn take(&self) -> Vec<String> {
        self.lines
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }
}

/// Runs a checked pipeline.
pub fn run(pipeline: &Pipeline, options: &RunOptions) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let mut clock = PhaseClock::start();
    if options.inputs.is_empty() {
        return Err(RunError::NoInputs);
    }
    let output = match options.shard {
        Some(s) => options
            .output
            .join(format!("shard-{}-of-{}", s.index, s.count)),
        None => options.output.clone(),
    };
    let done_marker = output.join("_SUCCESS");
    if options.shard.is_some() && done_marker.exists() {
        tracing::info!(
            "{} is complete ({} exists): skipping",
            output.display(),
            done_marker.display()
        );
        return Ok(RunSummary {
            outputs: vec![done_marker],
            ..RunSummary::default()
        });
    }
    std::fs::create_dir_all(&output).map_err(|source| RunError::Output {
        path: output.clone(),
        source,
    })?;
    let threads = if options.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        options.threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Threads(e.to_string()))?;
    let mut built = build(&pipeline.stages)?;
    let omitted = built.omitted();
    let corpus_layers = built.corpus_layers();
    if !omitted.layers.is_empty() {
        tracing::debug!(
            "layers no report reads, left out of the spill: {}",
            omitted.layers.join(", ")
        );
    }
    if omitted.raw {
        tracing::debug!("nothing reads the text as loaded after pass 1: left out of the spill");
    }
    let failures = Failures {
        lines: Mutex::new(Vec::new()),
        fail_fast: options.fail_fast,
        stop: AtomicBool::new(false),
    };
    let mut summary = RunSummary::default();

    // Inputs.
    let (mut files, problems) = expand_inputs(&options.inputs);
    for p in problems {
        failures.push(format!("{p}: input"));
        summary.failed += 1;
    }
    if let Some(shard) = options.shard {
        files = files
            .into_iter()
            .enumerate()
            .filter(|(i, _)| shard.owns(*i))
            .map(|(_, f)| f)
            .collect();
    }
    let mut assigned: Vec<(PathBuf, usize)> = Vec::new();
    for f in files {
        match built
            .loaders
            .iter()
            .position(|(_, l, _)| l.accepts(&f.path))
        {
            Some(i) => assigned.push((f.path, i)),
            None if f.explicit => {
                failures.push(format!(
                    "{}: no load stage reads this file (check the loaders' `extensions`)",
                    f.path.display()
                ));
                summary.failed += 1;
            }
            None => summary.skipped_files += 1,
        }
    }
    summary.files = assigned.len() as u64;
    if failures.stopped() {
        return Err(RunError::FailFast(failures.take().remove(0)));
    }

    for (name, report, counters) in &mut built.reports {
        counters.timed(name, || report.begin(&output))?;
    }
    let renderers: Vec<Option<Arc<dyn DocumentRenderer>>> =
        built.reports.iter().map(|(_, r, _)| r.renderer()).collect();
    // Rendering time, added to each report's own once the reports are written.
    let render_nanos: Vec<AtomicU64> = renderers.iter().map(|_| AtomicU64::new(0)).collect();
    // Freed where it was rendered unless a report still reads it: freeing
    // on the writer thread cost a fifth of pass 2 (memory handed across
    // threads).
    let render_with = Renderers {
        renderers: &renderers,
        nanos: &render_nanos,
        keep_documents: built.keeps_rendered_documents(&renderers),
    };
    // Without corpus stages, and with no report reading documents back, the
    // reports are written as documents come out of the document stages:
    // nothing is spilled or read back.
    let one_pass = built.corpus.is_empty()
        && built
            .reports
            .iter()
            .all(|(_, r, _)| !r.reads_documents_back());
    if one_pass {
        tracing::debug!("no corpus stage: reports are written in one pass");
    }
    let mut written_in_pass1 = 0u64;

    let progress = progress_bar(options.progress);
    let spill_path = output.join(".copydesk-spill.bin");
    let mut spill = SpillWriter::create(&spill_path).map_err(|source| RunError::Output {
        path: spill_path.clone(),
        source,
    })?;
    let mut ids = DocumentIds::default();
    let bytes = AtomicU64::new(0);
    let mut loaded = 0u64;

    // Pass 1: load → document stages → corpus observation → spill.
    let batch_size = options.batch_size.max(1);
    let loaders = &built.loaders;
    let documents = &built.documents;
    let corpus = &mut built.corpus;
    let corpus_counters = &built.corpus_counters;
    let direct = one_pass.then_some(DirectReports {
        reports: &mut built.reports,
        render_with: &render_with,
        written: &mut written_in_pass1,
    });
    // Each group of a batch is encoded for the spill right after the
    // document stages, while it is still in the cache, unless the reports
    // are written in this pass (nothing is spilled then).
    let buffers = BufferPool::default();
    let encode_with = (!one_pass).then_some(Encoder {
        omitted: &omitted,
        buffers: &buffers,
        corpus_layers: &corpus_layers,
    });
    // Batch k+1 goes through the document stages (in parallel) while batch k
    // is observed (in parallel), absorbed and spilled (in order).
    let pass1: Result<(), RunError> = std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Loaded>(batch_size * 2);
        let failures_ref = &failures;
        let pool_ref = &pool;
        let reader =
            scope.spawn(move || read_inputs(&assigned, loaders, tx, failures_ref, pool_ref));
        let mut batch: Vec<Document> = Vec::with_capacity(batch_size);
        let mut pending: Vec<ProcessedGroup> = Vec::new();
        let mut sink = SpillSink {
            spill: &mut spill,
            buffers: &buffers,
            path: &spill_path,
            corpus,
            counters: corpus_counters,
            failures: &failures,
            direct,
            committed: 0,
        };
        let mut step = |docs: Vec<Document>,
                        pending: &mut Vec<ProcessedGroup>,
                        sink: &mut SpillSink<'_>|
         -> Result<(), RunError> {
            let to_commit = std::mem::take(pending);
            let (processed, committed) = pool.install(|| {
                rayon::join(
                    || process_documents(docs, documents, &failures, encode_with.as_ref()),
                    || sink.commit(to_commit),
                )
            });
            committed?;
            *pending = processed;
            for group in pending.iter_mut() {
                for doc in &group.docs {
                    bytes.fetch_add(doc.raw.len() as u64, Ordering::Relaxed);
                }
                group.make_ids_unique(&mut ids)?;
            }
            if let Some(p) = &progress {
                p.set_position(sink.committed);
                let secs = started.elapsed().as_secs_f64().max(1e-9);
                p.set_message(format!(
                    "{:.1} MB/s",
                    bytes.load(Ordering::Relaxed) as f64 / 1e6 / secs
                ));
            }
            Ok(())
        };
        let mut result = Ok(());
        for msg in rx.iter() {
            match msg {
                Loaded::Doc(doc) => {
                    loaded += 1;
                    batch.push(*doc);
                    if batch.len() >= batch_size
                        && let Err(e) = step(std::mem::take(&mut batch), &mut pending, &mut sink)
                    {
                        result = Err(e);
                        break;
                    }
                }
                Loaded::Failure(line) => {
                    failures.push(line);
                }
            }
            if failures.stopped() {
                break;
            }
        }
        drop(rx);
        if result.is_ok() && !failures.stopped() {
            result = step(std::mem::take(&mut batch), &mut pending, &mut sink)
                .and_then(|()| sink.commit(std::mem::take(&mut pending)));
        }
        let _ = reader.join();
        result
    });
    pass1?;
    if failures.stopped() {
        let first = failures.take().into_iter().next().unwrap_or_default();
        return Err(RunError::FailFast(first));
    }

    // Corpus stages decide.
    clock.lap(if one_pass {
        "pass 1: load, document stages, reports"
    } else {
        "pass 1: load, document stages, spill"
    });
    if one_pass {
        tracing::info!(
            "pass 1 done in {:.2} s: {written_in_pass1} documents reported",
            started.elapsed().as_secs_f64(),
        );
    } else {
        tracing::info!(
            "pass 1 done in {:.2} s: {} documents spilled ({:.1} MB)",
            started.elapsed().as_secs_f64(),
            spill.len(),
            spill.bytes() as f64 / 1e6
        );
    }
    let spill = spill.finish().map_err(|source| RunError::Output {
        path: spill_path.clone(),
        source,
    })?;
    let mut corpus_output = CorpusOutput::default();
    let corpus_started = Instant::now();
    for ((name, stage), counters) in built.corpus.iter_mut().zip(&built.corpus_counters) {
        let out = counters.timed(name, || pool.install(|| stage.finish(&spill)))?;
        corpus_output.tables.extend(out.tables);
        corpus_output.summary.extend(out.summary);
    }

    if !built.corpus.is_empty() {
        clock.lap("corpus stages decide");
        tracing::info!(
            "corpus stages finished in {:.2} s",
            corpus_started.elapsed().as_secs_f64()
        );
    }

    // Pass 2: corpus annotations → reports, in input order.
    // Batch k+1 is read back, annotated and rendered by the pool's threads
    // while a writer thread of its own hands batch k to the reports, in
    // order. The writer is outside the pool: writing past the page cache
    // blocks on the disk, and a pool thread waiting there would leave a core
    // idle.
    let total = spill.len();
    let reports = &mut built.reports;
    let (corpus, corpus_counters) = (&built.corpus, &built.corpus_counters);
    let written = written_in_pass1
        + std::thread::scope(|scope| -> Result<u64, RunError> {
            // Up to three rendered batches wait for the writer (a few MB of
            // lines): a write that stalls on the disk for a moment then
            // leaves the pool rendering instead of waiting on `send`.
            let (batches, to_write) =
                std::sync::mpsc::sync_channel::<Vec<Option<ReadyDocument>>>(3);
            let writer = scope.spawn(move || -> Result<u64, RunError> {
                let mut written = 0;
                for batch in to_write {
                    written += write_reports(reports, batch)?;
                }
                Ok(written)
            });
            // Decodes, annotates and renders the documents `ordinals` of a
            // batch read back, in parallel, in groups.
            let annotate_and_render = |batch: &Result<SpillBatch<'_>, StageError>,
                                       ordinals: std::ops::Range<usize>|
             -> Vec<Option<ReadyDocument>> {
                ordinals
                    .into_par_iter()
                    .chunks(STAGE_GROUP)
                    .map(|ordinals| {
                        let mut docs: Vec<(usize, Option<Document>)> = ordinals
                            .into_iter()
                            .map(|ordinal| {
                                let read = batch
                                    .as_ref()
                                    .map_err(Clone::clone)
                                    .and_then(|b| b.read(ordinal));
                                let doc = read
                                    .map_err(|e| failures.push(format!("spill: {}", e.message)))
                                    .ok();
                                (ordinal, doc)
                            })
                            .collect();
                        annotate(&mut docs, corpus, corpus_counters, &failures);
                        render_with.render(docs.into_iter().map(|(_, doc)| doc).collect(), true)
                    })
                    .collect::<Vec<_>>()
                    .into_iter()
                    .flatten()
                    .collect()
            };
            // Batch k+1 is read from the spill while batch k is decoded,
            // annotated and rendered (the read is a copy from the page cache
            // or the disk that would otherwise leave the other core idle).
            let mut start = 0;
            let mut next = (total > 0).then(|| spill.read_batch(0..batch_size.min(total)));
            while start < total {
                let end = (start + batch_size).min(total);
                let following = end..(end + batch_size).min(total);
                let batch = match next.take() {
                    Some(batch) => batch,
                    None => spill.read_batch(start..end),
                };
                let (annotated, read_ahead) = pool.install(|| {
                    rayon::join(
                        || annotate_and_render(&batch, start..end),
                        || (!following.is_empty()).then(|| spill.read_batch(following)),
                    )
                });
                next = read_ahead;
                drop(batch);
                if batches.send(annotated).is_err() {
                    // The writer stopped on an error; joining it returns it.
                    break;
                }
                start = end;
            }
            drop(batches);
            writer
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })?;
    for ((_, _, counters), nanos) in built.reports.iter().zip(&render_nanos) {
        counters
            .nanos
            .fetch_add(nanos.load(Ordering::Relaxed), Ordering::Relaxed);
    }
    if !one_pass {
        clock.lap("pass 2: corpus annotations, reports");
    }
    tracing::info!(
        "pass 2 done at {:.2} s: {written} documents reported",
        started.elapsed().as_secs_f64()
    );
    if failures.stopped() {
        let first = failures.take().into_iter().next().unwrap_or_default();
        return Err(RunError::FailFast(first));
    }
    if let Some(p) = &progress {
        p.finish_and_clear();
    }

    // Summary, then the reports' corpus-level output.
    summary.documents_in = loaded;
    summary.documents_out = written;
    summary.bytes = bytes.load(Ordering::Relaxed);
    summary.stages = stats(&built);
    summary.failed += summary.stages.iter().map(|s| s.failed).sum::<u64>();
    summary.failures = failures.take();
    summary.elapsed = started.elapsed();
    let store = AnnotatedStore {
        spill: &spill,
        corpus: &built.corpus,
    };
    let stats_snapshot = summary.stages.clone();
    for (name, report, counters) in &mut built.reports {
        let files = counters.timed(name, || {
            report.finish(&CorpusSummary {
                corpus: &corpus_output,
                stats: &stats_snapshot,
                failures: &summary.failures,
                store: &store,
            })
        })?;
        summary.outputs.extend(files);
    }
    summary.stages = stats(&built);
    SpillReader::remove(spill);
    clock.lap("reports finish");
    summary.phases = clock.phases().to_vec();
    if options.shard.is_some() {
        std::fs::write(&done_marker, b"").map_err(|source| RunError::Output {
            path: done_marker.clone(),
            source,
        })?;
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn stats(built: &Built) -> Vec<StageStats> {
    let mut out = Vec::new();
    for (name, loader, c) in &built.loaders {
        let mut s = c.stats(name);
        s.skipped = loader.skipped();
        out.push(s);
    }
    // Documents that reached the document stages, for the left-out ones.
    let entered = built
        .loaders
        .iter()
        .map(|(_, _, c)| c.docs_out.load(Ordering::Relaxed))
        .sum::<u64>();
    let mut running = built.documents.iter();
    let total = built.documents.len() + built.left_out.len();
    for position in 0..total {
        match built.left_out.iter().find(|l| l.position == position) {
            Some(l) => out.push(StageStats {
                stage: l.name.clone(),
                skipped: [(l.reason.clone(), entered)].into_iter().collect(),
                ..StageStats::default()
            }),
            None => {
                if let Some((name, _, c)) = running.next() {
                    out.push(c.stats(name));
                }
            }
        }
    }
    for ((name, _), c) in built.corpus.iter().zip(&built.corpus_counters) {
        let mut s = c.stats(name);
        s.docs_out = s.docs_in.saturating_sub(s.failed);
        out.push(s);
    }
    for (name, _, c) in &built.reports {
        out.push(c.stats(name));
    }
    out
}

fn progress_bar(wanted: bool) -> Option<ProgressBar> {
    if !wanted || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} {pos} documents ({per_sec}) {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}

/// Files up to this size are loaded whole, several at once (a directory of
/// web pages is mostly extraction work); larger files stream one at a time.
const SMALL_FILE_BYTES: u64 = 4 << 20;
/// Small files loaded at once, per worker thread.
const SMALL_FILES_PER_THREAD: usize = 8;

/// The reader thread: every assigned file through its loader, in order.
/// Runs of small files are loaded in parallel on the pool, a window at a
/// time, and sent in file order; large files stream.
fn read_inputs(
    files: &[(PathBuf, usize)],
    loaders: &[(String, Box<dyn LoadStage>, Counters)],
    tx: SyncSender<Loaded>,
    failures: &Failures,
    pool: &rayon::ThreadPool,
) {
    let window = pool.current_num_threads().max(1) * SMALL_FILES_PER_THREAD;
    let is_small =
        |path: &PathBuf| std::fs::metadata(path).is_ok_and(|m| m.len() <= SMALL_FILE_BYTES);
    let mut next = 0;
    while next < files.len() {
        let small = files[next..]
            .iter()
            .take(window)
            .take_while(|(path, _)| is_small(path))
            .count();
        if small > 1 {
            let loaded: Vec<Vec<Loaded>> = pool.install(|| {
                files[next..next + small]
                    .par_iter()
                    .map(|(path, i)| load_file(path, &loaders[*i]).collect())
                    .collect()
            });
            for msg in loaded.into_iter().flatten() {
                if tx.send(msg).is_err() || failures.stopped() {
                    return;
                }
            }
            next += small;
        } else {
            let (path, i) = &files[next];
            for msg in load_file(path, &loaders[*i]) {
                if tx.send(msg).is_err() || failures.stopped() {
                    return;
                }
            }
            next += 1;
        }
    }
}

/// One file through its loader, lazily, counting as it goes.
fn load_file<'a>(
    path: &'a std::path::Path,
    (name, loader, counters): &'a (String, Box<dyn LoadStage>, Counters),
) -> impl Iterator<Item = Loaded> + 'a {
    counters.docs_in.fetch_add(1, Ordering::Relaxed);
    let opened = Instant::now();
    let mut items = loader.open(path);
    counters
        .nanos
        .fetch_add(opened.elapsed().as_nanos() as u64, Ordering::Relaxed);
    std::iter::from_fn(move || {
        let started = Instant::now();
        let item = items.next();
        counters
            .nanos
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        Some(match item? {
            Ok(doc) => {
                counters.docs_out.fetch_add(1, Ordering::Relaxed);
                Loaded::Doc(Box::new(doc))
            }
            Err(e) => {
                counters.failed.fetch_add(1, Ordering::Relaxed);
                Loaded::Failure(format!("{e}: {name}"))
            }
        })
    })
}

/// Documents that go through the stages together, stage by stage: one
/// clock reading and one update of the shared counters per stage for the
/// group instead of per document, and each stage's code and tables stay warm
/// in the cache while it works through the group.
const STAGE_GROUP: usize = 16;

/// Runs every document stage over a group of documents, stage by stage. A
/// document that fails a stage (or makes it panic) is reported and dropped:
/// the stages after it do not see it.
fn run_document_stages(
    docs: &mut [Option<Document>],
    stages: &[(String, Box<dyn DocumentStage>, Counters)],
    failures: &Failures,
) {
    for (name, stage, counters) in stages {
        let t = Instant::now();
        let (mut ok, mut failed) = (0u64, 0u64);
        for slot in docs.iter_mut() {
            let Some(doc) = slot else { continue };
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| stage.process(doc)));
            let why = match result {
                Ok(Ok(())) => {
                    ok += 1;
                    continue;
                }
                Ok(Err(e)) => e.message,
                Err(_) => "the stage panicked (a bug: please report it)".to_string(),
            };
            failed += 1;
            failures.push(format!(
                "{}: {name}: {why} (document {})",
                doc.source.locator(),
                doc.id
            ));
            *slot = None;
        }
        counters.record_group(ok, failed, t.elapsed());
    }
}

/// What encodes groups of documents for the spill: the layers (and raw
/// text) left out, the buffers to encode into, and the layers the corpus
/// stages read.
struct Encoder<'a> {
    omitted: &'a Omitted,
    buffers: &'a BufferPool,
    /// The layers some corpus stage needs ([`Built::corpus_layers`]); the
    /// others are dropped once encoded.
    corpus_layers: &'a [String],
}

impl Encoder<'_> {
    /// The spill records of `docs`, in a buffer from the pool; then every
    /// layer no corpus stage needs is dropped from the documents (freed
    /// while still in the cache: once spilled, only the corpus stages'
    /// `observe` sees them in this pass).
    fn encode(&self, docs: &mut [Document]) -> SpillGroup {
        let mut records = self.buffers.take();
        records.encode_into(docs.iter(), self.omitted);
        for doc in docs {
            doc.tags
                .retain(|layer, _| self.corpus_layers.iter().any(|l| l == layer));
        }
        records
    }
}

/// A group of documents that went through the document stages (the failed
/// ones dropped), with their spill records when the run spills.
struct ProcessedGroup {
    docs: Vec<Document>,
    /// The records of `docs`, in order (`None` in a one-pass run).
    records: Option<SpillGroup>,
}

impl ProcessedGroup {
    /// Makes each document's id unique within the run ([`unique_id`]),
    /// renaming it in its record too.
    fn make_ids_unique(&mut self, ids: &mut DocumentIds) -> Result<(), RunError> {
        for (at, doc) in self.docs.iter_mut().enumerate() {
            if unique_id(doc, ids)
                && let Some(records) = &mut self.records
            {
                records.rename(at, &doc.id).map_err(|e| RunError::Stage {
                    stage: "spill".to_string(),
                    message: format!("{}: renaming to {}: {e}", doc.source.locator(), doc.id),
                })?;
            }
        }
        Ok(())
    }
}

/// Runs the document stages over a batch in parallel, in groups of
/// [`STAGE_GROUP`]; failed documents are dropped (and reported). With an
/// encoder, each group's survivors are encoded for the spill at once, while
/// their text and annotations are still in the cache.
fn process_documents(
    docs: Vec<Document>,
    stages: &[(String, Box<dyn DocumentStage>, Counters)],
    failures: &Failures,
    encoder: Option<&Encoder<'_>>,
) -> Vec<ProcessedGroup> {
    if docs.is_empty() {
        return Vec::new();
    }
    let mut slots: Vec<Option<Document>> = docs.into_iter().map(Some).collect();
    slots
        .par_chunks_mut(STAGE_GROUP)
        .map(|group| {
            run_document_stages(group, stages, failures);
            let mut docs: Vec<Document> = group.iter_mut().filter_map(Option::take).collect();
            let records = encoder.map(|e| e.encode(&mut docs));
            ProcessedGroup { docs, records }
        })
        .collect()
}

/// Where pass 1 ends: the corpus stages observe each document and absorb the
/// observations in order, and the document is spilled to disk.
struct SpillSink<'a> {
    /// Documents committed so far.
    committed: u64,
    /// Set in a one-pass run: the reports are written here and nothing is
    /// spilled.
    direct: Option<DirectReports<'a>>,
    spill: &'a mut SpillWriter,
    /// Where the groups' buffers go back once written.
    buffers: &'a BufferPool,
    path: &'a PathBuf,
    corpus: &'a mut [(String, Box<dyn CorpusStage>)],
    counters: &'a [Counters],
    failures: &'a Failures,
}

impl SpillSink<'_> {
    /// Observes a batch in parallel, then absorbs it and writes its records
    /// in order.
    fn commit(&mut self, groups: Vec<ProcessedGroup>) -> Result<(), RunError> {
        let count: usize = groups.iter().map(|g| g.docs.len()).sum();
        if count == 0 {
            return Ok(());
        }
        self.committed += count as u64;
        if let Some(direct) = &mut self.direct {
            let render_with = direct.render_with;
            let ready: Vec<Option<ReadyDocument>> = groups
                .into_par_iter()
                .map(|group| render_with.render(group.docs.into_iter().map(Some).collect(), false))
                .collect::<Vec<_>>()
                .into_iter()
                .flatten()
                .collect();
            *direct.written += write_reports(direct.reports, ready)?;
            return Ok(());
        }
        let corpus = &*self.corpus;
        let counters = self.counters;
        type Observed = (Vec<(Source, Vec<Result<Observation, String>>)>, SpillGroup);
        let observed: Vec<Observed> = groups
            .into_par_iter()
            .map(|ProcessedGroup { docs, records }| {
                // Stage by stage over the group, as the document stages run.
                let mut obs: Vec<Vec<Result<Observation, String>>> = docs
                    .iter()
                    .map(|_| Vec::with_capacity(corpus.len()))
                    .collect();
                for ((_, stage), c) in corpus.iter().zip(counters) {
                    let t = Instant::now();
                    for (doc, obs) in docs.iter().zip(&mut obs) {
                        obs.push(stage.observe(doc).map_err(|e| e.message));
                    }
                    c.nanos
                        .fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
                }
                // A document's source names it in a failure; the rest of it is
                // freed here, on the pool's thread.
                let observed = docs
                    .into_iter()
                    .zip(obs)
                    .map(|(doc, obs)| (doc.source, obs))
                    .collect();
                (observed, records.unwrap_or_default())
            })
            .collect();
        let mut written = Vec::with_capacity(observed.len());
        // The ordinal of each group's first document: the records are
        // written after the loop.
        let mut next = self.spill.len();
        for (observed, records) in observed {
            debug_assert_eq!(observed.len(), records.len());
            let first = next;
            next += observed.len();
            for (at, (source, obs)) in observed.into_iter().enumerate() {
                let ordinal = first + at;
                for (((name, stage), c), o) in self.corpus.iter_mut().zip(counters).zip(obs) {
                    let t = Instant::now();
                    let r = o.and_then(|o| stage.absorb(ordinal, o).map_err(|e| e.message));
                    c.nanos
                        .fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
                    c.docs_in.fetch_add(1, Ordering::Relaxed);
                    if let Err(m) = r {
                        // The document still flows on; the corpus stage just does not know it.
                        c.failed.fetch_add(1, Ordering::Relaxed);
                        self.failures
                            .push(format!("{}: {name}: {m}", source.locator()));
                    }
                }
            }
            written.push(records);
        }
        // All the batch's records in one (vectored) write, from the groups'
        // own buffers.
        self.spill
            .push_groups(&written)
            .map_err(|source| RunError::Output {
                path: self.path.clone(),
                source,
            })?;
        for records in written {
            self.buffers.give(records);
        }
        Ok(())
    }
}

/// The reports of a one-pass run, written from pass 1.
struct DirectReports<'a> {
    reports: &'a mut [(String, Box<dyn ReportStage>, Counters)],
    render_with: &'a Renderers<'a>,
    written: &'a mut u64,
}

/// A document read back and annotated, with what each report's renderer
/// made of it (`None` for a report without a renderer).
struct ReadyDocument {
    doc: Document,
    rendered: Vec<Option<Result<Rendered, String>>>,
}

/// Every report's renderer (`None` for a report without one), the time
/// each took, and whether documents are kept once rendered.
struct Renderers<'a> {
    renderers: &'a [Option<Arc<dyn DocumentRenderer>>],
    nanos: &'a [AtomicU64],
    keep_documents: bool,
}

impl Renderers<'_> {
    /// Renders a group of documents (report by report) for every report that
    /// has a renderer; unless the reports still read them, all of each
    /// document but its id and source is freed here, on the rendering
    /// thread (the buffers of documents `read_back` from the spill are kept
    /// there for the next ones it decodes: [`spill_codec::recycle`]). A
    /// `None` (a document that failed) stays `None`.
    fn render(&self, docs: Vec<Option<Document>>, read_back: bool) -> Vec<Option<ReadyDocument>> {
        let mut rendered: Vec<Vec<Option<Result<Rendered, String>>>> = docs
            .iter()
            .map(|_| Vec::with_capacity(self.renderers.len()))
            .collect();
        for (renderer, nanos) in self.renderers.iter().zip(self.nanos) {
            let Some(renderer) = renderer else {
                rendered.iter_mut().for_each(|r| r.push(None));
                continue;
            };
            let t = Instant::now();
            for (doc, r) in docs.iter().zip(&mut rendered) {
                if let Some(doc) = doc {
                    r.push(Some(renderer.render(doc).map_err(|e| e.message)));
                }
            }
            nanos.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
        }
        docs.into_iter()
            .zip(rendered)
            .map(|(doc, rendered)| {
                let doc = doc?;
                if self.keep_documents {
                    return Some(ReadyDocument { doc, rendered });
                }
                let Document {
                    id,
                    source,
                    text,
                    tags,
                    meta,
                    ext,
                    ..
                } = doc;
                if read_back {
                    spill_codec::recycle(text, tags, meta, ext);
                }
                let doc = Document {
                    id,
                    source,
                    ..Document::default()
                };
                Some(ReadyDocument { doc, rendered })
            })
            .collect()
    }
}

/// Gives each document of a batch, in order, to every report; returns how
/// many documents were written.
fn write_reports(
    reports: &mut [(String, Box<dyn ReportStage>, Counters)],
    docs: Vec<Option<ReadyDocument>>,
) -> Result<u64, RunError> {
    let mut written = 0;
    for ready in docs.into_iter().flatten() {
        let ReadyDocument { doc, rendered } = ready;
        for ((name, report, counters), rendered) in reports.iter_mut().zip(rendered) {
            let t = Instant::now();
            let r = match rendered {
                None => report.write(&doc),
                Some(Ok(rendered)) => report.write_rendered(&doc, rendered),
                Some(Err(message)) => Err(StageError::new(message)),
            };
            counters.record(r.is_ok(), t.elapsed());
            if let Err(e) = r {
                return Err(RunError::Stage {
                    stage: name.clone(),
                    message: format!("{}: {}", doc.id, e.message),
                });
            }
        }
        written += 1;
    }
    Ok(written)
}

/// Lets every corpus stage annotate a group of documents read back, stage by
/// stage; a document a stage fails on is reported and dropped.
fn annotate(
    docs: &mut [(usize, Option<Document>)],
    corpus: &[(String, Box<dyn CorpusStage>)],
    counters: &[Counters],
    failures: &Failures,
) {
    for ((name, stage), c) in corpus.iter().zip(counters) {
        let t = Instant::now();
        let mut failed = 0;
        for (ordinal, slot) in docs.iter_mut() {
            let Some(doc) = slot else { continue };
            if let Err(e) = stage.annotate(*ordinal, doc) {
                failures.push(format!(
                    "{}: {name}: {} (document {})",
                    doc.source.locator(),
                    e.message,
                    doc.id
                ));
                failed += 1;
                *slot = None;
            }
        }
        c.nanos
            .fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
        if failed > 0 {
            c.failed.fetch_add(failed, Ordering::Relaxed);
        }
    }
}

/// The ids given so far in a run. One lookup per document, on the thread
/// that orders the batches: a fast hash (ids are not chosen by an attacker
/// of this process; the worst case is a slower run), not SipHash.
type DocumentIds = HashSet<String, rustc_hash::FxBuildHasher>;

/// Makes a document's id unique within the run (`id`, `id~2`, `id~3`, ...);
/// tells whether it renamed the document.
fn unique_id(doc: &mut Document, ids: &mut DocumentIds) -> bool {
    if ids.insert(doc.id.clone()) {
        return false;
    }
    let base = doc.id.clone();
    let mut n = 2;
    loop {
        let candidate = format!("{base}~{n}");
        if ids.insert(candidate.clone()) {
            tracing::warn!(
                "{}: duplicate id `{base}` renamed `{candidate}`",
                doc.source.locator()
            );
            doc.id = candidate;
            return true;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spill::spill_line;
    use copydesk_core::{Annotation, CorpusSummary};
    use std::path::Path;

    /// A report that reads every layer but `unread`, and the loaded text
    /// when its flag is set.
    struct Skipping(Vec<String>, bool);

    impl ReportStage for Skipping {
        fn begin(&mut self, _: &Path) -> Result<(), StageError> {
            Ok(())
        }
        fn write(&mut self, _: &Document) -> Result<(), StageError> {
            Ok(())
        }
        fn finish(&mut self, _: &CorpusSummary<'_>) -> Result<Vec<PathBuf>, StageError> {
            Ok(Vec::new())
        }
        fn unread_layers(&self) -> Vec<String> {
            self.0.clone()
        }
        fn reads_raw(&self) -> bool {
            self.1
        }
    }

    fn built(reports: &[&[&str]], corpus_needs: &[&'static str]) -> Built {
        Built {
            loaders: Vec::new(),
            documents: Vec::new(),
            left_out: Vec::new(),
            corpus: Vec::new(),
            corpus_counters: Vec::new(),
            corpus_needs: corpus_needs.to_vec(),
            reports: reports
                .iter()
                .map(|unread| {
                    let unread = unread.iter().map(|l| l.to_string()).collect();
                    (
                        "report".to_string(),
                        Box::new(Skipping(unread, false)) as Box<dyn ReportStage>,
                        Counters::default(),
                    )
                })
                .collect(),
        }
    }

    /// A document stage that does nothing.
    struct Idle;

    impl DocumentStage for Idle {
        fn process(&self, _: &mut Document) -> Result<(), StageError> {
            Ok(())
        }
    }

    /// `built` with document stages named `d0`, `d1`, ... declaring
    /// `(needs, provides)`; returns the names of the stages left out.
    fn left_out_of(
        reports: &[&[&str]],
        corpus_needs: &[&'static str],
        report_needs: &[&'static str],
        stages: &[(&'static [Capability], &'static [Capability])],
    ) -> Vec<String> {
        let mut b = built(reports, corpus_needs);
        let declared: Vec<Declared> = stages
            .iter()
            .enumerate()
            .map(|(i, &(needs, provides))| {
                b.documents.push((
                    format!("d{i}"),
                    Box::new(Idle) as Box<dyn DocumentStage>,
                    Counters::default(),
                ));
                Declared { needs, provides }
            })
            .collect();
        b.leave_out_unread_stages(&declared, report_needs);
        let running: Vec<&str> = b.documents.iter().map(|(n, _, _)| n.as_str()).collect();
        let left: Vec<String> = b.left_out.iter().map(|l| l.name.clone()).collect();
        // Every stage is either running or left out, in pipeline order.
        assert_eq!(running.len() + left.len(), stages.len());
        for l in &b.left_out {
            assert_eq!(l.name, format!("d{}", l.position));
            assert!(!running.contains(&l.name.as_str()));
        }
        left
    }

    #[test]
    fn a_stage_whose_only_output_no_report_reads_is_left_out() {
        let stages: &[(&[Capability], &[Capability])] = &[
            (&[], &["text.normalized"]),
            (&[], &["layer.tokens"]),
            (&[], &["layer.sentences"]),
        ];
        assert_eq!(left_out_of(&[&["tokens"]], &[], &[], stages), ["d1"]);
        // Another report reads the layer: the stage runs.
        assert!(left_out_of(&[&["tokens"], &[]], &[], &[], stages).is_empty());
        // No report at all: nothing is left out.
        assert!(left_out_of(&[], &[], &[], stages).is_empty());
        // A corpus stage or a report that needs the layer keeps the stage.
        assert!(left_out_of(&[&["tokens"]], &["layer.tokens"], &[], stages).is_empty());
        assert!(left_out_of(&[&["tokens"]], &[], &["layer.tokens"], stages).is_empty());
    }

    #[test]
    fn a_stage_a_later_running_stage_needs_is_kept_and_a_feeder_of_left_out_stages_is_not() {
        // d1 feeds d2, which adds an unread layer: both are left out.
        let chain: &[(&[Capability], &[Capability])] = &[
            (&[], &["layer.sentences"]),
            (&[], &["layer.tokens"]),
            (&["layer.tokens"], &["layer.entities"]),
        ];
        assert_eq!(
            left_out_of(&[&["tokens", "entities"]], &[], &[], chain),
            ["d1", "d2"]
        );
        // d2's layer is read: d2 runs, so d1, which it needs, runs too.
        assert!(left_out_of(&[&["tokens"]], &[], &[], chain).is_empty());
    }

    #[test]
    fn a_stage_with_any_output_besides_unread_layers_always_runs() {
        let stages: &[(&[Capability], &[Capability])] = &[
            (&[], &["layer.tokens", "meta.layout"]),
            (&[], &["spin"]),
            (&[], &[]),
        ];
        assert!(left_out_of(&[&["tokens", "spin"]], &[], &[], stages).is_empty());
    }

    #[test]
    fn a_layer_is_dropped_only_when_no_report_reads_it_and_no_corpus_stage_needs_it() {
        let b = built(
            &[&["tokens", "quotes"], &["quotes", "tokens", "dates"]],
            &[],
        );
        assert_eq!(b.unread_layers(), ["quotes", "tokens"]);
        let b = built(&[&["tokens", "quotes"], &["dates"]], &[]);
        assert!(
            b.unread_layers().is_empty(),
            "the second report reads tokens"
        );
        let b = built(&[&["tokens", "quotes"]], &["text.raw", "layer.quotes"]);
        assert_eq!(b.unread_layers(), ["tokens"]);
        let b = built(&[], &[]);
        assert!(
            b.unread_layers().is_empty(),
            "no report: nothing is dropped"
        );
    }

    #[test]
    fn the_loaded_text_is_left_out_only_when_no_report_reads_it() {
        let mut b = built(&[&[], &["tokens"]], &[]);
        assert!(b.omitted().raw, "neither report reads the loaded text");
        b.reports.push((
            "raw reader".to_string(),
            Box::new(Skipping(Vec::new(), true)),
            Counters::default(),
        ));
        assert!(!b.omitted().raw, "the third report reads the loaded text");
    }

    /// A renderer that renders nothing.
    struct Nothing;

    impl DocumentRenderer for Nothing {
        fn render(&self, _: &Document) -> Result<Rendered, StageError> {
            Ok(Box::new(()))
        }
    }

    /// A report with a renderer whose `write_rendered` reads the document
    /// when its flag is set.
    struct Rendering(bool);

    impl ReportStage for Rendering {
        fn begin(&mut self, _: &Path) -> Result<(), StageError> {
            Ok(())
        }
        fn write(&mut self, _: &Document) -> Result<(), StageError> {
            Ok(())
        }
        fn finish(&mut self, _: &CorpusSummary<'_>) -> Result<Vec<PathBuf>, StageError> {
            Ok(Vec::new())
        }
        fn renderer(&self) -> Option<Arc<dyn DocumentRenderer>> {
            Some(Arc::new(Nothing))
        }
        fn reads_rendered_document(&self) -> bool {
            self.0
        }
    }

    fn renderers_of(b: &Built) -> Vec<Option<Arc<dyn DocumentRenderer>>> {
        b.reports.iter().map(|(_, r, _)| r.renderer()).collect()
    }

    #[test]
    fn documents_are_freed_after_rendering_only_when_no_report_reads_them_again() {
        let mut b = built(&[], &[]);
        let report = |r: Box<dyn ReportStage>| ("report".to_string(), r, Counters::default());
        b.reports.push(report(Box::new(Rendering(false))));
        assert!(!b.keeps_rendered_documents(&renderers_of(&b)));
        b.reports.push(report(Box::new(Rendering(true))));
        assert!(
            b.keeps_rendered_documents(&renderers_of(&b)),
            "the second report reads the document in write_rendered"
        );
        let mut b = built(&[&[]], &[]);
        b.reports.push(report(Box::new(Rendering(false))));
        assert!(
            b.keeps_rendered_documents(&renderers_of(&b)),
            "the first report has no renderer: it writes from the document"
        );
    }

    #[test]
    fn a_freed_document_keeps_its_id_and_source_and_the_rendering() {
        let renderers: Vec<Option<Arc<dyn DocumentRenderer>>> = vec![Some(Arc::new(Nothing))];
        let nanos = [AtomicU64::new(0)];
        let source = copydesk_core::Source {
            path: "a.jsonl".into(),
            record: Some(3),
            line: Some(3),
        };
        let mut doc = Document::new("d1", source, "Some text.");
        doc.meta.headline = Some("Headline".into());
        for keep_documents in [true, false] {
            let ready = Renderers {
                renderers: &renderers,
                nanos: &nanos,
                keep_documents,
            }
            .render(vec![None, Some(doc.clone())], keep_documents);
            assert!(ready[0].is_none(), "a failed document stays failed");
            let ready = ready[1].as_ref().unwrap();
            assert_eq!(ready.doc.id, "d1");
            assert_eq!(ready.doc.source, doc.source);
            assert_eq!(ready.doc.text.is_empty(), !keep_documents);
            assert_eq!(ready.doc.meta.headline.is_none(), !keep_documents);
            assert!(matches!(ready.rendered.as_slice(), [Some(Ok(_))]));
        }
    }

    /// A corpus stage that does nothing and says whether it reads the
    /// loaded text.
    struct Observer(bool);

    impl CorpusStage for Observer {
        fn observe(&self, _: &Document) -> Result<Observation, StageError> {
            Ok(Box::new(()))
        }
        fn absorb(&mut self, _: usize, _: Observation) -> Result<(), StageError> {
            Ok(())
        }
        fn finish(&mut self, _: &dyn DocumentStore) -> Result<CorpusOutput, StageError> {
            Ok(CorpusOutput::default())
        }
        fn annotate(&self, _: usize, _: &mut Document) -> Result<(), StageError> {
            Ok(())
        }
        fn reads_raw(&self) -> bool {
            self.0
        }
    }

    #[test]
    fn the_loaded_text_is_kept_for_a_corpus_stage_that_reads_it() {
        let mut b = built(&[&[]], &[]);
        b.corpus
            .push(("quiet".to_string(), Box::new(Observer(false))));
        assert!(b.omitted().raw, "no stage reads the loaded text");
        b.corpus
            .push(("reader".to_string(), Box::new(Observer(true))));
        assert!(!b.omitted().raw, "the second corpus stage reads it");
    }

    /// Fails documents whose text contains "bad" and panics on "boom";
    /// counts the documents it passes.
    struct Picky;

    impl DocumentStage for Picky {
        fn process(&self, doc: &mut Document) -> Result<(), StageError> {
            if doc.text.contains("boom") {
                panic!("boom");
            }
            if doc.text.contains("bad") {
                return Err(StageError::new("bad text"));
            }
            Ok(())
        }
    }

    /// Marks every document it sees.
    struct Marker;

    impl DocumentStage for Marker {
        fn process(&self, doc: &mut Document) -> Result<(), StageError> {
            doc.meta.debris.push("seen".to_string());
            Ok(())
        }
    }

    proptest::proptest! {
        #[test]
        fn a_document_failing_a_stage_is_reported_and_the_later_stages_skip_it(
            kinds in proptest::collection::vec(0u8..3, 0..70),
        ) {
            let stages: Vec<(String, Box<dyn DocumentStage>, Counters)> = vec![
                ("picky".into(), Box::new(Picky), Counters::default()),
                ("marker".into(), Box::new(Marker), Counters::default()),
            ];
            let failures = Failures {
                lines: Mutex::new(Vec::new()),
                fail_fast: false,
                stop: AtomicBool::new(false),
            };
            let docs: Vec<Document> = kinds
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    let text = ["fine", "bad", "boom"][*k as usize];
                    Document::new(format!("d{i}"), Source::default(), text)
                })
                .collect();
            let omitted = Omitted::default();
            let buffers = BufferPool::default();
            let corpus_layers = ["kept".to_string()];
            let encoder = Encoder { omitted: &omitted, buffers: &buffers, corpus_layers: &corpus_layers };
            let docs: Vec<Document> = docs
                .into_iter()
                .map(|mut d| {
                    d.annotate("kept", vec![Annotation::new(0, 1, "k")]).unwrap();
                    d.annotate("dropped", vec![Annotation::new(0, 2, "d")]).unwrap();
                    d
                })
                .collect();
            // The same stages once more, on counters and failures of their own.
            let unencoded: Vec<(String, Box<dyn DocumentStage>, Counters)> = vec![
                ("picky".into(), Box::new(Picky), Counters::default()),
                ("marker".into(), Box::new(Marker), Counters::default()),
            ];
            let unencoded_failures = Failures {
                lines: Mutex::new(Vec::new()),
                fail_fast: false,
                stop: AtomicBool::new(false),
            };
            let kept = process_documents(docs.clone(), &unencoded, &unencoded_failures, None);
            let groups = process_documents(docs, &stages, &failures, Some(&encoder));
            let records: Vec<Vec<u8>> = groups
                .iter()
                .flat_map(|g| g.records.as_ref().unwrap().records().map(<[u8]>::to_vec))
                .collect();
            let kept: Vec<Document> = kept.into_iter().flat_map(|g| g.docs).collect();
            proptest::prop_assert_eq!(records.len(), kept.len());
            for (record, doc) in records.iter().zip(&kept) {
                proptest::prop_assert_eq!(record, &spill_line(doc, &omitted));
            }
            for doc in groups.iter().flat_map(|g| &g.docs) {
                proptest::prop_assert_eq!(doc.tags.keys().collect::<Vec<_>>(), ["kept"]);
            }
            let expected: Vec<String> = kinds
                .iter()
                .enumerate()
                .filter(|(_, k)| **k == 0)
                .map(|(i, _)| format!("d{i}"))
                .collect();
            let ids: Vec<String> = kept.iter().map(|d| d.id.clone()).collect();
            proptest::prop_assert_eq!(ids, expected.clone());
            proptest::prop_assert!(kept.iter().all(|d| d.meta.debris == ["seen"]));
            let count = |c: &AtomicU64| c.load(Ordering::Relaxed);
            let picky = &stages[0].2;
            let marker = &stages[1].2;
            proptest::prop_assert_eq!(count(&picky.docs_in), kinds.len() as u64);
            proptest::prop_assert_eq!(count(&picky.docs_out), expected.len() as u64);
            proptest::prop_assert_eq!(count(&picky.failed), (kinds.len() - expected.len()) as u64);
            proptest::prop_assert_eq!(count(&marker.docs_in), expected.len() as u64);
            proptest::prop_assert_eq!(count(&marker.failed), 0);
            let mut lines = failures.take();
            lines.sort();
            proptest::prop_assert_eq!(lines.len(), kinds.len() - expected.len());
            for (i, k) in kinds.iter().enumerate() {
                let why = match k {
                    1 => "bad text",
                    2 => "the stage panicked",
                    _ => continue,
                };
                let named = lines
                    .iter()
                    .any(|l| l.contains(&format!("(document d{i})")) && l.contains(why) && l.contains("picky"));
                proptest::prop_assert!(named, "no failure line for d{} ({})", i, why);
            }
        }
    }

    #[test]
    fn a_renamed_document_is_spilled_under_its_new_id() {
        let omitted = Omitted::default();
        let buffers = BufferPool::default();
        let encoder = Encoder {
            omitted: &omitted,
            buffers: &buffers,
            corpus_layers: &[],
        };
        let doc = |id: &str, text: &str| {
            let mut d = Document::new(id, Source::default(), text);
            d.annotate("words", vec![Annotation::new(0, 1, "w")])
                .unwrap();
            d
        };
        let originals = [
            vec![doc("a", "one"), doc("b", "two"), doc("a", "three")],
            vec![doc("c", "four"), doc("a~2", "five")],
            vec![doc("d", "six")],
        ];
        let mut ids = DocumentIds::default();
        let mut groups: Vec<ProcessedGroup> = originals
            .iter()
            .cloned()
            .map(|mut docs| ProcessedGroup {
                records: Some(encoder.encode(&mut docs)),
                docs,
            })
            .collect();
        for group in &mut groups {
            group.make_ids_unique(&mut ids).unwrap();
        }
        let got: Vec<Vec<&str>> = groups
            .iter()
            .map(|g| g.docs.iter().map(|d| d.id.as_str()).collect())
            .collect();
        assert_eq!(got, [vec!["a", "b", "a~2"], vec!["c", "a~2~2"], vec!["d"]]);
        for (group, originals) in groups.iter().zip(&originals) {
            let records: Vec<&[u8]> = group.records.as_ref().unwrap().records().collect();
            assert_eq!(records.len(), group.docs.len());
            for ((record, doc), original) in records.iter().zip(&group.docs).zip(originals) {
                assert!(
                    doc.tags.is_empty(),
                    "layers no corpus stage needs are dropped"
                );
                let mut renamed = original.clone();
                renamed.id = doc.id.clone();
                assert_eq!(
                    record.to_vec(),
                    spill_line(&renamed, &omitted),
                    "{}",
                    doc.id
                );
            }
        }
    }
}
