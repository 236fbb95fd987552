//! Aligning two documents: sentences matched in story order (a monotone
//! alignment that allows dropped and added sentences), then words inside
//! each matched pair, whose differences are the substitutions.

use crate::tokens::{Token, WordClass, tokenize};

/// A sentence: its byte span and its tokens (a range into the token list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Index of its first token.
    pub first: usize,
    /// One past its last token.
    pub last: usize,
}

impl Sentence {
    /// Number of words.
    pub fn words(&self) -> usize {
        self.last - self.first
    }
}

/// A document prepared for alignment.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Its words.
    pub tokens: Vec<Token>,
    /// Its sentences (only those with words).
    pub sentences: Vec<Sentence>,
}

impl Prepared {
    /// Tokenizes and splits `text`.
    pub fn new(text: &str) -> Prepared {
        let tokens = tokenize(text);
        let sentences = sentences(text, &tokens);
        Prepared { tokens, sentences }
    }

    /// Number of words.
    pub fn words(&self) -> usize {
        self.tokens.len()
    }
}

/// Splits at line breaks and at `.`, `!`, `?` followed by a space and a
/// capital letter, digit or quote; a sentence owns the words inside it.
fn sentences(text: &str, tokens: &[Token]) -> Vec<Sentence> {
    let mut cuts = Vec::new();
    let bytes = text.as_bytes();
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c == '\n' {
            cuts.push(i + 1);
        } else if matches!(c, '.' | '!' | '?') {
            // Skip closing quotes and brackets after the mark.
            let mut j = i + 1;
            while j < bytes.len() {
                let rest = &text[j..];
                let Some(n) = rest.chars().next() else { break };
                if matches!(n, '"' | '\'' | ')' | '\u{201D}' | '\u{2019}') {
                    j += n.len_utf8();
                } else {
                    break;
                }
            }
            let rest = &text[j..];
            let mut chars = rest.chars();
            if chars.next() == Some(' ') {
                if let Some(n) = chars.next() {
                    if n.is_uppercase()
                        || n.is_ascii_digit()
                        || matches!(n, '"' | '\u{201C}' | '\'' | '\u{2018}')
                    {
                        cuts.push(j);
                    }
                }
            }
        }
    }
    cuts.push(text.len());
    let mut out = Vec::new();
    let mut start = 0;
    let mut t = 0;
    for cut in cuts {
        if cut <= start {
            continue;
        }
        let first = t;
        while t < tokens.len() && tokens[t].start < cut {
            t += 1;
        }
        if t > first {
            out.push(Sentence {
                start: tokens[first].start,
                end: tokens[t - 1].end,
                first,
                last: t,
            });
        }
        start = cut;
    }
    out
}

/// A stretch where the two sentences differ: words `a` of the first
/// document stand where words `b` of the second do (token index ranges).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Token range in the first document.
    pub a: (usize, usize),
    /// Token range in the second document.
    pub b: (usize, usize),
}

/// Two aligned sentences.
#[derive(Debug, Clone, PartialEq)]
pub struct SentencePair {
    /// Sentence index in the first document.
    pub a: usize,
    /// Sentence index in the second document.
    pub b: usize,
    /// Shared words in order over the longer sentence's words (0..1).
    pub similarity: f64,
    /// Words in common (in order).
    pub common: usize,
    /// Short differences (substitution candidates), in order.
    pub substitutions: Vec<Difference>,
    /// Longer differences (edits), in order.
    pub edits: Vec<Difference>,
}

/// The alignment of two documents.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Alignment {
    /// Aligned sentence pairs, in order (both sides increase).
    pub pairs: Vec<SentencePair>,
}

/// Tuning of the aligner.
#[derive(Debug, Clone, Copy)]
pub struct AlignParams {
    /// Minimum sentence similarity to align two sentences.
    pub min_similarity: f64,
    /// Longest difference (in words, on either side) counted as a substitution.
    pub max_substitution_words: usize,
}

