//! Datelines: `"ISLAMABAD (Reuters) – "`, `"WASHINGTON, March 3 (Reuters) -"`,
//! `"SANTA CRUZ, Calif., Feb 26 -"`, `"ISLAMABAD:"`.

use super::shape::word_count_up_to;
use regex::Regex;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// A dateline found at the start of a paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dateline {
    /// The place (`"ISLAMABAD"`, `"SANTA CRUZ"`).
    pub place: String,
    /// Regions after the place (`"Calif."`), if any.
    pub regions: Vec<String>,
    /// The date as written (`"Feb 26"`), if any.
    pub date: Option<String>,
    /// The credited agency (`"Reuters"`), if any.
    pub credit: Option<String>,
    /// Byte length of the dateline in the paragraph, separator and the
    /// spaces after it included: the body starts there.
    pub len: usize,
    /// Whether the dateline ends with a separator (`-`, `:`); a line that
    /// is only a place and region (`"BAAR, SWITZERLAND"`) has none.
    pub has_separator: bool,
}

/// Labels that look like an all-caps place followed by a colon or a dash
/// but start a kicker, a note or a column instead (matched against the
/// whole place and its first word).
const KICKER_LABELS: &[&str] = &[
    "ADVISORY",
    "ANALYSIS",
    "BREAKING",
    "BULLETIN",
    "BUSINESS",
    "COLUMN",
    "COMMENT",
    "CORRECTED",
    "CORRECTION",
    "DEAR",
    "EDITORIAL",
    "EXCLUSIVE",
    "FACTBOX",
    "FEATURE",
    "FLASH",
    "FOCUS",
    "INSIGHT",
    "INTERVIEW",
    "LIVE",
    "NEWS",
    "NOTE",
    "OPINION",
    "PHOTO",
    "PHOTOS",
    "REFILE",
    "REVIEW",
    "RPT",
    "SPORT",
    "SPORTS",
    "TEXT",
    "TIMELINE",
    "UPDATE",
    "UPDATED",
    "URGENT",
    "VIDEO",
    "WATCH",
    "WORLD",
    "WRAPUP",
];

/// Lower-case words allowed inside a mixed-case place name (`Rio de Janeiro`).
const PLACE_PARTICLES: &[&str] = &[
    "al", "am", "an", "and", "da", "de", "del", "der", "des", "di", "do", "du", "el", "en", "es",
    "la", "las", "le", "les", "los", "of", "on", "sur", "the", "upon", "y",
];

/// The character classes of a dateline pattern.
struct Classes<'a> {
    /// A letter.
    letter: &'a str,
    /// An uppercase letter.
    upper: &'a str,
    /// The body of a class of letters and marks.
    letters_marks: &'a str,
    /// A digit.
    digit: &'a str,
    /// Any character but `(`, `)` and a line break.
    not_paren: &'a str,
    /// The flags that make month names match in any case.
    any_case: &'a str,
}

/// The classes of the Unicode pattern.
const UNICODE_CLASSES: Classes<'static> = Classes {
    letter: r"\p{L}",
    upper: r"\p{Lu}",
    letters_marks: r"\p{L}\p{M}",
    digit: r"\d",
    not_paren: r"[^()\n]",
    any_case: "i",
};

/// The classes of the pattern for ASCII text: on ASCII text they match
/// what the Unicode ones match, and they make a far smaller automaton
/// (`[^()\n]` taken 40 times, case folding without `ſ` for `s`).
const ASCII_CLASSES: Classes<'static> = Classes {
    letter: "[A-Za-z]",
    upper: "[A-Z]",
    letters_marks: "A-Za-z",
    digit: "[0-9]",
    not_paren: r"[\x00-\x09\x0B-\x27\x2A-\x7F]",
    any_case: "i-u",
};

