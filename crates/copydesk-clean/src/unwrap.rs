//! `clean.unwrap.v1`: hard line-wrap and whitespace repair.
//!
//! # Output form
//!
//! The result is a sequence of blocks separated by exactly one blank line
//! (`"\n\n"`), with no blank line at the start or end:
//!
//! * a **prose paragraph** is one line: its wrapped lines joined, every run
//!   of whitespace collapsed to one space, no leading or trailing space;
//! * a **table** is a run of table rows (see [`crate::tabular`]) kept line
//!   by line, with their indentation and column spacing, trailing blanks
//!   trimmed.
//!
//! Text that is not hard-wrapped (one paragraph per line, like most web
//! text) comes out with each line as its own paragraph: a single line break
//! becomes a blank line. A paragraph is never merged with the next unless
//! the break looks like a wrap (see [`Unwrapper::unwrap`]). Because the
//! output has one line per paragraph, unwrapping it again changes nothing.
//!
//! Only whitespace changes: the non-blank characters of the output are
//! those of the input, in order (control characters other than tab and
//! line breaks count as blanks and become spaces).
//!
//! Limits: in a short text (fewer than two lines that are followed by
//! another) a wrapped line followed by a capitalized word cannot be told
//! from a headline followed by its first paragraph, and stays a paragraph
//! break; lines indented deeper than their block (a quoted passage) are
//! never joined.

use crate::tabular::is_table_row;
use copydesk_core::{
    BuiltStage, Capability, Document, DocumentStage, OptionDoc, OptionError, StageConfig,
    StageError, StageKind, cap,
};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Options of `clean.unwrap.v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UnwrapConfig {
    /// The narrowest line width (in characters) taken for a hard wrap.
    pub min_wrap_width: usize,
    /// The widest line width (in characters) taken for a hard wrap; text
    /// with longer lines is treated as one paragraph per line.
    pub max_wrap_width: usize,
}

impl Default for UnwrapConfig {
    fn default() -> Self {
        UnwrapConfig {
            min_wrap_width: 30,
            max_wrap_width: 110,
        }
    }
}

impl StageConfig for UnwrapConfig {
    const NAME: &'static str = "clean.unwrap.v1";
    const KIND: StageKind = StageKind::Document;
    const DESCRIPTION: &'static str = "Joins hard-wrapped lines into paragraphs (one per line, blank line between), keeps tables, collapses spaces";
    const NEEDS: &'static [Capability] = &[cap::TEXT_RAW];
    const PROVIDES: &'static [Capability] = &[cap::TEXT_UNWRAPPED];
    const REWRITES_TEXT: bool = true;
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "min_wrap_width",
            kind: "integer",
            doc: "Narrowest line width (characters) recognized as a hard wrap (default 30).",
        },
        OptionDoc {
            name: "max_wrap_width",
            kind: "integer",
            doc: "Widest line width (characters) recognized as a hard wrap (default 110); longer lines mean one paragraph per line.",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        if self.min_wrap_width == 0 {
            return Err(OptionError::for_key("min_wrap_width", "must be at least 1"));
        }
        if self.max_wrap_width < self.min_wrap_width {
            return Err(OptionError::for_key(
                "max_wrap_width",
                format!("must be at least min_wrap_width ({})", self.min_wrap_width),
            ));
        }
        Ok(())
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Document(Box::new(Unwrapper::new(self.clone()))))
    }
}

/// The `clean.unwrap.v1` stage.
#[derive(Debug, Clone, Default)]
pub struct Unwrapper {
    config: UnwrapConfig,
}

/// Repairs hard wraps and whitespace with the default options; see
/// [`Unwrapper::unwrap`].
///
/// ```
/// use copydesk_clean::unwrap_text;
/// let wire = "The bank said the network would link 31 banks having\n\
///             13.5 billion dlrs in assets and 7.5 billion dlrs in deposits\n\
///             and would open in May.\n    It gave no other details.\n";
/// assert_eq!(
///     unwrap_text(wire),
///     "The bank said the network would link 31 banks having 13.5 billion dlrs \
///      in assets and 7.5 billion dlrs in deposits and would open in May.\n\n\
///      It gave no other details."
/// );
/// assert_eq!(unwrap_text("One paragraph.\nAnother one."), "One paragraph.\n\nAnother one.");
/// ```
pub fn unwrap_text(text: &str) -> String {
    Unwrapper::default().unwrap(text)
}

