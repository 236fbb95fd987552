//! `tag.quotes.v1`: direct and reported speech with speaker, cue verb and
//! speaker type.

use crate::entities::{Entity, document_entity_spans};
use crate::fasthash::FastMap;
use crate::gazetteer::EntityLabel;
use crate::layer::add_layer;
use crate::lexicon::{SPEAKER_PRONOUNS, SPEECH_CUES, WEAK_SPEECH_CUES};
use crate::scan::{char_at, char_before, is_double_quote, paragraphs, strip_possessive};
use crate::sentences::sentence_spans;
use copydesk_core::{
    Annotation, Attrs, BuiltStage, Document, DocumentStage, OptionDoc, OptionError, StageConfig,
    StageError, StageKind, cap,
};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::sync::OnceLock;

/// The layer this stage writes.
pub const LAYER: &str = "quotes";

/// Who a speaker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeakerType {
    /// A named person (`President Xi Jinping`, `Asif Shahzad`).
    NamedPerson,
    /// A role at a named body (`A spokesman for China’s foreign ministry`).
    NamedRole,
    /// An organisation or a place standing for its government (`Pakistan’s interior ministry`, `Beijing`).
    Organization,
    /// An unnamed source (`one official`, `sources`, `a source familiar with ...`).
    Anonymous,
    /// A pronoun that could not be resolved (`he`, `they`).
    Pronoun,
    /// No speaker found, or one of no known kind.
    Unknown,
}

impl SpeakerType {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            SpeakerType::NamedPerson => "named_person",
            SpeakerType::NamedRole => "named_role",
            SpeakerType::Organization => "organization",
            SpeakerType::Anonymous => "anonymous",
            SpeakerType::Pronoun => "pronoun",
            SpeakerType::Unknown => "unknown",
        }
    }
}

/// One quotation.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// Byte offset of the first byte (the opening quotation mark of a direct quote).
    pub start: usize,
    /// Byte offset one past the last byte (after the closing mark of a direct quote).
    pub end: usize,
    /// Whether the words are quoted verbatim (`false`: reported speech).
    pub direct: bool,
    /// The speaker as written (or, for a resolved pronoun, the person it stands for).
    pub speaker: Option<String>,
    /// The byte span of the speaker mention in the text.
    pub speaker_span: Option<(usize, usize)>,
    /// The cue (`said`, `told`, `according to`), lowercase.
    pub cue: Option<String>,
    /// What kind of speaker it is.
    pub speaker_type: SpeakerType,
    /// The pronoun a resolved speaker was written as (`he`).
    pub pronoun: Option<String>,
    /// Whether the attribution was carried over from the previous quote.
    pub inherited: bool,
    /// Whether the quotation mark was never closed (the quote ends with its paragraph).
    pub unclosed: bool,
}

impl Quote {
    fn new(start: usize, end: usize, direct: bool) -> Self {
        Quote {
            start,
            end,
            direct,
            speaker: None,
            speaker_span: None,
            cue: None,
            speaker_type: SpeakerType::Unknown,
            pronoun: None,
            inherited: false,
            unclosed: false,
        }
    }

    /// The quote as an annotation of the `quotes` layer.
    pub fn to_annotation(&self) -> Annotation {
        let mut a = Annotation::new(self.start, self.end, "quote")
            .with("direct", self.direct)
            .with("speaker_type", self.speaker_type.as_str());
        if let Some(s) = &self.speaker {
            a = a.with("speaker", s.as_str());
        }
        if let Some((s, e)) = self.speaker_span {
            a = a.with("speaker_start", s).with("speaker_end", e);
        }
        if let Some(c) = &self.cue {
            a = a.with("cue", c.as_str());
        }
        if let Some(p) = &self.pronoun {
            a = a.with("pronoun", p.as_str());
        }
        if self.inherited {
            a = a.with("inherited", true);
        }
        if self.unclosed {
            a = a.with("unclosed", true);
        }
        a
    }
}

impl Quote {
    /// [`Quote::to_annotation`], moving the strings into the annotation
    /// and adding the attributes in key order (each lands at the end of
    /// the sorted attribute list, none is moved to make room).
    pub fn into_annotation(self) -> Annotation {
        // The attribute list is allocated once, at its final size.
        let count = 2
            + usize::from(self.cue.is_some())
            + usize::from(self.inherited)
            + usize::from(self.pronoun.is_some())
            + usize::from(self.speaker.is_some())
            + 2 * usize::from(self.speaker_span.is_some())
            + usize::from(self.unclosed);
        let mut attrs = Attrs::with_capacity(count);
        if let Some(c) = self.cue {
            attrs.push_sorted("cue", c);
        }
        attrs.push_sorted("direct", self.direct);
        if self.inherited {
            attrs.push_sorted("inherited", true);
        }
        if let Some(p) = self.pronoun {
            attrs.push_sorted("pronoun", p);
        }
        if let Some(s) = self.speaker {
            attrs.push_sorted("speaker", s);
        }
        if let Some((s, e)) = self.speaker_span {
            attrs.push_sorted("speaker_end", e);
            attrs.push_sorted("speaker_start", s);
        }
        attrs.push_sorted("speaker_type", self.speaker_type.as_str());
        if self.unclosed {
            attrs.push_sorted("unclosed", true);
        }
        Annotation {
            start: self.start,
            end: self.end,
            label: "quote".into(),
            attrs,
        }
    }
}

/// A speaker mention and the cue that attributes the quote to it.
#[derive(Debug, Clone, Copy)]
struct Attribution {
    speaker: (usize, usize),
    cue: (usize, usize),
}

/// Speech cues in `text`, as word-bounded byte spans, with whether each is strong.
///
/// Every cue is ASCII letters, `according to` aside (two words and one
/// space), and a cue is taken only where no letter or digit touches it:
/// so a cue is a whole run of ASCII letters, found from the runs (read 64
/// bytes at a time) and compared only when its length and first letter
/// are those of a cue. This finds what the search of every cue in the
/// text (ASCII case ignored, leftmost-longest, then filtered to whole
/// words) finds, including what that search misses: a cue starting with
/// `to` right after `according ` lies inside the match of `according to`
/// and is never reported (`tests::cue_spans_by_automaton`, property-tested).
fn cue_spans(text: &str) -> Vec<(usize, usize, bool)> {
    const ACCORDING: &[u8] = b"according";
    /// Per cue length (below 16) and first letter, the last letters of
    /// cues of that length and first letter (any case): most words that
    /// have a cue's length and first letter (`that`, `this`, `some`) end
    /// otherwise, and are not looked up.
    static CUE_SHAPES: [[u32; 26]; 16] = {
        let mut shapes = word_ends(SPEECH_CUES, word_ends(WEAK_SPEECH_CUES, [[0; 26]; 16]));
        // `according`, the first word of `according to`.
        shapes[ACCORDING.len()][(ACCORDING[0] - b'a') as usize] |= 1 << (b'g' - b'a');
        shapes
    };
    let bytes = text.as_bytes();
    // Whether no letter or digit ends at `i` / starts at `i`.
    let open_before = |i: usize| match i.checked_sub(1).map(|k| bytes[k]) {
        None => true,
        Some(b) if b.is_ascii() => !b.is_ascii_alphanumeric(),
        Some(_) => char_before(text, i).is_none_or(|c| !c.is_alphanumeric()),
    };
    let open_at = |i: usize| match bytes.get(i) {
        None => true,
        Some(b) if b.is_ascii() => !b.is_ascii_alphanumeric(),
        Some(_) => char_at(text, i).is_none_or(|c| !c.is_alphanumeric()),
    };
    let mut out = Vec::new();
    for (s, e) in crate::scan::ascii_letter_runs(text) {
        let word = &bytes[s..e];
        let len = word.len();
        // Runs are ASCII letters: both ends are letters.
        let first = usize::from(word[0].to_ascii_lowercase() - b'a');
        let last = word[len - 1].to_ascii_lowercase() - b'a';
        if len >= 16 || CUE_SHAPES[len][first] & (1 << last) == 0 {
            continue;
        }
        if word.eq_ignore_ascii_case(ACCORDING) {
            // `according to`: the run, one space, `to`, then no letter or digit.
            let to = e + 1;
            if bytes.get(e) == Some(&b' ')
                && bytes
                    .get(to..to + 2)
                    .is_some_and(|w| w.eq_ignore_ascii_case(b"to"))
                && open_before(s)
                && open_at(to + 2)
            {
                out.push((s, to + 2, true));
            }
            continue;
        }
        let Some(&strong) = cue_words().get(&packed_lowercase(word)) else {
            continue;
        };
        // Inside a match of `according to` (`according told`).
        let in_according_to = word[..2].eq_ignore_ascii_case(b"to")
            && s > ACCORDING.len()
            && bytes[s - ACCORDING.len() - 1..s - 1].eq_ignore_ascii_case(ACCORDING)
            && bytes[s - 1] == b' ';
        if in_according_to || !open_before(s) || !open_at(e) {
            continue;
        }
        out.push((s, e, strong));
    }
    out
}

/// The one-word cues by [`packed_lowercase`], with whether each is strong
/// (a word on both lists is strong).
fn cue_words() -> &'static FastMap<u128, bool> {
    static WORDS: OnceLock<FastMap<u128, bool>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let weak = WEAK_SPEECH_CUES.iter().map(|w| (w, false));
        let strong = SPEECH_CUES.iter().map(|w| (w, true));
        weak.chain(strong)
            .filter(|(w, _)| w.len() < 16)
            .map(|(w, strong)| (packed_lowercase(w.as_bytes()), strong))
            .collect()
    })
}

/// The ASCII lowercase form of a word shorter than 16 bytes, its bytes
/// in the low bytes of one integer (the rest zero): two words are equal
/// ignoring ASCII case exactly when these are equal, NUL bytes aside.
fn packed_lowercase(word: &[u8]) -> u128 {
    let mut lanes = [0u8; 16];
    for (lane, b) in lanes.iter_mut().zip(word) {
        *lane = b.to_ascii_lowercase();
    }
    u128::from_le_bytes(lanes)
}

/// `table` with, for each of `words` shorter than 16 bytes that starts
/// and ends with an ASCII letter, the bit of its last letter (`a` = bit 0,
/// any case) set at its length and first letter.
const fn word_ends(words: &[&str], mut table: [[u32; 26]; 16]) -> [[u32; 26]; 16] {
    let mut k = 0;
    while k < words.len() {
        let w = words[k].as_bytes();
        if !w.is_empty() && w.len() < 16 {
            let first = w[0].to_ascii_lowercase();
            let last = w[w.len() - 1].to_ascii_lowercase();
            if first.is_ascii_lowercase() && last.is_ascii_lowercase() {
                table[w.len()][(first - b'a') as usize] |= 1 << (last - b'a');
            }
        }
        k += 1;
    }
    table
}

/// Direct quotation spans: `(start, end, unclosed)`. A paragraph that opens a
/// quote without closing it continues into the next paragraph when that one
/// opens with a quotation mark (news style); otherwise the quote ends with
/// its paragraph.
#[cfg(test)]
fn direct_spans(text: &str, paras: &[(usize, usize)]) -> Vec<(usize, usize, bool)> {
    direct_spans_among(text, paras, &quote_mark_candidates(text))
}

/// The offsets of the characters of `text` that may be quotation marks.
/// Only quotation marks matter, and every mark other than `"` starts with
/// byte 0xE2 (‘ ’ “ ” „ ‟) or 0xC2 (« »): only the characters starting
/// with one of these three bytes are looked at (found with memchr), every
/// other character is skipped unread.
fn quote_mark_candidates(text: &str) -> Vec<usize> {
    memchr::memchr3_iter(b'"', 0xE2, 0xC2, text.as_bytes()).collect()
}

