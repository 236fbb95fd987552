//! `tag.dates.v1`: dates, times and durations with normalized values.

use crate::layer::add_layer;
use crate::lexicon::{month_number, small_number, weekday_number};
use crate::scan::{is_ascii_space, is_ascii_word_byte};
use copydesk_core::{
    Annotation, Attrs, BuiltStage, Document, DocumentStage, OptionDoc, OptionError, StageConfig,
    StageError, StageKind, cap,
};
use regex::{Captures, Regex};
use regex_automata::{Anchored, Input, meta};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The layer this stage writes.
pub const LAYER: &str = "dates";

/// A calendar day, for anchoring relative dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    /// Year.
    pub year: i64,
    /// Month, 1–12.
    pub month: u32,
    /// Day of month, 1–31.
    pub day: u32,
}

impl Day {
    /// Parses the `YYYY-MM-DD` start of an ISO 8601 date or timestamp.
    pub fn parse_iso(s: &str) -> Option<Day> {
        let s = s.get(..10)?;
        if !s.is_ascii() {
            return None;
        }
        let b = s.as_bytes();
        if b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let day = Day {
            year: s[..4].parse().ok()?,
            month: s[5..7].parse().ok()?,
            day: s[8..10].parse().ok()?,
        };
        ((1..=12).contains(&day.month) && (1..=31).contains(&day.day)).then_some(day)
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    fn to_days(self) -> i64 {
        let y = if self.month <= 2 {
            self.year - 1
        } else {
            self.year
        };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    fn from_days(z: i64) -> Day {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Day { year, month, day }
    }

    fn plus_days(self, n: i64) -> Day {
        Day::from_days(self.to_days() + n)
    }

    fn iso(self) -> String {
        iso_date(Some(self.year), self.month, self.day)
    }

    /// ISO week, as `YYYY-Www`.
    fn iso_week(self) -> String {
        let days = self.to_days();
        let weekday = (days + 3).rem_euclid(7) + 1; // Monday = 1
        let thursday = Day::from_days(days - (weekday - 1) + 3);
        let jan1 = Day {
            year: thursday.year,
            month: 1,
            day: 1,
        };
        let week = (thursday.to_days() - jan1.to_days()) / 7 + 1;
        let mut out = String::with_capacity(8);
        push_padded(&mut out, thursday.year, 4);
        out.push_str("-W");
        push_padded(&mut out, week, 2);
        out
    }

    fn plus_months(self, n: i64) -> (i64, u32) {
        let total = self.year * 12 + i64::from(self.month) - 1 + n;
        (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32)
    }
}

/// What a date mention is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateLabel {
    /// A calendar date, month, year or relative day (`March 3, 1987`, `last week`).
    Date,
    /// A clock time (`5 p.m.`, `10:30 GMT`).
    Time,
    /// A length of time (`40 minutes`, `a decade`).
    Duration,
}

impl DateLabel {
    /// The annotation label.
    pub fn as_str(self) -> &'static str {
        match self {
            DateLabel::Date => "date",
            DateLabel::Time => "time",
            DateLabel::Duration => "duration",
        }
    }
}

/// One date, time or duration.
#[derive(Debug, Clone, PartialEq)]
pub struct DateMention {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// What it is.
    pub label: DateLabel,
    /// The ISO 8601 / TIMEX3-style value when it can be given: `1987-03-03`,
    /// `--02-26` (no year), `1987-03`, `1987`, `198X`, `XXXX-WXX-1` (a Monday),
    /// `T17:00`, `PT40M`, `P10Y`; relative dates only when anchored.
    pub normalized: Option<String>,
    /// For relative dates, the offset from the document date (`-P1W`, `-P1M`, `P0D`).
    pub relative: Option<String>,
}

impl DateMention {
    /// The mention as an annotation of the `dates` layer.
    pub fn to_annotation(&self) -> Annotation {
        let mut a = Annotation::new(self.start, self.end, self.label.as_str());
        if let Some(n) = &self.normalized {
            a = a.with("normalized", n.as_str());
        }
        if let Some(r) = &self.relative {
            a = a.with("relative", r.as_str());
        }
        a
    }

    /// [`DateMention::to_annotation`], moving the strings into the
    /// annotation (keys in order: `normalized` before `relative`) and
    /// allocating the attribute list once, at its final size.
    pub fn into_annotation(self) -> Annotation {
        let count = usize::from(self.normalized.is_some()) + usize::from(self.relative.is_some());
        let mut attrs = Attrs::with_capacity(count);
        if let Some(n) = self.normalized {
            attrs.push_sorted("normalized", n);
        }
        if let Some(r) = self.relative {
            attrs.push_sorted("relative", r);
        }
        Annotation {
            start: self.start,
            end: self.end,
            label: self.label.as_str().into(),
            attrs,
        }
    }
}

const MONTH: &str = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)";

struct Patterns {
    /// What `month_day_at` is, searched in the whole text (the reference).
    #[cfg(test)]
    month_day: Regex,
    day_month: Regex,
    /// What `month_year_at` is, searched in the whole text (the reference).
    #[cfg(test)]
    month_year: Regex,
    /// `month_day` for searches anchored where a match may start.
    month_day_at: meta::Regex,
    /// `month_year` for searches anchored where a match may start.
    month_year_at: meta::Regex,
    /// What [`WordScan::weekdays`] finds (the reference).
    #[cfg(test)]
    weekday: Regex,
    clock_ampm: Regex,
    clock_24: Regex,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        // ASCII classes and word boundaries keep every pattern on the fast
        // DFA engines even in text with typographic quotes.
        let re = |p: String| {
            Regex::new(&format!("(?-u){p}")).expect("the date patterns are valid regexes (tested)")
        };
        let month_day = format!(
            r"\b(?P<m>{MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?"
        );
        let month_year = format!(r"\b(?P<m>{MONTH}),?\s+(?P<y>\d{{4}})\b");
        let at = |p: &str| {
            meta::Regex::new(&format!("(?-u){p}"))
                .expect("the date patterns are valid regexes (tested)")
        };
        Patterns {
            month_day_at: at(&month_day),
            month_year_at: at(&month_year),
            #[cfg(test)]
            month_day: re(month_day),
            day_month: re(format!(
                r"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{MONTH})(?:,?\s+(?P<y>\d{{4}})\b)?"
            )),
            #[cfg(test)]
            month_year: re(month_year),
            #[cfg(test)]
            weekday: re(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b".to_string()),
            clock_ampm: re(r"\b(?P<h>\d{1,2})(?::(?P<min>[0-5]\d))?\s*(?P<ap>[ap])(?:\.m\.|m\b)".to_string()),
            clock_24: re(r"\b(?P<h>[01]?\d|2[0-3]):(?P<min>[0-5]\d)(?:\s*(?P<tz>GMT|UTC|EST|EDT|BST|CET|IST|PST|PKT))?\b|\b(?P<word>noon|midnight)\b".to_string()),
        }
    })
}

/// [`number_value`] of a word with no uppercase letter (its lowercase
/// form is itself).
fn number_value_of_lowercase(word: &str) -> Option<f64> {
    match word {
        "a" | "an" => Some(1.0),
        w if w.starts_with(|c: char| c.is_ascii_digit()) => w.parse().ok(),
        w => small_number(w),
    }
}

#[cfg(test)]
fn number_value(word: &str) -> Option<f64> {
    let lower = word.to_lowercase();
    match lower.as_str() {
        "a" | "an" => Some(1.0),
        w if w.starts_with(|c: char| c.is_ascii_digit()) => w.parse().ok(),
        w => small_number(w),
    }
}

fn capture_day(c: &Captures<'_>) -> Option<(u32, u32, Option<i64>)> {
    let month = month_number(c.name("m")?.as_str())?;
    let day: u32 = c.name("d")?.as_str().parse().ok()?;
    if !(1..=31).contains(&day) {
        return None;
    }
    let year = c.name("y").and_then(|y| y.as_str().parse().ok());
    Some((month, day, year))
}

/// The spans of one match of `month_day` or `month_year`: the whole
/// match, the month, and the day and year when the pattern has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MonthMatch {
    start: usize,
    end: usize,
    month: (usize, usize),
    day: Option<(usize, usize)>,
    year: Option<(usize, usize)>,
}

/// The matches of `re` in `text` that `captures_iter` finds (in order,
/// not overlapping, each the leftmost-first match after the one before),
/// given every position where a match of `re` may start, in order: `re`
/// is tried only there, anchored, instead of searching the whole text.
fn matches_at(re: &meta::Regex, text: &str, starts: &[usize], mut each: impl FnMut(MonthMatch)) {
    if starts.is_empty() {
        return;
    }
    let mut caps = re.create_captures();
    let span = |name: &str, caps: &regex_automata::util::captures::Captures| {
        caps.get_group_by_name(name).map(|s| (s.start, s.end))
    };
    let mut from = 0;
    for &start in starts {
        if start < from {
            continue;
        }
        let input = Input::new(text).range(start..).anchored(Anchored::Yes);
        re.search_captures(&input, &mut caps);
        let (Some(whole), Some(month)) = (caps.get_match(), span("m", &caps)) else {
            continue;
        };
        from = whole.end();
        each(MonthMatch {
            start: whole.start(),
            end: whole.end(),
            month,
            day: span("d", &caps),
            year: span("y", &caps),
        });
    }
}

/// [`capture_day`] of a [`MonthMatch`].
fn day_of(
    text: &str,
    month: (usize, usize),
    day: Option<(usize, usize)>,
    year: Option<(usize, usize)>,
) -> Option<(u32, u32, Option<i64>)> {
    let month = month_number(&text[month.0..month.1])?;
    let (d0, d1) = day?;
    let day: u32 = text[d0..d1].parse().ok()?;
    if !(1..=31).contains(&day) {
        return None;
    }
    let year = year.and_then(|(y0, y1)| text[y0..y1].parse().ok());
    Some((month, day, year))
}

/// Finds dates, times and durations.
#[derive(Debug, Clone, Default)]
pub struct DateFinder;

