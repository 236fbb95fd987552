//! Property tests of the three clean stages: no panics, idempotence, no
//! carriage returns or control characters, nothing lost by the layout
//! cleaner, and realistic generated articles split exactly.

use copydesk_clean::{
    NewsLayoutCleaner, NewsLayoutConfig, NormalizationForm, UnicodeCleanerConfig,
    normalize_unicode, unwrap_text,
};
use copydesk_core::{Document, DocumentStage, Meta, Source};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::OnceLock;
#[path = "support/mojibake.rs"]
mod mojibake;
use mojibake::as_windows_1252;

fn layout() -> &'static NewsLayoutCleaner {
    static CLEANER: OnceLock<NewsLayoutCleaner> = OnceLock::new();
    CLEANER.get_or_init(|| NewsLayoutCleaner::new(NewsLayoutConfig::default()).unwrap())
}

/// Characters that stress the cleaners: controls, invisible characters,
/// exotic spaces, mojibake pieces, combining marks, compatibility forms.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range(' ', '~'),
        2 => Just('\n'),
        1 => prop::sample::select(vec![
            '\r', '\t', '\u{0}', '\u{7}', '\u{b}', '\u{c}', '\u{85}', '\u{81}', '\u{9d}',
            '\u{a0}', '\u{ad}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{200e}', '\u{2028}',
            '\u{2029}', '\u{202f}', '\u{2060}', '\u{3000}', '\u{feff}', '\u{301}', '\u{308}',
            'Ã', 'Â', 'â', 'Å', 'ï', '»', '¿', '©', '€', '™', '’', '“', '”', '–', '—', '…',
            '‚', 'œ', 'é', 'ß', 'ﬁ', '２', '\u{212a}', '\u{37e}', 'K', '👩', 'ی', 'म',
        ]),
        1 => any::<char>(),
    ]
}

fn tricky_text() -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..120).prop_map(|v| v.into_iter().collect())
}

/// Lines built from debris, captions, datelines, bylines and prose, so the
/// layout cleaner's rules fire on arbitrary mixtures.
fn layoutish_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Load Next Story0".to_string()),
        Just("Advertisement".to_string()),
        Just("Related stories".to_string()),
        Just("Reuter".to_string()),
        Just("Reporting by Jane Doe; Editing by John Roe".to_string()),
        Just("By Asif Shahzad".to_string()),
        Just("ISLAMABAD:".to_string()),
        Just("ISLAMABAD (Reuters) – ".to_string()),
        Just("WASHINGTON, March 3 (Reuters) - ".to_string()),
        Just("Pakistan-China cooperation. - Reuters/file".to_string()),
        Just("(Photo: AFP)".to_string()),
        Just("China proposes own security: report".to_string()),
        Just("‘GRAVE SECURITY BREACH’".to_string()),
        Just("Beijing is pushing Islamabad to allow its own staff, sources said.".to_string()),
        Just("Jun 13.0, total 55.8 (33.7).        REUTER".to_string()),
        "[A-Za-z ,.:()’-]{0,40}",
        tricky_text(),
    ];
    let sep = prop::sample::select(vec!["\n", "\n\n", " ", "\n\n\n", "\n  "]);
    prop::collection::vec((piece, sep), 0..12)
        .prop_map(|parts| parts.into_iter().map(|(p, s)| format!("{p}{s}")).collect())
}

fn is_forbidden_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Non-blank, non-control characters in order.
fn visible(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect()
}

/// Non-blank characters, counted.
fn visible_counts<'a>(pieces: impl IntoIterator<Item = &'a str>) -> BTreeMap<char, usize> {
    let mut counts = BTreeMap::new();
    for piece in pieces {
        for c in piece.chars().filter(|c| !c.is_whitespace()) {
            *counts.entry(c).or_default() += 1;
        }
    }
    counts
}

fn run_layout(text: &str, meta: Meta) -> Document {
    let mut doc = Document::new("p", Source::default(), text);
    doc.meta = meta;
    layout().process(&mut doc).unwrap();
    doc
}

fn pipeline(raw: &str) -> Document {
    clean_again(Document::new("p", Source::default(), raw))
}