/// The dateline pattern, with its character classes given.
fn dateline_pattern(c: &Classes<'_>) -> String {
    let Classes {
        letter,
        upper,
        letters_marks,
        digit,
        not_paren,
        any_case,
    } = c;
    let month =
        format!(r"(?{any_case}:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec){letter}*\.?");
    format!(
        r"^(?P<place>{letter}[{letters_marks}.'’&/]*(?:[ \-][{letters_marks}.'’&/]+){{0,4}}?)(?P<regions>(?:,[ \t]*{upper}[{letters_marks}.'’]*(?:[ \t]+{upper}[{letters_marks}.'’]*){{0,2}}){{0,3}}?)(?:[ \t]*,[ \t]*(?P<date>{month}[ \t]+{digit}{{1,2}}(?:st|nd|rd|th)?(?:,?[ \t]+{digit}{{4}})?|{digit}{{1,2}}[ \t]+{month}(?:,?[ \t]+{digit}{{4}})?))?(?:[ \t]*\((?P<credit>{letter}{not_paren}{{0,40}})\))?[ \t]*(?P<sep>:|[-–—]{{1,2}}|\|)(?:[ \t]+|$)"
    )
}

/// The dateline regex for `text`: on ASCII text, one whose classes are
/// ASCII ([`ASCII_CLASSES`], the same on ASCII text and several times
/// faster to run with captures), else the Unicode one.
fn dateline_regex(text: &str) -> &'static Regex {
    static UNICODE: OnceLock<Regex> = OnceLock::new();
    static ASCII: OnceLock<Regex> = OnceLock::new();
    // Room for the lazy DFA of a pattern this large, so that its cache
    // is not emptied and built again and again (every new dateline a
    // loader stores is read with captures once per thread).
    let compile = |pattern: String| {
        regex::RegexBuilder::new(&pattern)
            .dfa_size_limit(DATELINE_DFA_BYTES)
            .build()
            .unwrap_or_else(|e| panic!("dateline pattern does not compile: {e}"))
    };
    if text.is_ascii() {
        ASCII.get_or_init(|| compile(dateline_pattern(&ASCII_CLASSES)))
    } else {
        UNICODE.get_or_init(|| compile(dateline_pattern(&UNICODE_CLASSES)))
    }
}

/// The lazy-DFA cache of each dateline regex, per thread (the default is 2 MiB).
const DATELINE_DFA_BYTES: usize = 16 << 20;

/// The dateline at the start of `paragraph`, if there is one.
///
/// The place must be in capitals (`ISLAMABAD`, `RIO DE JANEIRO`), or in
/// mixed case (`New York`) when a date or a credit follows it. A capitalized
/// kicker (`EXCLUSIVE:`, `NOTE:`) is not a place. Without a date or a
/// credit, the text after the dateline must be empty or start with a
/// capital, a digit or an opening quote or bracket, so `"ISLAMABAD-based
/// officials"` has no dateline.
///
/// ```
/// use copydesk_clean::layout::dateline::parse_dateline;
/// let d = parse_dateline("WASHINGTON, March 3 (Reuters) - The Fed said.").unwrap();
/// assert_eq!(d.place, "WASHINGTON");
/// assert_eq!(d.date.as_deref(), Some("March 3"));
/// assert_eq!(d.credit.as_deref(), Some("Reuters"));
/// assert_eq!(&"WASHINGTON, March 3 (Reuters) - The Fed said."[d.len..], "The Fed said.");
/// assert!(parse_dateline("EXCLUSIVE: Fed to act").is_none());
/// ```
pub fn parse_dateline(paragraph: &str) -> Option<Dateline> {
    if has_no_room_for_a_dateline(paragraph) {
        return None;
    }
    read_dateline(paragraph)
}

/// Whether `paragraph` cannot open with a dateline, seen without the
/// pattern: its first [`MAX_DATELINE_CHARS`] characters are ASCII without
/// a separator (`:`, `-`, `|`; the dashes `–` and `—` are not ASCII), and
/// it has more than [`MAX_PLACE_LINE_WORDS`] words. A dateline the pattern
/// finds ends with its separator and is refused when longer than
/// [`MAX_DATELINE_CHARS`], so the pattern finds none that is kept; and
/// without a pattern match, such a paragraph is too long for a place line.
fn has_no_room_for_a_dateline(paragraph: &str) -> bool {
    let bytes = paragraph.as_bytes();
    let head = &bytes[..bytes.len().min(MAX_DATELINE_CHARS)];
    head.is_ascii()
        && memchr::memchr3(b':', b'-', b'|', head).is_none()
        && word_count_up_to(paragraph.trim(), MAX_PLACE_LINE_WORDS + 1) > MAX_PLACE_LINE_WORDS
}

