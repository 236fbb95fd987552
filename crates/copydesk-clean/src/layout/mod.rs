//! `clean.news_layout.v1`: splits headline, sub-headlines, byline,
//! dateline, credits, photo captions and page debris out of the body into
//! [`Meta`].
//!
//! The cleaner works on paragraphs (non-blank lines; run `clean.unwrap.v1`
//! first on hard-wrapped text). It looks at three places:
//!
//! * **the head**, from the top until the first body paragraph: a headline
//!   (a short, title-like first paragraph not ending in `?` or `!`, only
//!   when no headline, byline or dateline is known yet; a paragraph
//!   repeating the known headline is removed either way),
//!   sub-headlines under a headline found in the text, bylines, photo
//!   captions, debris, and the dateline, alone on its line (`"ISLAMABAD:"`)
//!   or opening the first body paragraph (`"ISLAMABAD (Reuters) – "`), which
//!   ends the head;
//! * **the tail**, from the bottom up: sign-offs (`"Reuter"`), credit lines
//!   (`"Reporting by ...; Editing by ..."`), captions and debris;
//! * **everywhere**: debris paragraphs (`"Advertisement"`), captions, and
//!   link lists (a heading such as `"Related stories"` and the short items
//!   under it).
//!
//! Nothing is thrown away: named fields of [`Meta`] get the parsed values
//! (headline, subheadlines, byline, dateline, credit, captions, debris) and
//! `meta.extra["layout_removed"]` lists every removed piece verbatim with
//! its kind, so body plus removed pieces always hold every non-blank
//! character of the input. Credit lines and sign-offs also go to
//! `meta.extra["credits"]`; all-caps crossheads inside the body
//! (`"‘GRAVE SECURITY BREACH’"`) stay in the body and are listed in
//! `meta.extra["crossheads"]`.
//!
//! A value already in [`Meta`] (from a loader) is never overwritten. A
//! loader's dateline in wire form (`"SALVADOR, Feb 26 -"`) is reduced to its
//! place, its date going to `meta.extra["dateline_date"]` and the original
//! to `meta.extra["dateline_raw"]`.

pub mod byline;
mod config;
pub mod dateline;
pub mod patterns;
pub mod shape;

pub use config::NewsLayoutConfig;

use crate::tabular::is_table_row;
use byline::parse_byline;
use copydesk_core::{Document, DocumentStage, Meta, OptionError, StageError};
use dateline::{Dateline, parse_dateline, parse_stored_dateline};
use patterns::{Patterns, Probe};
use serde::{Deserialize, Serialize};
use shape::{
    digit_percent, ends_with_question_or_exclamation, is_body_like, is_crosshead, is_title_like,
    line_key, same_text_as_key,
};
use std::ops::Range;

/// What a removed piece was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovedKind {
    /// The headline.
    Headline,
    /// A sub-headline or standfirst.
    Subheadline,
    /// A byline paragraph.
    Byline,
    /// A dateline (`"ISLAMABAD (Reuters) –"`).
    Dateline,
    /// A photo caption.
    Caption,
    /// Page debris.
    Debris,
    /// A credit line or sign-off at the end.
    Credit,
}

impl RemovedKind {
    /// The name the kind is written with (`"subheadline"`).
    pub fn name(self) -> &'static str {
        match self {
            RemovedKind::Headline => "headline",
            RemovedKind::Subheadline => "subheadline",
            RemovedKind::Byline => "byline",
            RemovedKind::Dateline => "dateline",
            RemovedKind::Caption => "caption",
            RemovedKind::Debris => "debris",
            RemovedKind::Credit => "credit",
        }
    }
}

/// One piece of text removed from the body, verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedPiece {
    /// What it was.
    pub kind: RemovedKind,
    /// The text as it stood in the body (trimmed).
    pub text: String,
}

/// The result of [`NewsLayoutCleaner::split`].
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutSplit {
    /// The body without the removed pieces.
    pub body: String,
    /// The metadata with what was found added.
    pub meta: Meta,
    /// Every removed piece, in text order.
    pub removed: Vec<RemovedPiece>,
}

/// The `clean.news_layout.v1` stage.
#[derive(Debug)]
pub struct NewsLayoutCleaner {
    config: NewsLayoutConfig,
    patterns: Patterns,
}

/// The most digits a sub-headline may have, in percent of its characters.
const MAX_SUBHEADLINE_DIGIT_PERCENT: usize = 10;

/// The most sub-headlines taken under one headline.
const MAX_SUBHEADLINES: usize = 3;

