//! The context re-ranker: which of a span's candidate originals, if any,
//! is the wording the spinner replaced.
//!
//! The noisy-channel score of [`crate::Candidate::logodds`] judges each
//! candidate alone against the text's word. The re-ranker looks at the
//! candidates that pass a loose gate on that score (the *eligible* ones)
//! together, with features no single candidate has: how far the candidate
//! leads the other originals of the same words, how often the same wording
//! is traced to the same original elsewhere in the document (a spinner
//! that maps "said" to "mentioned" does so everywhere), how strongly the
//! document as a whole reads as spun, how much of it is written in
//! phrase expansions, and how likely the candidate is on a joint reading
//! of the whole document (`lattice`: the posterior of the candidate over
//! every way of keeping or replacing each word, with the bigrams of each
//! reading's own neighbouring words, at the repair weights' context weight
//! and at a stronger one). A logistic model over these features gives the
//! probability that the candidate is the exact original, and a second one
//! the probability that its words were written by the spinner at all. A
//! candidate is restored when the first probability, less the chance that
//! the spinner left its words alone (times `damage_weight`), reaches the
//! threshold: a wrong original for a spun word leaves the text no worse
//! than it was, a rewrite of a word the spinner left alone damages it.
//! Each model's linear log-odds is corrected by boosted regression trees
//! (`crate::forest`, `data/rerank_forest.txt`), which capture what a
//! linear model cannot: a feature that matters only when another agrees.
//! The coefficients, the trees, the weight and the thresholds are fitted by
//! `examples/eval.rs --fit-rerank` on the calibration articles held apart
//! from the test articles. The last feature, the original's topic support,
//! came after that fit: the shipped models give it no weight (a refit with
//! it, at the shipped thresholds, removed 0.1 points fewer errors for 0.03
//! points more damage on the calibration articles), and only the choice
//! among a span's candidates ([`Choice`], `--fit-choice`) reads it.

use crate::forest::Forest;
use crate::language_model::{LanguageModel, WordHash};
use crate::lattice::{Lattice, Node};
use crate::tagger::{Analysis, Candidate, Weights};
use std::collections::HashMap;

/// Number of features of a candidate.
pub const FEATURES: usize = 32;

/// Weight of bigram association, relative to the repair weights' own
/// `context`, of the second (context-led) joint reading.
const STRONG_CONTEXT: f64 = 4.0;

/// Names of the features, in order (for reports and fitting).
pub const FEATURE_NAMES: [&str; FEATURES] = [
    "unigram",
    "context",
    "support",
    "agree",
    "best_side",
    "log_fanout",
    "log_rank",
    "mutual",
    "length_change",
    "name",
    "pair",
    "score",
    "doc_rate",
    "doc_expanded",
    "margin",
    "rivals",
    "same_elsewhere",
    "word_rarity",
    "span_share",
    "spun_fit",
    "score_x_rate",
    "score_x_expanded",
    "context_x_expanded",
    "unigram_x_expanded",
    "other_score",
    "other_share",
    "original_in_text",
    "channel_logodds",
    "joint_logodds",
    "joint_strong_logodds",
    "joint_gap",
    "topic",
];

