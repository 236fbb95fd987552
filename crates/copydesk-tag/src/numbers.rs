//! `tag.numbers.v1`: cardinals, quantities with units, money, percentages
//! and ordinals, with their values.

use crate::layer::add_layer;
use crate::lexicon::{
    month_number, ordinal_word, scale_word, scaled as lexicon_scaled, small_number, vague_plural,
};
use crate::tokens::{Token, TokenKind, document_tokens, tokenize};
use copydesk_core::{
    Annotation, Attrs, BuiltStage, Document, DocumentStage, OptionDoc, OptionError, StageConfig,
    StageError, StageKind, cap,
};
use serde::{Deserialize, Serialize};

/// The layer this stage writes.
pub const LAYER: &str = "numbers";

/// What kind of number a mention is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberLabel {
    /// A bare cardinal (`two Chinese engineers`, `5.93 mln`).
    Number,
    /// A cardinal with a unit (`100 kg`, `155,221 bags`, `40 minutes`).
    Quantity,
    /// An amount of money (`$65-billion`, `340 to 350 cruzados`).
    Money,
    /// A percentage (`12 pct`, `12%`, `12 percent`).
    Percent,
    /// An ordinal (`first`, `3rd`).
    Ordinal,
}

impl NumberLabel {
    /// The annotation label.
    pub fn as_str(self) -> &'static str {
        match self {
            NumberLabel::Number => "number",
            NumberLabel::Quantity => "quantity",
            NumberLabel::Money => "money",
            NumberLabel::Percent => "percent",
            NumberLabel::Ordinal => "ordinal",
        }
    }
}

/// One number found in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberMention {
    /// Byte offset of the first byte (a currency sign, or the number).
    pub start: usize,
    /// Byte offset one past the last byte (the unit or multiplier included).
    pub end: usize,
    /// The kind of number.
    pub label: NumberLabel,
    /// The value (the low end of a range).
    pub value: f64,
    /// The high end of a range (`340 to 350`).
    pub value_max: Option<f64>,
    /// The unit as written, lowercase (`kg`, `lbs`, `bags`, `dlrs`, `pct`).
    pub unit: Option<String>,
    /// The ISO 4217 currency code (`USD`), or the currency word when no code is known.
    pub currency: Option<String>,
    /// The noun a bare cardinal counts (`two Chinese engineers` → `engineers`).
    pub counted: Option<String>,
    /// An approximation word before the number (`nearly`, `about`, `more than`).
    pub approximation: Option<String>,
    /// Whether the number is an order of magnitude (`thousands`, `1000's`).
    pub vague: bool,
}

impl NumberMention {
    /// The mention as an annotation of the `numbers` layer.
    pub fn to_annotation(&self) -> Annotation {
        let mut a = Annotation::new(self.start, self.end, self.label.as_str());
        if self.value.is_finite() {
            a = a.with("value", self.value);
        }
        if let Some(m) = self.value_max.filter(|v| v.is_finite()) {
            a = a.with("value_max", m);
        }
        for (key, v) in [
            ("unit", &self.unit),
            ("currency", &self.currency),
            ("counted", &self.counted),
            ("approximation", &self.approximation),
        ] {
            if let Some(v) = v {
                a = a.with(key, v.as_str());
            }
        }
        if self.vague {
            a = a.with("vague", true);
        }
        a
    }
}

impl NumberMention {
    /// [`NumberMention::to_annotation`], moving the strings into the
    /// annotation and adding the attributes in key order (each lands at
    /// the end of the sorted attribute list).
    pub fn into_annotation(self) -> Annotation {
        let value_max = self.value_max.filter(|v| v.is_finite());
        // The attribute list is allocated once, at its final size.
        let count = usize::from(self.approximation.is_some())
            + usize::from(self.counted.is_some())
            + usize::from(self.currency.is_some())
            + usize::from(self.unit.is_some())
            + usize::from(self.vague)
            + usize::from(self.value.is_finite())
            + usize::from(value_max.is_some());
        let mut attrs = Attrs::with_capacity(count);
        for (key, v) in [
            ("approximation", self.approximation),
            ("counted", self.counted),
            ("currency", self.currency),
            ("unit", self.unit),
        ] {
            if let Some(v) = v {
                attrs.push_sorted(key, v);
            }
        }
        if self.vague {
            attrs.push_sorted("vague", true);
        }
        if self.value.is_finite() {
            attrs.push_sorted("value", self.value);
        }
        if let Some(m) = value_max {
            attrs.push_sorted("value_max", m);
        }
        Annotation {
            start: self.start,
            end: self.end,
            label: self.label.as_str().into(),
            attrs,
        }
    }
}

/// Currency words and signs with their ISO codes (or `None` when the word
/// alone does not say which country's: `pesos`, `rupees`).
fn currency_word(word: &str) -> Option<Option<&'static str>> {
    Some(match word {
        "dlrs" | "dlr" | "dollars" | "dollar" | "usd" => Some("USD"),
        "cents" | "cent" => Some("USD"),
        "stg" | "sterling" => Some("GBP"),
        "yen" => Some("JPY"),
        "euros" | "euro" | "eur" => Some("EUR"),
        "yuan" | "renminbi" | "rmb" => Some("CNY"),
        "marks" | "dm" | "d-marks" => Some("DEM"),
        "cruzados" | "cruzado" => Some("BRC"),
        "cruzeiros" => Some("BRB"),
        "guilders" => Some("NLG"),
        "lire" => Some("ITL"),
        "rupees" | "rupee" | "pesos" | "peso" | "francs" | "franc" | "riyals" | "rand"
        | "dinars" | "kroner" | "kronor" | "crowns" | "roubles" | "rubles" | "won" | "baht"
        | "ringgit" | "rupiah" => None,
        _ => return None,
    })
}

/// The currency of a sign, with an optional country prefix (`US$`, `HK$`).
fn currency_sign(sign: &str, prefix: Option<&str>) -> Option<&'static str> {
    Some(match (sign, prefix) {
        ("$", Some("US" | "U.S.")) => "USD",
        ("$", Some("C")) => "CAD",
        ("$", Some("A")) => "AUD",
        ("$", Some("HK")) => "HKD",
        ("$", Some("NZ")) => "NZD",
        ("$", Some("S")) => "SGD",
        ("$", _) => "USD",
        ("£", _) => "GBP",
        ("€", _) => "EUR",
        ("¥", _) => "JPY",
        ("₹", _) => "INR",
        _ => return None,
    })
}

