//! `tag.entities.v1`: named entities from rules and the shipped gazetteers
//! (precision over recall).

use crate::fasthash::FastSet;
use crate::gazetteer::{EntityLabel, Gazetteer};
use crate::layer::add_layer;
use crate::scan::{is_all_caps, starts_upper, strip_possessive};
use crate::sentences::sentence_spans;
use crate::tokens::{Token, TokenKind, document_tokens, tokenize};
use copydesk_core::{
    Annotation, BuiltStage, Document, DocumentStage, OptionDoc, OptionError, StageConfig,
    StageError, StageKind, cap,
};
use serde::{Deserialize, Serialize};

/// The layer this stage writes.
pub const LAYER: &str = "entities";

/// One entity found in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte (a possessive `’s` is left out).
    pub end: usize,
    /// The entity type.
    pub label: EntityLabel,
    /// For a person introduced by a title, the title (`President`).
    pub title: Option<String>,
}

impl Entity {
    /// The entity as an annotation of the `entities` layer.
    pub fn to_annotation(&self) -> Annotation {
        let a = Annotation::new(self.start, self.end, self.label.as_str());
        match &self.title {
            Some(t) => a.with("title", t.as_str()),
            None => a,
        }
    }
}

/// Lowercase words that may join the capitalized words of one name
/// (`Belt and Road Initiative`, `Bank of England`): one to three bytes,
/// compared as arrays (most words looked up are capitalized names, told
/// apart by their length or first bytes without a string comparison).
#[inline]
fn is_connector(word: &str) -> bool {
    match *word.as_bytes() {
        [b'&'] => true,
        [a, b] => matches!(&[a, b], b"of" | b"de" | b"da" | b"la" | b"le" | b"al"),
        [a, b, c] => matches!(
            &[a, b, c],
            b"for" | b"and" | b"the" | b"del" | b"van" | b"von" | b"bin"
        ),
        _ => false,
    }
}

/// [`is_connector`] as it was, a string `match` (the tests' reference).
#[cfg(test)]
fn is_connector_by_match(word: &str) -> bool {
    matches!(
        word,
        "of" | "for"
            | "and"
            | "the"
            | "de"
            | "da"
            | "del"
            | "la"
            | "le"
            | "van"
            | "von"
            | "bin"
            | "al"
            | "&"
    )
}

/// Every word [`is_common_capitalized_by_match`] accepts: its own words,
/// the month names and abbreviations [`month_number`] reads (with or
/// without a final `.`) and the weekday names [`weekday_number`] reads.
/// Each starts with an ASCII capital, ends with an ASCII byte and has at
/// most [`COMMON_CAPITALIZED_LEN`] bytes.
///
/// [`month_number`]: crate::lexicon::month_number
/// [`weekday_number`]: crate::lexicon::weekday_number
const COMMON_CAPITALIZED: &[&str] = &[
    "I",
    "A",
    "An",
    "The",
    "Mr",
    "Mr.",
    "Mrs",
    "Mrs.",
    "Ms",
    "Ms.",
    "Dr",
    "Dr.",
    "OK",
    "TV",
    "AM",
    "PM",
    "By",
    "January",
    "Jan",
    "February",
    "Feb",
    "March",
    "Mar",
    "April",
    "Apr",
    "May",
    "June",
    "Jun",
    "July",
    "Jul",
    "August",
    "Aug",
    "September",
    "Sep",
    "Sept",
    "October",
    "Oct",
    "November",
    "Nov",
    "December",
    "Dec",
    "January.",
    "Jan.",
    "February.",
    "Feb.",
    "March.",
    "Mar.",
    "April.",
    "Apr.",
    "May.",
    "June.",
    "Jun.",
    "July.",
    "Jul.",
    "August.",
    "Aug.",
    "September.",
    "Sep.",
    "Sept.",
    "October.",
    "Oct.",
    "November.",
    "Nov.",
    "December.",
    "Dec.",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The longest word of [`COMMON_CAPITALIZED`], in bytes.
const COMMON_CAPITALIZED_LEN: usize = 10;

/// For each length up to [`COMMON_CAPITALIZED_LEN`] and first capital,
/// the last bytes of the words of [`COMMON_CAPITALIZED`] of that length
/// and first letter (a bit each): most capitalized words differ from all
/// of them in one of these, and are not compared with any.
static COMMON_CAPITALIZED_SHAPES: [[u128; 26]; COMMON_CAPITALIZED_LEN + 1] = {
    let mut shapes = [[0u128; 26]; COMMON_CAPITALIZED_LEN + 1];
    let mut k = 0;
    while k < COMMON_CAPITALIZED.len() {
        let w = COMMON_CAPITALIZED[k].as_bytes();
        shapes[w.len()][(w[0] - b'A') as usize] |= 1 << w[w.len() - 1];
        k += 1;
    }
    shapes
};

/// Capitalized words that are never a name on their own: the words of
/// [`is_common_capitalized_by_match`], told apart first by their length
/// and first and last bytes ([`COMMON_CAPITALIZED_SHAPES`]).
#[inline]
fn is_common_capitalized(word: &str) -> bool {
    let b = word.as_bytes();
    let shape = match (b.first(), b.last()) {
        (Some(&first), Some(&last)) if first.is_ascii_uppercase() && last.is_ascii() => {
            COMMON_CAPITALIZED_SHAPES
                .get(b.len())
                .is_some_and(|row| row[usize::from(first - b'A')] >> last & 1 != 0)
        }
        _ => false,
    };
    shape && is_common_capitalized_by_match(word)
}

/// Capitalized words that are never a name on their own, compared with
/// every one (what [`is_common_capitalized`] does after its shape test).
fn is_common_capitalized_by_match(word: &str) -> bool {
    matches!(
        word,
        "I" | "A"
            | "An"
            | "The"
            | "Mr"
            | "Mr."
            | "Mrs"
            | "Mrs."
            | "Ms"
            | "Ms."
            | "Dr"
            | "Dr."
            | "OK"
            | "TV"
            | "AM"
            | "PM"
            | "By"
    ) || crate::lexicon::month_number(word).is_some()
        || crate::lexicon::weekday_number(word).is_some()
}

/// Last words of place names (`Mississippi River`, `Sindh Province`).
fn is_place_suffix(word: &str) -> bool {
    matches!(
        word,
        "River"
            | "Sea"
            | "Ocean"
            | "Lake"
            | "Mountains"
            | "Mountain"
            | "Valley"
            | "Island"
            | "Islands"
            | "Bay"
            | "Strait"
            | "Straits"
            | "Province"
            | "County"
            | "Peninsula"
            | "Desert"
            | "Canal"
            | "Coast"
            | "Basin"
            | "Plateau"
            | "Delta"
    )
}

/// Verbs after a capitalized pair that make it a person (`Li Qiang said`).
fn is_person_verb(word: &str) -> bool {
    matches!(
        word,
        "said" | "says" | "told" | "added" | "wrote" | "stated" | "noted" | "argued" | "mentioned"
    )
}

/// [`is_person_verb`] of the word with its ASCII letters lowered, told
/// without making that string (every verb there is lowercase ASCII).
fn is_person_verb_ignoring_ascii_case(word: &str) -> bool {
    const VERBS: &[&str] = &[
        "said",
        "says",
        "told",
        "added",
        "wrote",
        "stated",
        "noted",
        "argued",
        "mentioned",
    ];
    VERBS.iter().any(|v| word.eq_ignore_ascii_case(v))
}

/// Finds entities.
#[derive(Debug, Clone)]
pub struct EntityFinder {
    /// Whether a single unknown capitalized word inside a sentence is
    /// tagged `MISC`.
    pub single_word_misc: bool,
}

impl Default for EntityFinder {
    fn default() -> Self {
        EntityFinder {
            single_word_misc: true,
        }
    }
}

struct Ctx<'a> {
    text: &'a str,
    tokens: &'a [Token],
    /// Whether each token is the first word of its sentence.
    sentence_initial: Vec<bool>,
    /// Whether each token is in a sentence without lowercase letters (a heading).
    in_heading: Vec<bool>,
    /// Gazetteer matches by start byte: (end byte, label).
    names: NamesByStart,
    gazetteer: &'static Gazetteer,
}