/// A logistic model over [`FEATURES`] features of an eligible candidate,
/// with the thresholds its restorations must reach.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    /// Constant term of the model.
    pub intercept: f64,
    /// One coefficient per feature (see [`FEATURE_NAMES`]).
    pub coef: [f64; FEATURES],
    /// Smallest probability at which a candidate is restored; with
    /// `damage_weight` above 0, the smallest expected gain (see
    /// [`Model::gain`]).
    pub threshold: f64,
    /// Constant term of the second model: the probability that the
    /// candidate's words were written by the spinner at all (whatever
    /// their original).
    pub spun_intercept: f64,
    /// Coefficients of the second model.
    pub spun_coef: [f64; FEATURES],
    /// Cost of rewriting a word the spinner left alone, against the gain
    /// of restoring an original exactly (a wrong original for a spun word
    /// costs nothing: the word was wrong already); 0 leaves the second
    /// model out and restores on the first model's probability alone.
    pub damage_weight: f64,
    /// Smallest mean probability of the restorations chosen in a document
    /// for the document to be repaired at all (a document whose choices
    /// are mostly doubtful is more likely made worse than better).
    pub doc_threshold: f64,
    /// Confidence of the noisy-channel score alone (at the document's own
    /// repair prior) at which a candidate is restored even below
    /// `threshold` (above 1: never): the channel's surest choices, which
    /// the model, fitted on heavily spun documents, may doubt in a lightly
    /// spun one.
    pub channel_floor: f64,
    /// Boosted trees added to the first model's log-odds (none: the
    /// model is linear).
    pub forest: Option<ForestRef>,
    /// Boosted trees added to the second model's log-odds.
    pub spun_forest: Option<ForestRef>,
    /// Which of a restored span's candidates is restored (see
    /// [`Choice`]); none: the one with the highest first-model log-odds.
    pub choice: Option<Choice>,
}

/// Number of inputs of a [`Choice`]: the candidate's features, then the
/// first and second models' log-odds.
pub const CHOICE_INPUTS: usize = FEATURES + 2;

/// A conditional logit over the candidates of one span: once the models
/// have decided that a span is restored, the candidate with the highest
/// [`Choice::score`] among the span's eligible candidates gives its
/// original. The binary models answer "is this candidate the exact
/// original?" for every candidate alone; the choice is fitted on the
/// candidates of the same words together (a softmax over them), so it
/// weighs only what tells them apart (`examples/eval.rs --fit-choice`, on
/// the calibration articles only).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Choice {
    /// One coefficient per input (see [`CHOICE_INPUTS`]); no intercept,
    /// since a constant cannot tell candidates apart.
    pub coef: [f64; CHOICE_INPUTS],
}

impl Choice {
    /// The choice inputs of a candidate with features `x`, first-model
    /// log-odds `lo` and second-model log-odds `spun_lo` (each log-odds
    /// bounded, so one extreme tree cannot decide alone).
    pub fn inputs(x: &[f64; FEATURES], lo: f64, spun_lo: f64) -> [f64; CHOICE_INPUTS] {
        let mut z = [0.0; CHOICE_INPUTS];
        z[..FEATURES].copy_from_slice(x);
        z[FEATURES] = lo.clamp(-20.0, 20.0);
        z[FEATURES + 1] = spun_lo.clamp(-20.0, 20.0);
        z
    }

    /// The candidate's score among the candidates of its span.
    pub fn score(&self, inputs: &[f64; CHOICE_INPUTS]) -> f64 {
        self.coef.iter().zip(inputs).map(|(c, v)| c * v).sum()
    }
}

/// A shared, never-freed [`Forest`] (the models are `Copy`); its debug
/// form gives the number of trees only.
#[derive(Clone, Copy, PartialEq)]
pub struct ForestRef(pub &'static Forest);

impl std::fmt::Debug for ForestRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Forest({} trees)", self.0.trees.len())
    }
}

/// The boosted trees of the default models, by name (`word`,
/// `word_spun`, `phrase`, `phrase_spun`), from `data/rerank_forest.txt`.
fn builtin_forest(name: &str) -> Option<ForestRef> {
    static FORESTS: std::sync::OnceLock<Vec<(String, Forest)>> = std::sync::OnceLock::new();
    let all = FORESTS.get_or_init(|| parse_forests(include_str!("../data/rerank_forest.txt")));
    all.iter()
        .find(|(n, _)| n == name)
        .map(|(_, f)| ForestRef(f))
}