impl Unwrapper {
    /// An unwrapper with the given options.
    pub fn new(config: UnwrapConfig) -> Self {
        Unwrapper { config }
    }

    /// Repairs hard wraps and whitespace (see the module docs for the output).
    ///
    /// Two lines of a block (lines between blank lines) are joined into one
    /// paragraph unless one of them is a table row, the second is indented
    /// deeper than the block's least-indented line (a paragraph indent) or
    /// starts with a bullet. Otherwise they are joined when:
    ///
    /// * the text is hard-wrapped at some width W (most lines that are
    ///   followed by another end close to the same width, W between the
    ///   configured bounds; with fewer than five such lines, only from 55
    ///   characters) and
    ///   - the first word of the second line would not have fit on the
    ///     first line within W, or
    ///   - the first line ends in a hyphen, or
    ///   - the first line does not end a sentence and the second does not
    ///     start with a capital, or
    ///   - (with at least five wrapped lines) the first line does not end a
    ///     sentence and ends with a comma, is at least three quarters of W
    ///     long, or is the text's first line and at least a third of W long
    ///     (the first line of a wire story is short because a dateline was
    ///     cut from it);
    /// * in any text, the first line does not end a sentence (no `.`, `!`,
    ///   `?`, `:` or `;`, maybe followed by a closing quote or bracket) and
    ///   the second starts with a lowercase letter.
    ///
    /// A line ending in a hyphen after a letter is joined to a line starting
    /// with a letter without a space, keeping the hyphen (`co-` + `operation`
    /// → `co-operation`): a hyphen is never removed, since it cannot be told
    /// from a soft one.
    pub fn unwrap(&self, text: &str) -> String {
        let lines = split_lines(text);
        let min_indents = block_min_indents(&lines);
        let width = self.wrap_width(&lines, &min_indents);
        // The blocks, separated by a blank line, written as they grow: at
        // most one block (the last) is open at a time.
        let mut blocks = String::with_capacity(text.len());
        let mut open = Open::Nothing;
        let first_line = lines.iter().position(|l| l.kind != LineKind::Blank);
        for (i, line) in lines.iter().enumerate() {
            match line.kind {
                LineKind::Blank => {
                    open = Open::Nothing;
                    continue;
                }
                LineKind::Table => {
                    if open == Open::Table {
                        blocks.push('\n');
                    } else {
                        start_block(&mut blocks);
                    }
                    blocks.push_str(&line.text);
                    open = Open::Table;
                    continue;
                }
                LineKind::Prose => {}
            }
            let join = match i.checked_sub(1).and_then(|p| lines.get(p)) {
                Some(prev) if open == Open::Paragraph => {
                    let prev_is_first = first_line == Some(i - 1);
                    self.join(prev, line, prev_is_first, min_indents[i], width)
                }
                _ => Join::Break,
            };
            match join {
                Join::Break => start_block(&mut blocks),
                Join::Space => blocks.push(' '),
                Join::Hyphen => {}
            }
            // The line's words, one space between.
            if line.single_spaced {
                blocks.push_str(line.content());
            } else {
                let mut words = line.content().split_whitespace();
                if let Some(first) = words.next() {
                    blocks.push_str(first);
                }
                for word in words {
                    blocks.push(' ');
                    blocks.push_str(word);
                }
            }
            open = Open::Paragraph;
        }
        blocks
    }

    /// How `prev` and `next` (consecutive prose lines of one block) join.
    fn join(
        &self,
        prev: &Line,
        next: &Line,
        prev_is_first_line: bool,
        min_indent: usize,
        wrap: Option<Wrap>,
    ) -> Join {
        if next.indent > min_indent || starts_with_bullet(next.content()) {
            return Join::Break;
        }
        let prev_content = prev.content();
        let next_content = next.content();
        let open = !ends_sentence(prev_content);
        let lower_next = next_content.chars().next().is_some_and(char::is_lowercase);
        let hyphenated = ends_with_word_hyphen(prev_content)
            && next_content.chars().next().is_some_and(char::is_alphabetic);
        let wrapped = match wrap {
            Some(Wrap { width: w, strong }) => {
                let next_word = first_word_chars(next_content);
                let overflows = prev.width + 1 + next_word > w;
                let upper_next = next_content.chars().next().is_some_and(char::is_uppercase);
                let continues = open
                    && (!upper_next
                        || (strong
                            && ((prev_is_first_line && prev.width * 3 >= w)
                                || prev_content.ends_with(',')
                                || prev.width * 4 >= w * 3)));
                overflows || hyphenated || continues
            }
            None => open && lower_next,
        };
        if !(wrapped || (open && lower_next)) {
            Join::Break
        } else if hyphenated {
            Join::Hyphen
        } else {
            Join::Space
        }
    }