impl Ctx<'_> {
    #[inline(always)]
    fn word(&self, k: usize) -> &str {
        self.tokens[k].text(self.text)
    }

    #[inline(always)]
    fn end_of(&self, k: usize) -> usize {
        let t = &self.tokens[k];
        t.start + strip_possessive(self.word(k)).len()
    }

    #[inline(always)]
    fn phrase(&self, lo: usize, hi: usize) -> &str {
        self.text
            .get(self.tokens[lo].start..self.end_of(hi - 1))
            .unwrap_or("")
    }

    fn known(&self, k: usize) -> bool {
        let w = strip_possessive(self.word(k));
        self.names.contains_key(self.tokens[k].start)
            || self.gazetteer.is_title(w)
            || self.gazetteer.is_first_name(w)
            || (is_all_caps(w) && w.chars().count() >= 2)
    }
}

/// Gazetteer matches by start byte, as a map from start to (end, label)
/// (a later match at the same start replaces the earlier one), kept as a
/// vector sorted by start: a document has a few dozen matches, found in
/// text order, so they are looked up by bisection without hashing or
/// growing a table.
#[derive(Debug, Default)]
struct NamesByStart {
    entries: Vec<(usize, usize, EntityLabel)>,
}

impl NamesByStart {
    fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
    }

    /// Adds a match; [`NamesByStart::seal`] must run before lookups.
    fn insert(&mut self, start: usize, (end, label): (usize, EntityLabel)) {
        self.entries.push((start, end, label));
    }

    /// Sorts the matches by start (a no-op when they came in order),
    /// keeping the last one added for each start.
    fn seal(&mut self) {
        if !self.entries.is_sorted_by(|a, b| a.0 < b.0) {
            // Stable: among equal starts the last added stays last.
            self.entries.sort_by_key(|e| e.0);
            let mut kept: Vec<(usize, usize, EntityLabel)> = Vec::with_capacity(self.entries.len());
            for e in self.entries.drain(..) {
                match kept.last_mut() {
                    Some(last) if last.0 == e.0 => *last = e,
                    _ => kept.push(e),
                }
            }
            self.entries = kept;
        }
    }

    fn get(&self, start: usize) -> Option<(usize, EntityLabel)> {
        let k = self.entries.partition_point(|e| e.0 < start);
        self.entries
            .get(k)
            .filter(|e| e.0 == start)
            .map(|&(_, end, label)| (end, label))
    }

    fn contains_key(&self, start: usize) -> bool {
        self.get(start).is_some()
    }
}

impl EntityFinder {
    /// Entities of `text` given its sentence spans, in order, non-overlapping.
    pub fn find(&self, text: &str, sentences: &[(usize, usize)]) -> Vec<Entity> {
        self.find_in_tokens(text, sentences, &tokenize(text))
    }