/// Reads named forests: a `[name]` line, then the forest's lines
/// ([`Forest::to_text`]); `#` starts a comment line. A malformed forest
/// is left out (its model stays linear; the tests check the shipped file).
pub fn parse_forests(text: &str) -> Vec<(String, Forest)> {
    let mut out = Vec::new();
    let mut name: Option<String> = None;
    let mut body = String::new();
    let mut flush = |name: &mut Option<String>, body: &mut String| {
        if let Some(n) = name.take()
            && let Some(f) = Forest::parse(body)
        {
            out.push((n, f));
        }
        body.clear();
    };
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(n) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            flush(&mut name, &mut body);
            name = Some(n.to_string());
        } else {
            body.push_str(line);
            body.push('\n');
        }
    }
    flush(&mut name, &mut body);
    out
}

/// Writes named forests in [`parse_forests`]'s format.
pub fn forests_to_text(forests: &[(&str, &Forest)]) -> String {
    let mut out = String::new();
    for (name, f) in forests {
        out.push_str(&format!("[{name}]\n"));
        out.push_str(&f.to_text());
    }
    out
}

impl Model {
    /// The model's log-odds for a feature vector.
    pub fn logodds(&self, x: &[f64; FEATURES]) -> f64 {
        self.linear_logodds(x) + self.forest.map_or(0.0, |f| f.0.predict(x))
    }

    /// The linear part of [`Model::logodds`] (what the trees correct).
    pub fn linear_logodds(&self, x: &[f64; FEATURES]) -> f64 {
        self.intercept + self.coef.iter().zip(x).map(|(c, v)| c * v).sum::<f64>()
    }

    /// The linear part of [`Model::spun_logodds`].
    pub fn linear_spun_logodds(&self, x: &[f64; FEATURES]) -> f64 {
        self.spun_intercept
            + self
                .spun_coef
                .iter()
                .zip(x)
                .map(|(c, v)| c * v)
                .sum::<f64>()
    }

    /// The second model's log-odds that the candidate's words were
    /// written by the spinner.
    pub fn spun_logodds(&self, x: &[f64; FEATURES]) -> f64 {
        self.linear_spun_logodds(x) + self.spun_forest.map_or(0.0, |f| f.0.predict(x))
    }

    /// The expected gain of restoring the candidate: the probability that
    /// it is the exact original less `damage_weight` times the
    /// probability that the spinner did not touch its words.
    pub fn gain(&self, x: &[f64; FEATURES]) -> f64 {
        let sigmoid = |v: f64| 1.0 / (1.0 + (-v).exp());
        sigmoid(self.logodds(x)) - self.damage_weight * (1.0 - sigmoid(self.spun_logodds(x)))
    }

    /// Whether the candidate reaches the model's threshold.
    pub fn passes(&self, x: &[f64; FEATURES]) -> bool {
        self.passes_given(self.logodds(x), || self.spun_logodds(x))
    }

    /// [`Model::passes`] from the first model's log-odds `lo` and the
    /// second model's, computed only when the threshold needs it.
    pub fn passes_given(&self, lo: f64, spun_lo: impl FnOnce() -> f64) -> bool {
        if self.damage_weight > 0.0 {
            let sigmoid = |v: f64| 1.0 / (1.0 + (-v).exp());
            sigmoid(lo) - self.damage_weight * (1.0 - sigmoid(spun_lo())) >= self.threshold
        } else {
            lo >= logit(self.threshold)
        }
    }
}

/// The re-ranker: one model for documents written word by word and one
/// for documents with many phrase expansions (a spinner that writes
/// phrases for words leaves other evidence than one that trades words).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rerank {
    /// Whether repair goes through the re-ranker (otherwise through the
    /// noisy-channel score alone, as before it existed).
    pub enabled: bool,
    /// Smallest noisy-channel log-odds (repair weights, at the boldest
    /// repair prior) of a candidate the re-ranker considers.
    pub gate: f64,
    /// Share of a document's words inside phrase expansions (see
    /// [`Analysis::expanded_words`]) above which `phrase` applies.
    pub split: f64,
    /// The model for documents at or below `split`.
    pub word: Model,
    /// The model for documents above `split`.
    pub phrase: Model,
    /// Whether a document is read a second time once the first choices
    /// are restored: the words left as they were are judged again beside
    /// the restored originals (the restorations themselves stay), with
    /// the same models at the first reading's rate.
    pub second_round: bool,
}

