//! The `corpus.provenance.v1` stage: signatures in `observe`, an LSH index
//! in `finish`, alignment of candidate pairs, a source for each copy, and
//! the `provenance` and `spin` fields in `annotate`.

use crate::align::{
    AlignParams, PrepareScratch, Prepared, SentenceMatches, align, align_keeping_matches,
    align_same_text, realign,
};
use crate::chunked::{ChunkedSlices, FixedWidthSlices};
use crate::compare::{DecisionParams, PairVerdict, Side, decide, evidence};
use crate::fingerprint::{estimated_coverage, fingerprints_with};
use crate::frequencies::{DistinctScratch, DocumentFrequencies, distinct_words_into};
use crate::hashing::PreHashedMap;
use crate::partners::{
    SortedRuns, concat_in_parallel, id_ranks, pair_key, pair_of, partner_cutoffs, partner_key,
};
use crate::phases::{Phase, PhaseTimer};
use crate::signature::{
    anchor_shingle_set_into, estimated_containment, minhash, mix, narrow_same_slots, narrow_slot,
    same_slots,
};
use crate::twins;
use copydesk_core::{
    BuiltStage, CorpusOutput, CorpusStage, Document, DocumentStore, Observation, OptionDoc,
    OptionError, RELATIONS_TABLE, RecordTable, Relation, RelationEvidence, RelationKind,
    SpinSubstitution, SpinVerdict, StageConfig, StageError, StageKind, TextSpan, cap,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Candidate sources that leave at most this many more of a copy's words
/// unmatched than the best candidate are near-equal; among them the more
/// original document is preferred.
const UNMATCHED_TOLERANCE_WORDS: usize = 3;

/// For spun copies: candidate sources whose score is within this of the
/// copy's best are near-equal.
const SPUN_PARENT_TIE_MARGIN: f64 = 0.01;

/// Candidate pairs whose estimated anchor-shingle Jaccard reaches this
/// are strong: aligned without the sentence prefilter.
const STRONG_JACCARD: f64 = 0.5;

/// Candidate pairs whose estimated anchor-shingle containment (the share
/// of the smaller document's shingles found in the other) reaches this are
/// strong too.
const STRONG_CONTAINMENT: f64 = 0.9;

/// Weak pairs checked against their fingerprints per weak pair the budget
/// lets through (the most similar first).
const WEAK_CHECKS_PER_ALIGNMENT: usize = 4;

/// The sentence prefilter asks for this share of the coverage thresholds
/// of the decision (its estimate can fall a little below the aligner's).
const PREFILTER_SLACK: f64 = 0.9;

/// LSH bands hashed (in one pass over the sketches) and searched in
/// parallel at a time; their bucket keys are in memory together.
const LSH_BANDS_AT_ONCE: usize = 4;

/// Documents whose LSH bucket keys one task computes.
const BAND_KEY_DOCS: usize = 16_384;

/// Weak candidate pairs the budget always allows, whatever the corpus size.
const MIN_WEAK_BUDGET: usize = 1000;

/// Candidate pairs aligned per batch: the documents they involve are
/// fetched and prepared once per batch.
const ALIGN_BATCH: usize = 4096;

/// How many LSH buckets ahead of the one compared their documents' narrow
/// sketches are fetched.
const PREFETCH_BUCKETS_AHEAD: usize = 4;

/// Relations whose evidence is computed (in parallel) and written at a time.
const EVIDENCE_CHUNK: usize = 2048;
/// Evidence shared by twins is kept for at most this many (copy text,
/// source) keys, the most shared first; the rest is computed per relation.
const MAX_SHARED_EVIDENCE: usize = 4096;

/// Options of `corpus.provenance.v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProvenanceConfig {
    /// Words per shingle of the anchor-word stream (function words, names, numbers).
    pub shingle_words: usize,
    /// MinHash permutations per document.
    pub permutations: usize,
    /// LSH bands (permutations / bands rows each); more bands find weaker pairs.
    pub bands: usize,
    /// Candidate pairs whose estimated anchor-shingle Jaccard is below this are not aligned.
    pub min_estimated_jaccard: f64,
    /// LSH buckets holding more documents than this are skipped (templates).
    pub max_bucket: usize,
    /// In an LSH bucket of more documents than this plus one, each document
    /// is compared with this many others of the bucket (the next ones in an
    /// order drawn for the bucket), not with all: as a corpus grows, its
    /// stories are shared by ever more documents and their buckets grow, so
    /// comparing every pair would cost work quadratic in the corpus. The
    /// default (as large as `max_bucket`) compares every pair; a smaller
    /// window bounds the work per document (80 added one relation to 5,872
    /// at 300 MB of the synthetic corpus; on Reuters 64 lost one of 938, 16 six).
    pub bucket_window: usize,
    /// Minimum word similarity of two sentences to align them (0..1).
    pub min_sentence_similarity: f64,
    /// Share of a document's words in aligned sentences needed to call it a copy (0..1).
    pub min_coverage: f64,
    /// Substituted words per aligned word from which a copy is spun (0..1).
    pub spun_min_rate: f64,
    /// Whether to report `same_story` relations (shared names and numbers, different wording).
    pub same_story: bool,
    /// Each document is aligned with at most this many of its most similar
    /// candidates (pairs in either document's list are aligned).
    pub max_candidates_per_doc: usize,
    /// Skip, without aligning them, candidate pairs whose anchor shingles
    /// overlap weakly and whose sentence fingerprints show too little text
    /// that could align to make a copy (pairs sharing a sentence or two).
    pub sentence_prefilter: bool,
    /// With the prefilter: weak candidate pairs (weak anchor overlap) that
    /// pass it are aligned up to this many per document of the corpus (at
    /// least 1,000 in all; 0 aligns none), best estimated sentence coverage first.
    pub weak_pairs_per_doc: f64,
}

impl Default for ProvenanceConfig {
    fn default() -> Self {
        ProvenanceConfig {
            shingle_words: 3,
            permutations: 128,
            bands: 64,
            min_estimated_jaccard: 0.1,
            max_bucket: 200,
            bucket_window: 200,
            min_sentence_similarity: 0.45,
            min_coverage: 0.5,
            spun_min_rate: 0.05,
            same_story: true,
            max_candidates_per_doc: 8,
            sentence_prefilter: true,
            weak_pairs_per_doc: 0.1,
        }
    }
}

impl StageConfig for ProvenanceConfig {
    const NAME: &'static str = "corpus.provenance.v1";
    const KIND: StageKind = StageKind::Corpus;
    const DESCRIPTION: &'static str = "Finds verbatim, syndicated and spun copies and same-story documents, names each copy's source, aligns them";
    const NEEDS: &'static [copydesk_core::Capability] = &[cap::TEXT_RAW];
    const PROVIDES: &'static [copydesk_core::Capability] = &[cap::RELATIONS, cap::SPIN];
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "shingle_words",
            kind: "integer",
            doc: "Words per shingle of the anchor-word stream (function words, names, numbers)",
        },
        OptionDoc {
            name: "permutations",
            kind: "integer",
            doc: "MinHash permutations per document",
        },
        OptionDoc {
            name: "bands",
            kind: "integer",
            doc: "LSH bands (must divide permutations); more bands find weaker pairs",
        },
        OptionDoc {
            name: "min_estimated_jaccard",
            kind: "float",
            doc: "Candidate pairs whose estimated anchor-shingle Jaccard is below this are not aligned",
        },
        OptionDoc {
            name: "max_bucket",
            kind: "integer",
            doc: "LSH buckets holding more documents than this are skipped (templates)",
        },
        OptionDoc {
            name: "bucket_window",
            kind: "integer",
            doc: "In LSH buckets larger than this plus one, each document is compared with this many others of the bucket, not with all (keeps the work linear in the corpus)",
        },
        OptionDoc {
            name: "min_sentence_similarity",
            kind: "float",
            doc: "Minimum word similarity of two sentences to align them (0..1)",
        },
        OptionDoc {
            name: "min_coverage",
            kind: "float",
            doc: "Share of a document's words in aligned sentences needed to call it a copy (0..1)",
        },
        OptionDoc {
            name: "spun_min_rate",
            kind: "float",
            doc: "Substituted words per aligned word from which a copy is spun (0..1)",
        },
        OptionDoc {
            name: "max_candidates_per_doc",
            kind: "integer",
            doc: "Each document is aligned with at most this many of its most similar candidates",
        },
        OptionDoc {
            name: "sentence_prefilter",
            kind: "boolean",
            doc: "Skip candidate pairs with weak anchor overlap whose sentence fingerprints show too little alignable text for a copy",
        },
        OptionDoc {
            name: "weak_pairs_per_doc",
            kind: "float",
            doc: "With the prefilter: weak candidate pairs that pass it are aligned up to this many per document of the corpus (at least 1,000 in all; 0 aligns none), best estimated sentence coverage first",
        },
        OptionDoc {
            name: "same_story",
            kind: "boolean",
            doc: "Whether to report same_story relations (shared names and numbers, different wording)",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        if self.shingle_words == 0 {
            return Err(OptionError::for_key("shingle_words", "must be at least 1"));
        }
        if self.permutations == 0 || self.permutations > 1024 {
            return Err(OptionError::for_key("permutations", "must be in 1..=1024"));
        }
        if self.bands == 0 || !self.permutations.is_multiple_of(self.bands) {
            return Err(OptionError::for_key("bands", "must divide `permutations`"));
        }
        if self.max_candidates_per_doc == 0 {
            return Err(OptionError::for_key(
                "max_candidates_per_doc",
                "must be at least 1",
            ));
        }
        if !(self.weak_pairs_per_doc >= 0.0 && self.weak_pairs_per_doc.is_finite()) {
            return Err(OptionError::for_key(
                "weak_pairs_per_doc",
                "must be a finite number, at least 0",
            ));
        }
        if self.max_bucket < 2 {
            return Err(OptionError::for_key("max_bucket", "must be at least 2"));
        }
        if self.bucket_window == 0 {
            return Err(OptionError::for_key("bucket_window", "must be at least 1"));
        }
        for (key, v) in [
            ("min_estimated_jaccard", self.min_estimated_jaccard),
            ("min_sentence_similarity", self.min_sentence_similarity),
            ("min_coverage", self.min_coverage),
            ("spun_min_rate", self.spun_min_rate),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(OptionError::for_key(key, "must be within 0..1"));
            }
        }
        Ok(())
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Corpus(Box::new(ProvenanceStage::new(
            self.clone(),
        ))))
    }
}