/// [`direct_spans`] given the byte offsets in `text` (in order) of every
/// character that may be a quotation mark; other characters are not read.
fn direct_spans_among(
    text: &str,
    paras: &[(usize, usize)],
    candidates: &[usize],
) -> Vec<(usize, usize, bool)> {
    let mut out = Vec::new();
    // An open quote carried from the previous paragraph: (start, that paragraph's end).
    let mut carried: Option<(usize, usize)> = None;
    for &(ps, pe) in paras {
        let para = &text[ps..pe];
        let mut open: Option<usize> = None;
        let mut skip_first = false;
        if let Some((start, prev_end)) = carried.take() {
            if para.starts_with(is_double_quote) {
                open = Some(start);
                skip_first = true;
            } else {
                out.push((start, prev_end, true));
            }
        }
        // A single-quoted passage (‘...’, British style), only outside double quotes.
        let mut single_open: Option<usize> = None;
        let first = candidates.partition_point(|&i| i < ps);
        let last = candidates.partition_point(|&i| i < pe);
        let marks = candidates[first..last]
            .iter()
            .filter_map(|&at| Some((at - ps, char_at(para, at - ps)?)));
        for (i, c) in marks {
            if open.is_none() && (c == '\u{2018}' || c == '\u{2019}') {
                let before = char_before(para, i);
                let after = char_at(para, i + c.len_utf8());
                if c == '\u{2018}'
                    && before.is_none_or(|b| {
                        b.is_whitespace() || matches!(b, '(' | '[' | '-' | '\u{2014}' | '\u{2013}')
                    })
                {
                    single_open = Some(ps + i);
                } else if let Some(s) = single_open.filter(|_| {
                    c == '\u{2019}'
                        && after.is_none_or(|a| !a.is_alphanumeric())
                        && before.is_some_and(|b| !b.is_whitespace())
                }) {
                    let end = ps + i + c.len_utf8();
                    let content = &text[s..end];
                    if content.chars().any(char::is_lowercase) && word_count_up_to(content, 2) >= 2
                    {
                        out.push((s, end, false));
                    }
                    single_open = None;
                }
                continue;
            }
            if !is_double_quote(c) {
                continue;
            }
            single_open = None;
            if skip_first && i == 0 {
                continue;
            }
            let at = ps + i;
            let opening = match c {
                '\u{201C}' | '\u{201E}' | '\u{00AB}' => true,
                '\u{201D}' | '\u{00BB}' | '\u{201F}' => false,
                // A straight quote opens after a space or bracket, closes after a word.
                _ => open.is_none(),
            };
            match (opening, open) {
                (true, _) => open = Some(at),
                (false, Some(s)) => {
                    out.push((s, at + c.len_utf8(), false));
                    open = None;
                }
                (false, None) => {}
            }
        }
        if let Some(s) = open {
            carried = Some((s, pe));
        }
    }
    if let Some((s, e)) = carried {
        out.push((s, e, true));
    }
    out
}

/// Auxiliary and modal verbs: after a noun phrase they start a clause.
const AUXILIARIES: &[&str] = &[
    "has", "have", "had", "was", "were", "is", "are", "will", "would", "could", "can", "may",
    "might", "should", "must", "did", "does", "do",
];

/// Whether `word` is an auxiliary or modal verb (any case).
fn is_auxiliary(word: &str) -> bool {
    AUXILIARY_LIST.has_lowercase(word)
}

/// Words that end a speaker noun phrase written after its cue
/// (`said one official, who ...`, `said Smith on Monday`).
const TRAILING_SPEAKER_ENDS: &[&str] = &[
    "adding",
    "on",
    "at",
    "in",
    "during",
    "after",
    "before",
    "when",
    "while",
    "as",
    "because",
    "but",
    "told",
    "according",
    "who",
    "which",
    "that",
    "said",
    "says",
    "last",
    "this",
    "late",
    "earlier",
];

/// First words of a clause that introduces the sentence's subject
/// (`In a statement last week, the ministry said`).
const INTRODUCTORY: &[&str] = &[
    "in",
    "at",
    "on",
    "after",
    "before",
    "during",
    "last",
    "earlier",
    "later",
    "meanwhile",
    "however",
    "but",
    "separately",
    "privately",
    "publicly",
    "speaking",
    "asked",
    "also",
    "yet",
    "still",
    "and",
    "so",
    "then",
    "when",
    "while",
    "since",
    "because",
    "although",
    "though",
    "instead",
    "now",
];

/// Conjunctions a subject may start with (`But the official said`).
const LEADING_CONJUNCTIONS: &[&str] = &["but", "and", "so", "yet", "however", "however,"];

/// A list of lowercase words with the lengths, first and last letters of
/// those of ASCII letters ([`word_ends`]): an ASCII word whose shape no
/// word of the list has is not on it, and is compared with none.
struct WordList {
    words: &'static [&'static str],
    shapes: [[u32; 26]; 16],
}

impl WordList {
    const fn new(words: &'static [&'static str]) -> WordList {
        WordList {
            words,
            shapes: word_ends(words, [[0; 26]; 16]),
        }
    }

    /// [`lowercase_is_one_of`] the list: whether `word.to_lowercase()` is
    /// on it. An ASCII word lowers to one of its length, first and last
    /// letters (any case): without a listed word of that shape it is none.
    fn has_lowercase(&self, word: &str) -> bool {
        let b = word.as_bytes();
        if let (Some(&first), Some(&last)) = (b.first(), b.last())
            && b.len() < 16
            && first.is_ascii_alphabetic()
            && last.is_ascii_alphabetic()
            && word.is_ascii()
        {
            let first = usize::from(first.to_ascii_lowercase() - b'a');
            let last = last.to_ascii_lowercase() - b'a';
            if self.shapes[b.len()][first] & (1 << last) == 0 {
                return false;
            }
        }
        lowercase_is_one_of(word, self.words)
    }
}

/// [`AUXILIARIES`] with their shapes.
static AUXILIARY_LIST: WordList = WordList::new(AUXILIARIES);
/// [`TRAILING_SPEAKER_ENDS`] with their shapes.
static TRAILING_SPEAKER_END_LIST: WordList = WordList::new(TRAILING_SPEAKER_ENDS);
/// [`INTRODUCTORY`] with their shapes.
static INTRODUCTORY_LIST: WordList = WordList::new(INTRODUCTORY);
/// [`LEADING_CONJUNCTIONS`] with their shapes.
static LEADING_CONJUNCTION_LIST: WordList = WordList::new(LEADING_CONJUNCTIONS);
/// [`SPEAKER_PRONOUNS`] with their shapes.
static SPEAKER_PRONOUN_LIST: WordList = WordList::new(SPEAKER_PRONOUNS);

/// Whether `word.to_lowercase()` is one of `words` (lowercase words), told
/// without making the lowercase string when `word` is ASCII (compared
/// ASCII-case-insensitively: for ASCII both are the same test). These
/// lookups run on every word of a candidate subject.
fn lowercase_is_one_of(word: &str, words: &[&str]) -> bool {
    if word.is_ascii() {
        words.iter().any(|w| word.eq_ignore_ascii_case(w))
    } else {
        let lower = word.to_lowercase();
        words.contains(&lower.as_str())
    }
}

/// The words of `s` between whitespace (`s.split_whitespace().count()`).
#[cfg(test)]
fn word_count(s: &str) -> usize {
    word_count_up_to(s, usize::MAX)
}

/// `s.split_whitespace().count().min(cap)`, reading no further than the block where the
/// count passes `cap`: the tests of a speaker or a content only ask
/// whether it has more or fewer words than a few, and a sentence can be long.
fn word_count_up_to(s: &str, cap: usize) -> usize {
    if !s.is_ascii() {
        return s.split_whitespace().take(cap).count();
    }
    // ASCII: a word starts at each non-blank byte after a blank one (or
    // at the start); the blanks are what `char::is_whitespace` says of
    // ASCII (space and `\t` to `\r`). Eight bytes at a time: the lanes'
    // high bits mark the non-blank bytes, a word start is one whose lane
    // before (or the previous block's last byte) is blank.
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // High bit of each lane: whether the (7-bit) lane is at least `lo`;
    // lanes never carry into each other (0x7F + 0x80 < 0x100).
    let at_least = |x: u64, lo: u8| (x + ONES * u64::from(0x80 - lo)) & HIGH;
    let mut words = 0;
    // Whether the byte before the current block is non-blank, in lane 0's high bit.
    let mut before = 0u64;
    let mut blocks = s.as_bytes().chunks_exact(8);
    for block in &mut blocks {
        let mut lanes = [0u8; 8];
        lanes.copy_from_slice(block);
        let x = u64::from_le_bytes(lanes);
        // A space is the lane equal to 0x20: zero after the xor.
        let spaced = x ^ (ONES * 0x20);
        let space = !((((spaced & !HIGH) + !HIGH) | spaced) & HIGH) & HIGH;
        let control = at_least(x, b'\t') & !at_least(x, b'\r' + 1);
        let non_blank = !(space | control) & HIGH;
        let starts = non_blank & !((non_blank << 8) | before);
        // The starts' high bits moved to the lanes' low bits and summed
        // into the top lane by one multiplication (at most eight, no lane
        // overflows): what `count_ones` gives, without the bit-count
        // sequence baseline x86-64 (no `popcnt`) compiles it to.
        words += ((starts >> 7).wrapping_mul(ONES) >> 56) as usize;
        if words >= cap {
            return cap;
        }
        before = (non_blank >> 56) & 0x80;
    }
    let mut in_word = before != 0;
    for &b in blocks.remainder() {
        let blank = b == b' ' || b.wrapping_sub(b'\t') < 5;
        words += usize::from(!blank && !in_word);
        in_word = !blank;
    }
    words.min(cap)
}

/// Whether `s` has a double quotation mark: every one is `"` or starts
/// with byte 0xE2 or 0xC2 (lead bytes, so char boundaries), and only the
/// characters there are read (found with memchr).
fn has_quote_mark(s: &str) -> bool {
    memchr::memchr3_iter(b'"', 0xE2, 0xC2, s.as_bytes()).any(|i| {
        s.get(i..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(is_double_quote)
    })
}

/// The offset in `seg` of the first auxiliary among its words (split at
/// whitespace) after the first: `split_words_with_offsets(seg).skip(1)
/// .find(is_auxiliary)`, with the words of ASCII text read as bytes (the
/// blanks are space and `\t` to `\r`, what `char::is_whitespace` says of
/// ASCII) and only those of an auxiliary's length compared.
fn first_auxiliary_after_first_word(seg: &str) -> Option<usize> {
    if !seg.is_ascii() {
        return split_words_with_offsets(seg)
            .skip(1)
            .find(|(_, w)| is_auxiliary(w))
            .map(|(off, _)| off);
    }
    let bytes = seg.as_bytes();
    let blank = |b: u8| b == b' ' || b.wrapping_sub(b'\t') < 5;
    let mut k = 0;
    let mut words = 0;
    while k < bytes.len() {
        if blank(bytes[k]) {
            k += 1;
            continue;
        }
        let start = k;
        while k < bytes.len() && !blank(bytes[k]) {
            k += 1;
        }
        words += 1;
        // Auxiliaries have two to six letters.
        if words > 1 && (2..=6).contains(&(k - start)) && is_auxiliary(&seg[start..k]) {
            return Some(start);
        }
    }
    None
}

/// What ends reported speech before the end of its sentence.
const CLAUSE_STOPS: &[&str] = &[", but ", "; but ", ", however ", ", adding"];

/// Where the first of [`CLAUSE_STOPS`] in `s` starts. Every stop starts
/// with `,` or `;` and has no other, so the stops are looked for only at
/// those bytes (found with memchr), and the first stop there is the
/// earliest of each stop's first occurrence (what searching `s` for each
/// stop in turn, cutting it at each one found, gives:
/// `tests::first_clause_stop_by_each_stop`).
fn first_clause_stop(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    memchr::memchr2_iter(b',', b';', bytes).find(|&k| {
        CLAUSE_STOPS
            .iter()
            .any(|stop| bytes[k..].starts_with(stop.as_bytes()))
    })
}

/// Trims whitespace and the given punctuation from both ends of `text[from..to]`.
/// ASCII bytes at the ends are tested byte by byte; the trims go on char
/// by char only from a non-ASCII byte ([`trim_span_by_chars`] is the
/// tests' reference).
fn trim_span(text: &str, from: usize, to: usize, punct: &[char]) -> (usize, usize) {
    let Some(s) = text.get(from..to) else {
        return (from, from);
    };
    let trim = |c: char| c.is_whitespace() || punct.contains(&c);
    let bytes = s.as_bytes();
    let mut start = 0;
    while start < bytes.len() && bytes[start].is_ascii() && trim(char::from(bytes[start])) {
        start += 1;
    }
    if start < bytes.len() && !bytes[start].is_ascii() {
        start = s.len() - s[start..].trim_start_matches(trim).len();
    }
    let mut end = bytes.len();
    while end > start && bytes[end - 1].is_ascii() && trim(char::from(bytes[end - 1])) {
        end -= 1;
    }
    if end > start && !bytes[end - 1].is_ascii() {
        end = s[..end].trim_end_matches(trim).len();
    }
    if start >= end {
        (from, from)
    } else {
        (from + start, from + end)
    }
}

/// [`trim_span`] as it was: both ends trimmed char by char (the tests'
/// reference).
#[cfg(test)]
fn trim_span_by_chars(text: &str, from: usize, to: usize, punct: &[char]) -> (usize, usize) {
    let Some(s) = text.get(from..to) else {
        return (from, from);
    };
    let trim = |c: char| c.is_whitespace() || punct.contains(&c);
    let start = from + (s.len() - s.trim_start_matches(trim).len());
    let end = to - (s.len() - s.trim_end_matches(trim).len());
    if start >= end {
        (from, from)
    } else {
        (start, end)
    }
}

const EDGE_PUNCT: &[char] = &[',', ';', ':', '\u{2014}', '\u{2013}', '-', '.'];

/// Whether `spans` are in order and do not overlap (each ends before or
/// where the next starts).
fn disjoint_in_order(spans: &[(usize, usize, bool)]) -> bool {
    spans.iter().all(|&(s, e, _)| s <= e) && spans.windows(2).all(|w| w[0].1 <= w[1].0)
}

/// Finds quotations.
#[derive(Debug, Clone)]
pub struct QuoteFinder {
    /// Whether reported (indirect) speech is tagged too.
    pub indirect: bool,
    /// Whether `he`/`she` speakers are resolved to the nearest earlier named person.
    pub resolve_pronouns: bool,
}

impl Default for QuoteFinder {
    fn default() -> Self {
        QuoteFinder {
            indirect: true,
            resolve_pronouns: true,
        }
    }
}

struct Ctx<'a> {
    text: &'a str,
    cues: Vec<(usize, usize, bool)>,
    direct: Vec<(usize, usize, bool)>,
    /// Whether `direct` is sorted and its spans do not overlap (as
    /// [`direct_spans`] writes them), so a position is looked up by
    /// bisection rather than against every span.
    direct_disjoint: bool,
}