/// Runs the three stages over a document (its metadata kept).
fn clean_again(mut doc: Document) -> Document {
    let text = unwrap_text(&normalize_unicode(
        &doc.text,
        &UnicodeCleanerConfig::default(),
    ));
    doc.set_text(text).unwrap();
    layout().process(&mut doc).unwrap();
    doc
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn unicode_cleaning_is_idempotent_and_clean(s in tricky_text(), nfkc: bool, ascii: bool, mojibake: bool) {
        let config = UnicodeCleanerConfig {
            form: if nfkc { NormalizationForm::Nfkc } else { NormalizationForm::Nfc },
            fix_mojibake: mojibake,
            ascii_punctuation: ascii,
        };
        let once = normalize_unicode(&s, &config);
        prop_assert_eq!(normalize_unicode(&once, &config), once.clone());
        prop_assert!(!once.contains('\r'));
        prop_assert!(!once.chars().any(is_forbidden_control), "{:?}", once);
        let invisible = ['\u{feff}', '\u{200b}', '\u{a0}', '\u{2028}'];
        prop_assert!(!once.chars().any(|c| invisible.contains(&c)), "{:?}", once);
    }

    #[test]
    fn unwrapping_is_idempotent_and_only_touches_whitespace(s in tricky_text()) {
        let once = unwrap_text(&s);
        prop_assert_eq!(unwrap_text(&once), once.clone());
        prop_assert!(!once.contains('\r'));
        prop_assert!(!once.chars().any(is_forbidden_control), "{:?}", once);
        prop_assert!(!once.contains("\n\n\n"));
        // No blank line at the start, no blanks at the end; a table row
        // keeps its indentation, even at the start ("\t!\t \0a").
        prop_assert_eq!(once.trim_end(), once.as_str());
        prop_assert!(!once.starts_with('\n'));
        prop_assert_eq!(visible(&once), visible(&s));
    }

    #[test]
    fn unwrapping_generated_wrapped_text_is_idempotent(s in layoutish_text()) {
        let once = unwrap_text(&s);
        prop_assert_eq!(unwrap_text(&once), once.clone());
        prop_assert_eq!(visible(&once), visible(&s));
    }

    #[test]
    fn layout_cleaning_is_idempotent_and_loses_nothing(s in prop_oneof![layoutish_text(), tricky_text()]) {
        let once = run_layout(&s, Meta::default());
        let twice = run_layout(&once.text, once.meta.clone());
        prop_assert_eq!(&twice.text, &once.text);
        prop_assert_eq!(&twice.meta, &once.meta);

        // Body plus removed pieces hold every non-blank character of the input.
        let removed: Vec<String> = once
            .meta
            .extra
            .get("layout_removed")
            .and_then(|v| v.as_array())
            .map(|list| list.iter().map(|r| r["text"].as_str().unwrap_or_default().to_string()).collect())
            .unwrap_or_default();
        let mut pieces: Vec<&str> = vec![once.text.as_str()];
        pieces.extend(removed.iter().map(String::as_str));
        prop_assert_eq!(visible_counts(pieces), visible_counts([s.as_str()]));
    }

    #[test]
    fn pipeline_output_is_stable_and_clean(s in prop_oneof![layoutish_text(), tricky_text()]) {
        let once = pipeline(&s);
        prop_assert!(!once.text.contains('\r'));
        prop_assert!(!once.text.chars().any(is_forbidden_control), "{:?}", once.text);
        let again = clean_again(once.clone());
        prop_assert_eq!(&again, &once);
    }
}

/// A realistic article: its parts and the page text built from them.
#[derive(Debug, Clone)]
struct Article {
    headline: Option<String>,
    subheadline: Option<String>,
    caption: Option<String>,
    byline: Option<String>,
    dateline: Option<(String, DatelineStyle)>,
    body: Vec<String>,
    debris: Vec<String>,
    credit_line: Option<String>,
    layout: PageLayout,
}