/// What `observe` keeps of a document.
#[derive(Debug, Clone)]
struct DocSignature {
    id: String,
    date: Option<String>,
    sketch: Vec<u32>,
    words: Vec<u64>,
    shingles: u32,
    fingerprints: Vec<u16>,
    text_hash: u64,
}

/// Buffers `observe` reuses from one document to the next on a thread
/// (a document's tokens and sentences, its distinct words).
#[derive(Debug)]
struct ObserveScratch {
    prepared: Prepared,
    prepare: PrepareScratch,
    words: Vec<u64>,
    /// A document's anchor words and shingles ([`anchor_shingle_set_into`]).
    anchors: Vec<(u64, bool)>,
    shingles: Vec<u64>,
    /// The set [`anchor_shingle_set_into`] makes the shingles distinct with.
    shingle_slots: Vec<u64>,
    /// The set [`distinct_words_into`] fills.
    distinct: DistinctScratch,
    /// A sentence's values ([`fingerprints_with`]).
    values: Vec<u64>,
}

impl Default for ObserveScratch {
    fn default() -> Self {
        ObserveScratch {
            prepared: Prepared {
                tokens: Vec::new(),
                sentences: Vec::new(),
            },
            prepare: PrepareScratch::default(),
            words: Vec::new(),
            anchors: Vec::new(),
            shingles: Vec::new(),
            shingle_slots: Vec::new(),
            distinct: DistinctScratch::default(),
            values: Vec::new(),
        }
    }
}

thread_local! {
    /// Each thread's buffers for `observe`.
    static OBSERVE_SCRATCH: std::cell::RefCell<ObserveScratch> =
        std::cell::RefCell::new(ObserveScratch::default());
}

/// What provenance found for one document (kept for `annotate`).
#[derive(Debug, Clone, Default)]
struct DocFindings {
    story: Option<String>,
    source: Option<(String, RelationKind, f64)>,
    copies: Vec<String>,
    /// For a spun copy: substitutions from the source, and the aligned spans.
    spin: Option<(f64, Vec<SpinSubstitution>, Vec<TextSpan>)>,
    /// Whether the document is a source or an unspun copy.
    related: bool,
}

/// The runtime of `corpus.provenance.v1`. Usable without the runner:
/// call `observe` and `absorb` for every document in order, then `finish`
/// with a [`DocumentStore`], then `annotate`.
#[derive(Debug)]
pub struct ProvenanceStage {
    config: ProvenanceConfig,
    ids: Vec<String>,
    dates: Vec<Option<String>>,
    /// Each document's MinHash sketch (`permutations` slots).
    sketches: FixedWidthSlices<u32>,
    sizes: Vec<u32>,
    /// Each document's sentence fingerprints ([`crate::fingerprint::fingerprints`]).
    prints: ChunkedSlices<u16>,
    df: DocumentFrequencies,
    text_hashes: Vec<u64>,
    /// Each twin's representative ([`crate::twins`]), set by `finish`.
    twin_of: Vec<Option<usize>>,
    /// Each document's id rank ([`id_ranks`]), set by `finish`.
    ranks: Vec<u32>,
    findings: PreHashedMap<usize, DocFindings>,
    /// The clock read at each phase boundary of `finish`, if any.
    phase_clock: Option<fn() -> f64>,
    /// The phases of the last `finish`.
    phases: Vec<Phase>,
}

impl ProvenanceStage {
    /// A stage with these options (unchecked: use [`StageConfig::validate`] first).
    pub fn new(config: ProvenanceConfig) -> Self {
        let permutations = config.permutations;
        ProvenanceStage {
            config,
            ids: Vec::new(),
            dates: Vec::new(),
            sketches: FixedWidthSlices::new(permutations),
            sizes: Vec::new(),
            prints: ChunkedSlices::default(),
            df: DocumentFrequencies::default(),
            text_hashes: Vec::new(),
            twin_of: Vec::new(),
            ranks: Vec::new(),
            findings: PreHashedMap::default(),
            phase_clock: None,
            phases: Vec::new(),
        }
    }

    /// Reads `clock` (CPU seconds of the process, say) at each phase
    /// boundary of `finish`, besides the wall clock (for benchmarks).
    pub fn with_phase_clock(mut self, clock: fn() -> f64) -> Self {
        self.phase_clock = Some(clock);
        self
    }

    /// The phases of the last `finish`, in order, with their times.
    pub fn finish_phases(&self) -> &[Phase] {
        &self.phases
    }

    fn prints(&self, ordinal: usize) -> &[u16] {
        self.prints.get(ordinal)
    }

    /// The rank of a document's id ([`id_ranks`], set by `finish`).
    fn rank(&self, ordinal: usize) -> u32 {
        self.ranks.get(ordinal).copied().unwrap_or(u32::MAX)
    }

    fn sketch(&self, ordinal: usize) -> &[u32] {
        self.sketches.get(ordinal)
    }

    /// Candidate pairs (i < j) to align: pairs sharing an LSH bucket whose
    /// estimated Jaccard reaches `min_estimated_jaccard`, among the
    /// `max_candidates_per_doc` strongest of either document; with the
    /// prefilter, strong pairs (much anchor overlap) and, within a budget
    /// linear in the corpus size, the weak pairs whose sentence
    /// fingerprints show enough text that may align for a copy.
    fn candidates(&self, timer: &mut PhaseTimer) -> Vec<(usize, usize)> {
        let mut found = SortedRuns::default();
        let bands: Vec<usize> = (0..self.config.bands).collect();
        // The sketches folded to a byte a slot ([`narrow_sketch`]).
        let mut narrow: Vec<u8> =
            Vec::with_capacity(self.sketches.len() * self.config.permutations);
        for chunk in self.sketches.chunks() {
            narrow.par_extend(chunk.par_iter().map(|&v| narrow_slot(v)));
        }
        // A few bands at a time in parallel, their pairs kept in sorted
        // runs without duplicates ([`SortedRuns`]), merged at the end.
        for group in bands.chunks(LSH_BANDS_AT_ONCE) {
            let keys = self.band_keys(group);
            timer.end("lsh keys");
            let lists: Vec<Vec<(u64, u32)>> = keys
                .into_par_iter()
                .zip(group)
                .map(|(keys, &band)| self.band_pairs(band, keys, &narrow))
                .collect();
            timer.end("lsh buckets");
            found.add(concat_in_parallel(&lists));
            timer.end("lsh merge");
        }
        // The threads' sorting lists are not needed again.
        rayon::broadcast(|_| SORT_SCRATCH.with(|cell| cell.take()));
        let scored: Vec<(u32, u32, u32)> = found
            .into_sorted()
            .into_par_iter()
            .map(|(key, same)| {
                let (i, j) = pair_of(key);
                (i, j, same)
            })
            .collect();
        timer.end("lsh merge");
        let pairs = self.strongest(scored);
        timer.end("strongest");
        if !self.config.sentence_prefilter {
            return pairs.into_iter().map(|(i, j, _)| (i, j)).collect();
        }
        // Strong pairs are aligned; weak ones are checked against their
        // fingerprints, the most similar first, within a budget.
        let (strong, weak): (Vec<_>, Vec<_>) = pairs
            .into_par_iter()
            .map(|(i, j, jaccard)| {
                let size = |o: usize| self.sizes.get(o).copied().unwrap_or(0) as usize;
                let containment = estimated_containment(jaccard, size(i), size(j));
                (i, j, jaccard, containment)
            })
            .partition(|&(_, _, jaccard, containment)| {
                jaccard >= STRONG_JACCARD || containment >= STRONG_CONTAINMENT
            });
        let checks = self.weak_budget().saturating_mul(WEAK_CHECKS_PER_ALIGNMENT);
        let by_containment = weak.len() > checks;
        let weak = self.most_contained(weak, checks);
        let plausible: Vec<WeakPair> = weak
            .into_par_iter()
            .filter_map(|(i, j, _, containment)| {
                self.plausible_copy(i, j).map(|score| WeakPair {
                    score,
                    i,
                    j,
                    containment,
                })
            })
            .collect();
        let mut out: Vec<(usize, usize)> = strong.into_iter().map(|(i, j, _, _)| (i, j)).collect();
        out.extend(self.within_weak_budget(plausible, by_containment));
        out.sort_unstable();
        timer.end("prefilter");
        out
    }