    /// The width the text is hard-wrapped at, if it is.
    fn wrap_width(&self, lines: &[Line], min_indents: &[usize]) -> Option<Wrap> {
        // Widths of the lines followed by a continuation line (prose, not
        // indented as a new paragraph): in wrapped text, most are near W.
        let mut widths: Vec<usize> = lines
            .windows(2)
            .zip(min_indents.iter().skip(1))
            .filter(|(pair, min_indent)| {
                pair[0].kind == LineKind::Prose
                    && pair[1].kind == LineKind::Prose
                    && pair[1].indent <= **min_indent
            })
            .map(|(pair, _)| pair[0].width)
            .collect();
        if widths.len() < MIN_WRAPPED_LINES {
            return None;
        }
        widths.sort_unstable();
        let high = widths[((widths.len() - 1) * 9).div_ceil(10)];
        let strong = widths.len() >= STRONG_WRAPPED_LINES;
        let min_width = if strong {
            self.config.min_wrap_width
        } else {
            self.config.min_wrap_width.max(SHORT_TEXT_MIN_WRAP_WIDTH)
        };
        if high < min_width || high > self.config.max_wrap_width {
            return None;
        }
        let near = widths
            .iter()
            .filter(|&&w| w + (high / 4).max(8) >= high)
            .count();
        if near * 2 < widths.len() {
            return None;
        }
        let width = widths
            .iter()
            .copied()
            .filter(|&w| w <= self.config.max_wrap_width)
            .max()?;
        Some(Wrap { width, strong })
    }
}

impl DocumentStage for Unwrapper {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        let clean = self.unwrap(&doc.text);
        if clean != doc.text {
            doc.set_text(clean)?;
        }
        Ok(())
    }
}

/// How few lines followed by another line make a text count as hard-wrapped.
const MIN_WRAPPED_LINES: usize = 2;

/// From how many lines followed by another line the wrap evidence is strong
/// enough for the weaker joining rules (a comma at the end, a long line,
/// the first line).
const STRONG_WRAPPED_LINES: usize = 5;

/// The narrowest wrap width believed on weak evidence (few lines).
const SHORT_TEXT_MIN_WRAP_WIDTH: usize = 55;

/// A hard wrap found in a text.
#[derive(Debug, Clone, Copy)]
struct Wrap {
    /// The widest line followed by a continuation line.
    width: usize,
    /// Whether enough lines show the wrap for the weaker joining rules.
    strong: bool,
}

/// How two consecutive lines join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    /// Separate paragraphs.
    Break,
    /// One paragraph, a space between.
    Space,
    /// One paragraph, the first line's final hyphen directly followed by the second.
    Hyphen,
}

/// The block being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    /// None (at the start, after a blank line).
    Nothing,
    /// A prose paragraph.
    Paragraph,
    /// A table.
    Table,
}

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    /// Empty or whitespace only.
    Blank,
    /// A row of a table.
    Table,
    /// Running text.
    Prose,
}

/// One input line, with control characters turned into spaces and
/// trailing blanks removed.
#[derive(Debug)]
struct Line<'a> {
    /// The line itself, unless it had control characters to replace.
    text: Cow<'a, str>,
    kind: LineKind,
    /// Leading blanks (a tab counts 4).
    indent: usize,
    /// Characters, counting the indent.
    width: usize,
    /// Where the content starts in `text` (after the indentation).
    content_start: usize,
    /// Whether the content's only blanks are single spaces (so it is its
    /// own whitespace-collapsed form); false when not known.
    single_spaced: bool,
}

impl Line<'_> {
    /// The line without its indentation.
    fn content(&self) -> &str {
        &self.text[self.content_start..]
    }
}

