//! The configurable patterns of the layout cleaner (page debris, photo
//! captions, credit lines, sign-offs, link-list headings), their defaults,
//! and the compiled matcher.

use super::NewsLayoutConfig;
use super::dateline::Fnv;
use super::shape::{WordCounter, ends_sentence, has_at_most_words, key, line_key, word_count};
use copydesk_core::OptionError;
use regex::{Regex, RegexSet};
use std::cell::{Cell, OnceCell};
use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

/// Whole paragraphs that are page debris, compared by
/// [`line_key`] (case, counters and surrounding
/// punctuation ignored: `"Load Next Story0"`, `"Comments (12)"`).
pub const DEFAULT_DEBRIS_LINES: &[&str] = &[
    "load next story",
    "load more",
    "load more stories",
    "next story",
    "previous story",
    "share this article",
    "share this story",
    "share this",
    "share",
    "share on facebook",
    "share on twitter",
    "share on whatsapp",
    "share on linkedin",
    "share via email",
    "tweet",
    "email",
    "print",
    "print this article",
    "save",
    "save article",
    "copy link",
    "link copied",
    "facebook",
    "twitter",
    "whatsapp",
    "linkedin",
    "telegram",
    "advertisement",
    "advertisements",
    "sponsored",
    "sponsored content",
    "promoted content",
    "comments",
    "comment",
    "leave a comment",
    "post a comment",
    "show comments",
    "view comments",
    "add comment",
    "read more",
    "read next",
    "continue reading",
    "keep reading",
    "subscribe",
    "subscribe now",
    "sign up",
    "sign in",
    "log in",
    "skip to content",
    "skip to main content",
    "back to top",
    "scroll to top",
    "scroll to continue with content",
    "story continues below advertisement",
    "article continues below",
    "article continues below advertisement",
    "continue reading below",
    "listen to this article",
    "loading",
    "follow us",
    "cookie settings",
    "accept all cookies",
    "accept cookies",
    "manage cookies",
    "privacy policy",
    "terms of use",
    "terms of service",
    "all rights reserved",
    "newsletter",
    "get our newsletter",
    "download our app",
];

/// Starts of short paragraphs that are page debris (`"Read more: ..."`,
/// `"Follow us on Twitter"`), compared by [`key`].
pub const DEFAULT_DEBRIS_PREFIXES: &[&str] = &[
    "read more:",
    "read more at",
    "read more about",
    "read also:",
    "also read:",
    "see also:",
    "related:",
    "related stories:",
    "related articles:",
    "click here",
    "tap here",
    "subscribe to our",
    "subscribe to the",
    "sign up for our",
    "sign up to our",
    "sign up now",
    "follow us on",
    "follow us:",
    "like us on facebook",
    "join our whatsapp",
    "join our telegram",
    "share on",
    "share this article",
    "share this story",
    "share via",
    "we use cookies",
    "this website uses cookies",
    "this site uses cookies",
    "our website uses cookies",
    "by continuing to use this",
    "by using this site",
    "by using our site",
    "download our app",
    "download the app",
    "get the latest news",
    "for the latest news",
    "watch video:",
    "story continues below",
    "article continues below",
    "you may also like:",
    "you might also like:",
];

/// Regular expressions matching whole debris paragraphs (copyright lines,
/// time stamps).
pub const DEFAULT_DEBRIS_PATTERNS: &[&str] = &[
    r"^©",
    r"(?i)^(?:\(c\)|copyright)\s*(?:©|\(c\))?\s*(?:\d{4}|copyright\b)",
    r"(?i)^(?:updated|published|posted|last updated)(?:\s+on|\s+at)?:?\s+[\p{L}\d ,.]{0,40}\d{1,2}:\d{2}\s*(?:am|pm|a\.m\.|p\.m\.)?\s*(?:gmt|utc|[a-z]{2,4})?\.?$",
];

/// Paragraphs heading a list of links (`"Related stories"`): the short
/// paragraphs after them are debris too.
pub const DEFAULT_LIST_HEADINGS: &[&str] = &[
    "related",
    "related stories",
    "related articles",
    "related news",
    "related posts",
    "related content",
    "read more",
    "read next",
    "more from",
    "more stories",
    "more news",
    "you may also like",
    "you might also like",
    "recommended",
    "recommended stories",
    "recommended for you",
    "also read",
    "read also",
    "see also",
    "most read",
    "most popular",
    "trending",
    "trending now",
    "top stories",
    "latest news",
    "latest stories",
    "editor's picks",
    "don't miss",
];

/// Starts of photo captions (`"File photo: ..."`), compared by
/// [`key`].
pub const DEFAULT_CAPTION_PREFIXES: &[&str] = &[
    "file photo:",
    "file photo -",
    "file photo of",
    "a file photo",
    "in this file photo",
    "in this photo",
    "this photo taken",
    "photo:",
    "photos:",
    "photo credit:",
    "photograph:",
    "picture:",
    "pictures:",
    "image:",
    "images:",
    "image credit:",
    "illustration:",
    "caption:",
    "(photo:",
    "(file photo",
    "(image:",
    "(picture:",
    "representational image",
    "representative image",
];

/// Regular expressions matching photo captions by their credit
/// (`"... - Reuters/file"`, `"... REUTERS/Akhtar Soomro"`, `"(Photo: AFP)"`,
/// `"... Getty Images"`).
pub const DEFAULT_CAPTION_PATTERNS: &[&str] = &[
    r"(?i)[-–—|]\s*(?:reuters|afp|ap|epa|xinhua|anadolu|getty images|dawn|app|ani|pti|ians|bloomberg|shutterstock)\s*/\s*(?:file|photo|\p{L}[\p{L} .'’-]*)\s*\)?$",
    r"(?i)[-–—|]\s*(?:file\s+)?photo(?:graph)?\s*(?::|by)\s*\p{L}[\p{L} .'’/-]*$",
    r"(?i)[-–—|]\s*file(?:\s+photo)?\s*\)?$",
    r"REUTERS/\p{Lu}[\p{L} .'’-]*(?:/File(?: Photo)?)?\s*\)?$",
    r"(?i)\((?:file\s+)?(?:photo|image|picture|pic)s?(?:\s+credit)?\s*:\s*[^()]+\)\s*$",
    r"(?i)(?:^|[\s/(:|-])(?:getty images|shutterstock|afp via getty images)\s*\)?$",
    r"(?i)\b(?:afp|ap|epa|xinhua|reuters|anadolu|bloomberg)\s+(?:file\s+)?photo\s*\)?$",
];

/// Whether ASCII `text` may be matched by a pattern of
/// [`DEFAULT_CAPTION_PATTERNS`] (false: none matches it). Those patterns
/// are anchored at the end (blanks aside): one ends with `)` (`(Photo:
/// AFP)`); the others end with `file`, `photo`, `images` or `shutterstock`
/// (`- file`, `AFP photo`, `Getty Images`), in any case, or end with a
/// name after a `/` (`Reuters/file`, `REUTERS/Name`) or after `photo`
/// (`Photo: Name`).
///
/// After the last `/` of a text matched the `/` way there are only
/// letters, blanks, `.`, `'`, `-` and `)` (the patterns' `/` is followed by
/// `file`, `photo` or a name of `[\p{L} .'’-]`, an optional `/File( Photo)`
/// and blanks and `)`); after the last `photo` of a text matched the
/// `photo` way (`photo(graph)? (:|by) Name`) only letters, blanks, `:`,
/// `.`, `'`, `/` and `-`. So a `/` or `photo` followed by anything else
/// (a digit, a comma: `dlrs/share`, `1986/87 season`) rules those out.
///
/// The last `photo` is followed by name bytes (`:` and `/` allowed)
/// exactly when some `photo` lies inside the longest suffix of such bytes
/// (`photo` is letters, so the last one and all after it are such bytes;
/// and the last `photo` is at or after any one inside the suffix). That
/// suffix is found 16 bytes at a time and only it is searched, so a long
/// body paragraph (which a comma, a digit or a quote ends the suffix of)
/// is not searched at every `p` for a `photo`.
fn may_end_with_caption_credit(text: &str) -> bool {
    let bytes = text.trim_end_matches(is_regex_blank).as_bytes();
    let ends_with = |word: &[u8]| {
        bytes.len() >= word.len() && bytes[bytes.len() - word.len()..].eq_ignore_ascii_case(word)
    };
    let name_after_slash = |at: usize| {
        bytes
            .get(at..)
            .is_some_and(|tail| tail.iter().all(|&b| is_name_byte(b) || b == b')'))
    };
    let photo_in_name_tail = || holds_photo(&bytes[name_tail_start(bytes)..]);
    let credit_words = [&b"file"[..], b"photo", b"images", b"shutterstock"];
    ends_with_credit_in_brackets(bytes)
        || credit_words.into_iter().any(ends_with)
        || memchr::memrchr(b'/', bytes)
            .is_some_and(|i| name_after_slash(i + 1) && credited_before_slash(bytes, i))
        || photo_in_name_tail()
}