#[derive(Debug, Clone, Copy)]
enum DatelineStyle {
    /// `PLACE (Reuters) – ` opening the first paragraph.
    Inline,
    /// `PLACE:` on its own line.
    Alone,
    /// `PLACE, March 3 (Reuters) - ` opening the first paragraph.
    WithDate,
}

#[derive(Debug, Clone, Copy)]
enum PageLayout {
    /// One paragraph per line, blank lines between.
    Blank,
    /// One paragraph per line, no blank lines (as seed 000).
    Lines,
    /// Hard-wrapped at a width, blank lines between paragraphs.
    WrappedBlank(usize),
    /// Hard-wrapped at a width, paragraphs start indented (as Reuters-21578).
    WrappedIndented(usize),
}

const WORDS: &[&str] = &[
    "the",
    "talks",
    "officials",
    "security",
    "agreement",
    "government",
    "would",
    "with",
    "minister",
    "plans",
    "economic",
    "province",
    "attack",
    "project",
    "ports",
    "investment",
    "after",
    "before",
    "against",
    "meeting",
    "week",
    "month",
    "deal",
    "billion",
    "dollars",
    "engineers",
    "airport",
    "bombing",
    "strategy",
    "cooperation",
    "sources",
    "militants",
    "corridor",
    "protection",
    "workers",
    "reforms",
    "prices",
    "market",
    "shares",
    "rose",
];
const NAMES: &[&str] = &[
    "Beijing",
    "Islamabad",
    "Karachi",
    "Reuters",
    "Pakistan",
    "China",
    "Li",
    "Xi",
    "Thailand",
];
const PLACES: &[&str] = &[
    "ISLAMABAD",
    "WASHINGTON",
    "NEW YORK",
    "RIO DE JANEIRO",
    "KARACHI",
];

fn sentence() -> impl Strategy<Value = String> {
    (
        prop::sample::select(NAMES),
        prop::collection::vec(
            prop_oneof![4 => prop::sample::select(WORDS), 1 => prop::sample::select(NAMES)],
            7..16,
        ),
        prop::sample::select(vec![
            "",
            ", sources said",
            ", Reuters reported",
            ", the official said",
        ]),
        any::<bool>(),
    )
        .prop_map(|(first, words, tail, quoted)| {
            let s = format!("{first} {}{tail}.", words.join(" "));
            if quoted { format!("“{s}”") } else { s }
        })
}

fn paragraph() -> impl Strategy<Value = String> {
    prop::collection::vec(sentence(), 2..4).prop_map(|s| s.join(" "))
}

fn title() -> impl Strategy<Value = String> {
    (
        prop::sample::select(NAMES),
        prop::collection::vec(prop::sample::select(WORDS), 2..8),
    )
        .prop_map(|(first, words)| format!("{first} {}", words.join(" ")))
}

fn article() -> impl Strategy<Value = Article> {
    let dateline = prop::option::of((
        prop::sample::select(PLACES).prop_map(str::to_string),
        prop_oneof![
            Just(DatelineStyle::Inline),
            Just(DatelineStyle::Alone),
            Just(DatelineStyle::WithDate)
        ],
    ));
    let layout = prop_oneof![
        Just(PageLayout::Blank),
        Just(PageLayout::Lines),
        (60usize..80).prop_map(PageLayout::WrappedBlank),
        (60usize..80).prop_map(PageLayout::WrappedIndented),
    ];
    (
        (
            prop::option::of(title()),
            prop::option::of(title()),
            prop::option::of(prop::sample::select(vec![
                "Pakistan-China cooperation. - Reuters/file".to_string(),
                "(Photo: AFP)".to_string(),
                "File photo: Soldiers stand guard at the airport.".to_string(),
            ])),
            prop::option::of(prop::sample::select(vec![
                "Asif Shahzad".to_string(),
                "Jane Doe and John Roe".to_string(),
            ])),
        ),
        dateline,
        prop::collection::vec(paragraph(), 2..7),
        prop::collection::vec(
            prop::sample::select(vec![
                "Load Next Story".to_string(),
                "Share this article".to_string(),
                "Advertisement".to_string(),
                "Follow us on Twitter".to_string(),
            ]),
            0..3,
        ),
        prop::option::of(Just(
            "Reporting by Asif Shahzad; Editing by Raju Gopalakrishnan".to_string(),
        )),
        layout,
    )
        .prop_map(
            |((headline, sub, caption, byline), dateline, body, debris, credit_line, layout)| {
                Article {
                    // A sub-headline only exists under a headline.
                    subheadline: headline.as_ref().and(sub),
                    headline,
                    caption,
                    byline,
                    dateline,
                    body,
                    debris,
                    credit_line,
                    layout,
                }
            },
        )
}