    /// [`EntityFinder::find`] given the text's tokens.
    pub fn find_in_tokens(
        &self,
        text: &str,
        sentences: &[(usize, usize)],
        tokens: &[Token],
    ) -> Vec<Entity> {
        let gazetteer = Gazetteer::global();
        let (sentence_initial, in_heading) = sentence_marks(text, sentences, tokens);
        let mut ctx = Ctx {
            text,
            tokens,
            sentence_initial,
            in_heading,
            names: NamesByStart::default(),
            gazetteer,
        };
        let runs = capitalized_runs(&ctx);
        // About one listed name a run, found into a map sized once.
        ctx.names.reserve(runs.len());
        // Every listed name starts with a capital, so only runs are searched.
        for &(lo, hi) in &runs {
            let (from, to) = (tokens[lo].start, tokens[hi - 1].end);
            gazetteer.each_name(&text[from..to], |a, b, label| {
                ctx.names.insert(from + a, (from + b, label));
            });
        }
        ctx.names.seal();
        // About one entity a run (a run may give none or several).
        let mut out = Vec::with_capacity(runs.len());
        // A dropped word starts its sentence: room for one a sentence.
        let mut dropped_initials = Vec::with_capacity(sentences.len());
        for (lo, hi) in runs {
            self.segment(&ctx, lo, hi, &mut out, &mut dropped_initials);
        }
        propagate_people(&ctx, &mut out, &dropped_initials);
        out.sort_by_key(|e| (e.start, e.end));
        out.dedup_by(|b, a| b.start < a.end);
        out
    }

    fn segment(
        &self,
        ctx: &Ctx<'_>,
        mut lo: usize,
        hi: usize,
        out: &mut Vec<Entity>,
        dropped: &mut Vec<usize>,
    ) {
        while lo < hi && is_connector(ctx.word(lo)) {
            lo += 1;
        }
        let mut hi = hi;
        while hi > lo && is_connector(ctx.word(hi - 1)) {
            hi -= 1;
        }
        if lo >= hi {
            return;
        }
        let g = ctx.gazetteer;
        if ctx.in_heading[lo] {
            return;
        }
        let entity = |lo: usize, hi: usize, label| Entity {
            start: ctx.tokens[lo].start,
            end: ctx.end_of(hi - 1),
            label,
            title: None,
        };
        // A sentence-initial word is capitalized anyway: drop it unless known.
        if ctx.sentence_initial[lo] && !ctx.known(lo) {
            if hi - lo == 1 {
                dropped.push(lo);
                return;
            }
            let initial = strip_possessive(ctx.word(lo));
            // Kept only as the start of an organisation name
            // ("Pakistan Army", "Bank of England"), not before "of"
            // ("Shares of BankAmerica Corp").
            let org_start = hi - lo >= 2
                && g.is_org_suffix(ctx.word(hi - 1))
                && !is_common_capitalized(initial)
                && (!is_connector(ctx.word(lo + 1)) || g.is_org_suffix(initial));
            if !org_start {
                return self.segment(ctx, lo + 1, hi, out, dropped);
            }
        }
        // A title before a name: "President Xi Jinping", "Prime Minister X".
        for p in lo..hi {
            let two = (p + 1 < hi && g.starts_long_title(ctx.word(p)))
                .then(|| format!("{} {}", ctx.word(p), ctx.word(p + 1)));
            let title_len = if two.as_deref().is_some_and(|t| g.is_title(t)) {
                2
            } else if g.is_title(ctx.word(p)) {
                1
            } else {
                continue;
            };
            let name_lo = p + title_len;
            let mut name_hi = name_lo;
            while name_hi < hi
                && name_hi < name_lo + 3
                && !is_connector(ctx.word(name_hi))
                && !g.is_title(ctx.word(name_hi))
                && !ctx.names.contains_key(ctx.tokens[name_hi].start)
                && !g.is_org_suffix(ctx.word(name_hi))
            {
                name_hi += 1;
                if ctx.word(name_hi - 1) != strip_possessive(ctx.word(name_hi - 1)) {
                    break;
                }
            }
            if name_hi > name_lo {
                self.segment(ctx, lo, p, out, dropped);
                out.push(Entity {
                    title: Some(ctx.phrase(p, name_lo).to_string()),
                    ..entity(name_lo, name_hi, EntityLabel::Person)
                });
                return self.segment(ctx, name_hi, hi, out, dropped);
            }
        }
        if (lo..hi).all(|k| is_connector(ctx.word(k)) || is_common_capitalized(ctx.word(k))) {
            return;
        }
        // A place suffix: "Mississippi River", "Punjab Province".
        if hi - lo >= 2 && is_place_suffix(strip_possessive(ctx.word(hi - 1))) {
            out.push(entity(lo, hi, EntityLabel::Gpe));
            return;
        }
        // An organisation suffix: "China-Pakistan Economic Corridor".
        if hi - lo >= 2 && g.is_org_suffix(strip_possessive(ctx.word(hi - 1))) {
            out.push(entity(lo, hi, EntityLabel::Org));
            return;
        }
        if let Some(label) = g.label_of(ctx.phrase(lo, hi)) {
            out.push(entity(lo, hi, label));
            return;
        }
        // Listed names inside the run split it.
        for p in lo..hi {
            let Some((end, label)) = ctx.names.get(ctx.tokens[p].start) else {
                continue;
            };
            let Some(q) = (p..hi).find(|&q| ctx.end_of(q) == end || ctx.tokens[q].end == end)
            else {
                continue;
            };
            self.segment(ctx, lo, p, out, dropped);
            out.push(Entity {
                start: ctx.tokens[p].start,
                end,
                label,
                title: None,
            });
            return self.segment(ctx, q + 1, hi, out, dropped);
        }
        let words = hi - lo;
        let first = strip_possessive(ctx.word(lo));
        let all_names = (lo..hi).all(|k| !is_all_caps(ctx.word(k)) || ctx.word(k).len() == 1);
        let after = ctx.tokens.get(hi).map(|t| t.text(ctx.text)).unwrap_or("");
        let byline = lo > 0 && ctx.word(lo - 1) == "By" && ctx.sentence_initial[lo - 1];
        // "said Arthur Miller, an analyst": a name after an inverted cue.
        let after_cue = lo > 0 && is_person_verb_ignoring_ascii_case(ctx.word(lo - 1));
        if (2..=3).contains(&words)
            && all_names
            && (g.is_first_name(first) || byline || is_person_verb(after) || after_cue)
        {
            out.push(entity(lo, hi, EntityLabel::Person));
            return;
        }
        if words == 1 {
            let w = strip_possessive(ctx.word(lo));
            if is_all_caps(w) && w.chars().filter(|c| c.is_alphabetic()).count() >= 2 {
                // ISLAMABAD in a dateline is Islamabad.
                let label = g.label_of(&title_case(w)).unwrap_or(EntityLabel::Org);
                out.push(entity(lo, hi, label));
                return;
            }
            if self.single_word_misc && !is_common_capitalized(w) && !g.is_title(w) {
                out.push(entity(lo, hi, EntityLabel::Misc));
            }
            return;
        }
        out.push(entity(lo, hi, EntityLabel::Misc));
    }
}