/// Splits text into classified lines (`\r\n` and `\r` end lines too).
fn split_lines(text: &str) -> Vec<Line<'_>> {
    let bytes = text.as_bytes();
    // Room for lines of a typical width, so the list rarely grows.
    let mut lines = Vec::with_capacity(text.len() / EXPECTED_LINE_BYTES + 1);
    let mut start = 0;
    while let Some(at) = memchr::memchr2(b'\n', b'\r', &bytes[start..]) {
        let end = start + at;
        lines.push(classify_line(&text[start..end]));
        start = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
            end + 2
        } else {
            end + 1
        };
    }
    lines.push(classify_line(&text[start..]));
    lines
}

/// The line width [`split_lines`] reserves room for: a hard-wrapped line
/// is 60 to 80 bytes, a paragraph line longer.
const EXPECTED_LINE_BYTES: usize = 48;

/// Whether `c` becomes a space in a line (a control character other than tab).
fn is_blanked_control(c: char) -> bool {
    c.is_control() && c != '\t'
}

/// One line (without its line break), classified.
fn classify_line(raw: &str) -> Line<'_> {
    if is_plain_ascii(raw.as_bytes()) {
        classify_plain_ascii_line(raw)
    } else {
        classify_any_line(raw)
    }
}

/// [`classify_line`] for an ASCII line without control characters other
/// than tab, whose only blanks are spaces and tabs.
fn classify_plain_ascii_line(raw: &str) -> Line<'_> {
    // Trailing spaces and tabs trimmed (ASCII: any byte offset is a char boundary).
    let end = raw
        .as_bytes()
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    let text = raw.get(..end).unwrap_or_default();
    let bytes = text.as_bytes();
    let content_start = bytes
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(bytes.len());
    let indent = bytes[..content_start]
        .iter()
        .map(|&b| if b == b'\t' { 4 } else { 1 })
        .sum::<usize>();
    let content = &bytes[content_start..];
    // A table row has a tab or two blanks in a row between its columns
    // (see `tabular::is_table_row`); without either, each blank is a
    // single space.
    let single_spaced = is_single_spaced(content);
    let kind = if text.is_empty() {
        LineKind::Blank
    } else if !single_spaced && is_table_row(text) {
        LineKind::Table
    } else {
        LineKind::Prose
    };
    Line {
        text: Cow::Borrowed(text),
        kind,
        indent,
        width: indent + content.len(),
        content_start,
        single_spaced,
    }
}

/// Whether a line is ASCII without control characters other than tab
/// (every byte printable or a tab), checked without branching so the
/// check vectorizes.
fn is_plain_ascii(bytes: &[u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if bytes.len() >= 16 {
        return is_plain_ascii_sse2(bytes);
    }
    is_plain_ascii_by_bytes(bytes)
}

/// [`is_plain_ascii`] sixteen bytes at a time with SSE2 (part of x86-64),
/// for at least sixteen bytes: a byte is plain when `b - 0x20` (wrapping)
/// is at most `0x5E` (`' '..='~'`) or it is a tab; the last block ends
/// where the bytes end (it may overlap the one before), so no byte is
/// read one at a time.
#[cfg(target_arch = "x86_64")]
fn is_plain_ascii_sse2(bytes: &[u8]) -> bool {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_sub_epi8,
    };
    let plain_at = |k: usize| -> bool {
        let Some(block) = bytes.get(k..k + 16) else {
            return true;
        };
        // SAFETY: SSE2 is part of x86-64; `block` holds sixteen bytes.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let d = _mm_sub_epi8(v, _mm_set1_epi8(0x20));
            let printable = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(0x5E)), d);
            let tab = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8));
            _mm_movemask_epi8(_mm_or_si128(printable, tab)) == 0xFFFF
        }
    };
    let last = bytes.len() - 16;
    let mut k = 0;
    while k < last {
        if !plain_at(k) {
            return false;
        }
        k += 16;
    }
    plain_at(last)
}

/// [`is_plain_ascii`] byte after byte (the portable version, and the one
/// for short lines).
fn is_plain_ascii_by_bytes(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |all, &b| {
        all & ((b' '..=b'~').contains(&b) | (b == b'\t'))
    })
}