/// [`parse_dateline`] by the pattern (then as a place line), for any paragraph.
fn read_dateline(paragraph: &str) -> Option<Dateline> {
    let Some(caps) = dateline_regex(paragraph).captures(paragraph) else {
        return parse_place_line(paragraph);
    };
    let whole = caps.get(0)?;
    let place = caps.name("place")?.as_str().trim().to_string();
    let date = caps.name("date").map(|m| m.as_str().trim().to_string());
    let credit = caps.name("credit").map(|m| m.as_str().trim().to_string());
    let regions: Vec<String> = caps
        .name("regions")
        .map(|m| {
            m.as_str()
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    if whole.as_str().chars().count() > MAX_DATELINE_CHARS {
        return None;
    }
    let (mut letters, mut all_caps) = (0usize, true);
    for c in place.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        all_caps &= !c.is_lowercase();
    }
    let supported = date.is_some() || credit.is_some();
    if all_caps {
        let min_letters = if supported { 2 } else { 3 };
        let first_word = place.split_whitespace().next().unwrap_or_default();
        let kicker = KICKER_LABELS.contains(&place.as_str()) || KICKER_LABELS.contains(&first_word);
        if letters < min_letters || (!supported && kicker) {
            return None;
        }
    } else if !supported || !is_title_case_place(&place) {
        return None;
    }
    let rest = &paragraph[whole.end()..];
    if !supported {
        // A bare place must be alone, or open real text (a few words, in
        // mixed case): "ARGENTINA COULD SUSPEND DEBT PAYMENTS - SOURCES" and
        // "ECONOMIC SPOTLIGHT - JAPAN EYEING FOREIGN STOCKS" are headlines.
        let rest_words = rest.split_whitespace().count();
        let place_words = place.split_whitespace().count();
        if place_words > MAX_BARE_PLACE_WORDS
            || (!rest.is_empty()
                && (rest_words < MIN_TEXT_AFTER_BARE_PLACE
                    || !starts_like_a_sentence(rest)
                    || !rest.chars().any(char::is_lowercase)))
        {
            return None;
        }
    }
    Some(Dateline {
        place,
        regions,
        date,
        credit,
        len: whole.end(),
        has_separator: true,
    })
}

/// A paragraph that is only a place and its region in capitals, without a
/// separator (`"BAAR, SWITZERLAND"`): a dateline on its own line. At most
/// four words in all, so an all-caps headline with a comma (`"SPANISH
/// FARMERS PROTEST, THEN CALL TRUCE"`) is not one.
fn parse_place_line(paragraph: &str) -> Option<Dateline> {
    let text = paragraph.trim();
    // Checked first (it is one of the conditions below) so that a long
    // paragraph is not split at every comma.
    if word_count_up_to(text, MAX_PLACE_LINE_WORDS + 1) > MAX_PLACE_LINE_WORDS {
        return None;
    }
    let mut parts = text.split(',').map(str::trim);
    let place = parts.next()?;
    let regions: Vec<String> = parts.map(str::to_string).collect();
    let words = |s: &str| s.split_whitespace().count();
    let capital_words = |s: &str| {
        !s.is_empty()
            && s.chars().any(char::is_alphabetic)
            && s.chars()
                .all(|c| c.is_uppercase() || matches!(c, ' ' | '.' | '\'' | '’' | '-'))
    };
    let ok = (1..=2).contains(&regions.len())
        && words(text) <= MAX_PLACE_LINE_WORDS
        && capital_words(place)
        && regions
            .iter()
            .all(|r| words(r) <= MAX_BARE_PLACE_WORDS && capital_words(r))
        && !KICKER_LABELS.contains(&place);
    ok.then(|| Dateline {
        place: place.to_string(),
        regions,
        date: None,
        credit: None,
        len: paragraph.len(),
        has_separator: false,
    })
}

/// Reads a dateline stored by a loader (`"SALVADOR, Feb 26 -"`, `"New
/// York, June 1 -"`): like [`parse_dateline`] but the whole string must be
/// the dateline and mixed case is always accepted.
pub fn parse_stored_dateline(stored: &str) -> Option<Dateline> {
    if let Some(simple) = read_plain_wire_dateline(stored.trim()) {
        return Some(simple);
    }
    if stored.len() > MAX_REMEMBERED_BYTES {
        return read_stored_dateline(stored);
    }
    thread_local! {
        static REMEMBERED: RefCell<HashMap<String, Option<Dateline>, BuildHasherDefault<Fnv>>> =
            RefCell::new(HashMap::default());
    }
    REMEMBERED.with(|remembered| {
        if let Some(known) = remembered.borrow().get(stored) {
            return known.clone();
        }
        let read = read_stored_dateline(stored);
        let mut remembered = remembered.borrow_mut();
        if remembered.len() >= MAX_REMEMBERED {
            remembered.clear();
        }
        remembered.insert(stored.to_string(), read.clone());
        read
    })
}

/// How many stored datelines [`parse_stored_dateline`] remembers per
/// thread (wire copy repeats its datelines: `"NEW YORK, April 7 -"`
/// heads a hundred stories of one day); the memory is emptied when full.
const MAX_REMEMBERED: usize = 4096;

/// FNV-1a, a fast hash for the short keys of [`parse_stored_dateline`]'s
/// memory (which is bounded, so colliding keys cost little), and of the
/// news-layout line sets (which only lookups touch after they are built).
pub(super) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The longest stored dateline (in bytes) [`parse_stored_dateline`] remembers.
const MAX_REMEMBERED_BYTES: usize = 128;

/// The most words of a place in the dateline pattern (one, then up to four more).
const MAX_PLACE_WORDS: usize = 5;

/// Reads a trimmed stored dateline of the plain wire form `"PLACE, Month
/// D -"` or `"PLACE, Region, Month D -"` without the regular expression:
/// one to five words of ASCII letters with single spaces between, up to
/// three regions (each `", "` and one to three words, each an ASCII
/// capital followed by ASCII letters, full stops and apostrophes, single
/// spaces between), `", "`, a word of letters starting with a month's
/// abbreviation (any case), maybe a full stop, one space, one or two
/// digits, `" -"` and nothing more; `None` for any other text.
///
/// On such text the pattern of [`read_stored_dateline`] has one way to
/// match to the end: the place cannot stop before a comma (a space and a
/// letter follow it, which nothing after the place accepts); fewer
/// regions than there are leave a region where the date, the credit or
/// the separator would have to start, and none of them can (a region is
/// not a month followed by a blank and a digit, nor a digit, a bracket or
/// a separator); a region's words are all taken (a comma must follow
/// them); the date is the month and day, there is no credit and the only
/// separator is the final `-`. So the result is the same (checked by a
/// property test).
fn read_plain_wire_dateline(trimmed: &str) -> Option<Dateline> {
    let (place, rest) = trimmed.split_once(", ")?;
    let place_ok = place.split(' ').count() <= MAX_PLACE_WORDS
        && place
            .split(' ')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest = rest.strip_suffix(" -")?;
    let (regions, date) = match rest.rsplit_once(", ") {
        Some((regions, date)) => (Some(regions), date),
        None => (None, rest),
    };
    let regions: Vec<&str> = regions.map_or_else(Vec::new, |r| r.split(", ").collect());
    let region_ok = |region: &str| {
        region.split(' ').count() <= MAX_REGION_WORDS
            && region.split(' ').all(|w| {
                w.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
                    && w.bytes()
                        .all(|b| b.is_ascii_alphabetic() || b == b'.' || b == b'\'')
            })
    };
    let regions_ok = regions.len() <= MAX_REGIONS && regions.iter().all(|r| region_ok(r));
    let (month, day) = date.split_once(' ')?;
    let month_word = month.strip_suffix('.').unwrap_or(month);
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month_ok = month_word.bytes().all(|b| b.is_ascii_alphabetic())
        && MONTHS.iter().any(|m| {
            month_word
                .get(..3)
                .is_some_and(|start| start.eq_ignore_ascii_case(m))
        });
    let day_ok = (1..=2).contains(&day.len()) && day.bytes().all(|b| b.is_ascii_digit());
    (place_ok && regions_ok && month_ok && day_ok).then(|| Dateline {
        place: place.to_string(),
        regions: regions.into_iter().map(str::to_string).collect(),
        date: Some(date.to_string()),
        credit: None,
        len: trimmed.len(),
        has_separator: true,
    })
}

/// The most regions in the dateline pattern.
const MAX_REGIONS: usize = 3;

/// The most words of a region in the dateline pattern (one, then up to two more).
const MAX_REGION_WORDS: usize = 3;

/// [`parse_stored_dateline`], read afresh.
fn read_stored_dateline(stored: &str) -> Option<Dateline> {
    let trimmed = stored.trim();
    let with_sep: Cow<'_, str> = if trimmed.ends_with([':', '-', '–', '—', '|']) {
        Cow::Borrowed(trimmed)
    } else {
        Cow::Owned(format!("{trimmed} -"))
    };
    let caps = dateline_regex(&with_sep).captures(&with_sep)?;
    let whole = caps.get(0)?;
    if whole.end() != with_sep.len() {
        return None;
    }
    let place = caps.name("place")?.as_str().trim().to_string();
    Some(Dateline {
        place,
        regions: caps
            .name("regions")
            .map(|m| {
                m.as_str()
                    .split(',')
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        date: caps.name("date").map(|m| m.as_str().trim().to_string()),
        credit: caps.name("credit").map(|m| m.as_str().trim().to_string()),
        len: trimmed.len(),
        has_separator: true,
    })
}

/// The most words of a place without a date or a credit (`RIO DE JANEIRO`).
const MAX_BARE_PLACE_WORDS: usize = 3;

/// The most words of a dateline line without a separator (`BAAR, SWITZERLAND`).
const MAX_PLACE_LINE_WORDS: usize = 4;

/// The fewest words of text after a place without a date or a credit.
const MIN_TEXT_AFTER_BARE_PLACE: usize = 4;

/// The longest dateline accepted, in characters.
const MAX_DATELINE_CHARS: usize = 90;

/// Whether every word of a mixed-case place starts with a capital or is a
/// particle (`Rio de Janeiro`).
fn is_title_case_place(place: &str) -> bool {
    place.split([' ', '-']).all(|word| {
        word.chars().next().is_some_and(char::is_uppercase)
            || PLACE_PARTICLES.contains(&word.to_lowercase().as_str())
    })
}

/// Whether text after a dateline starts like a sentence.
fn starts_like_a_sentence(rest: &str) -> bool {
    rest.chars().next().is_some_and(|c| {
        c.is_uppercase()
            || c.is_ascii_digit()
            || matches!(
                c,
                '"' | '\'' | '“' | '‘' | '(' | '[' | '<' | '$' | '£' | '€' | '«'
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wire_datelines() {
        let d = parse_dateline("ISLAMABAD (Reuters) – Beijing is pushing").unwrap();
        assert_eq!(
            (d.place.as_str(), d.credit.as_deref()),
            ("ISLAMABAD", Some("Reuters"))
        );
        assert_eq!(
            &"ISLAMABAD (Reuters) – Beijing is pushing"[d.len..],
            "Beijing is pushing"
        );

        let d = parse_dateline("SANTA CRUZ, Calif., Feb 26 - Shr 34 cts").unwrap();
        assert_eq!(d.place, "SANTA CRUZ");
        assert_eq!(d.regions, ["Calif."]);
        assert_eq!(d.date.as_deref(), Some("Feb 26"));

        let d = parse_dateline("ISLAMABAD:").unwrap();
        assert_eq!(d.place, "ISLAMABAD");
        assert_eq!(d.len, "ISLAMABAD:".len());

        let d = parse_dateline("BAAR, SWITZERLAND").unwrap();
        assert_eq!(
            (d.place.as_str(), d.len),
            ("BAAR", "BAAR, SWITZERLAND".len())
        );
        assert!(parse_dateline("CHINESE FRUSTRATIONS").is_none());
        assert!(parse_dateline("SPANISH FARMERS PROTEST, THEN CALL TRUCE").is_none());
        assert!(parse_dateline("Baar, Switzerland").is_none());

        let d = parse_dateline("WINSTON-SALEM, N.C., March 3 - Text").unwrap();
        assert_eq!(d.place, "WINSTON-SALEM");

        let d = parse_dateline("New York, June 1 - Prices rose.").unwrap();
        assert_eq!(d.place, "New York");

        let d = parse_dateline("NEW YORK , March 5 - Responsibility lies").unwrap();
        assert_eq!(
            (d.place.as_str(), d.date.as_deref()),
            ("NEW YORK", Some("March 5"))
        );

        let d = parse_dateline("ATLANTA, March 12 - periods ended January 31").unwrap();
        assert_eq!(
            &"ATLANTA, March 12 - periods ended January 31"[d.len..],
            "periods ended January 31"
        );
    }

    #[test]
    fn rejects_ordinary_sentences() {
        for s in [
            "Beijing is pushing Islamabad to allow its own staff.",
            "NOTE: 4th qtr not available.",
            "ISLAMABAD-based officials said",
            "Reuters spoke to five Pakistani security sources.",
            "U.S. officials said - quietly - that it was over.",
            "The Fed: a history",
            "Islamabad: the capital",
            "IBM - the computer maker - said",
            "ARGENTINA COULD SUSPEND DEBT PAYMENTS - SOURCES",
            "CHINA WARNS JAPAN - REPORT",
            "ECONOMIC SPOTLIGHT - JAPAN EYEING FOREIGN STOCKS",
            "DEAR ABBY: My husband and I disagree about money.",
            "ROTTERDAM PORT SUBSIDY TO END JULY 1 - Officials",
        ] {
            assert!(parse_dateline(s).is_none(), "{s}");
        }
    }

    /// Every capture group's span, or `None` without a match.
    type Groups = Option<Vec<Option<std::ops::Range<usize>>>>;

    fn groups(re: &Regex, text: &str) -> Groups {
        re.captures(text)
            .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect())
    }

    fn unicode_regex() -> Regex {
        Regex::new(&dateline_pattern(&UNICODE_CLASSES)).unwrap()
    }

    #[test]
    fn the_ascii_pattern_reads_ascii_text_as_the_unicode_one() {
        let unicode = unicode_regex();
        for t in [
            "SALVADOR, Feb 26 -",
            "WASHINGTON, March 3 (Reuters) - The Fed said.",
            "SANTA CRUZ, Calif., Feb 26 - Shr 34 cts",
            "ISLAMABAD:",
            "NEW YORK , March 5 - Responsibility lies",
            "omaha, april 7 -",
        ] {
            assert!(groups(&unicode, t).is_some(), "{t}");
            assert_eq!(groups(dateline_regex(t), t), groups(&unicode, t), "{t}");
        }
    }

    proptest::proptest! {
        #[test]
        fn ascii_and_unicode_patterns_agree_on_ascii_text(
            t in proptest::prop_oneof![
                // Dateline-shaped text, most of which matches.
                r"[A-Z][A-Za-z.'&/]{0,8}( [A-Z][a-z]{0,6}){0,2}(,[ \t]?[A-Z][a-z.]{0,5}){0,2}(, ?(Feb|March|sept|jan|Dec|May)[a-z]{0,3}\.? [0-9]{1,2}(st|th)?(,? [0-9]{4})?|, [0-9]{1,2} (Feb|March))?( \((Reuters|AP [0-9]|x\ny)\))? ?(:|-|--|\|)( [A-Za-z0-9 ,.]{0,10})?",
                // Anything of the same pieces.
                r"([A-Z]{1,8}|[a-z]{1,6}|[0-9]{1,4}|Feb|March|sept|[ ,.'&/()|:\t-]|\(Reuters\)|\n){0,14}",
            ]
        ) {
            proptest::prop_assert_eq!(groups(dateline_regex(&t), &t), groups(&unicode_regex(), &t));
        }
    }

    proptest::proptest! {
        #[test]
        fn paragraphs_without_room_for_a_dateline_have_none(
            t in proptest::prop_oneof![
                // Datelines opening a paragraph, some too long to be kept.
                r"[A-Z][A-Za-z.'&/]{0,30}( [A-Z][a-z]{0,12}){0,4}(, ?[A-Z][a-z.]{0,12}){0,3}(, ?(Feb|March|sept)[a-z]{0,3}\.? [0-9]{1,2})?( \((Reuters|AP [0-9]{1,30})\))? ?(:|-|--|\||–)( [A-Za-z0-9 ,.é-]{0,40})?",
                // Place lines and other short paragraphs.
                r"[A-Z ]{1,12}(, [A-Z .]{1,10}){0,3}( [a-z]{1,5}){0,3}",
                // Anything of the same pieces.
                r"([A-Z]{1,8}|[a-z]{1,12}|[0-9]{1,4}|Feb|[ ,.'&/()|:\t-]|\(Reuters\)|é|–){0,30}",
            ]
        ) {
            proptest::prop_assert_eq!(parse_dateline(&t), read_dateline(&t));
        }

        #[test]
        fn plain_wire_datelines_are_read_as_the_pattern_reads_them(
            t in r"[ \t]?(([A-Za-z]{1,7}|ST\.|[A-Z]{2}-[A-Z]{2})( [A-Za-z]{1,6}){0,6}|[A-Z]{1,4}  [A-Z]{1,3}),( |  )?((N\.J\.|Calif\.|New Zealand|British Columbia|West Germany|Fla|O'Hare|Mar|March 3|Oct 12|Md\.|[A-Z][a-z.']{0,5}( [A-Z][a-z]{0,4}){0,3}|[a-z]{1,4}|[0-9]{1,2}|\(AP\)|-),( |  )?){0,4}(Jan|feb|MARCH|Sept\.|sep|Mayday|Ma|oct\.|Dec|Xyz|[a-z]{3,5})\.?( |  )[0-9]{0,3}( -| - x| --| :|-| -  )[ \t]?"
        ) {
            let trimmed = t.trim();
            if let Some(simple) = read_plain_wire_dateline(trimmed) {
                proptest::prop_assert_eq!(Some(simple), read_stored_dateline(&t));
            }
        }

        #[test]
        fn remembered_stored_datelines_are_read_afresh(
            t in r"([A-Z]{1,8}|[a-z]{1,6}|[0-9]{1,4}|Feb|March|sept|[ ,.'&/()|:\t-]|\(Reuters\)){0,10}"
        ) {
            // Asked twice: once read, once remembered.
            proptest::prop_assert_eq!(parse_stored_dateline(&t), read_stored_dateline(&t));
            proptest::prop_assert_eq!(parse_stored_dateline(&t), read_stored_dateline(&t));
        }
    }

    #[test]
    fn plain_wire_datelines_with_regions_are_read_without_the_pattern() {
        for t in [
            "TAUPO, New Zealand, March 23 -",
            "EDISON, N.J., April 13 -",
            "SANTA CRUZ, Calif., Feb 26 -",
            "VANCOUVER, British Columbia, March 24 -",
            "BOCA RATON, Fla, March 20 -",
            "LONDON, Ont., Canada, Sept. 3 -",
        ] {
            let simple = read_plain_wire_dateline(t);
            assert!(
                simple.as_ref().is_some_and(|d| !d.regions.is_empty()),
                "{t}"
            );
            assert_eq!(simple, read_stored_dateline(t), "{t}");
        }
        // Not the plain form: left to the pattern.
        for t in ["TAUPO, new zealand, March 23 -", "A, B, C, D, E, March 2 -"] {
            assert_eq!(read_plain_wire_dateline(t), None, "{t}");
        }
    }

    #[test]
    fn reads_loader_datelines() {
        let d = parse_stored_dateline("SALVADOR, Feb 26 -").unwrap();
        assert_eq!(
            (d.place.as_str(), d.date.as_deref()),
            ("SALVADOR", Some("Feb 26"))
        );
        let d = parse_stored_dateline("omaha, april 7 -").unwrap();
        assert_eq!(d.place, "omaha");
        let d = parse_stored_dateline("ISLAMABAD").unwrap();
        assert_eq!(d.place, "ISLAMABAD");
        assert!(parse_stored_dateline("MAR8  --     --").is_none());
    }
}