impl DateFinder {
    /// Mentions of `text`, in order and non-overlapping; relative dates are
    /// normalized against `anchor` (the document's date) when given.
    pub fn find(&self, text: &str, anchor: Option<Day>) -> Vec<DateMention> {
        let p = patterns();
        let mut found: Vec<DateMention> = Vec::new();
        let mut push = |start, end, label, normalized: Option<String>, relative: Option<String>| {
            found.push(DateMention {
                start,
                end,
                label,
                normalized,
                relative,
            });
        };
        let scan = WordScan::of(text);
        let cues = scan.cues;
        let mut day_date = |start, end, (month, day, year): (u32, u32, Option<i64>)| {
            let normalized = iso_date(year.or(anchor.map(|a| a.year)), month, day);
            push(start, end, DateLabel::Date, Some(normalized), None);
        };
        // `month_day` and `month_year` start at a month word: searched
        // only there (what searching the whole text finds).
        matches_at(&p.month_day_at, text, &scan.month_words, |m| {
            if let Some(day) = day_of(text, m.month, m.day, m.year) {
                day_date(m.start, m.end, day);
            }
        });
        for c in cues
            .day_month
            .then(|| p.day_month.captures_iter(text))
            .into_iter()
            .flatten()
        {
            let Some(whole) = c.get(0) else { continue };
            if let Some(day) = capture_day(&c) {
                day_date(whole.start(), whole.end(), day);
            }
        }
        matches_at(&p.month_year_at, text, &scan.month_words, |m| {
            if let (Some(month), Some(y)) = (month_number(&text[m.month.0..m.month.1]), m.year) {
                let normalized = format!("{}-{month:02}", &text[y.0..y.1]);
                push(m.start, m.end, DateLabel::Date, Some(normalized), None);
            }
        });
        for (start, m) in scan.month_contexts {
            let Some(month) = month_number(&text[m.0..m.1]) else {
                continue;
            };
            let year = anchor.map_or_else(|| "XXXX".to_string(), |a| format!("{:04}", a.year));
            push(
                start,
                m.1,
                DateLabel::Date,
                Some(format!("{year}-{month:02}")),
                None,
            );
        }
        for (start, end, decade) in scan.years {
            if !is_year_context(text, start, end) {
                continue;
            }
            let digits = &text[start..start + 4];
            let normalized = if decade {
                if !digits.ends_with('0') {
                    continue;
                }
                format!("{}X", &digits[..3])
            } else {
                digits.to_string()
            };
            push(start, end, DateLabel::Date, Some(normalized), None);
        }
        // What `weekday` finds: the words that are weekday names.
        for (start, end, n) in scan.weekdays {
            push(
                start,
                end,
                DateLabel::Date,
                Some(format!("XXXX-WXX-{n}")),
                None,
            );
        }
        for (start, end, words) in scan.relative {
            let (normalized, relative) = relative_value(words, anchor);
            push(start, end, DateLabel::Date, normalized, Some(relative));
        }
        for c in cues
            .am_pm
            .then(|| p.clock_ampm.captures_iter(text))
            .into_iter()
            .flatten()
        {
            let (Some(whole), Some(h), Some(ap)) = (c.get(0), c.name("h"), c.name("ap")) else {
                continue;
            };
            let Ok(mut hour) = h.as_str().parse::<u32>() else {
                continue;
            };
            if !(1..=12).contains(&hour) {
                continue;
            }
            if ap.as_str() == "p" && hour != 12 {
                hour += 12;
            } else if ap.as_str() == "a" && hour == 12 {
                hour = 0;
            }
            let min = c.name("min").map_or("00", |m| m.as_str());
            push(
                whole.start(),
                whole.end(),
                DateLabel::Time,
                Some(format!("T{hour:02}:{min}")),
                None,
            );
        }
        for c in cues
            .clock
            .then(|| p.clock_24.captures_iter(text))
            .into_iter()
            .flatten()
        {
            let Some(whole) = c.get(0) else { continue };
            let normalized = match (c.name("word"), c.name("h"), c.name("min")) {
                (Some(w), _, _) if w.as_str() == "noon" => "T12:00".to_string(),
                (Some(_), _, _) => "T00:00".to_string(),
                (None, Some(h), Some(m)) => {
                    let hour: u32 = h.as_str().parse().unwrap_or(0);
                    format!("T{hour:02}:{}", m.as_str())
                }
                _ => continue,
            };
            push(
                whole.start(),
                whole.end(),
                DateLabel::Time,
                Some(normalized),
                None,
            );
        }
        // Durations and "N units ago" are found from their unit word, then
        // the count before it is read by hand.
        for (u, ago_end) in scan.time_units {
            let Some((start, value)) = count_before(text, u.0) else {
                continue;
            };
            let unit = singular_unit(&text[u.0..u.1]);
            match ago_end {
                Some(ago_end) => {
                    let (normalized, relative) = ago_value(value, unit, anchor);
                    push(start, ago_end, DateLabel::Date, normalized, Some(relative));
                }
                None => push(
                    start,
                    u.1,
                    DateLabel::Duration,
                    Some(format!("P{}", duration_code(value, unit))),
                    None,
                ),
            }
        }
        // Keep the earliest, then longest, of overlapping mentions.
        found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut out: Vec<DateMention> = Vec::with_capacity(found.len());
        for m in found {
            if out.last().is_none_or(|last| last.end <= m.start) {
                out.push(m);
            }
        }
        out
    }
}

/// Which of the date patterns can match a text at all, from one look at
/// its ASCII words: a pattern whose word is missing is not run (most texts
/// have no weekday, clock time or month name). Each flag is a necessary
/// condition of its patterns matching, never a sufficient one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct PatternCues {
    /// A word starting with a month abbreviation (`Jan` ... `Dec`, as
    /// written): `month_day` and `month_year` start their month at a word
    /// boundary.
    month: bool,
    /// Such a word right after a day number (`26`, `3rd`: one or two
    /// digits and maybe an ordinal suffix), or after `of` right after one
    /// (`3 of March`): where `day_month` has its month (only blanks are
    /// between the words there, and blanks are no word bytes).
    day_month: bool,
    /// A weekday name as a whole word (`weekday`).
    weekday: bool,
    /// A word that is `am` or `pm` after any digits (`5pm`, `10 am`), or
    /// `a` or `p` after any digits and followed by `.m.` (`5 a.m.`): what
    /// `clock_ampm` ends with (its `[ap]` is followed by `m` or `.m.`; the
    /// article `a` alone, in most texts, is no cue).
    am_pm: bool,
    /// Digits, a colon and a digit (`10:30`), or `noon` / `midnight`
    /// (`clock_24`).
    clock: bool,
}

/// What one pass over the ASCII words of a text finds for the date
/// finder: the pattern cues and the candidates of the hand-written
/// scanners, each list in text order, exactly as [`PatternCues::of`],
/// [`month_contexts`], [`year_word`] over every word, [`relative_dates`]
/// and [`time_units`] find them one pass each (property-tested against
/// them and against the regular expressions they replaced). Most words
/// are none of these: a word is looked at further only when its length
/// and first letter are those of a listed word.
#[derive(Debug, Default, PartialEq)]
struct WordScan<'t> {
    cues: PatternCues,
    /// Where the words starting with a month abbreviation start (where
    /// `month_day` and `month_year` matches may start).
    month_words: Vec<usize>,
    month_contexts: Vec<(usize, (usize, usize))>,
    /// The weekday names (whole words, as `weekday` finds them) and their
    /// numbers (Monday 1).
    weekdays: Vec<(usize, usize, u32)>,
    /// Year and decade words: (start, end, is a decade).
    years: Vec<(usize, usize, bool)>,
    relative: Vec<(usize, usize, RelativeWords<'t>)>,
    time_units: Vec<((usize, usize), Option<usize>)>,
}

/// The first words of relative dates (see [`relative_dates`]).
const RELATIVE_FIRST_WORDS: &[&str] = &[
    "last",
    "next",
    "this",
    "past",
    "coming",
    "yesterday",
    "today",
    "tomorrow",
    "tonight",
    "earlier",
    "later",
];

/// The month names [`month_contexts`] looks for.
const MONTH_NAMES: &[&str] = &[
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
];

/// The time unit words [`time_units`] looks for.
const TIME_UNITS: &[&str] = &[
    "second",
    "seconds",
    "minute",
    "minutes",
    "hour",
    "hours",
    "day",
    "days",
    "week",
    "weeks",
    "fortnight",
    "fortnights",
    "month",
    "months",
    "year",
    "years",
    "decade",
    "decades",
    "century",
    "centuries",
];

/// Per word length below 16 and first letter (any case), which lists
/// have a word of that shape: bit 0 relative first words, bit 1 month
/// names, bit 2 time units.
static SCAN_SHAPES: [[u8; 26]; 16] = {
    let lists: [&[&str]; 3] = [RELATIVE_FIRST_WORDS, MONTH_NAMES, TIME_UNITS];
    let mut table = [[0u8; 26]; 16];
    let mut l = 0;
    while l < lists.len() {
        let shapes = word_shapes(lists[l]);
        let mut len = 0;
        while len < 16 {
            let mut letter = 0;
            while letter < 26 {
                if shapes[len] & (1 << letter) != 0 {
                    table[len][letter] |= 1 << l;
                }
                letter += 1;
            }
            len += 1;
        }
        l += 1;
    }
    table
};

/// Per word length (16 for any longer word) and first byte, what a word
/// of that shape may be for [`WordScan`]: a digit word ([`WORD_DIGITS`]),
/// a capitalized month or weekday word ([`WORD_CAPITAL`]), a lowercase
/// clock cue ([`WORD_LOWER_CUE`]), and the bits of [`SCAN_SHAPES`]
/// shifted by three. Most words (`the`, `said`, `company`) are none of
/// these and cost one lookup.
static WORD_CLASSES: [[u8; 256]; 17] = {
    let mut table = [[0u8; 256]; 17];
    let mut len = 1;
    while len <= 16 {
        let mut b = 0;
        while b < 256 {
            let byte = b as u8;
            let mut class = 0u8;
            if byte.is_ascii_digit() {
                class = WORD_DIGITS;
            } else if byte.is_ascii_uppercase() {
                let month = len >= 3
                    && matches!(byte, b'A' | b'D' | b'F' | b'J' | b'M' | b'N' | b'O' | b'S');
                let weekday =
                    len >= 6 && len <= 9 && matches!(byte, b'M' | b'T' | b'W' | b'F' | b'S');
                if month || weekday {
                    class |= WORD_CAPITAL;
                }
            } else if byte.is_ascii_lowercase() {
                let am_pm = len <= 2 && matches!(byte, b'a' | b'p');
                let clock = (len == 4 && byte == b'n') || (len == 8 && byte == b'm');
                if am_pm || clock {
                    class |= WORD_LOWER_CUE;
                }
            }
            if byte.is_ascii_alphabetic() && len < 16 {
                class |= SCAN_SHAPES[len][(byte.to_ascii_lowercase() - b'a') as usize] << 3;
            }
            table[len][b] = class;
            b += 1;
        }
        len += 1;
    }
    table
};