/// The agencies a caption credit names before a `/` (`"- Reuters/file"`),
/// as [`DEFAULT_CAPTION_PATTERNS`] list them.
const SLASH_CREDIT_AGENCIES: &[&[u8]] = &[
    b"reuters",
    b"afp",
    b"ap",
    b"epa",
    b"xinhua",
    b"anadolu",
    b"getty images",
    b"dawn",
    b"app",
    b"ani",
    b"pti",
    b"ians",
    b"bloomberg",
    b"shutterstock",
];

/// Whether the last `/` of ASCII `bytes` (at `slash`, followed by a name)
/// may be one a caption pattern matches: the patterns with a `/` want an
/// agency of [`SLASH_CREDIT_AGENCIES`] right before it (blanks between,
/// any case), or `REUTERS/` somewhere before it (the last `/` is then
/// that one or the one of a `/File` after the photographer's name).
fn credited_before_slash(bytes: &[u8], slash: usize) -> bool {
    let before = bytes[..slash].trim_ascii_end();
    SLASH_CREDIT_AGENCIES.iter().any(|agency| {
        before.len() >= agency.len()
            && before[before.len() - agency.len()..].eq_ignore_ascii_case(agency)
    }) || memchr::memmem::find(&bytes[..=slash], b"REUTERS/").is_some()
}

/// Whether ASCII `bytes` (trailing blanks trimmed) end with a `)` the
/// way a caption credit may: the patterns ending with an optional `)`
/// after `file`, `photo`, `images` or `shutterstock` (blanks between), or
/// after a name that follows a `/` (which
/// [`may_end_with_caption_credit`] looks for anyway), or the one ending
/// with a bracketed credit (`"(Photo: AFP)"`), whose `(` is the text's
/// last (no bracket inside it) and is followed by `file`, `photo`,
/// `image` or `pic` (`picture`), in any case.
fn ends_with_credit_in_brackets(bytes: &[u8]) -> bool {
    let Some(inside) = bytes.strip_suffix(b")") else {
        return false;
    };
    let word = inside.trim_ascii_end();
    let ends_with =
        |w: &[u8]| word.len() >= w.len() && word[word.len() - w.len()..].eq_ignore_ascii_case(w);
    [&b"file"[..], b"photo", b"images", b"shutterstock"]
        .into_iter()
        .any(ends_with)
        || memchr::memrchr(b'(', inside).is_some_and(|open| {
            let after = &inside[open + 1..];
            [&b"file"[..], b"photo", b"image", b"pic"]
                .into_iter()
                .any(|w| {
                    after
                        .get(..w.len())
                        .is_some_and(|start| start.eq_ignore_ascii_case(w))
                })
        })
}

/// Whether `bytes` hold `photo` in any case: every position compared
/// without branching (the loop vectorizes; a name tail is often a whole
/// sentence, with a `p` every few dozen bytes).
fn holds_photo(bytes: &[u8]) -> bool {
    let Some(n) = bytes.len().checked_sub(4) else {
        return false;
    };
    // The five bytes of each window, lowercased: for a letter, `| 0x20`
    // gives the letter only from its two cases.
    let (p, h, o, t, o2) = (
        &bytes[..n],
        &bytes[1..n + 1],
        &bytes[2..n + 2],
        &bytes[3..n + 3],
        &bytes[4..n + 4],
    );
    let mut found = false;
    for i in 0..n {
        found |= ((p[i] | 0x20) == b'p')
            & ((h[i] | 0x20) == b'h')
            & ((o[i] | 0x20) == b'o')
            & ((t[i] | 0x20) == b't')
            & ((o2[i] | 0x20) == b'o');
    }
    found
}

/// Whether a byte may be part of a name in a caption credit: an ASCII
/// letter, a blank, `.`, `'` or `-` (without branching, so a run of
/// checks vectorizes).
fn is_name_byte(b: u8) -> bool {
    ((b | 0x20).wrapping_sub(b'a') < 26)
        | (b == b' ')
        | (b.wrapping_sub(b'\t') < 5)
        | (b == b'.')
        | (b == b'\'')
        | (b == b'-')
}

/// Whether a byte may follow a credit's `photo`: a name byte, `:` or `/`.
fn is_photo_tail_byte(b: u8) -> bool {
    is_name_byte(b) | (b == b':') | (b == b'/')
}

/// The start of the longest suffix of `bytes` whose bytes all
/// [`is_photo_tail_byte`]: whole 16-byte blocks from the end first, then
/// byte by byte.
fn name_tail_start(bytes: &[u8]) -> usize {
    const BLOCK: usize = 16;
    let mut end = bytes.len();
    while end >= BLOCK
        && bytes[end - BLOCK..end]
            .iter()
            .fold(true, |all, &b| all & is_photo_tail_byte(b))
    {
        end -= BLOCK;
    }
    bytes[..end]
        .iter()
        .rposition(|&b| !is_photo_tail_byte(b))
        .map_or(0, |i| i + 1)
}

/// [`may_end_with_caption_credit`] as first written: every `p` of the
/// text tried from the end for the last `photo` (the reference of the
/// property test).
#[cfg(test)]
fn may_end_with_caption_credit_by_every_p(text: &str) -> bool {
    let bytes = text.trim_end_matches(is_regex_blank).as_bytes();
    let ends_with = |word: &[u8]| {
        bytes.len() >= word.len() && bytes[bytes.len() - word.len()..].eq_ignore_ascii_case(word)
    };
    let name_after = |at: usize, also: &[u8]| {
        bytes.get(at..).is_some_and(|tail| {
            tail.iter().all(|&b| {
                b.is_ascii_alphabetic()
                    || b == b' '
                    || b.wrapping_sub(b'\t') < 5
                    || b".'-".contains(&b)
                    || also.contains(&b)
            })
        })
    };
    let last_photo = || {
        memchr::memrchr2_iter(b'p', b'P', bytes).find(|&i| {
            bytes
                .get(i..i + 5)
                .is_some_and(|t| t.eq_ignore_ascii_case(b"photo"))
        })
    };
    ends_with_credit_in_brackets(bytes)
        || [&b"file"[..], b"photo", b"images", b"shutterstock"]
            .into_iter()
            .any(ends_with)
        || memchr::memrchr(b'/', bytes)
            .is_some_and(|i| name_after(i + 1, b")") && credited_before_slash(bytes, i))
        || last_photo().is_some_and(|i| name_after(i + 5, b":/"))
}

