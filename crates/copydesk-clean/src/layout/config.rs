//! The options of `clean.news_layout.v1` and its registration.

use super::NewsLayoutCleaner;
use super::patterns::Patterns;
use copydesk_core::{BuiltStage, Capability, OptionDoc, OptionError, StageConfig, StageKind, cap};
use serde::{Deserialize, Serialize};

/// Options of `clean.news_layout.v1`.
///
/// The pattern lists (`debris_lines`, `debris_prefixes`, `debris_patterns`,
/// `list_headings`, `caption_prefixes`, `caption_patterns`,
/// `credit_patterns`, `signoffs`) are **added** to the built-in lists of
/// [`patterns`](super::patterns) (`DEFAULT_DEBRIS_LINES`, ...), which
/// `builtin_patterns = false` turns off:
///
/// ```toml
/// [[stage]]
/// type = "clean.news_layout.v1"
/// debris_lines = ["more on this story"]
/// caption_patterns = ['(?i)\bphoto by [\p{L} .]+$']
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NewsLayoutConfig {
    /// Take a short, title-like first paragraph for the headline when the
    /// loader gave none.
    pub detect_headline: bool,
    /// The most words a headline or sub-headline may have.
    pub max_headline_words: usize,
    /// Use the built-in pattern lists (the lists below are added to them).
    pub builtin_patterns: bool,
    /// Whole paragraphs that are page debris, compared ignoring case,
    /// counters and surrounding punctuation (`"load next story"` also
    /// matches `"Load Next Story0"`).
    pub debris_lines: Vec<String>,
    /// Starts of short paragraphs that are page debris (`"read more:"`),
    /// compared ignoring case.
    pub debris_prefixes: Vec<String>,
    /// Regular expressions matching whole debris paragraphs (add `(?i)` to
    /// ignore case).
    pub debris_patterns: Vec<String>,
    /// The most words a paragraph matched by a debris prefix or pattern may have.
    pub max_debris_words: usize,
    /// Headings of link lists (`"related stories"`); the short paragraphs
    /// right after such a heading are debris too.
    pub list_headings: Vec<String>,
    /// The most words an item of a link list may have.
    pub max_list_item_words: usize,
    /// Starts of photo captions (`"file photo:"`), compared ignoring case.
    pub caption_prefixes: Vec<String>,
    /// Regular expressions matching photo captions (`"- Reuters/file"` at the end).
    pub caption_patterns: Vec<String>,
    /// The most words a caption may have.
    pub max_caption_words: usize,
    /// Regular expressions matching credit lines at the end of a story
    /// (`"Reporting by ..."`).
    pub credit_patterns: Vec<String>,
    /// Agency names ending a story on their own line (`"reuter"`).
    pub signoffs: Vec<String>,
    /// List all-caps crossheads of the body in `meta.extra["crossheads"]`.
    pub record_crossheads: bool,
}

impl Default for NewsLayoutConfig {
    fn default() -> Self {
        NewsLayoutConfig {
            detect_headline: true,
            max_headline_words: 25,
            builtin_patterns: true,
            debris_lines: Vec::new(),
            debris_prefixes: Vec::new(),
            debris_patterns: Vec::new(),
            max_debris_words: 25,
            list_headings: Vec::new(),
            max_list_item_words: 16,
            caption_prefixes: Vec::new(),
            caption_patterns: Vec::new(),
            max_caption_words: 50,
            credit_patterns: Vec::new(),
            signoffs: Vec::new(),
            record_crossheads: true,
        }
    }
}

impl NewsLayoutConfig {
    /// A pattern list in effect: the built-in one (if enabled) and the user's.
    pub(crate) fn with_builtin(&self, builtin: &[&str], user: &[String]) -> Vec<String> {
        let builtin = if self.builtin_patterns { builtin } else { &[] };
        builtin
            .iter()
            .map(|s| s.to_string())
            .chain(user.iter().cloned())
            .collect()
    }
}