/// Whether the content of a plain ASCII line (starting and ending with a
/// non-blank byte) has neither a tab nor two spaces in a row: every byte
/// compared with the next one, without branching. A tab cannot be the
/// last byte, so looking at pairs finds every tab.
fn is_single_spaced(content: &[u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if content.len() > 16 {
        return is_single_spaced_sse2(content);
    }
    is_single_spaced_by_pairs(content)
}

/// [`is_single_spaced`] sixteen pairs at a time with SSE2 (part of
/// x86-64), for content of more than sixteen bytes: each block compares
/// sixteen bytes with the sixteen after them (read one byte later), the
/// last block where the content ends (it may overlap the one before).
#[cfg(target_arch = "x86_64")]
fn is_single_spaced_sse2(content: &[u8]) -> bool {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // Whether a pair starting in the block at `k` (bytes `k..k + 17`) has
    // a tab first or two spaces.
    let pairs_at = |k: usize| -> bool {
        let Some(block) = content.get(k..k + 17) else {
            return false;
        };
        // SAFETY: SSE2 is part of x86-64; `block` holds seventeen bytes,
        // so both unaligned sixteen-byte loads read inside it.
        unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
            let w = _mm_loadu_si128(block.as_ptr().add(1).cast::<__m128i>());
            let space = _mm_set1_epi8(b' ' as i8);
            let tab = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8));
            let double = _mm_and_si128(_mm_cmpeq_epi8(v, space), _mm_cmpeq_epi8(w, space));
            _mm_movemask_epi8(_mm_or_si128(tab, double)) != 0
        }
    };
    let last = content.len() - 17;
    let mut k = 0;
    while k < last {
        if pairs_at(k) {
            return false;
        }
        k += 16;
    }
    !pairs_at(last)
}

/// [`is_single_spaced`] pair after pair (the portable version, and the
/// one for short content).
fn is_single_spaced_by_pairs(content: &[u8]) -> bool {
    let next = content.get(1..).unwrap_or_default();
    !content.iter().zip(next).fold(false, |any, (&a, &b)| {
        any | (a == b'\t') | ((a == b' ') & (b == b' '))
    })
}

/// [`classify_line`] for any line.
fn classify_any_line(raw: &str) -> Line<'_> {
    let has_controls = if raw.is_ascii() {
        raw.bytes().any(|b| is_blanked_control(char::from(b)))
    } else {
        raw.chars().any(is_blanked_control)
    };
    let text: Cow<'_, str> = if has_controls {
        let cleaned: String = raw
            .chars()
            .map(|c| if is_blanked_control(c) { ' ' } else { c })
            .collect();
        Cow::Owned(cleaned.trim_end().to_string())
    } else {
        Cow::Borrowed(raw.trim_end())
    };
    let indent = text
        .chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum::<usize>();
    let content = text.trim_start();
    let content_start = text.len() - content.len();
    let width = indent
        + if content.is_ascii() {
            content.len()
        } else {
            content.chars().count()
        };
    let kind = if text.is_empty() {
        LineKind::Blank
    } else if is_table_row(&text) {
        LineKind::Table
    } else {
        LineKind::Prose
    };
    Line {
        text,
        kind,
        indent,
        width,
        content_start,
        single_spaced: false,
    }
}

/// For each line, the least indentation of the prose lines of its block
/// (the lines between two blank lines).
fn block_min_indents(lines: &[Line]) -> Vec<usize> {
    let mut out = vec![0; lines.len()];
    let mut start = 0;
    while start < lines.len() {
        let end = lines[start..]
            .iter()
            .position(|l| l.kind == LineKind::Blank)
            .map_or(lines.len(), |p| start + p);
        let min = lines[start..end]
            .iter()
            .filter(|l| l.kind == LineKind::Prose)
            .map(|l| l.indent)
            .min()
            .unwrap_or(0);
        out[start..end].fill(min);
        start = end + 1;
    }
    out
}

/// Whether a line ends a sentence: its last character, after closing
/// quotes and brackets, is `.`, `!`, `?`, `:`, `;` or `…`.
fn ends_sentence(content: &str) -> bool {
    match content.as_bytes().last() {
        // An ASCII last character that closes nothing is the one to test.
        Some(&b) if b.is_ascii() && !matches!(b, b'"' | b'\'' | b')' | b']') => {
            matches!(b, b'.' | b'!' | b'?' | b':' | b';')
        }
        _ => ends_sentence_after_closers(content),
    }
}

