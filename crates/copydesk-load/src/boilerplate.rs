//! Boilerplate that survives main-text extraction: blocks that are mostly
//! links (related stories, category and tag lists), the stock lines of
//! news sites (newsletter and app promotions, "Read more:" teasers,
//! copyright lines) and contributor credits ("Reporting by ...").
//!
//! The extractor's output has lost its links, so link density is looked
//! up in the original page: every block of the page is rendered the same
//! way as the extracted article ([`crate::render`]) and keyed by its text.
//!
//! Removed blocks are not lost: the extractor puts boilerplate in
//! `meta.debris` and credits in `meta.extra["credits"]`.

use crate::render::{Block, BlockKind, document_blocks, page_blocks};
use regex::{Regex, RegexSet};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A block whose share of characters inside links is at least this is a
/// link block (a related story, a category, a tag list).
const LINK_BLOCK_DENSITY: f64 = 0.8;
/// Link blocks longer than this many words are kept: a paragraph that is
/// one long link is rare in navigation and common in quoted material.
const LINK_BLOCK_MAX_WORDS: usize = 30;
/// Stock lines are recognised only in blocks up to this many words.
const STOCK_LINE_MAX_WORDS: usize = 45;
/// A short block between two link blocks (a related story's standfirst)
/// goes with them when it has at most this many words.
const LIST_ITEM_MAX_WORDS: usize = 25;

/// The link density of each block of a page, by the block's text.
#[derive(Debug, Default)]
pub struct PageLinks {
    density: HashMap<String, f64>,
}

impl PageLinks {
    /// Renders `html` (a whole page) and records each block's link density.
    /// Text found in several blocks keeps its lowest density (once as
    /// plain text is enough to be text).
    pub fn of_page(html: &str) -> Self {
        Self::of_blocks(page_blocks(html))
    }

    /// The same, from the page as the extractor parsed it.
    pub fn of_document(doc: &trafilatura::dom::Document) -> Self {
        Self::of_blocks(document_blocks(doc))
    }

    fn of_blocks(blocks: Vec<Block>) -> Self {
        let mut density: HashMap<String, f64> = HashMap::new();
        for block in blocks {
            let d = block.link_density();
            density
                .entry(key(&block.text))
                .and_modify(|old| *old = old.min(d))
                .or_insert(d);
        }
        PageLinks { density }
    }

    /// The link density of the page's block with this text, if the page
    /// has one.
    pub fn density(&self, text: &str) -> Option<f64> {
        self.density.get(&key(text)).copied()
    }
}

/// Whitespace-collapsed text, the lookup key of a block.
fn key(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Why a block was taken out of the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boilerplate {
    /// Mostly links in the page (related stories, categories, tags).
    LinkBlock,
    /// A short block inside a list of link blocks.
    ListItem,
    /// A stock line of news sites (promotion, teaser, copyright).
    StockLine,
    /// A contributor or source credit ("Reporting by ...; Editing by ...",
    /// "SOURCE: News agencies").
    Credit,
    /// A line that only dates the page ("Published 18 November 2019",
    /// "Updated at 1:23 p.m.", "11/19/2019 by Lars Brandle").
    DateLine,
    /// Only e-mail addresses and social-media handles (a reporter's contacts).
    Contact,
}

/// Lines that news sites print around articles, matched on the start of a
/// short block (case-insensitive): teasers for other stories, newsletter,
/// app and social-media promotions, comment prompts, copyright notices,
/// reading-time and tag labels. English first, then the common phrasings
/// of other languages.
const STOCK_LINE_PATTERNS: &[&str] = &[
    r"^\[?(related|related articles?|related stories|related posts?|more|see also|also|also on \S+|also read|read more|read also|see more|more from \S+|more on this|don'?t miss|must read|recommended|trending|watch|listen|explore further)\s*:",
    r"^(read more|see more|don'?t miss|you may also like|you might also like|more stories|more from|most read|most popular|popular on|recommended for you|trending now|related coverage|explore further|continue reading( below)?|advertisement|sponsored|story continues below|share this|like this story|post comment|leave a comment|comments?|tags?|filed under|categories|posted in)\b\W*$",
    r"^(filed under|tags?|categories|posted in|published|first published|updated|last updated)\s*:",
    r"^(sign up|subscribe)\b.*\b(newsletters?|inbox|e-?mail|updates|alerts)\b",
    r"^(get the latest|get our|download the|get (the )?\S+ (app|newsletter)|follow us|follow @|like us on|join us on)\b",
    r"\b(sign up for|subscribe to) (our|the|\S+['’]s?) (\S+ )*(newsletters?|email|podcast)\b",
    r"\bfollow (him|her|them|us|\S+) on (twitter|facebook|instagram)\b",
    r"\bclick here (to|for)\b",
    r"^(copyright|©|\(c\) )|\ball rights reserved\b",
    r"^\d+\s*(min|minute|minutes|mins)\s+read$|^(reading time|tempo de leitura|tiempo de lectura|lesezeit|temps de lecture)\s*:",
];

/// Contributor credits at the foot of wire stories.
const CREDIT_PATTERNS: &[&str] = &[
    r"^\(?(additional )?(reporting|writing|editing|research) by\b",
    r"\bcontributed (to this report|reporting|to this story)\b",
    r"^sources?\s*:",
];

/// A date in a line: a month name next to a day or year, or a numeric
/// date.
const DATE_PATTERN: &str = r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,4}\b|\b\d{1,2}\.?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b|\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b";
/// A clock time: a date line by itself only with a label ("Updated at 1:23 p.m.").
const TIME_PATTERN: &str =
    r"(?i)^(published|updated|posted|last updated|first published)\b.*\b\d{1,2}:\d{2}\b";