/// Whether ASCII `text` may be matched by a pattern of
/// [`DEFAULT_DEBRIS_PATTERNS`] (false: none matches it). Those patterns
/// are anchored at the start, where they want `©`, `(c)`, `copyright`,
/// `updated`, `published`, `posted` or `last updated` in any case: ASCII
/// text must start with one of the ASCII ones (an ASCII letter matches
/// only ASCII letters ignoring case).
fn may_start_as_debris(text: &str) -> bool {
    let bytes = text.as_bytes();
    [
        &b"(c)"[..],
        b"copyright",
        b"updated",
        b"published",
        b"posted",
        b"last updated",
    ]
    .into_iter()
    .any(|start| {
        bytes
            .get(..start.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(start))
    })
}

/// Whether ASCII `text` may be matched by a pattern of
/// [`DEFAULT_CREDIT_PATTERNS`] (false: none matches it). Those patterns
/// are anchored at the start, where, after an optional `(` or `[` and
/// blanks, they want a word of [`CREDIT_BY_WORDS`] or
/// [`CREDIT_OTHER_FIRST_WORDS`] in any case, followed by a blank, a `:`
/// or a word boundary, and after `this` or `the` a blank and `story`,
/// `article` or `report`, after `with` a blank and `input(s)`, after
/// `additional` a blank and a word of [`CREDIT_BY_WORDS`]: on ASCII text,
/// the runs of ASCII letters there must be those words (an ASCII letter
/// matches only ASCII letters ignoring case).
fn may_start_as_credit(text: &str) -> bool {
    let bytes = text.as_bytes();
    let start = usize::from(matches!(bytes.first(), Some(b'(' | b'[')));
    let (first, after_first) = ascii_word_after_blanks(bytes, start);
    let is = |word: &[u8], list: &[&str]| {
        list.iter()
            .any(|w| w.len() == word.len() && w.as_bytes().eq_ignore_ascii_case(word))
    };
    if is(first, CREDIT_BY_WORDS) {
        return true;
    }
    if !is(first, CREDIT_OTHER_FIRST_WORDS) {
        return false;
    }
    // The first words that another word must follow (after a blank):
    // `this story`, `with inputs`, `additional reporting`.
    let next = || {
        let blank = bytes
            .get(after_first)
            .is_some_and(|&b| b == b' ' || b.wrapping_sub(b'\t') < 5);
        blank.then(|| ascii_word_after_blanks(bytes, after_first).0)
    };
    if is(first, &["this", "the"]) {
        next().is_some_and(|w| is(w, &["story", "article", "report"]))
    } else if is(first, &["with"]) {
        next().is_some_and(|w| is(w, &["input", "inputs"]))
    } else if is(first, &["additional"]) {
        next().is_some_and(|w| is(w, CREDIT_BY_WORDS))
    } else {
        true
    }
}

/// The run of ASCII letters in `bytes` after the blanks from `from`, and
/// the index after it.
fn ascii_word_after_blanks(bytes: &[u8], from: usize) -> (&[u8], usize) {
    let mut i = from;
    while bytes
        .get(i)
        .is_some_and(|&b| b == b' ' || b.wrapping_sub(b'\t') < 5)
    {
        i += 1;
    }
    let rest = bytes.get(i..).unwrap_or_default();
    let len = rest
        .iter()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    (&rest[..len], i + len)
}

/// The words before `by` in a credit line (`"Reporting by"`).
const CREDIT_BY_WORDS: &[&str] = &[
    "reporting",
    "writing",
    "editing",
    "compiled",
    "research",
    "graphics",
    "produced",
    "translated",
    "edited",
    "written",
    "reported",
];

/// The other words a pattern of [`DEFAULT_CREDIT_PATTERNS`] may start with.
const CREDIT_OTHER_FIRST_WORDS: &[&str] = &[
    "additional",
    "contributing",
    "with",
    "input",
    "inputs",
    "this",
    "the",
];

/// `\s` of the regular expressions on ASCII text: space, `\t` to `\r`.
fn is_regex_blank(c: char) -> bool {
    c == ' ' || ('\t'..='\r').contains(&c)
}

/// Regular expressions matching credit lines at the end of a story
/// (`"Reporting by ...; Editing by ..."`, `"With inputs from agencies"`).
pub const DEFAULT_CREDIT_PATTERNS: &[&str] = &[
    r"(?i)^[(\[]?\s*(?:additional\s+)?(?:reporting|writing|editing|compiled|research|graphics|produced|translated|edited|written|reported)\s+by\b",
    r"(?i)^[(\[]?\s*contributing:\s",
    r"(?i)^[(\[]?\s*(?:with\s+)?inputs?\s+from\s+(?:agencies|reuters|afp|ap|pti|ians|ani)\b",
    r"(?i)^[(\[]?\s*(?:this|the)\s+(?:story|article|report)\s+(?:has not been edited|is auto-generated|was (?:originally|first) published|first appeared|originally appeared)\b",
];

/// Agency names and desks that end a story on their own line (`"Reuter"`).
pub const DEFAULT_SIGNOFFS: &[&str] = &[
    "reuter",
    "reuters",
    "ap",
    "afp",
    "dpa",
    "xinhua",
    "ians",
    "pti",
    "upi",
    "ani",
    "app",
    "bloomberg",
    "bernama",
    "agencies",
    "our correspondent",
    "staff reporter",
    "web desk",
    "news desk",
];

/// The most words a credit line may have.
const MAX_CREDIT_WORDS: usize = 80;

/// The layout patterns, compiled.
#[derive(Debug)]
pub struct Patterns {
    debris_lines: LineSet,
    debris_prefixes: PrefixList,
    debris_patterns: PatternList,
    list_headings: LineSet,
    caption_prefixes: PrefixList,
    caption_patterns: PatternList,
    credit_patterns: PatternList,
    signoffs: LineSet,
    max_debris_words: usize,
    max_caption_words: usize,
    max_list_item_words: usize,
    /// The longest key of a debris or caption prefix, in bytes: how much
    /// of a paragraph's key the prefix checks read after its first
    /// letter, digit or `(` (see [`ascii_head_key_into`]).
    longest_prefix: usize,
}

/// Whole paragraphs compared by [`line_key`].
#[derive(Debug)]
struct LineSet {
    /// The keys, hashed with FNV-1a (short keys, looked up for most
    /// paragraphs).
    keys: HashSet<String, BuildHasherDefault<Fnv>>,
    /// The most words of a line in the set: longer paragraphs are not
    /// compared at all (counters such as `"(12)"` allowed for).
    max_words: usize,
}

impl LineSet {
    /// The set of `lines`.
    fn new(lines: &[String]) -> Self {
        LineSet {
            keys: lines.iter().map(|s| line_key(s)).collect(),
            max_words: lines.iter().map(|s| word_count(s)).max().unwrap_or(0) + 2,
        }
    }

    /// Whether `text` is one of the lines.
    fn contains(&self, text: &str) -> bool {
        self.contains_probe(&Probe::new(text))
    }

    /// Whether the probed paragraph is one of the lines (its key is
    /// built once for all the sets a paragraph is looked up in).
    fn contains_probe(&self, p: &Probe<'_>) -> bool {
        p.has_at_most_words(self.max_words) && self.keys.contains(p.line_key())
    }
}

/// A [`line_key`], held inline for a short ASCII paragraph (see
/// [`ascii_line_key_range`]).
#[derive(Debug)]
enum LineKey {
    /// The key is `bytes[start..end]` (ASCII).
    Inline {
        bytes: [u8; SHORT_KEY_BYTES],
        start: usize,
        end: usize,
    },
    /// Any other key.
    Heap(String),
}

impl LineKey {
    /// The [`line_key`] of `text`.
    fn of(text: &str) -> LineKey {
        let mut bytes = [0u8; SHORT_KEY_BYTES];
        match ascii_line_key_range(text, &mut bytes) {
            Some((start, end)) => LineKey::Inline { bytes, start, end },
            None => LineKey::Heap(line_key(text)),
        }
    }