/// [`ends_sentence`] for any text: closing quotes and brackets trimmed first.
fn ends_sentence_after_closers(content: &str) -> bool {
    content
        .trim_end_matches(['"', '\'', '”', '’', ')', ']', '»'])
        .chars()
        .next_back()
        .is_some_and(|c| matches!(c, '.' | '!' | '?' | ':' | ';' | '…'))
}

/// Whether a line ends with a hyphen right after a letter (`co-`).
fn ends_with_word_hyphen(content: &str) -> bool {
    let mut rev = content.chars().rev();
    rev.next() == Some('-') && rev.next().is_some_and(char::is_alphabetic)
}

/// The characters of the first word of `content` (0 without one):
/// `content.split_whitespace().next()` counted, read byte by byte while
/// the word is ASCII.
fn first_word_chars(content: &str) -> usize {
    let bytes = content.as_bytes();
    let mut end = 0;
    while let Some(&b) = bytes.get(end) {
        if !b.is_ascii() {
            // A non-ASCII character may be a blank (NBSP) or not.
            end = 0;
            break;
        }
        if b == b' ' || b.wrapping_sub(b'\t') < 5 {
            break;
        }
        end += 1;
    }
    if end > 0 {
        return end;
    }
    content
        .split_whitespace()
        .next()
        .map_or(0, |word| word.chars().count())
}

/// Whether a line starts with a list bullet (`- `, `* `, `• `, `1. `, `2) `).
fn starts_with_bullet(content: &str) -> bool {
    let mut chars = content.chars();
    match chars.next() {
        Some('-' | '*' | '•' | '–' | '—' | '·' | '▪' | '►') => {
            chars.next().is_some_and(char::is_whitespace)
        }
        Some(c) if c.is_ascii_digit() => {
            let rest = content.trim_start_matches(|c: char| c.is_ascii_digit());
            let digits = content.len() - rest.len();
            let mut rest = rest.chars();
            digits <= 2
                && matches!(rest.next(), Some('.' | ')'))
                && rest.next().is_some_and(char::is_whitespace)
        }
        _ => false,
    }
}

