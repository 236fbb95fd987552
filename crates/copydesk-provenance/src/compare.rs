//! Deciding what two aligned documents are to each other: a copy (verbatim,
//! syndicated or spun, and which one is the source), the same story, or
//! nothing; and the evidence for it.

use crate::align::{Alignment, Difference, Prepared, common_sorted, touches_content};
use crate::hashing::PreHashedMap;
use crate::tokens::WordClass;
use copydesk_core::{AlignedPassage, RelationEvidence, RelationKind, Substitution, TextSpan};
use std::collections::BTreeSet;

/// Thresholds of the decision.
#[derive(Debug, Clone, Copy)]
pub struct DecisionParams {
    /// Share of the better-covered document's words in aligned sentences
    /// needed to call a pair a copy.
    pub min_coverage: f64,
    /// Substituted words per aligned word from which a copy is `spun`.
    pub spun_min_rate: f64,
    /// Minimum substitutions for `spun`.
    pub spun_min_substitutions: usize,
    /// Distinct shared names and numbers needed for `same_story`.
    pub same_story_min_anchors: usize,
    /// Lines of at most this many words are layout (headlines, debris), not content.
    pub short_line_words: usize,
    /// Share of the names and numbers of aligned sentences that must agree
    /// (copies keep them; template stories differ exactly there).
    pub min_anchor_agreement: f64,
    /// Most reshaped words per aligned word for a copy: words in long edits
    /// plus the length mismatch of substitutions. Copies (even spun at
    /// 50 %) keep each sentence's shape; a rewrite of the same event does not.
    pub max_reshaped_rate: f64,
    /// Least mean similarity of aligned sentences for an unspun copy
    /// (`verbatim`, `syndicated`): below it, with few substitutions, the
    /// sentences were rewritten, not republished.
    pub syndicated_min_similarity: f64,
}

impl Default for DecisionParams {
    fn default() -> Self {
        DecisionParams {
            min_coverage: 0.5,
            spun_min_rate: 0.05,
            spun_min_substitutions: 4,
            same_story_min_anchors: 8,
            short_line_words: 7,
            min_anchor_agreement: 0.6,
            max_reshaped_rate: 0.3,
            syndicated_min_similarity: 0.85,
        }
    }
}

/// One side of a pair: its prepared text, the text, its date and id.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// Tokens and sentences.
    pub prepared: &'a Prepared,
    /// The clean text.
    pub text: &'a str,
    /// ISO date, if known.
    pub date: Option<&'a str>,
    /// Document id.
    pub id: &'a str,
}

/// The verdict on a pair, oriented: `copy_is_a` says which side is the copy.
#[derive(Debug, Clone, PartialEq)]
pub struct PairVerdict {
    /// The relation.
    pub kind: RelationKind,
    /// Confidence in 0..1 (also how close the copy is to the source).
    pub score: f64,
    /// Whether the first document is the copy (derived one).
    pub copy_is_a: bool,
    /// Whether the direction rests on firm evidence (dates, spin) rather
    /// than on layout heuristics that corpus-level support may overrule.
    pub direction_settled: bool,
    /// Sentences of the first document aligned in this pair.
    pub aligned_a: Vec<usize>,
    /// Sentences of the second document aligned in this pair.
    pub aligned_b: Vec<usize>,
    /// Long sentences of the first document with no counterpart: (index, words).
    pub only_a: Vec<(usize, usize)>,
    /// Long sentences of the second document with no counterpart: (index, words).
    pub only_b: Vec<(usize, usize)>,
}

impl PairVerdict {
    /// The verdict on two documents with the same text, the first the copy.
    pub fn identical() -> PairVerdict {
        PairVerdict {
            kind: RelationKind::Verbatim,
            score: 1.0,
            copy_is_a: true,
            direction_settled: true,
            aligned_a: Vec::new(),
            aligned_b: Vec::new(),
            only_a: Vec::new(),
            only_b: Vec::new(),
        }
    }