    /// The `checks` weak pairs `(i, j, jaccard, containment)` of most
    /// estimated containment (ties by ids, then in pair order, as a stable
    /// sort of the (i, j)-ordered list would keep them); all of them when
    /// there are no more. Only which pairs are kept matters, not their order.
    fn most_contained(
        &self,
        mut weak: Vec<(usize, usize, f64, f64)>,
        checks: usize,
    ) -> Vec<(usize, usize, f64, f64)> {
        if weak.len() > checks {
            let order = |x: &(usize, usize, f64, f64), y: &(usize, usize, f64, f64)| {
                y.3.total_cmp(&x.3)
                    .then_with(|| self.rank(x.0).cmp(&self.rank(y.0)))
                    .then_with(|| self.rank(x.1).cmp(&self.rank(y.1)))
                    .then_with(|| (x.0, x.1).cmp(&(y.0, y.1)))
            };
            if let Some(last) = checks.checked_sub(1) {
                weak.select_nth_unstable_by(last, order);
            }
            weak.truncate(checks);
        }
        weak
    }

    /// Weak pairs aligned at most: `weak_pairs_per_doc` per document, and
    /// never fewer than [`MIN_WEAK_BUDGET`] (none when it is 0).
    fn weak_budget(&self) -> usize {
        if self.config.weak_pairs_per_doc <= 0.0 {
            return 0;
        }
        ((self.config.weak_pairs_per_doc * self.ids.len() as f64) as usize).max(MIN_WEAK_BUDGET)
    }

    /// Whether a weak pair (little anchor-shingle overlap) may still be a
    /// copy, judged without the texts: its sentence fingerprints must show
    /// enough text that may align to reach the coverage a copy needs, in at
    /// least two sentences unless a document is that short. The score is
    /// that estimated coverage (both documents' shares, summed).
    fn plausible_copy(&self, i: usize, j: usize) -> Option<f64> {
        let c = estimated_coverage(self.prints(i), self.prints(j));
        let short = c.sentences_a <= 2 || c.sentences_b <= 2;
        let min_coverage = self.config.min_coverage;
        let (high, low) = (c.share_a.max(c.share_b), c.share_a.min(c.share_b));
        (high >= PREFILTER_SLACK * min_coverage
            && low >= PREFILTER_SLACK * 0.4 * min_coverage
            && (short || c.matched_a.min(c.matched_b) >= 2))
            .then_some(high + low)
    }

    /// The best-scored weak pairs, at most [`Self::weak_budget`] (ties by
    /// ids). Documents share a sentence or two with ever more others as a
    /// corpus grows (boilerplate, template lines, quotes), so weak pairs
    /// grow quadratically; the budget keeps their alignment work linear,
    /// spending it on the pairs whose fingerprints show the most text that
    /// may align.
    /// `by_containment` tells that the weak pairs were cut to the most
    /// contained ones (which then breaks ties between equal ids, as the
    /// order they came in).
    fn within_weak_budget(&self, weak: Vec<WeakPair>, by_containment: bool) -> Vec<(usize, usize)> {
        self.within_budget(weak, by_containment, self.weak_budget())
    }

    /// [`Self::within_weak_budget`] with the budget given.
    fn within_budget(
        &self,
        mut weak: Vec<WeakPair>,
        by_containment: bool,
        budget: usize,
    ) -> Vec<(usize, usize)> {
        if weak.len() > budget {
            let order = |x: &WeakPair, y: &WeakPair| {
                let containment = if by_containment {
                    y.containment.total_cmp(&x.containment)
                } else {
                    std::cmp::Ordering::Equal
                };
                y.score
                    .total_cmp(&x.score)
                    .then_with(|| self.rank(x.i).cmp(&self.rank(y.i)))
                    .then_with(|| self.rank(x.j).cmp(&self.rank(y.j)))
                    .then(containment)
                    .then_with(|| (x.i, x.j).cmp(&(y.i, y.j)))
            };
            if let Some(last) = budget.checked_sub(1) {
                weak.select_nth_unstable_by(last, order);
            }
            weak.truncate(budget);
        }
        weak.into_iter().map(|w| (w.i, w.j)).collect()
    }

    /// The bucket keys of each LSH band of `bands`: `(hash of the band's
    /// rows, document)` for every document that is no twin and has a value
    /// in the band, in document order. One pass over the sketches serves
    /// all the bands (a document's rows of neighbouring bands share cache
    /// lines), split over threads by document ranges; each band's keys
    /// stay in those ranges' parts (in order), not copied into one list.
    fn band_keys(&self, bands: &[usize]) -> Vec<Vec<Vec<(u64, u32)>>> {
        let n = self.ids.len();
        let rows = self.config.permutations / self.config.bands.max(1);
        let ranges: Vec<(usize, usize)> = (0..n)
            .step_by(BAND_KEY_DOCS)
            .map(|start| (start, (start + BAND_KEY_DOCS).min(n)))
            .collect();
        // Each band's first value of the fold (the same for every document).
        let seeds: Vec<u64> = bands.iter().map(|&band| mix(band as u64 + 1)).collect();
        let parts: Vec<Vec<Vec<(u64, u32)>>> = ranges
            .into_par_iter()
            .map(|(from, to)| {
                let mut keys: Vec<Vec<(u64, u32)>> =
                    vec![Vec::with_capacity(to - from); bands.len()];
                for doc in from..to {
                    if self.twin_of.get(doc).is_some_and(Option::is_some) {
                        continue;
                    }
                    let sk = self.sketch(doc);
                    for ((k, &band), &seed) in bands.iter().enumerate().zip(&seeds) {
                        let slice = sk.get(band * rows..(band + 1) * rows).unwrap_or(&[]);
                        if slice.is_empty() || slice.iter().all(|&v| v == u32::MAX) {
                            continue;
                        }
                        let h = slice.iter().fold(seed, |h, &v| mix(h ^ u64::from(v)));
                        keys[k].push((h, doc as u32));
                    }
                }
                keys
            })
            .collect();
        let mut out: Vec<Vec<Vec<(u64, u32)>>> = vec![Vec::new(); bands.len()];
        for part in parts {
            for (all, keys) in out.iter_mut().zip(part) {
                all.push(keys);
            }
        }
        out
    }

