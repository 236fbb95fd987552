//! The intrinsic spin tagger: finds words a spinner likely substituted and
//! the wording they replaced, from language evidence alone.
//!
//! For every run of one to three adjacent, unprotected words the tagger asks
//! the synonym dictionaries, read in reverse, which common wording the run
//! could have replaced (through inflection: `assaults` → `assault` →
//! `attack` → `attacks`). Each candidate is scored as a noisy channel:
//!
//! ```text
//! log-odds = [log P(candidate in context) − log P(run in context)]   (bigram model)
//!          + log(ρ / (1 − ρ)) − log(fanout)                           (spinner prior)
//!          − length_penalty·|words added or removed| − name_margin (mid-sentence capitals)
//! ```
//!
//! where ρ is the prior substitution rate and `fanout` the number of
//! synonyms the spinner had to choose from. The document score is the
//! confidence-weighted share of substitutable words found substituted at a
//! low prior; a document judged spun is then repaired by the re-ranker
//! ([`crate::rerank`]) over the candidates this score lets through.
//! Listed tortured phrases are restored whatever the context says.

use crate::language_model::{LanguageModel, WordHash, WordId};
use crate::morph::{Form, Morphology};
use crate::precomputed::{self, Reading, WordOriginals};
use crate::rerank::{self, Choice, FEATURES, Rerank};
use crate::resources;
use crate::thesaurus::ReverseThesaurus;
use crate::tokens::{Shape, Token, detect_quotes, tokenize};
use crate::{SpinConfig, SpinError};
use copydesk_core::{SpinSubstitution, SpinVerdict};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock, RwLock};

/// Spun wordings whose originals are remembered before the cache is reset.
const CACHE_LIMIT: usize = 200_000;

/// One original a spun wording may stand for. Laid out in declaration
/// order, what every visit of a list reads first (the skip bound of the
/// rest of the list and what the pair search keeps of a one-word
/// original) in the first 56 bytes.
#[derive(Debug, Clone)]
#[repr(C)]
struct Option_ {
    /// The largest [`SkipKeys`] from this option to the end of its list.
    rest: SkipKeys,
    first: WordId,
    /// Sum of the unigram log-probabilities of `ids`.
    log_prob: f64,
    /// Natural log of the number of synonyms the spinner had.
    log_fanout: f64,
    /// Natural log of the wording's frequency rank among them.
    log_rank: f64,
    /// `ids.len()`, kept beside the scores so that the common case (an
    /// option pruned unbuilt) reads no second allocation.
    n_words: usize,
    /// Upper bounds of the option's part of [`Prune::may_matter`] for a
    /// one-word run under the tagger's weights (see [`SkipKeys`]).
    keys: SkipKeys,
    /// `channel(w, log_fanout, log_rank)` under the tagger's weights.
    channel: f64,
    /// What the pruning bound needs without reading `ids` (with `first`):
    /// the last word, the largest `log P(first | any)` and
    /// `log P(any | last)`, and the bound and number of the bigrams inside
    /// the wording.
    in_first: f32,
    out_last: f32,
    inner_bound: f64,
    inner_transitions: usize,
    last: WordId,
    mutual: bool,
    text: Arc<str>,
    ids: OptionIds,
}

/// The vocabulary ids of an option's words: one word (most options)
/// held inline, no allocation.
#[derive(Debug, Clone)]
enum OptionIds {
    One(WordId),
    Many(Box<[WordId]>),
}

impl OptionIds {
    fn as_slice(&self) -> &[WordId] {
        match self {
            OptionIds::One(id) => std::slice::from_ref(id),
            OptionIds::Many(ids) => ids,
        }
    }
}

/// The smallest `f32` at least `x` (`+inf` for NaN): a bound kept in
/// half the space stays a bound.
fn round_up(x: f64) -> f32 {
    if x.is_nan() {
        return f32::INFINITY;
    }
    let f = x as f32;
    if f64::from(f) >= x {
        f
    } else if f == 0.0 {
        f32::from_bits(1)
    } else if f > 0.0 {
        f32::from_bits(f.to_bits() + 1)
    } else {
        f32::from_bits(f.to_bits() - 1)
    }
}

/// For a one-word run, upper bounds of the part of the detection and the
/// repair log-odds [`Prune::may_matter`] computes that depends on the
/// option, by whether the run has a word after it (index 1) or not
/// (index 0); [`RunBound`] adds the part that depends on the run. `+inf`
/// where no bound is known.
#[derive(Debug, Clone, Copy)]
struct SkipKeys {
    detect: [f32; 2],
    repair: [f32; 2],
}

impl SkipKeys {
    const NONE: SkipKeys = SkipKeys {
        detect: [f32::INFINITY; 2],
        repair: [f32::INFINITY; 2],
    };

    fn max(self, o: SkipKeys) -> SkipKeys {
        let m = |a: [f32; 2], b: [f32; 2]| [a[0].max(b[0]), a[1].max(b[1])];
        SkipKeys {
            detect: m(self.detect, o.detect),
            repair: m(self.repair, o.repair),
        }
    }
}

/// Slack (nats) kept by the option skip against the rounding of the sums
/// it bounds, on top of [`EPS`].
const SKIP_SLACK: f64 = 1e-6;

/// The run's part of the bounds [`SkipKeys`] hold, for a one-word run:
/// an option whose keys plus these stay below the limits cannot pass
/// [`Prune::may_matter`] (and a one-word run is never an expansion).
#[derive(Debug, Clone, Copy)]
struct RunBound {
    side: usize,
    detect: f64,
    repair: f64,
    detect_limit: f64,
    repair_limit: f64,
}

impl RunBound {
    /// Whether options with keys `k` surely fail [`Prune::may_matter`].
    fn rules_out(&self, k: &SkipKeys) -> bool {
        f64::from(k.detect[self.side]) + self.detect < self.detect_limit
            && f64::from(k.repair[self.side]) + self.repair < self.repair_limit
    }
}

/// Whether tokens `i` and `i + 1` may both have been replaced (a pair
/// [`SpinTagger::add_pairs`] judges): linked, and not an attested bigram.
fn open_pair(tokens: &[Token], ids: &[WordId], links: &[(f64, bool)], i: usize) -> bool {
    tokens.get(i).is_some_and(|t| t.linked_next)
        && !(ids.get(i).copied().flatten().is_some()
            && ids.get(i + 1).copied().flatten().is_some()
            && links.get(i).is_some_and(|l| l.1))
}

/// Whether a token may have one-word originals for the pair search:
/// [`SpinTagger::find_candidates`] reads the originals of a word alone
/// only when it is not protected, not of [`Shape::Other`] and not
/// hyphenated. (A pair needs originals on both sides, so the originals
/// of a word whose only open neighbours fail this are never read.)
fn may_keep_singles(t: &Token) -> bool {
    !t.protected && t.shape != Shape::Other && !t.lower.as_bytes().contains(&b'-')
}

/// A one-word original of a token, for the pair search: its index in the
/// token's option list, its id, its unigram difference, and the key that
/// ranks it among the token's originals (see [`pair_rank`]), computed once
/// rather than at every comparison of the selection.
#[derive(Debug, Clone, Copy)]
struct Single {
    option: usize,
    id: u32,
    unigram: f64,
    rank_key: f64,
}

/// How likely a one-word original is to be paired (higher first): its
/// unigram advantage (capped), less the spinner's choice among synonyms.
fn pair_rank(o: &Option_, unigram: f64) -> f64 {
    unigram.min(6.0) - o.log_fanout - o.log_rank
}

/// Puts the `PAIR_OPTIONS` likeliest of a token's one-word originals
/// (`top`: their range in `list` and whether that is done) first, once.
fn select_top(list: &mut [Single], top: &mut (usize, usize, bool)) {
    if top.2 {
        return;
    }
    top.2 = true;
    if let Some(l) = list.get_mut(top.0..top.1)
        && l.len() > PAIR_OPTIONS
    {
        l.select_nth_unstable_by(PAIR_OPTIONS - 1, |a, b| b.rank_key.total_cmp(&a.rank_key));
    }
}

/// Every token's one-word originals.
struct Singles {
    /// In token order.
    list: Vec<Single>,
    /// Each token's range in `list`.
    ranges: Vec<(usize, usize)>,
    /// Each token's option list (`None` where it has none).
    options: Vec<Option<Arc<[Option_]>>>,
}

/// What [`SpinTagger::find_candidates`] found.
struct Found {
    candidates: Vec<Candidate>,
    /// Per token, whether some run starting there has a candidate original
    /// (pruned or not).
    substitutable: Vec<bool>,
}

/// A run's neighbours for [`SpinTagger::option_bound`], with the bounds
/// that depend on them alone read once per run rather than per option.
struct Neighbours {
    /// The word before the run (`None`: no linked word before it).
    left: Option<WordId>,
    /// The word after the run (`None`: no linked word after it).
    right: Option<WordId>,
    /// [`LanguageModel::max_out`] of the known word before (0 otherwise).
    left_out: f32,
    /// [`LanguageModel::max_in`] of the known word after (0 otherwise).
    right_in: f32,
}

impl Neighbours {
    fn new(lm: &LanguageModel, left: Option<WordId>, right: Option<WordId>) -> Self {
        Neighbours {
            left,
            right,
            left_out: left.flatten().map_or(0.0, |l| lm.max_out(l)),
            right_in: right.flatten().map_or(0.0, |r| lm.max_in(r)),
        }
    }
}

/// Margin (nats) kept by the pruning bounds against rounding.
const EPS: f64 = 1e-6;

/// The parts of a candidate's log-odds that need no bigram lookup.
struct Fixed {
    unigram: f64,
    /// `channel(w, log_fanout, log_rank)` with the pruning's weights.
    channel: f64,
    mutual: bool,
    length_change: usize,
    name: bool,
    substitutions: u8,
}

/// Skips candidates that cannot matter: with the context evidence bounded
/// from above (see [`LanguageModel::log_cond_bound`]), a candidate whose
/// best possible score stays below both the detection and the repair
/// thresholds (at the boldest repair prior) is never selected, so it need
/// not be built. Exact only for the weights it was made with, and only
/// where the score grows with the context evidence and nothing is pooled.
#[derive(Debug, Clone, Copy)]
struct Prune {
    w: Weights,
    detect_prior: f64,
    repair_prior: f64,
    /// Smallest repair log-odds that matters (`+inf`: none does).
    repair_min: f64,
    /// Whether `w` scores options as the tagger's own weights do, so that
    /// the parts cached with the options ([`Option_::channel`],
    /// [`SkipKeys`]) hold for it.
    keyed: bool,
}

impl Prune {
    /// A pruning for weights `w` that keeps what detection needs and the
    /// candidates whose repair log-odds (at the boldest repair prior) may
    /// exceed `repair_min` (`+inf`: detection only).
    fn new(w: &Weights, repair_min: f64, own: &Weights) -> Option<Prune> {
        let exact = w.pool <= 0.0
            && w.agree == 0.0
            && w.context >= 0.0
            && w.support >= 0.0
            && w.detect_support >= 0.0;
        exact.then(|| Prune {
            w: *w,
            detect_prior: logit(w.detect_rate),
            repair_prior: SpinTagger::boldest_repair_prior(w),
            repair_min,
            keyed: scores_alike(w, own),
        })
    }

    /// Whether a candidate with these fixed parts, at most `context` of
    /// context difference and `support` more attested bigrams, could be
    /// selected for detection or repair.
    fn may_matter(&self, f: &Fixed, context: f64, support: f64) -> bool {
        let w = &self.w;
        let subs = f64::from(f.substitutions);
        let length = f.length_change as f64;
        let shared = w.unigram * f.unigram.min(w.max_unigram)
            + w.context * context
            + f.channel
            + if f.mutual { w.mutual } else { 0.0 }
            - if f.name { w.name_margin } else { 0.0 };
        let detect = shared + w.detect_support * support - w.detect_length_penalty * length
            + (w.detect_bias + self.detect_prior) * subs;
        let repair = shared + w.support * support - w.length_penalty * length
            + (w.bias + self.repair_prior) * subs;
        detect > -EPS || repair > self.repair_min - EPS
    }
}

/// Whether two weightings give the same [`Option_::channel`] and
/// [`SkipKeys`] (every weight these read, bit for bit).
fn scores_alike(a: &Weights, b: &Weights) -> bool {
    let read = |w: &Weights| {
        [
            w.unigram,
            w.context,
            w.fanout,
            w.rank,
            w.common,
            w.mutual,
            w.support,
            w.length_penalty,
            w.detect_support,
            w.detect_length_penalty,
        ]
        .map(f64::to_bits)
    };
    read(a) == read(b)
}

/// Longest run of words considered as one substitution.
const MAX_RUN: usize = 3;
/// Candidates kept per run (the most frequent ones).
const MAX_CANDIDATES: usize = 20;
/// A candidate this much rarer (natural log of counts) than the run is not tried.
const MAX_RARER: f64 = 2.5;
/// Synonym ranks (by frequency) a common-synonym spinner picks from.
const TOP_RANK: u32 = 3;
/// Originals of each word tried when two adjacent words are restored together.
const PAIR_OPTIONS: usize = 4;
/// Language-model gain (nats) of a shorter original over a multiword
/// wording that marks the wording as a likely phrase expansion.
const PHRASE_GAIN: f64 = 3.0;
/// Natural log of the count above which a word is a function word (about
/// the 50 commonest English words).
pub(crate) const FUNCTION_WORD_LOG_COUNT: f64 = 20.72; // ln(1e9)
/// Log-odds given to a listed tortured phrase.
const LISTED_LOGODDS: f64 = 4.0;

