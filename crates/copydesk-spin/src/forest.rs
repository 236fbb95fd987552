//! Gradient-boosted decision trees that correct a logistic model's
//! log-odds: the re-ranker's non-linear part.
//!
//! A linear model over the re-ranker's features cannot say "a large
//! margin matters only when the joint reading agrees" or "the channel is
//! to be trusted in lightly spun documents only". A [`Forest`] adds to the
//! linear log-odds the sum of small regression trees, each fitted
//! (Newton boosting on the logistic loss, [`Forest::fit`]) to what the
//! model before it still got wrong. Forests are stored as text
//! ([`Forest::to_text`], [`Forest::parse`]); the re-ranker's own are in
//! `data/rerank_forest.txt`, written by `examples/eval.rs --fit-rerank`.

use std::fmt::Write as _;

/// One node of a [`Tree`]: a split on one feature or a leaf.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TreeNode {
    /// Go to `left` when `x[feature] <= threshold`, else to `right`
    /// (indices into the tree's nodes).
    Split {
        /// Index of the feature tested.
        feature: usize,
        /// Largest value that goes left.
        threshold: f64,
        /// Node for values at or below the threshold.
        left: usize,
        /// Node for values above it.
        right: usize,
    },
    /// A leaf: the log-odds correction it adds.
    Leaf(f64),
}

/// A regression tree; node 0 is the root.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tree {
    /// The nodes, root first.
    pub nodes: Vec<TreeNode>,
}

impl Tree {
    /// The leaf value for a feature vector (0 for a malformed tree).
    pub fn predict(&self, x: &[f64]) -> f64 {
        let mut k = 0;
        // A well-formed tree reaches a leaf in fewer steps than it has
        // nodes; the bound guards against a cycle in a hand-edited file.
        for _ in 0..=self.nodes.len() {
            match self.nodes.get(k) {
                Some(TreeNode::Leaf(v)) => return *v,
                Some(&TreeNode::Split {
                    feature,
                    threshold,
                    left,
                    right,
                }) => {
                    let v = x.get(feature).copied().unwrap_or(0.0);
                    k = if v <= threshold { left } else { right };
                }
                None => return 0.0,
            }
        }
        0.0
    }
}

/// A sum of regression trees (a correction to a log-odds).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Forest {
    /// The trees, their values already scaled by the learning rate.
    pub trees: Vec<Tree>,
}

/// How [`Forest::fit`] grows its trees.
#[derive(Debug, Clone, Copy)]
pub struct BoostParams {
    /// Number of trees.
    pub trees: usize,
    /// Depth of each tree (splits from root to leaf).
    pub depth: usize,
    /// Shrinkage of each tree's values.
    pub learning_rate: f64,
    /// L2 penalty on leaf values (Newton step `-G / (H + lambda)`).
    pub lambda: f64,
    /// Smallest summed Hessian of a leaf.
    pub min_hessian: f64,
    /// Number of candidate thresholds per feature (quantiles).
    pub bins: usize,
}

impl Default for BoostParams {
    fn default() -> Self {
        BoostParams {
            trees: 120,
            depth: 3,
            learning_rate: 0.1,
            lambda: 5.0,
            min_hessian: 20.0,
            bins: 48,
        }
    }
}

impl Forest {
    /// The summed correction for a feature vector.
    pub fn predict(&self, x: &[f64]) -> f64 {
        self.trees.iter().map(|t| t.predict(x)).sum()
    }

    /// Whether the forest holds no tree (adds nothing).
    pub fn is_empty(&self) -> bool {
        self.trees.is_empty()
    }

