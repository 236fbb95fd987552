//! Joint reading of a document's candidate originals: every way of
//! keeping each word or replacing a run of words by one of its eligible
//! candidates is a path through a lattice, scored by the candidates'
//! noisy-channel evidence and the bigram association of *each path's own*
//! adjacent words. A candidate judged alone sees its neighbours as the
//! spinner left them; on the lattice a candidate next to another spun word
//! is read beside that word's likely originals too (forward-backward sums
//! over every path), which is the evidence that a spinner replacing
//! neighbouring words hides from the word-by-word score.
//!
//! The score decomposes exactly as the candidates' own log-odds do: a
//! candidate alone between its kept neighbours scores its log-odds, and
//! the path that keeps every word scores 0.

use crate::language_model::{LanguageModel, WordId};
use crate::tokens::Token;

/// One replacement on the lattice: the tokens `first..=last` read as a
/// wording whose first and last words are `first_id` and `last_id`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    /// Index of the first token replaced.
    pub first: usize,
    /// Index of the last token replaced.
    pub last: usize,
    /// First word of the replacement.
    pub first_id: WordId,
    /// Last word of the replacement.
    pub last_id: WordId,
}

/// What the lattice says of one replacement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Joint {
    /// Log-odds that the replacement is on the path (sum over paths).
    pub logodds: f64,
    /// Score of the best path through the replacement less the score of
    /// the best path (0 when it is on the best path, below otherwise).
    pub gap: f64,
}

/// Largest log-odds reported either way.
const MAX_LOGODDS: f64 = 12.0;

/// What is reported of a node outside the text.
const OUTSIDE: Joint = Joint {
    logodds: -MAX_LOGODDS,
    gap: -MAX_LOGODDS,
};

/// `ln(sum(exp(t)))` over the terms, from the largest (`-inf` for none).
fn log_sum(terms: &[f64]) -> f64 {
    let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return top;
    }
    top + terms.iter().map(|t| (t - top).exp()).sum::<f64>().ln()
}

fn log_add(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    if b == f64::NEG_INFINITY {
        return a;
    }
    let (hi, lo) = if a > b { (a, b) } else { (b, a) };
    hi + (lo - hi).exp().ln_1p()
}

/// The lattice of a text: each token kept, or a run of tokens replaced by
/// one of the nodes, with the bigram association of every pair of items
/// that may follow each other (read once, weighted at each reading).
pub(crate) struct Lattice {
    /// Tokens.
    n: usize,
    /// Items: the tokens kept (`0..n`), then the nodes inside the text.
    spans: Vec<(usize, usize)>,
    /// For each node, its item (`None` outside the text).
    item_of: Vec<Option<usize>>,
    /// Items by first and by last token.
    starting: Vec<Vec<usize>>,
    ending: Vec<Vec<usize>>,
    /// Per boundary `b` (between tokens `b` and `b + 1`), for each item
    /// ending at `b` and each item starting at `b + 1` (row-major), the
    /// association of the pair less that of the kept words (0 where no
    /// bigram is read across the boundary).
    assoc: Vec<Vec<f64>>,
}

impl Lattice {
    /// The lattice of the text's tokens (with their vocabulary ids) and
    /// the nodes. Tokens not linked to the next word (punctuation between)
    /// break the chain: no association is read across them.
    pub(crate) fn new(
        lm: &LanguageModel,
        tokens: &[Token],
        ids: &[WordId],
        nodes: &[Node],
    ) -> Lattice {
        let n = if ids.len() == tokens.len() {
            tokens.len()
        } else {
            0
        };
        let mut spans: Vec<(usize, usize)> = (0..n).map(|i| (i, i)).collect();
        let mut words: Vec<(WordId, WordId)> = (0..n).map(|i| (ids[i], ids[i])).collect();
        let item_of = nodes
            .iter()
            .map(|v| {
                (v.first <= v.last && v.last < n).then(|| {
                    spans.push((v.first, v.last));
                    words.push((v.first_id, v.last_id));
                    spans.len() - 1
                })
            })
            .collect();
        let mut starting: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut ending: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (k, &(first, last)) in spans.iter().enumerate() {
            starting[first].push(k);
            ending[last].push(k);
        }
        let pmi = |a: WordId, b: WordId| lm.log_cond_id(a, b).0 - lm.log_prob_id(b);
        let mut assoc = Vec::with_capacity(n.saturating_sub(1));
        for b in 0..n.saturating_sub(1) {
            let linked = tokens[b].linked_next;
            let base = if linked { pmi(ids[b], ids[b + 1]) } else { 0.0 };
            let mut list = Vec::with_capacity(ending[b].len() * starting[b + 1].len());
            for &p in &ending[b] {
                for &q in &starting[b + 1] {
                    // Both words kept: the base itself.
                    list.push(if !linked || (p == b && q == b + 1) {
                        0.0
                    } else {
                        pmi(words[p].1, words[q].0) - base
                    });
                }
            }
            assoc.push(list);
        }
        Lattice {
            n,
            spans,
            item_of,
            starting,
            ending,
            assoc,
        }
    }