    /// The pairs (i < j, as [`pair_key`]s, with their shared sketch
    /// slots) sharing a bucket of an LSH band
    /// (buckets of at most `max_bucket` documents; in one of more than
    /// `bucket_window + 1`, each document with the `bucket_window` next
    /// ones in the order of their sketches' slots after `band`'s rows)
    /// whose estimated Jaccard
    /// reaches `min_estimated_jaccard`, from the band's keys
    /// ([`Self::band_keys`]) and every document's narrow sketch
    /// ([`crate::signature::narrow_sketch`], `permutations` bytes each).
    fn band_pairs(
        &self,
        band: usize,
        keys: Vec<Vec<(u64, u32)>>,
        narrow: &[u8],
    ) -> Vec<(u64, u32)> {
        SORT_SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.bucket_pairs(band, keys, narrow, &mut scratch),
            // Not reached (no band's search calls another); fresh lists then.
            Err(_) => self.bucket_pairs(band, keys, narrow, &mut SortScratch::default()),
        })
    }

    /// [`Self::band_pairs`] with the lists to sort the keys in.
    fn bucket_pairs(
        &self,
        band: usize,
        keys: Vec<Vec<(u64, u32)>>,
        narrow: &[u8],
        scratch: &mut SortScratch,
    ) -> Vec<(u64, u32)> {
        sorted_keys_into(keys, scratch);
        let keys = &scratch.sorted;
        let p = self.config.permutations;
        let narrow_of = |o: u32| {
            narrow
                .get(o as usize * p..(o as usize + 1) * p)
                .unwrap_or(&[])
        };
        let mut pairs = Vec::new();
        let check = |i: u32, j: u32, pairs: &mut Vec<(u64, u32)>| {
            let (i, j) = (i.min(j), i.max(j));
            // The narrow sketches bound the estimate from above:
            // most pairs of a bucket fall short on them alone.
            let bound = f64::from(narrow_same_slots(narrow_of(i), narrow_of(j))) / p as f64;
            if bound < self.config.min_estimated_jaccard {
                return;
            }
            let (a, b) = (self.sketch(i as usize), self.sketch(j as usize));
            let same = same_slots(a, b);
            // As `estimated_jaccard` computes it.
            let s = f64::from(same) / a.len().min(b.len()).max(1) as f64;
            if s >= self.config.min_estimated_jaccard {
                pairs.push((pair_key(i, j), same));
            }
        };
        let window = self.config.bucket_window.max(1);
        // A large bucket's documents in the order of their sketches' slots
        // after the band's rows (and around): documents that share the next
        // slots, the most similar ones, come next to each other.
        let after = ((band + 1) * (p / self.config.bands.max(1))).min(p);
        let rotated = |o: u32| {
            let sk = self.sketch(o as usize);
            let (head, tail) = sk.split_at(after.min(sk.len()));
            tail.iter().chain(head)
        };
        let mut members: Vec<u32> = Vec::new();
        // The buckets of two documents or more (most hold one), so that the
        // narrow sketches of the ones a few places ahead can be fetched
        // while this one is compared: they are scattered over memory.
        let buckets: Vec<&[(u64, u32)]> = keys
            .chunk_by(|x, y| x.0 == y.0)
            .filter(|b| b.len() > 1 && b.len() <= self.config.max_bucket)
            .collect();
        for (k, bucket) in buckets.iter().enumerate() {
            if let Some(ahead) = buckets.get(k + PREFETCH_BUCKETS_AHEAD) {
                for &(_, doc) in ahead.iter().take(window + 1) {
                    prefetch(narrow_of(doc));
                }
            }
            if bucket.len() <= window + 1 {
                for (x, &(_, i)) in bucket.iter().enumerate() {
                    for &(_, j) in &bucket[x + 1..] {
                        check(i, j, &mut pairs);
                    }
                }
                continue;
            }
            // A large bucket: each document meets the `window` documents
            // after it in that order (another one in every band).
            members.clear();
            members.extend(bucket.iter().map(|&(_, doc)| doc));
            members.sort_unstable_by(|&x, &y| rotated(x).cmp(rotated(y)).then(x.cmp(&y)));
            for (x, &i) in members.iter().enumerate() {
                for &j in members.iter().skip(x + 1).take(window) {
                    check(i, j, &mut pairs);
                }
            }
        }
        pairs
    }

    /// Keeps a pair `(i, j, shared sketch slots)` when it is among the
    /// `max_candidates_per_doc` most similar partners (by estimated
    /// Jaccard, ties by id) of either of its documents: a story copied many
    /// times then costs linear, not quadratic, alignment work, and each copy
    /// still meets its source. Returns the kept pairs in order with their
    /// estimated Jaccard.
    fn strongest(&self, scored: Vec<(u32, u32, u32)>) -> Vec<(usize, usize, f64)> {
        let ranks = &self.ranks;
        let cutoff = partner_cutoffs(
            self.ids.len(),
            &scored,
            ranks,
            self.config.max_candidates_per_doc,
        );
        let keeps = |doc: u32, other: u32, same: u32| {
            let rank = ranks.get(other as usize).copied().unwrap_or(u32::MAX - 1);
            partner_key(same, rank) >= cutoff.get(doc as usize).copied().unwrap_or(0)
        };
        // As `estimated_jaccard` computes it (every sketch has `permutations` slots).
        let permutations = self.config.permutations as f64;
        scored
            .into_par_iter()
            .filter(|&(i, j, same)| keeps(i, j, same) || keeps(j, i, same))
            .map(|(i, j, same)| (i as usize, j as usize, f64::from(same) / permutations))
            .collect()
    }

    fn prepare(
        &self,
        store: &dyn DocumentStore,
        o: usize,
    ) -> Result<(String, Prepared), StageError> {
        let text = store.get_text(o)?;
        let p = Prepared::new(&text);
        Ok((text, p))
    }

    fn align_params(&self) -> AlignParams {
        AlignParams {
            min_similarity: self.config.min_sentence_similarity,
            ..AlignParams::default()
        }
    }

    fn side<'a>(&'a self, p: &'a Prepared, text: &'a str, o: usize) -> Side<'a> {
        Side {
            prepared: p,
            text,
            date: self.dates[o].as_deref(),
            id: &self.ids[o],
        }
    }

    /// Fetches and prepares each document the pairs involve, once.
    fn prepare_all(
        &self,
        store: &dyn DocumentStore,
        pairs: &[(usize, usize)],
    ) -> Result<PreparedDocs, StageError> {
        let mut docs: Vec<usize> = pairs.iter().flat_map(|&(i, j)| [i, j]).collect();
        docs.sort_unstable();
        docs.dedup();
        docs.par_iter()
            .map(|&o| Ok((o, self.prepare(store, o)?)))
            .collect::<Result<Vec<_>, StageError>>()
            .map(|v| v.into_iter().collect())
    }

    /// Aligns and judges candidate pair `(i, j)` (both documents
    /// prepared); with a verdict, the sentence matches of the alignment
    /// (for [`Self::evidence_for`]).
    fn compare(
        &self,
        prepared: &PreparedDocs,
        i: usize,
        j: usize,
    ) -> Result<Option<(Judged, SentenceMatches)>, StageError> {
        let missing = || StageError::new("provenance: candidate document not prepared");
        let (da, pa) = prepared.get(&i).ok_or_else(missing)?;
        let (db, pb) = prepared.get(&j).ok_or_else(missing)?;
        let (al, matches) = align_keeping_matches(pa, pb, &self.align_params());
        let decision = DecisionParams {
            min_coverage: self.config.min_coverage,
            spun_min_rate: self.config.spun_min_rate,
            ..DecisionParams::default()
        };
        let df = |h: u64| self.df.get(h);
        let verdict = decide(
            self.side(pa, da, i),
            self.side(pb, db, j),
            &al,
            &df,
            &decision,
        );
        Ok(verdict.and_then(|v| {
            if v.kind == RelationKind::SameStory && !self.config.same_story {
                return None;
            }
            Some(((i, j, v), matches))
        }))
    }

    /// The signature `observe` keeps of a document, computed in buffers
    /// reused from one document to the next.
    fn signature(&self, doc: &Document, scratch: &mut ObserveScratch) -> Observation {
        let ObserveScratch {
            prepared,
            prepare,
            words,
            anchors,
            shingles,
            shingle_slots,
            distinct,
            values,
        } = scratch;
        prepared.refill(&doc.text, prepare);
        let tokens = &prepared.tokens;
        // The shingles in no order: MinHash and their count need none.
        anchor_shingle_set_into(
            tokens,
            self.config.shingle_words,
            anchors,
            shingles,
            shingle_slots,
        );
        let sketch = if shingles.is_empty() {
            vec![u32::MAX; self.config.permutations]
        } else {
            minhash(shingles, self.config.permutations)
        };
        // Two values per sentence, then up to eight.
        let mut prints = Vec::with_capacity(prepared.sentences.len() * 10);
        fingerprints_with(prepared, &mut prints, values);
        distinct_words_into(tokens.iter().map(|t| t.hash), distinct, words);
        Box::new(DocSignature {
            id: doc.id.clone(),
            date: doc.meta.date.clone(),
            sketch,
            words: words.as_slice().to_vec(),
            shingles: shingles.len() as u32,
            fingerprints: prints,
            text_hash: twins::text_hash(&doc.text),
        })
    }

    /// The evidence of each relation of `chunk` (in order): shared, or
    /// computed from the documents, fetched and prepared once.
    fn chunk_evidence(
        &self,
        store: &dyn DocumentStore,
        chunk: &[Chosen],
        shared: &PreHashedMap<(usize, usize), RelationEvidence>,
        matches: &MatchesByPair,
    ) -> Result<Vec<Evidence>, StageError> {
        let chunk_pairs: Vec<(usize, usize)> = chunk
            .iter()
            .map(|(d, s, _)| (*d, *s))
            .filter(|&(d, s)| !shared.contains_key(&self.evidence_key(d, s)))
            .collect();
        let prepared = self.prepare_all(store, &chunk_pairs)?;
        Ok(chunk
            .par_iter()
            .map(
                |(doc, source, _)| match shared.get(&self.evidence_key(*doc, *source)) {
                    Some(e) => Ok(e.clone()),
                    None => self.evidence_for(&prepared, *doc, *source, matches),
                },
            )
            .collect())
    }

    /// Records the relations of `chunk` with their evidence, in order: the
    /// table's rows, the findings of their documents and the count by kind.
    fn record(
        &self,
        chunk: &[Chosen],
        evidences: Vec<Evidence>,
        table: &mut RecordTable,
        findings: &mut PreHashedMap<usize, DocFindings>,
        by_kind: &mut BTreeMap<&'static str, usize>,
    ) -> Result<(), StageError> {
        for ((doc, source, verdict), evidence) in chunk.iter().zip(evidences) {
            let (doc, source) = (*doc, *source);
            let evidence = evidence?;
            if verdict.kind != RelationKind::SameStory {
                let f = findings.entry(doc).or_default();
                f.source = Some((self.ids[source].clone(), verdict.kind, verdict.score));
                f.related = true;
                if verdict.kind == RelationKind::Spun {
                    let subs = evidence
                        .substitutions
                        .iter()
                        .map(|s| SpinSubstitution {
                            start: s.doc.start,
                            end: s.doc.end,
                            spun: s.spun.clone(),
                            original: s.original.clone(),
                            confidence: verdict.score,
                            evidence: "source".to_string(),
                        })
                        .collect();
                    let aligned = evidence.aligned.iter().map(|p| p.doc).collect();
                    f.spin = Some((verdict.score, subs, aligned));
                }
                let s = findings.entry(source).or_default();
                s.copies.push(self.ids[doc].clone());
                s.related = true;
            } else {
                findings.entry(doc).or_default();
                findings.entry(source).or_default();
            }
            *by_kind.entry(verdict.kind.as_str()).or_default() += 1;
            table.push(&Relation {
                doc: self.ids[doc].clone(),
                source: self.ids[source].clone(),
                kind: verdict.kind,
                score: verdict.score,
                doc_ordinal: doc,
                source_ordinal: source,
                evidence,
            })?;
        }
        Ok(())
    }

    /// What a relation's evidence depends on: the copy's text (a twin's is
    /// its representative's) and the source.
    fn evidence_key(&self, doc: usize, source: usize) -> (usize, usize) {
        let text_of = self.twin_of.get(doc).copied().flatten().unwrap_or(doc);
        (text_of, source)
    }

    /// Evidence computed once for the relations that twins share (the same
    /// texts give the same evidence), for the most shared keys, at most
    /// [`MAX_SHARED_EVIDENCE`] of them.
    fn shared_evidence(
        &self,
        store: &dyn DocumentStore,
        chosen: &[(usize, usize, PairVerdict)],
        matches: &MatchesByPair,
    ) -> Result<PreHashedMap<(usize, usize), RelationEvidence>, StageError> {
        let mut uses: PreHashedMap<(usize, usize), usize> = PreHashedMap::default();
        for (doc, source, _) in chosen {
            *uses.entry(self.evidence_key(*doc, *source)).or_default() += 1;
        }
        let mut keys: Vec<((usize, usize), usize)> =
            uses.into_iter().filter(|(_, n)| *n > 1).collect();
        keys.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        keys.truncate(MAX_SHARED_EVIDENCE);
        let mut shared = PreHashedMap::default();
        for chunk in keys.chunks(EVIDENCE_CHUNK) {
            let pairs: Vec<(usize, usize)> = chunk.iter().map(|(k, _)| *k).collect();
            let prepared = self.prepare_all(store, &pairs)?;
            let evidences: Vec<Result<RelationEvidence, StageError>> = pairs
                .par_iter()
                .map(|&(doc, source)| self.evidence_for(&prepared, doc, source, matches))
                .collect();
            for (key, evidence) in pairs.into_iter().zip(evidences) {
                shared.insert(key, evidence?);
            }
        }
        Ok(shared)
    }

    /// The evidence of a chosen relation, aligned copy → source (both
    /// documents prepared). When the two were compared, the alignment is
    /// redone from the sentence matches found then (`matches`, by compared
    /// pair), without matching their sentences again.
    fn evidence_for(
        &self,
        prepared: &PreparedDocs,
        copy: usize,
        source: usize,
        matches: &MatchesByPair,
    ) -> Result<RelationEvidence, StageError> {
        let missing = || StageError::new("provenance: related document not prepared");
        let (dc, pc) = prepared.get(&copy).ok_or_else(missing)?;
        let (ds, ps) = prepared.get(&source).ok_or_else(missing)?;
        let params = self.align_params();
        let again = match (matches.get(&(copy, source)), matches.get(&(source, copy))) {
            (Some(m), _) => realign(pc, ps, m, false, &params),
            (None, Some(m)) => realign(pc, ps, m, true, &params),
            // A twin and its representative (or a document and itself):
            // each sentence aligns with itself.
            (None, None) if dc == ds => align_same_text(pc),
            (None, None) => None,
        };
        let al = again.unwrap_or_else(|| align(pc, ps, &params));
        Ok(evidence(
            self.side(pc, dc, copy),
            self.side(ps, ds, source),
            &al,
        ))
    }
}