/// Words a date line may hold besides the date and a byline.
const DATE_LINE_WORDS: &[&str] = &[
    "published",
    "updated",
    "posted",
    "last",
    "first",
    "modified",
    "on",
    "at",
    "by",
    "am",
    "pm",
    "a.m.",
    "p.m.",
    "and",
    "|",
];
/// Date lines are at most this many words.
const DATE_LINE_MAX_WORDS: usize = 12;

fn stock_lines() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| case_insensitive(STOCK_LINE_PATTERNS))
}

fn credits() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| case_insensitive(CREDIT_PATTERNS))
}

fn case_insensitive(patterns: &[&str]) -> RegexSet {
    let patterns = patterns.iter().map(|p| format!("(?i){p}"));
    // The patterns are constants checked by a test; an empty set (never
    // reached) matches nothing.
    RegexSet::new(patterns).unwrap_or_else(|_| RegexSet::empty())
}

/// Whether the text is a web address (a cited source, kept as text).
fn is_url(text: &str) -> bool {
    static URL: OnceLock<Option<Regex>> = OnceLock::new();
    URL.get_or_init(|| Regex::new(r"^(https?://|www\.)\S+$").ok())
        .as_ref()
        .is_some_and(|re| re.is_match(text.trim()))
}

/// Whether a short block only dates the page: it holds a date, does not
/// end like a sentence, and its other lowercase words are the labels of a
/// date line ("published", "updated", "by", ...).
fn is_date_line(text: &str) -> bool {
    static DATE: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(date) = DATE.get_or_init(|| Regex::new(DATE_PATTERN).ok()).as_ref() else {
        return false;
    };
    static TIME: OnceLock<Option<Regex>> = OnceLock::new();
    let labelled_time = |t: &str| {
        TIME.get_or_init(|| Regex::new(TIME_PATTERN).ok())
            .as_ref()
            .is_some_and(|re| re.is_match(t))
    };
    let text = text.trim();
    // "— Name (@handle) November 4, 2019" signs an embedded post: content.
    if words(text) > DATE_LINE_MAX_WORDS
        || text.starts_with(['—', '–', '-'])
        || !(date.is_match(text) || labelled_time(text))
    {
        return false;
    }
    let lower = text.to_lowercase();
    let ends_like_sentence = lower.ends_with(['.', '!', '?', '"', '”'])
        && !lower.ends_with("a.m.")
        && !lower.ends_with("p.m.");
    if ends_like_sentence {
        return false;
    }
    let stripped = date.replace_all(&lower, " ");
    let other_lowercase = stripped
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '|' && c != '.'))
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .filter(|w| !DATE_LINE_WORDS.contains(w) && !is_weekday_or_month(w))
        .count();
    // Names in a byline are capitalised in the original text.
    let capitalised_words_ok = text
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .count()
        <= other_lowercase + DATE_LINE_MAX_WORDS;
    other_lowercase == 0 && capitalised_words_ok
}

fn is_weekday_or_month(word: &str) -> bool {
    const NAMES: &[&str] = &[
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "jan",
        "feb",
        "mar",
        "apr",
        "may",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "pst",
        "est",
        "edt",
        "pdt",
        "gmt",
        "utc",
        "bst",
        "cet",
    ];
    NAMES.contains(&word.trim_end_matches('.'))
}

/// Whether every word is an e-mail address or a social-media handle.
fn is_contact_line(text: &str) -> bool {
    let mut any = false;
    for w in text.split_whitespace() {
        let w = w.trim_matches(|c: char| matches!(c, ',' | ';' | '(' | ')' | '|'));
        let email = w.contains('@') && !w.starts_with('@') && w.contains('.');
        let handle = w.len() > 1 && w.starts_with('@');
        if w.is_empty() {
            continue;
        }
        if !(email || handle) {
            return false;
        }
        any = true;
    }
    any
}

fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// What one block is, seen alone.
fn classify_alone(block: &Block, links: &PageLinks) -> Option<Boilerplate> {
    let n = words(&block.text);
    let density = links.density(&block.text).unwrap_or(0.0);
    if density >= LINK_BLOCK_DENSITY && n <= LINK_BLOCK_MAX_WORDS && !is_url(&block.text) {
        return Some(Boilerplate::LinkBlock);
    }
    if n <= STOCK_LINE_MAX_WORDS {
        let flat = key(&block.text);
        if credits().is_match(&flat) {
            return Some(Boilerplate::Credit);
        }
        if stock_lines().is_match(&flat) {
            return Some(Boilerplate::StockLine);
        }
        if is_date_line(&flat) {
            return Some(Boilerplate::DateLine);
        }
        if is_contact_line(&flat) {
            return Some(Boilerplate::Contact);
        }
    }
    None
}

/// The verdict on every block, in order: each block alone, then in its
/// neighbourhood. A linked heading that opens a section of the article
/// (two or more text blocks before the next heading) is the section's
/// title, not a related-story link; a short block between two link blocks
/// is part of their list.
pub fn classify_all(blocks: &[Block], links: &PageLinks) -> Vec<Option<Boilerplate>> {
    let mut verdicts: Vec<Option<Boilerplate>> =
        blocks.iter().map(|b| classify_alone(b, links)).collect();
    for i in 0..blocks.len() {
        if verdicts[i] != Some(Boilerplate::LinkBlock)
            || !matches!(blocks[i].kind, BlockKind::Heading(_))
        {
            continue;
        }
        let section = blocks[i + 1..]
            .iter()
            .zip(&verdicts[i + 1..])
            .take_while(|(b, v)| b.kind == BlockKind::Text && v.is_none())
            .count();
        if section >= 2 {
            verdicts[i] = None;
        }
    }
    for i in 1..blocks.len().saturating_sub(1) {
        let is_link = |v: Option<Boilerplate>| v == Some(Boilerplate::LinkBlock);
        if verdicts[i].is_none()
            && is_link(verdicts[i - 1])
            && is_link(verdicts[i + 1])
            && words(&blocks[i].text) <= LIST_ITEM_MAX_WORDS
        {
            verdicts[i] = Some(Boilerplate::ListItem);
        }
    }
    verdicts
}

/// One extracted block with what [`classify_all`] made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainedBlock {
    /// The block.
    pub block: Block,
    /// Its link density in the page (`None`: not found in the page).
    pub page_link_density: Option<f64>,
    /// Why it is boilerplate, if it is.
    pub verdict: Option<Boilerplate>,
}

/// Every block with its verdict, for looking into extraction results.
pub fn explain(blocks: Vec<Block>, links: &PageLinks) -> Vec<ExplainedBlock> {
    let verdicts = classify_all(&blocks, links);
    blocks
        .into_iter()
        .zip(verdicts)
        .map(|(block, verdict)| ExplainedBlock {
            page_link_density: links.density(&block.text),
            verdict,
            block,
        })
        .collect()
}