    /// The key.
    fn as_str(&self) -> &str {
        match self {
            LineKey::Inline { bytes, start, end } => {
                std::str::from_utf8(&bytes[*start..*end]).unwrap_or("")
            }
            LineKey::Heap(key) => key,
        }
    }
}

/// The longest ASCII paragraph whose [`line_key`] [`LineSet`] builds on the stack.
const SHORT_KEY_BYTES: usize = 128;

/// [`ascii_line_key_range`] as the key itself.
#[cfg(test)]
fn ascii_line_key_into<'b>(text: &str, buffer: &'b mut [u8]) -> Option<&'b str> {
    let (start, end) = ascii_line_key_range(text, buffer)?;
    std::str::from_utf8(&buffer[start..end]).ok()
}

/// [`line_key`] of `text` written into `buffer`, for ASCII text that fits
/// (`None` for other text): the range of `buffer` the key is in (the key
/// of ASCII text is ASCII).
fn ascii_line_key_range(text: &str, buffer: &mut [u8]) -> Option<(usize, usize)> {
    if text.len() > buffer.len() || !text.is_ascii() {
        return None;
    }
    let len = ascii_key_into(text.as_bytes(), buffer);
    let key = &buffer[..len];
    let start = key.iter().position(u8::is_ascii_alphabetic).unwrap_or(len);
    let end = key
        .iter()
        .rposition(u8::is_ascii_alphabetic)
        .map_or(start, |e| e + 1);
    Some((start, end))
}

/// Writes [`key`] of ASCII `text` into `buffer` (at least as long as
/// `text`), as `key` builds it for ASCII: blanks collapsed to one space,
/// lower case, '`' read as '\''. Returns its length.
fn ascii_key_into(text: &[u8], buffer: &mut [u8]) -> usize {
    ascii_key_prefix_into(text, buffer, None)
}

/// [`ascii_key_into`] stopped once the key has more than `longest` bytes
/// from its first letter, digit or `(` on: a prefix of the full key, and
/// all of it a check for prefixes of up to `longest` bytes reads (whether
/// the key, or the key with what comes before its first letter, digit or
/// `(` trimmed, starts with one and what follows it).
fn ascii_head_key_into(text: &[u8], buffer: &mut [u8], longest: usize) -> usize {
    ascii_key_prefix_into(text, buffer, Some(longest))
}

/// The body of both: with `longest` `None`, the whole key. Inlined into
/// each, so that the whole key's loop carries no stopping test.
#[inline(always)]
fn ascii_key_prefix_into(text: &[u8], buffer: &mut [u8], longest: Option<usize>) -> usize {
    let mut len = 0;
    let mut space = false;
    // Key bytes needed: up to the first word byte, then `longest + 1`.
    let mut need = usize::MAX;
    for &b in text {
        if longest.is_some() && len >= need {
            break;
        }
        if b == b' ' || b.wrapping_sub(b'\t') < 5 {
            space = len > 0;
            continue;
        }
        if space {
            buffer[len] = b' ';
            len += 1;
            space = false;
        }
        if let Some(longest) = longest
            && need == usize::MAX
            && (b.is_ascii_alphanumeric() || b == b'(')
        {
            need = len.saturating_add(longest).saturating_add(1);
        }
        buffer[len] = if b == b'`' {
            b'\''
        } else {
            b.to_ascii_lowercase()
        };
        len += 1;
    }
    len
}

/// Compiled regular expressions.
///
/// A short ASCII paragraph is matched against all of them at once (a
/// `RegexSet`: one search instead of one per pattern, whose fixed cost
/// dominates on short text; on non-ASCII text a Unicode `\b` in any
/// pattern would push the whole set onto a slow engine). Other paragraphs
/// are matched one by one: each single
/// regex anchored at the end (`...$`, as caption credits are) is searched
/// backwards from the end, which keeps long paragraphs cheap. The single
/// regexes are compiled on first use (half the cost of compiling, and
/// a run may never need some of them).
#[derive(Debug)]
struct CompiledPatterns {
    /// Each pattern with its regex, once compiled.
    one_by_one: Vec<(String, OnceLock<Regex>)>,
    all_at_once: RegexSet,
}

/// The longest text (in bytes) matched with the `RegexSet` of a [`CompiledPatterns`].
const SET_MAX_BYTES: usize = 600;

impl CompiledPatterns {
    /// Compiles `patterns`, naming `option` on error.
    fn compile(option: &str, patterns: &[String]) -> Result<Self, OptionError> {
        let error = |p: &str, e: regex::Error| {
            OptionError::for_key(option, format!("pattern `{p}` does not compile: {e}"))
        };
        let all_at_once = match RegexSet::new(patterns) {
            Ok(set) => set,
            Err(set_error) => {
                // The error of the first pattern that does not compile on
                // its own, else the set's (as when each was compiled first).
                for p in patterns {
                    Regex::new(p).map_err(|e| error(p, e))?;
                }
                return Err(error(&patterns.join("`, `"), set_error));
            }
        };
        // The set holds every pattern, so each compiles on its own too
        // (the same syntax, and no larger than the set).
        let one_by_one = patterns
            .iter()
            .map(|p| (p.clone(), OnceLock::new()))
            .collect();
        Ok(CompiledPatterns {
            one_by_one,
            all_at_once,
        })
    }

    /// Whether any pattern matches `text`.
    fn is_match(&self, text: &str) -> bool {
        if self.one_by_one.is_empty() {
            false
        } else if text.len() <= SET_MAX_BYTES && text.is_ascii() {
            self.all_at_once.is_match(text)
        } else {
            self.one_by_one.iter().any(|(p, r)| {
                r.get_or_init(|| {
                    Regex::new(p).unwrap_or_else(|e| panic!("pattern `{p}` compiled in a set: {e}"))
                })
                .is_match(text)
            })
        }
    }
}

/// A cheap check whether some patterns may match a text (false: none does).
type MayMatch = fn(&str) -> bool;

/// The regular expressions of one option: the built-in ones, maybe
/// guarded by literals, and the user's.
#[derive(Debug)]
struct PatternList {
    /// Built-in patterns with a check that ASCII text may match them
    /// (false: none does), which is cheaper than trying them.
    guarded: Option<(MayMatch, CompiledPatterns)>,
    /// The other patterns.
    others: CompiledPatterns,
}

impl PatternList {
    /// Compiles the patterns of one option: `builtin` (if the built-in
    /// patterns are used), which match ASCII text only where `may_match`
    /// says they may, and the user's `patterns`.
    fn compile_guarded(
        option: &str,
        builtin: &[&str],
        may_match: MayMatch,
        patterns: &[String],
    ) -> Result<Self, OptionError> {
        let guarded = if builtin.is_empty() {
            None
        } else {
            let builtin: Vec<String> = builtin.iter().map(|p| p.to_string()).collect();
            Some((may_match, CompiledPatterns::compile(option, &builtin)?))
        };
        Ok(PatternList {
            guarded,
            others: CompiledPatterns::compile(option, patterns)?,
        })
    }

    /// Whether any pattern matches `text`.
    fn is_match(&self, text: &str) -> bool {
        let guarded = self.guarded.as_ref().is_some_and(|(may_match, patterns)| {
            (!text.is_ascii() || may_match(text)) && patterns.is_match(text)
        });
        guarded || self.others.is_match(text)
    }

    /// [`PatternList::is_match`] without the literal guard: every pattern tried.
    #[cfg(test)]
    fn is_match_unguarded(&self, text: &str) -> bool {
        self.guarded
            .as_ref()
            .is_some_and(|(_, patterns)| patterns.is_match(text))
            || self.others.is_match(text)
    }
}