/// [`WORD_CLASSES`]: a word starting with a digit.
const WORD_DIGITS: u8 = 1;
/// [`WORD_CLASSES`]: a capitalized word that may start with a month
/// abbreviation or be a weekday.
const WORD_CAPITAL: u8 = 2;
/// [`WORD_CLASSES`]: a lowercase word that may be `am`, `pm`, `a` or `p`
/// (before `.m.`), `noon` or `midnight`.
const WORD_LOWER_CUE: u8 = 4;

/// Per word length below 16 and first letter (any case), for each list
/// of [`SCAN_SHAPES`] (in its bit order), the last letters (any case,
/// [`LETTER_BIT`]) of the words of that list of that length and first
/// letter: most words with a listed word's length and initial (`that`,
/// `with`, `have`) end otherwise and are not compared.
static SCAN_ENDS: [[[u32; 3]; 26]; 16] = {
    let lists: [&[&str]; 3] = [RELATIVE_FIRST_WORDS, MONTH_NAMES, TIME_UNITS];
    let mut table = [[[0u32; 3]; 26]; 16];
    let mut l = 0;
    while l < lists.len() {
        let words = lists[l];
        let mut k = 0;
        while k < words.len() {
            let w = words[k].as_bytes();
            let first = w[0].to_ascii_lowercase() - b'a';
            let last = w[w.len() - 1].to_ascii_lowercase() - b'a';
            table[w.len()][first as usize][l] |= 1 << last;
            k += 1;
        }
        l += 1;
    }
    table
};

/// For each byte, its letter's place in the alphabet (any case, `a` = 0);
/// 0 for any other byte.
static LETTER_INDEX: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let lower = (b as u8).to_ascii_lowercase();
        if lower.is_ascii_lowercase() {
            table[b] = lower - b'a';
        }
        b += 1;
    }
    table
};

/// For each byte, the bit of its letter (any case, `a` = bit 0); no bit
/// for any other byte (no listed word ends with one).
static LETTER_BIT: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut b = 0;
    while b < 256 {
        let lower = (b as u8).to_ascii_lowercase();
        if lower.is_ascii_lowercase() {
            table[b] = 1 << (lower - b'a');
        }
        b += 1;
    }
    table
};

/// For each byte, the bit of its letter (any case, `a` = bit 0, as
/// [`LETTER_BIT`]), or bit 26 for any other byte: every byte has a bit.
static LAST_BIT: [u32; 256] = {
    let mut table = [1u32 << 26; 256];
    let mut b = 0;
    while b < 256 {
        if LETTER_BIT[b] != 0 {
            table[b] = LETTER_BIT[b];
        }
        b += 1;
    }
    table
};

/// Per word length (16 for any longer word) and first byte (an ASCII word
/// byte, so below 128), the [`LAST_BIT`]s of the last bytes a word of that
/// shape may have and be of some class in [`WordScan::of`]: every bit for
/// a digit word or a clock, month or weekday cue shape ([`WORD_CLASSES`]
/// bits 0 to 2), else the last letters of the listed words of that length
/// and first letter on the lists [`WORD_CLASSES`] allows ([`SCAN_ENDS`]).
/// A word whose last byte's bit is not here is of no class: one lookup
/// rejects it (most words), before the exact class is worked out.
static MAY_BE_OF_A_CLASS: [[u32; 128]; 17] = {
    let mut table = [[0u32; 128]; 17];
    let mut len = 1;
    while len <= 16 {
        let mut b = 0;
        while b < 128 {
            let class = WORD_CLASSES[len][b];
            let mut ends = 0u32;
            if class & 0b111 != 0 {
                ends = u32::MAX;
            } else {
                let lists = SCAN_ENDS[len & 15][LETTER_INDEX[b] as usize];
                let mut l = 0;
                while l < 3 {
                    if class & (1 << (l + 3)) != 0 {
                        ends |= lists[l];
                    }
                    l += 1;
                }
            }
            table[len][b] = ends;
            b += 1;
        }
        len += 1;
    }
    table
};