/// One paragraph of the text being split.
#[derive(Debug)]
struct Paragraph<'a> {
    /// The line, trailing blanks trimmed (indentation kept).
    text: &'a str,
    /// Where the line starts in the text split.
    start: usize,
    /// Line breaks between the previous paragraph and this one.
    breaks_before: usize,
    /// Bytes cut from the start (a dateline), if any.
    cut: usize,
    /// Whether a dateline or a sign-off was cut from the paragraph.
    modified: bool,
    /// Whether the paragraph was removed.
    removed: bool,
}

impl<'a> Paragraph<'a> {
    /// The paragraph's remaining text, trimmed.
    fn content(&self) -> &'a str {
        let text: &'a str = self.text;
        text[self.cut..].trim()
    }
}

/// Splits text into paragraphs (non-blank lines).
fn paragraphs(text: &str) -> Vec<Paragraph<'_>> {
    // Room for paragraphs of a typical length, so the list rarely grows.
    let mut out = Vec::with_capacity(text.len() / EXPECTED_PARAGRAPH_BYTES + 1);
    let mut breaks = 0;
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
    for end in ends {
        // Both ends are char boundaries: `\n` is one byte.
        let line = text.get(start..end).unwrap_or_default();
        let line_start = start;
        start = end + 1;
        let trimmed = line.trim_end();
        if trimmed.trim_start().is_empty() {
            breaks += 1;
            continue;
        }
        out.push(Paragraph {
            text: trimmed,
            start: line_start,
            breaks_before: breaks,
            cut: 0,
            modified: false,
            removed: false,
        });
        breaks = 1;
    }
    out
}

/// Whether paragraph `p` repeats the headline known in `meta`
/// ([`shape::same_text`]); `key` keeps the headline's key once made.
fn repeats_headline(meta: &Meta, key: &mut Option<String>, p: &str) -> bool {
    meta.headline
        .as_deref()
        .is_some_and(|h| same_text_as_key(key.get_or_insert_with(|| line_key(h)), p))
}

/// The paragraph length [`paragraphs`] reserves room for.
const EXPECTED_PARAGRAPH_BYTES: usize = 128;

/// The work of one split: paragraphs, metadata and removed pieces.
struct Split<'a> {
    paragraphs: Vec<Paragraph<'a>>,
    meta: Meta,
    removed: Vec<(usize, RemovedPiece)>,
}

impl Split<'_> {
    /// Removes paragraph `i` as `kind`.
    fn remove(&mut self, i: usize, kind: RemovedKind) {
        let text = self.paragraphs[i].content().to_string();
        self.paragraphs[i].removed = true;
        self.removed.push((i, RemovedPiece { kind, text }));
    }

    /// Sets the dateline fields from a parsed dateline, keeping values already set.
    fn apply_dateline(&mut self, d: &Dateline) {
        if self.meta.dateline.is_none() {
            self.meta.dateline = Some(d.place.clone());
            if let Some(date) = &d.date {
                self.meta.extra.insert(
                    "dateline_date".into(),
                    serde_json::Value::String(date.clone()),
                );
            }
        }
        if self.meta.credit.is_none() {
            self.meta.credit = d.credit.clone();
        }
    }
}