/// Starts a new block in `blocks` (a blank line after the previous one).
fn start_block(blocks: &mut String) {
    if !blocks.is_empty() {
        blocks.push_str("\n\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ascii_for_every_byte_at_every_place_and_length() {
        for len in [1, 15, 16, 17, 31, 32, 33, 47] {
            for pos in 0..len {
                for v in 0..=255u8 {
                    let mut bytes = vec![b'a'; len];
                    bytes[pos] = v;
                    let plain = (b' '..=b'~').contains(&v) || v == b'\t';
                    assert_eq!(is_plain_ascii(&bytes), plain, "{len} {pos} {v}");
                }
            }
        }
    }

    #[test]
    fn single_spacing_at_every_place_and_length() {
        for len in 2..60 {
            for pos in 0..len - 1 {
                for (a, b) in [(b' ', b' '), (b'\t', b'x'), (b'\t', b' '), (b' ', b'x')] {
                    let mut content = vec![b'x'; len];
                    content[pos] = a;
                    content[pos + 1] = b;
                    if content[len - 1] != b'x' {
                        continue;
                    }
                    let single = memchr::memchr(b'\t', &content).is_none()
                        && memchr::memmem::find(&content, b"  ").is_none();
                    assert_eq!(is_single_spaced(&content), single, "{len} {pos}");
                }
            }
        }
    }

    #[test]
    fn one_paragraph_per_line_becomes_blank_line_separated() {
        let text =
            "By Asif Shahzad\nISLAMABAD (Reuters) – Beijing is pushing.\nFinal month’s bombing.\n";
        assert_eq!(
            unwrap_text(text),
            "By Asif Shahzad\n\nISLAMABAD (Reuters) – Beijing is pushing.\n\nFinal month’s bombing."
        );
    }

    #[test]
    fn lowercase_continuation_is_joined_in_any_text() {
        assert_eq!(
            unwrap_text("A sentence that was cut\nin the middle.\nNext one."),
            "A sentence that was cut in the middle.\n\nNext one."
        );
        // A finished sentence is not joined to a lowercase line.
        assert_eq!(unwrap_text("Done.\nnext"), "Done.\n\nnext");
    }

    #[test]
    fn hyphen_at_line_end_is_kept() {
        assert_eq!(
            unwrap_text("strengthen co-\noperation with Pakistan."),
            "strengthen co-operation with Pakistan."
        );
    }

    #[test]
    fn whitespace_is_collapsed_and_trimmed() {
        assert_eq!(
            unwrap_text("  \n\n  Two  spaces here.   \n\n\n\nA\ttab.  \n  "),
            "Two spaces here.\n\nA tab."
        );
        assert_eq!(unwrap_text(""), "");
        assert_eq!(unwrap_text(" \n\t\n"), "");
    }

    #[test]
    fn crlf_wrapped_text_is_joined() {
        let lf = "The bank said the network would link 31 banks having\n\
                  13.5 billion dlrs in assets and 7.5 billion dlrs in deposits\n\
                  and would open in May.\n    It gave no other details.\n";
        assert_eq!(unwrap_text(&lf.replace('\n', "\r\n")), unwrap_text(lf));
        assert_eq!(unwrap_text(lf).matches("\n\n").count(), 1);
    }

    #[test]
    fn carriage_returns_and_controls_do_not_survive() {
        let out = unwrap_text("A.\r\nB.\rC.\u{7}d");
        assert_eq!(out, "A.\n\nB.\n\nC. d");
    }

    #[test]
    fn tables_keep_their_lines_and_columns() {
        let text = "price through February 25 as follows -\n         Natl   Loan\n Wheat   2.55   2.40\n Corn    1.35   1.92\n X - 1986 Rates.";
        assert_eq!(
            unwrap_text(text),
            "price through February 25 as follows -\n\n         Natl   Loan\n Wheat   2.55   2.40\n Corn    1.35   1.92\n\nX - 1986 Rates."
        );
    }

    /// `Unwrapper::unwrap` as it was before its fast paths: every line
    /// classified the general way, paragraphs gathered and then written
    /// with their whitespace collapsed.
    fn reference_unwrap(u: &Unwrapper, text: &str) -> String {
        let mut lines = Vec::new();
        let bytes = text.as_bytes();
        let (mut start, mut i) = (0, 0);
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    lines.push(classify_any_line(&text[start..i]));
                    start = i + 1;
                }
                b'\r' => {
                    lines.push(classify_any_line(&text[start..i]));
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        lines.push(classify_any_line(&text[start..]));
        let min_indents = block_min_indents(&lines);
        let width = u.wrap_width(&lines, &min_indents);
        let flush_paragraph = |paragraph: &mut String, blocks: &mut String| {
            let mut words = paragraph.split_whitespace();
            if let Some(first) = words.next() {
                start_block(blocks);
                blocks.push_str(first);
                for word in words {
                    blocks.push(' ');
                    blocks.push_str(word);
                }
            }
            paragraph.clear();
        };
        let flush_table = |table: &mut String, blocks: &mut String| {
            if !table.is_empty() {
                start_block(blocks);
                blocks.push_str(table);
                table.clear();
            }
        };
        let (mut blocks, mut paragraph, mut table) = (String::new(), String::new(), String::new());
        let first_line = lines.iter().position(|l| l.kind != LineKind::Blank);
        for (i, line) in lines.iter().enumerate() {
            if line.kind == LineKind::Blank {
                flush_paragraph(&mut paragraph, &mut blocks);
                flush_table(&mut table, &mut blocks);
                continue;
            }
            if line.kind == LineKind::Table {
                flush_paragraph(&mut paragraph, &mut blocks);
                if !table.is_empty() {
                    table.push('\n');
                }
                table.push_str(&line.text);
                continue;
            }
            flush_table(&mut table, &mut blocks);
            let join = match i.checked_sub(1).and_then(|p| lines.get(p)) {
                Some(prev) if !paragraph.is_empty() => {
                    u.join(prev, line, first_line == Some(i - 1), min_indents[i], width)
                }
                _ => Join::Break,
            };
            match join {
                Join::Break => flush_paragraph(&mut paragraph, &mut blocks),
                Join::Space => paragraph.push(' '),
                Join::Hyphen => {}
            }
            paragraph.push_str(line.content());
        }
        flush_paragraph(&mut paragraph, &mut blocks);
        flush_table(&mut table, &mut blocks);
        blocks
    }

    fn wire_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let line = prop_oneof![
            "[A-Za-z]{1,8}( [a-z,.;:-]{1,9}){3,12}[.,-]?",
            "[ \t]{0,6}[A-Z][a-z]{1,6}( {1,4}[0-9.]{1,5}){1,4}[ \t]{0,3}",
            "[ \t]{0,4}(- |\\* |1\\. )?[a-zA-Z ,.\t]{0,60}",
            "[ -~\t\u{b}\u{c}\u{0}\u{7f}é’\u{a0}]{0,40}",
        ];
        let end = prop::sample::select(vec!["\n", "\r\n", "\r", "\n\n", "\n \n"]);
        prop::collection::vec((line, end), 0..24)
            .prop_map(|parts| parts.into_iter().map(|(l, e)| format!("{l}{e}")).collect())
    }

    proptest::proptest! {
        #[test]
        fn fast_paths_agree_with_the_reference(text in wire_text(), narrow: bool) {
            let u = if narrow {
                Unwrapper::new(UnwrapConfig { min_wrap_width: 10, max_wrap_width: 40 })
            } else {
                Unwrapper::default()
            };
            proptest::prop_assert_eq!(u.unwrap(&text), reference_unwrap(&u, &text));
        }

        #[test]
        fn one_pass_line_checks_agree_with_the_reference(raw in "[ -~\t\u{0}-\u{1f}\u{7f}é]{0,80}") {
            let bytes = raw.as_bytes();
            let plain = bytes.is_ascii() && !bytes.iter().any(|&b| is_blanked_control(char::from(b)));
            proptest::prop_assert_eq!(is_plain_ascii(bytes), plain);
            proptest::prop_assert_eq!(is_plain_ascii_by_bytes(bytes), plain);
            if plain {
                let content = raw.trim_matches([' ', '\t']).as_bytes();
                let single = memchr::memchr(b'\t', content).is_none()
                    && memchr::memmem::find(content, b"  ").is_none();
                proptest::prop_assert_eq!(is_single_spaced(content), single);
                proptest::prop_assert_eq!(is_single_spaced_by_pairs(content), single);
            }
        }

        #[test]
        fn single_spacing_over_blocks_agrees_with_the_search(
            content in "[a-z]([ a-z.\t]{0,70}[a-z])?",
        ) {
            let bytes = content.as_bytes();
            let single = memchr::memchr(b'\t', bytes).is_none()
                && memchr::memmem::find(bytes, b"  ").is_none();
            proptest::prop_assert_eq!(is_single_spaced(bytes), single);
        }

        #[test]
        fn byte_checks_agree_with_their_definitions(
            content in "[ a-zA-Z.!?:;,\"')\\]\t\u{b}\u{c}\u{a0}\u{2003}é”’»…]{0,12}",
        ) {
            proptest::prop_assert_eq!(
                first_word_chars(&content),
                content.split_whitespace().next().map_or(0, |w| w.chars().count())
            );
            proptest::prop_assert_eq!(ends_sentence(&content), ends_sentence_after_closers(&content));
        }

        #[test]
        fn plain_ascii_lines_are_classified_as_any_line(raw in "[ -~\t]{0,80}") {
            let fast = classify_plain_ascii_line(&raw);
            let slow = classify_any_line(&raw);
            proptest::prop_assert_eq!(&fast.text, &slow.text);
            proptest::prop_assert_eq!(fast.kind, slow.kind);
            proptest::prop_assert_eq!(fast.indent, slow.indent);
            proptest::prop_assert_eq!(fast.width, slow.width);
            proptest::prop_assert_eq!(fast.content(), slow.content());
            if fast.single_spaced {
                let collapsed = fast.content().split_whitespace().collect::<Vec<_>>().join(" ");
                proptest::prop_assert_eq!(fast.content(), collapsed.as_str());
            }
        }
    }

    #[test]
    fn bullets_are_not_joined() {
        assert_eq!(
            unwrap_text("Points:\n- first item\n- second item"),
            "Points:\n\n- first item\n\n- second item"
        );
    }
}