/// Measurement and counting units, lowercase as written.
fn is_unit(word: &str) -> bool {
    matches!(
        word,
        "kg" | "kgs"
            | "kilo"
            | "kilos"
            | "kilogram"
            | "kilograms"
            | "kilogrammes"
            | "g"
            | "gram"
            | "grams"
            | "lb"
            | "lbs"
            | "pound"
            | "pounds"
            | "ounce"
            | "ounces"
            | "oz"
            | "ton"
            | "tons"
            | "tonne"
            | "tonnes"
            | "barrel"
            | "barrels"
            | "bpd"
            | "bushel"
            | "bushels"
            | "bag"
            | "bags"
            | "bale"
            | "bales"
            | "acre"
            | "acres"
            | "hectare"
            | "hectares"
            | "km"
            | "kms"
            | "kilometre"
            | "kilometres"
            | "kilometer"
            | "kilometers"
            | "mile"
            | "miles"
            | "metre"
            | "metres"
            | "meter"
            | "meters"
            | "feet"
            | "foot"
            | "ft"
            | "inch"
            | "inches"
            | "cm"
            | "mm"
            | "litre"
            | "litres"
            | "liter"
            | "liters"
            | "gallon"
            | "gallons"
            | "mw"
            | "megawatt"
            | "megawatts"
            | "kw"
            | "kwh"
            | "gw"
            | "second"
            | "seconds"
            | "minute"
            | "minutes"
            | "hour"
            | "hours"
            | "day"
            | "days"
            | "week"
            | "weeks"
            | "month"
            | "months"
            | "year"
            | "years"
            | "decade"
            | "decades"
            | "century"
            | "centuries"
            | "points"
            | "shares"
            | "cartons"
            | "crates"
            | "arrobas"
            | "carats"
            | "degrees"
    )
}

/// Time units that `a`/`an` can count (`a decade`, `a week`).
fn is_countable_time_unit(word: &str) -> bool {
    matches!(
        word,
        "decade" | "century" | "year" | "month" | "week" | "fortnight" | "day" | "hour" | "minute"
    )
}

/// Words before a number that make it approximate.
const APPROXIMATIONS: &[&str] = &[
    "nearly",
    "practically",
    "virtually",
    "about",
    "around",
    "almost",
    "approximately",
    "roughly",
    "some",
    "over",
    "under",
    "estimated",
    "only",
    "just",
    "barely",
    "up to",
    "more than",
    "less than",
    "fewer than",
    "at least",
    "at most",
    "as many as",
    "as much as",
    "close to",
    "just over",
    "just under",
];

/// Words that end the search for the noun a cardinal counts.
fn stops_counted_noun(word: &str) -> bool {
    matches!(
        word,
        "of" | "in"
            | "on"
            | "at"
            | "to"
            | "for"
            | "from"
            | "with"
            | "by"
            | "who"
            | "which"
            | "that"
            | "than"
            | "as"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "has"
            | "have"
            | "had"
            | "will"
            | "would"
            | "could"
            | "can"
            | "may"
            | "might"
            | "should"
            | "said"
            | "says"
            | "told"
            | "the"
            | "a"
            | "an"
            | "this"
            | "these"
            | "those"
            | "it"
            | "he"
            | "she"
            | "they"
            | "but"
            | "if"
            | "when"
            | "while"
            | "after"
            | "before"
            | "during"
            | "since"
            | "per"
            | "each"
            | "ago"
            | "more"
            | "less"
            | "times"
            | "against"
            | "into"
            | "over"
            | "under"
            | "about"
            | "not"
            | "also"
    )
}

fn looks_plural(word: &str) -> bool {
    // The words come lowercase already: a new string only when needed
    // (`to_lowercase` leaves lowercase ASCII as it is).
    let lower: std::borrow::Cow<'_, str> =
        if word.is_ascii() && !word.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Borrowed(word)
        } else {
            std::borrow::Cow::Owned(word.to_lowercase())
        };
    matches!(
        lower.as_ref(),
        "people" | "men" | "women" | "children" | "police" | "personnel" | "staff" | "cattle"
    ) || (lower.len() > 3
        && lower.ends_with('s')
        && !lower.ends_with("ss")
        && !lower.ends_with("us")
        && !lower.ends_with("is"))
}

/// Words before `one` that make it a pronoun (`no one`, `the one`).
fn one_is_pronoun(prev: Option<&str>, next: Option<&str>) -> bool {
    matches!(
        prev,
        Some("no" | "any" | "every" | "each" | "the" | "this" | "that" | "which" | "someone")
    ) || matches!(next, Some("another" | "'s" | "’s" | "way" | "day" | "time"))
}

/// Finds numbers in text.
#[derive(Debug, Clone, Default)]
pub struct NumberFinder {
    /// Whether bare four-digit years (`1987`) are left to the `dates` layer.
    pub skip_years: bool,
}

/// A parsed number at a token position.
struct Parsed {
    value: f64,
    /// One past the last token of the number.
    next: usize,
    vague: bool,
    ordinal: bool,
    /// Whether a scale word (`mln`, `billion`) was applied.
    scaled: bool,
    /// Whether the number is written in digits (and how many digits, for year detection).
    digits: Option<usize>,
    /// A unit glued to the digits (`100kg`).
    glued_unit: Option<String>,
}

impl NumberFinder {
    /// All number mentions of `text`, in order and non-overlapping.
    pub fn find(&self, text: &str) -> Vec<NumberMention> {
        let tokens = tokenize(text);
        self.find_in_tokens(text, &tokens)
    }

    /// All number mentions given the text's tokens.
    pub fn find_in_tokens(&self, text: &str, tokens: &[Token]) -> Vec<NumberMention> {
        // Lowercase forms. The ASCII letters of the whole text are
        // lowered at once (one vectorized pass, same byte offsets), which
        // gives every token its lowercase form except a non-ASCII word with
        // capitals: those (rare) are lowered whole into one buffer.
        let ascii_lowered = text.to_ascii_lowercase();
        // (The lowered text is ASCII exactly when the text is.)
        let ascii_words = ascii_token_words(&ascii_lowered, tokens);
        let ascii = ascii_words.is_some();
        let mut words = ascii_words.unwrap_or_else(|| token_words(&ascii_lowered, tokens));
        let mut lowered = String::new();
        let mut lowered_spans: Vec<(usize, usize, usize)> = Vec::new();
        if !ascii {
            for (k, t) in tokens.iter().enumerate() {
                let raw = t.text(text);
                if t.kind == TokenKind::Word
                    && !raw.is_ascii()
                    && raw.chars().any(char::is_uppercase)
                {
                    let from = lowered.len();
                    lowered.push_str(&raw.to_lowercase());
                    lowered_spans.push((k, from, lowered.len()));
                }
            }
        }
        for &(k, from, to) in &lowered_spans {
            words[k] = &lowered[from..to];
        }
        let ctx = Ctx {
            text,
            tokens,
            words: &words,
        };
        // Room for a mention every 16 tokens (a little more than news has).
        let mut out: Vec<NumberMention> = Vec::with_capacity(tokens.len() / 16 + 1);
        let mut i = 0;
        while i < tokens.len() {
            // Most tokens cannot start a number: rejected before parsing.
            if !may_start_number(&tokens[i], words[i]) {
                i += 1;
                continue;
            }
            match self.mention_at(&ctx, i) {
                Some((mention, next)) => {
                    if out.last().is_none_or(|last| last.end <= mention.start) {
                        out.push(mention);
                    }
                    i = next.max(i + 1);
                }
                None => i += 1,
            }
        }
        share_units_in_lists(text, &mut out);
        out
    }