/// Tuning of the scoring (all in nats unless said otherwise).
#[derive(Debug, Clone, Copy)]
pub struct Weights {
    /// Weight of the unigram (frequency) part of the language-model difference.
    pub unigram: f64,
    /// Largest unigram advantage counted (a candidate vastly more frequent
    /// than the text's word is no more likely for it).
    pub max_unigram: f64,
    /// Weight of the context (bigram) part of the language-model difference.
    pub context: f64,
    /// Weight of the difference in attested bigrams.
    pub support: f64,
    /// Weight of the smaller of the two boundary gains (left and right
    /// neighbour), counted when both neighbours exist and both favour the
    /// candidate: the original fits better on both sides.
    pub agree: f64,
    /// Weight of log(fanout).
    pub fanout: f64,
    /// Weight of log(rank) of the spun wording among the original's
    /// synonyms by frequency (spinners favour common synonyms).
    pub rank: f64,
    /// Natural log of the share of spinners that write one of the
    /// original's `TOP_RANK` commonest synonyms (rather than any synonym):
    /// for a wording ranked that high, the channel probability is the
    /// larger of `exp(common) / TOP_RANK` and the fanout/rank term.
    /// `-inf` leaves the common-synonym spinner out.
    pub common: f64,
    /// Weight of the context evidence pooled from other occurrences of the
    /// same wording with the same candidate original (a consistent
    /// spinner writes the same synonym everywhere); 0 (the default) turns
    /// pooling off: at 0.5 and 1 it raised damage and false alarms on the
    /// calibration set, repeated terms of unspun news being pooled too.
    pub pool: f64,
    /// Bonus for a mutual synonym pair.
    pub mutual: f64,
    /// Constant added to every candidate's log-odds.
    pub bias: f64,
    /// `bias` used when judging the document (detection may count weaker,
    /// smaller pieces of evidence than repair acts on).
    pub detect_bias: f64,
    /// `support` used when judging the document.
    pub detect_support: f64,
    /// `length_penalty` used when judging the document.
    pub detect_length_penalty: f64,
    /// Prior substitution rate used to judge the document.
    pub detect_rate: f64,
    /// Prior substitution rate used to repair a document judged spun
    /// (when `repair_scale` is 0).
    pub repair_rate: f64,
    /// Two-pass repair: when above 0, the prior substitution rate used to
    /// repair a document judged spun is this multiple of the document's
    /// own detected rate (see [`SpinTagger::document_rate`]), bounded to
    /// 1%..`repair_max`: a heavily spun document gets a bolder repair.
    pub repair_scale: f64,
    /// Largest prior substitution rate the two-pass repair may use.
    pub repair_max: f64,
    /// With the re-ranker off: largest share of words inside phrase
    /// expansions (see [`Analysis::expanded_words`]) of a document still
    /// repaired word by word; above it the document is judged but only
    /// listed phrases are restored.
    pub repair_max_expanded: f64,
    /// Cost per word added or removed by a substitution.
    pub length_penalty: f64,
    /// Extra evidence required for a capitalized word inside a sentence.
    pub name_margin: f64,
    /// Document shrinkage: pseudo-count of substitutable words.
    pub shrink: f64,
    /// Share of substitutable words (confidence-weighted) that maps to score 0.5.
    pub half_rate: f64,
    /// Document evidence (in units where 1 means score 0.5) per nat of
    /// mean word-pair association below `fluency_center`: spun text reads
    /// less fluently than edited news, even where no single substitution
    /// can be pinned down.
    pub fluency: f64,
    /// Mean association (PMI, nats) of adjacent word pairs in typical
    /// unspun news; only documents below it gain evidence.
    pub fluency_center: f64,
    /// Pseudo-count of word pairs at `fluency_center` added to every
    /// document (short documents say little).
    pub fluency_shrink: f64,
    /// Document evidence (units where 1 means score 0.5) per unit of the
    /// share of words inside phrase expansions (see
    /// [`Analysis::expanded_words`]) above `expansion_center`.
    pub expansion: f64,
    /// Share of expanded words found in unspun news (only documents
    /// above it gain evidence).
    pub expansion_center: f64,
    /// Pseudo-count of words at `expansion_center` added to every
    /// document before the share is taken.
    pub expansion_shrink: f64,
    /// Words at which a document's evidence counts half: the evidence is
    /// scaled by `words / (words + short_words)`, a prior against judging
    /// short texts (a headline, a few sentences) on little evidence.
    pub short_words: f64,
    /// The context re-ranker that picks the restorations of a document
    /// judged spun (see [`crate::rerank`]).
    pub rerank: Rerank,
}

impl Default for Weights {
    /// Calibrated by `examples/eval.rs --calibrate` on a Reuters-21578
    /// calibration set held apart from the evaluation's test articles
    /// (another residue of the record number, spun by the same spinners):
    /// the document threshold sits 10% above the 99.75th percentile of the
    /// unspun calibration articles; detection weights maximize recall
    /// there, repair weights the errors removed minus the share of correct
    /// words damaged (under 0.9% damage, at most 1% of documents made worse).
    fn default() -> Self {
        Weights {
            unigram: 1.0,
            max_unigram: 6.0,
            context: 0.25,
            support: 0.0,
            agree: 0.0,
            fanout: 0.6,
            rank: 0.5,
            common: f64::NEG_INFINITY,
            pool: 0.0,
            mutual: 1.5,
            bias: -2.4,
            detect_bias: -1.6,
            detect_support: 1.0,
            detect_length_penalty: 2.5,
            detect_rate: 0.05,
            repair_rate: 0.2,
            repair_scale: 4.0,
            repair_max: 0.6,
            repair_max_expanded: 0.06,
            length_penalty: 2.5,
            name_margin: 4.0,
            shrink: 30.0,
            half_rate: 0.05773,
            fluency: 0.3465,
            fluency_center: 3.7477,
            fluency_shrink: 20.0,
            expansion: 34.65,
            expansion_center: 0.05,
            expansion_shrink: 100.0,
            short_words: 30.0,
            rerank: Rerank::default(),
        }
    }
}

/// Detects spin in one text and restores the likely original wording.
pub struct SpinTagger {
    lm: &'static LanguageModel,
    morph: &'static Morphology,
    builtin: Vec<&'static ReverseThesaurus>,
    user: Vec<ReverseThesaurus>,
    phrases: HashMap<String, String>,
    longest_phrase: usize,
    /// Words (in any inflection) that start a multiword dictionary entry
    /// or listed phrase: runs starting elsewhere are single words.
    phrase_starts: HashSet<String, WordHash>,
    /// `phrase_starts` by vocabulary id.
    phrase_start_ids: Vec<bool>,
    /// First words of the listed tortured phrases.
    listed_firsts: HashSet<String, WordHash>,
    /// `listed_firsts` by vocabulary id (read instead of hashing the
    /// token's text where the token is a known word).
    listed_first_ids: Vec<bool>,
    /// Hashes ([`phrase_hash`]) of every multiword wording a text may show
    /// for a dictionary phrase: the phrase, its first word in any form
    /// [`Morphology::analyze`] may read, its last word in any plural. A
    /// run of words not in it has no originals (the lookup is skipped).
    phrase_surfaces: HashSet<u64, WordHash>,
    /// A compact filter of `phrase_surfaces`, read first: most runs are
    /// no dictionary wording, and the bit array stays in cache where the
    /// set does not.
    surface_filter: HashFilter,
    /// Which known words may follow the first word of a two- or
    /// three-word wording in `phrase_surfaces`, read before the filter.
    surface_words: SurfaceWords,
    threshold: f64,
    /// The user's floor on a restoration's confidence, if any.
    min_confidence: Option<f64>,
    protect_quotes: bool,
    weights: Weights,
    cache: RwLock<HashMap<String, Arc<[Option_]>, WordHash>>,
    /// Originals of single known words, by vocabulary id.
    word_cache: Vec<OnceLock<Arc<[Option_]>>>,
    /// The originals of every vocabulary word computed ahead of time,
    /// when the tagger's dictionaries are the ones it was computed for.
    precomputed: Option<&'static WordOriginals>,
}

impl std::fmt::Debug for SpinTagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpinTagger")
            .field(
                "dictionaries",
                &self.builtin.iter().map(|d| &d.name).collect::<Vec<_>>(),
            )
            .field("user_dictionaries", &self.user.len())
            .field("phrases", &self.phrases.len())
            .field("threshold", &self.threshold)
            .finish_non_exhaustive()
    }
}

/// One candidate original for a run of words, with its evidence.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Index of the run's first token.
    pub first: usize,
    /// Index of the run's last token.
    pub last: usize,
    /// The candidate original, lowercase words separated by spaces.
    pub original: Arc<str>,
    /// Unigram part of the language-model difference (candidate − run).
    pub unigram: f64,
    /// Context part of the language-model difference (bigrams beyond unigrams).
    pub context: f64,
    /// Attested bigrams of the candidate minus those of the run.
    pub support: i32,
    /// Gain in association (log P(first | left) − log P(first)) of the
    /// candidate over the run with the left neighbour (0 without one).
    pub left_gain: f64,
    /// The same with the right neighbour (0 without one).
    pub right_gain: f64,
    /// Association (PMI) of the text's own run with its left and right
    /// neighbours together (0 for a missing neighbour): how well the
    /// words found fit where they stand.
    pub spun_fit: f64,
    /// Natural log of the number of synonyms the spinner had.
    pub log_fanout: f64,
    /// Natural log of the spun wording's frequency rank among them.
    pub log_rank: f64,
    /// Whether each wording lists the other as a synonym.
    pub mutual: bool,
    /// Words added or removed.
    pub length_change: usize,
    /// Whether the run holds a capitalized word inside a sentence.
    pub name: bool,
    /// Whether the run is a listed tortured phrase.
    pub listed: bool,
    /// Vocabulary ids of the candidate's first and last words (`None`
    /// for a word outside the vocabulary or a listed phrase).
    pub edge_words: (Option<u32>, Option<u32>),
    /// How many substitutions the candidate stands for: 1, or 2 for two
    /// adjacent words each replaced by a synonym (the prior and bias count
    /// once per substitution).
    pub substitutions: u8,
}

impl Candidate {
    /// Log-odds that the candidate is the original, before the rate prior
    /// (the repair weights).
    pub fn logodds(&self, w: &Weights) -> f64 {
        self.logodds_with(w, w.bias, w.support, w.length_penalty)
    }

    /// Log-odds with the detection weights (`detect_*`), used to judge the
    /// document.
    pub fn detection_logodds(&self, w: &Weights) -> f64 {
        self.logodds_with(w, w.detect_bias, w.detect_support, w.detect_length_penalty)
    }

    /// Log-probability (up to a constant) that a spinner wrote the run for
    /// the candidate: one synonym among `fanout`, favouring common ones;
    /// or, for a wording among the original's commonest synonyms, one of
    /// those few.
    pub fn channel(&self, w: &Weights) -> f64 {
        channel(w, self.log_fanout, self.log_rank)
    }

    /// The part of the log-odds that comes from this occurrence's context
    /// (bigrams with its neighbours), as opposed to the word choice itself.
    fn context_part(&self, w: &Weights, support: f64) -> f64 {
        w.context * self.context
            + support * f64::from(self.support)
            + w.agree * self.left_gain.min(self.right_gain).max(0.0)
    }

    fn logodds_with(&self, w: &Weights, bias: f64, support: f64, length_penalty: f64) -> f64 {
        if self.listed {
            return LISTED_LOGODDS;
        }
        let mut lo = w.unigram * self.unigram.min(w.max_unigram)
            + self.context_part(w, support)
            + self.channel(w)
            - length_penalty * self.length_change as f64
            + if self.mutual { w.mutual } else { 0.0 }
            + bias * f64::from(self.substitutions);
        if self.name {
            lo -= w.name_margin;
        }
        lo
    }
}

/// Every candidate found in a text, before any decision.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The tokens of the text.
    pub tokens: Vec<Token>,
    /// Each token's vocabulary id (`None` outside the vocabulary).
    pub ids: Vec<Option<u32>>,
    /// The candidates, all of them (several per run).
    pub candidates: Vec<Candidate>,
    /// Distinct lowercase words that start at least one candidate.
    pub substitutable: usize,
    /// Sum of the association (PMI, nats) of adjacent lowercase word pairs.
    pub pair_association: f64,
    /// Number of those pairs.
    pub pairs: usize,
    /// For each candidate, its group: the same wording with the same
    /// original elsewhere in the text (`u32::MAX` for candidates not
    /// pooled: listed phrases and adjacent pairs).
    pub groups: Vec<u32>,
    /// Words inside a multiword dictionary wording that a shorter original
    /// makes far more fluent (by `PHRASE_GAIN` nats or more): the trace of
    /// a spinner that writes phrases for words ("am after" for "proposed").
    pub expanded_words: usize,
}

/// See [`Candidate::channel`].
fn channel(w: &Weights, log_fanout: f64, log_rank: f64) -> f64 {
    channel_given(w, log_fanout, log_rank, || log_choices(log_fanout))
}

/// The log of the choices [`channel`] credits a spinner with when the
/// wording is among the top ones.
fn log_choices(log_fanout: f64) -> f64 {
    f64::from(TOP_RANK).min(log_fanout.exp()).max(1.0).ln()
}

/// [`channel`] with [`log_choices`] given (computed only when needed).
#[inline]
fn channel_given(
    w: &Weights,
    log_fanout: f64,
    log_rank: f64,
    log_choices: impl FnOnce() -> f64,
) -> f64 {
    let spread = -w.fanout * log_fanout - w.rank * log_rank;
    let top = f64::from(TOP_RANK);
    if w.common.is_finite() && log_rank <= top.ln() + 1e-9 {
        spread.max(w.common - log_choices())
    } else {
        spread
    }
}

/// Fanouts and ranks below this read their logs from [`small_logs`].
const SMALL_LOGS: u32 = 1024;

/// For each `n < SMALL_LOGS`: `ln n` and [`log_choices`] of it, by the
/// same expressions, evaluated once per process.
fn small_logs() -> &'static [(f64, f64)] {
    static T: OnceLock<Vec<(f64, f64)>> = OnceLock::new();
    T.get_or_init(|| {
        (0..SMALL_LOGS)
            .map(|n| {
                let l = f64::from(n).ln();
                (l, log_choices(l))
            })
            .collect()
    })
}