    /// Fits trees by Newton boosting on the logistic loss: `rows` are the
    /// feature vectors, `labels` the outcomes and `base` the log-odds the
    /// forest corrects (the linear model's), all aligned.
    pub fn fit(rows: &[Vec<f64>], labels: &[bool], base: &[f64], params: &BoostParams) -> Forest {
        let n = rows.len().min(labels.len()).min(base.len());
        let features = rows.first().map_or(0, Vec::len);
        if n == 0 || features == 0 {
            return Forest::default();
        }
        // Candidate thresholds per feature: distinct quantiles.
        let cuts: Vec<Vec<f64>> = (0..features)
            .map(|j| {
                let mut v: Vec<f64> = rows[..n].iter().map(|r| r[j]).collect();
                v.sort_by(f64::total_cmp);
                let mut c: Vec<f64> = (1..params.bins)
                    .map(|b| v[(b * (n - 1)) / params.bins])
                    .collect();
                c.dedup();
                c
            })
            .collect();
        // Each row's bin per feature (index of the first cut >= value).
        let binned: Vec<Vec<u8>> = rows[..n]
            .iter()
            .map(|r| {
                (0..features)
                    .map(|j| cuts[j].partition_point(|&c| c < r[j]).min(255) as u8)
                    .collect()
            })
            .collect();
        let mut margin: Vec<f64> = base[..n].to_vec();
        let mut forest = Forest::default();
        for _ in 0..params.trees {
            let (g, h): (Vec<f64>, Vec<f64>) = (0..n)
                .map(|i| {
                    let p = 1.0 / (1.0 + (-margin[i]).exp());
                    let y = if labels[i] { 1.0 } else { 0.0 };
                    (p - y, (p * (1.0 - p)).max(1e-12))
                })
                .unzip();
            let tree = grow(&binned, &cuts, &g, &h, params);
            for (i, m) in margin.iter_mut().enumerate() {
                *m += tree.predict(&rows[i]);
            }
            forest.trees.push(tree);
        }
        forest
    }

    /// The forest as text: one tree per line, nodes separated by `;`, a
    /// split written `feature:threshold:left:right`, a leaf `=value`.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for t in &self.trees {
            let nodes: Vec<String> = t
                .nodes
                .iter()
                .map(|n| match *n {
                    TreeNode::Split {
                        feature,
                        threshold,
                        left,
                        right,
                    } => format!("{feature}:{threshold:e}:{left}:{right}"),
                    TreeNode::Leaf(v) => format!("={v:e}"),
                })
                .collect();
            let _ = writeln!(out, "{}", nodes.join(";"));
        }
        out
    }

    /// Reads [`Forest::to_text`]'s format; `None` on a malformed line.
    pub fn parse(text: &str) -> Option<Forest> {
        let mut forest = Forest::default();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let mut tree = Tree::default();
            for node in line.split(';') {
                if let Some(v) = node.strip_prefix('=') {
                    tree.nodes.push(TreeNode::Leaf(v.parse().ok()?));
                } else {
                    let mut it = node.split(':');
                    let feature = it.next()?.parse().ok()?;
                    let threshold = it.next()?.parse().ok()?;
                    let left = it.next()?.parse().ok()?;
                    let right = it.next()?.parse().ok()?;
                    tree.nodes.push(TreeNode::Split {
                        feature,
                        threshold,
                        left,
                        right,
                    });
                }
            }
            forest.trees.push(tree);
        }
        Some(forest)
    }
}