    /// Words of the copy's long sentences that have no counterpart in the
    /// other document (what the copy carries that its source would lack).
    pub fn copy_unmatched_words(&self) -> usize {
        let only = if self.copy_is_a {
            &self.only_a
        } else {
            &self.only_b
        };
        only.iter().map(|&(_, words)| words).sum()
    }
}

/// Sentence bookkeeping of an alignment: aligned sentences of each side and
/// long sentences of each side with no counterpart.
type SentenceSplit = (
    Vec<usize>,
    Vec<usize>,
    Vec<(usize, usize)>,
    Vec<(usize, usize)>,
);

fn sentence_split(a: &Prepared, b: &Prepared, al: &Alignment, p: &DecisionParams) -> SentenceSplit {
    let aligned_a: Vec<usize> = al.pairs.iter().map(|x| x.a).collect();
    let aligned_b: Vec<usize> = al.pairs.iter().map(|x| x.b).collect();
    let only = |p_: &Prepared, aligned: &[usize]| -> Vec<(usize, usize)> {
        p_.sentences
            .iter()
            .enumerate()
            .filter(|(i, s)| !aligned.contains(i) && s.words() > p.short_line_words)
            .map(|(i, s)| (i, s.words()))
            .collect()
    };
    let only_a = only(a, &aligned_a);
    let only_b = only(b, &aligned_b);
    (aligned_a, aligned_b, only_a, only_b)
}

/// Measurements of an alignment.
#[derive(Debug, Clone, Default)]
struct Features {
    cov_a: f64,
    cov_b: f64,
    mean_similarity: f64,
    diffs: usize,
    content_substitutions: usize,
    /// Content substitutions that replace words rather than insert or
    /// delete some beside an equal word: a spinner's swaps are replacements,
    /// an editor's rewrite is mostly insertions and deletions.
    replacements: usize,
    substituted_words: usize,
    /// Words in long edits plus the length mismatch of substitutions, over
    /// the aligned pairs.
    reshaped_words: usize,
    /// Differences where each side has a name or number the other document lacks.
    anchor_conflicts: usize,
    /// Names and numbers of aligned sentences found in both (overlap
    /// coefficient over sentence pairs); copies keep them, templates do not.
    anchor_agreement: f64,
    unaligned_short_a: usize,
    unaligned_long_a: usize,
    unaligned_short_b: usize,
    unaligned_long_b: usize,
}

fn has_number(p: &Prepared, range: (usize, usize)) -> bool {
    p.tokens[range.0..range.1]
        .iter()
        .any(|t| t.class == WordClass::Number)
}