/// `(ln fanout, ln rank, channel(w, ln fanout, ln rank))`, with the logs
/// of small numbers read from a table.
#[inline]
fn fanout_rank_channel(w: &Weights, fanout: u32, rank: u32) -> (f64, f64, f64) {
    let logs = small_logs();
    match (logs.get(fanout as usize), logs.get(rank as usize)) {
        (Some(&(log_fanout, choices)), Some(&(log_rank, _))) => (
            log_fanout,
            log_rank,
            channel_given(w, log_fanout, log_rank, || choices),
        ),
        _ => {
            let (log_fanout, log_rank) = (f64::from(fanout).ln(), f64::from(rank).ln());
            (log_fanout, log_rank, channel(w, log_fanout, log_rank))
        }
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// Gives `original` the capitalization of `spun`.
fn match_case(spun: &str, original: &str, shape: Shape) -> String {
    if spun.chars().all(|c| !c.is_lowercase()) && spun.chars().any(char::is_uppercase) {
        return original.to_uppercase();
    }
    match shape {
        Shape::Capitalized => {
            let mut c = original.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        }
        _ => original.to_string(),
    }
}

impl SpinTagger {
    /// Builds a tagger from the stage's configuration, reading the user's
    /// resource files.
    pub fn new(config: &SpinConfig) -> Result<SpinTagger, SpinError> {
        let uses_precomputed =
            config.dictionaries == resources::BUILTIN_DICTIONARIES && config.synonyms.is_empty();
        resources::read_tables_side_by_side(&config.dictionaries, uses_precomputed);
        let mut builtin = Vec::new();
        for name in &config.dictionaries {
            builtin.push(
                resources::builtin_dictionary(name)
                    .ok_or_else(|| SpinError::UnknownDictionary(name.clone()))?,
            );
        }
        let mut user = Vec::new();
        for path in &config.synonyms {
            user.push(resources::load_synonym_file(path)?);
        }
        let mut phrases = if config.builtin_tortured_phrases {
            resources::builtin_tortured_phrases()
        } else {
            HashMap::new()
        };
        for path in &config.tortured_phrase_files {
            phrases.extend(resources::load_phrase_file(path)?);
        }
        for (spun, original) in &config.tortured_phrases {
            let key = crate::thesaurus::normalize(spun).into_owned();
            if !key.is_empty() && !original.trim().is_empty() {
                phrases.insert(key, original.trim().to_string());
            }
        }
        let longest_phrase = phrases
            .keys()
            .map(|k| k.split(' ').count())
            .max()
            .unwrap_or(0);
        let morph = resources::morphology();
        let mut phrase_starts: HashSet<String, WordHash> = HashSet::default();
        let firsts = builtin
            .iter()
            .copied()
            .chain(user.iter())
            .flat_map(|d| d.phrase_first_words())
            .chain(
                phrases
                    .keys()
                    .filter_map(|k| k.split_once(' ').map(|p| p.0)),
            );
        // Each first word is inflected once, whether or not it was already
        // in the set as another word's inflection ("offer" as a comparative
        // of "off"): the set does not depend on the order of the keys.
        let mut inflected: HashSet<&str, WordHash> = HashSet::default();
        for first in firsts {
            if inflected.insert(first) {
                phrase_starts.insert(first.to_string());
                for form in [Form::S, Form::Ed, Form::Ing, Form::Er, Form::Est] {
                    phrase_starts.extend(morph.inflect(first, form));
                }
            }
        }
        let lm = match &config.language_model {
            Some(path) => resources::domain_language_model(path, config.language_model_weight)?,
            None => resources::language_model(),
        };
        let mut phrase_surfaces: HashSet<u64, WordHash> = HashSet::default();
        let mut surface_words = SurfaceWords::new(lm.vocabulary_size());
        // `add_surface(surface, true)` records a wording and marks its later
        // words; with `false`, only records it (its later words are marked).
        let mut add_surface = |surface: &str, mark: bool| {
            phrase_surfaces.insert(phrase_hash(surface));
            if mark {
                surface_words.mark(surface, lm);
            }
        };
        let dicts = builtin.iter().copied().chain(user.iter());
        let mut surface = String::new();
        for key in dicts.flat_map(|d| d.entries().map(|(k, _)| k)) {
            let (Some((first, rest)), Some((head, last))) =
                (key.split_once(' '), key.rsplit_once(' '))
            else {
                continue;
            };
            add_surface(key, true);
            // A one-word form of the first word leaves the later words, the
            // only ones `mark` looks at, as they are in `key`.
            morph.for_each_analyzed_as(first, false, |form| {
                surface.clear();
                surface.push_str(form);
                surface.push(' ');
                surface.push_str(rest);
                add_surface(&surface, form.contains(' '));
            });
            morph.for_each_analyzed_as(last, true, |form| {
                surface.clear();
                surface.push_str(head);
                surface.push(' ');
                surface.push_str(form);
                add_surface(&surface, true);
            });
        }
        let mut phrase_start_ids = vec![false; lm.vocabulary_size()];
        for word in &phrase_starts {
            if let Some(flag) = lm
                .id(word)
                .and_then(|id| phrase_start_ids.get_mut(id as usize))
            {
                *flag = true;
            }
        }
        let listed_firsts: HashSet<String, WordHash> = phrases
            .keys()
            .map(|k| k.split_once(' ').map_or(k.as_str(), |p| p.0).to_string())
            .collect();
        let mut listed_first_ids = vec![false; lm.vocabulary_size()];
        for word in &listed_firsts {
            if let Some(flag) = lm
                .id(word)
                .and_then(|id| listed_first_ids.get_mut(id as usize))
            {
                *flag = true;
            }
        }
        Ok(SpinTagger {
            lm,
            phrase_start_ids,
            listed_firsts,
            listed_first_ids,
            surface_filter: HashFilter::new(&phrase_surfaces),
            surface_words,
            phrase_surfaces,
            morph,
            phrase_starts,
            builtin,
            user,
            phrases,
            longest_phrase,
            threshold: config.threshold,
            min_confidence: config.min_confidence,
            protect_quotes: config.protect_quotes,
            weights: Weights {
                name_margin: config.name_margin,
                ..Weights::default()
            },
            cache: RwLock::new(HashMap::default()),
            word_cache: (0..resources::language_model().vocabulary_size())
                .map(|_| OnceLock::new())
                .collect(),
            precomputed: uses_precomputed.then(precomputed::builtin).flatten(),
        })
    }

    /// The smallest confidence of a restoration on the noisy-channel path
    /// (the re-ranker off): the user's, or 0.5.
    fn channel_min_confidence(&self) -> f64 {
        self.min_confidence.unwrap_or(0.5)
    }

    /// Replaces the scoring weights (for tuning and evaluation).
    pub fn with_weights(mut self, weights: Weights) -> Self {
        self.weights = weights;
        // The cached options hold parts computed with the weights.
        self.cache = RwLock::new(HashMap::default());
        self.word_cache = (0..self.word_cache.len())
            .map(|_| OnceLock::new())
            .collect();
        self
    }

    /// Whether quoted speech is left alone.
    pub fn protects_quotes(&self) -> bool {
        self.protect_quotes
    }

    /// The scoring weights in use.
    pub fn weights(&self) -> Weights {
        self.weights
    }

    /// Analyzes a text, detecting quoted speech itself.
    pub fn analyze(&self, text: &str) -> SpinVerdict {
        let quotes = if self.protect_quotes {
            detect_quotes(text)
        } else {
            Vec::new()
        };
        self.analyze_protected(text, &quotes)
    }

    /// Analyzes a text whose protected byte ranges (quoted speech) are given.
    pub fn analyze_protected(&self, text: &str, protected: &[(usize, usize)]) -> SpinVerdict {
        let analysis = self.candidates_pruned(text, protected);
        self.decide(text, &analysis, &self.weights)
    }

    /// Finds every candidate substitution in a text (the costly part),
    /// for judging it under any weights (tuning, evaluation).
    pub fn candidates(&self, text: &str, protected: &[(usize, usize)]) -> Analysis {
        self.analysis(text, protected, None)
    }

    /// Finds the candidate substitutions that may matter under the
    /// tagger's own weights ([`SpinTagger::weights`]) and confidence: the
    /// others could never be selected, whatever their context, and are
    /// left out. [`SpinTagger::decide`] with those weights gives the same
    /// verdict as on [`SpinTagger::candidates`], several times faster.
    ///
    /// With the re-ranker on, the text is first read for detection only;
    /// a document judged spun is then read again keeping every candidate
    /// that passes the re-ranker's gate (unspun text, the common case,
    /// pays for detection alone).
    pub fn candidates_pruned(&self, text: &str, protected: &[(usize, usize)]) -> Analysis {
        let w = &self.weights;
        if !w.rerank.enabled {
            let prune = Prune::new(w, logit(self.channel_min_confidence()), &self.weights);
            return self.analysis(text, protected, prune.as_ref());
        }
        let detect = Prune::new(w, f64::INFINITY, &self.weights);
        let first = self.analysis(text, protected, detect.as_ref());
        if detect.is_none() || !self.judged_spun(&first, w) {
            return first;
        }
        let repair = Prune::new(w, w.rerank.gate, &self.weights);
        self.analysis(text, protected, repair.as_ref())
    }

    /// The document score from an analysis, and whether it reaches the
    /// threshold.
    fn judged_spun(&self, analysis: &Analysis, w: &Weights) -> bool {
        let rate = self.document_rate(analysis, w);
        1.0 - 0.5f64.powf(self.evidence_from_rate(analysis, w, rate)) >= self.threshold
    }

    fn analysis(
        &self,
        text: &str,
        protected: &[(usize, usize)],
        prune: Option<&Prune>,
    ) -> Analysis {
        let tokens = tokenize(text, protected);
        let ids: Vec<WordId> = tokens.iter().map(|t| self.lm.id(&t.lower)).collect();
        let links = self.links(&tokens, &ids);
        let Found {
            candidates,
            substitutable,
        } = self.find_candidates(&tokens, &ids, &links, prune);
        // Distinct wordings (not tokens) that could be substitutions: known
        // words counted by id (one id per wording), unknown ones by text.
        let mut known: Vec<u32> = Vec::with_capacity(tokens.len());
        let mut unknown: Vec<&str> = Vec::new();
        for ((t, id), _) in tokens
            .iter()
            .zip(&ids)
            .zip(&substitutable)
            .filter(|(_, s)| **s)
        {
            match id {
                Some(id) => known.push(*id),
                None => unknown.push(t.lower.as_str()),
            }
        }
        known.sort_unstable();
        known.dedup();
        unknown.sort_unstable();
        unknown.dedup();
        let substitutable = known.len() + unknown.len();
        let (pair_association, pairs) = self.association(&tokens, &ids, &links);
        let mut expanded = vec![false; tokens.len()];
        for c in &candidates {
            if c.last > c.first
                && !c.listed
                && c.substitutions == 1
                && c.length_change > 0
                && c.unigram + c.context > PHRASE_GAIN
            {
                for e in expanded.iter_mut().take(c.last + 1).skip(c.first) {
                    *e = true;
                }
            }
        }
        // Candidates share a group when they come from the same cached
        // option (same wording, same original).
        let mut group_of: HashMap<usize, u32, WordHash> =
            HashMap::with_capacity_and_hasher(candidates.len(), WordHash::default());
        let groups = candidates
            .iter()
            .map(|c| {
                if c.listed || c.substitutions != 1 {
                    return u32::MAX;
                }
                let next = group_of.len() as u32;
                *group_of
                    .entry(Arc::as_ptr(&c.original) as *const u8 as usize)
                    .or_insert(next)
            })
            .collect();
        Analysis {
            ids,
            substitutable,
            pair_association,
            pairs,
            groups,
            expanded_words: expanded.iter().filter(|&&e| e).count(),
            tokens,
            candidates,
        }
    }

    /// The document's evidence of spin: the confidence-weighted share of
    /// substitutable wordings found substituted at the detection prior
    /// (the score is 0.5 where this equals `w.half_rate`).
    pub fn document_rate(&self, analysis: &Analysis, w: &Weights) -> f64 {
        let tokens = &analysis.tokens;
        let runs = &analysis.candidates;
        let detect_prior = logit(w.detect_rate);
        let scores = pooled_scores(
            analysis,
            w,
            w.detect_support,
            |c| c.detection_logodds(w),
            detect_prior,
        );
        let detected = select(runs, &scores, 0.0);
        // Each distinct wording counts once: news repeats its terms, and a
        // word the model distrusts should not weigh more for recurring.
        // Ordered, so the float sum below is the same on every run.
        let mut by_type: std::collections::BTreeMap<String, f64> =
            std::collections::BTreeMap::new();
        for (c, lo) in &detected {
            let key = run_key(tokens, c.first, c.last);
            let hit = if c.listed { 1.0 } else { sigmoid(*lo) };
            let e = by_type.entry(key).or_insert(0.0);
            *e = e.max(hit);
        }
        let hits: f64 = by_type.values().sum();
        hits / (analysis.substitutable as f64 + w.shrink)
    }

    /// The document's evidence of spin, scaled so that 1 maps to score
    /// 0.5: the substitution rate over `half_rate` plus the fluency deficit.
    pub fn document_evidence(&self, analysis: &Analysis, w: &Weights) -> f64 {
        self.evidence_from_rate(analysis, w, self.document_rate(analysis, w))
    }

    fn evidence_from_rate(&self, analysis: &Analysis, w: &Weights, rate: f64) -> f64 {
        let words = analysis.tokens.len() as f64;
        let weight = words / (words + w.short_words).max(1.0);
        // Shrunk towards the centre: a short text says little.
        let expanded = (analysis.expanded_words as f64 + w.expansion_shrink * w.expansion_center)
            / (words + w.expansion_shrink).max(1.0);
        weight
            * (rate / w.half_rate
                + w.fluency * fluency_deficit(analysis, w)
                + w.expansion * (expanded - w.expansion_center).max(0.0))
    }

    /// Sum and count of the association (PMI) of adjacent word pairs that
    /// are both lowercase dictionary words (names, numbers, quotes and
    /// pairs across punctuation are left out).
    fn association(&self, tokens: &[Token], ids: &[WordId], links: &[(f64, bool)]) -> (f64, usize) {
        let mut sum = 0.0;
        let mut n = 0;
        for (k, pair) in tokens.windows(2).enumerate() {
            let [x, y] = pair else { continue };
            if !x.linked_next
                || x.protected
                || y.protected
                || x.shape != Shape::Lower
                || y.shape != Shape::Lower
                || !x.lower.chars().all(char::is_alphabetic)
                || !y.lower.chars().all(char::is_alphabetic)
            {
                continue;
            }
            let (a, b) = (ids[k], ids[k + 1]);
            if a.is_none() || b.is_none() {
                continue;
            }
            let Some(&(lp, _)) = links.get(k) else {
                continue;
            };
            sum += lp - self.lm.log_prob_id(b);
            n += 1;
        }
        (sum, n)
    }

    /// Judges the document and picks the substitutions to restore.
    pub fn decide(&self, text: &str, analysis: &Analysis, w: &Weights) -> SpinVerdict {
        self.decide_given(text, analysis, w, None)
    }

    /// [`SpinTagger::decide`] with the re-ranker's features already
    /// computed by [`SpinTagger::rerank_features`] for the same analysis
    /// under weights that differ from `w` at most in the re-ranker's
    /// models (for fitting their thresholds without recomputing them).
    pub fn decide_with_features(
        &self,
        text: &str,
        analysis: &Analysis,
        w: &Weights,
        features: &[(usize, [f64; FEATURES])],
    ) -> SpinVerdict {
        self.decide_given(text, analysis, w, Some(features))
    }

    fn decide_given(
        &self,
        text: &str,
        analysis: &Analysis,
        w: &Weights,
        features: Option<&[(usize, [f64; FEATURES])]>,
    ) -> SpinVerdict {
        let tokens = &analysis.tokens;
        let runs = &analysis.candidates;
        let rate = self.document_rate(analysis, w);
        let score = 1.0 - 0.5f64.powf(self.evidence_from_rate(analysis, w, rate));
        let spun = score >= self.threshold;
        let repair_prior = if w.repair_scale > 0.0 {
            logit((w.repair_scale * rate).clamp(0.01, w.repair_max.max(0.01)))
        } else {
            logit(w.repair_rate)
        };
        let min_lo = logit(self.channel_min_confidence());
        // A phrase spinner's wordings are seldom traced back to the exact
        // original, while each wrong guess on a word it left alone damages
        // the text: such documents are judged but repaired only through
        // listed phrases.
        let expanded = analysis.expanded_words as f64 / tokens.len().max(1) as f64;
        let chosen = if spun && w.rerank.enabled {
            self.reranked_choice(analysis, w, rate, features)
        } else {
            let scores: Vec<f64> = if spun && expanded <= w.repair_max_expanded {
                pooled_scores(analysis, w, w.support, |c| c.logodds(w), repair_prior)
            } else {
                listed_only(runs, w)
            };
            select(runs, &scores, min_lo)
        };
        let mut subs: Vec<SpinSubstitution> = chosen
            .into_iter()
            .filter_map(|(c, lo)| substitution(text, tokens, c, lo))
            .collect();
        let mut repaired = SpinVerdict::apply(text, &mut subs);
        if spun && w.rerank.enabled && w.rerank.second_round && !subs.is_empty() {
            let more = self.second_round(text, &repaired, &subs, analysis, w, rate);
            if !more.is_empty() {
                subs.extend(more);
                repaired = SpinVerdict::apply(text, &mut subs);
            }
        }
        SpinVerdict {
            spun,
            score,
            repaired,
            source: None,
            substitutions: subs,
        }
    }

    /// The restorations of a second reading of a repaired document: the
    /// text with the first choices restored (`repaired`, from `subs`,
    /// sorted and disjoint) is read again with those restorations and the
    /// first reading's protected words left alone, and the re-ranker picks
    /// among the remaining words at the first reading's `rate`. The
    /// choices are returned in the coordinates of `text`.
    fn second_round(
        &self,
        text: &str,
        repaired: &str,
        subs: &[SpinSubstitution],
        analysis: &Analysis,
        w: &Weights,
        rate: f64,
    ) -> Vec<SpinSubstitution> {
        // Byte offset of each substitution's start in `repaired`.
        let mut starts = Vec::with_capacity(subs.len());
        let mut shift: isize = 0;
        for s in subs {
            starts.push(s.start as isize + shift);
            shift += s.original.len() as isize - (s.end - s.start) as isize;
        }
        // A position of `text` outside every substitution, in `repaired`.
        let to_new = |p: usize| -> Option<usize> {
            let k = subs.partition_point(|s| s.end <= p);
            if subs.get(k).is_some_and(|s| s.start < p) {
                return None;
            }
            let before: isize = subs[..k]
                .iter()
                .map(|s| s.original.len() as isize - (s.end - s.start) as isize)
                .sum();
            usize::try_from(p as isize + before).ok()
        };
        let mut protected: Vec<(usize, usize)> = subs
            .iter()
            .zip(&starts)
            .filter_map(|(s, &a)| {
                let a = usize::try_from(a).ok()?;
                Some((a, a + s.original.len()))
            })
            .collect();
        protected.extend(
            analysis
                .tokens
                .iter()
                .filter(|t| t.protected)
                .filter_map(|t| Some((to_new(t.start)?, to_new(t.end)?))),
        );
        let prune = Prune::new(w, w.rerank.gate, &self.weights);
        let second = self.analysis(repaired, &protected, prune.as_ref());
        // A position of `repaired` outside every restoration, in `text`.
        let to_old = |q: usize| -> Option<usize> {
            let mut before: isize = 0;
            for (s, &a) in subs.iter().zip(&starts) {
                let end = a + s.original.len() as isize;
                if end <= q as isize {
                    before += s.original.len() as isize - (s.end - s.start) as isize;
                } else if a < q as isize {
                    return None;
                }
            }
            usize::try_from(q as isize - before).ok()
        };
        self.reranked_choice(&second, w, rate, None)
            .into_iter()
            .filter(|(c, _)| !c.listed)
            .filter_map(|(c, lo)| {
                let new = substitution(repaired, &second.tokens, c, lo)?;
                let (start, end) = (to_old(new.start)?, to_old(new.end)?);
                (text.get(start..end)? == new.spun).then_some(SpinSubstitution {
                    start,
                    end,
                    ..new
                })
            })
            .collect()
    }

    /// The boldest prior substitution rate repair may use, as log-odds
    /// (what the re-ranker's gate and the pruning bound assume).
    fn boldest_repair_prior(w: &Weights) -> f64 {
        if w.repair_scale > 0.0 {
            logit(w.repair_max.max(0.01))
        } else {
            logit(w.repair_rate)
        }
    }

    /// The features the re-ranker sees for each eligible candidate of a
    /// document (index into `analysis.candidates`, features), under `w`
    /// (for fitting the re-ranker; see [`crate::rerank`]).
    pub fn rerank_features(
        &self,
        analysis: &Analysis,
        w: &Weights,
    ) -> Vec<(usize, [f64; FEATURES])> {
        let rate = self.document_rate(analysis, w);
        self.features_at(analysis, w, rate)
    }

    fn features_at(
        &self,
        analysis: &Analysis,
        w: &Weights,
        rate: f64,
    ) -> Vec<(usize, [f64; FEATURES])> {
        let tokens = &analysis.tokens;
        let topic = self.topic_support(analysis);
        rerank::features(
            self.lm,
            analysis,
            w,
            rate,
            Self::boldest_repair_prior(w),
            |c| {
                tokens
                    .get(c.first..=c.last)
                    .unwrap_or(&[])
                    .iter()
                    .map(|t| self.lm.log_count(&t.lower))
                    .fold(f64::MAX, f64::min)
                    .min(30.0)
            },
            |c| topic.of(c),
        )
    }

    /// The restorations the re-ranker picks in a document judged spun:
    /// listed phrases, and eligible candidates whose probability reaches
    /// the re-ranker's threshold (the likeliest first, no overlaps); none
    /// but the listed phrases when the mean probability of those chosen
    /// stays under the document threshold.
    fn reranked_choice<'a>(
        &self,
        analysis: &'a Analysis,
        w: &Weights,
        rate: f64,
        features: Option<&[(usize, [f64; FEATURES])]>,
    ) -> Vec<(&'a Candidate, f64)> {
        let runs = &analysis.candidates;
        let mut scores = listed_only(runs, w);
        let expanded = analysis.expanded_words as f64 / analysis.tokens.len().max(1) as f64;
        let model = w.rerank.model(expanded);
        let min = logit(self.min_confidence.unwrap_or(0.0));
        let floor = logit(model.channel_floor.max(self.min_confidence.unwrap_or(0.0)));
        let prior = rerank::channel_prior(w, rate);
        // A candidate passes on the model's probability or on the
        // channel's own confidence; it is ranked (and its confidence
        // given) by the higher of the two.
        let computed;
        let features = match features {
            Some(f) => f,
            None => {
                computed = self.features_at(analysis, w, rate);
                &computed
            }
        };
        // Per span, the best score of a candidate that passes and the
        // candidate the choice model prefers (score, index).
        let mut spans: HashMap<(usize, usize), (f64, f64, usize), WordHash> = HashMap::default();
        for &(k, x) in features {
            let (Some(s), Some(c)) = (scores.get_mut(k), runs.get(k)) else {
                continue;
            };
            let model_lo = model.logodds(&x);
            let mut spun_lo = None;
            let mut spun = || *spun_lo.get_or_insert_with(|| model.spun_logodds(&x));
            let channel_lo = c.logodds(w) + prior * f64::from(c.substitutions);
            let channel_pass = model.channel_floor <= 1.0 && channel_lo >= floor;
            let model_pass = model_lo >= min && model.passes_given(model_lo, &mut spun);
            *s = match (model_pass, channel_pass) {
                (true, true) => model_lo.max(channel_lo),
                (true, false) => model_lo,
                (false, true) => channel_lo,
                (false, false) => f64::NEG_INFINITY,
            };
            if let Some(choice) = &model.choice {
                let preference = choice.score(&Choice::inputs(&x, model_lo, spun()));
                let e = spans.entry((c.first, c.last)).or_insert((
                    f64::NEG_INFINITY,
                    f64::NEG_INFINITY,
                    k,
                ));
                e.0 = e.0.max(*s);
                if preference > e.1 {
                    (e.1, e.2) = (preference, k);
                }
            }
        }
        // A span restored keeps its best score, on the candidate the
        // choice model prefers among the span's eligible candidates.
        for &(k, _) in features {
            let Some(c) = runs.get(k) else { continue };
            if let Some(&(best, _, preferred)) = spans.get(&(c.first, c.last))
                && best.is_finite()
                && let Some(s) = scores.get_mut(k)
            {
                *s = if k == preferred {
                    best
                } else {
                    f64::NEG_INFINITY
                };
            }
        }
        let chosen = select(runs, &scores, f64::MIN);
        let (sum, n) = chosen
            .iter()
            .filter(|(c, _)| !c.listed)
            .fold((0.0, 0usize), |(s, n), (_, lo)| (s + sigmoid(*lo), n + 1));
        if n > 0 && sum / (n as f64) < model.doc_threshold {
            chosen.into_iter().filter(|(c, _)| c.listed).collect()
        } else {
            chosen
        }
    }

    /// Which wordings the document's words may stand for, and how many
    /// distinct words each (see [`TopicSupport`]).
    pub fn topic_support(&self, analysis: &Analysis) -> TopicSupport {
        let mut seen: HashSet<u32, WordHash> = HashSet::default();
        let mut counts: HashMap<Arc<str>, u32, WordHash> = HashMap::default();
        let mut lists: HashMap<u32, Arc<[Option_]>, WordHash> = HashMap::default();
        for (t, id) in analysis.tokens.iter().zip(&analysis.ids) {
            let Some(id) = *id else { continue };
            if t.protected || !seen.insert(id) {
                continue;
            }
            let list = self.word_originals(id, &t.lower);
            for o in list.iter() {
                *counts.entry(Arc::clone(&o.text)).or_insert(0) += 1;
            }
            lists.insert(id, list);
        }
        TopicSupport {
            counts,
            lists,
            ids: analysis.ids.clone(),
        }
    }

    /// Every candidate of every run of words; with `prune`, only those
    /// that may matter under its weights (see [`Prune`]).
    fn find_candidates(
        &self,
        tokens: &[Token],
        ids: &[WordId],
        links: &[(f64, bool)],
        prune: Option<&Prune>,
    ) -> Found {
        // Sized for a typical document at once (growing a list of
        // candidates copies it).
        let mut out = Vec::with_capacity(if prune.is_some() {
            64 + tokens.len() / 2
        } else {
            tokens.len() * 8
        });
        let mut substitutable = vec![false; tokens.len()];
        let longest = MAX_RUN.max(self.longest_phrase);
        let mut longer = String::new();
        // One-word originals (token's option list, index in it, unigram
        // difference), in token order, and each token's range among them.
        let mut singles: Vec<Single> = Vec::with_capacity(tokens.len() * 3);
        let mut ranges: Vec<(usize, usize)> = Vec::with_capacity(tokens.len());
        let mut token_options: Vec<Option<Arc<[Option_]>>> = vec![None; tokens.len()];
        for (i, head) in tokens.iter().enumerate() {
            let begin = singles.len();
            // One-word originals are kept only for a token that
            // [`SpinTagger::add_pairs`] may pair with a neighbour: one
            // before it that kept some, or one after it that may keep
            // some (see [`may_keep_singles`]).
            let paired = (open_pair(tokens, ids, links, i)
                && tokens.get(i + 1).is_some_and(may_keep_singles))
                || (i
                    .checked_sub(1)
                    .is_some_and(|k| open_pair(tokens, ids, links, k))
                    && ranges.last().is_some_and(|r| r.1 > r.0));
            // The rule as it was (every token in an open pair), for the
            // tests that compare the two.
            #[cfg(test)]
            let paired = if tests::OLD_PAIRING.with(std::cell::Cell::get) {
                open_pair(tokens, ids, links, i)
                    || i.checked_sub(1)
                        .is_some_and(|k| open_pair(tokens, ids, links, k))
            } else {
                paired
            };
            let starts_phrase = match ids[i] {
                Some(id) => self.phrase_start_ids.get(id as usize) == Some(&true),
                None => self.phrase_starts.contains(head.lower.as_str()),
            };
            // Runs longer than `MAX_RUN` are only ever listed phrases.
            let listed_head = match ids[i] {
                Some(id) => self.listed_first_ids.get(id as usize) == Some(&true),
                None => self.listed_firsts.contains(head.lower.as_str()),
            };
            for len in 1..=if listed_head { longest } else { MAX_RUN } {
                let j = i + len - 1;
                let Some(tail) = tokens.get(j) else { break };
                if tail.protected || (len > 1 && !tokens[j - 1].linked_next) {
                    break;
                }
                if len > 1 && !starts_phrase {
                    break;
                }
                // A one-word run is the token's own lowercase form (not
                // copied); a longer one is built up in `longer`.
                let phrase: &str = if len == 1 {
                    head.lower.as_str()
                } else {
                    if len == 2 {
                        longer.clear();
                        longer.push_str(&head.lower);
                    }
                    longer.push(' ');
                    longer.push_str(&tail.lower);
                    longer.as_str()
                };
                if let Some(original) = listed_head.then(|| self.phrases.get(phrase)).flatten() {
                    out.push(Candidate {
                        first: i,
                        last: j,
                        original: Arc::from(original.as_str()),
                        unigram: 0.0,
                        context: 0.0,
                        support: 0,
                        left_gain: 0.0,
                        right_gain: 0.0,
                        spun_fit: 0.0,
                        log_fanout: 0.0,
                        log_rank: 0.0,
                        mutual: false,
                        length_change: 0,
                        name: false,
                        listed: true,
                        edge_words: (None, None),
                        substitutions: 1,
                    });
                    continue;
                }
                let run = &tokens[i..=j];
                // Hyphenated compounds are spelling variants far more often
                // than spinner output; only listed phrases touch them.
                if len > MAX_RUN
                    || run
                        .iter()
                        .any(|t| t.shape == Shape::Other || t.lower.as_bytes().contains(&b'-'))
                {
                    continue;
                }
                if len > 1
                    && prune.is_some()
                    && !(self.surface_words.may_hold(&ids[i..=j])
                        && self.has_surface(phrase_hash(phrase)))
                {
                    continue;
                }
                // A known word's list is borrowed from the tagger (no
                // reference count touched unless the list is kept).
                let shared = match (len, ids[i]) {
                    (1, Some(id)) => self.word_originals_slot(id, phrase),
                    _ => None,
                };
                let owned;
                let options = match shared {
                    Some(list) => list,
                    None => {
                        owned = self.cached_originals(phrase);
                        &owned
                    }
                };
                if options.is_empty() {
                    continue;
                }
                substitutable[i] = true;
                let left = i
                    .checked_sub(1)
                    .filter(|&k| tokens.get(k).is_some_and(|t| t.linked_next))
                    .and_then(|k| ids.get(k).copied());
                let right = if tail.linked_next {
                    ids.get(j + 1).copied()
                } else {
                    None
                };
                let run_ids = &ids[i..=j];
                let base = self.base_chain(ids, links, i, j, left.is_some(), right.is_some());
                let base_uni: f64 = run_ids.iter().map(|&w| self.lm.log_prob_id(w)).sum();
                let name = run
                    .iter()
                    .any(|t| t.shape == Shape::Capitalized && !t.sentence_initial);
                let edges = Neighbours::new(self.lm, left, right);
                let skip = prune.filter(|p| len == 1 && p.keyed).map(|p| {
                    let w = &p.w;
                    let around = usize::from(left.is_some()) + usize::from(right.is_some());
                    let support = around as f64 - base.attested as f64;
                    let common = -(w.unigram - w.context) * base_uni
                        - w.context * base.log_prob
                        - if name { w.name_margin } else { 0.0 };
                    RunBound {
                        side: usize::from(right.is_some()),
                        detect: common
                            + w.detect_support * support
                            + w.detect_bias
                            + p.detect_prior,
                        repair: common + w.support * support + w.bias + p.repair_prior,
                        detect_limit: -EPS - SKIP_SLACK,
                        repair_limit: p.repair_min - EPS - SKIP_SLACK,
                    }
                });
                // Past the point where no later option can matter, only
                // the one-word originals for the pair search are read.
                let mut rest_ruled_out = false;
                for (k, option) in options.iter().enumerate() {
                    if let Some(b) = &skip
                        && !rest_ruled_out
                        && b.rules_out(&option.rest)
                    {
                        if !paired {
                            break;
                        }
                        rest_ruled_out = true;
                    }
                    let unigram = option.log_prob - base_uni;
                    if let (1, 1, Some(id), true) = (option.n_words, len, option.first, paired) {
                        singles.push(Single {
                            option: k,
                            id,
                            unigram,
                            rank_key: pair_rank(option, unigram),
                        });
                    }
                    if rest_ruled_out || skip.as_ref().is_some_and(|b| b.rules_out(&option.keys)) {
                        continue;
                    }
                    let length_change = option.n_words.abs_diff(len);
                    if let Some(p) = prune {
                        let (bound, transitions) = self.option_bound(option, &edges);
                        let gain = bound - base.log_prob;
                        let expansion = len > 1 && length_change > 0 && gain > PHRASE_GAIN - EPS;
                        let fixed = Fixed {
                            unigram,
                            channel: if p.keyed {
                                option.channel
                            } else {
                                channel(&p.w, option.log_fanout, option.log_rank)
                            },
                            mutual: option.mutual,
                            length_change,
                            name,
                            substitutions: 1,
                        };
                        let support = transitions as f64 - base.attested as f64;
                        if !expansion && !p.may_matter(&fixed, gain - unigram, support) {
                            continue;
                        }
                    }
                    let chain = self.chain(left, option.ids.as_slice(), right);
                    out.push(Candidate {
                        first: i,
                        last: j,
                        original: Arc::clone(&option.text),
                        unigram,
                        context: chain.log_prob - base.log_prob - unigram,
                        support: chain.attested as i32 - base.attested as i32,
                        left_gain: chain.left_pmi - base.left_pmi,
                        right_gain: chain.right_pmi - base.right_pmi,
                        spun_fit: base.left_pmi + base.right_pmi,
                        log_fanout: option.log_fanout,
                        log_rank: option.log_rank,
                        mutual: option.mutual,
                        length_change,
                        name,
                        listed: false,
                        edge_words: (option.first, option.last),
                        substitutions: 1,
                    });
                }
                if len == 1 && paired {
                    token_options[i] = Some(Arc::clone(options));
                }
            }
            ranges.push((begin, singles.len()));
        }
        let singles = Singles {
            list: singles,
            ranges,
            options: token_options,
        };
        self.add_pairs(tokens, ids, links, singles, prune, &mut out);
        Found {
            candidates: out,
            substitutable,
        }
    }

    /// Candidates for two adjacent words both replaced: each word's own
    /// candidates are judged with a spun neighbour, which hides the
    /// context that gives them away; the pair of originals is judged
    /// between the real neighbours. Only the `PAIR_OPTIONS` likeliest
    /// originals of each word (by frequency and channel) are paired, only
    /// where the two words do not themselves form an attested bigram, and
    /// only pairs of originals that do.
    fn add_pairs(
        &self,
        tokens: &[Token],
        ids: &[WordId],
        links: &[(f64, bool)],
        mut singles: Singles,
        prune: Option<&Prune>,
        out: &mut Vec<Candidate>,
    ) {
        let option_of = |i: usize, s: &Single| -> Option<&Option_> {
            singles.options.get(i)?.as_ref()?.get(s.option)
        };
        // Where two adjacent words may both have been replaced: linked,
        // and not an attested bigram.
        let open = |i: usize| open_pair(tokens, ids, links, i);
        // Each token's likeliest originals first, `tops[i]` of them kept
        // (sorted only for tokens in some open pair).
        // Each token's originals `(begin, end)` in `singles.list` (empty
        // where it is in no open pair or has no options) and whether its
        // likeliest `PAIR_OPTIONS` are first yet: a list is selected only
        // when a pair reads it (with a pruning made for other weights,
        // every list is, as before).
        let eager = prune.is_some_and(|p| !p.keyed);
        let mut tops: Vec<(usize, usize, bool)> = Vec::with_capacity(singles.ranges.len());
        for (i, &(begin, end)) in singles.ranges.iter().enumerate() {
            let eligible = (open(i) || i.checked_sub(1).is_some_and(open))
                && matches!(singles.options.get(i), Some(Some(_)))
                && singles.list.get(begin..end).is_some();
            if !eligible {
                tops.push((begin, begin, true));
                continue;
            }
            tops.push((begin, end, end - begin <= PAIR_OPTIONS));
            if eager {
                select_top(&mut singles.list, &mut tops[i]);
            }
        }
        // Pair candidates go after every one-word candidate, straight
        // into `out`.
        for i in 0..tokens.len().saturating_sub(1) {
            // Two words that form an attested bigram read fluently
            // together: no sign that both were replaced.
            let filled = |k: usize| tops.get(k).is_some_and(|t| t.1 > t.0);
            if !filled(i) || !filled(i + 1) || !open(i) {
                continue;
            }
            select_top(&mut singles.list, &mut tops[i]);
            select_top(&mut singles.list, &mut tops[i + 1]);
            let list = |k: usize| -> &[Single] {
                tops.get(k)
                    .and_then(|&(b, e, _)| singles.list.get(b..b + (e - b).min(PAIR_OPTIONS)))
                    .unwrap_or(&[])
            };
            let (a_list, b_list) = (list(i), list(i + 1));
            let left = i
                .checked_sub(1)
                .filter(|&k| tokens.get(k).is_some_and(|t| t.linked_next))
                .and_then(|k| ids.get(k).copied());
            let right = if tokens[i + 1].linked_next {
                ids.get(i + 2).copied()
            } else {
                None
            };
            let name_of = |k: usize| {
                tokens
                    .get(k)
                    .is_some_and(|t| t.shape == Shape::Capitalized && !t.sentence_initial)
            };
            let name = name_of(i) || name_of(i + 1);
            let base = self.base_chain(ids, links, i, i + 1, left.is_some(), right.is_some());
            for sa in a_list {
                for sb in b_list {
                    let (Some(a), Some(b)) = (option_of(i, sa), option_of(i + 1, sb)) else {
                        continue;
                    };
                    let (ia, ib) = (Some(sa.id), Some(sb.id));
                    let unigram = sa.unigram + sb.unigram;
                    let log_fanout = a.log_fanout + b.log_fanout;
                    let log_rank = a.log_rank + b.log_rank;
                    let mutual = a.mutual && b.mutual;
                    if let Some(p) = prune {
                        let (bound, transitions) = self.chain_bound(left, &[ia, ib], right);
                        let fixed = Fixed {
                            unigram,
                            channel: channel(&p.w, log_fanout, log_rank),
                            mutual,
                            length_change: 0,
                            name,
                            substitutions: 2,
                        };
                        let support = transitions as f64 - base.attested as f64;
                        if !p.may_matter(&fixed, bound - base.log_prob - unigram, support) {
                            continue;
                        }
                    }
                    if !self.lm.attested_id(sa.id, sb.id) {
                        continue;
                    }
                    let chain = self.chain(left, &[ia, ib], right);
                    out.push(Candidate {
                        first: i,
                        last: i + 1,
                        original: Arc::from(format!("{} {}", a.text, b.text)),
                        unigram,
                        context: chain.log_prob - base.log_prob - unigram,
                        support: chain.attested as i32 - base.attested as i32,
                        left_gain: chain.left_pmi - base.left_pmi,
                        right_gain: chain.right_pmi - base.right_pmi,
                        spun_fit: base.left_pmi + base.right_pmi,
                        log_fanout,
                        log_rank,
                        mutual,
                        length_change: 0,
                        name,
                        listed: false,
                        edge_words: (ia, ib),
                        substitutions: 2,
                    });
                }
            }
        }
    }

    /// [`SpinTagger::chain_bound`] of an option between the run's
    /// neighbours, from the option's precomputed parts.
    fn option_bound(&self, option: &Option_, edges: &Neighbours) -> (f64, usize) {
        let mut bound = 0.0;
        let mut transitions = option.inner_transitions;
        match edges.left {
            Some(Some(_)) if option.first.is_some() => {
                bound += f64::from(edges.left_out.min(option.in_first));
                transitions += 1;
            }
            Some(l) => {
                bound += self.lm.log_cond_bound(l, option.first);
                transitions += 1;
            }
            None => bound += self.lm.log_prob_id(option.first),
        }
        bound += option.inner_bound;
        match edges.right {
            Some(Some(_)) if option.last.is_some() => {
                bound += f64::from(option.out_last.min(edges.right_in));
                transitions += 1;
            }
            Some(r) => {
                bound += self.lm.log_cond_bound(option.last, r);
                transitions += 1;
            }
            None => {}
        }
        (bound, transitions)
    }

    /// An upper bound of [`SpinTagger::chain`]'s log-probability read
    /// without the bigram table, and the number of bigrams in the chain
    /// (an upper bound of those attested).
    fn chain_bound(
        &self,
        left: Option<WordId>,
        words: &[WordId],
        right: Option<WordId>,
    ) -> (f64, usize) {
        let mut bound = 0.0;
        let mut transitions = 0;
        let mut prev = left;
        for &w in words {
            match prev {
                Some(p) => {
                    bound += self.lm.log_cond_bound(p, w);
                    transitions += 1;
                }
                None => bound += self.lm.log_prob_id(w),
            }
            prev = Some(w);
        }
        if let (Some(p), Some(r)) = (prev, right) {
            bound += self.lm.log_cond_bound(p, r);
            transitions += 1;
        }
        (bound, transitions)
    }

    /// Whether a multiword wording (by [`phrase_hash`]) is one a
    /// dictionary phrase may show.
    fn has_surface(&self, hash: u64) -> bool {
        self.surface_filter.may_contain(hash) && self.phrase_surfaces.contains(&hash)
    }

    /// The originals of a known single word, computed once per tagger and
    /// read without locking afterwards.
    fn word_originals(&self, id: u32, word: &str) -> Arc<[Option_]> {
        match self.word_originals_slot(id, word) {
            Some(list) => Arc::clone(list),
            None => self.cached_originals(word),
        }
    }

    /// [`SpinTagger::word_originals`] borrowed from the tagger's per-word
    /// cache (`None` when the id is outside the vocabulary).
    fn word_originals_slot<'a>(&'a self, id: u32, word: &str) -> Option<&'a Arc<[Option_]>> {
        let slot = self.word_cache.get(id as usize)?;
        Some(
            slot.get_or_init(|| match self.precomputed.and_then(|t| t.fields(id)) {
                Some(fields) => self.options_of(fields.into_iter()),
                None => self.compute_originals(word),
            }),
        )
    }

    /// The originals of every vocabulary word, computed (not read from
    /// the precomputed table), in the table's text format (see
    /// [`crate::precomputed`]; written by `examples/derive_originals.rs`).
    pub fn word_originals_table(&self) -> String {
        let mut out = String::new();
        for word in self.lm.vocabulary() {
            let words: Vec<&str> = word.split(' ').collect();
            precomputed::write_line(&mut out, word, &self.originals_of(word, &words));
        }
        out
    }

    /// Whether the tagger reads single words' originals from the
    /// precomputed table.
    pub fn uses_precomputed_originals(&self) -> bool {
        self.precomputed.is_some()
    }

    /// The originals of a spun wording, computed once per tagger.
    fn cached_originals(&self, phrase: &str) -> Arc<[Option_]> {
        if let Ok(cache) = self.cache.read()
            && let Some(hit) = cache.get(phrase)
        {
            return Arc::clone(hit);
        }
        let found = self.compute_originals(phrase);
        if let Ok(mut cache) = self.cache.write() {
            if cache.len() > CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(phrase.to_string(), Arc::clone(&found));
        }
        found
    }

    /// The originals of a spun wording with their precomputed ids.
    fn compute_originals(&self, phrase: &str) -> Arc<[Option_]> {
        let words: Vec<&str> = phrase.split(' ').collect();
        // The originals as joined wordings: what `originals_of` splits
        // into words and the options would join again.
        self.options_of(self.originals_joined(phrase, &words).into_iter())
    }

    /// [`SpinTagger::options`] from each original's words joined by
    /// spaces (as the precomputed table holds them: no word to allocate).
    fn options_of<S: AsRef<str>>(
        &self,
        readings: impl Iterator<Item = (S, u32, u32, bool)>,
    ) -> Arc<[Option_]> {
        // Collected straight into the shared list (the readings' length
        // is known), which is still unique here.
        let mut options: Arc<[Option_]> = readings
            .map(|(text, fanout, rank, mutual)| {
                let text = text.as_ref();
                // Most originals are one word: no splitting.
                let ids = if text.as_bytes().contains(&b' ') {
                    OptionIds::Many(text.split(' ').map(|w| self.lm.id(w)).collect())
                } else {
                    OptionIds::One(self.lm.id(text))
                };
                let words = ids.as_slice();
                let (first, last) = (
                    words.first().copied().flatten(),
                    words.last().copied().flatten(),
                );
                let inner_bound = words
                    .windows(2)
                    .map(|p| self.lm.log_cond_bound(p[0], p[1]))
                    .sum();
                let log_prob = words.iter().map(|&w| self.lm.log_prob_id(w)).sum();
                let n_words = words.len();
                let (log_fanout, log_rank, channel) =
                    fanout_rank_channel(&self.weights, fanout, rank);
                let mut option = Option_ {
                    first,
                    last,
                    in_first: first.map_or(0.0, |f| self.lm.max_in(f)),
                    out_last: last.map_or(0.0, |l| self.lm.max_out(l)),
                    inner_bound,
                    inner_transitions: n_words.saturating_sub(1),
                    log_prob,
                    n_words,
                    ids,
                    text: Arc::from(text),
                    log_fanout,
                    log_rank,
                    mutual,
                    channel,
                    keys: SkipKeys::NONE,
                    rest: SkipKeys::NONE,
                };
                option.keys = self.skip_keys(&option);
                option
            })
            .collect();
        let set_rest = |options: &mut [Option_]| {
            let mut rest = SkipKeys {
                detect: [f32::NEG_INFINITY; 2],
                repair: [f32::NEG_INFINITY; 2],
            };
            for option in options.iter_mut().rev() {
                rest = rest.max(option.keys);
                option.rest = rest;
            }
        };
        match Arc::get_mut(&mut options) {
            Some(list) => set_rest(list),
            None => {
                let mut list = options.to_vec();
                set_rest(&mut list);
                options = Arc::from(list);
            }
        }
        options
    }

    /// An option's [`SkipKeys`] under the tagger's weights. With
    /// `w.unigram >= 0` and `w.context >= 0`, for a one-word run (base
    /// unigram `bu`, chain log-probability `B`):
    /// `w.unigram·min(u, max_unigram) + w.context·(bound − B − u)` is at
    /// most `(w.unigram − w.context)·u + w.context·(bound − B)` with
    /// `u = log_prob − bu`, and [`SpinTagger::option_bound`] is at most
    /// `L + inner_bound + R`: `L` the larger of `max_in(first)` and
    /// `log P(first)` (whatever the word before), `R` 0 without a word
    /// after and `max_out(last)` with one. The length change is
    /// `n_words − 1`, the support `n_words − 1` plus a part of the run.
    fn skip_keys(&self, o: &Option_) -> SkipKeys {
        let w = &self.weights;
        let (Some(first), Some(_)) = (o.first, o.last) else {
            return SkipKeys::NONE;
        };
        if !(w.unigram >= 0.0 && w.context >= 0.0) {
            return SkipKeys::NONE;
        }
        let left = f64::from(o.in_first).max(self.lm.log_prob_id(Some(first)));
        let own = (w.unigram - w.context) * o.log_prob
            + o.channel
            + if o.mutual { w.mutual } else { 0.0 };
        let added = o.n_words as f64 - 1.0;
        let key = |right: f64, support: f64, length_penalty: f64| {
            let k = own
                + w.context * (left + o.inner_bound + right)
                + (support - length_penalty) * added;
            round_up(k)
        };
        let right = f64::from(o.out_last);
        SkipKeys {
            detect: [
                key(0.0, w.detect_support, w.detect_length_penalty),
                key(right, w.detect_support, w.detect_length_penalty),
            ],
            repair: [
                key(0.0, w.support, w.length_penalty),
                key(right, w.support, w.length_penalty),
            ],
        }
    }

    /// For each pair of adjacent tokens with nothing between them,
    /// `log P(next | token)` and whether the bigram is attested (read once
    /// per document: every run's own chain is made of these).
    fn links(&self, tokens: &[Token], ids: &[WordId]) -> Vec<(f64, bool)> {
        (0..tokens.len().saturating_sub(1))
            .map(|k| {
                if tokens[k].linked_next {
                    self.lm.log_cond_id(ids[k], ids[k + 1])
                } else {
                    (0.0, false)
                }
            })
            .collect()
    }

    /// [`SpinTagger::chain`] of the text's own tokens `first..=last`,
    /// with the neighbour before and after when given, read from `links`
    /// (the same sums in the same order).
    fn base_chain(
        &self,
        ids: &[WordId],
        links: &[(f64, bool)],
        first: usize,
        last: usize,
        left: bool,
        right: bool,
    ) -> Chain {
        let mut c = Chain::default();
        let link = |k: usize| links.get(k).copied().unwrap_or((0.0, false));
        let id = |k: usize| ids.get(k).copied().flatten();
        match first.checked_sub(1) {
            Some(k) if left => {
                let (lp, a) = link(k);
                c.log_prob += lp;
                c.attested += usize::from(a);
                c.left_pmi = lp - self.lm.log_prob_id(id(first));
            }
            _ => c.log_prob += self.lm.log_prob_id(id(first)),
        }
        for k in first..last {
            let (lp, a) = link(k);
            c.log_prob += lp;
            c.attested += usize::from(a);
        }
        if right {
            let (lp, a) = link(last);
            c.log_prob += lp;
            c.attested += usize::from(a);
            c.right_pmi = lp - self.lm.log_prob_id(id(last + 1));
        }
        c
    }

    /// Log-probability of `words` between optional neighbours, how many
    /// of its bigrams are attested, and its association (PMI) with each
    /// neighbour (0 where a neighbour is missing).
    fn chain(&self, left: Option<WordId>, words: &[WordId], right: Option<WordId>) -> Chain {
        let mut c = Chain::default();
        let mut prev = left;
        for (k, &w) in words.iter().enumerate() {
            match prev {
                Some(p) => {
                    let (lp, a) = self.lm.log_cond_id(p, w);
                    c.log_prob += lp;
                    c.attested += usize::from(a);
                    if k == 0 {
                        c.left_pmi = lp - self.lm.log_prob_id(w);
                    }
                }
                None => c.log_prob += self.lm.log_prob_id(w),
            }
            prev = Some(w);
        }
        if let (Some(p), Some(r)) = (prev, right) {
            let (lp, a) = self.lm.log_cond_id(p, r);
            c.log_prob += lp;
            c.attested += usize::from(a);
            c.right_pmi = lp - self.lm.log_prob_id(r);
        }
        c
    }

    /// Whether every word of a phrase is one of the few most frequent
    /// words (articles, prepositions, auxiliaries) by the built-in counts.
    fn all_function_words(phrase: &str) -> bool {
        let lm = resources::language_model();
        phrase
            .split(' ')
            .all(|w| w.chars().count() < 2 || lm.log_count(w) >= FUNCTION_WORD_LOG_COUNT)
    }

    /// The wordings `phrase` may have replaced, with their fanout, limited
    /// to the most frequent known ones.
    fn originals_of(&self, phrase: &str, words: &[&str]) -> Vec<Reading> {
        self.originals_joined(phrase, words)
            .into_iter()
            .map(|(w, f, r, m)| (w.split(' ').map(str::to_string).collect(), f, r, m))
            .collect()
    }

    /// [`SpinTagger::originals_of`] with each original's words left
    /// joined by spaces.
    fn originals_joined(&self, phrase: &str, words: &[&str]) -> Vec<(String, u32, u32, bool)> {
        let mut readings: Vec<(String, Form)> = vec![(phrase.to_string(), Form::Base)];
        if words.len() == 1 {
            readings = self.morph.analyze(phrase);
        } else if let (Some(first), Some(rest)) = (words.first(), phrase.split_once(' ')) {
            for (lemma, form) in self.morph.analyze(first) {
                if form != Form::Base {
                    readings.push((format!("{lemma} {}", rest.1), form));
                }
            }
            if let Some((head, last)) = phrase.rsplit_once(' ') {
                for (lemma, form) in self.morph.analyze(last) {
                    if form == Form::S {
                        readings.push((format!("{head} {lemma}"), form));
                    }
                }
            }
        }
        // Which originals a dictionary offers is read with the built-in
        // model's counts, as the precomputed table was: a domain model
        // changes how fluent a reading is judged, not the readings.
        let dictionary_lm = resources::language_model();
        let spun_count = words
            .iter()
            .map(|w| dictionary_lm.log_count(w))
            .fold(f64::MAX, f64::min);
        // Spinners rewrite content words: a wording with a content word is
        // not taken for a rewrite of function words only ("costs" for "is").
        let spun_function = Self::all_function_words(phrase);
        // Wording → (fanout, rank, index of its first source); the sources
        // (dictionary, original, reading) are kept so that the costlier
        // mutual-synonym test runs only on the candidates kept.
        let mut found: HashMap<String, (u32, u32, usize, f64), WordHash> = HashMap::default();
        // A wording's rarest word count and whether all its words are
        // function words, or `None` when a word is unknown.
        let stats = |wording: &str| -> Option<(f64, bool)> {
            let mut rarest = f64::MAX;
            let mut function = true;
            for w in wording.split(' ') {
                let count = dictionary_lm.log_count_id(Some(dictionary_lm.id(w)?));
                rarest = rarest.min(count);
                function &= w.chars().count() < 2 || count >= FUNCTION_WORD_LOG_COUNT;
            }
            Some((rarest, function))
        };
        let mut sources: Vec<(usize, usize, &str, usize)> = Vec::new();
        let dicts: Vec<&ReverseThesaurus> = self
            .builtin
            .iter()
            .copied()
            .chain(self.user.iter())
            .collect();
        for (d, dict) in dicts.iter().enumerate() {
            for (r, (lemma, form)) in readings.iter().enumerate() {
                for o in dict.originals(lemma) {
                    // The base form needs no inflecting (nor allocating).
                    let base = (*form == Form::Base).then_some(&*o.lemma);
                    let forms = if base.is_some() {
                        Vec::new()
                    } else {
                        self.morph.inflect(&o.lemma, *form)
                    };
                    for inflected in base.into_iter().chain(forms.iter().map(String::as_str)) {
                        if inflected == phrase {
                            continue;
                        }
                        let Some((rarest, function)) = stats(inflected) else {
                            continue;
                        };
                        if !spun_function && function {
                            continue;
                        }
                        let key = match found.get_mut(inflected) {
                            Some(e) => {
                                e.0 = e.0.min(o.fanout);
                                e.1 = e.1.min(o.rank);
                                e.2
                            }
                            None => {
                                let next = found.len();
                                found.insert(
                                    inflected.to_string(),
                                    (o.fanout, o.rank, next, rarest),
                                );
                                next
                            }
                        };
                        sources.push((key, d, &o.lemma, r));
                    }
                }
            }
        }
        let mut ranked: Vec<(f64, String, (u32, u32, usize))> = found
            .into_iter()
            .map(|(w, (fanout, rank, key, rarest))| (rarest, w, (fanout, rank, key)))
            .filter(|(c, _, f)| *c >= spun_count - MAX_RARER || f.1 <= TOP_RANK)
            .collect();
        // Originals for which the wording is a top synonym first (a
        // spinner favouring common synonyms wrote it), then by frequency.
        ranked.sort_by(|a, b| {
            (a.2.1 > TOP_RANK)
                .cmp(&(b.2.1 > TOP_RANK))
                .then_with(|| b.0.total_cmp(&a.0))
                .then_with(|| a.1.cmp(&b.1))
        });
        ranked.truncate(MAX_CANDIDATES);
        // Each listed as the other's synonym: a closer pair. One pass over
        // the sources, testing only those of kept wordings.
        let n_keys = sources.iter().map(|s| s.0 + 1).max().unwrap_or(0);
        let mut kept = vec![false; n_keys];
        for (_, _, (_, _, key)) in &ranked {
            if let Some(k) = kept.get_mut(*key) {
                *k = true;
            }
        }
        let mut mutual = vec![false; n_keys];
        for &(key, d, original, reading) in &sources {
            if kept.get(key) == Some(&true)
                && mutual.get(key) == Some(&false)
                && readings
                    .get(reading)
                    .is_some_and(|(lemma, _)| dicts[d].lists(original, lemma))
                && let Some(m) = mutual.get_mut(key)
            {
                *m = true;
            }
        }
        ranked
            .into_iter()
            .map(|(_, w, (f, r, key))| {
                let m = mutual.get(key).copied().unwrap_or(false);
                (w, f, r, m)
            })
            .collect()
    }
}