/// `word` with its first character kept and the others lowered
/// (`ISLAMABAD` → `Islamabad`), built into one string of the word's
/// length (ASCII words are lowered byte by byte).
fn title_case(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        out.push(first);
    }
    let rest = chars.as_str();
    if rest.is_ascii() {
        out.push_str(rest);
        out[word.len() - rest.len()..].make_ascii_lowercase();
    } else {
        for c in rest.chars() {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// [`title_case`] as it was, a vector of chars for each char (the tests'
/// reference).
#[cfg(test)]
fn title_case_char_by_char(w: &str) -> String {
    w.chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let lower: Vec<char> = if i == 0 {
                vec![c]
            } else {
                c.to_lowercase().collect()
            };
            lower
        })
        .collect()
}

/// Whether sentence `s` of `text` has no lowercase letter (a heading);
/// false when there is no sentence `s`.
fn is_heading(text: &str, sentences: &[(usize, usize)], s: usize) -> bool {
    sentences.get(s).is_some_and(|&(a, b)| {
        let sentence = &text[a..b];
        // ASCII lowercase letters are the only lowercase in ASCII.
        if sentence.is_ascii() {
            !sentence.bytes().any(|b| b.is_ascii_lowercase())
        } else {
            !sentence.chars().any(char::is_lowercase)
        }
    })
}

/// For each token: whether it is the first word of its sentence, and
/// whether it is in a heading ([`is_heading`]). A token is in the first
/// sentence (from the current one on) that ends after its start; it is in
/// the heading only when it also starts inside that sentence. The first
/// word after the last sentence counts as sentence-initial too.
///
/// The tokens of each sentence are found by a loop of their own that only
/// compares their starts with the sentence's end; its first word is then
/// looked for from its first token, and only headings write their mark
/// (the marks start false), instead of testing for a next sentence at
/// every token ([`sentence_marks_token_by_token`], the tests' reference).
fn sentence_marks(
    text: &str,
    sentences: &[(usize, usize)],
    tokens: &[Token],
) -> (Vec<bool>, Vec<bool>) {
    let n = tokens.len();
    let mut sentence_initial = vec![false; n];
    let mut in_heading = vec![false; n];
    let mut k = 0;
    for (s, &(a, b)) in sentences.iter().enumerate() {
        if k == n {
            break;
        }
        // The sentence's tokens, up to the first one starting at or past
        // its end, found by a loop that only compares starts; then its
        // first word, and in a heading the marks.
        let from = k;
        while k < n && tokens[k].start < b {
            k += 1;
        }
        let own = &tokens[from..k];
        if let Some(first) = own.iter().position(|t| t.kind == TokenKind::Word) {
            sentence_initial[from + first] = true;
        }
        if is_heading(text, sentences, s) {
            for (t, mark) in own.iter().zip(&mut in_heading[from..k]) {
                if t.start >= a {
                    *mark = true;
                }
            }
        }
    }
    // After the last sentence: its first word only.
    if let Some(first) = tokens[k..].iter().position(|t| t.kind == TokenKind::Word) {
        sentence_initial[k + first] = true;
    }
    (sentence_initial, in_heading)
}

/// [`sentence_marks`] as it was, token after token with the sentence
/// index moved on where a token starts past its end (the tests' reference).
#[cfg(test)]
fn sentence_marks_token_by_token(
    text: &str,
    sentences: &[(usize, usize)],
    tokens: &[Token],
) -> (Vec<bool>, Vec<bool>) {
    let mut sentence_initial = vec![false; tokens.len()];
    let mut in_heading = vec![false; tokens.len()];
    let mut s = 0;
    let mut seen_word_in_sentence = false;
    let heading = |s: usize| is_heading(text, sentences, s);
    let mut sentence_is_heading = heading(s);
    for (k, t) in tokens.iter().enumerate() {
        while s < sentences.len() && sentences[s].1 <= t.start {
            s += 1;
            seen_word_in_sentence = false;
            sentence_is_heading = heading(s);
        }
        if let Some(&(a, _)) = sentences.get(s)
            && t.start >= a
        {
            in_heading[k] = sentence_is_heading;
        }
        if t.kind == TokenKind::Word && !seen_word_in_sentence {
            sentence_initial[k] = true;
            seen_word_in_sentence = true;
        }
    }
    (sentence_initial, in_heading)
}

/// The most tokens one capitalized run (hence one name) may have.
const MAX_RUN_TOKENS: usize = 12;

