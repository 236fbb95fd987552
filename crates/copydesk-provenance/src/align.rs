//! Aligning two documents: sentences matched in story order (a monotone
//! alignment that allows dropped and added sentences), then words inside
//! each matched pair, whose differences are the substitutions.

use crate::tokens::{Token, TokenizeScratch, WordClass, tokenize_with_cuts};

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
        let mut p = Prepared {
            tokens: Vec::with_capacity(text.len() / 6 + 1),
            sentences: Vec::new(),
        };
        p.refill(text, &mut PrepareScratch::default());
        p
    }

    /// Prepares `text` in place of the document this held, reusing the
    /// allocations (and those of `scratch`): what [`Prepared::new`] gives.
    pub fn refill(&mut self, text: &str, scratch: &mut PrepareScratch) {
        let PrepareScratch { cuts, tokenizer } = scratch;
        cuts.clear();
        tokenize_with_cuts(text, &mut self.tokens, cuts, tokenizer);
        cuts.push(text.len());
        sentences_from_cuts(&self.tokens, cuts, &mut self.sentences);
    }

    /// Number of words.
    pub fn words(&self) -> usize {
        self.tokens.len()
    }
}

/// Buffers [`Prepared::refill`] reuses from one document to the next.
#[derive(Debug, Default)]
pub struct PrepareScratch {
    cuts: Vec<usize>,
    tokenizer: TokenizeScratch,
}

/// Splits at line breaks and at `.`, `!`, `?` followed by a space and a
/// capital letter, digit or quote; a sentence owns the words inside it.
/// [`Prepared::new`] finds the same cuts while tokenizing; this separate
/// byte scan is the reference its tests compare with.
#[cfg(test)]
fn sentences(text: &str, tokens: &[Token]) -> Vec<Sentence> {
    let mut cuts = Vec::new();
    let bytes = text.as_bytes();
    // The marks are ASCII, so a byte scan finds them (UTF-8 continuation
    // bytes are never ASCII).
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            cuts.push(i + 1);
        } else if matches!(b, b'.' | b'!' | b'?') {
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
            if chars.next() == Some(' ')
                && let Some(n) = chars.next()
                && (n.is_uppercase()
                    || n.is_ascii_digit()
                    || matches!(n, '"' | '\u{201C}' | '\'' | '\u{2018}'))
            {
                cuts.push(j);
            }
        }
    }
    cuts.push(text.len());
    let mut out = Vec::new();
    sentences_from_cuts(tokens, &cuts, &mut out);
    out
}