    /// The joint view of every node (aligned with the nodes the lattice
    /// was built with) when each node scores `scores` (its log-odds
    /// without its boundary bigrams; a kept token scores 0) and the
    /// association is weighted by `context`.
    pub(crate) fn read(&self, scores: &[f64], context: f64) -> Vec<Joint> {
        let n = self.n;
        let m = self.spans.len();
        if n == 0 || scores.len() != self.item_of.len() {
            return vec![OUTSIDE; self.item_of.len()];
        }
        let mut score = vec![0.0; m];
        for (s, item) in scores.iter().zip(&self.item_of) {
            if let Some(slot) = item.and_then(|k| score.get_mut(k)) {
                *slot = *s;
            }
        }
        let edge = |b: usize, pi: usize, qi: usize| -> f64 {
            let width = self.starting.get(b + 1).map_or(0, Vec::len);
            context
                * self
                    .assoc
                    .get(b)
                    .and_then(|l| l.get(pi * width + qi))
                    .copied()
                    .unwrap_or(0.0)
        };
        // Sum-product and max-product, forward: everything up to and
        // including an item. Each sum is taken from its largest term (one
        // exponential per edge, one logarithm per item).
        let mut terms: Vec<f64> = Vec::new();
        let mut alpha = vec![f64::NEG_INFINITY; m];
        let mut alpha_max = vec![f64::NEG_INFINITY; m];
        for i in 0..n {
            for (qi, &q) in self.starting[i].iter().enumerate() {
                let (s, x) = if i == 0 {
                    (0.0, 0.0)
                } else {
                    terms.clear();
                    let mut x = f64::NEG_INFINITY;
                    for (pi, &p) in self.ending[i - 1].iter().enumerate() {
                        let e = edge(i - 1, pi, qi);
                        terms.push(alpha[p] + e);
                        x = x.max(alpha_max[p] + e);
                    }
                    (log_sum(&terms), x)
                };
                alpha[q] = s + score[q];
                alpha_max[q] = x + score[q];
            }
        }
        // Backward: everything after an item.
        let mut beta = vec![f64::NEG_INFINITY; m];
        let mut beta_max = vec![f64::NEG_INFINITY; m];
        for i in (0..n).rev() {
            for (pi, &p) in self.ending[i].iter().enumerate() {
                if i + 1 == n {
                    beta[p] = 0.0;
                    beta_max[p] = 0.0;
                    continue;
                }
                terms.clear();
                let mut x = f64::NEG_INFINITY;
                for (qi, &q) in self.starting[i + 1].iter().enumerate() {
                    let e = edge(i, pi, qi) + score[q];
                    terms.push(e + beta[q]);
                    x = x.max(e + beta_max[q]);
                }
                beta[p] = log_sum(&terms);
                beta_max[p] = x;
            }
        }
        let (mut z, mut z_max) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for &p in &self.ending[n - 1] {
            z = log_add(z, alpha[p]);
            z_max = z_max.max(alpha_max[p]);
        }
        self.item_of
            .iter()
            .map(|item| {
                let Some(k) = *item else { return OUTSIDE };
                let post = (alpha[k] + beta[k] - z).min(0.0);
                // log(p / (1 - p)) from log p.
                let logodds = if post > -1e-12 {
                    MAX_LOGODDS
                } else {
                    post - (-post.exp()).ln_1p()
                };
                let gap = (alpha_max[k] + beta_max[k] - z_max).min(0.0);
                Joint {
                    logodds: if logodds.is_finite() {
                        logodds.clamp(-MAX_LOGODDS, MAX_LOGODDS)
                    } else {
                        -MAX_LOGODDS
                    },
                    gap: if gap.is_finite() {
                        gap.max(-MAX_LOGODDS)
                    } else {
                        -MAX_LOGODDS
                    },
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::language_model;
    use crate::tokens::tokenize;

    fn setup(text: &str) -> (Vec<Token>, Vec<WordId>) {
        let lm = language_model();
        let tokens = tokenize(text, &[]);
        let ids = tokens.iter().map(|t| lm.id(&t.lower)).collect();
        (tokens, ids)
    }

    fn node(first: usize, last: usize, first_w: &str, last_w: &str, score: f64) -> (Node, f64) {
        let lm = language_model();
        let node = Node {
            first,
            last,
            first_id: lm.id(first_w),
            last_id: lm.id(last_w),
        };
        (node, score)
    }

    fn joint(tokens: &[Token], ids: &[WordId], nodes: &[(Node, f64)], context: f64) -> Vec<Joint> {
        let (nodes, scores): (Vec<Node>, Vec<f64>) = nodes.iter().copied().unzip();
        Lattice::new(language_model(), tokens, ids, &nodes).read(&scores, context)
    }

    #[test]
    fn a_lone_replacement_gets_its_own_odds_between_kept_neighbours() {
        // With no association weight, a node's posterior log-odds is its
        // score, and it is on the best path exactly when the score is > 0.
        let (tokens, ids) = setup("the big house stood on the hill");
        let nodes = [
            node(1, 1, "large", "large", 1.5),
            node(4, 4, "at", "at", -2.0),
        ];
        let j = joint(&tokens, &ids, &nodes, 0.0);
        assert!((j[0].logodds - 1.5).abs() < 1e-9, "{j:?}");
        assert!((j[1].logodds + 2.0).abs() < 1e-9, "{j:?}");
        assert_eq!(j[0].gap, 0.0);
        assert!((j[1].gap + 2.0).abs() < 1e-9);
    }

    #[test]
    fn a_restored_neighbour_supports_a_replacement() {
        // "prime" before "curate" reads no better than "chief"; read
        // beside the other word's likely original ("minister"), it gains.
        let (tokens, ids) = setup("he met the chief curate on monday");
        let alone = [node(3, 3, "prime", "prime", 0.0)];
        let together = [
            node(3, 3, "prime", "prime", 0.0),
            node(4, 4, "minister", "minister", 2.0),
        ];
        let a = joint(&tokens, &ids, &alone, 1.0);
        let b = joint(&tokens, &ids, &together, 1.0);
        assert!(b[0].logodds > a[0].logodds + 1.0, "{a:?} {b:?}");
        assert!(b[1].logodds > 2.0, "{b:?}");
    }

    #[test]
    fn posteriors_of_rivals_for_the_same_words_sum_below_one() {
        let (tokens, ids) = setup("officials said the assaults continued");
        let nodes = [
            node(3, 3, "attacks", "attacks", 1.0),
            node(3, 3, "raids", "raids", 0.5),
        ];
        let j = joint(&tokens, &ids, &nodes, 0.25);
        let p: f64 = j.iter().map(|x| 1.0 / (1.0 + (-x.logodds).exp())).sum();
        assert!(p < 1.0 && p > 0.0, "{j:?}");
    }

    #[test]
    fn log_sum_adds_in_the_log_domain() {
        let t = [1.0f64, 2.0, -40.0];
        let direct = t.iter().map(|x| x.exp()).sum::<f64>().ln();
        assert!((log_sum(&t) - direct).abs() < 1e-12);
        assert_eq!(log_sum(&[]), f64::NEG_INFINITY);
        assert!((log_add(1.0, 2.0) - log_sum(&[1.0, 2.0])).abs() < 1e-12);
    }

    #[test]
    fn no_tokens_or_nodes_out_of_range_do_not_panic() {
        assert!(joint(&[], &[], &[], 1.0).is_empty());
        let (tokens, ids) = setup("a b");
        let j = joint(&tokens, &ids, &[node(1, 5, "x", "y", 1.0)], 1.0);
        assert_eq!(j.len(), 1);
        assert_eq!(j[0].logodds, -MAX_LOGODDS);
    }
}