impl Default for Rerank {
    /// Fitted by `examples/eval.rs --fit-rerank` on the calibration
    /// articles (Reuters-21578 residue 5), spun by the evaluation's four
    /// spinners; see that file for the procedure.
    fn default() -> Self {
        Rerank {
            enabled: true,
            second_round: false,
            gate: -6.0,
            split: 0.06,
            word: Model {
                intercept: 4.5298,
                coef: [
                    -0.2181, 0.0593, -1.5796, 0.1554, 0.194, -0.5194, -0.2355, 0.8028, -1.1291,
                    -9.9468, -5.3357, 0.3492, 0.3957, -28.172, 0.0759, 0.1556, -0.5313, -2.3952,
                    -0.1436, -0.0197, 0.1293, -12.6585, 3.087, 12.3545, 0.1557, -0.0949, 0.996,
                    -0.1882, 0.8589, 0.1816, -0.0079, 0.0,
                ],
                threshold: 0.15,
                doc_threshold: 0.0,
                channel_floor: 2.0,
                spun_intercept: 2.7719,
                spun_coef: [
                    0.2603, 0.2603, -1.0181, -0.0586, -0.0985, -0.1991, -0.2085, 0.4498, -0.013,
                    -3.8967, 2.9734, 0.7402, 1.5436, -11.4989, -0.2378, 0.3019, -0.8689, -0.0861,
                    -0.7204, -0.0227, 0.0976, -0.7391, 0.6423, 1.913, 0.6208, -0.5734, -0.4858,
                    0.1614, -0.3695, 0.0422, 0.3937, 0.0,
                ],
                damage_weight: 1.0,
                forest: builtin_forest("word"),
                spun_forest: builtin_forest("word_spun"),
                choice: Some(Choice {
                    coef: [
                        0.2037, -0.0343, 0.8874, 0.0086, -0.0435, 0.2502, 0.1215, -0.1678, -3.0012,
                        0.0, 0.0, 0.0502, 0.0, 0.0, -0.2287, 0.0, 0.9105, 0.0, 0.0496, 0.0,
                        -0.1593, 26.5000, -5.8444, -26.5319, 0.2662, -0.2846, -1.0001, 0.0481,
                        -1.2974, -0.2227, 0.4880, 0.3814, 1.7937, 0.0614,
                    ],
                }),
            },
            phrase: Model {
                intercept: 0.0606,
                coef: [
                    0.1421, -0.0082, -0.3536, 0.1284, 0.0933, 0.3794, -0.2376, -0.4805, 0.7568,
                    -8.1217, -8.6652, 0.2784, 0.1354, 5.5644, 0.0214, -0.4807, -1.5367, -1.4788,
                    0.2478, -0.0053, 0.0356, 0.0972, -0.2572, -0.2481, 0.0099, -0.176, 1.0559,
                    -0.1234, -0.1839, 0.3499, -0.0521, 0.0,
                ],
                threshold: 0.0,
                doc_threshold: 0.0,
                channel_floor: 2.0,
                spun_intercept: -3.7862,
                spun_coef: [
                    -0.0189, 0.2617, -1.0436, -0.0988, -0.0066, 0.1873, -0.3354, -0.1909, 1.6676,
                    -6.2949, 0.2857, 0.2348, -0.0292, 20.3596, 0.111, 0.9809, -0.363, -0.3033,
                    0.0256, -0.0152, 0.0723, 0.6566, -0.8017, 0.6527, -0.3415, 0.4114, -0.2155,
                    0.5815, -1.9493, 0.0293, 1.2685, 0.0,
                ],
                damage_weight: 1.0,
                forest: builtin_forest("phrase"),
                spun_forest: builtin_forest("phrase_spun"),
                choice: Some(Choice {
                    coef: [
                        -0.0040, -0.4138, -0.7571, 0.5365, 0.5737, -0.1980, -0.1201, 0.2311,
                        -0.0359, 0.0, -0.0003, -0.2553, 0.0, 0.0, -0.3957, 0.0, 1.1060, 0.0,
                        -0.3493, 0.0, -0.0838, 0.0808, 0.6622, -0.0417, 0.4420, -0.3456, -0.5521,
                        -0.1959, 1.4029, -0.2289, -0.5868, 0.7679, 1.3785, 0.4264,
                    ],
                }),
            },
        }
    }
}