/// Runs of capitalized words (with connectors between them) on one line,
/// as token index ranges.
fn capitalized_runs(ctx: &Ctx<'_>) -> Vec<(usize, usize)> {
    let bytes = ctx.text.as_bytes();
    let adjacent = |a: usize, b: usize| {
        let (end, start) = (ctx.tokens[a].end, ctx.tokens[b].start);
        // Most gaps are one space: told from its byte, without slicing.
        if start == end + 1 && bytes.get(end) == Some(&b' ') {
            return true;
        }
        let gap = &ctx.text[end..start];
        gap == " " || (!gap.is_empty() && gap.chars().all(|c| c.is_whitespace() && c != '\n'))
    };
    // Only a word ending in `s`, `'` or the last byte of `’` may be
    // possessive: the others are told from that byte, without slicing.
    let possessive = |k: usize| {
        let t = &ctx.tokens[k];
        matches!(bytes.get(t.end.wrapping_sub(1)), Some(b's' | b'\'' | 0x99))
            && is_possessive(t.text(ctx.text))
    };
    runs_joined_by(ctx, adjacent, possessive)
}

/// The runs of [`capitalized_runs`], given whether tokens `a` and `b` are
/// separated by spaces only on one line (`adjacent`) and whether token `k`
/// is possessive (a run ends after it).
#[inline(always)]
fn runs_joined_by(
    ctx: &Ctx<'_>,
    adjacent: impl Fn(usize, usize) -> bool,
    possessive: impl Fn(usize) -> bool,
) -> Vec<(usize, usize)> {
    // About one run every eight tokens in news text.
    let mut runs = Vec::with_capacity(ctx.tokens.len() / 8 + 1);
    let mut k = 0;
    let n = ctx.tokens.len();
    let is_cap = |k: usize| is_capitalized_word(ctx.text, &ctx.tokens[k]);
    while k < n {
        if !is_cap(k) {
            k += 1;
            continue;
        }
        let lo = k;
        let mut hi = k + 1;
        // Names are short; a cap also bounds the recursion in `segment`.
        while hi < n && hi - lo < MAX_RUN_TOKENS && !possessive(hi - 1) && adjacent(hi - 1, hi) {
            if is_cap(hi) {
                hi += 1;
            } else if is_connector(ctx.tokens[hi].text(ctx.text))
                && hi + 1 < n
                && is_cap(hi + 1)
                && adjacent(hi, hi + 1)
            {
                hi += 2;
            } else {
                break;
            }
        }
        runs.push((lo, hi));
        k = hi;
    }
    runs
}

/// [`capitalized_runs`] as it was, every gap and possessive read as a
/// string (the tests' reference).
#[cfg(test)]
fn capitalized_runs_gap_by_gap(ctx: &Ctx<'_>) -> Vec<(usize, usize)> {
    let adjacent = |a: usize, b: usize| {
        let gap = &ctx.text[ctx.tokens[a].end..ctx.tokens[b].start];
        // Most gaps are one space.
        gap == " " || (!gap.is_empty() && gap.chars().all(|c| c.is_whitespace() && c != '\n'))
    };
    let possessive = |k: usize| is_possessive(ctx.tokens[k].text(ctx.text));
    runs_joined_by(ctx, adjacent, possessive)
}

/// Whether token `t` is a word starting with an uppercase letter
/// (`starts_upper` of its text), told from its first byte when that is
/// ASCII (the first character is then that byte).
fn is_capitalized_word(text: &str, t: &Token) -> bool {
    if t.kind != TokenKind::Word {
        return false;
    }
    match text.as_bytes().get(t.start) {
        // `t.text` is the span when it is a non-empty slice of the text.
        Some(&b) if b.is_ascii() => {
            b.is_ascii_uppercase() && t.start < t.end && text.is_char_boundary(t.end)
        }
        _ => starts_upper(t.text(text)),
    }
}

/// Whether `strip_possessive` takes something off `w`: only a word ending
/// in `s`, `'` or the last byte of `’` can lose a suffix.
fn is_possessive(w: &str) -> bool {
    matches!(w.as_bytes().last(), Some(b's' | b'\'' | 0x99)) && strip_possessive(w).len() != w.len()
}

/// Once a person is known ("Xi Jinping"), a later bare "Xi" or "Jinping"
/// is the same person: relabel MISC and dropped sentence-initial words.
fn propagate_people(ctx: &Ctx<'_>, out: &mut Vec<Entity>, dropped: &[usize]) {
    // Only MISC entities and dropped words are relabelled: without them
    // there is nothing to do (and no name set to build).
    if dropped.is_empty() && out.iter().all(|e| e.label != EntityLabel::Misc) {
        return;
    }
    let mut parts: FastSet<&str> = FastSet::default();
    for e in out.iter().filter(|e| e.label == EntityLabel::Person) {
        if let Some(name) = ctx.text.get(e.start..e.end) {
            parts.insert(name);
            parts.extend(name.split_whitespace().filter(|w| w.len() > 1));
        }
    }
    // "BankAmerica Corp" makes a later bare "BankAmerica" an organisation.
    let mut orgs: FastSet<&str> = FastSet::default();
    for e in out.iter().filter(|e| e.label == EntityLabel::Org) {
        if let Some((stem, suffix)) = ctx
            .text
            .get(e.start..e.end)
            .and_then(|n| n.rsplit_once(' '))
            && ctx.gazetteer.is_org_suffix(suffix)
        {
            orgs.insert(stem);
        }
    }
    for e in out.iter_mut().filter(|e| e.label == EntityLabel::Misc) {
        let Some(t) = ctx.text.get(e.start..e.end) else {
            continue;
        };
        if parts.contains(t) {
            e.label = EntityLabel::Person;
        } else if orgs.contains(t) {
            e.label = EntityLabel::Org;
        }
    }
    for &k in dropped {
        let w = strip_possessive(ctx.word(k));
        let label = if parts.contains(w) {
            EntityLabel::Person
        } else if orgs.contains(w) {
            EntityLabel::Org
        } else {
            continue;
        };
        out.push(Entity {
            start: ctx.tokens[k].start,
            end: ctx.end_of(k),
            label,
            title: None,
        });
    }
}