/// The sentences between ascending cut offsets (the last one the text's
/// end), into `out` (cleared first): each owns the tokens that start
/// before its cut; empty ones are dropped.
fn sentences_from_cuts(tokens: &[Token], cuts: &[usize], out: &mut Vec<Sentence>) {
    out.clear();
    let mut start = 0;
    let mut t = 0;
    for &cut in cuts {
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

/// Length of the longest common subsequence of `a` and `b`, with two rows
/// of `scratch` (reused between calls). A common prefix and suffix belong
/// to a longest common subsequence, so only what lies between them is
/// compared word by word (nothing for equal sentences).
fn lcs_len(a: &[u64], b: &[u64], scratch: &mut Vec<u32>) -> usize {
    let prefix = common_prefix(a, b);
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    prefix + suffix + lcs_table(a, b, scratch)
}

/// How many first words `a` and `b` share.
fn common_prefix(a: &[u64], b: &[u64]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// [`lcs_len`] by the full table (two rows of it at a time).
fn lcs_table(a: &[u64], b: &[u64], scratch: &mut Vec<u32>) -> usize {
    let w = b.len() + 1;
    scratch.clear();
    scratch.resize(2 * w, 0);
    let (mut prev, mut cur) = scratch.split_at_mut(w);
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
    prev[b.len()] as usize
}

/// The first implementation of [`lcs_len`] (the whole table), kept as the reference.
#[cfg(test)]
fn lcs_len_reference(a: &[u64], b: &[u64], scratch: &mut Vec<u32>) -> usize {
    let w = b.len() + 1;
    scratch.clear();
    scratch.resize(2 * w, 0);
    let (mut prev, mut cur) = scratch.split_at_mut(w);
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
    prev[b.len()] as usize
}

/// The chain of matches `(i, j, similarity)` increasing in both `i` and `j`
/// with the largest total similarity (matches sorted by `i`, then `j`).
/// A Fenwick tree over `j` keeps this `O(k log m)` in time and `O(k + m)`
/// in memory for `k` matches.
fn monotone_chain(matches: &[(usize, usize, f64)], m: usize) -> Vec<(usize, usize, f64)> {
    // tree[x] = (best total, match index) over a range of j.
    let mut tree: Vec<(f64, usize)> = vec![(0.0, usize::MAX); m + 1];
    let better = |x: (f64, usize), y: (f64, usize)| {
        x.0 > y.0 + 1e-12 || ((x.0 - y.0).abs() <= 1e-12 && x.1 < y.1)
    };
    let query = |tree: &[(f64, usize)], mut j: usize| {
        // best over j' < j (1-based prefix of length j)
        let mut best = (0.0, usize::MAX);
        while j > 0 {
            if better(tree[j], best) {
                best = tree[j];
            }
            j &= j - 1;
        }
        best
    };
    let mut total = vec![0f64; matches.len()];
    let mut prev = vec![usize::MAX; matches.len()];
    let mut k = 0;
    while k < matches.len() {
        let mut end = k;
        while end < matches.len() && matches[end].0 == matches[k].0 {
            end += 1;
        }
        for x in k..end {
            let (_, j, s) = matches[x];
            let (best, from) = query(&tree, j);
            total[x] = best + s;
            prev[x] = from;
        }
        for x in k..end {
            let mut pos = matches[x].1 + 1;
            while pos <= m {
                if better((total[x], x), tree[pos]) {
                    tree[pos] = (total[x], x);
                }
                pos += pos & pos.wrapping_neg();
            }
        }
        k = end;
    }
    let mut best = (0.0, usize::MAX);
    for (x, &t) in total.iter().enumerate() {
        if better((t, x), best) {
            best = (t, x);
        }
    }
    let mut chain = Vec::new();
    let mut at = best.1;
    while at != usize::MAX {
        chain.push(matches[at]);
        at = prev[at];
    }
    chain.reverse();
    chain
}

/// How many values two ascending lists share (with repeats).
pub(crate) fn common_sorted<T: Ord + Copy>(x: &[T], y: &[T]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    // Without branches on the comparison (its outcome is unpredictable):
    // the smaller side advances, both do on a match.
    while let (Some(&a), Some(&b)) = (x.get(i), y.get(j)) {
        n += usize::from(a == b);
        i += usize::from(a <= b);
        j += usize::from(b <= a);
    }
    n
}

/// The first implementation of [`common_sorted`], kept as the reference.
#[cfg(test)]
fn common_sorted_reference<T: Ord>(x: &[T], y: &[T]) -> usize {
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

/// Largest table (cells) the word-level diff fills at once; longer sentence
/// pairs are cut into proportional blocks, which keeps memory bounded.
const MAX_DIFF_CELLS: usize = 1 << 20;

/// Word-level differences of two token sequences (offsets added back).
fn diff(a: &[u64], b: &[u64], a0: usize, b0: usize) -> (usize, Vec<Difference>) {
    if (a.len() + 1) * (b.len() + 1) <= MAX_DIFF_CELLS {
        return diff_block(a, b, a0, b0);
    }
    // Cut both sides into the same number of proportional blocks.
    let side = (MAX_DIFF_CELLS as f64).sqrt() as usize / 2;
    let blocks = a.len().max(b.len()).div_ceil(side.max(1)).max(1);
    let mut common = 0;
    let mut out = Vec::new();
    for k in 0..blocks {
        let (ai, aj) = (a.len() * k / blocks, a.len() * (k + 1) / blocks);
        let (bi, bj) = (b.len() * k / blocks, b.len() * (k + 1) / blocks);
        let (c, d) = diff_block(&a[ai..aj], &b[bi..bj], a0 + ai, b0 + bi);
        common += c;
        out.extend(d);
    }
    (common, out)
}

/// The word-level differences of `a` and `b` by a longest-common-subsequence
/// table. Its walk takes a match wherever the two words are equal, so a
/// common prefix is matched word for word whatever follows, and what
/// follows is walked as if it stood alone: the table is filled for the
/// rest only (none of it for equal sentences, the verbatim copies).
fn diff_block(a: &[u64], b: &[u64], a0: usize, b0: usize) -> (usize, Vec<Difference>) {
    let prefix = common_prefix(a, b);
    let (common, out) = diff_table(&a[prefix..], &b[prefix..], a0 + prefix, b0 + prefix);
    (prefix + common, out)
}

/// [`diff_block`] by the full table.
fn diff_table(a: &[u64], b: &[u64], a0: usize, b0: usize) -> (usize, Vec<Difference>) {
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

/// The first implementation of [`diff_block`] (the whole table), kept as
/// the reference.
#[cfg(test)]
fn diff_block_reference(a: &[u64], b: &[u64], a0: usize, b0: usize) -> (usize, Vec<Difference>) {
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

/// What [`align`] derives from a document before matching its sentences:
/// its word hashes in order, the same with each sentence's words sorted,
/// and its (word, sentence) postings. A document aligned with several
/// others is indexed once ([`align_indexed`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlignIndex {
    /// Word hashes in text order.
    words: Vec<u64>,
    /// `words` with each sentence's range sorted.
    sorted: Vec<u64>,
    /// Distinct (word, sentence) pairs, ascending.
    postings: Vec<(u64, u32)>,
    /// Each word's range of `postings`, by word ([`PostingRanges`]).
    ranges: PostingRanges,
}

/// The range of postings of each distinct word of a document, found by
/// hashing the word (an open-addressing table at most half full) instead
/// of searching the postings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct PostingRanges {
    /// `(word, from, to)`; `to == 0` marks an empty slot (a word's range
    /// is never empty).
    slots: Vec<(u64, u32, u32)>,
    /// Bits of a slot number.
    bits: u32,
}

impl PostingRanges {
    /// The ranges of the words of `postings` (ascending).
    fn new(postings: &[(u64, u32)]) -> PostingRanges {
        let distinct = postings.chunk_by(|x, y| x.0 == y.0).count();
        let bits = (distinct * 2).max(16).next_power_of_two().trailing_zeros();
        let mut table = PostingRanges {
            slots: vec![(0, 0, 0); 1 << bits],
            bits,
        };
        let mut from = 0;
        for run in postings.chunk_by(|x, y| x.0 == y.0) {
            let to = from + run.len();
            let mut slot = table.slot(run[0].0);
            while table.slots[slot].2 != 0 {
                slot = (slot + 1) & (table.slots.len() - 1);
            }
            table.slots[slot] = (run[0].0, from as u32, to as u32);
            from = to;
        }
        table
    }

    fn slot(&self, word: u64) -> usize {
        (word.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize
    }

    /// The range of `word`'s postings (empty when it has none).
    fn get(&self, word: u64) -> std::ops::Range<usize> {
        if self.slots.is_empty() {
            return 0..0;
        }
        let mask = self.slots.len() - 1;
        let mut slot = self.slot(word);
        loop {
            let (w, from, to) = self.slots[slot];
            if to == 0 {
                return 0..0;
            }
            if w == word {
                return from as usize..to as usize;
            }
            slot = (slot + 1) & mask;
        }
    }
}

impl AlignIndex {
    /// Indexes a prepared document.
    pub fn new(p: &Prepared) -> AlignIndex {
        let mut index = AlignIndex::without_postings(p);
        let (words, sorted) = (&index.words, &index.sorted);
        // Very common words are skipped for finding candidates, not for
        // measuring them (see `align_indexed`).
        let mut postings: Vec<(u64, u32)> = Vec::with_capacity(words.len());
        for (j, s) in p.sentences.iter().enumerate() {
            let in_sentence = &sorted[word_range(words, s)];
            for (k, &t) in in_sentence.iter().enumerate() {
                if k == 0 || in_sentence[k - 1] != t {
                    postings.push((t, j as u32));
                }
            }
        }
        postings.sort_unstable();
        index.ranges = PostingRanges::new(&postings);
        index.postings = postings;
        index
    }

    /// The index without postings: all [`align_indexed`] needs of its
    /// first document.
    pub fn without_postings(p: &Prepared) -> AlignIndex {
        let words: Vec<u64> = p.tokens.iter().map(|t| t.hash).collect();
        let mut sorted = words.clone();
        for s in &p.sentences {
            sorted[word_range(&words, s)].sort_unstable();
        }
        AlignIndex {
            words,
            sorted,
            postings: Vec::new(),
            ranges: PostingRanges::default(),
        }
    }
}

/// A sentence's range of word positions, within `words`.
fn word_range(words: &[u64], s: &Sentence) -> std::ops::Range<usize> {
    s.first.min(words.len())..s.last.min(words.len())
}

/// Aligns document `a` with document `b`.
pub fn align(a: &Prepared, b: &Prepared, params: &AlignParams) -> Alignment {
    if a.sentences.is_empty() || b.sentences.is_empty() {
        return Alignment::default();
    }
    align_indexed(
        a,
        &AlignIndex::without_postings(a),
        b,
        &AlignIndex::new(b),
        params,
    )
}

/// [`align`] with both documents' [`AlignIndex`] already built (`ai` of
/// `a`, postings not needed; `bi` of `b`).
pub fn align_indexed(
    a: &Prepared,
    ai: &AlignIndex,
    b: &Prepared,
    bi: &AlignIndex,
    params: &AlignParams,
) -> Alignment {
    if a.sentences.is_empty() || b.sentences.is_empty() {
        return Alignment::default();
    }
    let found = match_sentences(a, ai, b, bi, params);
    chained_pairs(a, &ai.words, b, &bi.words, &found.found, params)
}

/// The sentence matches [`align`] finds before it chains them: kept, they
/// let [`realign`] give the same documents' alignment again (either way
/// round, mostly) without matching their sentences again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SentenceMatches {
    /// `(sentence of a, sentence of b, similarity)`, ascending by sentence of `a`, then of `b`.
    found: Vec<(u32, u32, f64)>,
    /// Whether a word was passed over as too common in `b` when looking
    /// for candidate sentences (the other way round, it might not be).
    capped: bool,
}

/// [`align`], also returning the sentence matches it chained (for [`realign`]).
pub fn align_keeping_matches(
    a: &Prepared,
    b: &Prepared,
    params: &AlignParams,
) -> (Alignment, SentenceMatches) {
    if a.sentences.is_empty() || b.sentences.is_empty() {
        return (Alignment::default(), SentenceMatches::default());
    }
    let (ai, bi) = (AlignIndex::without_postings(a), AlignIndex::new(b));
    let found = match_sentences(a, &ai, b, &bi, params);
    let al = chained_pairs(a, &ai.words, b, &bi.words, &found.found, params);
    (al, found)
}

/// What [`align`]`(a, b, params)` gives, from the matches an earlier
/// [`align_keeping_matches`] of the same two documents found: of `(a, b)`,
/// or, with `swapped`, of `(b, a)`. Only the chain and the word-level
/// differences are computed again. `None` when the matches of `(b, a)`
/// do not tell those of `(a, b)`: a word was too common to look up in one
/// of the documents (sentences sharing only such words are never
/// candidates, and the cut depends on which document is searched).
pub fn realign(
    a: &Prepared,
    b: &Prepared,
    matches: &SentenceMatches,
    swapped: bool,
    params: &AlignParams,
) -> Option<Alignment> {
    if a.sentences.is_empty() || b.sentences.is_empty() {
        return Some(Alignment::default());
    }
    let found: Vec<(u32, u32, f64)> = if swapped {
        // Searching `b`'s postings skips words in more than
        // `64.max(m / 4)` of its sentences: none when it has at most 64.
        if matches.capped || b.sentences.len() > 64 {
            return None;
        }
        let mut found: Vec<(u32, u32, f64)> =
            matches.found.iter().map(|&(x, y, s)| (y, x, s)).collect();
        found.sort_unstable_by_key(|&(x, y, _)| (x, y));
        found
    } else {
        matches.found.clone()
    };
    let words = |p: &Prepared| -> Vec<u64> { p.tokens.iter().map(|t| t.hash).collect() };
    Some(chained_pairs(a, &words(a), b, &words(b), &found, params))
}

/// What [`align`]`(p, q, params)` gives for two documents with the same
/// text (`p` prepared from it; `q` would be the same), without matching:
/// every sentence with itself. A sentence is similar to itself (1.0) and
/// is a candidate for itself when one of its words is looked up, which
/// holds for every word of a document of at most 64 sentences (none is in
/// more than `64.max(m / 4)` of them); then the chain of most total
/// similarity is the diagonal (the only chain of as many pairs as
/// sentences; any other has a pair fewer, at most 1.0 each), and equal
/// sentences have no differences. `None` for longer documents.
pub fn align_same_text(p: &Prepared) -> Option<Alignment> {
    if p.sentences.len() > 64 {
        return None;
    }
    let pairs = p
        .sentences
        .iter()
        .enumerate()
        .map(|(i, s)| SentencePair {
            a: i,
            b: i,
            similarity: 1.0,
            common: s.last.min(p.tokens.len()) - s.first.min(p.tokens.len()),
            substitutions: Vec::new(),
            edits: Vec::new(),
        })
        .collect();
    Some(Alignment { pairs })
}

/// The matching of [`align_indexed`]: sentence pairs similar enough to
/// align, by sentence of `a`, then of `b` (both documents have sentences).
fn match_sentences(
    a: &Prepared,
    ai: &AlignIndex,
    b: &Prepared,
    bi: &AlignIndex,
    params: &AlignParams,
) -> SentenceMatches {
    let m = b.sentences.len();
    let (aw, bw) = (&ai.words, &bi.words);
    let (as_, bs) = (&ai.sorted, &bi.sorted);
    let postings = &bi.postings;
    let words = word_range;
    let cap = 64.max(m / 4);
    let mut capped = false;
    let mut matches: Vec<(u32, u32, f64)> = Vec::new();
    // Shared-word counts per sentence of `b`, and which are non-zero.
    let mut hits: Vec<u32> = vec![0; m];
    let mut touched: Vec<u32> = Vec::new();
    let mut scratch: Vec<u32> = Vec::new();
    for (i, sa) in a.sentences.iter().enumerate() {
        let range_a = words(aw, sa);
        let h = &aw[range_a.clone()];
        let asorted = &as_[range_a];
        touched.clear();
        for (k, &t) in asorted.iter().enumerate() {
            if k > 0 && asorted[k - 1] == t {
                continue;
            }
            let range = bi.ranges.get(t);
            if range.len() > cap {
                capped = true;
                continue;
            }
            for &(_, j) in postings.get(range).unwrap_or(&[]) {
                if hits[j as usize] == 0 {
                    touched.push(j);
                }
                hits[j as usize] += 1;
            }
        }
        touched.sort_unstable();
        for &j in &touched {
            hits[j as usize] = 0;
            let range_b = words(bw, &b.sentences[j as usize]);
            let longer = h.len().max(range_b.len());
            if longer == 0 {
                continue;
            }
            let bound = common_sorted(asorted, &bs[range_b.clone()]);
            if (bound as f64) < params.min_similarity * longer as f64 {
                continue;
            }
            let l = lcs_len(h, &bw[range_b], &mut scratch);
            let sim = l as f64 / longer as f64;
            let substantial = l >= 4 || (l == longer && l >= 1);
            if sim >= params.min_similarity && substantial {
                matches.push((i as u32, j, sim));
            }
        }
    }
    SentenceMatches {
        found: matches,
        capped,
    }
}

/// The chaining and word-level differences of [`align_indexed`], from
/// the sentence matches (`aw`, `bw`: the documents' word hashes).
fn chained_pairs(
    a: &Prepared,
    aw: &[u64],
    b: &Prepared,
    bw: &[u64],
    found: &[(u32, u32, f64)],
    params: &AlignParams,
) -> Alignment {
    let words = word_range;
    let matches: Vec<(usize, usize, f64)> = found
        .iter()
        .map(|&(i, j, s)| (i as usize, j as usize, s))
        .collect();
    let mut pairs = Vec::new();
    for (i, j, sim) in monotone_chain(&matches, b.sentences.len()) {
        let sa = &a.sentences[i];
        let sb = &b.sentences[j];
        let (common, diffs) = diff(&aw[words(aw, sa)], &bw[words(bw, sb)], sa.first, sb.first);
        let (substitutions, edits) = diffs.into_iter().partition(|d| {
            d.a.1 - d.a.0 <= params.max_substitution_words
                && d.b.1 - d.b.0 <= params.max_substitution_words
        });
        pairs.push(SentencePair {
            a: i,
            b: j,
            similarity: sim,
            common,
            substitutions: attach_insertions(
                substitutions,
                (sa.first, sa.last),
                (sb.first, sb.last),
            ),
            edits,
        });
    }
    Alignment { pairs }
}

/// The first implementation of [`align`] (indexing both documents for
/// every pair), kept as the reference the indexed one must match.
#[cfg(test)]
pub(crate) fn align_reference(a: &Prepared, b: &Prepared, params: &AlignParams) -> Alignment {
    let n = a.sentences.len();
    let m = b.sentences.len();
    if n == 0 || m == 0 {
        return Alignment::default();
    }
    // Word hashes of each document in order; a sentence is a range of them.
    let aw: Vec<u64> = a.tokens.iter().map(|t| t.hash).collect();
    let bw: Vec<u64> = b.tokens.iter().map(|t| t.hash).collect();
    let words = |w: &'_ [u64], s: &Sentence| -> std::ops::Range<usize> {
        s.first.min(w.len())..s.last.min(w.len())
    };
    // The second document's sentences with their words sorted (same ranges).
    let mut bs: Vec<u64> = bw.clone();
    for s in &b.sentences {
        bs[words(&bw, s)].sort_unstable();
    }
    // Similar sentence pairs, found through shared words: (word, sentence)
    // of the second document, distinct and sorted, as an inverted index;
    // very common words are skipped for finding candidates, not for
    // measuring them.
    let mut postings: Vec<(u64, u32)> = Vec::with_capacity(bw.len());
    for (j, s) in b.sentences.iter().enumerate() {
        let sorted = &bs[words(&bw, s)];
        for (k, &t) in sorted.iter().enumerate() {
            if k == 0 || sorted[k - 1] != t {
                postings.push((t, j as u32));
            }
        }
    }
    postings.sort_unstable();
    let cap = 64.max(m / 4);
    let mut matches: Vec<(usize, usize, f64)> = Vec::new();
    // Shared-word counts per sentence of `b`, and which are non-zero.
    let mut hits: Vec<u32> = vec![0; m];
    let mut touched: Vec<u32> = Vec::new();
    let mut asorted: Vec<u64> = Vec::new();
    let mut scratch: Vec<u32> = Vec::new();
    for (i, sa) in a.sentences.iter().enumerate() {
        let h = &aw[words(&aw, sa)];
        asorted.clear();
        asorted.extend_from_slice(h);
        asorted.sort_unstable();
        touched.clear();
        for (k, &t) in asorted.iter().enumerate() {
            if k > 0 && asorted[k - 1] == t {
                continue;
            }
            let from = postings.partition_point(|&(w, _)| w < t);
            let to = from + postings[from..].partition_point(|&(w, _)| w == t);
            if to - from > cap {
                continue;
            }
            for &(_, j) in &postings[from..to] {
                if hits[j as usize] == 0 {
                    touched.push(j);
                }
                hits[j as usize] += 1;
            }
        }
        touched.sort_unstable();
        for &j in &touched {
            hits[j as usize] = 0;
            let j = j as usize;
            let range_b = words(&bw, &b.sentences[j]);
            let longer = h.len().max(range_b.len());
            if longer == 0 {
                continue;
            }
            let bound = common_sorted(&asorted, &bs[range_b.clone()]);
            if (bound as f64) < params.min_similarity * longer as f64 {
                continue;
            }
            let l = lcs_len(h, &bw[range_b], &mut scratch);
            let sim = l as f64 / longer as f64;
            let substantial = l >= 4 || (l == longer && l >= 1);
            if sim >= params.min_similarity && substantial {
                matches.push((i, j, sim));
            }
        }
    }
    let mut pairs = Vec::new();
    for (i, j, sim) in monotone_chain(&matches, m) {
        let sa = &a.sentences[i];
        let sb = &b.sentences[j];
        let (common, diffs) = diff(&aw[words(&aw, sa)], &bw[words(&bw, sb)], sa.first, sb.first);
        let (substitutions, edits) = diffs.into_iter().partition(|d| {
            d.a.1 - d.a.0 <= params.max_substitution_words
                && d.b.1 - d.b.0 <= params.max_substitution_words
        });
        pairs.push(SentencePair {
            a: i,
            b: j,
            similarity: sim,
            common,
            substitutions: attach_insertions(
                substitutions,
                (sa.first, sa.last),
                (sb.first, sb.last),
            ),
            edits,
        });
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

    /// The first sentence splitter (a scan over chars), kept as the
    /// reference the byte scan must match.
    fn reference_cuts(text: &str) -> Vec<usize> {
        let mut cuts = Vec::new();
        let bytes = text.as_bytes();
        for (i, c) in text.char_indices() {
            if c == '\n' {
                cuts.push(i + 1);
            } else if matches!(c, '.' | '!' | '?') {
                let mut j = i + 1;
                while j < bytes.len() {
                    let Some(n) = text[j..].chars().next() else {
                        break;
                    };
                    if matches!(n, '"' | '\'' | ')' | '\u{201D}' | '\u{2019}') {
                        j += n.len_utf8();
                    } else {
                        break;
                    }
                }
                let mut chars = text[j..].chars();
                if chars.next() == Some(' ')
                    && let Some(n) = chars.next()
                    && (n.is_uppercase()
                        || n.is_ascii_digit()
                        || matches!(n, '"' | '\u{201C}' | '\'' | '\u{2018}'))
                {
                    cuts.push(j);
                }
            }
        }
        cuts
    }

    proptest::proptest! {
        #[test]
        fn sentences_match_the_char_scan(text in "[a-zA-Z0-9 .!?\n\"')\u{201C}\u{201D}\u{2018}\u{2019}\u{e9}\u{c9}]{0,120}") {
            let tokens = crate::tokens::tokenize(&text);
            let ours = sentences(&text, &tokens);
            // The sentences the reference cuts make.
            let mut cuts = reference_cuts(&text);
            cuts.push(text.len());
            let mut expected = Vec::new();
            sentences_from_cuts(&tokens, &cuts, &mut expected);
            proptest::prop_assert_eq!(ours, expected);
        }

        #[test]
        fn prepared_sentences_match_the_separate_scan(text in "[a-zA-Z0-9 .!?,:;\n\"')\u{201C}\u{201D}\u{2018}\u{2019}\u{e9}\u{c9}-]{0,160}") {
            let tokens = crate::tokens::tokenize(&text);
            let p = Prepared::new(&text);
            proptest::prop_assert_eq!(&p.sentences, &sentences(&text, &tokens));
            proptest::prop_assert_eq!(p.tokens, tokens);
        }

        #[test]
        fn refilling_prepares_as_new_does(texts in proptest::collection::vec("[a-zA-Z0-9 .!?,\n\"'\u{e9}\u{2019}-]{0,200}", 1..6)) {
            let mut reused = Prepared::new("");
            let mut scratch = PrepareScratch::default();
            for text in &texts {
                reused.refill(text, &mut scratch);
                let fresh = Prepared::new(text);
                proptest::prop_assert_eq!(&reused.tokens, &fresh.tokens);
                proptest::prop_assert_eq!(&reused.sentences, &fresh.sentences);
            }
        }

        #[test]
        fn prepared_sentences_match_the_separate_scan_on_any_text(text in "\\PC{0,100}") {
            let tokens = crate::tokens::tokenize(&text);
            let p = Prepared::new(&text);
            proptest::prop_assert_eq!(&p.sentences, &sentences(&text, &tokens));
        }
    }

    proptest::proptest! {
        #[test]
        fn lcs_and_diff_skip_the_shared_ends_without_changing_them(
            a in proptest::collection::vec(0u64..4, 0..30),
            b in proptest::collection::vec(0u64..4, 0..30),
            shared in proptest::collection::vec(0u64..4, 0..8),
            tail in proptest::collection::vec(0u64..4, 0..8),
            offsets in (0usize..100, 0usize..100),
        ) {
            // Few distinct words (many ties), often with a shared start and end.
            let a: Vec<u64> = shared.iter().chain(&a).chain(&tail).copied().collect();
            let b: Vec<u64> = shared.iter().chain(&b).chain(&tail).copied().collect();
            let mut scratch = Vec::new();
            proptest::prop_assert_eq!(lcs_len(&a, &b, &mut scratch), lcs_len_reference(&a, &b, &mut scratch));
            proptest::prop_assert_eq!(
                diff_block(&a, &b, offsets.0, offsets.1),
                diff_block_reference(&a, &b, offsets.0, offsets.1)
            );
            proptest::prop_assert_eq!(diff_block(&a, &a, 3, 5), diff_block_reference(&a, &a, 3, 5));
        }

        #[test]
        fn common_sorted_matches_the_reference(
            mut x in proptest::collection::vec(0u16..40, 0..60),
            mut y in proptest::collection::vec(0u16..40, 0..60),
        ) {
            x.sort_unstable();
            y.sort_unstable();
            proptest::prop_assert_eq!(common_sorted(&x, &y), common_sorted_reference(&x, &y));
        }

        #[test]
        fn posting_ranges_are_the_searched_ranges(
            words in proptest::collection::vec((0u64..40, 0u32..6), 0..200),
            spread in proptest::prelude::any::<bool>(),
        ) {
            // Small words (slots collide; 0 is a word too) or spread ones.
            let word = |w: u64| if spread { w.wrapping_mul(0x2545_F491_4F6C_DD1D) } else { w };
            let mut postings: Vec<(u64, u32)> = words.iter().map(|&(w, j)| (word(w), j)).collect();
            postings.sort_unstable();
            postings.dedup();
            let ranges = PostingRanges::new(&postings);
            for w in 0..45 {
                let t = word(w);
                let from = postings.partition_point(|&(x, _)| x < t);
                let to = from + postings[from..].partition_point(|&(x, _)| x == t);
                let expected = if from == to { 0..0 } else { from..to };
                proptest::prop_assert_eq!(ranges.get(t), expected);
            }
        }

        #[test]
        fn indexed_alignment_matches_the_reference(
            a in proptest::collection::vec(0usize..12, 0..80),
            b in proptest::collection::vec(0usize..12, 0..80),
            min_similarity in 0.2f64..0.9,
        ) {
            // Texts over a small vocabulary with sentence marks, so that
            // sentences share words, repeat them and align in part.
            const WORDS: [&str; 12] = ["the", "Bank", "said", "rates", "rose", "5", "pct", "in", "March.", "Officials", "expect", "growth."];
            let text = |w: &[usize]| w.iter().map(|&k| WORDS[k]).collect::<Vec<_>>().join(" ");
            let (ta, tb) = (text(&a), text(&b));
            let (pa, pb) = (Prepared::new(&ta), Prepared::new(&tb));
            let params = AlignParams { min_similarity, ..AlignParams::default() };
            proptest::prop_assert_eq!(align(&pa, &pb, &params), align_reference(&pa, &pb, &params));
            proptest::prop_assert_eq!(
                align_indexed(&pa, &AlignIndex::new(&pa), &pb, &AlignIndex::new(&pb), &params),
                align_reference(&pa, &pb, &params)
            );
            proptest::prop_assert_eq!(
                align_indexed(&pa, &AlignIndex::without_postings(&pa), &pb, &AlignIndex::new(&pb), &params),
                align_reference(&pa, &pb, &params)
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn realigning_from_kept_matches_aligns_as_the_reference(
            a in proptest::collection::vec(0usize..12, 0..120),
            b in proptest::collection::vec(0usize..12, 0..120),
            min_similarity in 0.2f64..0.9,
            repeat in 1usize..4,
        ) {
            // Sentences that share words, repeat (equal chains tie) and
            // align in part, either way round.
            const WORDS: [&str; 12] = ["the", "Bank", "said", "rates", "rose", "5", "pct", "in", "March.", "Officials", "expect", "growth."];
            let text = |w: &[usize]| w.iter().map(|&k| WORDS[k]).collect::<Vec<_>>().join(" ");
            let (ta, tb) = (text(&a), vec![text(&b); repeat].join(" "));
            let (pa, pb) = (Prepared::new(&ta), Prepared::new(&tb));
            let params = AlignParams { min_similarity, ..AlignParams::default() };
            let (al, found) = align_keeping_matches(&pa, &pb, &params);
            proptest::prop_assert_eq!(&al, &align_reference(&pa, &pb, &params));
            proptest::prop_assert_eq!(realign(&pa, &pb, &found, false, &params), Some(al));
            let back = realign(&pb, &pa, &found, true, &params);
            if !found.capped && pa.sentences.len() <= 64 {
                proptest::prop_assert!(back.is_some());
            }
            if let Some(back) = back {
                proptest::prop_assert_eq!(back, align_reference(&pb, &pa, &params));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn a_text_aligns_with_itself_as_the_reference_aligns_it(
            words in proptest::collection::vec(0usize..12, 0..200),
            repeat in 1usize..4,
            min_similarity in 0.0f64..=1.0,
        ) {
            // Sentences that repeat, over a few words (some in most sentences).
            const WORDS: [&str; 12] = ["the", "Bank", "said", "rates", "rose", "5", "pct", "in", "March.", "Officials", "expect", "growth.\n"];
            let text = vec![words.iter().map(|&k| WORDS[k]).collect::<Vec<_>>().join(" "); repeat].join(" ");
            let (p, q) = (Prepared::new(&text), Prepared::new(&text));
            let params = AlignParams { min_similarity, ..AlignParams::default() };
            match align_same_text(&p) {
                Some(al) => proptest::prop_assert_eq!(al, align_reference(&p, &q, &params)),
                None => proptest::prop_assert!(p.sentences.len() > 64),
            }
        }
    }

    #[test]
    fn matches_with_too_common_words_are_not_turned_round() {
        // 70 sentences sharing "said": too common to look up in `b`.
        let b: String = (0..70)
            .map(|k| format!("Officials said {k} more.\n"))
            .collect();
        let a = "Officials said.\nThe Bank said rates rose 5 pct in March.\n";
        let (pa, pb) = (Prepared::new(a), Prepared::new(&b));
        let params = AlignParams::default();
        let (al, found) = align_keeping_matches(&pa, &pb, &params);
        assert!(found.capped);
        assert_eq!(realign(&pa, &pb, &found, false, &params), Some(al));
        assert_eq!(realign(&pb, &pa, &found, true, &params), None);
        // `a` searched the other way round: `b` has more than 64 sentences.
        let (_, found) = align_keeping_matches(&pb, &pa, &params);
        assert!(!found.capped);
        assert_eq!(realign(&pa, &pb, &found, true, &params), None);
    }

    #[test]
    fn chain_is_monotone_and_heaviest() {
        let m = vec![
            (0, 2, 0.9),
            (1, 0, 0.5),
            (1, 3, 0.6),
            (2, 1, 0.5),
            (3, 4, 0.7),
        ];
        let c = monotone_chain(&m, 5);
        assert_eq!(c, vec![(0, 2, 0.9), (1, 3, 0.6), (3, 4, 0.7)]);
        assert!(monotone_chain(&[], 3).is_empty());
    }

    #[test]
    fn long_sentences_diff_in_bounded_blocks() {
        let a: Vec<u64> = (0..5000).collect();
        let mut b = a.clone();
        b[2500] = 999_999;
        let (common, diffs) = diff(&a, &b, 0, 0);
        assert!(common >= 4990, "{common}");
        assert!(
            diffs
                .iter()
                .any(|d| d.a == (2500, 2501) && d.b == (2500, 2501))
        );
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