/// The text of the kept paragraphs.
///
/// A kept paragraph is separated from the previous kept one by the widest
/// gap between them, so removing a table row between two paragraphs does
/// not glue them into one block. What is left of a cut table row may no
/// longer be one: it then gets the form `clean.unwrap.v1` gives prose
/// (single spaces, a blank line around it).
fn render_body(paragraphs: &[Paragraph<'_>], text_len: usize) -> String {
    // The body is at most as long as the text it is cut from, but for
    // the blank line around a cut table row.
    let mut body = String::with_capacity(text_len + 2);
    let mut gap = 0;
    for p in paragraphs {
        gap = gap.max(p.breaks_before);
        if p.removed {
            continue;
        }
        let content = p.content();
        let became_prose = p.modified && !is_table_row(content);
        if became_prose {
            gap = gap.max(2);
        }
        if !body.is_empty() {
            for _ in 0..gap.max(1) {
                body.push('\n');
            }
        }
        gap = 0;
        if became_prose {
            let mut words = content.split_whitespace();
            if let Some(first) = words.next() {
                body.push_str(first);
            }
            for word in words {
                body.push(' ');
                body.push_str(word);
            }
            gap = 2;
        } else if p.modified {
            body.push_str(content);
        } else {
            body.push_str(p.text);
        }
    }
    body
}

/// The span of `text` that [`render_body`] writes, when it writes a slice
/// of the text: the kept paragraphs follow each other (none removed
/// between them), none was cut, and only line breaks (as many as
/// counted) separate them. `None` otherwise.
fn body_span(paragraphs: &[Paragraph<'_>], text: &str) -> Option<Range<usize>> {
    let Some(first) = paragraphs.iter().position(|p| !p.removed) else {
        return Some(0..0);
    };
    let last = paragraphs.iter().rposition(|p| !p.removed)?;
    let run = &paragraphs[first..=last];
    if run.iter().any(|p| p.removed || p.modified) {
        return None;
    }
    let end = |p: &Paragraph<'_>| p.start + p.text.len();
    for pair in run.windows(2) {
        let between = text.as_bytes().get(end(&pair[0])..pair[1].start)?;
        if between.len() != pair[1].breaks_before || between.iter().any(|&b| b != b'\n') {
            return None;
        }
    }
    Some(run[0].start..end(&run[run.len() - 1]))
}

/// The body of a split: a span of the text split, or new text.
#[derive(Debug)]
enum Body {
    /// The text's bytes in this range.
    Span(Range<usize>),
    /// Text put together from the kept paragraphs.
    Rendered(String),
}

impl Body {
    /// The body's text, given the text split.
    fn as_str<'t>(&'t self, text: &'t str) -> &'t str {
        match self {
            Body::Span(range) => text.get(range.clone()).unwrap_or_default(),
            Body::Rendered(body) => body,
        }
    }
}

/// Lists the crossheads of `body` in `meta.extra["crossheads"]`.
fn record_crossheads(body: &str, meta: &mut Meta) {
    let crossheads = crossheads(body);
    if crossheads.is_empty() {
        meta.extra.remove("crossheads");
    } else {
        meta.extra
            .insert("crossheads".into(), serde_json::Value::Array(crossheads));
    }
}

/// The crossheads of `body`, trimmed, in order: its lines split at every
/// `\n` (found with memchr, much faster than `str::lines` on long
/// paragraphs). Trimmed, these are `body.lines()` trimmed (a `\r` before
/// the `\n` is trimmed away), plus an empty last line when the body ends
/// with `\n` or is empty, which is no crosshead (it has no word).
fn crossheads(body: &str) -> Vec<serde_json::Value> {
    split_at_newlines(body)
        .map(str::trim)
        .filter(|l| is_crosshead(l))
        .map(|l| serde_json::Value::String(l.to_string()))
        .collect()
}

/// [`crossheads`] as first written, with `str::lines` (the reference of
/// the property test).
#[cfg(test)]
fn crossheads_by_lines(body: &str) -> Vec<serde_json::Value> {
    body.lines()
        .map(str::trim)
        .filter(|l| is_crosshead(l))
        .map(|l| serde_json::Value::String(l.to_string()))
        .collect()
}

/// The pieces of `text` between `\n`s (as `text.split('\n')`).
fn split_at_newlines(text: &str) -> impl Iterator<Item = &str> {
    let mut ends = memchr::memchr_iter(b'\n', text.as_bytes());
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let from = start?;
        let end = ends.next();
        // `\n` is ASCII: the pieces start and end on char boundaries.
        let piece = text.get(from..end.unwrap_or(text.len()));
        start = end.map(|e| e + 1);
        piece
    })
}

/// Files removed pieces in `meta`: captions, debris and
/// `extra["credits"]` by kind, and every piece in `extra["layout_removed"]`.
fn record_removed(removed: &[RemovedPiece], meta: &mut Meta) {
    file_removed(removed.to_vec(), meta);
}

/// [`record_removed`], taking the pieces over: each piece's text is copied
/// once at most (for the field of its kind), then moved into
/// `extra["layout_removed"]`.
fn file_removed(removed: Vec<RemovedPiece>, meta: &mut Meta) {
    if removed.is_empty() {
        return;
    }
    for piece in removed {
        match piece.kind {
            RemovedKind::Caption => meta.captions.push(piece.text.clone()),
            RemovedKind::Debris => meta.debris.push(piece.text.clone()),
            RemovedKind::Credit => push_extra(meta, "credits", &piece.text),
            _ => {}
        }
        // What `serde_json::to_value(piece)` gives, built directly.
        let mut object = serde_json::Map::new();
        object.insert(
            "kind".into(),
            serde_json::Value::String(piece.kind.name().into()),
        );
        object.insert("text".into(), serde_json::Value::String(piece.text));
        let value = serde_json::Value::Object(object);
        let entry = meta
            .extra
            .entry("layout_removed".to_string())
            .or_insert_with(|| serde_json::Value::Array(Vec::new()));
        if let Some(list) = entry.as_array_mut() {
            list.push(value);
        }
    }
}