/// Words of a document's unmatched long sentences that other documents of
/// the corpus also carry (weighted by how many do).
fn supported_words(
    support: &PreHashedMap<(usize, usize), u32>,
    doc: usize,
    only: &[(usize, usize)],
) -> u64 {
    only.iter()
        .map(|&(s, w)| u64::from(support.get(&(doc, s)).copied().unwrap_or(0)) * w as u64)
        .sum()
}

/// Bits of a key that [`sorted_keys_into`] distributes the keys by first.
const TOP_BITS: u32 = 8;

/// The lists [`sorted_keys_into`] fills, kept by each thread from one LSH
/// band to the next (a band's keys fill megabytes: fresh lists would have
/// their pages cleared by the kernel again for every band).
#[derive(Debug, Default)]
struct SortScratch {
    /// The keys distributed by their top bits.
    spread: Vec<(u64, u32)>,
    /// The keys sorted.
    sorted: Vec<(u64, u32)>,
}

thread_local! {
    /// Each thread's lists for sorting a band's keys.
    static SORT_SCRATCH: std::cell::RefCell<SortScratch> =
        std::cell::RefCell::new(SortScratch::default());
}

/// The keys of `parts`, together, in ascending order, as `sort_unstable`
/// leaves them.
#[cfg(test)]
fn sorted_keys(parts: Vec<Vec<(u64, u32)>>) -> Vec<(u64, u32)> {
    let mut scratch = SortScratch::default();
    sorted_keys_into(parts, &mut scratch);
    scratch.sorted
}

/// The keys of `parts`, together, in ascending order (as `sort_unstable`
/// leaves them), into `scratch.sorted`. Two counting sorts, then small
/// sorts: the keys are hashes, so groups by their top bits are even. The
/// first distributes them by their top [`TOP_BITS`] bits (few groups, each
/// written in order, which caches and write buffers keep up with), the
/// second each such group by the next bits (within a group small enough to
/// stay in cache; about one key per final group), and the final groups of
/// more than one key are sorted. (One counting sort by all those bits at
/// once wrote every key to a random place of the whole list.)
fn sorted_keys_into(parts: Vec<Vec<(u64, u32)>>, scratch: &mut SortScratch) {
    let SortScratch { spread, sorted } = scratch;
    let len: usize = parts.iter().map(Vec::len).sum();
    if len < 1024 {
        sorted.clear();
        sorted.extend(parts.into_iter().flatten());
        sorted.sort_unstable();
        return;
    }
    let top = |h: u64| (h >> (64 - TOP_BITS)) as usize;
    let mut starts = vec![0usize; (1 << TOP_BITS) + 1];
    for &(h, _) in parts.iter().flatten() {
        starts[top(h) + 1] += 1;
    }
    for g in 1..starts.len() {
        starts[g] += starts[g - 1];
    }
    let mut next = starts.clone();
    spread.clear();
    spread.resize(len, (0, 0));
    for &(h, doc) in parts.iter().flatten() {
        let slot = &mut next[top(h)];
        spread[*slot] = (h, doc);
        *slot += 1;
    }
    drop(parts);
    sorted.clear();
    sorted.resize(len, (0, 0));
    let mut inner: Vec<usize> = Vec::new();
    for g in starts.windows(2) {
        let (from, to) = (g[0], g[1]);
        sort_by_next_bits(&spread[from..to], &mut sorted[from..to], &mut inner);
    }
}

/// `group` (keys sharing their top [`TOP_BITS`] bits) into `dest`, sorted:
/// distributed by the next bits (about one key per value), then each part
/// of more than one key sorted. `ends` is a reused buffer.
fn sort_by_next_bits(group: &[(u64, u32)], dest: &mut [(u64, u32)], ends: &mut Vec<usize>) {
    // Small groups (a corpus of a few thousand documents has only such)
    // are distributed as well down to [`SMALL_GROUP`] keys: a call to
    // `sort_unstable` cost more.
    if group.len() <= SMALL_GROUP {
        dest.copy_from_slice(group);
        insertion_sort(dest);
        return;
    }
    let bits = (usize::BITS - group.len().leading_zeros()).clamp(4, 20);
    let shift = 64 - TOP_BITS - bits;
    let mask = (1usize << bits) - 1;
    let part = |h: u64| (h >> shift) as usize & mask;
    // Each part's start, then (as keys are placed) its next free slot.
    ends.clear();
    ends.resize((1 << bits) + 1, 0);
    for &(h, _) in group {
        ends[part(h) + 1] += 1;
    }
    for p in 1..ends.len() {
        ends[p] += ends[p - 1];
    }
    for &(h, doc) in group {
        let slot = &mut ends[part(h)];
        dest[*slot] = (h, doc);
        *slot += 1;
    }
    // Now each part's slot is where it ends, and the next part starts.
    let mut from = 0;
    for &to in &ends[..1 << bits] {
        if to - from > 1 {
            insertion_sort(&mut dest[from..to]);
        }
        from = to;
    }
}