fn features(a: &Prepared, b: &Prepared, al: &Alignment, p: &DecisionParams) -> Features {
    let mut f = Features::default();
    let (anchors_a, anchors_b) = (anchors(a), anchors(b));
    let novel = |p: &Prepared, r: (usize, usize), other: &WordSet| {
        p.tokens[r.0..r.1].iter().any(|t| {
            matches!(t.class, WordClass::Name | WordClass::Number) && !other.contains(t.hash)
        })
    };
    let mut aligned_a = vec![false; a.sentences.len()];
    let mut aligned_b = vec![false; b.sentences.len()];
    let mut words_a = 0;
    let mut words_b = 0;
    let sentence_anchors = |p: &Prepared, s: &crate::align::Sentence| -> WordSet {
        WordSet::of(
            p.tokens[s.first..s.last]
                .iter()
                .filter(|t| matches!(t.class, WordClass::Name | WordClass::Number))
                .map(|t| t.hash),
        )
    };
    let (mut inter, mut union) = (0usize, 0usize);
    for pair in &al.pairs {
        let x = sentence_anchors(a, &a.sentences[pair.a]);
        let y = sentence_anchors(b, &b.sentences[pair.b]);
        // Overlap over the smaller set: a copy that drops a dateline or a
        // clause loses names without contradicting the source; a template
        // story puts other names and numbers in the same places.
        inter += x.shared(&y);
        union += x.len().min(y.len());
        aligned_a[pair.a] = true;
        aligned_b[pair.b] = true;
        words_a += a.sentences[pair.a].words();
        words_b += b.sentences[pair.b].words();
        f.mean_similarity += pair.similarity;
        f.diffs += pair.substitutions.len() + pair.edits.len();
        for d in &pair.edits {
            f.reshaped_words += (d.a.1 - d.a.0).max(d.b.1 - d.b.0);
        }
        for d in &pair.substitutions {
            f.reshaped_words += (d.a.1 - d.a.0).abs_diff(d.b.1 - d.b.0);
        }
        for d in pair.substitutions.iter().chain(&pair.edits) {
            if novel(a, d.a, &anchors_b) && novel(b, d.b, &anchors_a) {
                f.anchor_conflicts += 1;
            }
        }
        // Substitutions in headlines and other short lines are layout edits.
        let long = a.sentences[pair.a].words() > p.short_line_words
            && b.sentences[pair.b].words() > p.short_line_words;
        for d in pair.substitutions.iter().filter(|_| long) {
            if !has_number(a, d.a) && !has_number(b, d.b) && touches_content(a, b, d) {
                f.content_substitutions += 1;
                f.substituted_words += d.a.1 - d.a.0;
                let same_first = a.tokens[d.a.0].hash == b.tokens[d.b.0].hash;
                let same_last = a.tokens[d.a.1 - 1].hash == b.tokens[d.b.1 - 1].hash;
                if !same_first && !same_last {
                    f.replacements += 1;
                }
            }
        }
    }
    if !al.pairs.is_empty() {
        f.mean_similarity /= al.pairs.len() as f64;
    }
    f.anchor_agreement = if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    };
    f.cov_a = words_a as f64 / a.words().max(1) as f64;
    f.cov_b = words_b as f64 / b.words().max(1) as f64;
    for (s, aligned) in a.sentences.iter().zip(&aligned_a) {
        if !aligned {
            if s.words() <= p.short_line_words {
                f.unaligned_short_a += 1;
            } else {
                f.unaligned_long_a += s.words();
            }
        }
    }
    for (s, aligned) in b.sentences.iter().zip(&aligned_b) {
        if !aligned {
            if s.words() <= p.short_line_words {
                f.unaligned_short_b += 1;
            } else {
                f.unaligned_long_b += s.words();
            }
        }
    }
    f
}

/// Mean natural log of (document frequency + 1) over a token range.
fn mean_log_df(p: &Prepared, range: (usize, usize), df: &dyn Fn(u64) -> u32) -> f64 {
    let n = range.1 - range.0;
    if n == 0 {
        return 0.0;
    }
    p.tokens[range.0..range.1]
        .iter()
        .map(|t| (f64::from(df(t.hash)) + 1.0).ln())
        .sum::<f64>()
        / n as f64
}

/// The first wire-service dateline in the opening of `text`: a place, then
/// an agency in brackets or a date (`"SALVADOR, Feb 26 -"`,
/// `"ISLAMABAD (Reuters) -"`); groups 1 and 2 hold the month and day when
/// it is a date.
fn wire_dateline_captures(text: &str) -> Option<regex::Captures<'_>> {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"(?m)^[ \t]*[A-Z][A-Za-z.'\-]*(?:[ \t]+[A-Z][A-Za-z.'\-]*){0,4}(?:,[ \t]*[A-Z][A-Za-z.]*(?:[ \t]+[A-Z][A-Za-z.]*){0,3})*[ \t]*(?:\([A-Za-z .]+\)|,[ \t]*(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?[ \t]+(\d{1,2}))[ \t]*[-\u{2013}\u{2014}]",
        )
        .ok()
    });
    let mut end = text.len().min(600);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    re.as_ref()?.captures(&text[..end])
}

/// Whether the text opens with a wire-service dateline that carries a date
/// or an agency (`"SALVADOR, Feb 26 -"`, `"ISLAMABAD (Reuters) -"`): the
/// form of the original wire story, which republishers restyle or drop.
pub fn wire_dateline(text: &str) -> bool {
    wire_dateline_captures(text).is_some()
}