    fn mention_at(&self, ctx: &Ctx<'_>, i: usize) -> Option<(NumberMention, usize)> {
        let parsed = parse_number(ctx, i)?;
        let tokens = ctx.tokens;
        let mut start = tokens[i].start;
        let mut first = i;
        let mut currency: Option<String> = None;
        // A currency sign glued before the number, with its country prefix.
        if i > 0 && tokens[i - 1].kind == TokenKind::Symbol && tokens[i - 1].end == start {
            let prefix = (i > 1 && tokens[i - 2].end == tokens[i - 1].start)
                .then(|| tokens[i - 2].text(ctx.text));
            if let Some(code) = currency_sign(tokens[i - 1].text(ctx.text), prefix) {
                currency = Some(code.to_string());
                first = i - 1;
                if prefix
                    .is_some_and(|p| matches!(p, "US" | "U.S." | "C" | "A" | "HK" | "NZ" | "S"))
                {
                    first = i - 2;
                }
                start = tokens[first].start;
            }
        }
        // Dates and times are the `dates` layer's.
        let prev_word = first.checked_sub(1).map(|p| ctx.words[p]);
        let next_word = ctx.words.get(parsed.next).copied();
        if parsed.digits.is_some() && currency.is_none() {
            let prev_raw = first.checked_sub(1).map(|p| tokens[p].text(ctx.text));
            let next_raw = tokens.get(parsed.next).map(|t| t.text(ctx.text));
            if prev_raw.is_some_and(|w| month_number(w).is_some())
                || (parsed.value <= 31.0 && next_raw.is_some_and(|w| month_number(w).is_some()))
                || matches!(
                    next_word,
                    Some("a.m." | "p.m." | "am" | "pm" | "gmt" | "hrs")
                )
                || ctx.words[i].contains(':')
            {
                return None;
            }
        }
        if ctx.words[i] == "one" && one_is_pronoun(prev_word, next_word) {
            return None;
        }
        let end = tokens[parsed.next - 1].end;
        // Ranges: "340 to 350", "5-6 mln", "between 5 and 6".
        let is_range_link = match ctx.words.get(parsed.next).copied() {
            Some("to" | "-" | "\u{2013}") => true,
            Some("and") => prev_word == Some("between"),
            _ => false,
        };
        if is_range_link
            && !parsed.ordinal
            && let Some(high) =
                parse_number(ctx, parsed.next + 1).filter(|h| !h.ordinal && !h.vague)
        {
            let mut low = parsed.value;
            if high.scaled && !parsed.scaled {
                // "5 to 6 mln": the scale applies to both ends.
                low = lexicon_scaled(low, high_scale(ctx, parsed.next + 1, high.next));
            }
            if high.value >= low {
                let next = high.next;
                let end = tokens[next - 1].end;
                let low_end = Parsed {
                    value: low,
                    ..parsed
                };
                return Some(self.finish(
                    ctx,
                    low_end,
                    first,
                    start,
                    end,
                    next,
                    currency,
                    Some(high.value),
                ));
            }
        }
        let next = parsed.next;
        Some(self.finish(ctx, parsed, first, start, end, next, currency, None))
    }

    #[allow(clippy::too_many_arguments)]
    fn finish(
        &self,
        ctx: &Ctx<'_>,
        parsed: Parsed,
        first: usize,
        start: usize,
        mut end: usize,
        mut next: usize,
        mut currency: Option<String>,
        value_max: Option<f64>,
    ) -> (NumberMention, usize) {
        let tokens = ctx.tokens;
        let word_at = |k: usize| ctx.words.get(k).copied();
        let mut unit = parsed.glued_unit.clone();
        let mut label = if parsed.ordinal {
            NumberLabel::Ordinal
        } else {
            NumberLabel::Number
        };
        if unit.is_some() {
            label = NumberLabel::Quantity;
        }
        if !parsed.ordinal && unit.is_none() {
            // Percent sign or word.
            if word_at(next) == Some("%") && tokens[next].start == end {
                unit = Some("%".into());
                label = NumberLabel::Percent;
                end = tokens[next].end;
                next += 1;
            } else if matches!(word_at(next), Some("pct" | "percent" | "percentage")) {
                unit = word_at(next).map(str::to_string);
                label = NumberLabel::Percent;
                end = tokens[next].end;
                next += 1;
                if word_at(next) == Some("points") {
                    end = tokens[next].end;
                    next += 1;
                }
            } else if word_at(next) == Some("per") && word_at(next + 1) == Some("cent") {
                unit = Some("per cent".into());
                label = NumberLabel::Percent;
                end = tokens[next + 1].end;
                next += 2;
            } else {
                // "1.5 mln U.S. dlrs"
                let skip_country = matches!(
                    word_at(next),
                    Some("u.s." | "us" | "canadian" | "australian" | "hong" | "new")
                ) && word_at(next + 1).and_then(currency_word).is_some();
                let k = if skip_country { next + 1 } else { next };
                if let Some(code) = word_at(k).and_then(currency_word) {
                    let w = word_at(k).unwrap_or_default().to_string();
                    currency = Some(code.map_or_else(|| w.clone(), str::to_string));
                    unit = Some(w);
                    end = tokens[k].end;
                    next = k + 1;
                } else if let Some(w) = word_at(next).filter(|w| is_unit(w)) {
                    unit = Some(w.to_string());
                    label = NumberLabel::Quantity;
                    end = tokens[next].end;
                    next += 1;
                }
            }
            if currency.is_some() {
                label = NumberLabel::Money;
            }
        }
        let approximation = approximation_before(ctx, first);
        let counted = (label == NumberLabel::Number)
            .then(|| counted_noun(ctx, next, parsed.value))
            .flatten();
        let mention = NumberMention {
            start,
            end,
            label,
            value: parsed.value,
            value_max,
            unit,
            currency,
            counted,
            approximation,
            vague: parsed.vague,
        };
        (mention, next)
    }
}

impl NumberFinder {
    /// Whether a mention is a bare year (`1987`) that the `dates` layer owns.
    pub fn is_bare_year(&self, m: &NumberMention, text: &str) -> bool {
        self.skip_years
            && m.label == NumberLabel::Number
            && m.counted.is_none()
            && m.approximation.is_none()
            && m.value_max.is_none()
            && text
                .get(m.start..m.end)
                .is_some_and(|s| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
            && (1800.0..=2100.0).contains(&m.value)
    }
}

/// In a list of amounts the unit is written once, at the end
/// (`4,340, 4,345 and 4,350 dlrs`): bare numbers before it in the list share
/// its unit, currency and label.
fn share_units_in_lists(text: &str, mentions: &mut [NumberMention]) {
    for k in (1..mentions.len()).rev() {
        let (head, tail) = mentions.split_at_mut(k);
        let (prev, next) = (&mut head[k - 1], &tail[0]);
        let joined = text
            .get(prev.end..next.start)
            .is_some_and(|gap| matches!(gap.trim(), "," | "and" | ", and" | "or" | ", or"));
        let bare = prev.label == NumberLabel::Number && prev.counted.is_none() && !prev.vague;
        if joined && bare && next.unit.is_some() && next.label != NumberLabel::Ordinal {
            prev.label = next.label;
            prev.unit.clone_from(&next.unit);
            prev.currency.clone_from(&next.currency);
        }
    }
}

struct Ctx<'a> {
    text: &'a str,
    tokens: &'a [Token],
    words: &'a [&'a str],
}