impl<'a> Ctx<'a> {
    #[cfg(test)]
    fn new(text: &'a str, paras: &[(usize, usize)]) -> Ctx<'a> {
        Ctx::among(text, paras, &quote_mark_candidates(text))
    }

    /// The context of `text` given its paragraphs and the offsets of the
    /// characters that may be quotation marks ([`quote_mark_candidates`]).
    fn among(text: &'a str, paras: &[(usize, usize)], marks: &[usize]) -> Ctx<'a> {
        let direct = direct_spans_among(text, paras, marks);
        let direct_disjoint = disjoint_in_order(&direct);
        Ctx {
            text,
            cues: cue_spans(text),
            direct,
            direct_disjoint,
        }
    }

    /// Whether `pos` is inside a direct quote.
    fn in_direct(&self, pos: usize) -> bool {
        if !self.direct_disjoint {
            return self.direct.iter().any(|&(s, e, _)| s <= pos && pos < e);
        }
        // The only span that may hold `pos`: the last one starting at or before it.
        let k = self.direct.partition_point(|&(s, _, _)| s <= pos);
        k > 0 && pos < self.direct[k - 1].1
    }

    /// Cues in `[from, to)` outside direct quotes.
    fn cues_in(&self, from: usize, to: usize) -> impl Iterator<Item = (usize, usize, bool)> + '_ {
        let first = self.cues.partition_point(|c| c.0 < from);
        self.cues[first..]
            .iter()
            .copied()
            .take_while(move |c| c.1 <= to)
            .filter(move |c| !self.in_direct(c.0))
    }

    /// Whether the cue's text, ASCII letters lowered, is one of `words`
    /// (lowercase): compared ignoring ASCII case, no lowered copy made.
    fn cue_is(&self, cue: (usize, usize), words: &[&str]) -> bool {
        let text = self.text.get(cue.0..cue.1).unwrap_or_default();
        words.iter().any(|w| text.eq_ignore_ascii_case(w))
    }
}

impl QuoteFinder {
    /// Quotations of `text` given its sentence spans and entities, in order.
    /// Direct quotes never overlap each other; a reported-speech span may
    /// contain a short direct quote.
    pub fn find(
        &self,
        text: &str,
        sentences: &[(usize, usize)],
        entities: &[Entity],
    ) -> Vec<Quote> {
        // Paragraphs matter only to direct quotes, hence only to a text
        // with a possible quotation mark (most have none).
        let marks = quote_mark_candidates(text);
        let paras = if marks.is_empty() {
            Vec::new()
        } else {
            paragraphs(text, false)
        };
        let ctx = Ctx::among(text, &paras, &marks);
        let sentence_of = |pos: usize| {
            let k = sentences.partition_point(|s| s.1 <= pos);
            sentences.get(k).copied().filter(|s| s.0 <= pos)
        };
        let paragraph_of = |pos: usize| paras.partition_point(|p| p.1 < pos);
        // At most one quote per direct span and one per sentence.
        let mut quotes: Vec<Quote> = Vec::with_capacity(ctx.direct.len() + sentences.len());
        // The paragraph where the previous direct quote ends, and its
        // place in `quotes` (read there rather than copied).
        let mut previous_direct: Option<(usize, usize)> = None;
        for &(start, end, unclosed) in &ctx.direct {
            let mut q = Quote::new(start, end, true);
            q.unclosed = unclosed;
            let close_sentence = sentence_of(end.saturating_sub(1));
            let open_sentence = sentence_of(start);
            let after = close_sentence
                .filter(|s| s.1 > end)
                .and_then(|s| self.attribute_after(&ctx, end, s.1));
            let attribution = after
                .or_else(|| open_sentence.and_then(|s| self.attribute_before(&ctx, s.0, start)));
            let para = paragraph_of(start);
            match attribution {
                Some(a) => apply(&mut q, text, a),
                None => {
                    // “First,” he said. “Second.” — the second is his too.
                    if let Some((prev_para, prev)) = previous_direct
                        && let Some(prev) = quotes.get(prev)
                    {
                        let continues = prev_para == para
                            || (prev_para + 1 == para
                                && paras.get(para).is_some_and(|p| p.0 == start));
                        if continues && prev.speaker.is_some() {
                            q.speaker.clone_from(&prev.speaker);
                            q.speaker_span = prev.speaker_span;
                            q.cue.clone_from(&prev.cue);
                            q.inherited = true;
                        }
                    }
                }
            }
            previous_direct = Some((paragraph_of(end.saturating_sub(1)), quotes.len()));
            quotes.push(q);
        }
        if self.indirect {
            for &(a, b) in sentences {
                if let Some(q) = self.reported_speech(&ctx, a, b) {
                    quotes.push(q);
                }
            }
        }
        quotes.sort_by_key(|q| (q.start, q.end));
        // Named people by the end of their mention, for pronoun resolution.
        // (Borrowed from the text; a speaker added below is a copy.)
        let mut people: Vec<(usize, Cow<'_, str>)> = entities
            .iter()
            .filter(|e| e.label == EntityLabel::Person)
            .filter_map(|e| Some((e.end, Cow::Borrowed(text.get(e.start..e.end)?))))
            .collect();
        // Entities in order of their start (as a layer holds them) are
        // looked up around each speaker rather than read all each time.
        let entities_sorted = entities.is_sorted_by_key(|e| e.start);
        for q in &mut quotes {
            if let Some(span) = q.speaker_span {
                let near = entities_near(entities, entities_sorted, span);
                q.speaker_type = classify_speaker_among(text, span, near);
                // "Cohn said" after "Lawrence Cohn": the same person.
                let single = q
                    .speaker
                    .as_deref()
                    .filter(|s| !s.contains(char::is_whitespace) && crate::scan::starts_upper(s));
                if let (SpeakerType::Unknown, Some(name)) = (q.speaker_type, single) {
                    let known = people.iter().any(|(end, full)| {
                        *end <= span.0 && full.split_whitespace().next_back() == Some(name)
                    });
                    if known {
                        q.speaker_type = SpeakerType::NamedPerson;
                    }
                }
            }
            if q.speaker_type == SpeakerType::Pronoun && self.resolve_pronouns {
                let pronoun = q.speaker.as_deref().unwrap_or_default().to_lowercase();
                let at = q.speaker_span.map_or(q.start, |s| s.0);
                let nearest = people
                    .iter()
                    .filter(|(end, _)| *end <= at)
                    .max_by_key(|(end, _)| *end);
                if let (true, Some((_, name))) = (matches!(pronoun.as_str(), "he" | "she"), nearest)
                {
                    q.pronoun = Some(pronoun);
                    q.speaker = Some(name.to_string());
                    q.speaker_type = SpeakerType::NamedPerson;
                }
            } else if q.speaker_type == SpeakerType::NamedPerson
                && q.pronoun.is_none()
                && let (Some((_, end)), Some(name)) = (q.speaker_span, &q.speaker)
            {
                people.push((end, Cow::Owned(name.clone())));
            }
        }
        quotes
    }

    /// Attribution after a quote: `“...,” said one official, who ...`,
    /// `“...,” one official, who ..., said`, `“...,” he said`.
    fn attribute_after(&self, ctx: &Ctx<'_>, from: usize, to: usize) -> Option<Attribution> {
        let text = ctx.text;
        let (p0, _) = trim_span(text, from, to, EDGE_PUNCT);
        let cue = ctx.cues_in(p0, to).next()?;
        if cue.0 == p0 {
            let speaker = trailing_speaker(text, cue.1, to)?;
            return Some(Attribution {
                speaker,
                cue: (cue.0, cue.1),
            });
        }
        let prefix = text.get(p0..cue.0)?;
        if has_quote_mark(prefix) || word_count_up_to(prefix, 26) > 25 {
            return None;
        }
        let chunk_end = first_comma(prefix).map_or(cue.0, |k| p0 + k);
        let speaker = trim_span(text, p0, chunk_end, EDGE_PUNCT);
        let speaker = trim_time_and_adverbs(text, speaker.0, speaker.1);
        let words = word_count_up_to(text.get(speaker.0..speaker.1)?, 11);
        if !(1..=10).contains(&words) || !char_at(text, speaker.0).is_some_and(char::is_alphabetic)
        {
            return None;
        }
        Some(Attribution {
            speaker,
            cue: (cue.0, cue.1),
        })
    }

    /// Attribution before a quote in its sentence: `X said: “...”`,
    /// `X told Reuters ..., but added, “...”`, `X said the attackers had “inside help”`.
    fn attribute_before(&self, ctx: &Ctx<'_>, from: usize, to: usize) -> Option<Attribution> {
        let text = ctx.text;
        let mut cues = ctx.cues_in(from, to);
        let first = cues.next()?;
        let last = cues.last().unwrap_or(first);
        let speaker = subject_before(text, from, first.0)?;
        let near_end = text
            .get(last.1..to)
            .is_some_and(|rest| word_count_up_to(rest, 5) <= 4);
        let cue = if near_end { last } else { first };
        Some(Attribution {
            speaker,
            cue: (cue.0, cue.1),
        })
    }

    /// Reported speech in the sentence `[a, b)`, if any.
    fn reported_speech(&self, ctx: &Ctx<'_>, a: usize, b: usize) -> Option<Quote> {
        let text = ctx.text;
        let sentence = text.get(a..b)?;
        // Most sentences have no cue: nothing else is read of them.
        let first_cue = ctx.cues_in(a, b).next()?;
        let (_, body_end) = trim_span(
            text,
            a,
            b,
            &['.', '!', '?', '"', '\u{201D}', '\u{2019}', '\''],
        );
        // “(But) according to X, ...”
        let first_comma = text
            .get(first_cue.1..b)
            .and_then(first_comma)
            .map(|k| first_cue.1 + k);
        if ctx.cue_is((first_cue.0, first_cue.1), &["according to"])
            && first_comma.is_some()
            && text
                .get(a..first_cue.0)
                .is_some_and(|lead| word_count_up_to(lead, 3) <= 2)
        {
            let comma = first_comma?;
            let speaker = trim_span(text, first_cue.1, comma, EDGE_PUNCT);
            let content = trim_span(text, comma + 1, body_end, EDGE_PUNCT);
            return self.reported(ctx, content, speaker, (first_cue.0, first_cue.1));
        }
        // “..., sources said.” / “..., said one official.” / “..., according to X.”
        // A `,` byte is always a whole character: found with memrchr, the
        // last first.
        if let Some(comma) = memchr::memrchr_iter(b',', sentence.as_bytes())
            .map(|i| a + i)
            .find(|&i| !ctx.in_direct(i))
        {
            let tail = trim_span(text, comma + 1, body_end, EDGE_PUNCT);
            let tail_text = text.get(tail.0..tail.1).unwrap_or_default();
            if (1..=14).contains(&word_count_up_to(tail_text, 15))
                && let Some(cue) = ctx.cues_in(tail.0, tail.1).next()
            {
                let speaker = if cue.0 == tail.0 {
                    // "said one official (on Monday)", not "said the firm refused ...".
                    trailing_speaker(text, cue.1, tail.1).filter(|sp| {
                        let rest = text.get(sp.1..tail.1).unwrap_or_default();
                        let next = rest.split_whitespace().next().unwrap_or_default();
                        word_count_up_to(rest, 5) <= 4
                            && !is_auxiliary(next)
                            && !next.ends_with("ed")
                    })
                } else {
                    let s = trim_span(text, tail.0, cue.0, EDGE_PUNCT);
                    let s = trim_time_and_adverbs(text, s.0, s.1);
                    let after_cue = text.get(cue.1..tail.1).unwrap_or_default();
                    let words = word_count_up_to(text.get(s.0..s.1).unwrap_or_default(), 11);
                    ((1..=10).contains(&words) && word_count_up_to(after_cue, 6) <= 5).then_some(s)
                };
                if let Some(speaker) = speaker {
                    let content = trim_span(text, a, comma, EDGE_PUNCT);
                    // The attribution of a direct quote is not reported speech.
                    let covers_direct = ctx
                        .direct
                        .iter()
                        .any(|&(s, e, _)| s >= content.0 && e <= content.1 + 3);
                    if covers_direct {
                        return None;
                    }
                    return self.reported(ctx, content, speaker, (cue.0, cue.1));
                }
            }
        }
        // “X said (that) ...”, “X told Reuters ...”
        let cue = ctx.cues_in(a, b).next()?;
        let speaker = subject_before(text, a, cue.0)?;
        let mut content_start = cue.1;
        if ctx.cue_is((cue.0, cue.1), &["told", "tells", "informed"]) {
            content_start = skip_object(text, content_start, body_end);
        }
        let rest = text.get(content_start..body_end).unwrap_or_default();
        let after_space = rest.len() - rest.trim_start().len();
        let has_that = rest.trim_start().starts_with("that ");
        if has_that {
            content_start += after_space + 4;
        } else if !cue.2 {
            return None;
        }
        let mut content_end = body_end;
        if let Some(k) = text
            .get(content_start..content_end)
            .and_then(first_clause_stop)
        {
            content_end = content_start + k;
        }
        // A quote introduced by `, “` or `: “` ends the reported part; what
        // stands before it must then be a clause, not an object
        // (`told a press conference: “...”`).
        let mut min_words = 3;
        if let Some(&(s, _, _)) = ctx.direct.iter().find(|&&(s, _, _)| {
            s > content_start && s < content_end && text[..s].trim_end().ends_with([',', ':'])
        }) {
            content_end = s;
            min_words = 5;
        }
        let content = trim_span(text, content_start, content_end, EDGE_PUNCT);
        if word_count_up_to(
            text.get(content.0..content.1).unwrap_or_default(),
            min_words,
        ) < min_words
        {
            return None;
        }
        self.reported(ctx, content, speaker, (cue.0, cue.1))
    }

    fn reported(
        &self,
        ctx: &Ctx<'_>,
        content: (usize, usize),
        speaker: (usize, usize),
        cue: (usize, usize),
    ) -> Option<Quote> {
        let words = word_count_up_to(ctx.text.get(content.0..content.1)?, 3);
        if words < 3 || content.0 >= content.1 || speaker.0 >= speaker.1 {
            return None;
        }
        let mut q = Quote::new(content.0, content.1, false);
        apply(&mut q, ctx.text, Attribution { speaker, cue });
        Some(q)
    }
}

fn apply(q: &mut Quote, text: &str, a: Attribution) {
    q.speaker = text.get(a.speaker.0..a.speaker.1).map(str::to_string);
    q.speaker_span = Some(a.speaker);
    q.cue = text.get(a.cue.0..a.cue.1).map(|c| c.to_ascii_lowercase());
}

/// The speaker written after its cue: words up to punctuation or a word that
/// starts a new phrase (`said one official, who` → `one official`).
fn trailing_speaker(text: &str, from: usize, to: usize) -> Option<(usize, usize)> {
    let seg = text.get(from..to)?;
    let lead = seg.len() - seg.trim_start().len();
    let start = from + lead;
    let mut end = start;
    let mut words = 0;
    for (off, word) in split_words_with_offsets(&seg[lead..]) {
        let at = start + off;
        let clean = word.trim_end_matches(|c: char| !c.is_alphanumeric());
        let bare_end = at + clean.len();
        if clean.is_empty()
            || TRAILING_SPEAKER_END_LIST.has_lowercase(clean)
            || is_auxiliary(clean)
            || (words > 0 && clean.ends_with("ed") && clean.starts_with(char::is_lowercase))
            || word.starts_with(|c: char| !c.is_alphanumeric())
        {
            break;
        }
        end = bare_end;
        words += 1;
        if clean.len() != word.len() || words >= 10 {
            break; // punctuation after the word ends the phrase
        }
    }
    (end > start).then_some((start, end))
}

fn split_words_with_offsets(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split_whitespace().map(move |w| {
        let off = w.as_ptr() as usize - s.as_ptr() as usize;
        (off, w)
    })
}

/// The subject of a sentence before its speech cue at `cue_start`:
/// `A spokesman for China’s foreign ministry` (told ...),
/// `In a statement, the ministry` → `the ministry`.
fn subject_before(text: &str, from: usize, cue_start: usize) -> Option<(usize, usize)> {
    let (mut s, e) = trim_span(text, from, cue_start, EDGE_PUNCT);
    let seg = text.get(s..e)?;
    if seg.is_empty() || has_quote_mark(seg) {
        return None;
    }
    let first_word = seg
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default();
    if let Some(last) = last_comma(seg)
        && INTRODUCTORY_LIST.has_lowercase(first_word)
    {
        s += last + 1;
    }
    let (mut s, mut e) = trim_span(text, s, e, EDGE_PUNCT);
    // An apposition or participle after the subject: "The sources, speaking
    // on condition of anonymity," / "John Smith, a spokesman," → the first part.
    if let Some(k) = text.get(s..e).and_then(first_comma) {
        let rest = text.get(s + k + 1..e).unwrap_or_default().trim_start();
        let next = rest
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_lowercase();
        if matches!(
            next.as_str(),
            "who" | "whose" | "which" | "a" | "an" | "the"
        ) || next.ends_with("ing")
        {
            e = s + k;
        }
    }
    // An auxiliary ends the subject: "X and other officials have in the past (stressed)".
    if let Some(off) = text.get(s..e).and_then(first_auxiliary_after_first_word) {
        e = trim_span(text, s, s + off, EDGE_PUNCT).1;
    }
    // Leading conjunctions: "But the official said".
    loop {
        let seg = text.get(s..e)?;
        let word = seg.split_whitespace().next().unwrap_or_default();
        if LEADING_CONJUNCTION_LIST.has_lowercase(word) && word_count_up_to(seg, 2) > 1 {
            s = trim_span(text, s + word.len(), e, EDGE_PUNCT).0;
        } else {
            break;
        }
    }
    let (s, e) = trim_time_and_adverbs(text, s, e);
    let seg = text.get(s..e)?;
    let words = word_count_up_to(seg, 13);
    ((1..=12).contains(&words) && seg.starts_with(char::is_alphabetic)).then_some((s, e))
}

/// The byte offset of the first `,` of `s` (`s.find(',')`, with the
/// memchr crate's vectorized search instead of core's).
fn first_comma(s: &str) -> Option<usize> {
    memchr::memchr(b',', s.as_bytes())
}

/// The byte offset of the last `,` of `s` (`s.rfind(',')`, with memchr).
fn last_comma(s: &str) -> Option<usize> {
    memchr::memrchr(b',', s.as_bytes())
}

/// Words before a subject that are not part of it (lowercase ASCII).
const LEADING_NOT_SUBJECT: &[&str] = &[
    "last night",
    "last week",
    "last month",
    "last year",
    "yesterday",
    "today",
    "earlier",
    "later",
    "separately",
    "meanwhile",
    "also",
];
/// Words after a subject that are not part of it (lowercase ASCII).
const TRAILING_NOT_SUBJECT: &[&str] = &[
    "also",
    "later",
    "earlier",
    "further",
    "again",
    "today",
    "yesterday",
    "previously",
    "recently",
    "separately",
    "however",
    "then",
    "too",
    "has",
    "had",
    "have",
    "was",
    "were",
    "is",
    "had previously",
    "has also",
];
/// The first letters of `LEADING_NOT_SUBJECT`, the last of `TRAILING_NOT_SUBJECT` (bit
/// `b - b'a'`): a segment whose first (last) byte, lowered, is none of
/// them starts (ends) with none of the words.
const fn edge_letters(words: &[&str], last: bool) -> u32 {
    let mut mask = 0;
    let mut k = 0;
    while k < words.len() {
        let w = words[k].as_bytes();
        mask |= 1 << (w[if last { w.len() - 1 } else { 0 }] - b'a');
        k += 1;
    }
    mask
}
/// The first letters of [`LEADING_NOT_SUBJECT`].
const LEADING_FIRST: u32 = edge_letters(LEADING_NOT_SUBJECT, false);
/// The last letters of [`TRAILING_NOT_SUBJECT`].
const TRAILING_LAST: u32 = edge_letters(TRAILING_NOT_SUBJECT, true);

/// Words around a subject that are not part of it:
/// `last night Citibank` → `Citibank`, `Douglas also` → `Douglas`.
fn trim_time_and_adverbs(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    /// The shapes ([`word_ends`]) of the first words of `LEADING_NOT_SUBJECT` and the
    /// last words of `TRAILING_NOT_SUBJECT` (each listed word is letters; a pair is two
    /// words and a space).
    const fn edge_words(words: &[&str], last: bool) -> [[u32; 26]; 16] {
        let mut table = [[0u32; 26]; 16];
        let mut k = 0;
        while k < words.len() {
            let w = words[k].as_bytes();
            let mut from = 0;
            let mut to = w.len();
            let mut i = 0;
            while i < w.len() {
                if w[i] == b' ' {
                    if last {
                        from = i + 1;
                    } else if to == w.len() {
                        to = i;
                    }
                }
                i += 1;
            }
            let first = w[from] - b'a';
            let end = w[to - 1] - b'a';
            table[to - from][first as usize] |= 1 << end;
            k += 1;
        }
        table
    }
    static LEADING_SHAPES: [[u32; 26]; 16] = edge_words(LEADING_NOT_SUBJECT, false);
    static TRAILING_SHAPES: [[u32; 26]; 16] = edge_words(TRAILING_NOT_SUBJECT, true);
    // Whether a word (ASCII letters, any case) has the shape of a listed
    // one; other words (not letters, or longer) may be any.
    let has_shape = |shapes: &[[u32; 26]; 16], w: &[u8]| match (w.first(), w.last()) {
        (Some(&f), Some(&l))
            if w.len() < 16 && f.is_ascii_alphabetic() && l.is_ascii_alphabetic() =>
        {
            shapes[w.len()][usize::from(f.to_ascii_lowercase() - b'a')]
                & (1 << (l.to_ascii_lowercase() - b'a'))
                != 0
        }
        _ => true,
    };
    let may_be = |mask: u32, b: Option<&u8>| {
        b.map(u8::to_ascii_lowercase)
            .is_some_and(|b| b.is_ascii_lowercase() && mask & (1 << (b - b'a')) != 0)
    };
    while let Some(seg) = text.get(s..e) {
        // The words are lowercase ASCII: compared with the segment's bytes
        // ignoring ASCII case, as with the segment's ASCII-lowered copy.
        let b = seg.as_bytes();
        // A listed word (or the first of two) is the segment's first word
        // (up to a space or a comma) or its last (after the last space):
        // without a listed word of that word's shape, none is compared.
        let first_word = &b[..memchr::memchr2(b' ', b',', b).unwrap_or(b.len())];
        let lead = (may_be(LEADING_FIRST, b.first()) && has_shape(&LEADING_SHAPES, first_word))
            .then(|| {
                LEADING_NOT_SUBJECT.iter().find(|w| {
                    b.len() > w.len()
                        && b[..w.len()].eq_ignore_ascii_case(w.as_bytes())
                        && matches!(b[w.len()], b' ' | b',')
                })
            })
            .flatten();
        if let Some(w) = lead {
            s = trim_span(text, s + w.len(), e, EDGE_PUNCT).0;
            continue;
        }
        let last_word = &b[memchr::memrchr(b' ', b).map_or(0, |k| k + 1)..];
        let trail = (may_be(TRAILING_LAST, b.last()) && has_shape(&TRAILING_SHAPES, last_word))
            .then(|| {
                TRAILING_NOT_SUBJECT.iter().find(|w| {
                    b.len() > w.len()
                        && b[b.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes())
                        && b[b.len() - w.len() - 1] == b' '
                })
            })
            .flatten();
        if let Some(w) = trail {
            e = trim_span(text, s, e - w.len(), EDGE_PUNCT).1;
            continue;
        }
        break;
    }
    if s >= e { (s, s) } else { (s, e) }
}

/// [`trim_time_and_adverbs`] as it was, every listed word compared where
/// the first and last letters allow (the tests' reference).
#[cfg(test)]
fn trim_time_and_adverbs_by_lists(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    let may_be = |mask: u32, b: Option<&u8>| {
        b.map(u8::to_ascii_lowercase)
            .is_some_and(|b| b.is_ascii_lowercase() && mask & (1 << (b - b'a')) != 0)
    };
    while let Some(seg) = text.get(s..e) {
        // The words are lowercase ASCII: compared with the segment's bytes
        // ignoring ASCII case, as with the segment's ASCII-lowered copy.
        let b = seg.as_bytes();
        let lead = may_be(LEADING_FIRST, b.first())
            .then(|| {
                LEADING_NOT_SUBJECT.iter().find(|w| {
                    b.len() > w.len()
                        && b[..w.len()].eq_ignore_ascii_case(w.as_bytes())
                        && matches!(b[w.len()], b' ' | b',')
                })
            })
            .flatten();
        if let Some(w) = lead {
            s = trim_span(text, s + w.len(), e, EDGE_PUNCT).0;
            continue;
        }
        let trail = may_be(TRAILING_LAST, b.last())
            .then(|| {
                TRAILING_NOT_SUBJECT.iter().find(|w| {
                    b.len() > w.len()
                        && b[b.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes())
                        && b[b.len() - w.len() - 1] == b' '
                })
            })
            .flatten();
        if let Some(w) = trail {
            e = trim_span(text, s, e - w.len(), EDGE_PUNCT).1;
            continue;
        }
        break;
    }
    if s >= e { (s, s) } else { (s, e) }
}

/// Skips the object of `told`: `told Reuters`, `told reporters`, `told him`.
fn skip_object(text: &str, from: usize, to: usize) -> usize {
    let Some(seg) = text.get(from..to) else {
        return from;
    };
    let mut end = from;
    for (n, (off, word)) in split_words_with_offsets(seg).enumerate() {
        let clean = word.trim_end_matches(|c: char| !c.is_alphanumeric());
        let lower = clean.to_lowercase();
        let object = crate::scan::starts_upper(clean)
            || matches!(
                lower.as_str(),
                "reporters"
                    | "journalists"
                    | "him"
                    | "her"
                    | "them"
                    | "us"
                    | "me"
                    | "lawmakers"
                    | "parliament"
                    | "legislators"
                    | "investors"
                    | "analysts"
            );
        if !object || n >= 4 {
            break;
        }
        end = from + off + clean.len();
        if clean.len() != word.len() {
            break;
        }
    }
    end
}

const ROLE_NOUNS: &[&str] = &[
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "minister",
    "ambassador",
    "president",
    "premier",
    "chairman",
    "chairwoman",
    "chief",
    "head",
    "director",
    "secretary",
    "governor",
    "commander",
    "general",
    "envoy",
    "adviser",
    "advisor",
    "ceo",
    "leader",
    "mayor",
    "senator",
    "lawmaker",
    "prosecutor",
    "judge",
    "representative",
    "deputy",
    "chancellor",
    "economist",
    "manager",
];

const ANONYMOUS_NOUNS: &[&str] = &[
    "official",
    "officials",
    "source",
    "sources",
    "person",
    "people",
    "diplomat",
    "diplomats",
    "officer",
    "officers",
    "insider",
    "insiders",
    "aide",
    "aides",
    "member",
    "members",
    "banker",
    "bankers",
    "trader",
    "traders",
    "dealer",
    "dealers",
    "resident",
    "residents",
    "witness",
    "witnesses",
    "analyst",
    "analysts",
    "expert",
    "experts",
    "investigator",
    "investigators",
    "executive",
    "executives",
    "employee",
    "employees",
    "worker",
    "workers",
    "others",
];

const ORGANIZATION_NOUNS: &[&str] = &[
    "ministry",
    "ministries",
    "government",
    "police",
    "army",
    "military",
    "embassy",
    "agency",
    "company",
    "office",
    "department",
    "court",
    "bank",
    "council",
    "party",
    "statement",
    "committee",
    "commission",
    "authority",
    "authorities",
    "administration",
    "spokesman's",
    "newspaper",
    "report",
    "firm",
    "group",
    "side",
];

/// `fold_for_matching(mention).to_lowercase()`, in one pass and one string
/// for ASCII (there the folding turns a backtick into an apostrophe and
/// vertical tab, form feed and carriage return into spaces).
fn folded_lowercase(mention: &str) -> String {
    if !mention.is_ascii() {
        return copydesk_core::text::fold_for_matching(mention).to_lowercase();
    }
    // Byte for byte into one buffer of the mention's length (ASCII in,
    // ASCII out), rather than a string grown a char at a time.
    let folded: Vec<u8> = mention
        .bytes()
        .map(|b| match b {
            b'`' => b'\'',
            0x0B | 0x0C | b'\r' => b' ',
            b => b.to_ascii_lowercase(),
        })
        .collect();
    String::from_utf8(folded).unwrap_or_default()
}

/// Classifies a speaker mention (see [`SpeakerType`]).
pub fn classify_speaker(text: &str, span: (usize, usize), entities: &[Entity]) -> SpeakerType {
    classify_speaker_among(text, span, entities)
}

/// Which of the speaker noun lists each listed word is on: bit 0
/// [`ROLE_NOUNS`], bit 1 [`ANONYMOUS_NOUNS`], bit 2 [`ORGANIZATION_NOUNS`]
/// (one lookup a word instead of a scan of each list).
fn speaker_noun_lists() -> &'static FastMap<&'static str, u8> {
    static LISTS: OnceLock<FastMap<&'static str, u8>> = OnceLock::new();
    LISTS.get_or_init(|| {
        let mut map = FastMap::default();
        for (bit, list) in [ROLE_NOUNS, ANONYMOUS_NOUNS, ORGANIZATION_NOUNS]
            .into_iter()
            .enumerate()
        {
            for &w in list {
                *map.entry(w).or_insert(0) |= 1 << bit;
            }
        }
        map
    })
}

/// The bit of [`ROLE_NOUNS`] in [`speaker_noun_lists`].
const ROLE: u8 = 1;
/// The bit of [`ANONYMOUS_NOUNS`] in [`speaker_noun_lists`].
const ANONYMOUS: u8 = 2;
/// The bit of [`ORGANIZATION_NOUNS`] in [`speaker_noun_lists`].
const ORGANIZATION: u8 = 4;

/// The entities of `entities` that may lie inside `span`: when they are
/// in order of their start (as a layer holds them: `sorted`), only those
/// starting within the span (a range found by bisection), otherwise all.
fn entities_near(entities: &[Entity], sorted: bool, span: (usize, usize)) -> &[Entity] {
    if !sorted {
        return entities;
    }
    let lo = entities.partition_point(|e| e.start < span.0);
    let hi = entities.partition_point(|e| e.start <= span.1).max(lo);
    &entities[lo..hi]
}

/// [`classify_speaker`] given `candidates`, entities among which are all
/// those inside the span, in their order (others are skipped): without
/// collecting the mention's words or entities, and looking each word up
/// once for the three noun lists.
fn classify_speaker_among(text: &str, span: (usize, usize), candidates: &[Entity]) -> SpeakerType {
    let Some(mention) = text.get(span.0..span.1) else {
        return SpeakerType::Unknown;
    };
    let folded = folded_lowercase(mention);
    if SPEAKER_PRONOUNS.contains(&folded.as_str()) {
        return SpeakerType::Pronoun;
    }
    // The person must head the mention ("analyst Stephen Hess", "Li Qiang"),
    // not modify it ("a longtime Reagan supporter").
    let mention_end = span.0 + mention.trim_end().len();
    let mut org_or_place = false;
    for e in candidates
        .iter()
        .filter(|e| e.start >= span.0 && e.end <= span.1)
    {
        match e.label {
            EntityLabel::Person if e.end == mention_end || e.start == span.0 => {
                return SpeakerType::NamedPerson;
            }
            EntityLabel::Org | EntityLabel::Gpe => org_or_place = true,
            _ => {}
        }
    }
    let lists = speaker_noun_lists();
    let mut on_lists = 0u8;
    let mut first_word: Option<&str> = None;
    each_speaker_word(&folded, |w| {
        first_word.get_or_insert(w);
        on_lists |= lists.get(w).copied().unwrap_or(0);
    });
    // A named body: an organisation or place, or any other capitalized word
    // after the first ("A Bundesbank spokesman").
    let named_body = || {
        org_or_place
            || mention
                .split_whitespace()
                .skip(1)
                .any(|w| crate::scan::starts_upper(w) && !SPEAKER_PRONOUN_LIST.has_lowercase(w))
    };
    let indefinite = first_word.is_some_and(|w| {
        matches!(
            w,
            "a" | "an" | "one" | "some" | "several" | "two" | "three" | "four" | "five" | "many"
        )
    });
    if on_lists & ROLE != 0 {
        return if !indefinite || named_body() {
            SpeakerType::NamedRole
        } else {
            SpeakerType::Anonymous
        };
    }
    if on_lists & ANONYMOUS != 0 || folded.contains("familiar with") {
        return SpeakerType::Anonymous;
    }
    if on_lists & ORGANIZATION != 0 || named_body() {
        return SpeakerType::Organization;
    }
    let capitalized = mention
        .split_whitespace()
        .filter(|w| crate::scan::starts_upper(w))
        .count();
    if capitalized >= 2 && capitalized == word_count_up_to(mention, capitalized + 1) {
        return SpeakerType::NamedPerson;
    }
    SpeakerType::Unknown
}

/// Calls `f` with each word of a folded mention, in order: the pieces
/// between whitespace and hyphens, trimmed of characters that are neither
/// alphanumeric nor `'`, possessive left out, empty ones skipped. An ASCII
/// mention (most) is split and trimmed byte by byte, without decoding
/// characters ([`speaker_words_by_chars`] is the tests' reference).
fn each_speaker_word<'a>(folded: &'a str, mut f: impl FnMut(&'a str)) {
    if !folded.is_ascii() {
        for w in folded
            .split(|c: char| c.is_whitespace() || c == '-')
            .map(|w| strip_possessive(w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')))
            .filter(|w| !w.is_empty())
        {
            f(w);
        }
        return;
    }
    // ASCII whitespace is space and `\t` to `\r`; a word keeps ASCII
    // letters, digits and `'`.
    let bytes = folded.as_bytes();
    let splits = |b: u8| b == b' ' || b == b'-' || b.wrapping_sub(b'\t') < 5;
    let kept = |b: &u8| b.is_ascii_alphanumeric() || *b == b'\'';
    let mut from = 0;
    while from <= bytes.len() {
        let to = bytes[from..]
            .iter()
            .position(|&b| splits(b))
            .map_or(bytes.len(), |k| from + k);
        let piece = &bytes[from..to];
        if let Some(a) = piece.iter().position(kept) {
            let b = piece.iter().rposition(kept).map_or(a, |b| b + 1);
            let w = strip_possessive(&folded[from + a..from + b]);
            if !w.is_empty() {
                f(w);
            }
        }
        from = to + 1;
    }
}

/// The words [`each_speaker_word`] gives, found char by char as
/// [`classify_speaker_among`] found them before (the tests' reference).
#[cfg(test)]
fn speaker_words_by_chars(folded: &str) -> Vec<&str> {
    folded
        .split(|c: char| c.is_whitespace() || c == '-')
        .map(|w| strip_possessive(w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Options of `tag.quotes.v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuotesConfig {
    /// Whether reported (indirect) speech is tagged, with `direct: false`.
    pub indirect: bool,
    /// Whether `he`/`she` speakers are resolved to the nearest earlier named person.
    pub resolve_pronouns: bool,
}

impl Default for QuotesConfig {
    fn default() -> Self {
        QuotesConfig {
            indirect: true,
            resolve_pronouns: true,
        }
    }
}

impl StageConfig for QuotesConfig {
    const NAME: &'static str = "tag.quotes.v1";
    const KIND: StageKind = StageKind::Document;
    const DESCRIPTION: &'static str =
        "Finds direct and reported speech with speaker, cue and speaker type (layer `quotes`).";
    const NEEDS: &'static [copydesk_core::Capability] = &[cap::LAYER_SENTENCES];
    const PROVIDES: &'static [copydesk_core::Capability] = &[cap::LAYER_QUOTES];
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "indirect",
            kind: "boolean",
            doc: "Whether reported speech is tagged too, with `direct: false` (default true).",
        },
        OptionDoc {
            name: "resolve_pronouns",
            kind: "boolean",
            doc: "Whether he/she speakers are resolved to the nearest earlier named person (default true).",
        },
    ];

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Document(Box::new(QuoteFinder {
            indirect: self.indirect,
            resolve_pronouns: self.resolve_pronouns,
        })))
    }
}

impl DocumentStage for QuoteFinder {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        let sentences = sentence_spans(doc);
        // Speakers are classified from entity spans and labels alone.
        let entities = document_entity_spans(doc);
        let quotes = self.find(&doc.text, &sentences, &entities);
        add_layer(
            doc,
            LAYER,
            quotes.into_iter().map(Quote::into_annotation).collect(),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`cue_spans`] as it was: every cue searched in the text with
    /// Aho-Corasick (ASCII case ignored, leftmost-longest), the matches
    /// kept where no letter or digit touches them.
    fn cue_spans_by_automaton(text: &str) -> Vec<(usize, usize, bool)> {
        use aho_corasick::{AhoCorasick, MatchKind};
        let patterns: Vec<&str> = SPEECH_CUES
            .iter()
            .chain(WEAK_SPEECH_CUES)
            .copied()
            .collect();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .expect("the speech cue list builds an automaton");
        ac.find_iter(text)
            .filter(|m| {
                char_before(text, m.start()).is_none_or(|c| !c.is_alphanumeric())
                    && char_at(text, m.end()).is_none_or(|c| !c.is_alphanumeric())
            })
            .map(|m| {
                (
                    m.start(),
                    m.end(),
                    m.pattern().as_usize() < SPEECH_CUES.len(),
                )
            })
            .collect()
    }

    #[test]
    fn cues_are_lowercase_letters_but_according_to() {
        for cue in SPEECH_CUES.iter().chain(WEAK_SPEECH_CUES) {
            let letters = cue.bytes().all(|b| b.is_ascii_lowercase());
            assert!(letters || *cue == "according to", "{cue}");
            assert!(cue.len() < 16, "{cue}");
        }
    }

    #[test]
    fn cues_by_letter_runs_on_examples() {
        for t in [
            "He said, according to them, that she TOLD us; ACCORDING TO him.",
            "according told; according to_ld; xaccording told; according  told",
            "unsaid said1 1said _said_ saidé ésaid said’ «said» according toé",
            "Says, say, sayso, told, toldx, according to, according",
        ] {
            assert_eq!(cue_spans(t), cue_spans_by_automaton(t), "{t:?}");
        }
        let t = "according told";
        assert!(cue_spans(t).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn cues_by_letter_runs_are_the_automaton_matches(
            t in "(said|Says|say|TOLD|told|tells|according|According to|according to|to|ld|x|1|_|é|’|[A-Za-z]{1,3}| |  |[.,\n\"“”]){0,40}"
        ) {
            proptest::prop_assert_eq!(cue_spans(&t), cue_spans_by_automaton(&t));
        }

        #[test]
        fn cues_by_letter_runs_in_any_text(t in "\\PC{0,200}") {
            proptest::prop_assert_eq!(cue_spans(&t), cue_spans_by_automaton(&t));
        }

        #[test]
        fn cues_by_letter_runs_among_every_cue(
            picks in proptest::collection::vec((0usize..60, 0usize..8), 0..30)
        ) {
            let cues: Vec<&str> = SPEECH_CUES.iter().chain(WEAK_SPEECH_CUES).copied().collect();
            let glue = [" ", "", "x", "1", "é", ", ", "_", "  "];
            let mut t = String::new();
            for (c, g) in picks {
                let cue = cues[c % cues.len()];
                if c % 3 == 0 { t.push_str(&cue.to_uppercase()) } else { t.push_str(cue) }
                t.push_str(glue[g]);
            }
            proptest::prop_assert_eq!(cue_spans(&t), cue_spans_by_automaton(&t));
        }
    }

    proptest::proptest! {
        #[test]
        fn word_count_counts_as_split_whitespace_does(
            s in "([a-z]{1,3}|[ \t\n\u{b}\u{c}\r\u{1c}\u{85}\u{a0}\u{2003}é,.]{1,3}){0,12}"
        ) {
            proptest::prop_assert_eq!(word_count(&s), s.split_whitespace().count());
        }

        // Longer texts, over several eight-byte blocks.
        #[test]
        fn word_count_in_blocks_counts_as_split_whitespace_does(
            s in "([a-zA-Z0-9]{1,11}|[ \t\n\u{b}\u{c}\r\u{1c}\u{1f}\u{7f}!-/]{1,9}){0,30}"
        ) {
            proptest::prop_assert_eq!(word_count(&s), s.split_whitespace().count());
        }

        #[test]
        fn word_count_of_any_ascii(s in "[\\x00-\\x7F]{0,80}") {
            proptest::prop_assert_eq!(word_count(&s), s.split_whitespace().count());
        }
    }

    #[test]
    fn word_count_reads_every_ascii_byte_in_every_lane() {
        for v in 0..0x80u8 {
            for pos in 0..10 {
                let mut b = vec![b'a'; 12];
                b[pos] = v;
                let s = String::from_utf8(b).expect("ASCII");
                assert_eq!(word_count(&s), s.split_whitespace().count(), "{v} at {pos}");
                let spaced = s.replace('a', " ");
                assert_eq!(
                    word_count(&spaced),
                    spaced.split_whitespace().count(),
                    "{v} at {pos}"
                );
            }
        }
    }
    use crate::entities::EntityFinder;
    use crate::sentences::SentenceSplitter;
    use proptest::prelude::*;

    fn quotes(t: &str) -> Vec<Quote> {
        let sentences = SentenceSplitter::default().split(t);
        let entities = EntityFinder::default().find(t, &sentences);
        QuoteFinder::default().find(t, &sentences, &entities)
    }

    fn direct(t: &str) -> Vec<Quote> {
        quotes(t).into_iter().filter(|q| q.direct).collect()
    }

    fn check(q: &Quote, speaker: &str, cue: &str, kind: SpeakerType) {
        assert_eq!(q.speaker.as_deref(), Some(speaker), "{q:?}");
        assert_eq!(q.cue.as_deref(), Some(cue), "{q:?}");
        assert_eq!(q.speaker_type, kind, "{q:?}");
    }

    #[test]
    fn cue_first_speaker_after_quote() {
        let t = "“They (Chinese) want to bring in their own security,” said one official, who sat in on a recent meeting, adding that Pakistan had not agreed.";
        let d = direct(t);
        assert_eq!(d.len(), 1);
        assert_eq!(
            &t[d[0].start..d[0].end],
            "“They (Chinese) want to bring in their own security,”"
        );
        check(&d[0], "one official", "said", SpeakerType::Anonymous);
        let (s, e) = d[0].speaker_span.unwrap();
        assert_eq!(&t[s..e], "one official");
        assert!(quotes(t).iter().all(|q| q.direct), "{:?}", quotes(t));
    }

    #[test]
    fn speaker_with_apposition_before_cue() {
        let t = "\"They (Chinese) want to bring in their own security,\" one official, who sat in on a recent meeting, said on condition of anonymity.";
        let d = direct(t);
        assert_eq!(d.len(), 1);
        check(&d[0], "one official", "said", SpeakerType::Anonymous);
    }

    #[test]
    fn admitted_with_long_anonymous_speaker() {
        let t = "“It was a grave security breach,” admitted one of the officials investigating the bombing, which came just a week before the visit.";
        check(
            &direct(t)[0],
            "one of the officials investigating the bombing",
            "admitted",
            SpeakerType::Anonymous,
        );
        let spun = "“It was a grave security breach,” admitted one of many officers investigating the bombing, which got here only a week earlier.";
        check(
            &direct(spun)[0],
            "one of many officers investigating the bombing",
            "admitted",
            SpeakerType::Anonymous,
        );
        let spun = "“They (Chinese) want to bring in their own security,” mentioned one official, who sat in on a current assembly.";
        check(
            &direct(spun)[0],
            "one official",
            "mentioned",
            SpeakerType::Anonymous,
        );
    }

    #[test]
    fn role_speaker_with_indirect_then_direct_speech() {
        for t in [
            "A spokesman for China's foreign ministry told Reuters it was not familiar with talks on a joint security scheme, but added, \"China will continue to strengthen cooperation with Pakistan.\"",
            "A spokesman for China’s foreign ministry told Reuters it was not familiar with talks on a joint security scheme, but added, “China will continue to strengthen cooperation with Pakistan.”",
        ] {
            let all = quotes(t);
            assert_eq!(all.len(), 2, "{all:?}");
            let indirect = all.iter().find(|q| !q.direct).unwrap();
            assert_eq!(
                &t[indirect.start..indirect.end],
                "it was not familiar with talks on a joint security scheme"
            );
            check(
                indirect,
                &t[..40 + t[40..].find(" told").unwrap()],
                "told",
                SpeakerType::NamedRole,
            );
            let d = all.iter().find(|q| q.direct).unwrap();
            assert!(t[d.start..d.end].contains("China will continue"));
            assert_eq!(
                d.speaker
                    .as_deref()
                    .map(|s| s.starts_with("A spokesman for China")),
                Some(true)
            );
            assert_eq!(d.cue.as_deref(), Some("added"));
            assert_eq!(d.speaker_type, SpeakerType::NamedRole);
        }
    }

    #[test]
    fn reported_speech_with_trailing_attribution() {
        let t = "Beijing is pushing Pakistan to allow its own security staff to protect Chinese citizens, sources said. \
                 The dispatching would be done after discussions, but Pakistani agencies were averse to the proposal, one official said. \
                 In a statement last week, the interior ministry said both sides agreed to develop a joint strategy. \
                 According to two diplomats, the talks stalled in May.";
        let all = quotes(t);
        assert_eq!(all.len(), 4, "{all:?}");
        check(&all[0], "sources", "said", SpeakerType::Anonymous);
        assert!(t[all[0].start..all[0].end].starts_with("Beijing is pushing"));
        assert!(t[all[0].start..all[0].end].ends_with("Chinese citizens"));
        check(&all[1], "one official", "said", SpeakerType::Anonymous);
        assert!(t[all[1].start..all[1].end].starts_with("The dispatching"));
        check(
            &all[2],
            "the interior ministry",
            "said",
            SpeakerType::Organization,
        );
        assert_eq!(
            &t[all[2].start..all[2].end],
            "both sides agreed to develop a joint strategy"
        );
        check(
            &all[3],
            "two diplomats",
            "according to",
            SpeakerType::Anonymous,
        );
        assert!(all.iter().all(|q| !q.direct));
    }

    #[test]
    fn partial_quote_inside_reported_speech() {
        let t = "The official said investigators believe the attackers had “inside help” in securing details.";
        let all = quotes(t);
        let d = all.iter().find(|q| q.direct).unwrap();
        assert_eq!(&t[d.start..d.end], "“inside help”");
        check(d, "The official", "said", SpeakerType::Anonymous);
        let r = all.iter().find(|q| !q.direct).unwrap();
        check(r, "The official", "said", SpeakerType::Anonymous);
    }

    #[test]
    fn quotes_across_paragraphs_and_pronouns() {
        let t = "Prime Minister Shehbaz Sharif spoke on Monday. “We will protect our friends,” he said.\n\n\
                 “The first paragraph opens a quote.\n\n“And the second closes it,” Sharif told reporters. “A third follows.”";
        let d = direct(t);
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(
            d[0].speaker.as_deref(),
            Some("Shehbaz Sharif"),
            "{:?}",
            d[0]
        );
        assert_eq!(d[0].pronoun.as_deref(), Some("he"));
        assert_eq!(d[0].speaker_type, SpeakerType::NamedPerson);
        assert!(t[d[1].start..d[1].end].starts_with("“The first"));
        assert!(t[d[1].start..d[1].end].ends_with("closes it,”"));
        check(&d[1], "Sharif", "told", SpeakerType::NamedPerson);
        assert!(d[2].inherited);
        assert_eq!(d[2].speaker.as_deref(), Some("Sharif"));
    }

    #[test]
    fn single_quotes_british_style() {
        let t = "‘We will not be bullied,’ the minister said. The officials’ meeting ended.\n\n‘GRAVE SECURITY BREACH’\n\nChina’s envoy left.";
        let d = direct(t);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(&t[d[0].start..d[0].end], "‘We will not be bullied,’");
        check(&d[0], "the minister", "said", SpeakerType::NamedRole);
    }

    #[test]
    fn speaker_said_colon_quote_and_unclosed_quote() {
        let t = "Smith said: “The deal is done.”\n\n“This never closes\n\nA new paragraph.";
        let d = direct(t);
        assert_eq!(d.len(), 2);
        check(&d[0], "Smith", "said", SpeakerType::Unknown);
        assert!(d[1].unclosed);
        assert_eq!(&t[d[1].start..d[1].end], "“This never closes");
    }

    #[test]
    fn news_wire_speakers() {
        let t = "\"The circumstances will decide,\" said Arthur Miller, an analyst. \
                 Cohn said the bank should wait for the market. \
                 Mexico's package will be signed on March 20, last night Citibank said. \
                 Douglas also said the year's sales should exceed 1.4 billion dlrs. \
                 The senator told a press conference: \"The president did not understand it.\"";
        let all = quotes(t);
        let d = &all[0];
        check(d, "Arthur Miller", "said", SpeakerType::NamedPerson);
        let cohn = all
            .iter()
            .find(|q| q.speaker.as_deref() == Some("Cohn"))
            .unwrap();
        assert_eq!(cohn.speaker_type, SpeakerType::Unknown, "no Cohn known yet");
        let citi = all
            .iter()
            .find(|q| t[q.start..q.end].starts_with("Mexico"))
            .unwrap();
        assert_eq!(citi.speaker.as_deref(), Some("Citibank"));
        let douglas = all
            .iter()
            .find(|q| t[q.start..q.end].starts_with("the year"))
            .unwrap();
        assert_eq!(douglas.speaker.as_deref(), Some("Douglas"));
        assert!(
            !all.iter()
                .any(|q| t[q.start..q.end] == *"a press conference"),
            "{all:?}"
        );
        let later =
            quotes("\"Wait,\" said Lawrence Cohn. Cohn said the bank should wait for the market.");
        assert_eq!(later[1].speaker_type, SpeakerType::NamedPerson, "{later:?}");
    }

    #[test]
    fn subjects_with_appositions_and_auxiliaries() {
        let t = "The sources, speaking on condition of anonymity, said the bank would cut rates soon. \
                 Poehl and other Bundesbank officials have in the past stressed that growth was not their job. \
                 But, according to a second source, who declined to be named, the comments were seen as a hint. \
                 Sosnoff, who made many efforts, said Caesars twice refused his request for a board seat. \
                 A Bundesbank spokesman said the bank had no comment on the remarks.";
        let all = quotes(t);
        let speakers: Vec<(&str, &str)> = all
            .iter()
            .map(|q| (q.speaker.as_deref().unwrap_or(""), q.speaker_type.as_str()))
            .collect();
        assert_eq!(
            speakers,
            [
                ("The sources", "anonymous"),
                ("Poehl and other Bundesbank officials", "anonymous"),
                ("a second source", "anonymous"),
                ("Sosnoff", "unknown"),
                ("A Bundesbank spokesman", "named_role"),
            ],
            "{all:?}"
        );
        assert_eq!(all[2].cue.as_deref(), Some("according to"));
    }

    #[test]
    fn speaker_types() {
        let t = "A spokesman for China’s foreign ministry; one official; sources; a source familiar with the talks; \
                 Pakistan’s interior ministry; he; President Xi Jinping; the Pakistani officers; Beijing";
        let sentences = SentenceSplitter::default().split(t);
        let entities = EntityFinder::default().find(t, &sentences);
        let kinds: Vec<&str> = t
            .split("; ")
            .map(|part| {
                let s = part.as_ptr() as usize - t.as_ptr() as usize;
                classify_speaker(t, (s, s + part.len()), &entities).as_str()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "named_role",
                "anonymous",
                "anonymous",
                "anonymous",
                "organization",
                "pronoun",
                "named_person",
                "anonymous",
                "organization"
            ]
        );
    }

    /// [`classify_speaker`] as it was (the reference of the property test).
    fn classify_speaker_collecting(
        text: &str,
        span: (usize, usize),
        entities: &[Entity],
    ) -> SpeakerType {
        let Some(mention) = text.get(span.0..span.1) else {
            return SpeakerType::Unknown;
        };
        let folded = folded_lowercase(mention);
        if SPEAKER_PRONOUNS.contains(&folded.as_str()) {
            return SpeakerType::Pronoun;
        }
        let words: Vec<&str> = folded
            .split(|c: char| c.is_whitespace() || c == '-')
            .map(|w| strip_possessive(w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')))
            .filter(|w| !w.is_empty())
            .collect();
        let inside: Vec<&Entity> = entities
            .iter()
            .filter(|e| e.start >= span.0 && e.end <= span.1)
            .collect();
        // The person must head the mention ("analyst Stephen Hess", "Li Qiang"),
        // not modify it ("a longtime Reagan supporter").
        let mention_end = span.0 + mention.trim_end().len();
        if inside
            .iter()
            .any(|e| e.label == EntityLabel::Person && (e.end == mention_end || e.start == span.0))
        {
            return SpeakerType::NamedPerson;
        }
        let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
        // A named body: an organisation or place, or any other capitalized word
        // after the first ("A Bundesbank spokesman").
        let named_body = inside
            .iter()
            .any(|e| matches!(e.label, EntityLabel::Org | EntityLabel::Gpe))
            || mention
                .split_whitespace()
                .skip(1)
                .any(|w| crate::scan::starts_upper(w) && !lowercase_is_one_of(w, SPEAKER_PRONOUNS));
        let indefinite = words.first().is_some_and(|w| {
            matches!(
                *w,
                "a" | "an"
                    | "one"
                    | "some"
                    | "several"
                    | "two"
                    | "three"
                    | "four"
                    | "five"
                    | "many"
            )
        });
        if has(ROLE_NOUNS) {
            return if named_body || !indefinite {
                SpeakerType::NamedRole
            } else {
                SpeakerType::Anonymous
            };
        }
        if has(ANONYMOUS_NOUNS) || folded.contains("familiar with") {
            return SpeakerType::Anonymous;
        }
        if has(ORGANIZATION_NOUNS) || named_body {
            return SpeakerType::Organization;
        }
        let capitalized = mention
            .split_whitespace()
            .filter(|w| crate::scan::starts_upper(w))
            .count();
        if capitalized >= 2 && capitalized == word_count(mention) {
            return SpeakerType::NamedPerson;
        }
        SpeakerType::Unknown
    }

    proptest! {
        // The commas found with memchr are the ones `find` / `rfind` find.
        #[test]
        fn commas_are_found_as_find_finds_them(s in "([a-z]{1,4}|,|, |é|“|\\u{2019}| ){0,30}|\\PC{0,80}") {
            prop_assert_eq!(first_comma(&s), s.find(','));
            prop_assert_eq!(last_comma(&s), s.rfind(','));
        }
    }

    proptest! {
        // Stopping at the cap gives the count, capped, whatever the cap.
        #[test]
        fn word_count_up_to_is_the_capped_count(
            s in "([a-z]{1,3}|[\\t\\n\\x0B\\x0C\\r ]{1,2}|é|\\u{A0}|\\u{2028}){0,40}",
            cap in 0usize..20,
        ) {
            let count = s.split_whitespace().count();
            prop_assert_eq!(word_count_up_to(&s, cap), count.min(cap));
            prop_assert_eq!(word_count_up_to(&s, usize::MAX), count);
        }

        #[test]
        fn word_count_up_to_of_any_ascii(s in "[\\x00-\\x7F]{0,80}", cap in 0usize..30) {
            prop_assert_eq!(word_count_up_to(&s, cap), s.split_whitespace().count().min(cap));
        }
    }

    /// The first auxiliary after the first word, found by splitting into
    /// words (the reference for [`first_auxiliary_after_first_word`]).
    fn first_auxiliary_by_words(s: &str) -> Option<usize> {
        split_words_with_offsets(s)
            .skip(1)
            .find(|(_, w)| is_auxiliary(w))
            .map(|(off, _)| off)
    }

    proptest! {
        // The reading of bytes gives what the splitting of chars gives.
        #[test]
        fn quote_marks_and_auxiliaries_as_the_char_readers_find_them(
            s in "(has|HAVE|Would|do|is|did|does|must|the|officials|[a-z]{1,7}|[“”„‟«»‘’\"']|é|\u{2028}|\u{A0}|[\t\n\x0B\x0C\r ]|,|\\.){0,14}",
        ) {
            prop_assert_eq!(has_quote_mark(&s), s.chars().any(is_double_quote));
            prop_assert_eq!(first_auxiliary_after_first_word(&s), first_auxiliary_by_words(&s));
        }

        #[test]
        fn quote_marks_and_auxiliaries_in_any_text(s in "\\PC{0,60}") {
            prop_assert_eq!(has_quote_mark(&s), s.chars().any(is_double_quote));
            prop_assert_eq!(first_auxiliary_after_first_word(&s), first_auxiliary_by_words(&s));
        }

        #[test]
        fn auxiliaries_among_any_ascii(s in "([\\x00-\\x7F]|has |is ){0,40}") {
            prop_assert_eq!(first_auxiliary_after_first_word(&s), first_auxiliary_by_words(&s));
        }
    }

    proptest! {
        // A text without a possible quotation mark has no direct quote
        // whatever its paragraphs: the finder skips reading them there.
        #[test]
        fn no_mark_no_direct_quote(
            s in "([A-Za-z]{1,6}|[ ,.:;'`\n]|\n\n|\n \n|é|ñ|中){0,40}",
            lines: bool,
        ) {
            prop_assert!(quote_mark_candidates(&s).is_empty());
            prop_assert!(direct_spans(&s, &paragraphs(&s, lines)).is_empty());
            prop_assert!(direct_spans_among(&s, &[], &[]).is_empty());
            let quoted = format!("{s} \"{s}\" “{s}”");
            let paras = paragraphs(&quoted, false);
            let marks = quote_mark_candidates(&quoted);
            prop_assert_eq!(
                Ctx::among(&quoted, &paras, &marks).direct,
                direct_spans(&quoted, &paras)
            );
        }
    }

    fn any_label(k: usize) -> EntityLabel {
        [
            EntityLabel::Person,
            EntityLabel::Org,
            EntityLabel::Gpe,
            EntityLabel::Norp,
            EntityLabel::Misc,
        ][k % 5]
    }

    proptest! {
        // One lookup a word and the entities near the span give the
        // answers of the word vector, the three list scans and the
        // entities read all (any spans, in order or not, out of range).
        #[test]
        fn classify_speaker_agrees_with_the_collecting_one(
            t in "(A|a|an|one|Two|some|the|The|Bundesbank|Reagan|Stephen Hess|he|He|they|spokesman|Spokesman|spokesman's|official|officials|sources|source familiar with|familiar|with|ministry|government|police|side|people|analyst|China’s|Pakistan's|[A-Z][a-z]{1,6}|[a-z]{1,6}|é|É|\u{212A}|-|,|'|`|\t|\r| ){0,10}",
            spans in proptest::collection::vec((0usize..90, 0usize..90), 1..4),
            raw in proptest::collection::vec((0usize..90, 0usize..30, 0usize..5), 0..8),
            sort: bool,
        ) {
            let mut entities: Vec<Entity> = raw
                .iter()
                .map(|&(start, len, k)| Entity { start, end: start + len, label: any_label(k), title: None })
                .collect();
            if sort {
                entities.sort_by_key(|e| (e.start, e.end));
            }
            let sorted = entities.is_sorted_by_key(|e| e.start);
            for &(a, b) in &spans {
                let (a, b) = (a.min(t.len()), b.min(t.len()));
                let reference = classify_speaker_collecting(&t, (a, b), &entities);
                prop_assert_eq!(classify_speaker(&t, (a, b), &entities), reference);
                let near = entities_near(&entities, sorted, (a, b));
                prop_assert_eq!(classify_speaker_among(&t, (a, b), near), reference);
            }
            // Spans of the whole text and of entities themselves.
            for e in entities.iter().take(3) {
                let span = (e.start.min(t.len()), e.end.min(t.len()));
                let near = entities_near(&entities, sorted, span);
                prop_assert_eq!(
                    classify_speaker_among(&t, span, near),
                    classify_speaker_collecting(&t, span, &entities)
                );
            }
        }
    }

    proptest! {
        #[test]
        fn quotes_are_on_boundaries_and_direct_ones_do_not_overlap(s in "\\PC{0,200}") {
            check_spans(&s)?;
        }

        #[test]
        fn quote_heavy_text(s in "([A-Z][a-z]{0,5}|said|told|according to|one official|he|[.,:]|[“”\"]|\n\n| ){0,60}") {
            check_spans(&s)?;
        }
    }

    proptest! {
        #[test]
        fn into_annotation_is_to_annotation(
            start in 0usize..50,
            len in 0usize..50,
            direct: bool,
            speaker in proptest::option::of("[a-z ]{0,8}"),
            speaker_span in proptest::option::of((0usize..40, 0usize..40)),
            cue in proptest::option::of("[a-z]{0,6}"),
            kind in 0usize..6,
            pronoun in proptest::option::of("he|she"),
            inherited: bool,
            unclosed: bool,
        ) {
            let speaker_type = [
                SpeakerType::NamedPerson,
                SpeakerType::NamedRole,
                SpeakerType::Organization,
                SpeakerType::Anonymous,
                SpeakerType::Pronoun,
                SpeakerType::Unknown,
            ][kind];
            let q = Quote {
                start,
                end: start + len,
                direct,
                speaker,
                speaker_span,
                cue,
                speaker_type,
                pronoun,
                inherited,
                unclosed,
            };
            let reference = q.to_annotation();
            let ours = q.into_annotation();
            prop_assert_eq!(
                serde_json::to_string(&ours).ok(),
                serde_json::to_string(&reference).ok()
            );
            prop_assert_eq!(ours, reference);
        }
    }

    /// [`first_clause_stop`] as it was: each stop searched for in turn,
    /// in what the stops before it left.
    fn first_clause_stop_by_each_stop(s: &str) -> Option<usize> {
        let mut end = s.len();
        let mut found = None;
        for stop in CLAUSE_STOPS {
            if let Some(k) = s.get(..end).and_then(|r| r.find(stop)) {
                end = k;
                found = Some(k);
            }
        }
        found
    }

    proptest! {
        #[test]
        fn clause_stops_found_at_punctuation_are_the_stops_found_in_turn(
            s in "([a-z]{1,4}|, but |; but |, however |, adding|but|however|adding|[,; ]|é){0,16}"
        ) {
            prop_assert_eq!(first_clause_stop(&s), first_clause_stop_by_each_stop(&s));
        }
    }

    proptest! {
        #[test]
        fn trim_span_is_the_trim_char_by_char(
            t in "([a-z]{1,4}|[A-Z0-9]{1,2}| |\t|\n|\x0b|\x0c|\r|\x1c|[-,;:.!?'\"]|\u{2014}|\u{2013}|\u{201D}|\u{2019}|é|\u{a0}|\u{85}){0,10}",
            any in "\\PC{0,16}",
            a in 0usize..40,
            b in 0usize..40,
        ) {
            const SENTENCE_END: &[char] = &['.', '!', '?', '"', '\u{201D}', '\u{2019}', '\''];
            for text in [&t, &any] {
                for punct in [EDGE_PUNCT, SENTENCE_END, &[]] {
                    prop_assert_eq!(
                        trim_span(text, a, b, punct),
                        trim_span_by_chars(text, a, b, punct)
                    );
                    prop_assert_eq!(
                        trim_span(text, 0, text.len(), punct),
                        trim_span_by_chars(text, 0, text.len(), punct)
                    );
                }
            }
        }

        #[test]
        fn speaker_words_are_the_words_split_char_by_char(
            m in "([a-z]{1,6}|[A-Z0-9]{1,3}|'s|'|’s|’| |-|--|\t|\n|\x0b|\x0c|\r|\x1c|[.,;:()\"`]|é|\u{a0}|\u{85}){0,12}",
            any in "\\PC{0,24}",
        ) {
            for text in [&m, &any] {
                let folded = folded_lowercase(text);
                let mut words = Vec::new();
                each_speaker_word(&folded, |w| words.push(w));
                prop_assert_eq!(&words, &speaker_words_by_chars(&folded));
                let mut raw = Vec::new();
                each_speaker_word(text, |w| raw.push(w));
                prop_assert_eq!(&raw, &speaker_words_by_chars(text));
            }
        }

        #[test]
        fn folded_lowercase_is_fold_then_lowercase(m in "([\\x00-\\x7F]{0,12}|é|\u{2019}|\u{201C}|\u{2014}|\u{a0}|\u{212A}|\u{130}){0,6}") {
            prop_assert_eq!(folded_lowercase(&m), copydesk_core::text::fold_for_matching(&m).to_lowercase());
        }
    }

    /// [`trim_time_and_adverbs`] as it was: the segment lowered into a
    /// new string at each step.
    fn trim_time_and_adverbs_lowering(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
        while let Some(seg) = text.get(s..e) {
            let lower = seg.to_ascii_lowercase();
            let lead = LEADING_NOT_SUBJECT
                .iter()
                .find(|w| lower.starts_with(*w) && lower[w.len()..].starts_with([' ', ',']));
            if let Some(w) = lead {
                s = trim_span(text, s + w.len(), e, EDGE_PUNCT).0;
                continue;
            }
            let trail = TRAILING_NOT_SUBJECT.iter().find(|w| {
                lower.len() > w.len()
                    && lower.ends_with(*w)
                    && lower[..lower.len() - w.len()].ends_with(' ')
            });
            if let Some(w) = trail {
                e = trim_span(text, s, e - w.len(), EDGE_PUNCT).1;
                continue;
            }
            break;
        }
        if s >= e { (s, s) } else { (s, e) }
    }

    proptest! {
        #[test]
        fn time_and_adverbs_are_trimmed_as_they_were(
            t in "(Last Night|last week|TODAY|Also|also|later|Has|had previously|has also|is|é|ß|[A-Za-z]{1,5}|[ ,.;-]){0,10}",
            from in 0usize..8,
        ) {
            let from = (0..=from.min(t.len())).rev().find(|&k| t.is_char_boundary(k)).unwrap_or(0);
            prop_assert_eq!(trim_time_and_adverbs(&t, from, t.len()), trim_time_and_adverbs_lowering(&t, from, t.len()));
        }
    }

    #[test]
    fn word_lists_are_lowercase() {
        for list in [
            AUXILIARIES,
            TRAILING_SPEAKER_ENDS,
            INTRODUCTORY,
            LEADING_CONJUNCTIONS,
        ] {
            for w in list {
                assert_eq!(*w, w.to_lowercase());
            }
        }
        assert!(is_auxiliary("Has") && is_auxiliary("WOULD") && !is_auxiliary("hat"));
    }

    proptest! {
        // The lookup is `list.contains(&word.to_lowercase())`, as the word
        // tests were written (Kelvin sign, dotted I and other letters whose
        // lowercase is longer or ASCII included).
        #[test]
        fn trimmed_times_and_adverbs_are_trimmed_by_the_lists(
            t in "((?i:last|night|week|yesterday|today|earlier|later|also|meanwhile|separately|has|had|have|was|were|is|too|then|however|previously|again|further|recently)|[A-Z][a-z]{0,6}|[a-z]{1,6}|,|\\.|’|é| |  ){0,12}",
            cut in 0usize..4,
        ) {
            let e = t.len().saturating_sub(cut);
            let e = (0..=e).rev().find(|&i| t.is_char_boundary(i)).unwrap_or(0);
            prop_assert_eq!(trim_time_and_adverbs(&t, 0, e), trim_time_and_adverbs_by_lists(&t, 0, e));
        }

        #[test]
        fn lowercase_lookup_is_to_lowercase_and_contains(
            word in "([a-zA-Z,]{1,4}|has|HAVE|Was|however,|ThE|Speaking|asked|\u{212A}|\u{130}|é|É|ß|\u{1E9E}){0,3}",
            list in 0usize..5,
        ) {
            let lists = [
                &AUXILIARY_LIST,
                &TRAILING_SPEAKER_END_LIST,
                &INTRODUCTORY_LIST,
                &LEADING_CONJUNCTION_LIST,
                &SPEAKER_PRONOUN_LIST,
            ];
            let shaped = lists[list];
            let list = [AUXILIARIES, TRAILING_SPEAKER_ENDS, INTRODUCTORY, LEADING_CONJUNCTIONS, SPEAKER_PRONOUNS][list];
            let lower = word.to_lowercase();
            prop_assert_eq!(lowercase_is_one_of(&word, list), list.contains(&lower.as_str()));
            // The shape test turns away no listed word.
            prop_assert_eq!(shaped.has_lowercase(&word), list.contains(&lower.as_str()));
            for w in list {
                prop_assert!(shaped.has_lowercase(w) && shaped.has_lowercase(&w.to_uppercase()), "{}", w);
            }
        }

        #[test]
        fn in_direct_by_bisection_is_any_span(
            s in "([A-Za-z]{1,5}|[“”‘’\"]|\n\n| ){0,40}",
            extra in proptest::collection::vec((0usize..80, 0usize..80), 0..4),
        ) {
            let paras = paragraphs(&s, false);
            let mut ctx = Ctx::new(&s, &paras);
            prop_assert!(ctx.direct_disjoint);
            let any = |ctx: &Ctx<'_>, pos: usize| ctx.direct.iter().any(|&(a, b, _)| a <= pos && pos < b);
            for pos in 0..=s.len() + 1 {
                prop_assert_eq!(ctx.in_direct(pos), any(&ctx, pos));
            }
            // Spans in any order (the linear fallback).
            ctx.direct.extend(extra.iter().map(|&(a, b)| (a, b, false)));
            ctx.direct_disjoint = disjoint_in_order(&ctx.direct);
            for pos in 0..=s.len() + 1 {
                prop_assert_eq!(ctx.in_direct(pos), any(&ctx, pos));
            }
        }
    }

    /// [`direct_spans`] as it was: every `"` and every non-ASCII
    /// character looked at.
    fn direct_spans_reading_every_mark(
        text: &str,
        paras: &[(usize, usize)],
    ) -> Vec<(usize, usize, bool)> {
        let candidates: Vec<usize> = text
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'"' || b >= 0xC0)
            .map(|(i, _)| i)
            .collect();
        direct_spans_among(text, paras, &candidates)
    }