/// The month and day of a wire dateline (`"LONDON, March 11 -"`), as a
/// day of the year (months counted as 31 days; enough to compare two).
pub fn dateline_day(text: &str) -> Option<u32> {
    let caps = wire_dateline_captures(text)?;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let name = caps.get(1)?.as_str();
    let month = MONTHS.iter().position(|m| *m == name)? as u32;
    let day: u32 = caps.get(2)?.as_str().parse().ok()?;
    Some(month * 31 + day)
}

/// Positive when `a` looks like the spun copy of `b`, negative for the
/// reverse. Two signals: the original wording usually survives somewhere in
/// the spun copy (inside quotes, which spinners leave alone, or where the
/// spinner skipped a word) while the spinner's rarer synonyms seldom occur
/// in the original; and across the corpus the original wording is the more
/// common one.
fn spin_direction(pa: &Prepared, pb: &Prepared, al: &Alignment, df: &dyn Fn(u64) -> u32) -> f64 {
    let content = |p: &Prepared, r: (usize, usize)| -> Vec<u64> {
        p.tokens[r.0..r.1]
            .iter()
            .filter(|t| t.class == WordClass::Content)
            .map(|t| t.hash)
            .collect()
    };
    let mut in_subs_a: PreHashedMap<u64, usize> = PreHashedMap::default();
    let mut in_subs_b: PreHashedMap<u64, usize> = PreHashedMap::default();
    let mut subs = Vec::new();
    for pair in &al.pairs {
        for d in &pair.substitutions {
            if has_number(pa, d.a) || has_number(pb, d.b) || !touches_content(pa, pb, d) {
                continue;
            }
            for h in content(pa, d.a) {
                *in_subs_a.entry(h).or_default() += 1;
            }
            for h in content(pb, d.b) {
                *in_subs_b.entry(h).or_default() += 1;
            }
            subs.push(d.clone());
        }
    }
    if subs.is_empty() {
        return 0.0;
    }
    let count = |p: &Prepared| {
        let mut m: PreHashedMap<u64, usize> = PreHashedMap::default();
        for t in &p.tokens {
            *m.entry(t.hash).or_default() += 1;
        }
        m
    };
    let (all_a, all_b) = (count(pa), count(pb));
    let elsewhere = |all: &PreHashedMap<u64, usize>, in_subs: &PreHashedMap<u64, usize>, h: u64| {
        all.get(&h).copied().unwrap_or(0) > in_subs.get(&h).copied().unwrap_or(0)
    };
    let mut survival = 0.0;
    let mut lean = 0.0;
    for d in &subs {
        let original_in_a = content(pb, d.b)
            .iter()
            .any(|&h| elsewhere(&all_a, &in_subs_a, h));
        let spun_in_b = content(pa, d.a)
            .iter()
            .any(|&h| elsewhere(&all_b, &in_subs_b, h));
        survival += f64::from(u8::from(original_in_a)) - f64::from(u8::from(spun_in_b));
        lean += mean_log_df(pb, d.b, df) - mean_log_df(pa, d.a, df);
    }
    let n = subs.len() as f64;
    survival / n + lean / n
}

/// Distinct names and numbers of a document (hashes).
fn anchors(p: &Prepared) -> WordSet {
    WordSet::of(
        p.tokens
            .iter()
            .filter(|t| matches!(t.class, WordClass::Name | WordClass::Number))
            .map(|t| t.hash),
    )
}

/// A set of word hashes as an ascending list without repeats: built with
/// one sort, intersected by one merge (a tree set costs an allocation per
/// word).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct WordSet(Vec<u64>);

impl WordSet {
    fn of(hashes: impl Iterator<Item = u64>) -> WordSet {
        let mut v: Vec<u64> = hashes.collect();
        v.sort_unstable();
        v.dedup();
        WordSet(v)
    }