fn high_scale(ctx: &Ctx<'_>, from: usize, to: usize) -> f64 {
    (from..to)
        .filter_map(|k| scale_word(ctx.words[k]))
        .product::<f64>()
        .max(1.0)
}

/// Parses a number starting at token `i`.
fn parse_number(ctx: &Ctx<'_>, i: usize) -> Option<Parsed> {
    let token = ctx.tokens.get(i)?;
    let word = *ctx.words.get(i)?;
    // Numbers glued to a letter before them are part of a name ("G7" is one
    // word token already; "A-1" is not a number either).
    if i > 0 {
        let prev = &ctx.tokens[i - 1];
        if prev.end == token.start && prev.kind == TokenKind::Word {
            return None;
        }
        if prev.end == token.start
            && matches!(ctx.words[i - 1], "-" | "/")
            && i > 1
            && ctx.tokens[i - 2].end == prev.start
            && ctx.tokens[i - 2].kind == TokenKind::Word
        {
            return None;
        }
    }
    match token.kind {
        TokenKind::Number => {
            if word.contains(':') {
                return None;
            }
            let value = parse_without_commas(word)?;
            let (value, next, scaled) = apply_scale(ctx, i + 1, value);
            Some(Parsed {
                value,
                next,
                vague: false,
                ordinal: false,
                scaled,
                digits: Some(word.len()),
                glued_unit: None,
            })
        }
        TokenKind::Word if word.starts_with(|c: char| c.is_ascii_digit()) => {
            parse_digit_word(word, i)
        }
        TokenKind::Word => parse_number_words(ctx, i),
        _ => None,
    }
}

/// `digits` without its thousands commas, parsed: what
/// `digits.replace(',', "").parse()` gives, without a new string for the
/// usual number that has no comma (or not more than 40 bytes).
fn parse_without_commas(digits: &str) -> Option<f64> {
    if let Some(value) = short_decimal(digits) {
        return Some(value);
    }
    if !digits.contains(',') {
        return digits.parse().ok();
    }
    let mut buf = [0u8; 40];
    let mut len = 0;
    for &b in digits.as_bytes().iter().filter(|&&b| b != b',') {
        let Some(slot) = buf.get_mut(len) else {
            return digits.replace(',', "").parse().ok();
        };
        *slot = b;
        len += 1;
    }
    std::str::from_utf8(&buf[..len]).ok()?.parse().ok()
}

/// What `digits.replace(',', "").parse::<f64>().ok()` gives when that
/// string is digits with at most one `.` between digits, and at most 15
/// digits in all (`None` for any other string, read the long way): the
/// digits as a whole number `m` (below 10^15, so a float exactly) divided
/// by the power of ten of its decimals, one correctly rounded division,
/// which is the correctly rounded reading of the decimal.
fn short_decimal(digits: &str) -> Option<f64> {
    let mut m = 0u64;
    let mut count = 0usize;
    // Digits after the `.`, once one is read.
    let mut decimals: Option<usize> = None;
    for &b in digits.as_bytes() {
        match b {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(b - b'0');
                count += 1;
                if count > 15 {
                    return None;
                }
                if let Some(d) = decimals.as_mut() {
                    *d += 1;
                }
            }
            b',' => {}
            b'.' if decimals.is_none() && count > 0 => decimals = Some(0),
            _ => return None,
        }
    }
    match decimals {
        _ if count == 0 => None,
        None => Some(m as f64),
        Some(0) => None,
        Some(d) => Some(m as f64 / crate::lexicon::EXACT_POWERS_OF_TEN[d]),
    }
}

/// Digit-led word tokens: `1000’s`, `1990s`, `3rd`, `100kg`.
fn parse_digit_word(word: &str, i: usize) -> Option<Parsed> {
    let digits_end = word
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .unwrap_or(word.len());
    let (num, suffix) = word.split_at(digits_end);
    let value = parse_without_commas(num)?;
    let parsed = |vague, ordinal, glued_unit| Parsed {
        value,
        next: i + 1,
        vague,
        ordinal,
        scaled: false,
        digits: Some(num.len()),
        glued_unit,
    };
    match suffix {
        "st" | "nd" | "rd" | "th" => Some(parsed(false, true, None)),
        "'s" | "’s" | "s" => {
            let decade_year =
                num.len() == 4 && num.ends_with('0') && (1800.0..2100.0).contains(&value);
            (!decade_year).then(|| parsed(true, false, None))
        }
        _ if is_unit(suffix) && suffix.len() <= 3 => {
            Some(parsed(false, false, Some(suffix.into())))
        }
        _ => None,
    }
}

/// Number words: `two`, `twenty-five`, `two hundred and fifty`, `a dozen`,
/// `thousands`, `tens of thousands`, `first`, `a decade`.
fn parse_number_words(ctx: &Ctx<'_>, i: usize) -> Option<Parsed> {
    let word = ctx.words[i];
    let one = |value, next, vague, ordinal, scaled| Parsed {
        value,
        next,
        vague,
        ordinal,
        scaled,
        digits: None,
        glued_unit: None,
    };
    if let Some(v) = ordinal_word(word) {
        // "First Interstate Bancorp" is a name, not an ordinal.
        let raw = ctx.tokens[i].text(ctx.text);
        let next_is_name = ctx.tokens.get(i + 1).is_some_and(|t| {
            t.kind == TokenKind::Word && crate::scan::starts_upper(t.text(ctx.text))
        });
        if crate::scan::starts_upper(raw) && next_is_name {
            return None;
        }
        return Some(one(v, i + 1, false, true, false));
    }
    if let Some(base) = vague_plural(word) {
        // "tens of thousands", "hundreds of thousands"
        if ctx.words.get(i + 1).copied() == Some("of")
            && let Some(inner) = ctx.words.get(i + 2).and_then(|w| vague_plural(w))
            && inner > base
        {
            return Some(one(base * inner, i + 3, true, false, true));
        }
        if word == "tens" {
            return None;
        }
        return Some(one(base, i + 1, true, false, false));
    }
    if matches!(word, "a" | "an") {
        let next = ctx.words.get(i + 1).copied()?;
        if let Some(scale) =
            scale_word(next).filter(|_| !matches!(next, "mln" | "bln" | "bn" | "mn"))
        {
            let (value, end, _) = apply_scale(ctx, i + 2, scale);
            return Some(one(value, end, false, false, true));
        }
        if is_countable_time_unit(next) {
            return Some(one(1.0, i + 1, false, false, false));
        }
        return None;
    }
    let mut total = 0.0;
    let mut current = 0.0;
    let mut k = i;
    let mut any = false;
    let mut scaled = false;
    while let Some(w) = ctx.words.get(k).copied() {
        if ctx.tokens[k].kind != TokenKind::Word {
            break;
        }
        if let Some(v) = small_number(w) {
            if any && current % 100.0 != 0.0 {
                break; // "two three" is two numbers
            }
            current += v;
        } else if let Some(s) = scale_word(w).filter(|_| any) {
            scaled = true;
            if s < 1000.0 {
                current = current.max(1.0) * s;
            } else {
                total += current.max(1.0) * s;
                current = 0.0;
            }
        } else if w == "and"
            && any
            && ctx
                .words
                .get(k + 1)
                .is_some_and(|n| small_number(n).is_some())
        {
            // "two hundred and fifty"
        } else {
            break;
        }
        any = true;
        k += 1;
    }
    if !any {
        return None;
    }
    Some(one(total + current, k, false, false, scaled))
}