impl Default for AlignParams {
    fn default() -> Self {
        AlignParams {
            min_similarity: 0.45,
            max_substitution_words: 4,
        }
    }
}

fn lcs_len(a: &[u64], b: &[u64]) -> usize {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    for &x in a {
        for (j, &y) in b.iter().enumerate() {
            cur[j + 1] = if x == y {
                prev[j] + 1
            } else {
                prev[j + 1].max(cur[j])
            };
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Common words as a multiset, for a quick upper bound of the LCS.
fn common_bound(a: &[u64], b: &[u64]) -> usize {
    let mut x = a.to_vec();
    let mut y = b.to_vec();
    x.sort_unstable();
    y.sort_unstable();
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Word-level differences of two token sequences (offsets added back).
fn diff(a: &[u64], b: &[u64], a0: usize, b0: usize) -> (usize, Vec<Difference>) {
    let (n, m) = (a.len(), b.len());
    let mut dp = vec![0u16; (n + 1) * (m + 1)];
    let w = m + 1;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            dp[i * w + j] = if a[i] == b[j] {
                dp[(i + 1) * w + j + 1].saturating_add(1)
            } else {
                dp[(i + 1) * w + j].max(dp[i * w + j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    let (mut gi, mut gj) = (0, 0);
    let mut common = 0;
    while i < n && j < m {
        if a[i] == b[j] {
            if gi < i || gj < j {
                out.push(Difference {
                    a: (a0 + gi, a0 + i),
                    b: (b0 + gj, b0 + j),
                });
            }
            common += 1;
            i += 1;
            j += 1;
            gi = i;
            gj = j;
        } else if dp[(i + 1) * w + j] >= dp[i * w + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    if gi < n || gj < m {
        out.push(Difference {
            a: (a0 + gi, a0 + n),
            b: (b0 + gj, b0 + m),
        });
    }
    (common, out)
}

/// Aligns document `a` with document `b`.
pub fn align(a: &Prepared, b: &Prepared, params: &AlignParams) -> Alignment {
    let n = a.sentences.len();
    let m = b.sentences.len();
    if n == 0 || m == 0 {
        return Alignment::default();
    }
    let hashes = |p: &Prepared, s: &Sentence| -> Vec<u64> {
        p.tokens[s.first..s.last].iter().map(|t| t.hash).collect()
    };
    let ah: Vec<Vec<u64>> = a.sentences.iter().map(|s| hashes(a, s)).collect();
    let bh: Vec<Vec<u64>> = b.sentences.iter().map(|s| hashes(b, s)).collect();
    // Similarity of every promising sentence pair.
    let mut sim = vec![0f64; n * m];
    for i in 0..n {
        for j in 0..m {
            let longer = ah[i].len().max(bh[j].len());
            if longer == 0 {
                continue;
            }
            let bound = common_bound(&ah[i], &bh[j]);
            if (bound as f64) < params.min_similarity * longer as f64 {
                continue;
            }
            let l = lcs_len(&ah[i], &bh[j]);
            let s = l as f64 / longer as f64;
            let substantial = l >= 4 || (l == longer && l >= 1);
            if s >= params.min_similarity && substantial {
                sim[i * m + j] = s;
            }
        }
    }
    // Monotone alignment of maximum total similarity.
    let w = m + 1;
    let mut dp = vec![0f64; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let mut best = dp[(i + 1) * w + j].max(dp[i * w + j + 1]);
            let s = sim[i * m + j];
            if s > 0.0 {
                best = best.max(dp[(i + 1) * w + j + 1] + s);
            }
            dp[i * w + j] = best;
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        let s = sim[i * m + j];
        if s > 0.0 && (dp[i * w + j] - (dp[(i + 1) * w + j + 1] + s)).abs() < 1e-9 {
            let sa = &a.sentences[i];
            let sb = &b.sentences[j];
            let (common, diffs) = diff(&ah[i], &bh[j], sa.first, sb.first);
            let (substitutions, edits) = diffs.into_iter().partition(|d| {
                d.a.1 - d.a.0 <= params.max_substitution_words
                    && d.b.1 - d.b.0 <= params.max_substitution_words
            });
            pairs.push(SentencePair {
                a: i,
                b: j,
                similarity: s,
                common,
                substitutions: attach_insertions(
                    substitutions,
                    (sa.first, sa.last),
                    (sb.first, sb.last),
                ),
                edits,
            });
            i += 1;
            j += 1;
        } else if dp[(i + 1) * w + j] >= dp[i * w + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    Alignment { pairs }
}

/// A pure insertion or deletion ("Chinese" → "Chinese language") becomes a
/// substitution by taking in the equal word before it (or after it, at the
/// start of a sentence). `sa` and `sb` are the two sentences' token ranges.
fn attach_insertions(
    diffs: Vec<Difference>,
    sa: (usize, usize),
    sb: (usize, usize),
) -> Vec<Difference> {
    let mut out: Vec<Difference> = Vec::with_capacity(diffs.len());
    for d in diffs {
        let a_empty = d.a.0 == d.a.1;
        let b_empty = d.b.0 == d.b.1;
        if !a_empty && !b_empty {
            out.push(d);
            continue;
        }
        let before_free = out.last().is_none_or(|p| p.a.1 < d.a.0 && p.b.1 < d.b.0);
        if d.a.0 > sa.0 && d.b.0 > sb.0 && before_free {
            out.push(Difference {
                a: (d.a.0 - 1, d.a.1),
                b: (d.b.0 - 1, d.b.1),
            });
        } else if d.a.1 < sa.1 && d.b.1 < sb.1 {
            out.push(Difference {
                a: (d.a.0, d.a.1 + 1),
                b: (d.b.0, d.b.1 + 1),
            });
        }
    }
    out
}

/// Whether a difference touches a content word on either side.
pub fn touches_content(a: &Prepared, b: &Prepared, d: &Difference) -> bool {
    a.tokens[d.a.0..d.a.1]
        .iter()
        .chain(&b.tokens[d.b.0..d.b.1])
        .any(|t| t.class == WordClass::Content)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words<'t>(text: &'t str, p: &Prepared, range: (usize, usize)) -> &'t str {
        if range.0 == range.1 {
            return "";
        }
        &text[p.tokens[range.0].start..p.tokens[range.1 - 1].end]
    }

    #[test]
    fn splits_sentences() {
        let t = "He said so. Then 5 more came.\nNew line \"Quoted.\" End";
        let p = Prepared::new(t);
        let s: Vec<&str> = p.sentences.iter().map(|s| &t[s.start..s.end]).collect();
        assert_eq!(
            s,
            ["He said so", "Then 5 more came", "New line \"Quoted", "End"]
        );
    }

    #[test]
    fn aligns_spun_sentences_and_finds_substitutions() {
        let src = "Officials said the attacks angered China. Unrelated words here entirely now. The Chinese engineers left.";
        let spun =
            "Officials mentioned the assaults angered China. The Chinese language engineers left.";
        let a = Prepared::new(spun);
        let b = Prepared::new(src);
        let al = align(&a, &b, &AlignParams::default());
        assert_eq!(al.pairs.len(), 2);
        assert_eq!((al.pairs[0].a, al.pairs[0].b), (0, 0));
        assert_eq!((al.pairs[1].a, al.pairs[1].b), (1, 2));
        let subs: Vec<(&str, &str)> = al
            .pairs
            .iter()
            .flat_map(|p| &p.substitutions)
            .map(|d| (words(spun, &a, d.a), words(src, &b, d.b)))
            .collect();
        assert_eq!(
            subs,
            [
                ("mentioned", "said"),
                ("assaults", "attacks"),
                ("Chinese language", "Chinese")
            ]
        );
    }
}