/// Options of `tag.entities.v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EntitiesConfig {
    /// Whether a single unknown capitalized word inside a sentence is tagged
    /// `MISC` (unknown multiword names always are).
    pub single_word_misc: bool,
}

impl Default for EntitiesConfig {
    fn default() -> Self {
        EntitiesConfig {
            single_word_misc: true,
        }
    }
}

impl StageConfig for EntitiesConfig {
    const NAME: &'static str = "tag.entities.v1";
    const KIND: StageKind = StageKind::Document;
    const DESCRIPTION: &'static str = "Tags PERSON, ORG, GPE, NORP and MISC names with rules and shipped gazetteers (layer `entities`).";
    const NEEDS: &'static [copydesk_core::Capability] = &[cap::LAYER_SENTENCES];
    const PROVIDES: &'static [copydesk_core::Capability] = &[cap::LAYER_ENTITIES];
    const OPTIONS: &'static [OptionDoc] = &[OptionDoc {
        name: "single_word_misc",
        kind: "boolean",
        doc: "Whether a single unknown capitalized word inside a sentence is tagged MISC (default true).",
    }];

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Document(Box::new(EntityFinder {
            single_word_misc: self.single_word_misc,
        })))
    }
}

impl DocumentStage for EntityFinder {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        let sentences = sentence_spans(doc);
        let (text, tokens) = document_tokens(doc);
        let entities = self.find_in_tokens(text, &sentences, &tokens);
        add_layer(
            doc,
            LAYER,
            entities.iter().map(Entity::to_annotation).collect(),
        )?;
        Ok(())
    }
}

/// The entities of a document: its `entities` layer when present,
/// otherwise computed with the default finder.
pub fn document_entities(doc: &Document) -> Vec<Entity> {
    let layer = doc.layer(LAYER);
    if layer.is_empty() {
        return EntityFinder::default().find(&doc.text, &sentence_spans(doc));
    }
    layer
        .iter()
        .filter_map(|a| {
            let label = match a.label.as_ref() {
                "PERSON" => EntityLabel::Person,
                "ORG" => EntityLabel::Org,
                "GPE" => EntityLabel::Gpe,
                "NORP" => EntityLabel::Norp,
                "MISC" => EntityLabel::Misc,
                _ => return None,
            };
            Some(Entity {
                start: a.start,
                end: a.end,
                label,
                title: a
                    .attrs
                    .get("title")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
            })
        })
        .collect()
}

/// [`document_entities`] without the titles (every `title` is `None`),
/// for stages that read only the spans and labels: the layer's attributes
/// are not read and no title string is made.
pub fn document_entity_spans(doc: &Document) -> Vec<Entity> {
    let layer = doc.layer(LAYER);
    if layer.is_empty() {
        let mut found = document_entities(doc);
        for e in &mut found {
            e.title = None;
        }
        return found;
    }
    layer
        .iter()
        .filter_map(|a| {
            Some(Entity {
                start: a.start,
                end: a.end,
                label: label_of_annotation(&a.label)?,
                title: None,
            })
        })
        .collect()
}