/// Applies scale words after a number (`5.93 mln`, `65-billion`).
fn apply_scale(ctx: &Ctx<'_>, mut k: usize, mut value: f64) -> (f64, usize, bool) {
    let mut scaled = false;
    loop {
        let glued_hyphen = ctx.words.get(k).is_some_and(|w| *w == "-")
            && ctx
                .tokens
                .get(k + 1)
                .is_some_and(|t| t.start == ctx.tokens[k].end)
            && ctx.tokens[k].start == ctx.tokens[k - 1].end;
        let at = if glued_hyphen { k + 1 } else { k };
        match ctx.words.get(at).and_then(|w| scale_word(w)) {
            Some(s) => {
                value = lexicon_scaled(value, s);
                scaled = true;
                k = at + 1;
            }
            None => return (value, k, scaled),
        }
    }
}

fn approximation_before(ctx: &Ctx<'_>, first: usize) -> Option<String> {
    let w1 = first.checked_sub(1).map(|k| ctx.words[k])?;
    if ctx.tokens[first - 1].kind != TokenKind::Word {
        return None;
    }
    let w2 = first
        .checked_sub(2)
        .filter(|&k| ctx.tokens[k].kind == TokenKind::Word)
        .map(|k| ctx.words[k]);
    // A phrase of two or three words ends with one of few words (`than`,
    // `to`, `least`): before any other word only single words are looked up.
    if let Some(w2) = w2.filter(|_| ends_an_approximation_phrase(w1)) {
        // The phrases are compared word by word; a string is made only
        // for the one found. The joined length is computed once and most
        // phrases are told apart by it.
        let pair_len = w2.len() + 1 + w1.len();
        if let Some(pair) = APPROXIMATIONS
            .iter()
            .find(|a| a.len() == pair_len && joins_words(a, &[w2, w1]))
        {
            return Some((*pair).to_string());
        }
        let w3 = first
            .checked_sub(3)
            .filter(|&k| ctx.tokens[k].kind == TokenKind::Word)
            .map(|k| ctx.words[k]);
        if let Some(w3) = w3 {
            let triple_len = w3.len() + 1 + pair_len;
            if let Some(triple) = APPROXIMATIONS
                .iter()
                .find(|a| a.len() == triple_len && joins_words(a, &[w3, w2, w1]))
            {
                return Some((*triple).to_string());
            }
        }
    }
    APPROXIMATIONS.contains(&w1).then(|| w1.to_string())
}

/// Whether `word` is the last word of an approximation of more than one
/// word (`more than`, `up to`, `as many as`): a necessary condition of the
/// phrase lookups in [`approximation_before`].
fn ends_an_approximation_phrase(word: &str) -> bool {
    matches!(
        word,
        "to" | "than" | "least" | "most" | "as" | "over" | "under"
    )
}

/// Whether `phrase` is `words` joined by single spaces (what
/// `words.join(" ") == phrase` says, without building the string).
fn joins_words(phrase: &str, words: &[&str]) -> bool {
    // Lengths first: most phrases differ in length.
    let joined_len = words.iter().map(|w| w.len()).sum::<usize>() + words.len().saturating_sub(1);
    if phrase.len() != joined_len {
        return false;
    }
    let mut rest = phrase;
    for (k, w) in words.iter().enumerate() {
        if k > 0 {
            match rest.strip_prefix(' ') {
                Some(r) => rest = r,
                None => return false,
            }
        }
        match rest.strip_prefix(w) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty()
}

/// The text of each token in `lowered` (the text with its ASCII letters
/// lowered: the same char boundaries), empty for a span that is not one
/// of `lowered`.
fn token_words<'a>(lowered: &'a str, tokens: &[Token]) -> Vec<&'a str> {
    let mut words: Vec<&str> = Vec::with_capacity(tokens.len());
    words.extend(
        tokens
            .iter()
            .map(|t| lowered.get(t.start..t.end).unwrap_or("")),
    );
    words
}

/// [`token_words`] when `lowered` is ASCII (else `None`): every byte
/// offset is then a char boundary, and the spans are sliced as bytes,
/// without the two char boundary tests of a `str` slice per token.
fn ascii_token_words<'a>(lowered: &'a str, tokens: &[Token]) -> Option<Vec<&'a str>> {
    if !lowered.is_ascii() {
        return None;
    }
    let bytes = lowered.as_bytes();
    let mut words: Vec<&str> = Vec::with_capacity(tokens.len());
    words.extend(tokens.iter().map(|t| match bytes.get(t.start..t.end) {
        // SAFETY: `lowered` is ASCII (tested above), so any run of its
        // bytes is valid UTF-8.
        Some(w) => unsafe { std::str::from_utf8_unchecked(w) },
        None => "",
    }));
    Some(words)
}

/// Whether a number can start at a token whose (lowercase) form is
/// `word`: a necessary condition of [`parse_number`] returning a number,
/// checked first because most tokens are no number. Numbers are number
/// tokens, words starting with a digit, and number words ([`ordinal_word`],
/// [`vague_plural`], `a`/`an`, [`small_number`]); words are looked up only
/// when their length and first letter are those of a number word.
fn may_start_number(token: &Token, word: &str) -> bool {
    match token.kind {
        TokenKind::Number => true,
        TokenKind::Word => {
            let b = word.as_bytes();
            match b.first() {
                Some(d) if d.is_ascii_digit() => true,
                Some(&first) if b.len() < 16 && first.is_ascii_lowercase() => {
                    let last = b[b.len() - 1];
                    last.is_ascii_lowercase()
                        && NUMBER_WORD_SHAPES[b.len()][usize::from(first - b'a')]
                            & (1 << (last - b'a'))
                            != 0
                        && is_number_word(word)
                }
                // Longer words are no number words; other ones are looked up.
                Some(&first) if first.is_ascii() => {
                    b.len() >= 16 && word.contains('-') && is_number_word(word)
                }
                _ => is_number_word(word),
            }
        }
        _ => false,
    }
}