/// How far the document's shrunk mean pair association lies below the
/// centre (0 when above it).
fn fluency_deficit(analysis: &Analysis, w: &Weights) -> f64 {
    let mean = (analysis.pair_association + w.fluency_shrink * w.fluency_center)
        / (analysis.pairs as f64 + w.fluency_shrink).max(1e-9);
    (w.fluency_center - mean).max(0.0)
}

/// The bigram-model view of a run of words between its neighbours.
#[derive(Debug, Default, Clone, Copy)]
struct Chain {
    log_prob: f64,
    attested: usize,
    left_pmi: f64,
    right_pmi: f64,
}

/// A one-bit-per-slot filter of a set of hashes: a hash whose bit is
/// clear is not in the set; one whose bit is set may be (about one in
/// nine of the others, at eight bits per member).
#[derive(Debug, Default)]
struct HashFilter {
    bits: Vec<u64>,
    /// 64 minus the log2 of the number of bits.
    shift: u32,
}

impl HashFilter {
    /// A filter with every hash of `set` in it.
    fn new<S>(set: &HashSet<u64, S>) -> Self {
        let n_bits = (set.len().max(1) * 8).next_power_of_two().max(64);
        let mut filter = HashFilter {
            bits: vec![0; n_bits / 64],
            shift: 64 - n_bits.trailing_zeros(),
        };
        for &h in set {
            let slot = filter.slot(h);
            if let Some(word) = filter.bits.get_mut(slot / 64) {
                *word |= 1 << (slot % 64);
            }
        }
        filter
    }