/// The entity label an annotation label names (`PERSON`, `ORG`, `GPE`,
/// `NORP`, `MISC`), told by length and first byte before one comparison.
fn label_of_annotation(label: &str) -> Option<EntityLabel> {
    let found = match label.as_bytes() {
        [b'P', ..] => EntityLabel::Person,
        [b'O', ..] => EntityLabel::Org,
        [b'G', ..] => EntityLabel::Gpe,
        [b'N', ..] => EntityLabel::Norp,
        [b'M', ..] => EntityLabel::Misc,
        _ => return None,
    };
    (label == found.as_str()).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentences::SentenceSplitter;
    use proptest::prelude::*;

    proptest! {
        // The marks walked sentence by sentence are the marks walked token
        // by token: sentences from the splitter, and arbitrary spans
        // (sorted by start, overlapping, out of order, past the tokens).
        #[test]
        fn common_capitalized_words_are_the_matched_words(
            w in "((?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|mon|tues|wednes|thurs|fri|satur|sun|mr|mrs|ms|dr|ok|tv|am|pm|by|the|an|a|i)[a-z]{0,6}\\.?|[A-Z][a-z.]{0,10}|\\PC{0,6})"
        ) {
            prop_assert_eq!(is_common_capitalized(&w), is_common_capitalized_by_match(&w));
        }

        #[test]
        fn connectors_are_the_matched_words(
            w in "(of|for|and|the|de|da|del|la|le|van|von|bin|al|&|[a-z&]{0,4}|[A-Za-z&é]{1,3}|\\PC{0,4})"
        ) {
            prop_assert_eq!(is_connector(&w), is_connector_by_match(&w));
        }

        #[test]
        fn capitalized_runs_are_the_runs_read_gap_by_gap(
            text in "([A-Z][a-z]{0,6}|[A-Z]{1,5}|[a-z]{1,6}|of|and|’s|'s|s'|[0-9]{1,3}|[.,?!;\"“”é’'-]| |  |\t|\u{a0}|\n\n|\n){0,60}",
        ) {
            let tokens = crate::tokens::tokenize(&text);
            let ctx = Ctx {
                text: &text,
                tokens: &tokens,
                sentence_initial: Vec::new(),
                in_heading: Vec::new(),
                names: NamesByStart::default(),
                gazetteer: Gazetteer::global(),
            };
            prop_assert_eq!(capitalized_runs(&ctx), capitalized_runs_gap_by_gap(&ctx));
        }

        #[test]
        fn sentence_marks_are_the_token_by_token_marks(
            text in "([A-Z][a-z]{0,6}|[A-Z]{1,5}|[a-z]{1,6}|[0-9]{1,3}|[.,?!;\"“”é]| |\n\n|\n){0,60}",
            spans in proptest::collection::vec((0usize..200, 0usize..200), 0..8),
            split in proptest::bool::ANY,
        ) {
            let tokens = crate::tokens::tokenize(&text);
            let sentences: Vec<(usize, usize)> = if split {
                SentenceSplitter::default().split(&text)
            } else {
                let mut spans: Vec<(usize, usize)> = spans
                    .into_iter()
                    .map(|(a, b)| {
                        let (a, b) = (a.min(text.len()), b.min(text.len()));
                        let fit = |i: usize| (0..=i).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
                        (fit(a.min(b)), fit(a.max(b)))
                    })
                    .collect();
                spans.sort_by_key(|&(a, _)| a);
                spans
            };
            prop_assert_eq!(
                sentence_marks(&text, &sentences, &tokens),
                sentence_marks_token_by_token(&text, &sentences, &tokens)
            );
        }
    }

    proptest! {
        // Names by start answer as the hash map they replaced: the last
        // match added at a start wins, whatever the order of the matches.
        #[test]
        fn names_by_start_answer_as_a_map(
            matches in proptest::collection::vec((0usize..40, 0usize..60, 0usize..5), 0..24),
            sorted in proptest::bool::ANY,
        ) {
            let labels = [EntityLabel::Person, EntityLabel::Org, EntityLabel::Gpe, EntityLabel::Norp, EntityLabel::Misc];
            let mut matches = matches;
            if sorted {
                matches.sort_by_key(|m| m.0);
            }
            let mut map: crate::fasthash::FastMap<usize, (usize, EntityLabel)> = Default::default();
            let mut names = NamesByStart::default();
            names.reserve(matches.len());
            for &(start, end, l) in &matches {
                map.insert(start, (end, labels[l]));
                names.insert(start, (end, labels[l]));
            }
            names.seal();
            for start in 0..41 {
                prop_assert_eq!(names.get(start), map.get(&start).copied());
                prop_assert_eq!(names.contains_key(start), map.contains_key(&start));
            }
        }
    }

    proptest! {
        // The byte tests are the string tests they stand for, on any
        // token (spans out of range or off char boundaries included).
        #[test]
        fn capitalized_and_possessive_tests_read_the_token_text(
            text in "([A-Z][a-z]{0,4}|[a-z]{1,4}|É|é|ß|Σ|’s|'s|'|’|s|\u{2019}|[0-9]| ){0,12}",
            start in 0usize..40,
            len in 0usize..12,
            kind in 0usize..4,
        ) {
            let kind = [TokenKind::Word, TokenKind::Number, TokenKind::Punct, TokenKind::Symbol][kind];
            let t = Token { start, end: start + len, kind };
            prop_assert_eq!(
                is_capitalized_word(&text, &t),
                t.kind == TokenKind::Word && starts_upper(t.text(&text))
            );
            let w = t.text(&text);
            prop_assert_eq!(is_possessive(w), strip_possessive(w).len() != w.len());
            prop_assert_eq!(is_possessive(&text), strip_possessive(&text).len() != text.len());
        }
    }

    proptest! {
        // The spans and labels of `document_entities`, titles left out,
        // from a layer with any labels and attributes or from no layer.
        #[test]
        fn entity_spans_are_document_entities_without_titles(
            text in "([A-Z][a-z]{0,6}|President|Mr\\.|said|[a-z]{1,5}|[.,]| ){0,40}",
            layer in proptest::collection::vec(
                (0usize..40, 0usize..10, "(PERSON|ORG|GPE|NORP|MISC|PERSONS|P|ORGX|gpe|DATE|)", proptest::option::of("[A-Za-z]{0,6}")),
                0..8,
            ),
            tagged: bool,
        ) {
            let mut doc = Document::new("d", Default::default(), text.clone());
            if tagged {
                let annotations: Vec<Annotation> = layer
                    .iter()
                    .map(|(start, len, label, title)| {
                        let a = Annotation::new(*start, start + len, label.clone());
                        match title {
                            Some(t) => a.with("title", t.as_str()),
                            None => a.with("other", 1),
                        }
                    })
                    .collect();
                doc.tags.insert(LAYER.to_string(), annotations);
            }
            let mut expected = document_entities(&doc);
            for e in &mut expected {
                e.title = None;
            }
            prop_assert_eq!(document_entity_spans(&doc), expected);
        }
    }

    proptest! {
        #[test]
        fn title_case_is_the_word_lowered_char_by_char(w in "(\\PC|[A-Z]|[a-z]|É|İ|\u{212A}|ẞ|Σ|ǅ){0,12}") {
            prop_assert_eq!(title_case(&w), title_case_char_by_char(&w));
        }

        #[test]
        fn person_verbs_ignoring_ascii_case_are_the_lowered_words(
            w in "(said|SAYS|Told|added|wrote|stated|noted|argued|mentioned|[a-zA-Z]{1,4}|é|\u{212A}){1,2}"
        ) {
            prop_assert_eq!(is_person_verb_ignoring_ascii_case(&w), is_person_verb(&w.to_ascii_lowercase()));
        }
    }

    fn find(t: &str) -> Vec<(String, &'static str)> {
        let sentences = SentenceSplitter::default().split(t);
        EntityFinder::default()
            .find(t, &sentences)
            .into_iter()
            .map(|e| (t[e.start..e.end].to_string(), e.label.as_str()))
            .collect()
    }

    fn has(found: &[(String, &str)], text: &str, label: &str) -> bool {
        found.iter().any(|(t, l)| t == text && *l == label)
    }

    #[test]
    fn common_capitalized_list_is_what_the_match_accepts() {
        for w in COMMON_CAPITALIZED {
            assert!(is_common_capitalized_by_match(w), "{w}");
            assert!(is_common_capitalized(w), "{w}");
            assert!(w.len() <= COMMON_CAPITALIZED_LEN, "{w}");
        }
        // Every month and weekday name the lexicon reads is listed.
        for w in [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ] {
            let stems = [Some(w), w.get(..3), w.get(..4)];
            for form in stems
                .into_iter()
                .flatten()
                .flat_map(|t| [t.to_string(), format!("{t}.")])
            {
                assert_eq!(
                    COMMON_CAPITALIZED.contains(&form.as_str()),
                    is_common_capitalized_by_match(&form),
                    "{form}"
                );
            }
        }
    }

    #[test]
    fn titles_make_people() {
        let f = find(
            "It came a week before Chinese Premier Li Qiang’s visit to Islamabad, part of \
             President Xi Jinping’s Belt and Road Initiative.",
        );
        assert!(has(&f, "Chinese", "NORP"), "{f:?}");
        assert!(has(&f, "Li Qiang", "PERSON"), "{f:?}");
        assert!(has(&f, "Islamabad", "GPE"), "{f:?}");
        assert!(has(&f, "Xi Jinping", "PERSON"), "{f:?}");
        assert!(has(&f, "Belt and Road Initiative", "ORG"), "{f:?}");
    }

    #[test]
    fn organisations_and_places() {
        let f = find(
            "They were to be escorted to a plant built under the China-Pakistan Economic \
             Corridor (CPEC). Officers of the Special Security Unit guard them. \
             The Inter-Services Public Relations (ISPR) declined to comment to Reuters.",
        );
        assert!(has(&f, "China-Pakistan Economic Corridor", "ORG"), "{f:?}");
        assert!(has(&f, "CPEC", "ORG"), "{f:?}");
        assert!(has(&f, "Special Security Unit", "ORG"), "{f:?}");
        assert!(has(&f, "Inter-Services Public Relations", "ORG"), "{f:?}");
        assert!(has(&f, "Reuters", "ORG"), "{f:?}");
        assert!(
            !f.iter()
                .any(|(t, _)| t == "They" || t == "Officers" || t == "The"),
            "{f:?}"
        );
    }

    #[test]
    fn bylines_datelines_and_sentence_starts() {
        let f = find(
            "By Asif Shahzad\nISLAMABAD (Reuters) – Beijing is pushing Pakistan. \
             Longtime Pakistan ally China has thousands of nationals there. Neither side spoke.",
        );
        assert!(has(&f, "Asif Shahzad", "PERSON"), "{f:?}");
        assert!(has(&f, "ISLAMABAD", "GPE"), "{f:?}");
        assert!(
            has(&f, "Beijing", "GPE") && has(&f, "Pakistan", "GPE"),
            "{f:?}"
        );
        assert!(has(&f, "China", "GPE"), "{f:?}");
        assert!(
            !f.iter()
                .any(|(t, _)| t.contains("Longtime") || t == "Neither"),
            "{f:?}"
        );
    }

    #[test]
    fn known_surnames_are_people_later() {
        let f = find("Prime Minister Shehbaz Sharif met them. Sharif said no.");
        assert!(has(&f, "Shehbaz Sharif", "PERSON"), "{f:?}");
        assert_eq!(
            f.iter()
                .filter(|(t, l)| t == "Sharif" && *l == "PERSON")
                .count(),
            1,
            "{f:?}"
        );
    }

    #[test]
    fn wire_names() {
        let f = find(
            "Shares of BankAmerica Corp fell, said Arthur Miller, an analyst. BankAmerica \
             ships on the Mississippi River in Sept and Oct.",
        );
        assert!(has(&f, "BankAmerica Corp", "ORG"), "{f:?}");
        assert!(has(&f, "Arthur Miller", "PERSON"), "{f:?}");
        assert!(has(&f, "BankAmerica", "ORG"), "{f:?}");
        assert!(has(&f, "Mississippi River", "GPE"), "{f:?}");
        assert!(!f.iter().any(|(t, _)| t.contains("Sept")), "{f:?}");
    }

    #[test]
    fn headings_are_skipped() {
        let f = find("GRAVE SECURITY BREACH\n\nThe bombing angered Beijing.");
        assert_eq!(f, [("Beijing".to_string(), "GPE")]);
    }

    #[test]
    fn long_capitalized_text_is_cut_into_short_runs() {
        let t = "China Pakistan ".repeat(20_000);
        let sentences = SentenceSplitter::default().split(&t);
        let found = EntityFinder::default().find(&t, &sentences);
        assert_eq!(found.len(), 40_000);
        assert!(found.iter().all(|e| e.label == EntityLabel::Gpe));
    }

    proptest! {
        #[test]
        fn entities_are_ordered_on_boundaries(s in "\\PC{0,160}") {
            let sentences = SentenceSplitter::default().split(&s);
            let mut last = 0;
            for e in EntityFinder::default().find(&s, &sentences) {
                prop_assert!(e.start >= last && e.start < e.end && e.end <= s.len());
                prop_assert!(s.is_char_boundary(e.start) && s.is_char_boundary(e.end));
                last = e.end;
            }
        }

        #[test]
        fn capitalized_text_does_not_panic(s in "([A-Z][a-z]{0,5}|of|and|[A-Z]{2,4}|’s|[.,()]|\n| ){0,40}") {
            let sentences = SentenceSplitter::default().split(&s);
            for e in EntityFinder::default().find(&s, &sentences) {
                prop_assert!(s.is_char_boundary(e.start) && s.is_char_boundary(e.end));
            }
        }
    }
}