/// Whether `word` starts a number by itself or with the word after it.
fn is_number_word(word: &str) -> bool {
    ordinal_word(word).is_some()
        || vague_plural(word).is_some()
        || matches!(word, "a" | "an")
        || small_number(word).is_some()
}

/// For each word length below 16 and first letter, a bit for each last
/// letter (`a` = bit 0) of a number word of that length and first letter
/// (every number word ends with a letter): most words differ from every
/// number word in one of the three.
static NUMBER_WORD_SHAPES: [[u32; 26]; 16] = {
    const WORDS: &[&str] = &[
        "a",
        "an",
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "eleventh",
        "twelfth",
        "thirteenth",
        "fourteenth",
        "fifteenth",
        "sixteenth",
        "seventeenth",
        "eighteenth",
        "nineteenth",
        "twentieth",
        "dozens",
        "scores",
        "hundreds",
        "thousands",
        "millions",
        "billions",
        "tens",
    ];
    const TENS: &[&str] = &[
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    const UNITS: &[&str] = &[
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let mut shapes = [[0u32; 26]; 16];
    let mut k = 0;
    while k < WORDS.len() {
        let w = WORDS[k].as_bytes();
        shapes[w.len()][(w[0] - b'a') as usize] |= 1 << (w[w.len() - 1] - b'a');
        k += 1;
    }
    // "twenty-five": tens, a hyphen, units.
    let mut t = 0;
    while t < TENS.len() {
        let mut u = 0;
        while u < UNITS.len() {
            let len = TENS[t].len() + 1 + UNITS[u].len();
            let unit = UNITS[u].as_bytes();
            shapes[len][(TENS[t].as_bytes()[0] - b'a') as usize] |=
                1 << (unit[unit.len() - 1] - b'a');
            u += 1;
        }
        t += 1;
    }
    shapes
};

/// The noun a cardinal counts: the last plausible noun of the words after
/// it, before punctuation or a function word (`two Chinese engineers
/// returning` → `engineers`; `Five Pakistani security and government
/// sources with` → `sources`).
fn counted_noun(ctx: &Ctx<'_>, mut k: usize, value: f64) -> Option<String> {
    if ctx.words.get(k).copied() == Some("of") {
        k += 1;
        while ctx.words.get(k).is_some_and(|w| {
            matches!(
                *w,
                "the"
                    | "its"
                    | "their"
                    | "his"
                    | "her"
                    | "our"
                    | "these"
                    | "those"
                    | "many"
                    | "them"
            )
        }) {
            if ctx.words[k] == "them" {
                return None;
            }
            k += 1;
        }
    }
    let mut candidate: Option<usize> = None;
    for (n, idx) in (k..ctx.tokens.len()).take(6).enumerate() {
        let t = &ctx.tokens[idx];
        if t.kind != TokenKind::Word {
            break;
        }
        let w = ctx.words[idx];
        if stops_counted_noun(w) || (n > 0 && (w.ends_with("ing") || w.ends_with("ed"))) {
            break;
        }
        if matches!(w, "and" | "or") {
            continue;
        }
        if value == 1.0 || looks_plural(w) {
            candidate = Some(idx);
        } else if candidate.is_some() {
            break;
        }
    }
    let idx = candidate?;
    let raw = ctx.tokens[idx].text(ctx.text);
    Some(crate::scan::strip_possessive(raw).to_string())
}

/// Options of `tag.numbers.v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NumbersConfig {
    /// Whether bare four-digit years (`1987`) are left out (the `dates`
    /// layer has them).
    pub skip_years: bool,
}

impl Default for NumbersConfig {
    fn default() -> Self {
        NumbersConfig { skip_years: true }
    }
}

impl StageConfig for NumbersConfig {
    const NAME: &'static str = "tag.numbers.v1";
    const KIND: StageKind = StageKind::Document;
    const DESCRIPTION: &'static str = "Finds numbers, quantities, money, percentages and ordinals with their values (layer `numbers`).";
    const NEEDS: &'static [copydesk_core::Capability] = &[cap::TEXT_RAW];
    const PROVIDES: &'static [copydesk_core::Capability] = &[cap::LAYER_NUMBERS];
    const OPTIONS: &'static [OptionDoc] = &[OptionDoc {
        name: "skip_years",
        kind: "boolean",
        doc: "Whether bare four-digit years (`1987`) are left to the `dates` layer (default true).",
    }];

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Document(Box::new(NumberFinder {
            skip_years: self.skip_years,
        })))
    }
}

impl DocumentStage for NumberFinder {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        let (text, tokens) = document_tokens(doc);
        let mentions = self.find_in_tokens(text, &tokens);
        let annotations: Vec<Annotation> = mentions
            .into_iter()
            .filter(|m| !self.is_bare_year(m, text))
            .map(NumberMention::into_annotation)
            .collect();
        add_layer(doc, LAYER, annotations)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // The byte-sliced words of an ASCII text are the str-sliced ones
        // (the tokenizer's spans, and any other spans, in range or not);
        // a text with another char has none.
        #[test]
        fn ascii_token_words_are_the_sliced_ones(
            t in "([a-zA-Z0-9 ,.$%-]{0,40}|\\PC{0,30})",
            spans in proptest::collection::vec((0usize..50, 0usize..50), 0..12),
        ) {
            let lowered = t.to_ascii_lowercase();
            let mut tokens = tokenize(&t);
            tokens.extend(spans.iter().map(|&(start, end)| Token { start, end, kind: TokenKind::Word }));
            match ascii_token_words(&lowered, &tokens) {
                Some(words) => {
                    prop_assert!(t.is_ascii());
                    prop_assert_eq!(words, token_words(&lowered, &tokens));
                }
                None => prop_assert!(!t.is_ascii()),
            }
        }