    /// The bit of a hash (its high bits after a multiplicative mix).
    fn slot(&self, h: u64) -> usize {
        (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// Whether the hash may be in the set (`false`: it is not).
    fn may_contain(&self, h: u64) -> bool {
        let slot = self.slot(h);
        self.bits
            .get(slot / 64)
            .is_some_and(|word| word & (1 << (slot % 64)) != 0)
    }
}

/// The words after the first of every two- and three-word wording a
/// text may show for a dictionary phrase, by vocabulary id and position:
/// a run of known words whose second (or third) word never stands there
/// is no such wording, which is told without hashing the run or reading
/// the (larger) hash filter.
#[derive(Debug, Default)]
struct SurfaceWords {
    /// Per vocabulary id, bit 0: second word of a two-word wording; bit
    /// 1: second word of a three-word wording; bit 2: third word of one.
    flags: Vec<u8>,
}

impl SurfaceWords {
    fn new(vocabulary_size: usize) -> Self {
        SurfaceWords {
            flags: vec![0; vocabulary_size],
        }
    }

    /// Records the known words of one wording.
    fn mark(&mut self, surface: &str, lm: &LanguageModel) {
        // The first four words: enough to tell two or three from more.
        let mut words = [""; 4];
        let mut count = 0;
        for (slot, word) in words.iter_mut().zip(surface.split(' ')) {
            *slot = word;
            count += 1;
        }
        let marks: &[(usize, u8)] = match count {
            2 => &[(1, 1)],
            3 => &[(1, 2), (2, 4)],
            _ => &[],
        };
        for &(position, bit) in marks {
            if let Some(flag) = lm
                .id(words[position])
                .and_then(|id| self.flags.get_mut(id as usize))
            {
                *flag |= bit;
            }
        }
    }

    /// Whether a run of two or three words (their ids) may be a recorded
    /// wording (`false`: it is none; an unknown word after the first
    /// leaves the question open).
    fn may_hold(&self, ids: &[WordId]) -> bool {
        let marks: &[(usize, u8)] = match ids.len() {
            2 => &[(1, 1)],
            3 => &[(1, 2), (2, 4)],
            _ => return true,
        };
        marks
            .iter()
            .all(|&(position, bit)| match ids.get(position) {
                Some(Some(id)) => self
                    .flags
                    .get(*id as usize)
                    .is_some_and(|flag| flag & bit != 0),
                _ => true,
            })
    }
}

/// A 64-bit hash of a wording (collisions only cost a lookup).
fn phrase_hash(phrase: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::language_model::WordHasher::default();
    h.write(phrase.as_bytes());
    h.finish()
}

/// The lowercase words of a run, as one key.
fn run_key(tokens: &[Token], first: usize, last: usize) -> String {
    tokens
        .get(first..=last)
        .unwrap_or(&[])
        .iter()
        .map(|t| t.lower.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Each candidate's log-odds plus the prior (once per substitution), and,
/// where the same wording stands for the same original elsewhere in the
/// text, the pooled evidence of a consistent spinner: the best occurrence
/// plus `w.pool` times the context evidence of the others (the word
/// choice itself counted once), when that is higher.
fn pooled_scores(
    analysis: &Analysis,
    w: &Weights,
    support: f64,
    logodds: impl Fn(&Candidate) -> f64,
    prior: f64,
) -> Vec<f64> {
    let runs = &analysis.candidates;
    let mut scores: Vec<f64> = runs
        .iter()
        .map(|c| {
            logodds(c)
                + if c.listed {
                    0.0
                } else {
                    prior * f64::from(c.substitutions)
                }
        })
        .collect();
    if w.pool <= 0.0 || analysis.groups.len() != runs.len() {
        return scores;
    }
    let n_groups = analysis
        .groups
        .iter()
        .filter(|&&g| g != u32::MAX)
        .map(|&g| g as usize + 1)
        .max()
        .unwrap_or(0);
    let mut context_sum = vec![0.0f64; n_groups];
    let mut members = vec![0u32; n_groups];
    for (c, &g) in runs.iter().zip(&analysis.groups) {
        if let (Some(sum), Some(m)) = (context_sum.get_mut(g as usize), members.get_mut(g as usize))
        {
            *sum += c.context_part(w, support);
            *m += 1;
        }
    }
    for ((score, c), &g) in scores.iter_mut().zip(runs).zip(&analysis.groups) {
        let (Some(&sum), Some(&m)) = (context_sum.get(g as usize), members.get(g as usize)) else {
            continue;
        };
        if m > 1 {
            let others = sum - c.context_part(w, support);
            *score = score.max(*score + w.pool * others);
        }
    }
    scores
}

/// Scores that let only listed phrases be chosen.
fn listed_only(runs: &[Candidate], w: &Weights) -> Vec<f64> {
    runs.iter()
        .map(|c| {
            if c.listed {
                c.logodds(w)
            } else {
                f64::NEG_INFINITY
            }
        })
        .collect()
}

/// The substitution restoring candidate `c` (confidence from log-odds
/// `lo`) in `text`, with the spun wording's capitalization.
fn substitution(text: &str, tokens: &[Token], c: &Candidate, lo: f64) -> Option<SpinSubstitution> {
    let (first, last) = (tokens.get(c.first)?, tokens.get(c.last)?);
    let spun_text = text.get(first.start..last.end)?;
    let original = match_case(spun_text, &c.original, first.shape);
    Some(SpinSubstitution {
        start: first.start,
        end: last.end,
        spun: spun_text.to_string(),
        original,
        confidence: sigmoid(lo),
        evidence: "intrinsic".to_string(),
    })
}

/// Topic support of a document: for each wording, how many distinct words
/// of the document a dictionary lets stand for it. A spinner scatters one
/// original's synonyms over a text on its topic ("automobile", "motor"
/// and "vehicle" all stand for "car"), and an original on the text's topic
/// has synonyms there even where the spinner left them alone; a wrong
/// original seldom has any.
#[derive(Debug, Default)]
pub struct TopicSupport {
    counts: HashMap<Arc<str>, u32, WordHash>,
    lists: HashMap<u32, Arc<[Option_]>, WordHash>,
    ids: Vec<Option<u32>>,
}

impl TopicSupport {
    /// `ln(1 + n)` for the `n` distinct words outside the candidate's own
    /// words that may stand for its original.
    pub fn of(&self, c: &Candidate) -> f64 {
        let Some(&total) = self.counts.get(&*c.original) else {
            return 0.0;
        };
        let mut own: Vec<u32> = self
            .ids
            .get(c.first..=c.last)
            .unwrap_or(&[])
            .iter()
            .flatten()
            .copied()
            .collect();
        own.sort_unstable();
        own.dedup();
        let inside = own
            .iter()
            .filter(|id| {
                self.lists
                    .get(id)
                    .is_some_and(|l| l.iter().any(|o| *o.text == *c.original))
            })
            .count() as u32;
        f64::from(total.saturating_sub(inside)).ln_1p()
    }
}

/// Greedy choice of non-overlapping candidates by score (`scores` aligned
/// with `runs`), keeping those scoring above `min`.
fn select<'a>(runs: &'a [Candidate], scores: &[f64], min: f64) -> Vec<(&'a Candidate, f64)> {
    let mut scored: Vec<(&Candidate, f64)> = runs
        .iter()
        .zip(scores)
        .map(|(c, &s)| (c, s))
        .filter(|(_, s)| *s > min)
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.first.cmp(&b.0.first)));
    let mut taken: Vec<(&Candidate, f64)> = Vec::new();
    for (c, s) in scored {
        if taken
            .iter()
            .all(|(t, _)| c.last < t.first || c.first > t.last)
        {
            taken.push((c, s));
        }
    }
    taken.sort_by_key(|(c, _)| c.first);
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wording tables as `SpinTagger::new` built them before it reused
    /// one buffer and skipped marks that cannot change: every surface
    /// formatted anew and marked.
    fn surfaces_reference(tagger: &SpinTagger) -> (HashSet<u64, WordHash>, Vec<u8>) {
        let lm = tagger.lm;
        let mut surfaces: HashSet<u64, WordHash> = HashSet::default();
        let mut words = SurfaceWords::new(lm.vocabulary_size());
        let mut add = |surface: &str| {
            surfaces.insert(phrase_hash(surface));
            let split: Vec<&str> = surface.split(' ').collect();
            let marks: &[(usize, u8)] = match split.len() {
                2 => &[(1, 1)],
                3 => &[(1, 2), (2, 4)],
                _ => &[],
            };
            for &(position, bit) in marks {
                if let Some(flag) = lm
                    .id(split[position])
                    .and_then(|id| words.flags.get_mut(id as usize))
                {
                    *flag |= bit;
                }
            }
        };
        let dicts = tagger.builtin.iter().copied().chain(tagger.user.iter());
        for key in dicts.flat_map(|d| d.entries().map(|(k, _)| k)) {
            let (Some((first, rest)), Some((head, last))) =
                (key.split_once(' '), key.rsplit_once(' '))
            else {
                continue;
            };
            add(key);
            for form in tagger.morph.analyzed_as(first, false) {
                add(&format!("{form} {rest}"));
            }
            for form in tagger.morph.analyzed_as(last, true) {
                add(&format!("{head} {form}"));
            }
        }
        (surfaces, words.flags)
    }

    #[test]
    fn the_wording_tables_are_built_as_before() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("synonyms.txt");
        std::fs::write(
            &path,
            "take off|remove|strip away\nset up|establish|put in place\nbig|large|very large\n",
        )
        .expect("write");
        let config = SpinConfig {
            synonyms: vec![path],
            ..SpinConfig::default()
        };
        let tagger = SpinTagger::new(&config).expect("tagger");
        let (surfaces, flags) = surfaces_reference(&tagger);
        assert_eq!(tagger.phrase_surfaces, surfaces);
        assert!(tagger.surface_words.flags == flags);
    }