impl Patterns {
    /// Compiles the patterns of a configuration.
    pub fn new(config: &NewsLayoutConfig) -> Result<Self, OptionError> {
        let c = config;
        let mut patterns = Patterns {
            debris_lines: LineSet::new(&c.with_builtin(DEFAULT_DEBRIS_LINES, &c.debris_lines)),
            debris_prefixes: PrefixList::new(
                &c.with_builtin(DEFAULT_DEBRIS_PREFIXES, &c.debris_prefixes),
            ),
            debris_patterns: PatternList::compile_guarded(
                "debris_patterns",
                if c.builtin_patterns {
                    DEFAULT_DEBRIS_PATTERNS
                } else {
                    &[]
                },
                may_start_as_debris,
                &c.debris_patterns,
            )?,
            list_headings: LineSet::new(&c.with_builtin(DEFAULT_LIST_HEADINGS, &c.list_headings)),
            caption_prefixes: PrefixList::new(
                &c.with_builtin(DEFAULT_CAPTION_PREFIXES, &c.caption_prefixes),
            ),
            caption_patterns: PatternList::compile_guarded(
                "caption_patterns",
                if c.builtin_patterns {
                    DEFAULT_CAPTION_PATTERNS
                } else {
                    &[]
                },
                may_end_with_caption_credit,
                &c.caption_patterns,
            )?,
            credit_patterns: PatternList::compile_guarded(
                "credit_patterns",
                if c.builtin_patterns {
                    DEFAULT_CREDIT_PATTERNS
                } else {
                    &[]
                },
                may_start_as_credit,
                &c.credit_patterns,
            )?,
            signoffs: LineSet::new(&c.with_builtin(DEFAULT_SIGNOFFS, &c.signoffs)),
            max_debris_words: config.max_debris_words,
            max_caption_words: config.max_caption_words,
            longest_prefix: 0,
            max_list_item_words: config.max_list_item_words,
        };
        patterns.longest_prefix = [&patterns.debris_prefixes, &patterns.caption_prefixes]
            .iter()
            .flat_map(|list| &list.prefixes)
            .map(String::len)
            .max()
            .unwrap_or(0);
        Ok(patterns)
    }

    /// Whether a paragraph is page debris.
    pub fn is_debris(&self, paragraph: &str) -> bool {
        self.probe_is_debris(&Probe::new(paragraph))
    }

    /// [`Patterns::is_debris`] of a probed paragraph.
    pub(crate) fn probe_is_debris(&self, p: &Probe<'_>) -> bool {
        if self.debris_lines.contains_probe(p) {
            return true;
        }
        if !p.has_at_most_words(self.max_debris_words) {
            return false;
        }
        // On an ASCII start the key, once trimmed, starts with the first
        // letter, digit or `(`, lowercased, and the byte after it as the
        // key has it.
        let may_have_prefix = p.ascii_window().is_none_or(|start| {
            start
                .iter()
                .position(|b| b.is_ascii_alphanumeric() || *b == b'(')
                .is_some_and(|j| {
                    self.debris_prefixes.may_start(
                        start[j].to_ascii_lowercase(),
                        start.get(j + 1).copied().map(key_byte),
                    )
                })
        });
        (may_have_prefix && {
            let k = p.head_key(self.longest_prefix);
            let k = k.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '(' && c != '©');
            self.debris_prefixes.has_prefix(k)
        }) || self.debris_patterns.is_match(p.text)
    }

    /// Whether a paragraph heads a list of links.
    pub fn is_list_heading(&self, paragraph: &str) -> bool {
        self.list_headings.contains(paragraph)
    }

    /// [`Patterns::is_list_heading`] of a probed paragraph.
    pub(crate) fn probe_is_list_heading(&self, p: &Probe<'_>) -> bool {
        self.list_headings.contains_probe(p)
    }

    /// Whether a paragraph can be an item of a list of links: short and not
    /// ending with a full stop.
    pub fn is_list_item(&self, paragraph: &str) -> bool {
        let text = paragraph.trim();
        has_at_most_words(text, self.max_list_item_words) && !text.ends_with('.')
    }

    /// Whether a paragraph is a photo caption.
    pub fn is_caption(&self, paragraph: &str) -> bool {
        self.probe_is_caption(&Probe::new(paragraph))
    }

    /// [`Patterns::is_caption`] of a probed paragraph.
    pub(crate) fn probe_is_caption(&self, p: &Probe<'_>) -> bool {
        if !p.has_at_most_words(self.max_caption_words) {
            return false;
        }
        // On an ASCII start the key starts with the first byte, lowercased
        // (the text is trimmed), '`' read as '\''.
        let may_have_prefix = p.ascii_window().is_none_or(|start| {
            start.first().is_some_and(|&b| {
                self.caption_prefixes
                    .may_start(key_byte(b), start.get(1).copied().map(key_byte))
            })
        });
        (may_have_prefix
            && self
                .caption_prefixes
                .has_prefix(p.head_key(self.longest_prefix)))
            || self.caption_patterns.is_match(p.text)
    }

    /// Whether a paragraph is a credit line (`"Reporting by ..."`).
    pub fn is_credit(&self, paragraph: &str) -> bool {
        self.probe_is_credit(&Probe::new(paragraph))
    }

    /// [`Patterns::is_credit`] of a probed paragraph.
    pub(crate) fn probe_is_credit(&self, p: &Probe<'_>) -> bool {
        p.has_at_most_words(MAX_CREDIT_WORDS) && self.credit_patterns.is_match(p.text)
    }

    /// Whether a paragraph is a sign-off (`"Reuter"`).
    pub fn is_signoff(&self, paragraph: &str) -> bool {
        self.probe_is_signoff(&Probe::new(paragraph))
    }

    /// [`Patterns::is_signoff`] of a probed paragraph.
    pub(crate) fn probe_is_signoff(&self, p: &Probe<'_>) -> bool {
        p.has_at_most_words(3) && !ends_sentence(p.text) && self.signoffs.contains_probe(p)
    }

    /// The sign-off at the end of a paragraph after a wide gap
    /// (`"... (33.7).        REUTER"`): its byte offset, if there is one.
    pub fn trailing_signoff(&self, paragraph: &str) -> Option<usize> {
        let trimmed = paragraph.trim_end();
        let start = trimmed
            .rfind(|c: char| c.is_whitespace())
            .map(|i| i + trimmed[i..].chars().next().map_or(1, char::len_utf8))?;
        let gap = trimmed[..start]
            .chars()
            .rev()
            .take_while(|c| c.is_whitespace())
            .count();
        let before = trimmed[..start].trim_end();
        (gap >= 3 && !before.is_empty() && self.signoffs.contains(&trimmed[start..]))
            .then_some(start)
    }
}

/// A paragraph (trimmed) with what several checks share, computed once
/// and only as far as a check needs: its word count and the key of its
/// start.
#[derive(Debug)]
pub(crate) struct Probe<'a> {
    text: &'a str,
    /// Words counted so far, from the start.
    words: Cell<WordCounter>,
    head_key: OnceCell<HeadKey>,
    /// The [`line_key`] of the paragraph, built on first use.
    line_key: OnceCell<LineKey>,
}

impl<'a> Probe<'a> {
    /// Probes `paragraph`.
    pub(crate) fn new(paragraph: &'a str) -> Self {
        Probe {
            text: paragraph.trim(),
            words: Cell::new(WordCounter::new()),
            head_key: OnceCell::new(),
            line_key: OnceCell::new(),
        }
    }

    /// The [`line_key`] of the paragraph (built once).
    fn line_key(&self) -> &str {
        self.line_key
            .get_or_init(|| LineKey::of(self.text))
            .as_str()
    }

    /// Whether the paragraph has at most `max` words (counting no further
    /// than word `max + 1`).
    fn has_at_most_words(&self, max: usize) -> bool {
        let mut counter = self.words.get();
        counter.count_to(self.text, max.saturating_add(1));
        self.words.set(counter);
        counter.words() <= max
    }