    fn contains(&self, h: u64) -> bool {
        self.0.binary_search(&h).is_ok()
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// Hashes in both sets.
    fn shared(&self, other: &WordSet) -> usize {
        common_sorted(&self.0, &other.0)
    }

    /// Hashes in either set.
    fn union(&self, other: &WordSet) -> usize {
        self.len() + other.len() - self.shared(other)
    }
}

/// Decides what `a` and `b` are to each other. `df` gives a word's document
/// frequency in the corpus (for telling spun wording from the original).
pub fn decide(
    a: Side<'_>,
    b: Side<'_>,
    al: &Alignment,
    df: &dyn Fn(u64) -> u32,
    p: &DecisionParams,
) -> Option<PairVerdict> {
    let (pa, pb) = (a.prepared, b.prepared);
    let f = features(pa, pb, al, p);
    let pairs = al.pairs.len();
    let aligned_words: usize = al
        .pairs
        .iter()
        .map(|pair| pa.sentences[pair.a].words())
        .sum();
    let reshaped_rate = f.reshaped_words as f64 / aligned_words.max(1) as f64;
    let short_docs = pa.sentences.len() <= 2 || pb.sentences.len() <= 2;
    let confirmed = pairs >= 1
        && f.cov_a.max(f.cov_b) >= p.min_coverage
        && f.cov_a.min(f.cov_b) >= p.min_coverage * 0.4
        && (pairs >= 2 || (short_docs && f.diffs == 0))
        && f.anchor_agreement >= p.min_anchor_agreement
        && reshaped_rate <= p.max_reshaped_rate
        && !(f.anchor_conflicts >= 1 && f.anchor_conflicts * 4 >= pairs);
    if !confirmed {
        return same_story(a, b, al, p);
    }
    let rate = f.substituted_words as f64 / aligned_words.max(1) as f64;
    let spun = f.content_substitutions >= p.spun_min_substitutions
        && rate >= p.spun_min_rate
        && f.replacements * 2 >= f.content_substitutions;
    if !spun && f.mean_similarity < p.syndicated_min_similarity {
        return same_story(a, b, al, p);
    }
    let kind = if spun {
        RelationKind::Spun
    } else if f.diffs == 0
        && ((f.unaligned_short_a + f.unaligned_long_a == 0 && f.unaligned_long_b == 0)
            || (f.unaligned_short_b + f.unaligned_long_b == 0 && f.unaligned_long_a == 0))
    {
        RelationKind::Verbatim
    } else {
        RelationKind::Syndicated
    };
    // Which side is the copy?
    let by_date = match (a.date, b.date) {
        (Some(x), Some(y)) if x != y => Some(x > y),
        _ => None,
    };
    let by_dateline = match (wire_dateline(a.text), wire_dateline(b.text)) {
        (false, true) => Some(true),
        (true, false) => Some(false),
        _ => None,
    };
    let copy_is_a = match (kind, by_date) {
        (_, Some(later_is_a)) => later_is_a,
        (RelationKind::Spun, None) => spin_direction(pa, pb, al, df) >= 0.0,
        _ if by_dateline.is_some() => by_dateline.unwrap_or(false),
        _ => {
            // A copy drops content and adds short layout lines.
            let drop_signal = f.unaligned_long_b as i64 - f.unaligned_long_a as i64;
            let debris_signal = f.unaligned_short_a as i64 - f.unaligned_short_b as i64;
            let vote = drop_signal.signum() * 2 + debris_signal.signum();
            if vote != 0 {
                vote > 0
            } else if pa.words() != pb.words() {
                pa.words() < pb.words()
            } else {
                a.id > b.id
            }
        }
    };
    let score = (f.mean_similarity * (f.cov_a + f.cov_b) / 2.0).clamp(0.0, 1.0);
    let (aligned_a, aligned_b, only_a, only_b) = sentence_split(pa, pb, al, p);
    Some(PairVerdict {
        kind,
        score,
        copy_is_a,
        direction_settled: by_date.is_some() || kind == RelationKind::Spun || by_dateline.is_some(),
        aligned_a,
        aligned_b,
        only_a,
        only_b,
    })
}

/// Independent coverage of one event: many shared names and numbers.
fn same_story(a: Side<'_>, b: Side<'_>, al: &Alignment, p: &DecisionParams) -> Option<PairVerdict> {
    // Each test in turn, the cheapest first: any that fails rules it out.
    if al.pairs.is_empty() {
        return None;
    }
    let na = anchors(a.prepared);
    let nb = anchors(b.prepared);
    let shared = na.shared(&nb);
    let union = na.union(&nb).max(1);
    let jaccard = shared as f64 / union as f64;
    if shared < p.same_story_min_anchors || jaccard < 0.4 {
        return None;
    }
    // Specific numbers (three or more digits, or decimals) pin down one event.
    let specific = |p: &Prepared, text: &str| -> WordSet {
        WordSet::of(
            p.tokens
                .iter()
                .filter(|t| t.class == WordClass::Number)
                .filter(|t| {
                    text.get(t.start..t.end).is_some_and(|w| {
                        w.chars().filter(char::is_ascii_digit).count() >= 3 || w.contains('.')
                    })
                })
                .map(|t| t.hash),
        )
    };
    let (xa, xb) = (specific(a.prepared, a.text), specific(b.prepared, b.text));
    let shared_specific = xa.shared(&xb);
    let numbers_jaccard = shared_specific as f64 / xa.union(&xb).max(1) as f64;
    if shared_specific < 4 || numbers_jaccard < 0.4 {
        return None;
    }
    // The same actors: template stories differ exactly in their names.
    let names = |p: &Prepared| -> WordSet {
        WordSet::of(
            p.tokens
                .iter()
                .filter(|t| t.class == WordClass::Name)
                .map(|t| t.hash),
        )
    };
    let (ma, mb) = (names(a.prepared), names(b.prepared));
    let names_jaccard = ma.shared(&mb) as f64 / ma.union(&mb).max(1) as f64;
    if names_jaccard < 0.6 {
        return None;
    }
    // Datelines more than a day apart report different days' events
    // (yesterday's and today's market report share most names and numbers).
    let days_apart = match (dateline_day(a.text), dateline_day(b.text)) {
        (Some(x), Some(y)) => x.abs_diff(y),
        _ => 0,
    };
    if days_apart > 1 {
        return None;
    }
    let copy_is_a = match (a.date, b.date) {
        (Some(x), Some(y)) if x != y => x > y,
        _ => a.id > b.id,
    };
    let (aligned_a, aligned_b, only_a, only_b) = sentence_split(a.prepared, b.prepared, al, p);
    Some(PairVerdict {
        kind: RelationKind::SameStory,
        score: (jaccard * 0.9).clamp(0.0, 1.0),
        copy_is_a,
        direction_settled: true,
        aligned_a,
        aligned_b,
        only_a,
        only_b,
    })
}

fn span_of(p: &Prepared, range: (usize, usize)) -> Option<TextSpan> {
    if range.0 >= range.1 {
        return None;
    }
    Some(TextSpan {
        start: p.tokens[range.0].start,
        end: p.tokens[range.1 - 1].end,
    })
}

/// Unaligned sentences merged into runs.
fn unaligned_runs(p: &Prepared, aligned: &[bool]) -> Vec<TextSpan> {
    let mut out: Vec<TextSpan> = Vec::new();
    let mut prev_unaligned = false;
    for (s, &is_aligned) in p.sentences.iter().zip(aligned) {
        if is_aligned {
            prev_unaligned = false;
            continue;
        }
        match out.last_mut() {
            Some(last) if prev_unaligned => last.end = s.end,
            _ => out.push(TextSpan {
                start: s.start,
                end: s.end,
            }),
        }
        prev_unaligned = true;
    }
    out
}

/// Merges aligned sentences that follow each other in both documents (no
/// word between them on either side) into one passage; the similarity is
/// weighted by length.
fn merge_passages(list: Vec<AlignedPassage>, pc: &Prepared, ps: &Prepared) -> Vec<AlignedPassage> {
    let no_words_between = |p: &Prepared, end: usize, start: usize| {
        end <= start && !p.tokens.iter().any(|t| t.start >= end && t.end <= start)
    };
    let mut out: Vec<AlignedPassage> = Vec::new();
    let mut weight: Vec<f64> = Vec::new();
    for p in list {
        let w = (p.doc.end - p.doc.start) as f64;
        if let Some(last) = out.last_mut()
            && no_words_between(pc, last.doc.end, p.doc.start)
            && no_words_between(ps, last.source.end, p.source.start)
            && let Some(lw) = weight.last_mut()
        {
            last.similarity = (last.similarity * *lw + p.similarity * w) / (*lw + w).max(1.0);
            last.doc.end = p.doc.end;
            last.source.end = p.source.end;
            *lw += w;
            continue;
        }
        weight.push(w);
        out.push(p);
    }
    out
}

/// The evidence of a relation: aligned passages, what the copy added and
/// dropped, substitutions and shared names and numbers, with spans into
/// each document's text. `al` aligns `copy` (first) with `source`.
pub fn evidence(copy: Side<'_>, source: Side<'_>, al: &Alignment) -> RelationEvidence {
    let (pc, ps) = (copy.prepared, source.prepared);
    let orient = |d: &Difference| (d.a, d.b);
    let mut aligned_c = vec![false; pc.sentences.len()];
    let mut aligned_s = vec![false; ps.sentences.len()];
    let mut ev = RelationEvidence::default();
    for pair in &al.pairs {
        let (ic, is) = (pair.a, pair.b);
        aligned_c[ic] = true;
        aligned_s[is] = true;
        let sc = &pc.sentences[ic];
        let ss = &ps.sentences[is];
        ev.aligned.push(AlignedPassage {
            doc: TextSpan {
                start: sc.start,
                end: sc.end,
            },
            source: TextSpan {
                start: ss.start,
                end: ss.end,
            },
            similarity: pair.similarity,
        });
        for d in &pair.substitutions {
            let (rc, rs) = orient(d);
            let (Some(dc), Some(ds)) = (span_of(pc, rc), span_of(ps, rs)) else {
                continue;
            };
            let (Some(spun), Some(original)) = (
                copy.text.get(dc.start..dc.end),
                source.text.get(ds.start..ds.end),
            ) else {
                continue;
            };
            ev.substitutions.push(Substitution {
                doc: dc,
                source: ds,
                spun: spun.to_string(),
                original: original.to_string(),
            });
        }
        for d in &pair.edits {
            let (rc, rs) = orient(d);
            if rc.1 - rc.0 >= 3 {
                ev.added.extend(span_of(pc, rc));
            }
            if rs.1 - rs.0 >= 3 {
                ev.dropped.extend(span_of(ps, rs));
            }
        }
    }
    ev.aligned = merge_passages(ev.aligned, pc, ps);
    ev.added.extend(unaligned_runs(pc, &aligned_c));
    ev.dropped.extend(unaligned_runs(ps, &aligned_s));
    ev.added.sort_by_key(|s| (s.start, s.end));
    ev.dropped.sort_by_key(|s| (s.start, s.end));
    // Shared names and numbers, as written in the copy.
    let source_anchors = anchors(ps);
    let mut shared = BTreeSet::new();
    for t in &pc.tokens {
        if matches!(t.class, WordClass::Name | WordClass::Number)
            && source_anchors.contains(t.hash)
            && let Some(w) = copy.text.get(t.start..t.end)
        {
            shared.insert(w.to_string());
        }
    }
    ev.shared_anchors = shared.into_iter().take(50).collect();
    ev
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn word_sets_count_as_tree_sets(
            a in proptest::collection::vec(0u64..30, 0..40),
            b in proptest::collection::vec(0u64..30, 0..40),
        ) {
            let (sa, sb) = (WordSet::of(a.iter().copied()), WordSet::of(b.iter().copied()));
            let (ta, tb): (BTreeSet<u64>, BTreeSet<u64>) = (a.iter().copied().collect(), b.iter().copied().collect());
            proptest::prop_assert_eq!(sa.len(), ta.len());
            proptest::prop_assert_eq!(sa.shared(&sb), ta.intersection(&tb).count());
            proptest::prop_assert_eq!(sa.union(&sb), ta.union(&tb).count());
            for h in 0..32 {
                proptest::prop_assert_eq!(sa.contains(h), ta.contains(&h));
            }
        }
    }