/// Groups of at most this many keys [`sort_by_next_bits`] sorts by
/// insertion, without distributing them.
const SMALL_GROUP: usize = 16;

/// Sorts a few keys in place (a call to `sort_unstable` costs more for
/// the parts of one to three keys [`sort_by_next_bits`] leaves).
fn insertion_sort(keys: &mut [(u64, u32)]) {
    if keys.len() > 16 {
        keys.sort_unstable();
        return;
    }
    for i in 1..keys.len() {
        let x = keys[i];
        let mut j = i;
        while j > 0 && keys[j - 1] > x {
            keys[j] = keys[j - 1];
            j -= 1;
        }
        keys[j] = x;
    }
}

/// Asks the CPU to bring `data` into its caches (a hint that changes no
/// result; nothing on other architectures).
fn prefetch(data: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    for line in data.chunks(64) {
        // SAFETY: a prefetch reads no memory the program sees and faults
        // on no address; `line` is a valid slice anyway.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                line.as_ptr().cast(),
            )
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}

/// The `spin` field of a document with no sign of spin: the value
/// `serde_json::to_value(SpinVerdict::clean(text))` gives, built with one
/// copy of the text instead of two.
fn clean_spin_value(text: &str) -> serde_json::Value {
    let mut fields = serde_json::Map::new();
    fields.insert("spun".to_string(), false.into());
    fields.insert("score".to_string(), 0.0.into());
    fields.insert("repaired".to_string(), text.into());
    fields.insert(
        "substitutions".to_string(),
        serde_json::Value::Array(Vec::new()),
    );
    serde_json::Value::Object(fields)
}

/// A weak candidate pair that passed the sentence prefilter.
#[derive(Debug, Clone, Copy)]
struct WeakPair {
    /// Its estimated sentence coverage ([`ProvenanceStage::plausible_copy`]).
    score: f64,
    i: usize,
    j: usize,
    /// Its estimated anchor-shingle containment.
    containment: f64,
}

/// Documents fetched and prepared for alignment, by ordinal.
type PreparedDocs = PreHashedMap<usize, (String, Prepared)>;

/// A judged pair: (first ordinal, second ordinal, verdict).
type Judged = (usize, usize, PairVerdict);

/// A chosen relation: (copy, source, verdict).
type Chosen = (usize, usize, PairVerdict);

/// A relation's evidence, or why it could not be computed.
type Evidence = Result<RelationEvidence, StageError>;

/// The sentence matches of judged pairs' alignments, by (first ordinal,
/// second ordinal).
type MatchesByPair = PreHashedMap<(usize, usize), SentenceMatches>;

/// Follows parent links from `start`; true when `target` is reached.
fn reaches(parent: &PreHashedMap<usize, usize>, start: usize, target: usize) -> bool {
    let mut at = start;
    let mut steps = 0;
    while let Some(&p) = parent.get(&at) {
        if p == target {
            return true;
        }
        at = p;
        steps += 1;
        if steps > parent.len() {
            return true;
        }
    }
    at == target
}

fn find(roots: &mut [usize], mut x: usize) -> usize {
    while roots[x] != x {
        roots[x] = roots[roots[x]];
        x = roots[x];
    }
    x
}