/// Greedy hard wrap at `width`, the first line indented by `indent`.
fn wrap(paragraph: &str, width: usize, indent: &str) -> String {
    let mut lines = vec![indent.to_string()];
    for word in paragraph.split(' ') {
        let line = lines.last_mut().unwrap();
        if line.trim().is_empty() {
            line.push_str(word);
        } else if line.chars().count() + 1 + word.chars().count() <= width {
            line.push(' ');
            line.push_str(word);
        } else {
            lines.push(word.to_string());
        }
    }
    lines.join("\n")
}

impl Article {
    fn page(&self) -> String {
        let mut head: Vec<String> = Vec::new();
        head.extend(self.headline.clone());
        head.extend(self.subheadline.clone());
        head.extend(self.caption.clone());
        head.extend(self.byline.as_ref().map(|b| format!("By {b}")));
        let mut body = self.body.clone();
        match &self.dateline {
            Some((place, DatelineStyle::Alone)) => head.push(format!("{place}:")),
            Some((place, DatelineStyle::Inline)) => {
                body[0] = format!("{place} (Reuters) – {}", body[0]);
            }
            Some((place, DatelineStyle::WithDate)) => {
                body[0] = format!("{place}, March 3 (Reuters) - {}", body[0]);
            }
            None => {}
        }
        let mut tail: Vec<String> = self.debris.clone();
        tail.extend(self.credit_line.clone());
        match self.layout {
            PageLayout::Blank => [head, body, tail].concat().join("\n\n"),
            PageLayout::Lines => [head, body, tail].concat().join("\n"),
            PageLayout::WrappedBlank(w) => {
                let body: Vec<String> = body.iter().map(|p| wrap(p, w, "")).collect();
                [head, body, tail].concat().join("\n\n")
            }
            PageLayout::WrappedIndented(w) => {
                let body: Vec<String> = body
                    .iter()
                    .enumerate()
                    .map(|(i, p)| wrap(p, w, if i == 0 { "" } else { "    " }))
                    .collect();
                let mut page = head.join("\n\n");
                if !page.is_empty() {
                    page.push_str("\n\n");
                }
                page.push_str(&body.join("\n"));
                if !tail.is_empty() {
                    page.push_str("\n\n");
                    page.push_str(&tail.join("\n\n"));
                }
                page
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn generated_articles_split_exactly(a in article()) {
        let page = a.page();
        let doc = pipeline(&page);
        prop_assert_eq!(&doc.text, &a.body.join("\n\n"), "page:\n{}", page);
        let m = &doc.meta;
        prop_assert_eq!(&m.headline, &a.headline);
        prop_assert_eq!(m.subheadlines.first(), a.subheadline.as_ref());
        prop_assert_eq!(m.captions.first(), a.caption.as_ref());
        prop_assert_eq!(&m.byline, &a.byline);
        prop_assert_eq!(m.dateline.as_ref(), a.dateline.as_ref().map(|(p, _)| p));
        prop_assert_eq!(&m.debris, &a.debris);

        // A second pass of every stage changes nothing.
        let again = clean_again(doc.clone());
        prop_assert_eq!(&again, &doc);
    }

    #[test]
    fn generated_articles_read_as_windows_1252_split_the_same(a in article()) {
        let page = a.page();
        let garbled = as_windows_1252(&page);
        prop_assume!(garbled != page);
        let clean = pipeline(&page);
        let repaired = pipeline(&garbled);
        prop_assert_eq!(&repaired.text, &clean.text, "garbled page:\n{}", garbled);
        prop_assert_eq!(&repaired.meta, &clean.meta);
    }
}