    proptest! {
        #[test]
        fn marks_found_by_their_lead_bytes_give_the_same_quotes(
            s in "([A-Za-z]{1,5}|[“”‘’„‟«»\"'‹›—–…é€£]|\n\n|\n| ){0,60}"
        ) {
            for lines in [false, true] {
                let paras = paragraphs(&s, lines);
                prop_assert_eq!(direct_spans(&s, &paras), direct_spans_reading_every_mark(&s, &paras));
            }
        }

        #[test]
        fn marks_found_by_their_lead_bytes_in_any_text(s in "\\PC{0,120}") {
            let paras = paragraphs(&s, false);
            prop_assert_eq!(direct_spans(&s, &paras), direct_spans_reading_every_mark(&s, &paras));
        }
    }

    fn check_spans(s: &str) -> Result<(), TestCaseError> {
        let all = quotes(s);
        let mut last_direct_end = 0;
        for q in &all {
            prop_assert!(q.start < q.end && q.end <= s.len());
            prop_assert!(s.is_char_boundary(q.start) && s.is_char_boundary(q.end));
            if let Some((a, b)) = q.speaker_span {
                prop_assert!(a < b && b <= s.len());
                prop_assert!(s.is_char_boundary(a) && s.is_char_boundary(b));
            }
            if q.direct {
                prop_assert!(q.start >= last_direct_end);
                last_direct_end = q.end;
            }
        }
        Ok(())
    }
}