    /// The part of the paragraph [`head_key`] reads, if it is ASCII.
    fn ascii_window(&self) -> Option<&'a [u8]> {
        let bytes = self.text.as_bytes();
        let start = &bytes[..bytes.len().min(PREFIX_WINDOW)];
        // ASCII bytes are characters: the window is exactly these bytes.
        start.is_ascii().then_some(start)
    }

    /// The [`key`] of the paragraph's start (see [`head_key`]), or on an
    /// ASCII start as much of it as prefixes of up to `longest` bytes need
    /// (see [`ascii_head_key_into`]); pass the same `longest` every time.
    fn head_key(&self, longest: usize) -> &str {
        self.head_key
            .get_or_init(|| match self.ascii_window() {
                Some(window) => {
                    let mut bytes = [0u8; PREFIX_WINDOW];
                    let len = ascii_head_key_into(window, &mut bytes, longest);
                    HeadKey::Inline { bytes, len }
                }
                None => HeadKey::Heap(head_key(self.text)),
            })
            .as_str()
    }
}

/// A [`head_key`], held inline when the window is ASCII.
#[derive(Debug)]
enum HeadKey {
    /// The key of an ASCII window: ASCII, at most as long as the window.
    Inline {
        bytes: [u8; PREFIX_WINDOW],
        len: usize,
    },
    /// Any other key.
    Heap(String),
}

impl HeadKey {
    /// The key.
    fn as_str(&self) -> &str {
        match self {
            HeadKey::Inline { bytes, len } => std::str::from_utf8(&bytes[..*len]).unwrap_or(""),
            HeadKey::Heap(key) => key,
        }
    }
}

/// How many characters of a paragraph prefixes are compared with (longer
/// than any sensible prefix).
const PREFIX_WINDOW: usize = 80;

/// The [`key`] of the start of `text`, enough to compare prefixes with.
fn head_key(text: &str) -> String {
    let end = if text.len() <= PREFIX_WINDOW {
        // No more bytes, so no more characters, than the window.
        text.len()
    } else if text.as_bytes()[..PREFIX_WINDOW].is_ascii() {
        PREFIX_WINDOW
    } else {
        text.char_indices()
            .nth(PREFIX_WINDOW)
            .map_or(text.len(), |(i, _)| i)
    };
    key(&text[..end])
}

/// The byte [`key`] has for an ASCII byte (a blank: the space it
/// collapses to, if anything follows).
fn key_byte(b: u8) -> u8 {
    if b == b' ' || b.wrapping_sub(b'\t') < 5 {
        b' '
    } else if b == b'`' {
        b'\''
    } else {
        b.to_ascii_lowercase()
    }
}

/// Paragraph starts compared by [`key`], with the sets of their first
/// one and two bytes.
#[derive(Debug)]
struct PrefixList {
    /// The keys of the prefixes, by their first byte (the empty ones last).
    prefixes: Vec<String>,
    /// `prefixes[starts[b]..starts[b + 1]]`: the prefixes starting with
    /// byte `b` (and `starts[256]..`: the empty ones, which never match).
    starts: Vec<usize>,
    /// `single[b]`: whether a prefix is the one byte `b`.
    single: [bool; 256],
    /// Bit `a * 256 + b`: whether a prefix starts with bytes `a`, `b`.
    pairs: Vec<u64>,
}

impl PrefixList {
    /// The list of `prefixes`.
    fn new(prefixes: &[String]) -> Self {
        let mut prefixes: Vec<String> = prefixes.iter().map(|s| key(s)).collect();
        // By first byte, the empty ones (which match nothing) last.
        let first = |p: &String| p.as_bytes().first().map_or(256, |&b| usize::from(b));
        prefixes.sort_by_key(first);
        let starts = (0..=256)
            .map(|b| prefixes.partition_point(|p| first(p) < b))
            .collect();
        let mut single = [false; 256];
        let mut pairs = vec![0u64; 256 * 256 / 64];
        for p in &prefixes {
            match *p.as_bytes() {
                [] => {}
                [a] => single[usize::from(a)] = true,
                [a, b, ..] => {
                    let bit = usize::from(a) * 256 + usize::from(b);
                    pairs[bit / 64] |= 1 << (bit % 64);
                }
            }
        }
        PrefixList {
            prefixes,
            starts,
            single,
            pairs,
        }
    }

    /// Whether `k` starts with one of the prefixes at a word boundary
    /// ([`has_prefix`] over the prefixes starting with the first byte of `k`).
    fn has_prefix(&self, k: &str) -> bool {
        let Some(&a) = k.as_bytes().first() else {
            return false;
        };
        let a = usize::from(a);
        has_prefix(k, &self.prefixes[self.starts[a]..self.starts[a + 1]])
    }

    /// Whether a key starting with byte `a`, then `b` (`None`: nothing or
    /// not known) may start with a prefix (false: [`has_prefix`] is false
    /// for it).
    fn may_start(&self, a: u8, b: Option<u8>) -> bool {
        self.single[usize::from(a)]
            || match b {
                Some(b) => {
                    let bit = usize::from(a) * 256 + usize::from(b);
                    self.pairs[bit / 64] >> (bit % 64) & 1 == 1
                }
                // The key may go on: any prefix starting with `a`.
                None => (0..256).any(|b| {
                    let bit = usize::from(a) * 256 + b;
                    self.pairs[bit / 64] >> (bit % 64) & 1 == 1
                }),
            }
    }
}