    #[test]
    fn recognizes_wire_datelines() {
        assert!(wire_dateline(
            "HEAD\n\nSALVADOR, Feb 26 - Showers continued"
        ));
        assert!(wire_dateline(
            "By Asif Shahzad\nISLAMABAD (Reuters) \u{2013} Beijing is"
        ));
        assert!(wire_dateline("EDISON, N.J., April 13 - Crazy Eddie"));
        // Regression: multi-word regions and mixed-case places were missed,
        // which turned sources into copies of their own republications.
        assert!(wire_dateline(
            "HEAD\n\nBRUNSWICK, West Germany, March 18 - The state prosecutor"
        ));
        assert!(wire_dateline(
            "HEAD\n\nNew York, Feb 26 - American Express Co"
        ));
        assert!(!wire_dateline("Head\n\nNew York -\n\nAmerican Express Co"));
        assert!(!wire_dateline("The company, Acme Corp said - on Monday"));
        assert!(!wire_dateline("Head\n\nISLAMABAD:\n\nBeijing is pushing"));
        assert!(!wire_dateline("Head\n\nSALVADOR - Showers continued"));
        assert!(!wire_dateline("Plain text without any dateline."));
    }

    #[test]
    fn reads_the_day_of_a_wire_dateline() {
        assert_eq!(
            dateline_day("HEAD\n\nLONDON, March 11 - The Bank"),
            Some(2 * 31 + 11)
        );
        assert_eq!(
            dateline_day("HEAD\n\nBRUNSWICK, West Germany, Oct 2 - The state"),
            Some(9 * 31 + 2)
        );
        assert_eq!(dateline_day("ISLAMABAD (Reuters) - Beijing"), None);
        assert_eq!(dateline_day("No dateline here, March 3 - at all"), None);
    }