/// Appends a string to the list `meta.extra[key]`.
fn push_extra(meta: &mut Meta, key: &str, value: &str) {
    let entry = meta
        .extra
        .entry(key.to_string())
        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
    if !entry.is_array() {
        *entry = serde_json::Value::Array(Vec::new());
    }
    if let Some(list) = entry.as_array_mut() {
        list.push(serde_json::Value::String(value.to_string()));
    }
}

impl NewsLayoutCleaner {
    /// A cleaner with the given options; fails on a pattern that does not compile.
    pub fn new(config: NewsLayoutConfig) -> Result<Self, OptionError> {
        let patterns = Patterns::new(&config)?;
        Ok(NewsLayoutCleaner { config, patterns })
    }

    /// Splits `text` into body and layout pieces, starting from the
    /// metadata a loader found (`meta`). See the module docs.
    ///
    /// ```
    /// use copydesk_clean::{NewsLayoutCleaner, NewsLayoutConfig};
    /// use copydesk_core::Meta;
    /// let cleaner = NewsLayoutCleaner::new(NewsLayoutConfig::default())?;
    /// let split = cleaner.split(
    ///     "Talks stall\n\nBy Jane Doe\n\nWASHINGTON (Reuters) - Talks stalled on Monday, officials said.\n\nAdvertisement",
    ///     &Meta::default(),
    /// );
    /// assert_eq!(split.body, "Talks stalled on Monday, officials said.");
    /// assert_eq!(split.meta.headline.as_deref(), Some("Talks stall"));
    /// assert_eq!(split.meta.byline.as_deref(), Some("Jane Doe"));
    /// assert_eq!(split.meta.dateline.as_deref(), Some("WASHINGTON"));
    /// assert_eq!(split.meta.credit.as_deref(), Some("Reuters"));
    /// assert_eq!(split.meta.debris, ["Advertisement"]);
    /// # Ok::<(), copydesk_core::OptionError>(())
    /// ```
    pub fn split(&self, text: &str, meta: &Meta) -> LayoutSplit {
        let (body, mut meta, removed) = self.split_parts(text, meta.clone());
        record_removed(&removed, &mut meta);
        LayoutSplit {
            body: match body {
                Body::Span(range) => text.get(range).unwrap_or_default().to_string(),
                Body::Rendered(body) => body,
            },
            meta,
            removed,
        }
    }

    /// The work of [`NewsLayoutCleaner::split`] but filing the removed
    /// pieces in the metadata: the body (a span of `text` when it is one),
    /// the metadata with what was found (taken over from `meta`), and the
    /// removed pieces in text order.
    fn split_parts(&self, text: &str, meta: Meta) -> (Body, Meta, Vec<RemovedPiece>) {
        let mut split = Split {
            paragraphs: paragraphs(text),
            meta,
            removed: Vec::new(),
        };
        self.normalize_stored_dateline(&mut split.meta);
        let body_start = self.split_head(&mut split);
        self.split_everywhere(&mut split, body_start);
        self.split_tail(&mut split, body_start);

        let body = if split.removed.is_empty() {
            Body::Span(0..text.len())
        } else if let Some(span) = body_span(&split.paragraphs, text) {
            Body::Span(span)
        } else {
            Body::Rendered(render_body(&split.paragraphs, text.len()))
        };
        let mut meta = split.meta;
        if self.config.record_crossheads {
            record_crossheads(body.as_str(text), &mut meta);
        }
        split.removed.sort_by_key(|(i, _)| *i);
        let removed: Vec<RemovedPiece> = split.removed.into_iter().map(|(_, r)| r).collect();
        (body, meta, removed)
    }

    /// Reduces a loader's wire-form dateline (`"SALVADOR, Feb 26 -"`) to its place.
    fn normalize_stored_dateline(&self, meta: &mut Meta) {
        let Some(stored) = meta.dateline.as_deref() else {
            return;
        };
        let Some(d) = parse_stored_dateline(stored) else {
            return;
        };
        if d.place == stored {
            return;
        }
        // The place takes the stored dateline's field, which moves to `extra`.
        let stored = meta.dateline.replace(d.place).unwrap_or_default();
        meta.extra
            .insert("dateline_raw".into(), serde_json::Value::String(stored));
        if let Some(date) = d.date {
            meta.extra
                .insert("dateline_date".into(), serde_json::Value::String(date));
        }
        if meta.credit.is_none() {
            meta.credit = d.credit;
        }
    }