impl StageConfig for NewsLayoutConfig {
    const NAME: &'static str = "clean.news_layout.v1";
    const KIND: StageKind = StageKind::Document;
    const DESCRIPTION: &'static str = "Splits headline, sub-headlines, byline, dateline, credits, captions and page debris out of the body into metadata";
    const NEEDS: &'static [Capability] = &[cap::TEXT_RAW];
    const PROVIDES: &'static [Capability] = &[cap::META_LAYOUT];
    const REWRITES_TEXT: bool = true;
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "detect_headline",
            kind: "boolean",
            doc: "Take a short, title-like first paragraph for the headline when the loader gave none (default true).",
        },
        OptionDoc {
            name: "max_headline_words",
            kind: "integer",
            doc: "Most words of a headline or sub-headline (default 25).",
        },
        OptionDoc {
            name: "builtin_patterns",
            kind: "boolean",
            doc: "Use the built-in debris, caption, credit, sign-off and link-list patterns; the pattern options below are added to them (default true).",
        },
        OptionDoc {
            name: "debris_lines",
            kind: "list of strings",
            doc: "Added to the built-in list: whole paragraphs that are page debris, compared ignoring case, counters and surrounding punctuation (\"load next story\").",
        },
        OptionDoc {
            name: "debris_prefixes",
            kind: "list of strings",
            doc: "Added to the built-in list: starts of short paragraphs that are page debris (\"read more:\"), ignoring case.",
        },
        OptionDoc {
            name: "debris_patterns",
            kind: "list of strings",
            doc: "Added to the built-in list: regular expressions matching whole debris paragraphs (copyright lines, time stamps); add (?i) to ignore case.",
        },
        OptionDoc {
            name: "max_debris_words",
            kind: "integer",
            doc: "Most words of a paragraph removed by a debris prefix or pattern (default 25).",
        },
        OptionDoc {
            name: "list_headings",
            kind: "list of strings",
            doc: "Added to the built-in list: headings of link lists (\"related stories\"); the short paragraphs right after one are debris too.",
        },
        OptionDoc {
            name: "max_list_item_words",
            kind: "integer",
            doc: "Most words of an item of a link list (default 16).",
        },
        OptionDoc {
            name: "caption_prefixes",
            kind: "list of strings",
            doc: "Added to the built-in list: starts of photo captions (\"file photo:\"), ignoring case.",
        },
        OptionDoc {
            name: "caption_patterns",
            kind: "list of strings",
            doc: "Added to the built-in list: regular expressions matching photo captions (\"- Reuters/file\", \"REUTERS/Name\", \"(Photo: AFP)\" at the end).",
        },
        OptionDoc {
            name: "max_caption_words",
            kind: "integer",
            doc: "Most words of a photo caption (default 50).",
        },
        OptionDoc {
            name: "credit_patterns",
            kind: "list of strings",
            doc: "Added to the built-in list: regular expressions matching credit lines at the end of a story (\"Reporting by ...; Editing by ...\").",
        },
        OptionDoc {
            name: "signoffs",
            kind: "list of strings",
            doc: "Added to the built-in list: agency names that end a story on their own line (\"reuter\"), ignoring case.",
        },
        OptionDoc {
            name: "record_crossheads",
            kind: "boolean",
            doc: "List all-caps crossheads of the body in meta.extra[\"crossheads\"] (they stay in the body); default true.",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        for (name, value) in [
            ("max_headline_words", self.max_headline_words),
            ("max_debris_words", self.max_debris_words),
            ("max_caption_words", self.max_caption_words),
        ] {
            if value == 0 {
                return Err(OptionError::for_key(name, "must be at least 1"));
            }
        }
        Patterns::new(self).map(|_| ())
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Document(Box::new(NewsLayoutCleaner::new(
            self.clone(),
        )?)))
    }
}