/// Grows one tree level by level on histograms of the gradient `g` and
/// Hessian `h`.
fn grow(binned: &[Vec<u8>], cuts: &[Vec<f64>], g: &[f64], h: &[f64], p: &BoostParams) -> Tree {
    let features = cuts.len();
    let mut tree = Tree::default();
    // Each row's current node (index into `tree.nodes`).
    let mut at = vec![0usize; binned.len()];
    tree.nodes.push(TreeNode::Leaf(0.0));
    let mut frontier = vec![0usize];
    let leaf_value = |gs: f64, hs: f64| -p.learning_rate * gs / (hs + p.lambda);
    for depth in 0..=p.depth {
        // Sums and histograms per frontier node.
        let slot: std::collections::HashMap<usize, usize> =
            frontier.iter().enumerate().map(|(s, &k)| (k, s)).collect();
        let bins = cuts.iter().map(|c| c.len() + 1).collect::<Vec<_>>();
        let mut totals = vec![(0.0f64, 0.0f64); frontier.len()];
        let mut hist: Vec<Vec<Vec<(f64, f64)>>> = if depth < p.depth {
            vec![bins.iter().map(|&b| vec![(0.0, 0.0); b]).collect(); frontier.len()]
        } else {
            Vec::new()
        };
        for (i, row) in binned.iter().enumerate() {
            let Some(&s) = slot.get(&at[i]) else { continue };
            totals[s].0 += g[i];
            totals[s].1 += h[i];
            if let Some(hs) = hist.get_mut(s) {
                for (j, &b) in row.iter().enumerate() {
                    let cell = &mut hs[j][b as usize];
                    cell.0 += g[i];
                    cell.1 += h[i];
                }
            }
        }
        let mut next = Vec::new();
        let mut splits: Vec<Option<(usize, usize, usize, usize)>> = vec![None; frontier.len()];
        for (s, &k) in frontier.iter().enumerate() {
            let (gt, ht) = totals[s];
            tree.nodes[k] = TreeNode::Leaf(leaf_value(gt, ht));
            if depth == p.depth || ht < 2.0 * p.min_hessian {
                continue;
            }
            let parent = gt * gt / (ht + p.lambda);
            let mut best: Option<(f64, usize, usize)> = None;
            for j in 0..features {
                let (mut gl, mut hl) = (0.0, 0.0);
                for (b, cell) in hist[s][j].iter().take(cuts[j].len()).enumerate() {
                    gl += cell.0;
                    hl += cell.1;
                    let (gr, hr) = (gt - gl, ht - hl);
                    if hl < p.min_hessian || hr < p.min_hessian {
                        continue;
                    }
                    let gain = gl * gl / (hl + p.lambda) + gr * gr / (hr + p.lambda) - parent;
                    if gain > best.map_or(1e-9, |b| b.0) {
                        best = Some((gain, j, b));
                    }
                }
            }
            if let Some((_, j, b)) = best {
                let (left, right) = (tree.nodes.len(), tree.nodes.len() + 1);
                tree.nodes.push(TreeNode::Leaf(0.0));
                tree.nodes.push(TreeNode::Leaf(0.0));
                tree.nodes[k] = TreeNode::Split {
                    feature: j,
                    threshold: cuts[j][b],
                    left,
                    right,
                };
                splits[s] = Some((j, b, left, right));
                next.push(left);
                next.push(right);
            }
        }
        if next.is_empty() {
            break;
        }
        for (i, row) in binned.iter().enumerate() {
            if let Some(&s) = slot.get(&at[i])
                && let Some((j, b, left, right)) = splits[s]
            {
                at[i] = if (row[j] as usize) <= b { left } else { right };
            }
        }
        frontier = next;
    }
    tree
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_routes_by_threshold() {
        let t = Tree {
            nodes: vec![
                TreeNode::Split {
                    feature: 1,
                    threshold: 0.5,
                    left: 1,
                    right: 2,
                },
                TreeNode::Leaf(-1.0),
                TreeNode::Leaf(2.0),
            ],
        };
        assert_eq!(t.predict(&[9.0, 0.5]), -1.0);
        assert_eq!(t.predict(&[9.0, 0.6]), 2.0);
        // A missing feature reads as 0; a cycle ends at 0.
        assert_eq!(t.predict(&[]), -1.0);
        let cyclic = Tree {
            nodes: vec![TreeNode::Split {
                feature: 0,
                threshold: 0.0,
                left: 0,
                right: 0,
            }],
        };
        assert_eq!(cyclic.predict(&[0.0]), 0.0);
    }

    #[test]
    fn boosting_learns_an_interaction_a_linear_model_misses() {
        // y = x0 XOR x1 (x1 set in a third of the rows): no linear model
        // separates it.
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for i in 0..600 {
            let (a, b) = ((i % 2) as f64, f64::from(u8::from(i % 3 == 0)));
            rows.push(vec![a, b, (i % 7) as f64]);
            labels.push((a > 0.5) != (b > 0.5));
        }
        let base = vec![0.0; rows.len()];
        let params = BoostParams {
            trees: 40,
            depth: 2,
            learning_rate: 0.3,
            lambda: 1.0,
            min_hessian: 1.0,
            bins: 8,
        };
        let f = Forest::fit(&rows, &labels, &base, &params);
        let right = rows
            .iter()
            .zip(&labels)
            .filter(|(r, y)| (f.predict(r) > 0.0) == **y)
            .count();
        assert_eq!(right, rows.len());
        // The text form reads back to the same forest.
        let back = Forest::parse(&f.to_text()).expect("parse");
        assert_eq!(back, f);
        assert!(Forest::parse("0:x:1:2").is_none());
    }
}