    /// Whether a dateline may be taken: no dateline known yet, or the same place.
    fn dateline_fits(&self, meta: &Meta, d: &Dateline) -> bool {
        meta.dateline
            .as_deref()
            .is_none_or(|known| known.eq_ignore_ascii_case(&d.place))
    }

    /// Splits the head; returns the index of the first body paragraph.
    ///
    /// Every decision depends only on the paragraphs and on what `meta`
    /// holds, never on how many paragraphs came before, so a second pass
    /// over the body finds nothing new: a headline is only detected while
    /// no headline, byline or dateline is known.
    fn split_head(&self, split: &mut Split<'_>) -> usize {
        let mut headline_in_text = false;
        // The key of the known headline, made once (see `repeats_headline`).
        let mut headline_key = None;
        let mut byline_or_dateline_seen = false;
        let mut subheadlines = 0;
        let mut i = 0;
        while i < split.paragraphs.len() {
            let p = split.paragraphs[i].content();
            let probe = Probe::new(p);
            if self.patterns.probe_is_list_heading(&probe) {
                i = self.remove_list(split, i);
                continue;
            } else if self.patterns.probe_is_debris(&probe) {
                split.remove(i, RemovedKind::Debris);
            } else if self.patterns.probe_is_caption(&probe) {
                split.remove(i, RemovedKind::Caption);
            } else if let Some(b) = parse_byline(p) {
                byline_or_dateline_seen = true;
                split.remove(i, RemovedKind::Byline);
                if split.meta.byline.is_none() {
                    split.meta.byline = Some(b.names);
                }
                if split.meta.credit.is_none() {
                    split.meta.credit = b.agency;
                }
            } else if let Some(d) = parse_dateline(p).filter(|d| {
                self.dateline_fits(&split.meta, d)
                    && (d.has_separator || !self.dateline_follows(split, i))
            }) {
                byline_or_dateline_seen = true;
                split.apply_dateline(&d);
                if d.len >= p.len() {
                    split.remove(i, RemovedKind::Dateline);
                } else {
                    // Cut the dateline and look at the rest again (it may
                    // open with a repeated dateline, or be debris).
                    let paragraph = &mut split.paragraphs[i];
                    let rest = &paragraph.text[paragraph.cut..];
                    let lead = rest.len() - rest.trim_start().len();
                    paragraph.cut += lead + d.len;
                    paragraph.modified = true;
                    split.removed.push((
                        i,
                        RemovedPiece {
                            kind: RemovedKind::Dateline,
                            text: p[..d.len].trim().to_string(),
                        },
                    ));
                    continue;
                }
            } else if repeats_headline(&split.meta, &mut headline_key, p) {
                headline_in_text = true;
                split.remove(i, RemovedKind::Headline);
            } else if self.config.detect_headline
                && split.meta.headline.is_none()
                && split.meta.byline.is_none()
                && split.meta.dateline.is_none()
                && is_title_like(p, self.config.max_headline_words)
                && !ends_with_question_or_exclamation(p)
                && self.body_follows(split, i)
            {
                headline_in_text = true;
                split.meta.headline = Some(p.to_string());
                headline_key = None;
                split.remove(i, RemovedKind::Headline);
            } else if headline_in_text
                && !byline_or_dateline_seen
                && subheadlines < MAX_SUBHEADLINES
                && self.is_subheadline(split, i, p)
            {
                subheadlines += 1;
                split.meta.subheadlines.push(p.to_string());
                split.remove(i, RemovedKind::Subheadline);
            } else {
                return i;
            }
            i += 1;
        }
        i
    }

    /// Whether the paragraph after `i` opens with a dateline (then a
    /// place-like line at `i`, `"KINGSBRIDGE, MASCO SET MERGER"`, is a
    /// headline, not a second dateline).
    fn dateline_follows(&self, split: &Split<'_>, i: usize) -> bool {
        split
            .paragraphs
            .get(i + 1)
            .and_then(|p| parse_dateline(p.content()))
            .is_some_and(|d| d.has_separator)
    }

    /// Whether paragraph `i` (text `p`), under a headline, is a sub-headline:
    /// title-like with few digits, followed by another head paragraph
    /// (title-like, caption, byline, dateline, debris) or by the body's
    /// first paragraph.
    fn is_subheadline(&self, split: &Split<'_>, i: usize, p: &str) -> bool {
        if !is_title_like(p, self.config.max_headline_words)
            || digit_percent(p) > MAX_SUBHEADLINE_DIGIT_PERCENT
        {
            return false;
        }
        let Some(next) = split.paragraphs.get(i + 1).map(Paragraph::content) else {
            return false;
        };
        is_body_like(next)
            || is_title_like(next, self.config.max_headline_words)
            || self.patterns.is_caption(next)
            || self.patterns.is_debris(next)
            || parse_byline(next).is_some()
            || parse_dateline(next).is_some()
    }