        // As it was: the word lowered into a new string every time.
        #[test]
        fn plural_looks_are_those_of_the_lowered_word(
            w in "(people|PEOPLE|Staff|bags|Bus|glass|axis|[a-zA-Z]{1,6}|é|É|\u{1C5}|\u{212A}|s){1,3}"
        ) {
            let lower = w.to_lowercase();
            let expected = matches!(
                lower.as_str(),
                "people" | "men" | "women" | "children" | "police" | "personnel" | "staff" | "cattle"
            ) || (lower.len() > 3
                && lower.ends_with('s')
                && !lower.ends_with("ss")
                && !lower.ends_with("us")
                && !lower.ends_with("is"));
            prop_assert_eq!(looks_plural(&w), expected);
        }
    }

    fn find(t: &str) -> Vec<(String, NumberMention)> {
        NumberFinder { skip_years: true }
            .find(t)
            .into_iter()
            .map(|m| (t[m.start..m.end].to_string(), m))
            .collect()
    }

    fn one(t: &str) -> (String, NumberMention) {
        let mut all = find(t);
        assert_eq!(all.len(), 1, "{t}: {all:?}");
        all.remove(0)
    }

    #[test]
    fn quantities_with_units_and_approximation() {
        let all = find("a truck rigged with nearly 100 kg (220 lbs) of explosives");
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[0].0, "100 kg");
        assert_eq!(all[0].1.label, NumberLabel::Quantity);
        assert_eq!(all[0].1.value, 100.0);
        assert_eq!(all[0].1.unit.as_deref(), Some("kg"));
        assert_eq!(all[0].1.approximation.as_deref(), Some("nearly"));
        assert_eq!(all[1].0, "220 lbs");
        assert_eq!(all[1].1.unit.as_deref(), Some("lbs"));
        let (s, m) = one("waited for about 40 minutes");
        assert_eq!((s.as_str(), m.value), ("40 minutes", 40.0));
        assert_eq!(m.approximation.as_deref(), Some("about"));
        let (s, m) = one("arrivals were 155,221 bags");
        assert_eq!(
            (s.as_str(), m.value, m.unit.as_deref()),
            ("155,221 bags", 155221.0, Some("bags"))
        );
    }

    #[test]
    fn money_in_its_forms() {
        let (s, m) = one("a $65-billion investment");
        assert_eq!(s, "$65-billion");
        assert_eq!(
            (m.label, m.value, m.currency.as_deref()),
            (NumberLabel::Money, 65e9, Some("USD"))
        );
        let (s, m) = one("prices rose to 340 to 350 cruzados per arroba");
        assert_eq!(s, "340 to 350 cruzados");
        assert_eq!((m.value, m.value_max), (340.0, Some(350.0)));
        assert_eq!(m.currency.as_deref(), Some("BRC"));
        let (s, m) = one("profit of 1.5 mln dlrs");
        assert_eq!(
            (s.as_str(), m.value, m.currency.as_deref()),
            ("1.5 mln dlrs", 1.5e6, Some("USD"))
        );
        let (_, m) = one("a loss of 12 mln stg");
        assert_eq!(m.currency.as_deref(), Some("GBP"));
        let (s, m) = one("raised US$5 mln");
        assert_eq!((s.as_str(), m.value), ("US$5 mln", 5e6));
        let (_, m) = one("sales of 5 to 6 billion yen");
        assert_eq!(
            (m.value, m.value_max, m.currency.as_deref()),
            (5e9, Some(6e9), Some("JPY"))
        );
    }

    #[test]
    fn lists_share_their_unit() {
        let all = find("sold at 4,340, 4,345 and 4,350 dlrs, up 2, 3 or 4 pct in 1987, 1988");
        let labels: Vec<(&str, NumberLabel, Option<&str>)> = all
            .iter()
            .map(|(s, m)| (s.as_str(), m.label, m.currency.as_deref()))
            .collect();
        assert_eq!(
            labels,
            [
                ("4,340", NumberLabel::Money, Some("USD")),
                ("4,345", NumberLabel::Money, Some("USD")),
                ("4,350 dlrs", NumberLabel::Money, Some("USD")),
                ("2", NumberLabel::Percent, None),
                ("3", NumberLabel::Percent, None),
                ("4 pct", NumberLabel::Percent, None),
                ("1987", NumberLabel::Number, None),
                ("1988", NumberLabel::Number, None),
            ]
        );
    }

    #[test]
    fn percentages() {
        for t in ["up 12 pct", "up 12%", "up 12 percent", "up 12 per cent"] {
            let (_, m) = one(t);
            assert_eq!((m.label, m.value), (NumberLabel::Percent, 12.0), "{t}");
        }
    }

    #[test]
    fn cardinals_and_counted_nouns() {
        let (_, m) = one("killed two Chinese engineers returning to work");
        assert_eq!((m.value, m.counted.as_deref()), (2.0, Some("engineers")));
        let (s, m) = one("Five Pakistani security and government sources with direct knowledge");
        assert_eq!(
            (s.as_str(), m.value, m.counted.as_deref()),
            ("Five", 5.0, Some("sources"))
        );
        let (s, m) = one("Thousands of Pakistani security officers from the army");
        assert_eq!((s.as_str(), m.value, m.vague), ("Thousands", 1000.0, true));
        assert_eq!(m.counted.as_deref(), Some("officers"));
        let (s, m) = one("security to 1000’s of Chinese citizens working in");
        assert_eq!((s.as_str(), m.value, m.vague), ("1000’s", 1000.0, true));
        assert_eq!(m.counted.as_deref(), Some("citizens"));
        let (_, m) = one("said one official, who sat in");
        assert_eq!((m.value, m.counted.as_deref()), (1.0, Some("official")));
        let all = find("5.93 mln against 5.81");
        assert_eq!((all[0].1.value, all[1].1.value), (5.93e6, 5.81));
        let (_, m) = one("two hundred and fifty people");
        assert_eq!((m.value, m.counted.as_deref()), (250.0, Some("people")));
        let (_, m) = one("tens of thousands of protesters");
        assert_eq!((m.value, m.vague), (1e4, true));
    }

    #[test]
    fn time_spans_and_ordinals() {
        let (s, m) = one("the first such trip");
        assert_eq!(
            (s.as_str(), m.label, m.value),
            ("first", NumberLabel::Ordinal, 1.0)
        );
        let (s, m) = one("the first such trip in a decade."
            .split_once("first ")
            .map(|x| x.1)
            .unwrap_or_default());
        assert_eq!(
            (s.as_str(), m.value, m.unit.as_deref()),
            ("a decade", 1.0, Some("decade"))
        );
        assert!(find("shares of First Interstate Bancorp").is_empty());
        let (_, m) = one("on the 3rd floor");
        assert_eq!(m.label, NumberLabel::Ordinal);
    }

    #[test]
    fn not_numbers() {
        for t in [
            "the CPEC and the G7 summit",
            "no one came",
            "on Feb 26 and 26 February at 5 p.m. and 10:30",
            "in 1987 the talks",
            "one another",
        ] {
            let found: Vec<_> = NumberFinder { skip_years: true }
                .find(t)
                .into_iter()
                .filter(|m| !NumberFinder { skip_years: true }.is_bare_year(m, t))
                .collect();
            assert!(found.is_empty(), "{t}: {found:?}");
        }
    }

    #[test]
    fn every_approximation_phrase_ends_with_a_listed_last_word() {
        for phrase in APPROXIMATIONS.iter().filter(|a| a.contains(' ')) {
            let last = phrase.rsplit(' ').next().unwrap_or_default();
            assert!(ends_an_approximation_phrase(last), "{phrase}");
        }
    }

    #[test]
    fn every_number_word_passes_the_shape_filter() {
        let word = Token {
            start: 0,
            end: 1,
            kind: TokenKind::Word,
        };
        let tens = [
            "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
        ];
        let mut all: Vec<String> = [
            "a",
            "an",
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
            "thirteenth",
            "fourteenth",
            "fifteenth",
            "sixteenth",
            "seventeenth",
            "eighteenth",
            "nineteenth",
            "twentieth",
            "dozens",
            "scores",
            "hundreds",
            "thousands",
            "millions",
            "billions",
            "tens",
        ]
        .iter()
        .map(|w| w.to_string())
        .collect();
        for t in tens {
            all.push(t.to_string());
            for u in [
                "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            ] {
                all.push(format!("{t}-{u}"));
            }
        }
        for w in &all {
            assert!(is_number_word(w), "{w}");
            assert!(may_start_number(&word, w), "{w}");
        }
        for w in ["the", "said", "at", "as", "that", "officials", "twenty-ten"] {
            assert!(!may_start_number(&word, w), "{w}");
        }
    }

    proptest! {
        // The shape test only rejects words that are no number words.
        #[test]
        fn number_words_pass_the_shape_test(
            w in "(a|an|one|two|ten|tens|first|twenty|ninety|[a-z]{1,6}|-|é){1,3}"
        ) {
            let word = Token { start: 0, end: w.len(), kind: TokenKind::Word };
            if is_number_word(&w) {
                prop_assert!(may_start_number(&word, &w), "{}", w);
            }
        }
    }

    /// The number finder without the token filter, as it was before it.
    fn find_unfiltered(text: &str) -> Vec<NumberMention> {
        let finder = NumberFinder { skip_years: true };
        let tokens = tokenize(text);
        let words: Vec<String> = tokens
            .iter()
            .map(|t| {
                let raw = t.text(text);
                if t.kind == TokenKind::Word && raw.chars().any(char::is_uppercase) {
                    raw.to_lowercase()
                } else {
                    raw.to_string()
                }
            })
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let ctx = Ctx {
            text,
            tokens: &tokens,
            words: &words,
        };
        let mut out: Vec<NumberMention> = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            match finder.mention_at(&ctx, i) {
                Some((mention, next)) => {
                    if out.last().is_none_or(|last| last.end <= mention.start) {
                        out.push(mention);
                    }
                    i = next.max(i + 1);
                }
                None => i += 1,
            }
        }
        share_units_in_lists(text, &mut out);
        out
    }

    proptest! {
        #[test]
        fn the_token_filter_changes_nothing(
            s in "((?i:a|an|one|two|Twenty-Five|thirty-one|first|Tenth|tens|of|thousands|hundred|million|mln|and|between|to|nearly|more|than|at|least|as|many|up|people|dlrs|pct|%|\\$|US|May|[0-9]{1,4}|[0-9],[0-9]{3}|1990s|3rd|100kg|ÉTÉ|İ|\u{212A}|-|,|\\.)| |\n){0,40}"
        ) {
            prop_assert_eq!(NumberFinder { skip_years: true }.find(&s), find_unfiltered(&s));
        }

        #[test]
        fn the_token_filter_changes_nothing_on_any_text(s in "\\PC{0,80}") {
            prop_assert_eq!(NumberFinder { skip_years: true }.find(&s), find_unfiltered(&s));
        }

        #[test]
        fn phrases_join_as_format_joins(a in "[a-z ]{0,6}", b in "[a-z ]{0,6}", p in "[a-z ]{0,13}") {
            prop_assert_eq!(joins_words(&p, &[&a, &b]), format!("{a} {b}") == p);
            prop_assert_eq!(joins_words(&p, &[&b]), b == p);
        }

        #[test]
        fn into_annotation_is_to_annotation(
            start in 0usize..50,
            value in proptest::num::f64::ANY,
            value_max in proptest::option::of(proptest::num::f64::ANY),
            unit in proptest::option::of("[a-z%]{0,4}"),
            currency in proptest::option::of("[A-Z]{3}"),
            counted in proptest::option::of("[a-z]{0,6}"),
            approximation in proptest::option::of("[a-z ]{0,9}"),
            vague: bool,
        ) {
            let m = NumberMention {
                start,
                end: start + 3,
                label: NumberLabel::Money,
                value,
                value_max,
                unit,
                currency,
                counted,
                approximation,
                vague,
            };
            let reference = m.to_annotation();
            let ours = m.into_annotation();
            prop_assert_eq!(
                serde_json::to_string(&ours).ok(),
                serde_json::to_string(&reference).ok()
            );
            prop_assert_eq!(ours.attrs.keys().collect::<Vec<_>>(), reference.attrs.keys().collect::<Vec<_>>());
        }

        #[test]
        fn commas_are_dropped_as_replace_drops_them(s in "[0-9,.e+-]{0,50}|\\PC{0,50}") {
            let reference: Option<f64> = s.replace(',', "").parse().ok();
            prop_assert_eq!(parse_without_commas(&s).map(f64::to_bits), reference.map(f64::to_bits));
        }

        // Numbers as the tokenizer gives them (digits, thousands commas,
        // a decimal point), short and past 15 digits: the digits' reading
        // without the float parser is the parser's, bit for bit.
        #[test]
        fn short_decimals_are_read_as_the_parser_reads_them(
            s in "[0-9]{1,8}|[0-9]{1,17}([.][0-9]{1,17})?|[0-9]{1,3}(,[0-9]{3}){0,5}([.][0-9]{1,6})?|[0-9.,]{0,20}"
        ) {
            let reference: Option<f64> = s.replace(',', "").parse().ok();
            prop_assert_eq!(parse_without_commas(&s).map(f64::to_bits), reference.map(f64::to_bits));
            if let Some(v) = short_decimal(&s) {
                prop_assert_eq!(Some(v.to_bits()), reference.map(f64::to_bits));
            }
        }

        #[test]
        fn no_panic_and_spans_are_ordered(s in "\\PC{0,160}") {
            let mut last = 0;
            for m in NumberFinder::default().find(&s) {
                prop_assert!(m.start >= last && m.start < m.end && m.end <= s.len());
                prop_assert!(s.is_char_boundary(m.start) && s.is_char_boundary(m.end));
                last = m.end;
            }
        }

        #[test]
        fn digit_values_parse_consistently(n in 0u64..10_000_000_000, word in "[b-df-hj-np-tv-z]{2,8}") {
            // Clock words make the number a time, which the `dates` layer has.
            prop_assume!(!matches!(word.as_str(), "pm" | "gmt" | "hrs"));
            let with_commas = {
                let digits = n.to_string();
                let mut out = String::new();
                for (k, c) in digits.chars().enumerate() {
                    if k > 0 && (digits.len() - k) % 3 == 0 {
                        out.push(',');
                    }
                    out.push(c);
                }
                out
            };
            let text = format!("there were {with_commas} {word} here");
            let found = NumberFinder::default().find(&text);
            prop_assert_eq!(found.len(), 1);
            let m = &found[0];
            let expected = n as f64 * scale_word(&word).unwrap_or(1.0);
            prop_assert_eq!(m.value, expected);
            prop_assert!(text[m.start..m.end].starts_with(&with_commas));
        }
    }
}