    #[test]
    fn the_hash_filter_keeps_every_member_and_rejects_most_others() {
        let members: HashSet<u64, WordHash> = (0..5_000u64)
            .map(|k| phrase_hash(&format!("member {k}")))
            .collect();
        let filter = HashFilter::new(&members);
        assert!(members.iter().all(|&h| filter.may_contain(h)));
        let passed = (0..5_000u64)
            .map(|k| phrase_hash(&format!("stranger {k}")))
            .filter(|&h| filter.may_contain(h))
            .count();
        // About one in nine at eight bits per member.
        assert!(passed < 1_000, "{passed} of 5000 strangers passed");
        let tagger = SpinTagger::new(&SpinConfig::default()).expect("tagger");
        assert!(
            tagger
                .phrase_surfaces
                .iter()
                .all(|&h| tagger.surface_filter.may_contain(h))
        );
    }

    #[test]
    fn the_surface_words_pass_every_dictionary_wording_and_reject_others() {
        let tagger = SpinTagger::new(&SpinConfig::default()).expect("tagger");
        let ids = |s: &str| -> Vec<WordId> { s.split(' ').map(|w| tagger.lm.id(w)).collect() };
        let mut checked = 0;
        for d in &tagger.builtin {
            for (key, _) in d.entries().step_by(7) {
                let Some((first, rest)) = key.split_once(' ') else {
                    continue;
                };
                let mut surfaces = vec![key.to_string()];
                surfaces.extend(
                    tagger
                        .morph
                        .analyzed_as(first, false)
                        .into_iter()
                        .map(|f| format!("{f} {rest}")),
                );
                for s in surfaces {
                    assert!(tagger.has_surface(phrase_hash(&s)), "{s}");
                    assert!(tagger.surface_words.may_hold(&ids(&s)), "{s}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
        // Most runs of a news text are told apart without the hash set,
        // and never one the set holds.
        let text = "the company said on tuesday that its net profit for the first quarter \
                    rose sharply as sales of its new cars in europe and asia grew faster than \
                    analysts had expected";
        let words: Vec<&str> = text.split_whitespace().collect();
        let (mut runs, mut rejected) = (0, 0);
        for len in 2..=3 {
            for run in words.windows(len) {
                let run = run.join(" ");
                runs += 1;
                if !tagger.surface_words.may_hold(&ids(&run)) {
                    rejected += 1;
                    assert!(
                        !tagger.phrase_surfaces.contains(&phrase_hash(&run)),
                        "{run}"
                    );
                }
            }
        }
        assert!(rejected * 3 > runs, "{rejected} of {runs}");
    }

    #[test]
    fn the_precomputed_originals_match_the_computation() {
        let tagger = SpinTagger::new(&SpinConfig::default()).expect("tagger");
        let table = tagger
            .precomputed
            .expect("default dictionaries use the table");
        let vocabulary = tagger.lm.vocabulary();
        // Every 41st word of the vocabulary (about 2,000) and a few known ones.
        let sample = vocabulary.iter().copied().step_by(41).chain([
            "metropolis",
            "said",
            "assaults",
            "automotive",
            "the",
        ]);
        let mut with_originals = 0;
        for word in sample {
            let id = tagger.lm.id(word).expect("a vocabulary word");
            let words: Vec<&str> = word.split(' ').collect();
            let computed = tagger.originals_of(word, &words);
            with_originals += usize::from(!computed.is_empty());
            assert_eq!(table.get(id), Some(computed), "{word}");
        }
        assert!(with_originals > 500, "{with_originals}");
    }

    /// Each restored span's original is the one its model's choice
    /// prefers among the span's eligible candidates, whatever the choice
    /// weighs (here: the commonest original, then the rarest).
    #[test]
    fn a_restored_span_takes_the_choice_models_preferred_original() {
        let text = "The firm mentioned its assaults on the metropolis had been bettering, and the \
                    undertaking would proceed. Officers mentioned the metropolis was bettering its \
                    defences after the assaults, and the undertaking had been accredited.";
        let base = SpinTagger::new(&SpinConfig::default()).expect("tagger");
        let mut originals = Vec::new();
        for sign in [1.0, -1.0] {
            let mut w = base.weights();
            let mut coef = [0.0; rerank::CHOICE_INPUTS];
            coef[0] = sign; // the original's unigram evidence
            for m in [&mut w.rerank.word, &mut w.rerank.phrase] {
                m.choice = Some(Choice { coef });
            }
            let tagger = SpinTagger::new(&SpinConfig::default())
                .expect("tagger")
                .with_weights(w);
            let analysis = tagger.candidates(text, &[]);
            let features = tagger.rerank_features(&analysis, &w);
            let v = tagger.decide(text, &analysis, &w);
            assert!(v.spun && !v.substitutions.is_empty(), "{v:?}");
            for s in &v.substitutions {
                let span: Vec<(f64, &str)> = features
                    .iter()
                    .filter_map(|(k, x)| {
                        let c = &analysis.candidates[*k];
                        let (f, l) = (analysis.tokens.get(c.first)?, analysis.tokens.get(c.last)?);
                        (f.start == s.start && l.end == s.end)
                            .then_some((sign * x[0], &*c.original))
                    })
                    .collect();
                let best = span.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
                let own = span
                    .iter()
                    .find(|p| *p.1 == s.original.to_lowercase())
                    .map(|p| p.0);
                assert_eq!(own, Some(best), "{s:?} among {span:?}");
            }
            originals.push(
                v.substitutions
                    .iter()
                    .map(|s| s.original.clone())
                    .collect::<Vec<_>>(),
            );
        }
        assert_ne!(originals[0], originals[1], "the choice changed nothing");
    }

    /// The topic support of `original` for the candidates of `word` in
    /// `text`.
    fn topic_of(tagger: &SpinTagger, text: &str, word: &str, original: &str) -> Option<f64> {
        let analysis = tagger.candidates(text, &[]);
        let topic = tagger.topic_support(&analysis);
        analysis
            .candidates
            .iter()
            .find(|c| {
                c.first == c.last
                    && analysis.tokens[c.first].lower == word
                    && &*c.original == original
            })
            .map(|c| topic.of(c))
    }

    #[test]
    fn topic_support_counts_other_words_that_may_stand_for_the_original() {
        let tagger = SpinTagger::new(&SpinConfig::default()).expect("tagger");
        let alone = topic_of(
            &tagger,
            "The automobile maker said sales rose.",
            "automobile",
            "car",
        )
        .expect("automobile <- car");
        // The candidate's own word does not count.
        assert_eq!(alone, 0.0);
        let text = "The automobile maker said motorcar and auto sales rose.";
        let with = topic_of(&tagger, text, "automobile", "car").expect("automobile <- car");
        assert!(with >= 2f64.ln(), "{with}");
        // The same word twice counts once.
        let twice = "The automobile maker said motorcar and auto sales rose, auto dealers said.";
        assert_eq!(topic_of(&tagger, twice, "automobile", "car"), Some(with));
    }

    #[test]
    fn other_dictionaries_compute_their_originals() {
        let config = SpinConfig {
            dictionaries: vec!["wordnet".to_string()],
            ..SpinConfig::default()
        };
        let tagger = SpinTagger::new(&config).expect("tagger");
        assert!(!tagger.uses_precomputed_originals());
        assert!(
            SpinTagger::new(&SpinConfig::default())
                .expect("tagger")
                .uses_precomputed_originals()
        );
    }

    /// The default tagger, built once for the property tests.
    fn shared_tagger() -> &'static SpinTagger {
        static TAGGER: OnceLock<SpinTagger> = OnceLock::new();
        TAGGER.get_or_init(|| SpinTagger::new(&SpinConfig::default()).expect("tagger"))
    }

    /// Words with many originals (spinner output and their originals),
    /// function words, names, numbers and punctuation.
    fn skip_test_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        const WORDS: &[&str] = &[
            "the",
            "firm",
            "mentioned",
            "its",
            "assaults",
            "on",
            "metropolis",
            "had",
            "been",
            "bettering",
            "and",
            "undertaking",
            "would",
            "proceed",
            "officers",
            "defences",
            "after",
            "accredited",
            "said",
            "attacks",
            "city",
            "improving",
            "project",
            "big",
            "large",
            "huge",
            "enormous",
            "company",
            "corporation",
            "enterprise",
            "stated",
            "announced",
            "declared",
            "rise",
            "increase",
            "growth",
            "market",
            "shares",
            "stock",
            "price",
            "prices",
            "fell",
            "dropped",
            "declined",
            "strong",
            "robust",
            "powerful",
            "Reuters",
            "London",
            "Monday",
            "in",
            "of",
            "to",
            "a",
            "is",
            "was",
            "by",
            "am",
            "after",
            "proposed",
            "government",
            "authorities",
            "officials",
            "quickly",
            "rapidly",
            "swiftly",
            "demand",
            "request",
            "need",
            "automotive",
            "car",
            "vehicle",
        ];
        proptest::collection::vec(
            (
                proptest::sample::select(WORDS),
                prop_oneof![
                    6 => Just(" "),
                    1 => Just(", "),
                    1 => Just(". "),
                    1 => Just("\n"),
                    1 => Just(" \"")
                ],
                proptest::bool::weighted(0.1),
            ),
            1..40,
        )
        .prop_map(|parts| {
            let mut text = String::new();
            for (word, gap, capital) in parts {
                let mut chars = word.chars();
                if capital && let Some(c) = chars.next() {
                    text.extend(c.to_uppercase());
                    text.push_str(chars.as_str());
                } else {
                    text.push_str(word);
                }
                text.push_str(gap);
            }
            text
        })
    }

    proptest::proptest! {
        /// `round_up` keeps a bound: never below `x`, and the `f32` just
        /// below it is below `x`.
        #[test]
        fn table_logs_give_the_channel_as_before(
            fanout in proptest::prop_oneof![0u32..40, 0u32..3000, proptest::num::u32::ANY],
            rank in proptest::prop_oneof![0u32..6, 0u32..3000, proptest::num::u32::ANY],
            common in proptest::prop_oneof![proptest::strategy::Just(f64::NEG_INFINITY), -3.0f64..3.0],
        ) {
            let w = Weights {
                common,
                ..Weights::default()
            };
            for w in [Weights::default(), w] {
                let (lf, lr, c) = fanout_rank_channel(&w, fanout, rank);
                let (want_lf, want_lr) = (f64::from(fanout).ln(), f64::from(rank).ln());
                proptest::prop_assert_eq!(lf.to_bits(), want_lf.to_bits());
                proptest::prop_assert_eq!(lr.to_bits(), want_lr.to_bits());
                proptest::prop_assert_eq!(c.to_bits(), channel(&w, want_lf, want_lr).to_bits());
            }
        }

        #[test]
        fn rounding_up_to_f32_keeps_a_bound(x in proptest::num::f64::ANY) {
            let up = round_up(x);
            if x.is_nan() {
                proptest::prop_assert_eq!(up, f32::INFINITY);
            } else {
                proptest::prop_assert!(f64::from(up) >= x);
                let below = if up == f32::NEG_INFINITY {
                    None
                } else if up > 0.0 {
                    Some(f32::from_bits(up.to_bits() - 1))
                } else if up == 0.0 {
                    Some(-f32::from_bits(1))
                } else {
                    Some(f32::from_bits(up.to_bits() + 1))
                };
                if let Some(b) = below.filter(|b| !b.is_nan()) {
                    proptest::prop_assert!(f64::from(b) < x, "{b} {up} {x}");
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// The option skip, the cached channel and the pair search's lazy
        /// selection find the candidates the full search (as before them:
        /// every option checked, the channel computed, every list selected)
        /// finds, in the same order, for each pruning in use.
        #[test]
        fn skipping_options_finds_the_same_candidates(text in skip_test_text()) {
            let tagger = shared_tagger();
            let w = tagger.weights();
            let quotes = detect_quotes(&text);
            for repair_min in [
                f64::INFINITY,
                w.rerank.gate,
                logit(tagger.channel_min_confidence()),
                -3.0,
            ] {
                let keyed = Prune::new(&w, repair_min, &w).expect("an exact pruning");
                proptest::prop_assert!(keyed.keyed);
                let reference = Prune { keyed: false, ..keyed };
                let fast = tagger.analysis(&text, &quotes, Some(&keyed));
                let full = tagger.analysis(&text, &quotes, Some(&reference));
                proptest::prop_assert_eq!(
                    format!("{:?}", fast.candidates),
                    format!("{:?}", full.candidates)
                );
                proptest::prop_assert_eq!(fast.groups, full.groups);
                proptest::prop_assert_eq!(fast.substitutable, full.substitutable);
            }
        }
    }

    std::thread_local! {
        /// Whether [`SpinTagger::find_candidates`] keeps the one-word
        /// originals of every token in an open pair, as it did before it
        /// left out those whose neighbours can keep none.
        pub(super) static OLD_PAIRING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Keeping one-word originals only where a neighbour may pair
        /// with them finds the candidates the old rule (every token in an
        /// open pair) finds, in the same order, with and without pruning.
        #[test]
        fn pairing_only_viable_neighbours_finds_the_same_candidates(text in skip_test_text()) {
            let tagger = shared_tagger();
            let w = tagger.weights();
            let quotes = detect_quotes(&text);
            let mut prunes = vec![None];
            for repair_min in [f64::INFINITY, w.rerank.gate, -3.0] {
                let keyed = Prune::new(&w, repair_min, &w).expect("an exact pruning");
                prunes.push(Some(keyed));
                prunes.push(Some(Prune { keyed: false, ..keyed }));
            }
            for prune in prunes {
                let new = tagger.analysis(&text, &quotes, prune.as_ref());
                OLD_PAIRING.with(|c| c.set(true));
                let old = tagger.analysis(&text, &quotes, prune.as_ref());
                OLD_PAIRING.with(|c| c.set(false));
                proptest::prop_assert_eq!(
                    format!("{:?}", new.candidates),
                    format!("{:?}", old.candidates)
                );
                proptest::prop_assert_eq!(new.groups, old.groups);
                proptest::prop_assert_eq!(new.substitutable, old.substitutable);
            }
        }
    }

    #[test]
    fn other_weights_leave_the_cached_parts_unused() {
        let w = Weights::default();
        let mut other = w;
        other.fanout += 0.1;
        let p = Prune::new(&other, f64::INFINITY, &w).expect("an exact pruning");
        assert!(!p.keyed);
        let tagger = SpinTagger::new(&SpinConfig::default())
            .expect("tagger")
            .with_weights(other);
        let own = tagger.weights();
        assert!(Prune::new(&own, f64::INFINITY, &own).expect("exact").keyed);
        let text = "The firm mentioned its assaults on the metropolis had been bettering.";
        let keyed = Prune::new(&own, f64::INFINITY, &own).expect("exact");
        let a = tagger.analysis(text, &[], Some(&keyed));
        let b = tagger.analysis(
            text,
            &[],
            Some(&Prune {
                keyed: false,
                ..keyed
            }),
        );
        assert!(!a.candidates.is_empty());
        assert_eq!(format!("{:?}", a.candidates), format!("{:?}", b.candidates));
    }
}