    /// Whether a body-like paragraph comes after paragraph `i` (judged
    /// without a trailing sign-off, which the tail may cut).
    fn body_follows(&self, split: &Split<'_>, i: usize) -> bool {
        split.paragraphs[i + 1..].iter().any(|p| {
            let content = p.content();
            let content = match self.patterns.trailing_signoff(content) {
                Some(at) => &content[..at],
                None => content,
            };
            is_body_like(content) || parse_dateline(content).is_some()
        })
    }

    /// Splits the tail, from the last paragraph up to `body_start`.
    fn split_tail(&self, split: &mut Split<'_>, body_start: usize) {
        let mut i = split.paragraphs.len();
        while i > body_start {
            i -= 1;
            if split.paragraphs[i].removed {
                continue;
            }
            let p = split.paragraphs[i].content();
            let probe = Probe::new(p);
            if self.patterns.probe_is_signoff(&probe) || self.patterns.probe_is_credit(&probe) {
                split.remove(i, RemovedKind::Credit);
            } else if self.patterns.probe_is_debris(&probe) {
                split.remove(i, RemovedKind::Debris);
            } else if self.patterns.probe_is_caption(&probe) {
                split.remove(i, RemovedKind::Caption);
            } else if let Some(at) = self
                .patterns
                .trailing_signoff(split.paragraphs[i].text)
                .filter(|&at| at > split.paragraphs[i].cut)
            {
                // Cut it and look at what is left of the paragraph again.
                self.cut_trailing_signoff(split, i, at);
                i += 1;
            } else {
                break;
            }
        }
    }

    /// Cuts a sign-off from the end of paragraph `i` (from byte `at`).
    fn cut_trailing_signoff(&self, split: &mut Split<'_>, i: usize, at: usize) {
        let text = split.paragraphs[i].text;
        let signoff = text[at..].trim().to_string();
        split.paragraphs[i].text = text[..at].trim_end();
        split.paragraphs[i].modified = true;
        split.removed.push((
            i,
            RemovedPiece {
                kind: RemovedKind::Credit,
                text: signoff,
            },
        ));
    }

    /// Removes the link list whose heading is paragraph `i` (the heading and
    /// the list items right after it); returns the index after the list.
    fn remove_list(&self, split: &mut Split<'_>, i: usize) -> usize {
        split.remove(i, RemovedKind::Debris);
        let mut j = i + 1;
        while j < split.paragraphs.len()
            && !split.paragraphs[j].removed
            && self.is_list_item(split.paragraphs[j].content())
        {
            split.remove(j, RemovedKind::Debris);
            j += 1;
        }
        j
    }

    /// Whether a paragraph after a list heading is an item of the list:
    /// short, no full stop, and not a byline or a dateline.
    fn is_list_item(&self, p: &str) -> bool {
        self.patterns.is_list_item(p) && parse_byline(p).is_none() && parse_dateline(p).is_none()
    }

    /// Removes debris, captions and link lists anywhere in the body.
    fn split_everywhere(&self, split: &mut Split<'_>, body_start: usize) {
        let mut i = body_start;
        while i < split.paragraphs.len() {
            if split.paragraphs[i].removed {
                i += 1;
                continue;
            }
            let p = split.paragraphs[i].content();
            let probe = Probe::new(p);
            if self.patterns.probe_is_list_heading(&probe) {
                i = self.remove_list(split, i);
                continue;
            }
            if self.patterns.probe_is_debris(&probe) {
                split.remove(i, RemovedKind::Debris);
            } else if self.patterns.probe_is_caption(&probe) {
                split.remove(i, RemovedKind::Caption);
            }
            i += 1;
        }
    }
}