impl CorpusStage for ProvenanceStage {
    fn observe(&self, doc: &Document) -> Result<Observation, StageError> {
        OBSERVE_SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => Ok(self.signature(doc, &mut scratch)),
            // Not reached (observe does not call itself); a fresh scratch then.
            Err(_) => Ok(self.signature(doc, &mut ObserveScratch::default())),
        })
    }

    fn absorb(&mut self, ordinal: usize, observation: Observation) -> Result<(), StageError> {
        let sig = observation
            .downcast::<DocSignature>()
            .map_err(|_| StageError::new("provenance: observation of another stage"))?;
        if ordinal != self.ids.len() {
            return Err(StageError::new(format!(
                "provenance: expected ordinal {}, got {ordinal}",
                self.ids.len()
            )));
        }
        self.sketches.push(&sig.sketch, u32::MAX);
        self.ids.push(sig.id);
        self.sizes.push(sig.shingles);
        self.prints.push(&sig.fingerprints);
        self.dates.push(sig.date);
        self.text_hashes.push(sig.text_hash);
        self.df.add(sig.words);
        Ok(())
    }

    fn finish(&mut self, store: &dyn DocumentStore) -> Result<CorpusOutput, StageError> {
        let mut timer = PhaseTimer::start(self.phase_clock);
        // Three independent steps side by side: the word counts (one task
        // per thread), the twin groups (one thread) and the id ranks.
        let Self {
            df,
            text_hashes,
            dates,
            ids,
            ..
        } = self;
        let ((), (twin_of, ranks)) = rayon::join(
            || df.count_pending(),
            || {
                rayon::join(
                    || twins::representatives(text_hashes, dates, ids),
                    || id_ranks(ids),
                )
            },
        );
        self.twin_of = twin_of;
        self.ranks = ranks;
        timer.end("twins");
        let pairs = self.candidates(&mut timer);
        // In batches: the documents of a batch's pairs are prepared once
        // (and dropped with the batch, so memory stays bounded).
        // Which sentences other documents also carry (a copy's own additions
        // are carried by nobody else, a source's dropped paragraphs are),
        // and how many copy relations each document has. Both are counted
        // as each batch is judged, and the aligned-sentence lists they come
        // from are dropped then: only the verdicts' unmatched sentences are
        // needed later.
        let mut support: PreHashedMap<(usize, usize), u32> = PreHashedMap::default();
        let mut degree: PreHashedMap<usize, usize> = PreHashedMap::default();
        let mut judged: Vec<Judged> = Vec::new();
        // The sentence matches of each judged pair's alignment, by pair:
        // the evidence of the relations chosen among them is aligned again
        // from these (a few bytes per aligned sentence).
        let mut matches: MatchesByPair = PreHashedMap::default();
        for batch in pairs.chunks(ALIGN_BATCH) {
            let prepared = self.prepare_all(store, batch)?;
            let verdicts: Vec<Result<Option<(Judged, SentenceMatches)>, StageError>> = batch
                .par_iter()
                .map(|&(i, j)| self.compare(&prepared, i, j))
                .collect();
            drop(prepared);
            for v in verdicts {
                let Some(((i, j, mut verdict), found)) = v? else {
                    continue;
                };
                matches.insert((i, j), found);
                if verdict.kind != RelationKind::SameStory {
                    for &s in &verdict.aligned_a {
                        *support.entry((i, s)).or_default() += 1;
                    }
                    for &s in &verdict.aligned_b {
                        *support.entry((j, s)).or_default() += 1;
                    }
                    *degree.entry(i).or_default() += 1;
                    *degree.entry(j).or_default() += 1;
                }
                verdict.aligned_a = Vec::new();
                verdict.aligned_b = Vec::new();
                judged.push((i, j, verdict));
            }
        }
        timer.end("align");
        let mut copies = Vec::new();
        let mut stories = Vec::new();
        for (i, j, mut verdict) in judged {
            if !verdict.direction_settled {
                let sup_a = supported_words(&support, i, &verdict.only_a);
                let sup_b = supported_words(&support, j, &verdict.only_b);
                let unsupported = |doc: usize, only: &[(usize, usize)]| -> usize {
                    if degree.get(&doc).copied().unwrap_or(0) < 2 {
                        return 0;
                    }
                    only.iter()
                        .filter(|(s, _)| !support.contains_key(&(doc, *s)))
                        .map(|(_, w)| w)
                        .sum()
                };
                let (un_a, un_b) = (
                    unsupported(i, &verdict.only_a),
                    unsupported(j, &verdict.only_b),
                );
                if sup_a != sup_b {
                    // The side whose unmatched text others confirm is the original.
                    verdict.copy_is_a = sup_b > sup_a;
                } else if un_a != un_b {
                    // Text no other related document carries was added by the copy.
                    verdict.copy_is_a = un_a > un_b;
                }
            }
            let (copy, source) = if verdict.copy_is_a { (i, j) } else { (j, i) };
            if verdict.kind == RelationKind::SameStory {
                stories.push((copy, source, verdict));
            } else {
                copies.push((copy, source, verdict));
            }
        }
        // Each copy's source: best-scoring first, never a cycle. (The sorts
        // here are stable, on both threads: the order is `sort_by`'s.)
        copies.par_sort_by(|x, y| {
            y.2.score
                .total_cmp(&x.2.score)
                .then_with(|| self.ids[x.0].cmp(&self.ids[y.0]))
                .then_with(|| self.ids[x.1].cmp(&self.ids[y.1]))
        });
        let n = self.ids.len();
        // Originality: how often a document is the source minus how often
        // it is the copy. Among near-equal candidate sources, the more
        // original one wins (a copy of the source is not the source).
        let mut originality: PreHashedMap<usize, i64> = PreHashedMap::default();
        for (copy, source, _) in &copies {
            *originality.entry(*source).or_default() += 1;
            *originality.entry(*copy).or_default() -= 1;
        }
        // A copy's source explains all of the copy's own text; a sibling
        // copy lacks what it dropped and the copy kept. Candidates that
        // leave (nearly) as few of the copy's words unmatched as the best
        // are near-equal; among them the more original document wins,
        // then the higher score.
        let mut best_unmatched: PreHashedMap<usize, usize> = PreHashedMap::default();
        for (copy, _, v) in &copies {
            let u = v.copy_unmatched_words();
            let e = best_unmatched.entry(*copy).or_insert(u);
            *e = (*e).min(u);
        }
        let mut best_score: PreHashedMap<usize, f64> = PreHashedMap::default();
        for (copy, _, v) in &copies {
            let e = best_score.entry(*copy).or_insert(v.score);
            *e = e.max(v.score);
        }
        let near = |copy: usize, v: &PairVerdict| {
            if v.kind == RelationKind::Spun {
                // Spinning breaks sentence alignment unevenly, so unmatched
                // words say little here; the score decides.
                best_score
                    .get(&copy)
                    .is_some_and(|b| b - v.score <= SPUN_PARENT_TIE_MARGIN)
            } else {
                best_unmatched
                    .get(&copy)
                    .is_some_and(|&b| v.copy_unmatched_words() <= b + UNMATCHED_TOLERANCE_WORDS)
            }
        };
        copies.par_sort_by(|x, y| {
            let near_x = near(x.0, &x.2);
            let near_y = near(y.0, &y.2);
            self.ids[x.0]
                .cmp(&self.ids[y.0])
                .then_with(|| near_y.cmp(&near_x))
                .then_with(|| {
                    let ox = originality.get(&x.1).copied().unwrap_or(0);
                    let oy = originality.get(&y.1).copied().unwrap_or(0);
                    if near_x && near_y {
                        oy.cmp(&ox)
                    } else {
                        std::cmp::Ordering::Equal
                    }
                })
                .then_with(|| y.2.score.total_cmp(&x.2.score))
                .then_with(|| self.ids[x.1].cmp(&self.ids[y.1]))
        });
        // Each copy's preferred sources in order; copies taken strongest first.
        let mut options: Vec<Vec<(usize, usize, PairVerdict)>> = Vec::new();
        for c in copies {
            match options.last_mut() {
                Some(last) if last[0].0 == c.0 => last.push(c),
                _ => options.push(vec![c]),
            }
        }
        options.par_sort_by(|x, y| {
            y[0].2
                .score
                .total_cmp(&x[0].2.score)
                .then_with(|| self.ids[x[0].0].cmp(&self.ids[y[0].0]))
        });
        let mut roots: Vec<usize> = (0..n).collect();
        let mut parent: PreHashedMap<usize, usize> = PreHashedMap::default();
        let mut chosen = Vec::new();
        for list in options {
            for (copy, source, verdict) in list {
                let (a, b) = (find(&mut roots, copy), find(&mut roots, source));
                roots[a] = b;
                if parent.contains_key(&copy) || reaches(&parent, source, copy) {
                    continue;
                }
                parent.insert(copy, source);
                chosen.push((copy, source, verdict));
            }
        }
        // Twins are verbatim copies of their representative, or, when the
        // representative is itself a verbatim copy, of its source (which
        // then explains all of their text as well).
        let chosen_of: PreHashedMap<usize, usize> =
            chosen.iter().enumerate().map(|(k, c)| (c.0, k)).collect();
        let mut twin_relations = Vec::new();
        for (twin, rep) in self.twin_of.iter().enumerate() {
            let Some(rep) = *rep else { continue };
            let relation = match chosen_of.get(&rep).map(|&k| &chosen[k]) {
                Some((_, source, verdict)) if verdict.kind == RelationKind::Verbatim => {
                    (twin, *source, verdict.clone())
                }
                _ => (twin, rep, PairVerdict::identical()),
            };
            let (a, b) = (find(&mut roots, twin), find(&mut roots, relation.1));
            roots[a] = b;
            twin_relations.push(relation);
        }
        let twins = twin_relations.len();
        chosen.extend(twin_relations);
        // Same-story links between documents not already in one copy family.
        let mut story_links = Vec::new();
        stories.par_sort_by(|x, y| {
            y.2.score
                .total_cmp(&x.2.score)
                .then_with(|| self.ids[x.0].cmp(&self.ids[y.0]))
                .then_with(|| self.ids[x.1].cmp(&self.ids[y.1]))
        });
        for (a, b, verdict) in stories {
            let (ra, rb) = (find(&mut roots, a), find(&mut roots, b));
            if ra == rb {
                continue;
            }
            roots[ra] = rb;
            story_links.push((a, b, verdict));
        }
        // Story ids: the smallest document id of each component.
        let mut story_name: PreHashedMap<usize, String> = PreHashedMap::default();
        for o in 0..n {
            let r = find(&mut roots, o);
            let e = story_name.entry(r).or_insert_with(|| self.ids[o].clone());
            if self.ids[o] < *e {
                *e = self.ids[o].clone();
            }
        }
        let mut chosen: Vec<(usize, usize, PairVerdict)> =
            chosen.into_iter().chain(story_links).collect();
        // Rows in (document, source) order, streamed to the table in
        // chunks: evidence of one chunk at a time is in memory.
        chosen.par_sort_by(|x, y| {
            self.ids[x.0]
                .cmp(&self.ids[y.0])
                .then_with(|| self.ids[x.1].cmp(&self.ids[y.1]))
        });
        let mut table = RecordTable::default();
        let mut findings: PreHashedMap<usize, DocFindings> = PreHashedMap::default();
        let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
        timer.end("sources");
        // Only the chosen relations' matches are needed now.
        let needed: PreHashedMap<(usize, usize), ()> = chosen
            .iter()
            .flat_map(|&(d, s, _)| [((d, s), ()), ((s, d), ())])
            .collect();
        matches.retain(|key, _| needed.contains_key(key));
        drop(needed);
        let shared = self.shared_evidence(store, &chosen, &matches)?;
        timer.end("shared_evidence");
        // Each chunk's relations are recorded (on this thread, in order)
        // while the next chunk's evidence is computed (on the others).
        let mut computed: Option<(&[Chosen], Vec<Evidence>)> = None;
        for chunk in chosen.chunks(EVIDENCE_CHUNK).map(Some).chain([None]) {
            let (recorded, evidences) = rayon::join(
                || match computed.take() {
                    Some((done, evidences)) => {
                        self.record(done, evidences, &mut table, &mut findings, &mut by_kind)
                    }
                    None => Ok(()),
                },
                || {
                    chunk
                        .map(|chunk| self.chunk_evidence(store, chunk, &shared, &matches))
                        .transpose()
                },
            );
            recorded?;
            computed = chunk.zip(evidences?);
        }
        for (o, f) in findings.iter_mut() {
            let r = find(&mut roots, *o);
            f.story = story_name.get(&r).cloned();
            f.copies.sort();
        }
        let mut summary: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        summary.insert("relations".into(), serde_json::json!(table.len()));
        summary.insert("relations_by_kind".into(), serde_json::json!(by_kind));
        summary.insert("candidate_pairs".into(), serde_json::json!(pairs.len()));
        summary.insert("twins".into(), serde_json::json!(twins));
        timer.end("evidence");
        self.phases = timer.into_phases();
        let mut tables = BTreeMap::new();
        tables.insert(RELATIONS_TABLE.to_string(), table);
        self.findings = findings;
        Ok(CorpusOutput { tables, summary })
    }

    fn annotate(&self, ordinal: usize, doc: &mut Document) -> Result<(), StageError> {
        let existing: Option<SpinVerdict> = doc.get_ext("spin");
        let Some(f) = self.findings.get(&ordinal) else {
            if existing.is_none() {
                let clean = clean_spin_value(&doc.text);
                doc.ext.insert("spin".to_string(), clean);
            }
            return Ok(());
        };
        let provenance = serde_json::json!({
            "story": f.story,
            "source": f.source.as_ref().map(|s| &s.0),
            "kind": f.source.as_ref().map(|s| s.1),
            "score": f.source.as_ref().map(|s| s.2),
            "copies": f.copies,
        });
        doc.ext.insert("provenance".to_string(), provenance);
        let verdict = match (&f.spin, existing) {
            (Some((score, subs, aligned)), existing) => {
                let inside = |s: &SpinSubstitution| {
                    aligned.iter().any(|a| a.start <= s.start && s.end <= a.end)
                };
                let mut merged: Vec<SpinSubstitution> = subs.clone();
                let mut intrinsic_score = 0.0;
                if let Some(e) = existing {
                    intrinsic_score = e.score;
                    merged.extend(
                        e.substitutions
                            .into_iter()
                            .filter(|s| s.evidence != "source" && !inside(s)),
                    );
                }
                let repaired = SpinVerdict::apply(&doc.text, &mut merged);
                SpinVerdict {
                    spun: true,
                    score: score.max(intrinsic_score).clamp(0.0, 1.0),
                    repaired,
                    source: f.source.as_ref().map(|s| s.0.clone()),
                    substitutions: merged,
                }
            }
            (None, Some(e)) => e,
            (None, None) => SpinVerdict::clean(&doc.text),
        };
        if f.related || f.spin.is_some() || !doc.ext.contains_key("spin") {
            doc.set_ext("spin", &verdict)?;
        }
        Ok(())
    }

    /// Provenance reads the clean text only, never the text as loaded.
    fn reads_raw(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage_with(docs: usize, weak_pairs_per_doc: f64) -> ProvenanceStage {
        let mut stage = ProvenanceStage::new(ProvenanceConfig {
            weak_pairs_per_doc,
            ..ProvenanceConfig::default()
        });
        stage.ids = (0..docs).map(|i| format!("d{i:06}")).collect();
        stage.ranks = id_ranks(&stage.ids);
        stage
    }

    #[test]
    fn the_weak_budget_keeps_the_best_scored_pairs_and_grows_with_the_corpus() {
        // 20,000 documents at 0.1 per document: 2,000 weak pairs.
        let stage = stage_with(20_000, 0.1);
        assert_eq!(stage.weak_budget(), 2_000);
        let weak: Vec<WeakPair> = (0..5_000)
            .map(|k: usize| WeakPair {
                score: (k % 1_000) as f64 / 1_000.0,
                i: k,
                j: k + 1,
                containment: 0.0,
            })
            .collect();
        let kept = stage.within_weak_budget(weak, false);
        assert_eq!(kept.len(), 2_000);
        // Scores 0.998 and 0.999 (five pairs each) are kept, 0.599 is not.
        assert!(kept.contains(&(999, 1_000)) && kept.contains(&(4_998, 4_999)));
        assert!(!kept.contains(&(599, 600)));
        // Small corpora keep up to the floor; 0 keeps none.
        assert_eq!(stage_with(100, 0.1).weak_budget(), MIN_WEAK_BUDGET);
        assert_eq!(stage_with(100, 0.0).weak_budget(), 0);
        assert!(
            stage_with(100, 0.0)
                .within_weak_budget(
                    vec![WeakPair {
                        score: 1.0,
                        i: 0,
                        j: 1,
                        containment: 1.0
                    }],
                    false
                )
                .is_empty()
        );
    }

    proptest::proptest! {
        #[test]
        fn weak_pair_selection_keeps_what_the_sorting_selection_kept(
            scores in proptest::collection::vec((0u8..6, 0u8..4, 0usize..30, 0usize..30), 0..400),
            checks in 0usize..300,
            docs_with_one_id in 1usize..4,
        ) {
            // Few distinct scores and ids shared by several documents, so
            // that ties reach the last tie-breaks.
            let mut stage = stage_with(30, 0.1);
            stage.ids = (0..30).map(|d| format!("d{}", d % (30 / docs_with_one_id))).collect();
            stage.ranks = id_ranks(&stage.ids);
            let mut pairs: Vec<(usize, usize)> = scores.iter().map(|&(_, _, i, j)| (i.min(j), i.max(j))).collect();
            pairs.sort_unstable();
            pairs.dedup();
            let weak: Vec<(usize, usize, f64, f64)> = pairs
                .iter()
                .zip(&scores)
                .map(|(&(i, j), &(c, _, _, _))| (i, j, 0.0, f64::from(c) / 5.0))
                .collect();
            // The previous selection: a stable sort, then the first ones.
            let mut sorted = weak.clone();
            let by_containment = sorted.len() > checks;
            if by_containment {
                sorted.sort_by(|x, y| {
                    y.3.total_cmp(&x.3)
                        .then_with(|| stage.ids[x.0].cmp(&stage.ids[y.0]))
                        .then_with(|| stage.ids[x.1].cmp(&stage.ids[y.1]))
                });
                sorted.truncate(checks);
            }
            let mut kept = stage.most_contained(weak, checks);
            let mut expected_kept: Vec<(usize, usize)> = sorted.iter().map(|w| (w.0, w.1)).collect();
            let mut kept_pairs: Vec<(usize, usize)> = kept.iter().map(|w| (w.0, w.1)).collect();
            expected_kept.sort_unstable();
            kept_pairs.sort_unstable();
            proptest::prop_assert_eq!(&kept_pairs, &expected_kept);
            // Then the budget, scored with few distinct values.
            let score = |w: &(usize, usize, f64, f64)| scores[(w.0 * 7 + w.1) % scores.len().max(1)].1;
            let plausible_old: Vec<(f64, usize, usize)> = sorted.iter().map(|w| (f64::from(score(w)), w.0, w.1)).collect();
            kept.sort_by_key(|w| (w.0, w.1));
            let plausible: Vec<WeakPair> = kept
                .iter()
                .map(|w| WeakPair { score: f64::from(score(w)), i: w.0, j: w.1, containment: w.3 })
                .collect();
            let budget = stage.weak_budget().min(checks / 2 + 1);
            let mut old = plausible_old;
            if old.len() > budget {
                old.sort_by(|x, y| {
                    y.0.total_cmp(&x.0)
                        .then_with(|| stage.ids[x.1].cmp(&stage.ids[y.1]))
                        .then_with(|| stage.ids[x.2].cmp(&stage.ids[y.2]))
                });
                old.truncate(budget);
            }
            let mut expected: Vec<(usize, usize)> = old.into_iter().map(|(_, i, j)| (i, j)).collect();
            expected.sort_unstable();
            let mut ours = stage.within_budget(plausible, by_containment, budget);
            ours.sort_unstable();
            proptest::prop_assert_eq!(ours, expected);
        }

        #[test]
        fn sorting_a_group_by_its_next_bits_sorts_as_sort_unstable(
            keys in proptest::collection::vec((proptest::prelude::any::<u64>(), 0u32..6), 0..200),
            narrow in 0u32..4,
        ) {
            // One group (the same top bits), its next bits few or many.
            let keys: Vec<(u64, u32)> = keys
                .into_iter()
                .map(|(h, d)| ((0x5A << (64 - TOP_BITS)) | (h >> (TOP_BITS + narrow * 12)), d))
                .collect();
            let mut expected = keys.clone();
            expected.sort_unstable();
            let mut dest = vec![(0, 0); keys.len()];
            sort_by_next_bits(&keys, &mut dest, &mut Vec::new());
            proptest::prop_assert_eq!(dest, expected);
        }

        #[test]
        fn clean_spin_value_is_the_clean_verdict(text in "\\PC{0,60}") {
            let expected = serde_json::to_value(SpinVerdict::clean(&text)).unwrap();
            let ours = clean_spin_value(&text);
            proptest::prop_assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&expected).unwrap());
            proptest::prop_assert_eq!(ours, expected);
        }

        #[test]
        fn sorted_keys_sorts_as_sort_unstable_in_crowded_groups(
            keys in proptest::collection::vec((0u64..4, proptest::prelude::any::<u64>(), 0u32..8), 1000..5000),
            repeats in 1u64..40,
        ) {
            // Keys of a few top-bit groups (each then distributed by its
            // next bits), many sharing a value, so that parts of one, a
            // few and many keys (and equal values) are sorted.
            let keys: Vec<(u64, u32)> = keys
                .into_iter()
                .map(|(top, h, d)| {
                    let low = if h % 2 == 0 {
                        h >> TOP_BITS
                    } else {
                        ((h % repeats) << 40) | (h % 3)
                    };
                    ((top << (64 - TOP_BITS)) | low, d)
                })
                .collect();
            let mut expected = keys.clone();
            expected.sort_unstable();
            let half = keys.len() / 2;
            let parts = vec![keys[..half].to_vec(), Vec::new(), keys[half..].to_vec()];
            proptest::prop_assert_eq!(sorted_keys(parts), expected);
        }

        #[test]
        fn sorted_keys_sorts_as_sort_unstable(
            keys in proptest::collection::vec((proptest::prelude::any::<u64>(), 0u32..50), 0..3000),
            narrow in proptest::prelude::any::<bool>(),
            cuts in proptest::collection::vec(0usize..3000, 0..4),
        ) {
            // Narrow keys (few distinct values) make large groups and ties.
            let keys: Vec<(u64, u32)> = if narrow {
                keys.into_iter().map(|(h, d)| ((h % 7) << 61 | (h % 3), d)).collect()
            } else {
                keys
            };
            let mut expected = keys.clone();
            expected.sort_unstable();
            // The keys in parts, cut anywhere (empty parts too).
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(keys.len())).collect();
            cuts.sort_unstable();
            let mut parts = Vec::new();
            let mut from = 0;
            for c in cuts.into_iter().chain([keys.len()]) {
                parts.push(keys[from..c].to_vec());
                from = c;
            }
            proptest::prop_assert_eq!(sorted_keys(parts), expected);
        }
    }

    #[test]
    fn negative_or_infinite_weak_budgets_are_rejected() {
        for bad in [-0.5, f64::INFINITY, f64::NAN] {
            let config = ProvenanceConfig {
                weak_pairs_per_doc: bad,
                ..ProvenanceConfig::default()
            };
            assert!(config.validate().is_err(), "{bad}");
        }
        assert!(ProvenanceConfig::default().validate().is_ok());
    }
}