impl Rerank {
    /// The model that applies to a document with this share of words
    /// inside phrase expansions.
    pub fn model(&self, expanded_share: f64) -> &Model {
        if expanded_share > self.split {
            &self.phrase
        } else {
            &self.word
        }
    }
}

/// The noisy-channel log-odds of a candidate at the boldest repair prior:
/// what the gate compares (listed phrases are not re-ranked).
pub(crate) fn gate_score(c: &Candidate, w: &Weights, repair_prior: f64) -> f64 {
    c.logodds(w) + repair_prior * f64::from(c.substitutions)
}

/// Largest margin counted, either way (nats).
const MAX_MARGIN: f64 = 8.0;

/// The features of every eligible candidate of a document: `(index in
/// analysis.candidates, features)`. `rate` is the document's detected
/// substitution rate, `repair_prior` the boldest repair prior, `rarity`
/// gives the natural log of the corpus count of a candidate's rarest
/// spun word, `topic` its original's topic support.
pub(crate) fn features(
    lm: &LanguageModel,
    analysis: &Analysis,
    w: &Weights,
    rate: f64,
    repair_prior: f64,
    rarity: impl Fn(&Candidate) -> f64,
    topic: impl Fn(&Candidate) -> f64,
) -> Vec<(usize, [f64; FEATURES])> {
    let runs = &analysis.candidates;
    let gate = w.rerank.gate;
    let eligible: Vec<(usize, f64)> = runs
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.listed)
        .map(|(k, c)| (k, gate_score(c, w, repair_prior)))
        .filter(|&(_, s)| s > gate)
        .collect();
    let words = analysis.tokens.len().max(1) as f64;
    let doc_rate = (rate + 1e-3).ln();
    let doc_expanded = analysis.expanded_words as f64 / words;
    let channel_prior = channel_prior(w, rate);
    // Per group (same wording, same original), the eligible occurrences;
    // per span, the best and second-best gate scores and how many.
    let mut group_count: HashMap<u32, usize, WordHash> = HashMap::default();
    let mut spans: HashMap<(usize, usize), (f64, f64, usize), WordHash> = HashMap::default();
    // Per span, the sum of exp(score) over its eligible candidates, for
    // the share of the span's odds a candidate holds (the text's own
    // words counting exp(0)).
    let mut odds: HashMap<(usize, usize), f64, WordHash> = HashMap::default();
    for &(k, s) in &eligible {
        if let Some(&g) = analysis.groups.get(k)
            && g != u32::MAX
        {
            *group_count.entry(g).or_insert(0) += 1;
        }
        let c = &runs[k];
        let e = spans
            .entry((c.first, c.last))
            .or_insert((f64::NEG_INFINITY, f64::NEG_INFINITY, 0));
        if s > e.0 {
            e.1 = e.0;
            e.0 = s;
        } else if s > e.1 {
            e.1 = s;
        }
        e.2 += 1;
        *odds.entry((c.first, c.last)).or_insert(0.0) += s.clamp(-30.0, 30.0).exp();
    }
    let share = |k: usize, score: f64| {
        let c = &runs[k];
        score.clamp(-30.0, 30.0) - (1.0 + odds.get(&(c.first, c.last)).copied().unwrap_or(0.0)).ln()
    };
    // Per group, the two best scores and shares of its occurrences: a
    // consistent spinner leaves the same mapping in several places, and
    // the best-placed occurrence vouches for the others.
    let mut group_best: HashMap<u32, [f64; 4], WordHash> = HashMap::default();
    for &(k, score) in &eligible {
        let Some(&g) = analysis.groups.get(k) else {
            continue;
        };
        if g == u32::MAX {
            continue;
        }
        let e = group_best.entry(g).or_insert([f64::NEG_INFINITY; 4]);
        top_two(&mut e[0..2], score);
        top_two(&mut e[2..4], share(k, score));
    }
    // How often each word of the text occurs: an original that the text
    // also uses elsewhere is on its topic.
    let mut counts: HashMap<&str, usize, WordHash> = HashMap::default();
    for t in &analysis.tokens {
        *counts.entry(t.lower.as_str()).or_insert(0) += 1;
    }
    // The joint reading of every eligible candidate at the channel's own
    // prior, with the context weight of the repair weights and a stronger
    // one.
    let channel_lo = |c: &Candidate| c.logodds(w) + channel_prior * f64::from(c.substitutions);
    let nodes: Vec<Node> = eligible
        .iter()
        .map(|&(k, _)| {
            let c = &runs[k];
            Node {
                first: c.first,
                last: c.last,
                first_id: c.edge_words.0,
                last_id: c.edge_words.1,
            }
        })
        .collect();
    let lattice = Lattice::new(lm, &analysis.tokens, &analysis.ids, &nodes);
    // A node's score is its log-odds without its boundary bigrams (read
    // on the lattice instead), with its inner context scaled as the
    // boundaries are.
    let scores = |scale: f64| -> Vec<f64> {
        eligible
            .iter()
            .map(|&(k, _)| {
                let c = &runs[k];
                let boundary = c.left_gain + c.right_gain;
                channel_lo(c) - w.context * boundary
                    + (scale - 1.0) * w.context * (c.context - boundary)
            })
            .collect()
    };
    let joint = lattice.read(&scores(1.0), w.context);
    let strong = lattice.read(&scores(STRONG_CONTEXT), STRONG_CONTEXT * w.context);
    eligible
        .iter()
        .enumerate()
        .map(|(e, &(k, score))| {
            let c = &runs[k];
            // The best other eligible candidate of exactly the same words.
            let (best, second, count) =
                spans
                    .get(&(c.first, c.last))
                    .copied()
                    .unwrap_or((score, f64::NEG_INFINITY, 1));
            let rival = if score >= best { second } else { best };
            let rivals = count.saturating_sub(1);
            let margin = if rival.is_finite() {
                (score - rival).clamp(-MAX_MARGIN, MAX_MARGIN)
            } else {
                MAX_MARGIN
            };
            let same_elsewhere = analysis
                .groups
                .get(k)
                .and_then(|g| group_count.get(g))
                .map_or(0.0, |&n| (n as f64).ln());
            let own_share = share(k, score);
            let (other_score, other_share) = analysis
                .groups
                .get(k)
                .and_then(|g| group_best.get(g))
                .map_or((0.0, 0.0), |b| {
                    let other = |best: f64, second: f64, own: f64| {
                        let o = if own >= best { second } else { best };
                        if o.is_finite() {
                            o.clamp(-MAX_MARGIN, MAX_MARGIN)
                        } else {
                            0.0
                        }
                    };
                    (other(b[0], b[1], score), other(b[2], b[3], own_share))
                });
            let original_in_text = c
                .original
                .split(' ')
                .map(|word| counts.get(word).copied().unwrap_or(0))
                .min()
                .unwrap_or(0);
            let x = [
                c.unigram.min(w.max_unigram),
                c.context,
                f64::from(c.support),
                c.left_gain.min(c.right_gain),
                c.left_gain.max(c.right_gain),
                c.log_fanout,
                c.log_rank,
                f64::from(u8::from(c.mutual)),
                c.length_change as f64,
                f64::from(u8::from(c.name)),
                f64::from(u8::from(c.substitutions > 1)),
                score,
                doc_rate,
                doc_expanded,
                margin,
                (1.0 + rivals as f64).ln(),
                same_elsewhere,
                rarity(c) / 10.0,
                own_share,
                c.spun_fit,
                score * doc_rate,
                score * doc_expanded,
                c.context * doc_expanded,
                c.unigram.min(w.max_unigram) * doc_expanded,
                other_score,
                other_share,
                (1.0 + original_in_text as f64).ln(),
                channel_lo(c).clamp(-10.0, 10.0),
                joint.get(e).map_or(-10.0, |j| j.logodds.clamp(-10.0, 10.0)),
                strong
                    .get(e)
                    .map_or(-10.0, |j| j.logodds.clamp(-10.0, 10.0)),
                joint.get(e).map_or(-10.0, |j| j.gap.max(-10.0)),
                topic(c),
            ];
            (k, x)
        })
        .collect()
}