impl DocumentStage for NewsLayoutCleaner {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        if doc.tags.values().any(|layer| !layer.is_empty()) {
            // The text may not change any more: split a copy of the
            // metadata, so a refused change leaves the document as it was.
            let split = self.split(&doc.text, &doc.meta);
            tracing::trace!(doc = %doc.id, removed = split.removed.len(), "news layout split");
            if split.body != doc.text {
                doc.set_text(split.body)?;
            }
            doc.meta = split.meta;
            return Ok(());
        }
        // The metadata is taken over rather than copied, and a body that
        // is a span of the text is cut from it in place.
        let meta = std::mem::take(&mut doc.meta);
        let (body, mut meta, removed) = self.split_parts(&doc.text, meta);
        tracing::trace!(doc = %doc.id, removed = removed.len(), "news layout split");
        file_removed(removed, &mut meta);
        doc.meta = meta;
        let new_text = match body {
            Body::Span(range) if range == (0..doc.text.len()) => None,
            Body::Span(range) => {
                let mut text = std::mem::take(&mut doc.text);
                text.truncate(range.end);
                text.drain(..range.start);
                Some(text)
            }
            Body::Rendered(body) => (body != doc.text).then_some(body),
        };
        if let Some(text) = new_text {
            doc.set_text(text)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> LayoutSplit {
        NewsLayoutCleaner::new(NewsLayoutConfig::default())
            .unwrap()
            .split(text, &Meta::default())
    }

    const BODY_1: &str = "Beijing is pushing Islamabad to allow its own security staff to protect Chinese citizens, sources said.";
    const BODY_2: &str = "Reuters spoke to five Pakistani security and government sources with direct knowledge of the talks.";
    const BODY_3: &str =
        "A spokesman said Reuters had not been told of any plan, and said the talks would go on.";

    #[test]
    fn web_page_debris_is_moved_to_meta_and_the_body_kept() {
        let page = format!(
            "Skip to main content\n\nTalks on security stall in Islamabad\n\nShare this article\n\n\
             (Photo: AFP)\n\nBy Jane Doe and John Roe, Reuters\n\n\
             WASHINGTON, March 3 (Reuters) - {BODY_1}\n\nAdvertisement\n\n{BODY_2}\n\n\
             Related stories\n\nPakistan, China sign deal\n\nKarachi blast kills two\n\n{BODY_3}\n\n\
             Reporting by Jane Doe; Editing by John Roe\n\nWe use cookies to improve your experience.\n\n\
             © 2024 Example News\n\nComments (3)"
        );
        let s = split(&page);
        assert_eq!(s.body, format!("{BODY_1}\n\n{BODY_2}\n\n{BODY_3}"));
        let m = &s.meta;
        assert_eq!(
            m.headline.as_deref(),
            Some("Talks on security stall in Islamabad")
        );
        assert_eq!(m.byline.as_deref(), Some("Jane Doe and John Roe"));
        assert_eq!(m.credit.as_deref(), Some("Reuters"));
        assert_eq!(m.dateline.as_deref(), Some("WASHINGTON"));
        assert_eq!(m.extra["dateline_date"], "March 3");
        assert_eq!(m.captions, ["(Photo: AFP)"]);
        assert_eq!(
            m.debris,
            [
                "Skip to main content",
                "Share this article",
                "Advertisement",
                "Related stories",
                "Pakistan, China sign deal",
                "Karachi blast kills two",
                "We use cookies to improve your experience.",
                "© 2024 Example News",
                "Comments (3)",
            ]
        );
        assert_eq!(
            m.extra["credits"],
            serde_json::json!(["Reporting by Jane Doe; Editing by John Roe"])
        );
        assert_eq!(
            m.extra["layout_removed"].as_array().map(Vec::len),
            Some(s.removed.len())
        );
    }

    #[test]
    fn loader_headline_and_dateline_are_kept_and_matched() {
        let cleaner = NewsLayoutCleaner::new(NewsLayoutConfig::default()).unwrap();
        let meta = Meta {
            headline: Some("Talks Stall".into()),
            dateline: Some("SALVADOR, Feb 26 -".into()),
            ..Meta::default()
        };
        let s = cleaner.split(
            &format!("TALKS STALL\n\nSALVADOR, Feb 26 - {BODY_1}"),
            &meta,
        );
        assert_eq!(s.body, BODY_1);
        assert_eq!(s.meta.headline.as_deref(), Some("Talks Stall"));
        assert_eq!(s.meta.dateline.as_deref(), Some("SALVADOR"));
        assert_eq!(s.meta.extra["dateline_raw"], "SALVADOR, Feb 26 -");
        assert_eq!(s.meta.extra["dateline_date"], "Feb 26");

        // A dateline naming another place is not the known one: kept.
        let other = format!("LONDON (Reuters) - {BODY_1}");
        assert_eq!(cleaner.split(&other, &meta).body, other);
    }

    #[test]
    fn body_paragraphs_mentioning_agencies_or_photos_are_kept() {
        let text = format!(
            "{BODY_2}\n\nThe photo was taken by a Reuters photographer, the agency said.\n\n\
             Share prices fell 3 pct after the report.\n\nBy the end of March, talks had stalled.\n\n\
             Click-through rates rose, officials said.\n\n{BODY_3}"
        );
        let s = split(&text);
        assert_eq!(s.body, text);
        assert!(s.removed.is_empty());
        assert_eq!(s.meta, Meta::default());
    }

    #[test]
    fn user_patterns_are_added_to_the_builtin_ones() {
        let config: NewsLayoutConfig = copydesk_core::parse_options(
            &"debris_lines = [\"more on this story\"]\ncaption_patterns = ['(?i)photo by [\\p{L} .]+$']"
                .parse()
                .unwrap(),
        )
        .unwrap();
        let cleaner = NewsLayoutCleaner::new(config).unwrap();
        let text = format!(
            "{BODY_1}\n\nMore on this story\n\nThe harbour at dawn. Photo by Jane Doe\n\nAdvertisement\n\n{BODY_2}"
        );
        let s = cleaner.split(&text, &Meta::default());
        assert_eq!(s.body, format!("{BODY_1}\n\n{BODY_2}"));
        assert_eq!(s.meta.debris, ["More on this story", "Advertisement"]);
        assert_eq!(s.meta.captions, ["The harbour at dawn. Photo by Jane Doe"]);

        let bare = NewsLayoutCleaner::new(NewsLayoutConfig {
            builtin_patterns: false,
            ..NewsLayoutConfig::default()
        })
        .unwrap();
        let s = bare.split(
            &format!("{BODY_1}\n\nAdvertisement\n\n{BODY_2}"),
            &Meta::default(),
        );
        assert!(s.removed.is_empty());
    }

    #[test]
    fn removed_kinds_are_named_as_serialized() {
        for kind in [
            RemovedKind::Headline,
            RemovedKind::Subheadline,
            RemovedKind::Byline,
            RemovedKind::Dateline,
            RemovedKind::Caption,
            RemovedKind::Debris,
            RemovedKind::Credit,
        ] {
            let piece = RemovedPiece {
                kind,
                text: "x".into(),
            };
            assert_eq!(
                serde_json::to_value(&piece).unwrap(),
                serde_json::json!({"kind": kind.name(), "text": "x"})
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn crossheads_are_found_as_by_lines(
            body in "(GRAVE SECURITY BREACH|Talks stall|A|NEW TALKS|[A-Z ]{0,12}|[a-z]{1,4}|[ \t]{1,2}|\n|\r\n|\r|\n\n|‘|’|É|[0-9.:]){0,14}",
        ) {
            proptest::prop_assert_eq!(crossheads(&body), crossheads_by_lines(&body));
            let pieces: Vec<&str> = split_at_newlines(&body).collect();
            proptest::prop_assert_eq!(pieces, body.split('\n').collect::<Vec<_>>());
        }

        #[test]
        fn body_spans_are_what_render_body_writes(
            parts in proptest::collection::vec(
                (
                    "(Reuter|[A-Za-z]{1,6}( [a-z.,]{1,5}){0,4}|  [0-9]{1,3}   [0-9]{1,2})",
                    proptest::sample::select(vec!["\n", "\n\n", "\n\n\n", " \n", "\n \n", "\r\n", "\t\n"]),
                    proptest::bits::u8::ANY,
                ),
                0..8,
            ),
        ) {
            let text: String = parts.iter().map(|(l, e, _)| format!("{l}{e}")).collect();
            let mut list = paragraphs(&text);
            for (p, (_, _, flags)) in list.iter_mut().zip(&parts) {
                p.removed = flags & 3 == 0;
                if flags & 12 == 0 && !p.removed {
                    p.modified = true;
                    p.cut = p.text.len().min(2);
                }
            }
            for p in &list {
                proptest::prop_assert_eq!(&text[p.start..p.start + p.text.len()], p.text);
            }
            if let Some(range) = body_span(&list, &text) {
                proptest::prop_assert_eq!(&text[range], render_body(&list, text.len()));
            }
        }
    }

    #[test]
    fn a_lone_short_line_is_not_a_headline() {
        let s = split("Talks stall in Islamabad");
        assert_eq!(s.meta.headline, None);
        assert_eq!(s.body, "Talks stall in Islamabad");
    }

    #[test]
    fn sign_off_after_a_table_row_is_cut() {
        let s = split(&format!(
            "{BODY_1}\n\n Jun 13.0, total 55.8 (33.7).        REUTER"
        ));
        assert_eq!(s.body, format!("{BODY_1}\n\nJun 13.0, total 55.8 (33.7)."));
        assert_eq!(s.meta.extra["credits"], serde_json::json!(["REUTER"]));
    }
}