/// The blocks split into the article and what was taken out of it (with
/// the reason), both in order.
pub fn split_boilerplate(
    blocks: Vec<Block>,
    links: &PageLinks,
) -> (Vec<Block>, Vec<(Block, Boilerplate)>) {
    let verdicts = classify_all(&blocks, links);
    let mut kept = Vec::with_capacity(blocks.len());
    let mut removed = Vec::new();
    for (block, verdict) in blocks.into_iter().zip(verdicts) {
        match verdict {
            None => kept.push(block),
            Some(why) => removed.push((block, why)),
        }
    }
    (kept, removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::html_blocks;
    use proptest::prelude::*;

    fn verdicts(page: &str, article: &str) -> Vec<(String, Option<Boilerplate>)> {
        let links = PageLinks::of_page(page);
        explain(html_blocks(article), &links)
            .into_iter()
            .map(|e| (e.block.text, e.verdict))
            .collect()
    }

    const STORY: &str = "<p>The council approved the new budget on Tuesday after a long debate about school funding and road repairs in the northern districts.</p>";

    #[test]
    fn pattern_sets_compile() {
        for p in STOCK_LINE_PATTERNS.iter().chain(CREDIT_PATTERNS) {
            assert!(Regex::new(&format!("(?i){p}")).is_ok(), "{p}");
        }
        assert!(Regex::new(DATE_PATTERN).is_ok());
        assert!(Regex::new(TIME_PATTERN).is_ok());
        assert_eq!(stock_lines().len(), STOCK_LINE_PATTERNS.len());
    }

    #[test]
    fn related_links_go_and_linked_section_titles_stay() {
        let page = format!(
            "<html><body><article>{STORY}<p>Related: <a href='/x'>Council backs school plan in first vote</a></p>\
             <h3><a href='/p'>Acme Charger 60W</a></h3><p>A charger that fills a laptop in an hour.</p><p>It costs $40 and comes in two colours.</p>\
             </article><ul><li><a href='/a'>Storm closes bridge</a></li><li>Traffic diverted for days</li><li><a href='/b'>Mayor resigns</a></li></ul></body></html>"
        );
        let article = format!(
            "{STORY}<p>Related: Council backs school plan in first vote</p><h3>Acme Charger 60W</h3>\
             <p>A charger that fills a laptop in an hour.</p><p>It costs $40 and comes in two colours.</p>\
             <ul><li>Storm closes bridge</li><li>Traffic diverted for days</li><li>Mayor resigns</li></ul>"
        );
        let got = verdicts(&page, &article);
        let of = |t: &str| got.iter().find(|(x, _)| x == t).map(|(_, v)| *v).unwrap();
        assert_eq!(
            of("Related: Council backs school plan in first vote"),
            Some(Boilerplate::LinkBlock)
        );
        assert_eq!(of("Acme Charger 60W"), None);
        assert_eq!(of("Storm closes bridge"), Some(Boilerplate::LinkBlock));
        assert_eq!(of("Traffic diverted for days"), Some(Boilerplate::ListItem));
        assert_eq!(of("Mayor resigns"), Some(Boilerplate::LinkBlock));
        assert_eq!(got[0].1, None);
    }

    #[test]
    fn cited_addresses_are_kept() {
        let page = "<p><a href='http://example.org/report'>http://example.org/report</a></p>";
        assert_eq!(verdicts(page, page)[0].1, None);
    }

    #[test]
    fn stock_lines_credits_dates_and_contacts() {
        let cases = [
            (
                "Sign up for our daily newsletter to get the news in your inbox.",
                Some(Boilerplate::StockLine),
            ),
            (
                "READ MORE: Council approves budget",
                Some(Boilerplate::StockLine),
            ),
            ("Continue Reading Below", Some(Boilerplate::StockLine)),
            (
                "Follow her on Twitter @reporter.",
                Some(Boilerplate::StockLine),
            ),
            (
                "(Reporting by Jane Doe; Editing by John Roe)",
                Some(Boilerplate::Credit),
            ),
            (
                "Associated Press writer Ann Lee contributed to this report.",
                Some(Boilerplate::Credit),
            ),
            ("SOURCE: News agencies", Some(Boilerplate::Credit)),
            ("Published 18 November 2019", Some(Boilerplate::DateLine)),
            ("Updated at 1:23 p.m.", Some(Boilerplate::DateLine)),
            ("October 12, 2017", Some(Boilerplate::DateLine)),
            ("jane.doe@example.com @janedoe", Some(Boilerplate::Contact)),
            // Article sentences that share words with the patterns.
            (
                "Subscribers to the service fell by a third, the company said.",
                None,
            ),
            ("The deal closed on October 12, 2017.", None),
            ("4:14 p.m.", None),
            ("— Newsroom (@newsroom) November 4, 2019", None),
            ("Sign up for a streaming account for $11.99 a month", None),
            (
                "Related parties must disclose their holdings, the regulator said.",
                None,
            ),
        ];
        for (text, want) in cases {
            let html = format!("<p>{text}</p>");
            assert_eq!(verdicts(&html, &html)[0].1, want, "{text}");
        }
    }

    #[test]
    fn split_keeps_order_and_loses_nothing() {
        let page = format!("{STORY}<p>Continue Reading Below</p>{STORY}");
        let blocks = html_blocks(&page);
        let n = blocks.len();
        let (kept, removed) = split_boilerplate(blocks, &PageLinks::of_page(&page));
        assert_eq!(kept.len() + removed.len(), n);
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].0.text, "Continue Reading Below");
    }

    proptest! {
        #[test]
        fn any_markup_is_classified_without_panic(
            page in "(<p>|</p>|<a>|</a>|<li>|<h2>|</h2>|\\PC{0,12}|Read more: |2019 |@x ){0,24}",
        ) {
            let links = PageLinks::of_page(&page);
            let blocks = html_blocks(&page);
            let n = blocks.len();
            let (kept, removed) = split_boilerplate(blocks, &links);
            prop_assert_eq!(kept.len() + removed.len(), n);
        }
    }
}