    fn verdict(a: &str, b: &str) -> Option<PairVerdict> {
        let (pa, pb) = (Prepared::new(a), Prepared::new(b));
        let al = crate::align::align(&pa, &pb, &crate::align::AlignParams::default());
        let side = |p, text, id| Side {
            prepared: p,
            text,
            date: None,
            id,
        };
        decide(
            side(&pa, a, "a"),
            side(&pb, b, "b"),
            &al,
            &|_| 0,
            &DecisionParams::default(),
        )
    }

    #[test]
    fn rewrite_of_the_same_filing_is_not_a_copy() {
        // Two separately written wire items on one event: same names and
        // numbers, sentences of other shapes. Not a syndicated or spun copy.
        let a = "ACME BANK OFFERS STOCK\n\nTHOMSON, Ga., March 18 - Acme Bank Inc said it offered 500,000 shares of stock at 12.50 dlrs a share.\n\nThe offering is underwritten by Johnson, Lane and Co Inc and Interstate Securities Corp.";
        let b = "ACME BANK SHARE OFFER EFFECTIVE\n\nTHOMSON, Ga., March 18 - Acme Bank Inc said its registration statement covering a 500,000 share offering was declared effective.\n\nThe company said the stock will be sold at 12.50 dlrs a share through an offering underwritten by Johnson Lane and Co Inc and Interstate Securities Corp.";
        let v = verdict(a, b);
        assert!(
            v.as_ref().is_none_or(|v| v.kind == RelationKind::SameStory),
            "{:?}",
            v.map(|v| v.kind)
        );
    }

    #[test]
    fn spun_copy_keeps_its_sentence_shapes_and_stays_a_copy() {
        let a = "The state prosecutor investigating a suspected currency swindle said he wanted to question a money broker in Frankfurt.\n\nThe prosecutor told reporters the broker may be able to shed light on the affair in which the carmaker says it might have been defrauded.\n\nNo charges have been laid in what may turn out to be the largest known currency fraud in the country.";
        let b = "The state prosecutor looking into a suspected currency scam mentioned he wanted to query a money dealer in Frankfurt.\n\nThe prosecutor informed reporters the dealer may be able to shed light on the matter in which the automaker says it might have been cheated.\n\nNo charges have been laid in what may turn out to be the biggest known currency fraud in the country.";
        let v = verdict(b, a).map(|v| v.kind);
        assert_eq!(v, Some(RelationKind::Spun));
    }
}