/// Whether `k` starts with one of `prefixes` at a word boundary.
fn has_prefix(k: &str, prefixes: &[String]) -> bool {
    prefixes.iter().any(|p| {
        !p.is_empty()
            && p.as_bytes()[0] == k.as_bytes().first().copied().unwrap_or(0)
            && k.starts_with(p.as_str())
            && (p.ends_with(|c: char| !c.is_alphanumeric())
                || k[p.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_alphanumeric()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default patterns, compiled once for all tests.
    fn patterns() -> &'static Patterns {
        static PATTERNS: std::sync::OnceLock<Patterns> = std::sync::OnceLock::new();
        PATTERNS.get_or_init(|| Patterns::new(&NewsLayoutConfig::default()).unwrap())
    }

    #[test]
    fn a_pattern_that_does_not_compile_is_named() {
        let patterns = [
            "photo$".to_string(),
            "(unclosed".to_string(),
            "[z-a]".to_string(),
        ];
        let error = CompiledPatterns::compile("caption_patterns", &patterns)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.contains("pattern `(unclosed` does not compile"),
            "{error}"
        );
    }

    #[test]
    fn credit_lines_pass_the_guard_and_body_text_does_not() {
        let p = patterns();
        for line in [
            "(Additional reporting by Jane Doe; Editing by John Roe)",
            "Reporting by Jane Doe",
            "THE STORY HAS NOT BEEN EDITED by staff",
            "this article first appeared in Example News",
            "With inputs from agencies",
            "Inputs from PTI",
            "Contributing: Jane Doe",
        ] {
            assert!(may_start_as_credit(line), "{line}");
            assert!(p.credit_patterns.is_match(line), "{line}");
        }
        for line in [
            "The company said it would report on Monday.",
            "With the deal, shares rose.",
            "Additional shares were sold.",
            "This is a story about reporting.",
        ] {
            assert!(!may_start_as_credit(line), "{line}");
            assert!(!p.credit_patterns.is_match_unguarded(line), "{line}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]

        #[test]
        fn short_head_keys_check_prefixes_as_the_full_key(
            list in proptest::collection::vec("(read|re|[a-c]{0,3}|[ :(-]|R|1){0,4}", 0..8),
            text in "[ \t`'(:-]{0,3}(read|re|[a-c]{0,3}|[ \t:(`-]|R|1|x){0,30}",
        ) {
            let prefixes = PrefixList::new(&list);
            let longest = prefixes.prefixes.iter().map(String::len).max().unwrap_or(0);
            let window = &text.as_bytes()[..text.len().min(PREFIX_WINDOW)];
            let mut full = [0u8; PREFIX_WINDOW];
            let full_len = ascii_key_into(window, &mut full);
            let mut short = [0u8; PREFIX_WINDOW];
            let short_len = ascii_head_key_into(window, &mut short, longest);
            let full = std::str::from_utf8(&full[..full_len]).unwrap();
            let short = std::str::from_utf8(&short[..short_len]).unwrap();
            proptest::prop_assert!(full.starts_with(short));
            proptest::prop_assert_eq!(prefixes.has_prefix(short), prefixes.has_prefix(full));
            let trim = |k: &str| -> String {
                k.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '(' && c != '©').to_string()
            };
            proptest::prop_assert_eq!(prefixes.has_prefix(&trim(short)), prefixes.has_prefix(&trim(full)));
        }

        #[test]
        fn lazily_compiled_patterns_match_as_eagerly_compiled_ones(
            text in "(REUTERS|Reuters|photo|File|é|/|[a-z ]{1,5}|[()-]|,){0,12}",
            long: bool,
        ) {
            // Long or non-ASCII text goes to the single regexes, compiled on use.
            let text = if long { format!("{}{text}", "x ".repeat(SET_MAX_BYTES)) } else { text };
            // Compiled once for all cases: the lazy regexes are built by
            // whichever case first needs them.
            static COMPILED: OnceLock<(CompiledPatterns, Vec<Regex>)> = OnceLock::new();
            let (lazy, singles) = COMPILED.get_or_init(|| {
                let builtin: Vec<String> =
                    DEFAULT_CAPTION_PATTERNS.iter().map(|p| p.to_string()).collect();
                let singles = builtin.iter().map(|p| Regex::new(p).unwrap()).collect();
                (CompiledPatterns::compile("caption_patterns", &builtin).unwrap(), singles)
            });
            let eager = singles.iter().any(|r| r.is_match(&text));
            proptest::prop_assert_eq!(lazy.is_match(&text), eager);
            proptest::prop_assert_eq!(lazy.is_match(&text), eager);
        }

        #[test]
        fn bucketed_prefixes_agree_with_the_plain_scan(
            list in proptest::collection::vec("(read|re|ré|[a-c]{0,3}|[ :(©-]|é|R){0,4}", 0..8),
            k in "(read|re|ré|[a-c]{0,3}|[ :(©-]|é|R|x){0,6}",
        ) {
            // The old scan over every prefix (keyed, in the given order).
            let keys: Vec<String> = list.iter().map(|s| key(s)).collect();
            let bucketed = PrefixList::new(&list);
            proptest::prop_assert_eq!(bucketed.has_prefix(&k), has_prefix(&k, &keys));
            let p = patterns();
            proptest::prop_assert_eq!(
                p.debris_prefixes.has_prefix(&k),
                has_prefix(&k, &p.debris_prefixes.prefixes)
            );
            proptest::prop_assert_eq!(
                p.caption_prefixes.has_prefix(&k),
                has_prefix(&k, &p.caption_prefixes.prefixes)
            );
        }

        #[test]
        fn probed_line_keys_are_line_keys(
            s in "([A-Za-zé`'0-9]{1,6}|[ \t\n\r\u{b}\u{c}\u{a0}]{1,3}|[(),.:!-]){0,40}",
            long in proptest::bool::ANY,
        ) {
            // Built once, then read again: the key of the trimmed paragraph
            // (short ASCII ones inline, the others on the heap).
            let s = if long { format!("{s}{}", "Read more ".repeat(14)) } else { s };
            let probe = Probe::new(&s);
            let expected = line_key(s.trim());
            proptest::prop_assert_eq!(probe.line_key(), expected.as_str());
            proptest::prop_assert_eq!(probe.line_key(), expected.as_str());
            // Every set answers as a lookup of that key.
            let p = patterns();
            for set in [&p.debris_lines, &p.list_headings, &p.signoffs] {
                let fresh = Probe::new(&s);
                proptest::prop_assert_eq!(
                    set.contains_probe(&fresh),
                    has_at_most_words(s.trim(), set.max_words) && set.keys.contains(&expected)
                );
            }
        }

        #[test]
        fn stack_line_keys_agree_with_line_key(
            s in "([A-Za-z`'0-9]{1,6}|[ \t\n\r\u{b}\u{c}]{1,3}|[(),.:!-]){0,30}",
        ) {
            let mut buffer = [0u8; SHORT_KEY_BYTES];
            let fast = ascii_line_key_into(&s, &mut buffer).map(str::to_string);
            if s.len() <= SHORT_KEY_BYTES {
                proptest::prop_assert_eq!(fast, Some(line_key(&s)));
            } else {
                proptest::prop_assert_eq!(fast, None);
            }
        }

        #[test]
        fn debris_pattern_guard_never_hides_a_match(
            s in "(©|\\(c\\)|\\(C\\)|Copyright|copyright|COPYRIGHT|Updated|updated|Published|POSTED|Last updated|last Updated|on|at|[0-9]{1,4}|[0-9]{1,2}:[0-9]{2}|am|p\\.m\\.|GMT|[A-Z][a-z]{0,6}|[ \t]{1,2}|[-/|:().,]|é){0,10}",
        ) {
            let p = patterns();
            proptest::prop_assert_eq!(
                p.debris_patterns.is_match(&s),
                p.debris_patterns.is_match_unguarded(&s)
            );
        }

        #[test]
        fn credit_guard_never_hides_a_match(
            s in "[(\\[]?[ \t]{0,2}(Additional|ADDITIONAL|additional|Reporting|REPORTING by|reporting|Writing|editing|Compiled|research|Graphics|produced|translated|edited|Written|reported|Contributing:|contributing|With|inputs|Input|from|agencies|Reuters|AFP|This|THE|the|story|article|report|has not been edited|was first published|first appeared|by|[A-Za-z]{1,6}|[ \t\n]{1,2}|[-:;,.()0-9_]|é){0,8}",
        ) {
            let p = patterns();
            proptest::prop_assert_eq!(
                p.credit_patterns.is_match(&s),
                p.credit_patterns.is_match_unguarded(&s)
            );
        }

        #[test]
        fn caption_literals_never_hide_a_match(
            s in "(REUTERS|Reuters|REUTERS/|AFP|AP|EPA|Xinhua|anadolu|dawn|APP|ani|PTI|IANS|Bloomberg|Getty Images|GETTY IMAGES|Shutterstock|afp via getty images|ph[o0]to|PHOTO|Photograph|File|FILE|/File Photo|Pic|pictures|image|Image|credit|by|\\(Photo: |\\(file photo|\\(pics credit:|[A-Z][a-z]{0,6}|[ \t\n\u{b}\u{c}\r]{1,2}|[-/|:().,'’–—]|\\)|é|[0-9]{1,2}){0,14}",
        ) {
            let p = patterns();
            proptest::prop_assert_eq!(
                p.caption_patterns.is_match(&s),
                p.caption_patterns.is_match_unguarded(&s)
            );
        }

        #[test]
        fn caption_credit_guard_reads_the_tail_as_every_p_did(
            s in "([A-Za-z]{1,5}|ph[o0]to|PHOTO|Photo|p|P|[ \t\n]{1,2}|[-/|:().,'’0-9]|é){0,10}(ph[o0]to|PHOTO|Photo|/|p)?[ :/)]{0,2}[A-Za-z .'-]{0,8}[/:),0-9’]?[A-Za-z .'-]{0,6}[ \t]?",
        ) {
            proptest::prop_assert_eq!(
                may_end_with_caption_credit(&s),
                may_end_with_caption_credit_by_every_p(&s)
            );
        }

        #[test]
        fn holds_photo_finds_photo_in_any_case(s in "(p|P|h|H|o|O|t|T|0|ph[o0]to|PHOTO|Photo|pHoTo| ){0,12}") {
            let bytes = s.as_bytes();
            let slow = bytes.windows(5).any(|w| w.eq_ignore_ascii_case(b"photo"));
            proptest::prop_assert_eq!(holds_photo(bytes), slow);
        }

        #[test]
        fn caption_guard_never_hides_a_credit_at_the_end(
            s in "[A-Za-z ,.0-9/]{0,16}(-|–|\\||\\(| )? ?(Reuters|REUTERS|AFP|ap|Getty Images|shutterstock|photo|Photograph|PHOTO|file|pics) ?(/|:|by|credit:)? ?[A-Za-z .'-]{0,12}([A-Za-z]|[/:,0-9()’]){0,3}",
        ) {
            let p = patterns();
            proptest::prop_assert_eq!(
                p.caption_patterns.is_match(&s),
                p.caption_patterns.is_match_unguarded(&s)
            );
        }

        #[test]
        fn debris_guard_never_hides_a_match_at_the_start(
            s in "[ (]?(\\(c\\)|\\(C\\)|copyright|Copyright|updated|UPDATED|published|posted|last updated|Last Updated|Last  updated|post|update)( on| at)?:? ?(©|\\(c\\))? ?[A-Za-z ,.0-9]{0,10}([0-9]{1,2}:[0-9]{2})? ?(am|pm|GMT|p\\.m\\.)?\\.?",
        ) {
            let p = patterns();
            proptest::prop_assert_eq!(
                p.debris_patterns.is_match(&s),
                p.debris_patterns.is_match_unguarded(&s)
            );
        }

        #[test]
        fn prefilters_never_hide_a_match(
            s in "[ (`'\t]{0,2}(Read|read|more|photo|File|[:(©-]|Photo|é|[A-Za-z]{1,5}|[0-9]{1,3}| ){0,10}",
        ) {
            // The checks against the definitions: key of the start, then
            // the prefixes, then the patterns.
            let p = patterns();
            let probe = Probe::new(&s);
            let text = s.trim();
            let k = head_key(text);
            let fresh = Probe::new(&s);
            proptest::prop_assert_eq!(fresh.head_key(usize::MAX), k.as_str());
            let short = Probe::new(&s);
            let short_key = short.head_key(p.longest_prefix);
            proptest::prop_assert!(k.starts_with(short_key));
            let trimmed = k.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '(' && c != '©');
            let slow_has = |k: &str, list: &PrefixList| list.prefixes.iter().any(|q| {
                !q.is_empty()
                    && k.starts_with(q.as_str())
                    && (q.ends_with(|c: char| !c.is_alphanumeric())
                        || k[q.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric()))
            });
            let debris = p.debris_lines.contains(text)
                || (has_at_most_words(text, p.max_debris_words)
                    && (slow_has(trimmed, &p.debris_prefixes) || p.debris_patterns.is_match_unguarded(text)));
            proptest::prop_assert_eq!(p.probe_is_debris(&probe), debris);
            let caption = has_at_most_words(text, p.max_caption_words)
                && (slow_has(&k, &p.caption_prefixes) || p.caption_patterns.is_match_unguarded(text));
            proptest::prop_assert_eq!(p.probe_is_caption(&probe), caption);
            proptest::prop_assert_eq!(p.probe_is_list_heading(&probe), p.list_headings.keys.contains(&line_key(text)) && has_at_most_words(text, p.list_headings.max_words));
        }
    }

    #[test]
    fn probed_members_are_found_in_their_sets() {
        let p = patterns();
        for (set, lines) in [
            (&p.debris_lines, DEFAULT_DEBRIS_LINES),
            (&p.list_headings, DEFAULT_LIST_HEADINGS),
            (&p.signoffs, DEFAULT_SIGNOFFS),
        ] {
            for line in lines {
                for text in [line.to_string(), format!("  {}: ", line.to_uppercase())] {
                    let expected = has_at_most_words(text.trim(), set.max_words)
                        && set.keys.contains(&line_key(text.trim()));
                    assert_eq!(set.contains_probe(&Probe::new(&text)), expected, "{text}");
                    assert_eq!(set.contains(&text), expected, "{text}");
                }
            }
        }
    }

    #[test]
    fn prefix_lists_know_their_first_bytes() {
        let list = PrefixList::new(&["X".into(), "ab c".into(), String::new()]);
        assert!(list.may_start(b'x', None));
        assert!(list.may_start(b'x', Some(b'q')));
        assert!(list.may_start(b'a', Some(b'b')));
        assert!(list.may_start(b'a', None));
        assert!(!list.may_start(b'a', Some(b'c')));
        assert!(!list.may_start(b'b', Some(b' ')));
        assert_eq!(key_byte(b'\t'), b' ');
        assert_eq!(key_byte(b'`'), b'\'');
        assert_eq!(key_byte(b'Q'), b'q');
    }

    #[test]
    fn debris_is_recognized() {
        let p = patterns();
        for s in [
            "Load Next Story0",
            "Load Next Story",
            "Share this article",
            "Share on Facebook",
            "Follow us on Twitter",
            "Read more: Pakistan, China sign deal",
            "Advertisement",
            "Subscribe to our newsletter",
            "Click here to read the full report",
            "We use cookies to improve your experience. Accept",
            "Comments (12)",
            "12 Comments",
            "© 2024 Dawn Media Group",
            "Copyright 2024 The Associated Press. All rights reserved.",
            "Updated: March 3, 2024 10:21 pm",
        ] {
            assert!(p.is_debris(s), "{s}");
        }
    }

    #[test]
    fn body_sentences_are_not_debris() {
        let p = patterns();
        for s in [
            "Reuters spoke to five Pakistani security and government sources.",
            "Copyright infringement claims rose sharply, officials said.",
            "Share prices fell 3 pct in early trading.",
            "Comments by the minister angered Beijing.",
            "Published in 1998, the book sold well.",
            "The advertisement ran in three newspapers.",
        ] {
            assert!(!p.is_debris(s), "{s}");
        }
    }

    #[test]
    fn captions_are_recognized() {
        let p = patterns();
        for s in [
            "Pakistan-China cooperation. - Reuters/file",
            "(Photo: AFP)",
            "File photo: Soldiers stand guard in Karachi.",
            "Soldiers stand guard in Karachi, Pakistan, Oct 7, 2024. REUTERS/Akhtar Soomro",
            "Workers at the site. Photo: John Doe/Getty Images",
            "The airport after the blast. AFP photo",
            "The dam at dawn - Reuters/Jean-Paul O'Neil",
            "The dam at dawn - Photo by Jean-Paul O'Neil/AFP",
        ] {
            assert!(p.is_caption(s), "{s}");
        }
        for s in [
            "A Reuters/Ipsos poll showed support falling.",
            "He sold the pictures to Getty Images.",
            "Earnings rose to 1.20 dlrs/share - Reuters/2,000 in 1986/87",
            "The photo archive - photo: 1986/87 season",
            "Reuters spoke to five officials, one official said.",
        ] {
            assert!(!p.is_caption(s), "{s}");
        }
    }

    #[test]
    fn credits_and_signoffs_are_recognized() {
        let p = patterns();
        assert!(p.is_credit("Reporting by Asif Shahzad; Editing by Raju Gopalakrishnan"));
        assert!(p.is_credit("(Additional reporting by Jane Doe in Beijing)"));
        assert!(p.is_credit("Contributing: Kristine Phillips"));
        assert!(!p.is_credit("Reporters asked the minister about it."));
        assert!(p.is_signoff(" Reuter"));
        assert!(p.is_signoff("REUTER"));
        assert!(!p.is_signoff("Reuters said."));
        let s = "Jun 13.0, total 55.8 (33.7).        REUTER";
        assert_eq!(p.trailing_signoff(s), Some(s.len() - "REUTER".len()));
        assert_eq!(p.trailing_signoff("He spoke to Reuters"), None);
    }
}