/// The ASCII word (see [`ascii_words`](crate::scan::ascii_words)) that
/// ends last at or before byte `at` of `bytes` (`at` not inside a word):
/// empty when there is none.
fn ascii_word_before(bytes: &[u8], at: usize) -> (usize, usize) {
    let mut end = at;
    while end > 0 && !is_ascii_word_byte(bytes[end - 1]) {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && is_ascii_word_byte(bytes[start - 1]) {
        start -= 1;
    }
    (start, end)
}

impl<'t> WordScan<'t> {
    fn of(text: &'t str) -> WordScan<'t> {
        let bytes = text.as_bytes();
        let mut scan = WordScan::default();
        // Relative dates do not start inside an earlier one.
        let mut relative_from = 0;
        for (start, end) in crate::scan::ascii_words(text) {
            let len = end - start;
            let first = bytes[start];
            let last_byte = bytes[end - 1];
            // Most words are of no class by their length and first and
            // last bytes alone (one lookup each).
            if MAY_BE_OF_A_CLASS[len.min(16)][usize::from(first & 0x7f)]
                & LAST_BIT[usize::from(last_byte)]
                == 0
            {
                continue;
            }
            // The lists a word may be on are kept only when its last
            // letter is one of theirs too, without a branch: most words
            // are then of no class (one well-predicted test).
            let ends = &SCAN_ENDS[len & 15][usize::from(LETTER_INDEX[usize::from(first)])];
            let last = LETTER_BIT[usize::from(last_byte)];
            let lists = u8::from(ends[0] & last != 0)
                | u8::from(ends[1] & last != 0) << 1
                | u8::from(ends[2] & last != 0) << 2;
            let class = WORD_CLASSES[len.min(16)][usize::from(first)] & (0b111 | lists << 3);
            if class == 0 {
                continue;
            }
            let w = &bytes[start..end];
            if class & WORD_DIGITS != 0 {
                scan.cues.add_digit_word(bytes, w, end);
                if let Some(decade) = year_word(&text[start..end]) {
                    scan.years.push((start, end, decade));
                }
                continue;
            }
            if class & WORD_CAPITAL != 0 {
                // The words before are read only for a month word, and
                // only while no day-month cue is found.
                let after_day = |cues: &PatternCues| {
                    cues.day_month || {
                        let previous = ascii_word_before(bytes, start);
                        let second = ascii_word_before(bytes, previous.0);
                        after_day_number(&bytes[previous.0..previous.1], &bytes[second.0..second.1])
                    }
                };
                let (month, weekday) = scan
                    .cues
                    .add_capitalized_word(text, w, start, end, after_day);
                if month {
                    scan.month_words.push(start);
                }
                if let Some(n) = weekday {
                    scan.weekdays.push((start, end, n));
                }
            } else if class & WORD_LOWER_CUE != 0 {
                scan.cues.add_lowercase_word(bytes, w, end);
            }
            let shape = class >> 3;
            if shape & 1 != 0
                && start >= relative_from
                && let Some(found) = relative_date_at(text, start, end)
            {
                relative_from = found.1;
                scan.relative.push(found);
            }
            if shape & 2 != 0
                && let Some(found) = month_context_at(text, start, end)
            {
                scan.month_contexts.push(found);
            }
            if shape & 4 != 0
                && let Some(found) = time_unit_at(text, start, end)
            {
                scan.time_units.push(found);
            }
        }
        scan
    }

    /// [`WordScan::of`] as it was, every word looked at in turn (the
    /// tests' reference).
    #[cfg(test)]
    fn of_word_by_word(text: &'t str) -> WordScan<'t> {
        let bytes = text.as_bytes();
        let mut scan = WordScan::default();
        let mut relative_from = 0;
        let mut before: [&[u8]; 2] = [b"", b""];
        for (start, end) in crate::scan::ascii_words(text) {
            let w = &bytes[start..end];
            let [previous, second_previous] = before;
            before = [w, previous];
            let first = w[0];
            if first.is_ascii_digit() {
                scan.cues.add_digit_word(bytes, w, end);
                if let Some(decade) = year_word(&text[start..end]) {
                    scan.years.push((start, end, decade));
                }
                continue;
            }
            if !first.is_ascii_alphabetic() {
                continue;
            }
            if first.is_ascii_uppercase() {
                let after_day = after_day_number(previous, second_previous);
                let (month, weekday) =
                    scan.cues
                        .add_capitalized_word(text, w, start, end, |c: &PatternCues| {
                            c.day_month || after_day
                        });
                if month {
                    scan.month_words.push(start);
                }
                if let Some(n) = weekday {
                    scan.weekdays.push((start, end, n));
                }
            } else {
                scan.cues.add_lowercase_word(bytes, w, end);
            }
            let shape = match SCAN_SHAPES.get(w.len()) {
                Some(row) => row[usize::from(first.to_ascii_lowercase() - b'a')],
                None => 0,
            };
            if shape == 0 {
                continue;
            }
            if shape & 1 != 0
                && start >= relative_from
                && let Some(found) = relative_date_at(text, start, end)
            {
                relative_from = found.1;
                scan.relative.push(found);
            }
            if shape & 2 != 0
                && let Some(found) = month_context_at(text, start, end)
            {
                scan.month_contexts.push(found);
            }
            if shape & 4 != 0
                && let Some(found) = time_unit_at(text, start, end)
            {
                scan.time_units.push(found);
            }
        }
        scan
    }
}

/// The first ASCII word (see [`ascii_words`](crate::scan::ascii_words))
/// starting at or after byte `from` of `bytes`.
fn next_ascii_word(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    let rest = bytes.get(from..)?;
    let start = from + rest.iter().position(|&b| is_ascii_word_byte(b))?;
    let end = bytes[start..]
        .iter()
        .position(|&b| !is_ascii_word_byte(b))
        .map_or(bytes.len(), |n| start + n);
    Some((start, end))
}

impl PatternCues {
    /// The cues of a capitalized ASCII word `w` at `[start, end)`;
    /// `after_day` tells (asked only for a month word) whether the day-
    /// month cue holds once this word is read: it held already, or the
    /// words before are a day number or a day number and `of` (see
    /// [`after_day_number`]). Whether `w` starts with a month abbreviation,
    /// and its number (Monday 1) when it is a weekday name.
    fn add_capitalized_word(
        &mut self,
        text: &str,
        w: &[u8],
        start: usize,
        end: usize,
        after_day: impl FnOnce(&PatternCues) -> bool,
    ) -> (bool, Option<u32>) {
        const MONTH_PREFIXES: &[&[u8]] = &[
            b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
            b"Dec",
        ];
        let first = w[0];
        // Months start with A, D, F, J, M, N, O or S; weekdays have 6 to
        // 9 letters and end in `day`.
        let month = w.len() >= 3
            && matches!(first, b'A' | b'D' | b'F' | b'J' | b'M' | b'N' | b'O' | b'S')
            && MONTH_PREFIXES.contains(&&w[..3]);
        if month {
            self.month = true;
            self.day_month = after_day(self);
        }
        let weekday = ((6..=9).contains(&w.len()) && w.ends_with(b"day"))
            .then(|| weekday_number(&text[start..end]))
            .flatten();
        if weekday.is_some() {
            self.weekday = true;
        }
        (month, weekday)
    }

    /// The cues of an ASCII word `w` starting with a digit and ending at `end`.
    fn add_digit_word(&mut self, bytes: &[u8], w: &[u8], end: usize) {
        let tail = &w[w.iter().take_while(|b| b.is_ascii_digit()).count()..];
        if is_am_pm(bytes, tail, end) {
            self.am_pm = true;
        }
        if tail.is_empty()
            && bytes.get(end) == Some(&b':')
            && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
        {
            self.clock = true;
        }
    }

    /// The cues of any other ASCII word `w`, ending at `end`.
    fn add_lowercase_word(&mut self, bytes: &[u8], w: &[u8], end: usize) {
        if is_am_pm(bytes, w, end) {
            self.am_pm = true;
        } else if matches!(w, b"noon" | b"midnight") {
            self.clock = true;
        }
    }
}

/// Whether `marker`, the letters of a word ending at `end` of `bytes`
/// (after its digits, if any), is how `clock_ampm` ends: `am` or `pm`, or
/// `a` or `p` before `.m.`.
fn is_am_pm(bytes: &[u8], marker: &[u8], end: usize) -> bool {
    match marker {
        b"am" | b"pm" => true,
        b"a" | b"p" => bytes.get(end..end + 3) == Some(b".m."),
        _ => false,
    }
}

/// Whether the ASCII words before a word, `previous` and the one before
/// it, are where `day_month` has its day: a day number (`26`, `3rd`:
/// one or two digits, maybe `st`, `nd`, `rd` or `th`), or `of` after one.
fn after_day_number(previous: &[u8], second_previous: &[u8]) -> bool {
    let is_day = |w: &[u8]| {
        let digits = w.iter().take_while(|b| b.is_ascii_digit()).count();
        (1..=2).contains(&digits) && matches!(&w[digits..], b"" | b"st" | b"nd" | b"rd" | b"th")
    };
    is_day(previous) || (previous == b"of" && is_day(second_previous))
}

#[cfg(test)]
impl PatternCues {
    /// The cues one pass each found before [`WordScan`] (the reference).
    fn of(text: &str, words: &[(usize, usize)]) -> PatternCues {
        const MONTH_PREFIXES: &[&[u8]] = &[
            b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
            b"Dec",
        ];
        let bytes = text.as_bytes();
        let mut cues = PatternCues::default();
        let word = |k: Option<usize>| {
            k.and_then(|k| words.get(k))
                .map_or(&b""[..], |&(s, e)| &bytes[s..e])
        };
        for (k, &(start, end)) in words.iter().enumerate() {
            let w = &bytes[start..end];
            let first = w[0];
            if first.is_ascii_uppercase() {
                // Months start with A, D, F, J, M, N, O or S; weekdays
                // have 6 to 9 letters and end in `day`.
                if w.len() >= 3
                    && matches!(first, b'A' | b'D' | b'F' | b'J' | b'M' | b'N' | b'O' | b'S')
                    && MONTH_PREFIXES.contains(&&w[..3])
                {
                    cues.month = true;
                    cues.day_month |=
                        after_day_number(word(k.checked_sub(1)), word(k.checked_sub(2)));
                }
                if (6..=9).contains(&w.len())
                    && w.ends_with(b"day")
                    && weekday_number(&text[start..end]).is_some()
                {
                    cues.weekday = true;
                }
            } else if first.is_ascii_digit() {
                let tail = &w[w.iter().take_while(|b| b.is_ascii_digit()).count()..];
                if is_am_pm(bytes, tail, end) {
                    cues.am_pm = true;
                }
                if tail.is_empty()
                    && bytes.get(end) == Some(&b':')
                    && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
                {
                    cues.clock = true;
                }
            } else if is_am_pm(bytes, w, end) {
                cues.am_pm = true;
            } else if matches!(w, b"noon" | b"midnight") {
                cues.clock = true;
            }
        }
        cues
    }
}

/// Whether a four-digit number at `[start, end)` reads as a year: not money,
/// not a grouped or decimal number, not a count of something.
fn is_year_context(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    if before.is_some_and(|c| matches!(c, '$' | '£' | '€' | '.' | ',' | '-')) {
        return false;
    }
    let after = &text[end..];
    if after.starts_with(['%', '.', ',']) && after[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    if after.starts_with('%') {
        return false;
    }
    // The alphabetic characters the text goes on with after blanks, as a
    // slice of it (no string made for each year).
    let rest = after.trim_start();
    let next_word = rest
        .char_indices()
        .find(|&(_, c)| !c.is_alphabetic())
        .map_or(rest, |(k, _)| &rest[..k]);
    let plural_noun = next_word.len() > 3
        && next_word.ends_with('s')
        && next_word.chars().all(|c| c.is_lowercase())
        && !matches!(
            next_word,
            "was" | "has" | "whereas" | "always" | "this" | "its"
        );
    !(plural_noun
        || matches!(
            next_word,
            "pct" | "percent" | "dlrs" | "tonnes" | "tons" | "mln" | "bln" | "kg" | "people"
        ))
}

/// [`is_year_context`] as it was, collecting the next word into a string
/// (the reference).
#[cfg(test)]
fn is_year_context_collecting(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    if before.is_some_and(|c| matches!(c, '$' | '£' | '€' | '.' | ',' | '-')) {
        return false;
    }
    let after = &text[end..];
    if after.starts_with(['%', '.', ',']) && after[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    if after.starts_with('%') {
        return false;
    }
    let next_word: String = after
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect();
    let plural_noun = next_word.len() > 3
        && next_word.ends_with('s')
        && next_word.chars().all(|c| c.is_lowercase())
        && !matches!(
            next_word.as_str(),
            "was" | "has" | "whereas" | "always" | "this" | "its"
        );
    !(plural_noun
        || matches!(
            next_word.as_str(),
            "pct" | "percent" | "dlrs" | "tonnes" | "tons" | "mln" | "bln" | "kg" | "people"
        ))
}

/// The words of a relative date, as [`relative_dates`] finds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RelativeWords<'t> {
    /// `last week`, `next quarter`, `this year`: the modifier and the unit.
    Step { rel: &'t str, unit: &'t str },
    /// `yesterday`, `today`, `tomorrow`, `tonight`.
    Day(&'t str),
    /// `earlier this week`, `later this month`: the unit.
    This(&'t str),
}

fn relative_value(words: RelativeWords<'_>, anchor: Option<Day>) -> (Option<String>, String) {
    match words {
        RelativeWords::Step { rel, unit } => {
            let step: i64 = match rel.to_ascii_lowercase().as_str() {
                "last" | "past" => -1,
                "next" | "coming" => 1,
                _ => 0,
            };
            offset(step, &unit.to_ascii_lowercase(), anchor)
        }
        RelativeWords::Day(day) => {
            let step = match day.to_ascii_lowercase().as_str() {
                "yesterday" => -1,
                "tomorrow" => 1,
                _ => 0,
            };
            offset(step, "day", anchor)
        }
        RelativeWords::This(unit) => offset(0, &unit.to_ascii_lowercase(), anchor),
    }
}

/// Whether the gap `text[from..to]` between two words is non-empty ASCII
/// whitespace (a regex `\s+` without Unicode).
fn spaces_between(text: &str, from: usize, to: usize) -> bool {
    from < to && text.as_bytes()[from..to].iter().all(|&b| is_ascii_space(b))
}

/// Whether `word` is one of `options`, ignoring ASCII case.
fn is_one_of(word: &str, options: &[&str]) -> bool {
    // Most words are no option: compare only those of a matching length.
    options
        .iter()
        .any(|o| o.len() == word.len() && o.eq_ignore_ascii_case(word))
}

/// The lowercase form of a short ASCII word, on the stack: `None` for a
/// word longer than `N` bytes.
fn lowercase_short<const N: usize>(word: &str) -> Option<([u8; N], usize)> {
    let bytes = word.as_bytes();
    if bytes.len() > N {
        return None;
    }
    let mut buf = [0u8; N];
    for (slot, b) in buf.iter_mut().zip(bytes) {
        *slot = b.to_ascii_lowercase();
    }
    Some((buf, bytes.len()))
}

/// For each word length up to 15, a bit for each first letter (`a` = bit
/// 0, any case) that one of `words` of that length starts with: a quick
/// necessary test before comparing a word with a list.
const fn word_shapes(words: &[&str]) -> [u32; 16] {
    let mut shapes = [0u32; 16];
    let mut k = 0;
    while k < words.len() {
        let w = words[k].as_bytes();
        shapes[w.len()] |= 1 << (w[0].to_ascii_lowercase() - b'a');
        k += 1;
    }
    shapes
}

/// Whether `word` has the length and first letter (any case) of a word
/// of `shapes` (see [`word_shapes`]).
fn has_shape(shapes: &[u32; 16], word: &[u8]) -> bool {
    let Some(first) = word.first().map(u8::to_ascii_lowercase) else {
        return false;
    };
    word.len() < 16 && first.is_ascii_lowercase() && shapes[word.len()] & (1 << (first - b'a')) != 0
}

/// Relative dates among the ASCII `words` of `text`, in order: `last
/// week`, `next quarter`, `yesterday`, `earlier this month` (any case):
/// start, end and their words. One pass of its own: the finder uses
/// [`WordScan`], which finds the same.
#[cfg(test)]
fn relative_dates<'t>(
    text: &'t str,
    words: &[(usize, usize)],
) -> Vec<(usize, usize, RelativeWords<'t>)> {
    // The first words, by length and initial.
    const FIRST_SHAPES: [u32; 16] = word_shapes(RELATIVE_FIRST_WORDS);
    let mut out: Vec<(usize, usize, RelativeWords<'t>)> = Vec::new();
    for &(start, end) in words {
        if out.last().is_some_and(|last| start < last.1)
            || !has_shape(&FIRST_SHAPES, &text.as_bytes()[start..end])
        {
            continue;
        }
        out.extend(relative_date_at(text, start, end));
    }
    out
}

/// The relative date starting at the ASCII word `text[start..end]`, if any.
fn relative_date_at(
    text: &str,
    start: usize,
    end: usize,
) -> Option<(usize, usize, RelativeWords<'_>)> {
    const REL: &[&str] = &["last", "next", "this", "past", "coming"];
    const UNIT: &[&str] = &["week", "month", "year", "weekend", "quarter"];
    const DAY: &[&str] = &["yesterday", "today", "tomorrow", "tonight"];
    const WHEN: &[&str] = &["earlier", "later"];
    const THIS_UNIT: &[&str] = &["week", "month", "year"];
    let bytes = text.as_bytes();
    // The word after the one ending at `end`, if spaces alone come
    // between and it is one of `options`.
    let next_is = |end: usize, options: &[&str]| {
        next_ascii_word(bytes, end)
            .filter(|&(s, e)| spaces_between(text, end, s) && is_one_of(&text[s..e], options))
    };
    let w = &text[start..end];
    if is_one_of(w, REL)
        && let Some((s, e)) = next_is(end, UNIT)
    {
        Some((
            start,
            e,
            RelativeWords::Step {
                rel: w,
                unit: &text[s..e],
            },
        ))
    } else if is_one_of(w, DAY) {
        Some((start, end, RelativeWords::Day(w)))
    } else if is_one_of(w, WHEN)
        && let Some((_, this_end)) = next_is(end, &["this"])
        && let Some((s, e)) = next_is(this_end, THIS_UNIT)
    {
        Some((start, e, RelativeWords::This(&text[s..e])))
    } else {
        None
    }
}

/// Full month names (capitalized) with the word before them that makes them
/// a date: a modifier (`early`, `mid`, `late`, `last`, `next`, `this`;
/// lower case or capitalized; spaces or hyphens between: `mid-January`),
/// where the mention starts, or a preposition (`in`, `since`, `until`,
/// `by`, `from`, `during`, `before`, `after`, `of`, `to`; spaces between),
/// where the mention starts at the month. Returns (start, month span).
#[cfg(test)]
fn month_contexts(text: &str, words: &[(usize, usize)]) -> Vec<(usize, (usize, usize))> {
    words
        .iter()
        .filter_map(|&(start, end)| month_context_at(text, start, end))
        .collect()
}

/// [`month_contexts`] for the ASCII word `text[start..end]`.
fn month_context_at(text: &str, start: usize, end: usize) -> Option<(usize, (usize, usize))> {
    const MODIFIERS: &[&str] = &[
        "Early", "early", "Mid", "mid", "Late", "late", "Last", "last", "Next", "next", "This",
        "this",
    ];
    const PREPOSITIONS: &[&str] = &[
        "in", "since", "until", "by", "from", "during", "before", "after", "of", "to",
    ];
    // Capitalized, a month's length and initial: checked first, as most
    // words are not.
    const SHAPES: [u32; 16] = word_shapes(MONTH_NAMES);
    let bytes = text.as_bytes();
    if !bytes[start].is_ascii_uppercase()
        || !has_shape(&SHAPES, &bytes[start..end])
        || !MONTH_NAMES.contains(&&text[start..end])
    {
        return None;
    }
    // The word that ends where a run of separators before `at` starts.
    let word_before = |at: usize, separator: fn(u8) -> bool| {
        let mut k = at;
        while k > 0 && separator(bytes[k - 1]) {
            k -= 1;
        }
        let mut w = k;
        while w > 0 && is_ascii_word_byte(bytes[w - 1]) {
            w -= 1;
        }
        (k < at && w < k).then(|| (w, &text[w..k]))
    };
    let modifier = word_before(start, |b| is_ascii_space(b) || b == b'-')
        .filter(|(_, w)| MODIFIERS.contains(w));
    if let Some((w, _)) = modifier {
        Some((w, (start, end)))
    } else if word_before(start, is_ascii_space).is_some_and(|(_, w)| PREPOSITIONS.contains(&w)) {
        Some((start, (start, end)))
    } else {
        None
    }
}

/// Whether an ASCII word is a year (`1987`, 1800–2099) or a decade
/// (`1980s`): `Some(true)` for a decade.
fn year_word(word: &str) -> Option<bool> {
    let b = word.as_bytes();
    let decade = match b.len() {
        4 => false,
        5 if b[4] == b's' => true,
        _ => return None,
    };
    let century = matches!((b[0], b[1]), (b'1', b'8' | b'9') | (b'2', b'0'));
    (century && b[2].is_ascii_digit() && b[3].is_ascii_digit()).then_some(decade)
}

/// Time unit words (`seconds` ... `centuries`, any case) among the ASCII
/// `words` of `text`, with the end of an `ago` after them: (unit span, end
/// of `ago`).
#[cfg(test)]
fn time_units(text: &str, words: &[(usize, usize)]) -> Vec<((usize, usize), Option<usize>)> {
    words
        .iter()
        .filter_map(|&(start, end)| time_unit_at(text, start, end))
        .collect()
}

/// [`time_units`] for the ASCII word `text[start..end]`.
fn time_unit_at(text: &str, start: usize, end: usize) -> Option<((usize, usize), Option<usize>)> {
    const SHAPES: [u32; 16] = word_shapes(TIME_UNITS);
    let w = &text[start..end];
    // The length and initial of a unit: checked first.
    if !has_shape(&SHAPES, w.as_bytes()) {
        return None;
    }
    let (lower, len) = lowercase_short::<10>(w)?;
    if !TIME_UNITS.iter().any(|u| u.as_bytes() == &lower[..len]) {
        return None;
    }
    let ago = next_ascii_word(text.as_bytes(), end)
        .filter(|&(s, e)| spaces_between(text, end, s) && text[s..e].eq_ignore_ascii_case("ago"));
    Some(((start, end), ago.map(|(_, e)| e)))
}

/// A relative offset of `step` units from the anchor: (normalized when anchored, relative code).
fn offset(step: i64, unit: &str, anchor: Option<Day>) -> (Option<String>, String) {
    let code = match unit {
        "day" | "tonight" => "D",
        "week" | "weekend" => "W",
        "month" => "M",
        "quarter" => "Q",
        _ => "Y",
    };
    let sign = if step < 0 { "-" } else { "" };
    let mut relative = String::with_capacity(8);
    relative.push_str(sign);
    relative.push('P');
    push_padded(&mut relative, step.abs(), 1);
    relative.push_str(code);
    let normalized = anchor.map(|a| match code {
        "D" => a.plus_days(step).iso(),
        "W" => a.plus_days(step * 7).iso_week(),
        "M" => {
            let (y, m) = a.plus_months(step);
            let mut out = String::with_capacity(7);
            push_padded(&mut out, y, 4);
            out.push('-');
            push_padded(&mut out, i64::from(m), 2);
            out
        }
        "Q" => {
            let (y, m) = a.plus_months(step * 3);
            format!("{y:04}-Q{}", (m - 1) / 3 + 1)
        }
        _ => {
            let mut out = String::with_capacity(4);
            push_padded(&mut out, a.year + step, 4);
            out
        }
    });
    (normalized, relative)
}

fn duration_code(value: Option<f64>, unit: &str) -> String {
    // The count is written into the code's string itself (the `format!`s
    // of `duration_code_formatted`, the tests' reference, without them).
    let (time, mult, letter) = match unit {
        "second" => (true, 1.0, 'S'),
        "minute" => (true, 1.0, 'M'),
        "hour" => (true, 1.0, 'H'),
        "day" => (false, 1.0, 'D'),
        "week" => (false, 1.0, 'W'),
        "fortnight" => (false, 2.0, 'W'),
        "month" => (false, 1.0, 'M'),
        "decade" => (false, 10.0, 'Y'),
        "century" | "centurie" => (false, 100.0, 'Y'),
        _ => (false, 1.0, 'Y'),
    };
    let mut out = String::with_capacity(8);
    if time {
        out.push('T');
    }
    match value {
        None => out.push('X'),
        Some(v) => {
            let x = v * mult;
            if x.fract() == 0.0 {
                push_padded(&mut out, x as i64, 1);
            } else {
                use std::fmt::Write;
                let _ = write!(out, "{x}");
            }
        }
    }
    out.push(letter);
    out
}

/// [`duration_code`] as it was, with `format!` (the tests' reference).
#[cfg(test)]
fn duration_code_formatted(value: Option<f64>, unit: &str) -> String {
    let n = |mult: f64| {
        value.map_or_else(
            || "X".to_string(),
            |v| {
                let x = v * mult;
                if x.fract() == 0.0 {
                    format!("{}", x as i64)
                } else {
                    format!("{x}")
                }
            },
        )
    };
    match unit {
        "second" => format!("T{}S", n(1.0)),
        "minute" => format!("T{}M", n(1.0)),
        "hour" => format!("T{}H", n(1.0)),
        "day" => format!("{}D", n(1.0)),
        "week" => format!("{}W", n(1.0)),
        "fortnight" => format!("{}W", n(2.0)),
        "month" => format!("{}M", n(1.0)),
        "decade" => format!("{}Y", n(10.0)),
        "century" | "centurie" => format!("{}Y", n(100.0)),
        _ => format!("{}Y", n(1.0)),
    }
}

/// Appends `n` in decimal, padded with zeros to `width` characters: what
/// `write!(out, "{n:0width$}")` appends, without the formatting machinery
/// for the usual non-negative number (a negative one is written by it).
fn push_padded(out: &mut String, n: i64, width: usize) {
    let Ok(mut v) = u64::try_from(n) else {
        use std::fmt::Write;
        let _ = write!(out, "{n:0width$}");
        return;
    };
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for _ in digits.len() - at..width {
        out.push('0');
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// An ISO date `YYYY-MM-DD`, or `--MM-DD` without a year: what
/// `format!("{y:04}-{month:02}-{day:02}")` / `format!("--{month:02}-{day:02}")` give.
fn iso_date(year: Option<i64>, month: u32, day: u32) -> String {
    let mut out = String::with_capacity(10);
    match year {
        Some(y) => push_padded(&mut out, y, 4),
        None => out.push('-'),
    }
    out.push('-');
    push_padded(&mut out, i64::from(month), 2);
    out.push('-');
    push_padded(&mut out, i64::from(day), 2);
    out
}

/// The singular, lowercase form of a time unit word.
fn singular_unit(unit: &str) -> &'static str {
    match unit.to_ascii_lowercase().trim_end_matches('s') {
        "second" => "second",
        "minute" => "minute",
        "hour" => "hour",
        "day" => "day",
        "week" => "week",
        "fortnight" => "fortnight",
        "month" => "month",
        "decade" => "decade",
        "century" | "centurie" => "century",
        _ => "year",
    }
}

/// "three years ago": (normalized when anchored, relative code).
fn ago_value(value: Option<f64>, unit: &str, anchor: Option<Day>) -> (Option<String>, String) {
    match value {
        Some(v) if v.fract() == 0.0 && v.abs() < 1e6 => {
            let (k, unit) = match unit {
                "decade" => (v as i64 * 10, "year"),
                "century" => (v as i64 * 100, "year"),
                "fortnight" => (v as i64 * 2, "week"),
                _ => (v as i64, unit),
            };
            offset(-k, unit, anchor)
        }
        _ => (None, format!("-P{}", duration_code(None, unit))),
    }
}

/// [`count_before`] as it was, lowering into strings (the reference).
#[cfg(test)]
fn count_before_lowering(text: &str, at: usize) -> Option<(usize, Option<f64>)> {
    let head = text.get(..at)?;
    let trimmed = head.trim_end();
    if trimmed.len() == head.len() {
        return None;
    }
    let word_start = trimmed
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = trimmed.get(word_start..)?.to_ascii_lowercase();
    match word.as_str() {
        "several" => Some((word_start, None)),
        "few" => {
            let before = trimmed[..word_start].trim_end();
            let with_a = before.ends_with(['a', 'A'])
                && before[..before.len() - 1]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric());
            Some((if with_a { before.len() - 1 } else { word_start }, None))
        }
        _ => number_value(&word).map(|v| (word_start, Some(v))),
    }
}

/// The count written before a time unit at `at` (`40`, `two`, `a`, `a few`,
/// `several`): where it starts and its value (`None` when vague).
fn count_before(text: &str, at: usize) -> Option<(usize, Option<f64>)> {
    let head = text.get(..at)?;
    let trimmed = head.trim_end();
    if trimmed.len() == head.len() {
        return None;
    }
    let word_start = trimmed
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    // The word is ASCII letters, digits and dots: lowered on the stack
    // when short (it always is, but for a freak), not into a new string.
    let raw = trimmed.get(word_start..)?;
    let short = lowercase_short::<24>(raw);
    let long;
    let word = match &short {
        Some((buf, len)) => std::str::from_utf8(&buf[..*len]).ok()?,
        None => {
            long = raw.to_ascii_lowercase();
            long.as_str()
        }
    };
    match word {
        "several" => Some((word_start, None)),
        "few" => {
            let before = trimmed[..word_start].trim_end();
            let with_a = before.ends_with(['a', 'A'])
                && before[..before.len() - 1]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric());
            Some((if with_a { before.len() - 1 } else { word_start }, None))
        }
        _ => number_value_of_lowercase(word).map(|v| (word_start, Some(v))),
    }
}

/// Options of `tag.dates.v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatesConfig {
    /// Whether relative dates (`last week`) are normalized against the
    /// document's date (`meta.date`, ISO 8601) when it has one.
    pub anchor_to_document_date: bool,
}

impl Default for DatesConfig {
    fn default() -> Self {
        DatesConfig {
            anchor_to_document_date: true,
        }
    }
}

impl StageConfig for DatesConfig {
    const NAME: &'static str = "tag.dates.v1";
    const KIND: StageKind = StageKind::Document;
    const DESCRIPTION: &'static str =
        "Finds dates, times and durations with normalized values (layer `dates`).";
    const NEEDS: &'static [copydesk_core::Capability] = &[cap::TEXT_RAW];
    const PROVIDES: &'static [copydesk_core::Capability] = &[cap::LAYER_DATES];
    const OPTIONS: &'static [OptionDoc] = &[OptionDoc {
        name: "anchor_to_document_date",
        kind: "boolean",
        doc: "Whether relative dates are normalized against the document's ISO `meta.date` (default true).",
    }];

    fn build(&self) -> Result<BuiltStage, OptionError> {
        let _ = patterns();
        Ok(BuiltStage::Document(Box::new(DatesStage {
            anchor_to_document_date: self.anchor_to_document_date,
        })))
    }
}

/// The runtime of `tag.dates.v1`.
#[derive(Debug, Clone)]
pub struct DatesStage {
    anchor_to_document_date: bool,
}

impl DocumentStage for DatesStage {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        let anchor = if self.anchor_to_document_date {
            doc.meta.date.as_deref().and_then(Day::parse_iso)
        } else {
            None
        };
        let found = DateFinder.find(&doc.text, anchor);
        add_layer(
            doc,
            LAYER,
            found
                .into_iter()
                .map(DateMention::into_annotation)
                .collect(),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::ascii_word_spans;

    proptest::proptest! {
        // The dates' numbers and codes written without `format!` are the
        // `format!`s they replaced, for any number (negative ones too),
        // width, unit and count.
        #[test]
        fn padded_numbers_are_the_formatted_ones(n in proptest::num::i64::ANY, small in -20_000i64..20_000, width in 0usize..6) {
            for n in [n, small] {
                let mut ours = String::from("x");
                push_padded(&mut ours, n, width);
                proptest::prop_assert_eq!(ours, format!("x{n:0width$}"));
            }
        }

        #[test]
        fn iso_dates_are_the_formatted_ones(year in proptest::option::of(-20_000i64..20_000), month in 0u32..200, day in 0u32..200) {
            let reference = match year {
                Some(y) => format!("{y:04}-{month:02}-{day:02}"),
                None => format!("--{month:02}-{day:02}"),
            };
            proptest::prop_assert_eq!(iso_date(year, month, day), reference);
        }

        #[test]
        fn duration_codes_are_the_formatted_ones(
            value in proptest::option::of(proptest::prop_oneof![
                (0i64..100_000).prop_map(|v| v as f64),
                (0u32..1000).prop_map(|v| f64::from(v) / 4.0),
                proptest::num::f64::ANY,
            ]),
            unit in "second|minute|hour|day|week|fortnight|month|decade|century|centurie|year|other",
        ) {
            proptest::prop_assert_eq!(duration_code(value, &unit), duration_code_formatted(value, &unit));
        }
    }
    use proptest::prelude::*;

    /// The regular expressions the hand-written scanners replaced (for
    /// speed), to check that they find exactly the same spans.
    fn reference(pattern: &str) -> Regex {
        Regex::new(&format!("(?-u){pattern}")).unwrap()
    }

    fn scanned(t: &str) -> [Vec<(usize, usize, usize)>; 4] {
        let words = ascii_word_spans(t);
        [
            month_contexts(t, &words)
                .into_iter()
                .map(|(s, m)| (s, m.0, m.1))
                .collect(),
            words
                .iter()
                .filter_map(|&(s, e)| year_word(&t[s..e]).map(|d| (s, e, usize::from(d))))
                .collect(),
            relative_dates(t, &words)
                .into_iter()
                .map(|(s, e, w)| {
                    let kind = match w {
                        RelativeWords::Step { rel, unit } => rel.len() * 100 + unit.len(),
                        RelativeWords::Day(d) => d.len(),
                        RelativeWords::This(u) => 10_000 + u.len(),
                    };
                    (s, e, kind)
                })
                .collect(),
            time_units(t, &words)
                .into_iter()
                .map(|(u, ago)| (u.0, u.1, ago.unwrap_or(0)))
                .collect(),
        ]
    }

    /// [`scanned`] from the one pass of [`WordScan`].
    fn scanned_in_one_pass(t: &str) -> [Vec<(usize, usize, usize)>; 4] {
        let scan = WordScan::of(t);
        [
            scan.month_contexts
                .into_iter()
                .map(|(s, m)| (s, m.0, m.1))
                .collect(),
            scan.years
                .into_iter()
                .map(|(s, e, d)| (s, e, usize::from(d)))
                .collect(),
            scan.relative
                .into_iter()
                .map(|(s, e, w)| {
                    let kind = match w {
                        RelativeWords::Step { rel, unit } => rel.len() * 100 + unit.len(),
                        RelativeWords::Day(d) => d.len(),
                        RelativeWords::This(u) => 10_000 + u.len(),
                    };
                    (s, e, kind)
                })
                .collect(),
            scan.time_units
                .into_iter()
                .map(|(u, ago)| (u.0, u.1, ago.unwrap_or(0)))
                .collect(),
        ]
    }

    /// [`MAY_BE_OF_A_CLASS`] rejects only words of no class: every
    /// length (past 16 too), first word byte and last word byte against
    /// the exact class [`WordScan::of`] works out.
    #[test]
    fn quick_rejection_rejects_only_words_of_no_class() {
        let word_bytes: Vec<u8> = (0..=255u8)
            .filter(|&b| crate::scan::is_ascii_word_byte(b))
            .collect();
        for len in 1..=40usize {
            for &first in &word_bytes {
                for &last in &word_bytes {
                    let ends = &SCAN_ENDS[len & 15][usize::from(LETTER_INDEX[usize::from(first)])];
                    let last_bit = LETTER_BIT[usize::from(last)];
                    let lists = u8::from(ends[0] & last_bit != 0)
                        | u8::from(ends[1] & last_bit != 0) << 1
                        | u8::from(ends[2] & last_bit != 0) << 2;
                    let class =
                        WORD_CLASSES[len.min(16)][usize::from(first)] & (0b111 | lists << 3);
                    let quick = MAY_BE_OF_A_CLASS[len.min(16)][usize::from(first & 0x7f)]
                        & LAST_BIT[usize::from(last)];
                    assert!(
                        class == 0 || quick != 0,
                        "len {len}, first {first}, last {last}: class {class}"
                    );
                }
            }
        }
    }

    /// The one pass finds what the passes of their own find, with the
    /// same words (not only the same spans) and the same cues.
    fn one_pass_agrees(t: &str) -> Result<(), TestCaseError> {
        let words = ascii_word_spans(t);
        let scan = WordScan::of(t);
        let years: Vec<(usize, usize, bool)> = words
            .iter()
            .filter_map(|&(s, e)| year_word(&t[s..e]).map(|d| (s, e, d)))
            .collect();
        let month_words = words
            .iter()
            .map(|&(s, _)| s)
            .filter(|&s| {
                let w = t.as_bytes()[s..].get(..3).unwrap_or_default();
                w.first().is_some_and(u8::is_ascii_uppercase)
                    && [
                        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep",
                        b"Oct", b"Nov", b"Dec",
                    ]
                    .iter()
                    .any(|m| w == *m)
            })
            .collect();
        let weekdays = patterns()
            .weekday
            .find_iter(t)
            .map(|m| (m.start(), m.end(), weekday_number(m.as_str()).unwrap_or(1)))
            .collect();
        let reference = WordScan {
            cues: PatternCues::of(t, &words),
            month_words,
            weekdays,
            month_contexts: month_contexts(t, &words),
            years,
            relative: relative_dates(t, &words),
            time_units: time_units(t, &words),
        };
        prop_assert_eq!(scan, reference);
        Ok(())
    }

    proptest! {
        #[test]
        fn one_pass_agrees_with_the_passes_of_their_own(
            t in "((?i:early|mid|late|last|next|this|past|coming|in|by|of|to|since|earlier|later|ago|yesterday|today|tonight|week|weekend|month|quarter|year|days?|hours?|centur(y|ies)|decades?|a|p|am|pm|noon|midnight)|January|March|May|Jan|Sept|Mayor|Monday|Sundays|1987s?|1980s|2099|1799|5pm|10:30|19_|_x|x|é|’|[-_.,:]|[ \t\n\u{b}\u{c}\r]{1,2}){0,24}"
        ) {
            one_pass_agrees(&t)?;
            prop_assert_eq!(scanned_in_one_pass(&t), with_regexes(&t));
        }

        #[test]
        fn one_pass_agrees_on_any_text(t in "\\PC{0,80}") {
            one_pass_agrees(&t)?;
        }

        // The word classes skip only words the word-by-word pass found
        // nothing in, and the words before a month word read back are
        // the ones that pass kept.
        #[test]
        fn word_classes_find_what_every_word_found(
            t in "((?i:early|mid|late|last|next|this|past|coming|in|by|of|to|since|earlier|later|ago|yesterday|today|tonight|week|weekend|month|quarter|year|days?|hours?|centur(y|ies)|decades?|a|p|am|pm|noon|midnight|that|with|have|they)|January|March|May|Jan|Sept|Mayor|Monday|Sundays|Mondayx|1987s?|1980s|2099|5pm|10:30|\\d{1,2}(st|th)?|[A-Z][a-z]{0,17}|[a-z]{1,17}|19_|_x|é|’|[-_.,:]|[ \t\n]{1,2}){0,40}"
        ) {
            prop_assert_eq!(WordScan::of(&t), WordScan::of_word_by_word(&t));
        }

        #[test]
        fn word_classes_find_what_every_word_found_in_any_text(t in "\\PC{0,120}") {
            prop_assert_eq!(WordScan::of(&t), WordScan::of_word_by_word(&t));
        }
    }

    /// `re`'s matches by `captures_iter` over the whole text.
    fn matches_by_search(re: &Regex, t: &str) -> Vec<MonthMatch> {
        let span = |c: &Captures<'_>, name: &str| c.name(name).map(|m| (m.start(), m.end()));
        re.captures_iter(t)
            .filter_map(|c| {
                let whole = c.get(0)?;
                Some(MonthMatch {
                    start: whole.start(),
                    end: whole.end(),
                    month: span(&c, "m")?,
                    day: span(&c, "d"),
                    year: span(&c, "y"),
                })
            })
            .collect()
    }

    /// The month patterns tried at the month words only find what
    /// searching the whole text finds.
    fn anchored_month_matches_agree(t: &str) -> Result<(), TestCaseError> {
        let p = patterns();
        let starts = WordScan::of(t).month_words;
        for (at, re) in [
            (&p.month_day_at, &p.month_day),
            (&p.month_year_at, &p.month_year),
        ] {
            let mut found = Vec::new();
            matches_at(at, t, &starts, |m| found.push(m));
            prop_assert_eq!(found, matches_by_search(re, t), "{:?}", t);
        }
        Ok(())
    }

    #[test]
    fn anchored_month_matches_on_examples() {
        for t in [
            "On March 3, 1987 and Sept. 12th 1990, then May 1987, June, 2001 and Dec 5",
            "March 3 March 4, 1999 May\n\n 12 _May 3 xMay 3 May 31st, 2024 April 1234567",
            "Mayor 5 Mar.  7 Marches 9 March, 1987 1 March, 2 March 19 87",
        ] {
            anchored_month_matches_agree(t).unwrap();
        }
        let p = patterns();
        let t = "It rose on March 3, 1987 and in May 1990.";
        let mut found = Vec::new();
        matches_at(&p.month_day_at, t, &WordScan::of(t).month_words, |m| {
            found.push(m)
        });
        assert_eq!(found.len(), 1);
        assert_eq!(&t[found[0].start..found[0].end], "March 3, 1987");
    }

    proptest! {
        #[test]
        fn anchored_month_matches_are_the_searched_ones(
            t in "(January|March|May|Mayor|Sept|Sep|Dec|Jun|June|[Mm]arch|Mar|[.,]|\\d{1,4}|st|th|of|x|_|é|[ \t\n]{1,3}){0,30}"
        ) {
            anchored_month_matches_agree(&t)?;
        }

        #[test]
        fn anchored_month_matches_in_any_text(t in "\\PC{0,120}") {
            anchored_month_matches_agree(&t)?;
        }
    }

    fn with_regexes(t: &str) -> [Vec<(usize, usize, usize)>; 4] {
        let month_context = reference(
            r"\b(?:(?P<mod>[Ee]arly|[Mm]id|[Ll]ate|[Ll]ast|[Nn]ext|[Tt]his)[\s-]+|(?:in|since|until|by|from|during|before|after|of|to)\s+)(?P<m>January|February|March|April|May|June|July|August|September|October|November|December)\b",
        );
        let year = reference(r"\b(?P<y>1[89]\d\d|20\d\d)(?P<s>s)?\b");
        let relative = reference(
            r"(?i)\b(?:(?P<rel>last|next|this|past|coming)\s+(?P<unit>week|month|year|weekend|quarter)|(?P<day>yesterday|today|tomorrow|tonight)|(?P<when>earlier|later)\s+this\s+(?P<thisunit>week|month|year))\b",
        );
        let time_unit = reference(
            r"(?i)\b(?P<u>seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|years?|decades?|century|centuries)\b(?P<ago>\s+ago\b)?",
        );
        let len = |c: &Captures<'_>, name: &str| c.name(name).map_or(0, |m| m.len());
        [
            month_context
                .captures_iter(t)
                .map(|c| {
                    let m = c.name("m").unwrap();
                    (
                        c.name("mod").map_or(m.start(), |x| x.start()),
                        m.start(),
                        m.end(),
                    )
                })
                .collect(),
            year.captures_iter(t)
                .map(|c| {
                    let w = c.get(0).unwrap();
                    (w.start(), w.end(), usize::from(c.name("s").is_some()))
                })
                .collect(),
            relative
                .captures_iter(t)
                .map(|c| {
                    let w = c.get(0).unwrap();
                    let kind = if c.name("rel").is_some() {
                        len(&c, "rel") * 100 + len(&c, "unit")
                    } else if c.name("day").is_some() {
                        len(&c, "day")
                    } else {
                        10_000 + len(&c, "thisunit")
                    };
                    (w.start(), w.end(), kind)
                })
                .collect(),
            time_unit
                .captures_iter(t)
                .map(|c| {
                    let u = c.name("u").unwrap();
                    (u.start(), u.end(), c.name("ago").map_or(0, |a| a.end()))
                })
                .collect(),
        ]
    }

    #[test]
    fn scanners_agree_with_the_patterns_on_examples() {
        let t = "In mid-January and by March, last week’s talks (early  February) ended \
                 EARLIER THIS MONTH; three Years ago, in 1987 and the 1980s_ or 1990s, \
                 next weekend, this weekend, today, 2 days\tago, later this weekend, \
                 Last - March, of-April, 20 centuries agos, 1899s 2100 1987s.";
        assert_eq!(scanned(t), with_regexes(t));
        assert_eq!(scanned_in_one_pass(t), with_regexes(t));
        assert!(one_pass_agrees(t).is_ok());
        assert!(scanned(t).iter().all(|v| !v.is_empty()));
    }

    proptest! {
        #[test]
        fn scanners_agree_with_the_patterns(
            t in "((?i:early|mid|late|last|next|this|past|coming|in|by|of|to|since|earlier|later|ago|yesterday|today|tonight|week|weekend|month|quarter|year|days?|hours?|centur(y|ies)|decades?)|January|March|May|1987s?|1980s|2099|1799|19_|x|é|’|[-_.,]|[ \t\n\u{b}\u{c}\r]{1,2}){0,24}"
        ) {
            prop_assert_eq!(scanned(&t), with_regexes(&t));
        }
    }

    fn cues_of(t: &str) -> PatternCues {
        let words = ascii_word_spans(t);
        PatternCues::of(t, &words)
    }

    /// A pattern matches only where its cue is set (the cues only skip
    /// patterns that would find nothing).
    fn cues_cover_matches(t: &str) -> Result<(), TestCaseError> {
        let p = patterns();
        let cues = cues_of(t);
        for re in [&p.month_day, &p.day_month, &p.month_year] {
            prop_assert!(cues.month || !re.is_match(t), "month: {t:?}");
        }
        prop_assert!(
            cues.day_month || !p.day_month.is_match(t),
            "day month: {t:?}"
        );
        prop_assert!(cues.weekday || !p.weekday.is_match(t), "weekday: {t:?}");
        prop_assert!(cues.am_pm || !p.clock_ampm.is_match(t), "am/pm: {t:?}");
        prop_assert!(cues.clock || !p.clock_24.is_match(t), "clock: {t:?}");
        Ok(())
    }

    #[test]
    fn cues_are_set_by_their_patterns() {
        for t in [
            "on Feb 26",
            "26 Janet",
            "3 of Marchers",
            "May, 1987",
            "Monday",
            "5pm",
            "5 p.m.",
            "10:30am",
            "10:30 GMT",
            "noon",
            "12 a.m.",
            "9:05",
            "3rd of\tMay 1987",
            "26th\n\nJanuary",
            "5 p.m",
            "a.m. 5 a.m.x",
        ] {
            assert!(cues_cover_matches(t).is_ok(), "{t}");
        }
        assert_eq!(cues_of("nothing here: 1, 2."), PatternCues::default());
        let all = cues_of("Feb 2 Monday 5pm 10:30 noon, 3 of March");
        assert!(all.month && all.day_month && all.weekday && all.am_pm && all.clock);
        // The article and a month not after a day are no cue of theirs.
        let article = cues_of("a man, a plan in March");
        assert!(!article.am_pm && !article.day_month && article.month);
    }

    proptest! {
        #[test]
        fn cues_cover_every_pattern_match(
            t in "(Jan\\.?|January|Janet|Sept\\.?|May|Mayor|Monday|Mondays|Sunday|[0-9]{1,4}|[0-9]{1,2}(st|th)|of|a|p|am|pm|a\\.m\\.|p\\.m\\.|m|noon|midnight|GMT|:|,|\\.|_|x|é| |\t|\n){0,24}"
        ) {
            cues_cover_matches(&t)?;
        }

        #[test]
        fn cues_cover_every_pattern_match_in_any_text(t in "\\PC{0,60}") {
            cues_cover_matches(&t)?;
        }
    }

    fn find(t: &str, anchor: Option<Day>) -> Vec<(String, &'static str, Option<String>)> {
        DateFinder
            .find(t, anchor)
            .into_iter()
            .map(|m| {
                (
                    t[m.start..m.end].to_string(),
                    m.label.as_str(),
                    m.normalized,
                )
            })
            .collect()
    }

    fn n(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn calendar_dates() {
        let f = find(
            "On Feb 26 and February 22, prices set on March 3, 1987 and 5 January 1988 held \
             through June 1986; talks in 1987 and the 1980s began on Monday in early January.",
            None,
        );
        assert_eq!(
            f,
            [
                ("Feb 26".into(), "date", n("--02-26")),
                ("February 22".into(), "date", n("--02-22")),
                ("March 3, 1987".into(), "date", n("1987-03-03")),
                ("5 January 1988".into(), "date", n("1988-01-05")),
                ("June 1986".into(), "date", n("1986-06")),
                ("1987".into(), "date", n("1987")),
                ("1980s".into(), "date", n("198X")),
                ("Monday".into(), "date", n("XXXX-WXX-1")),
                ("early January".into(), "date", n("XXXX-01")),
            ]
        );
    }

    #[test]
    fn relative_dates_with_and_without_anchor() {
        let t = "Last month’s bombing came after a statement last week; yesterday he left, three years ago.";
        let unanchored = DateFinder.find(t, None);
        let rel: Vec<_> = unanchored.iter().map(|m| m.relative.clone()).collect();
        assert_eq!(rel, [n("-P1M"), n("-P1W"), n("-P1D"), n("-P3Y")]);
        assert!(unanchored.iter().all(|m| m.normalized.is_none()));
        let anchor = Day::parse_iso("2024-04-10T12:00:00Z");
        let f = find(t, anchor);
        let norm: Vec<_> = f.iter().map(|m| m.2.clone()).collect();
        assert_eq!(
            norm,
            [n("2024-03"), n("2024-W14"), n("2024-04-09"), n("2021")]
        );
    }

    #[test]
    fn times_and_durations() {
        let f = find(
            "It waited for about 40 minutes before 5 p.m., the first trip in a decade, \
             at 10:30 GMT, for two weeks, by noon, a month off.",
            None,
        );
        assert_eq!(
            f,
            [
                ("40 minutes".into(), "duration", n("PT40M")),
                ("5 p.m.".into(), "time", n("T17:00")),
                ("a decade".into(), "duration", n("P10Y")),
                ("10:30 GMT".into(), "time", n("T10:30")),
                ("two weeks".into(), "duration", n("P2W")),
                ("noon".into(), "time", n("T12:00")),
                ("a month".into(), "duration", n("P1M")),
            ]
        );
    }

    #[test]
    fn vague_counts_and_ago() {
        let f = find(
            "after a few days and several weeks; two decades ago, é 3 hours",
            None,
        );
        assert_eq!(
            f,
            [
                ("a few days".into(), "duration", n("PXD")),
                ("several weeks".into(), "duration", n("PXW")),
                ("two decades ago".into(), "date", None),
                ("3 hours".into(), "duration", n("PT3H")),
            ]
        );
        let ago = DateFinder.find("two decades ago", Day::parse_iso("2020-05-01"));
        assert_eq!(ago[0].normalized.as_deref(), Some("2000"));
        assert_eq!(ago[0].relative.as_deref(), Some("-P20Y"));
    }

    #[test]
    fn numbers_that_are_not_years() {
        assert!(find("paid $1987 for 2000 tonnes and 1,999 bags, 1990 pct", None).is_empty());
    }

    #[test]
    fn iso_weeks_and_day_arithmetic() {
        let d = Day {
            year: 2021,
            month: 1,
            day: 3,
        };
        assert_eq!(d.iso_week(), "2020-W53");
        assert_eq!(Day::from_days(d.to_days()), d);
        assert_eq!(d.plus_days(-3).iso(), "2020-12-31");
        assert_eq!(
            Day {
                year: 2024,
                month: 1,
                day: 15
            }
            .plus_months(-1),
            (2023, 12)
        );
    }

    proptest! {
        // Slices instead of strings, the same answers: every year word of
        // year-heavy and of any text.
        #[test]
        fn year_context_and_counts_as_the_string_versions(
            t in "(1987|1990s|2001|[0-9]{1,4}|\\$|£|€|%|\\.|,|-|[ \\t\\n]{1,2}|pct|percent|dlrs|tonnes|people|years|was|has|its|always|Years|ÉTÉs|éts|ſs|week|weeks|days|ago|a|an|A|few|A few|several|Several|two|Twenty|twenty|[A-Za-z]{1,9}|é|\\u{A0}){0,16}",
        ) {
            for (start, end) in crate::scan::ascii_words(&t) {
                if end - start == 4 || end - start == 5 {
                    prop_assert_eq!(is_year_context(&t, start, end), is_year_context_collecting(&t, start, end), "{} {}", start, end);
                }
                prop_assert_eq!(count_before(&t, start), count_before_lowering(&t, start));
                prop_assert_eq!(count_before(&t, end), count_before_lowering(&t, end));
            }
            for at in (0..=t.len()).filter(|&k| t.is_char_boundary(k)) {
                prop_assert_eq!(count_before(&t, at).map(|(s, v)| (s, v.map(f64::to_bits))), count_before_lowering(&t, at).map(|(s, v)| (s, v.map(f64::to_bits))));
            }
        }

        #[test]
        fn counts_of_long_words_as_the_string_version(
            w in "[A-Za-z0-9.]{20,40}",
            unit in "( | {2}|\\t)(years|days)",
        ) {
            let t = format!("{w}{unit}");
            let at = t.len() - unit.trim_start().len();
            prop_assert_eq!(count_before(&t, at), count_before_lowering(&t, at));
        }
    }

    proptest! {
        #[test]
        fn into_annotation_is_to_annotation(
            start in 0usize..50,
            len in 0usize..20,
            label in 0usize..3,
            normalized in proptest::option::of("[0-9X:TWPQ-]{0,10}"),
            relative in proptest::option::of("-?P[0-9]{1,2}[DWMQY]"),
        ) {
            let m = DateMention {
                start,
                end: start + len,
                label: [DateLabel::Date, DateLabel::Time, DateLabel::Duration][label],
                normalized,
                relative,
            };
            let reference = m.to_annotation();
            let ours = m.into_annotation();
            prop_assert_eq!(&ours, &reference);
            prop_assert_eq!(serde_json::to_string(&ours).ok(), serde_json::to_string(&reference).ok());
        }
    }

    proptest! {
        #[test]
        fn mentions_are_ordered_on_boundaries(s in "\\PC{0,160}") {
            let mut last = 0;
            for m in DateFinder.find(&s, None) {
                prop_assert!(m.start >= last && m.start < m.end && m.end <= s.len());
                prop_assert!(s.is_char_boundary(m.start) && s.is_char_boundary(m.end));
                last = m.end;
            }
        }

        #[test]
        fn day_round_trip(days in -1_000_000i64..1_000_000) {
            prop_assert_eq!(Day::from_days(days).to_days(), days);
        }

        #[test]
        fn datey_text(s in "(Jan\\.?|May|March|[0-9]{1,4}|last|week|ago|a|p\\.m\\.|:|,| ){0,30}") {
            for m in DateFinder.find(&s, Day::parse_iso("2000-02-29")) {
                prop_assert!(s.is_char_boundary(m.start) && s.is_char_boundary(m.end));
            }
        }
    }
}