/// The prior of the noisy-channel repair for a document with this
/// detected rate (the rate scaled, bounded), as log-odds.
pub(crate) fn channel_prior(w: &Weights, rate: f64) -> f64 {
    if w.repair_scale > 0.0 {
        logit((w.repair_scale * rate).clamp(0.01, w.repair_max.max(0.01)))
    } else {
        logit(w.repair_rate)
    }
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// Keeps the two largest values seen in `pair` (largest first).
fn top_two(pair: &mut [f64], v: f64) {
    if let [best, second] = pair {
        if v > *best {
            *second = *best;
            *best = v;
        } else if v > *second {
            *second = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SpinConfig, SpinTagger};

    fn tagger() -> SpinTagger {
        SpinTagger::new(&SpinConfig::default()).expect("tagger")
    }

    /// The features of the candidates of `spun` (a run of the text's
    /// words) that restore `original`.
    fn features_of(text: &str, spun: &str, original: &str) -> Vec<[f64; FEATURES]> {
        let t = tagger();
        let a = t.candidates(text, &[]);
        t.rerank_features(&a, &t.weights())
            .into_iter()
            .filter(|(k, _)| {
                let c = &a.candidates[*k];
                let words: Vec<&str> = a.tokens[c.first..=c.last]
                    .iter()
                    .map(|t| t.lower.as_str())
                    .collect();
                words.join(" ") == spun && &*c.original == original
            })
            .map(|(_, x)| x)
            .collect()
    }

    fn feature(name: &str) -> usize {
        FEATURE_NAMES
            .iter()
            .position(|n| *n == name)
            .expect("feature name")
    }

    #[test]
    fn a_model_adds_its_weighted_features_to_the_intercept() {
        let mut coef = [0.0; FEATURES];
        coef[0] = 2.0;
        coef[FEATURES - 1] = -1.0;
        let m = Model {
            intercept: 0.5,
            coef,
            threshold: 0.5,
            doc_threshold: 0.0,
            channel_floor: 2.0,
            spun_intercept: -1.0,
            spun_coef: [0.0; FEATURES],
            damage_weight: 0.0,
            forest: None,
            spun_forest: None,
            choice: None,
        };
        let mut x = [3.0; FEATURES];
        x[FEATURES - 1] = 4.0;
        assert!((m.logodds(&x) - (0.5 + 6.0 - 4.0)).abs() < 1e-12);
        // Probability 1 / (1 + e^-2.5) = 0.924 of the exact original.
        assert!(m.passes(&x));
        // The spinner's words with probability 1 / (1 + e) = 0.269: the
        // expected gain 0.924 - 2 * 0.731 is below 0.
        let weighed = Model {
            damage_weight: 2.0,
            threshold: 0.0,
            ..m
        };
        assert!((weighed.gain(&x) - (0.924_141_8 - 2.0 * 0.731_058_6)).abs() < 1e-6);
        assert!(!weighed.passes(&x));
        assert!(
            Model {
                damage_weight: 0.1,
                ..weighed
            }
            .passes(&x)
        );
    }

    #[test]
    fn the_phrase_model_applies_above_the_split() {
        let r = Rerank::default();
        assert_eq!(r.model(0.0), &r.word);
        assert_eq!(r.model(r.split), &r.word);
        assert_eq!(r.model(r.split + 0.01), &r.phrase);
    }

    #[test]
    fn an_original_used_elsewhere_in_the_text_is_counted() {
        let text = "The city council met on Monday. Residents of the metropolis said the \
                    city needs new roads and the council agreed to pay for them.";
        let xs = features_of(text, "metropolis", "city");
        assert!(!xs.is_empty(), "no candidate metropolis <- city");
        let k = feature("original_in_text");
        // "city" occurs twice in the text.
        assert!((xs[0][k] - 3f64.ln()).abs() < 1e-9, "{}", xs[0][k]);
    }

    #[test]
    fn a_mapping_repeated_in_the_text_vouches_for_each_occurrence() {
        let once = "Residents of the metropolis said the council agreed to pay for new roads.";
        let twice = "Residents of the metropolis said the council agreed to pay for new roads. \
                     The metropolis will also build a bridge, officials said.";
        let k = feature("other_score");
        let single = features_of(once, "metropolis", "city");
        let repeated = features_of(twice, "metropolis", "city");
        assert!(!single.is_empty() && repeated.len() == 2);
        assert_eq!(single[0][k], 0.0, "no other occurrence");
        assert!(repeated.iter().all(|x| x[k] != 0.0), "{repeated:?}");
        let same = feature("same_elsewhere");
        assert!(repeated.iter().all(|x| (x[same] - 2f64.ln()).abs() < 1e-9));
    }

    #[test]
    fn the_leading_candidate_of_a_span_has_a_positive_margin_and_the_largest_share() {
        let text = "Officials said the assaults on the metropolis continued through the night.";
        let t = tagger();
        let a = t.candidates(text, &[]);
        let xs = t.rerank_features(&a, &t.weights());
        let (m, s, sc) = (feature("margin"), feature("span_share"), feature("score"));
        // Group by span: the best-scored candidate leads.
        let mut spans: HashMap<(usize, usize), Vec<[f64; FEATURES]>> = HashMap::new();
        for (k, x) in &xs {
            let c = &a.candidates[*k];
            spans.entry((c.first, c.last)).or_default().push(*x);
        }
        assert!(!spans.is_empty());
        for list in spans.values() {
            let best = list
                .iter()
                .max_by(|a, b| a[sc].total_cmp(&b[sc]))
                .expect("a candidate");
            assert!(best[m] >= 0.0, "{best:?}");
            assert!(list.iter().all(|x| x[s] <= best[s] + 1e-12));
            // A share of the span's odds, the text's own words included.
            assert!(list.iter().all(|x| x[s] < 0.0));
        }
    }

    #[test]
    fn an_original_with_synonyms_elsewhere_in_the_text_has_topic_support() {
        let k = feature("topic");
        let alone = features_of(
            "Officials said the metropolis will build new roads this year.",
            "metropolis",
            "city",
        );
        let on_topic = features_of(
            "Officials said the metropolis will build new roads, and the town council \
             of the municipality agreed to pay for them.",
            "metropolis",
            "city",
        );
        assert!(!alone.is_empty() && !on_topic.is_empty());
        assert_eq!(alone[0][k], 0.0);
        assert!(on_topic[0][k] >= 2f64.ln(), "{}", on_topic[0][k]);
    }

    #[test]
    fn top_two_keeps_the_two_largest() {
        let mut pair = [f64::NEG_INFINITY; 2];
        for v in [1.0, 5.0, 3.0, 4.0, -2.0] {
            top_two(&mut pair, v);
        }
        assert_eq!(pair, [5.0, 4.0]);
    }

    #[test]
    fn the_channel_prior_grows_with_the_detected_rate_and_is_bounded() {
        let w = Weights::default();
        let low = channel_prior(&w, 0.001);
        let mid = channel_prior(&w, 0.05);
        let high = channel_prior(&w, 0.9);
        assert!(low < mid && mid < high);
        assert!((low - logit(0.01)).abs() < 1e-9);
        assert!((high - logit(w.repair_max)).abs() < 1e-9);
    }
}
