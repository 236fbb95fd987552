//! `clean.unicode.v1`: Unicode normalization and invisible-character removal.

use crate::mojibake::{is_mojibake_lead, repair_mojibake};
use copydesk_core::{
    BuiltStage, Capability, Document, DocumentStage, OptionDoc, OptionError, StageConfig,
    StageError, StageKind, cap,
};
use serde::{Deserialize, Serialize};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick, is_nfkc_quick};

/// The Unicode normalization form applied to the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NormalizationForm {
    /// Canonical composition: `e` + combining acute becomes `é`; compatibility
    /// characters (ligatures, full-width letters) are kept.
    #[default]
    Nfc,
    /// Compatibility composition: also folds `ﬁ` to `fi`, `²` to `2`,
    /// full-width letters to ASCII.
    Nfkc,
}

/// Options of `clean.unicode.v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UnicodeCleanerConfig {
    /// Normalization form: `"nfc"` (default) or `"nfkc"`.
    pub form: NormalizationForm,
    /// Repair UTF-8 text that was read as windows-1252 (`â€™` → `’`).
    pub fix_mojibake: bool,
    /// Fold typographic quotes, dashes and the ellipsis to ASCII. Off by
    /// default: the clean text keeps them, and matching stages fold with
    /// `copydesk_core::text::fold_for_matching`.
    pub ascii_punctuation: bool,
}

impl Default for UnicodeCleanerConfig {
    fn default() -> Self {
        UnicodeCleanerConfig {
            form: NormalizationForm::Nfc,
            fix_mojibake: true,
            ascii_punctuation: false,
        }
    }
}

impl StageConfig for UnicodeCleanerConfig {
    const NAME: &'static str = "clean.unicode.v1";
    const KIND: StageKind = StageKind::Document;
    const DESCRIPTION: &'static str = "Unicode normalization; removes BOM, zero-width and control characters; \\n line endings; plain spaces; mojibake repair";
    const NEEDS: &'static [Capability] = &[cap::TEXT_RAW];
    const PROVIDES: &'static [Capability] = &[cap::TEXT_NORMALIZED];
    const REWRITES_TEXT: bool = true;
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "form",
            kind: "string",
            doc: "Unicode normalization form: \"nfc\" (default) or \"nfkc\" (also folds ligatures, full-width forms, superscripts).",
        },
        OptionDoc {
            name: "fix_mojibake",
            kind: "boolean",
            doc: "Repair UTF-8 read as windows-1252 (\"â€™\" → \"’\", \"Ã©\" → \"é\"); default true.",
        },
        OptionDoc {
            name: "ascii_punctuation",
            kind: "boolean",
            doc: "Fold curly quotes, dashes and the ellipsis to ASCII in the clean text; default false (matching stages fold on their own).",
        },
    ];

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Document(Box::new(UnicodeCleaner::new(
            self.clone(),
        ))))
    }
}

/// The `clean.unicode.v1` stage: see [`normalize_unicode`] for what it does.
#[derive(Debug, Clone, Default)]
pub struct UnicodeCleaner {
    config: UnicodeCleanerConfig,
}

impl UnicodeCleaner {
    /// A cleaner with the given options.
    pub fn new(config: UnicodeCleanerConfig) -> Self {
        UnicodeCleaner { config }
    }

    /// Cleans one text with this cleaner's options.
    pub fn clean(&self, text: &str) -> String {
        normalize_unicode(text, &self.config)
    }
}

impl DocumentStage for UnicodeCleaner {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        if is_stable(&doc.text, &self.config) {
            return Ok(());
        }
        let clean = self.clean(&doc.text);
        if clean != doc.text {
            doc.set_text(clean)?;
        }
        Ok(())
    }
}

/// Cleans `text`: line endings become `\n` (`\r\n`, `\r`, U+0085, U+2028;
/// U+2029 becomes a blank line), mojibake is repaired (if enabled),
/// invisible characters are removed, exotic spaces become ` `, the text is
/// normalized to the configured form and, if enabled, typographic
/// punctuation is folded to ASCII.
///
/// Removed: C0/C1 control characters other than `\n` and `\t` (form feed and
/// vertical tab become `\n`), the byte-order mark, zero-width space, word
/// joiner and other invisible operators, soft hyphens, bidirectional
/// marks and embeddings. The zero-width joiner and non-joiner are kept
/// between two non-ASCII characters (emoji sequences, Persian and Indic
/// scripts need them) and removed elsewhere.
///
/// The result is stable: cleaning it again changes nothing.
///
/// ```
/// use copydesk_clean::{UnicodeCleanerConfig, normalize_unicode};
/// let config = UnicodeCleanerConfig::default();
/// let clean = normalize_unicode("\u{FEFF}Caf\u{65}\u{301}\u{a0}open\r\nItâ€™s\u{200B} here", &config);
/// assert_eq!(clean, "Café open\nIt’s here");
/// ```
pub fn normalize_unicode(text: &str, config: &UnicodeCleanerConfig) -> String {
    // One round can expose work for the next (a zero-width space removed
    // from inside a mojibake sequence, a joiner next to a character that
    // normalization turns into ASCII), so rounds repeat until nothing
    // changes; in practice the second round only confirms the first, and
    // a text that holds nothing any step would change (most text) is not
    // rebuilt at all.
    if is_stable(text, config) {
        return text.to_string();
    }
    let mut current = clean_round(text, config);
    for _ in 1..MAX_ROUNDS {
        if is_stable(&current, config) {
            break;
        }
        let next = clean_round(&current, config);
        if next == current {
            break;
        }
        current = next;
    }
    current
}

/// The most rounds [`normalize_unicode`] runs.
const MAX_ROUNDS: usize = 4;

/// Whether no step of [`clean_round`] would change `text`: every character
/// is left alone by every step (no line ending but `\n`, no control,
/// invisible or joiner character, no exotic space, no character that can
/// start a mojibake sequence, nothing to fold when `ascii_punctuation` is
/// set) and the text is already in the configured normalization form by
/// the quick check. A cheap scan, so clean text is not rebuilt.
fn is_stable(text: &str, config: &UnicodeCleanerConfig) -> bool {
    let bytes = text.as_bytes();
    // ASCII text (nearly all newswire) needs no normalization check: find
    // the first byte that is not plain printable ASCII, a line break or a
    // tab; the text is stable if there is none.
    let Some(first_odd) = first_not_plain_ascii(bytes, config.ascii_punctuation) else {
        return true;
    };
    if bytes[first_odd].is_ascii() {
        return false;
    }
    // Every byte before `first_odd` is ASCII, so it is a char boundary.
    let rest = &text[first_odd..];
    let ascii_ok = |b: u8| {
        ((b' '..=b'~').contains(&b) && !(config.ascii_punctuation && b == b'`'))
            || b == b'\n'
            || b == b'\t'
    };
    let chars_ok = rest.chars().all(|c| {
        if c.is_ascii() {
            return ascii_ok(c as u8);
        }
        !(c.is_control()
            || c.is_whitespace()
            || is_always_invisible(c)
            || matches!(c, '\u{200C}' | '\u{200D}')
            || (config.fix_mojibake && is_mojibake_lead(c))
            || (config.ascii_punctuation && is_folded_punctuation(c)))
    });
    chars_ok
        && match config.form {
            NormalizationForm::Nfc => is_nfc_quick(rest.chars()) == IsNormalized::Yes,
            NormalizationForm::Nfkc => is_nfkc_quick(rest.chars()) == IsNormalized::Yes,
        }
}

/// The first byte of `bytes` that is not printable ASCII (`' '` to `'~'`,
/// without '`' when `no_backtick`), `\n` or `\t`, if any. Whole 64-byte
/// chunks are checked without branching (so the check vectorizes); only a
/// chunk holding such a byte is searched byte by byte.
fn first_not_plain_ascii(bytes: &[u8], no_backtick: bool) -> Option<usize> {
    let ok = |b: u8| {
        (b.wrapping_sub(b' ') < b'~' - b' ' + 1 && !(no_backtick && b == b'`'))
            || b == b'\n'
            || b == b'\t'
    };
    const CHUNK: usize = 64;
    let mut start = 0;
    for chunk in bytes.chunks(CHUNK) {
        if !chunk.iter().fold(true, |all, &b| all & ok(b)) {
            return chunk.iter().position(|&b| !ok(b)).map(|k| start + k);
        }
        start += chunk.len();
    }
    None
}

/// Whether [`copydesk_core::text::fold_for_matching`] may change `c` (a
/// non-ASCII character; whitespace is checked apart).
fn is_folded_punctuation(c: char) -> bool {
    copydesk_core::text::fold_for_matching(c.encode_utf8(&mut [0; 4]))
        .chars()
        .ne([c])
}

/// One pass of every step, in order.
fn clean_round(text: &str, config: &UnicodeCleanerConfig) -> String {
    let lines = normalize_line_endings(text);
    let repaired = if config.fix_mojibake {
        repair_mojibake(&lines)
    } else {
        lines
    };
    let visible = remove_invisible(&repaired);
    let normalized: String = match config.form {
        NormalizationForm::Nfc => visible.nfc().collect(),
        NormalizationForm::Nfkc => visible.nfkc().collect(),
    };
    if config.ascii_punctuation {
        copydesk_core::text::fold_for_matching(&normalized)
    } else {
        normalized
    }
}

/// Rewrites every line ending to `\n`.
fn normalize_line_endings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\u{0085}' | '\u{2028}' | '\u{000B}' | '\u{000C}' => out.push('\n'),
            '\u{2029}' => out.push_str("\n\n"),
            c => out.push(c),
        }
    }
    out
}

/// Whether `c` is an invisible formatting character that is always removed.
fn is_always_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{206A}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// Whether `c` is a space other than the ASCII space that becomes one.
fn is_exotic_space(c: char) -> bool {
    c != ' ' && c != '\n' && c != '\t' && c.is_whitespace() && !c.is_control()
}

/// Removes invisible and control characters and plain-spaces exotic spaces.
fn remove_invisible(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' || c == '\t' {
            out.push(c);
        } else if c.is_control() || is_always_invisible(c) {
            continue;
        } else if c == '\u{200C}' || c == '\u{200D}' {
            if joiner_is_meaningful(&chars, i) {
                out.push(c);
            }
        } else if is_exotic_space(c) {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// How far [`joiner_is_meaningful`] looks for a neighbour, in characters.
const JOINER_LOOKAROUND: usize = 8;

/// A zero-width (non-)joiner at `i` is kept between two non-ASCII,
/// visible characters (looking past other joiners and variation selectors).
fn joiner_is_meaningful(chars: &[char], i: usize) -> bool {
    // Other joiners, variation selectors and characters this cleaner
    // removes are looked past; a line break or space is a neighbour.
    let visible = |c: &&char| {
        let skipped = matches!(**c, '\u{200C}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}')
            || is_always_invisible(**c)
            || (c.is_control() && !c.is_whitespace());
        !skipped
    };
    // The look is bounded so a long run of joiners stays linear.
    let before = chars[..i]
        .iter()
        .rev()
        .take(JOINER_LOOKAROUND)
        .find(visible);
    let after = chars[i + 1..].iter().take(JOINER_LOOKAROUND).find(visible);
    let meaningful = |c: Option<&char>| c.is_some_and(|c| !c.is_ascii() && !c.is_whitespace());
    meaningful(before) && meaningful(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(s: &str) -> String {
        normalize_unicode(s, &UnicodeCleanerConfig::default())
    }

    #[test]
    fn normalizes_line_endings() {
        assert_eq!(clean("a\r\nb\rc\u{2028}d\u{2029}e"), "a\nb\nc\nd\n\ne");
    }

    #[test]
    fn removes_invisible_and_control_characters() {
        assert_eq!(
            clean("\u{FEFF}a\u{200B}b\u{0007}c\u{00AD}d\u{200E}e\tf\u{2060}g"),
            "abcde\tfg"
        );
    }

    #[test]
    fn keeps_joiners_inside_scripts_and_emoji() {
        let family = "👩\u{200D}👩\u{200D}👧";
        assert_eq!(clean(family), family);
        let persian = "می\u{200C}خواهم";
        assert_eq!(clean(persian), persian);
        assert_eq!(clean("ab\u{200D}cd"), "abcd");
    }

    #[test]
    fn exotic_spaces_become_plain_spaces() {
        assert_eq!(
            clean("10\u{00A0}km\u{2009}and\u{3000}x\u{202F}y"),
            "10 km and x y"
        );
    }

    #[test]
    fn nfc_composes_and_nfkc_folds_compatibility_forms() {
        assert_eq!(clean("e\u{301}"), "é");
        assert_eq!(clean("ﬁne"), "ﬁne");
        let nfkc = UnicodeCleanerConfig {
            form: NormalizationForm::Nfkc,
            ..UnicodeCleanerConfig::default()
        };
        assert_eq!(normalize_unicode("ﬁne ２", &nfkc), "fine 2");
    }

    #[test]
    fn typographic_punctuation_is_kept_unless_asked() {
        assert_eq!(clean("“It’s” – ok…"), "“It’s” – ok…");
        let ascii = UnicodeCleanerConfig {
            ascii_punctuation: true,
            ..UnicodeCleanerConfig::default()
        };
        assert_eq!(
            normalize_unicode("“It’s” – ok…", &ascii),
            "\"It's\" - ok..."
        );
    }

    #[test]
    fn mojibake_repair_can_be_turned_off() {
        assert_eq!(clean("Itâ€™s"), "It’s");
        let off = UnicodeCleanerConfig {
            fix_mojibake: false,
            ..UnicodeCleanerConfig::default()
        };
        assert_eq!(normalize_unicode("Itâ€™s", &off), "Itâ€™s");
    }

    fn configs() -> Vec<UnicodeCleanerConfig> {
        let mut all = Vec::new();
        for form in [NormalizationForm::Nfc, NormalizationForm::Nfkc] {
            for fix_mojibake in [false, true] {
                for ascii_punctuation in [false, true] {
                    all.push(UnicodeCleanerConfig {
                        form,
                        fix_mojibake,
                        ascii_punctuation,
                    });
                }
            }
        }
        all
    }

    #[test]
    fn stable_text_is_recognized_and_unstable_text_is_not() {
        let c = UnicodeCleanerConfig::default();
        assert!(is_stable("Plain wire text,\n\tindented.", &c));
        assert!(is_stable("“Café” – Zürich ’s", &c));
        for s in [
            "a\r\nb",
            "a\u{a0}b",
            "e\u{301}",
            "Itâ€™s",
            "a\u{200B}b",
            "a\u{7}b",
        ] {
            assert!(!is_stable(s, &c), "{s:?}");
        }
        let ascii = UnicodeCleanerConfig {
            ascii_punctuation: true,
            ..c.clone()
        };
        assert!(!is_stable("“Café”", &ascii));
        assert!(!is_stable("`x`", &ascii));
        assert!(is_stable("Café", &ascii));
    }

    /// `is_stable` as it was before its chunked ASCII scan.
    fn reference_is_stable(text: &str, config: &UnicodeCleanerConfig) -> bool {
        let ascii_ok = |b: u8| {
            ((b' '..=b'~').contains(&b) && !(config.ascii_punctuation && b == b'`'))
                || b == b'\n'
                || b == b'\t'
        };
        let bytes = text.as_bytes();
        let Some(first_non_ascii) = bytes.iter().position(|&b| !b.is_ascii()) else {
            return bytes.iter().all(|&b| ascii_ok(b));
        };
        if !bytes[..first_non_ascii].iter().all(|&b| ascii_ok(b)) {
            return false;
        }
        let rest = &text[first_non_ascii..];
        let chars_ok = rest.chars().all(|c| {
            if c.is_ascii() {
                return ascii_ok(c as u8);
            }
            !(c.is_control()
                || c.is_whitespace()
                || is_always_invisible(c)
                || matches!(c, '\u{200C}' | '\u{200D}')
                || (config.fix_mojibake && is_mojibake_lead(c))
                || (config.ascii_punctuation && is_folded_punctuation(c)))
        });
        chars_ok
            && match config.form {
                NormalizationForm::Nfc => is_nfc_quick(rest.chars()) == IsNormalized::Yes,
                NormalizationForm::Nfkc => is_nfkc_quick(rest.chars()) == IsNormalized::Yes,
            }
    }

    proptest::proptest! {
        // The fast path must agree with the full cleaning: a text taken
        // for stable is one that a cleaning round leaves alone.
        #[test]
        fn stable_text_is_left_alone(
            s in "(\\PC|[\r\n\t\u{0}-\u{1F}\u{7F}-\u{9F}\u{A0}\u{AD}\u{C2}\u{C3}\u{E2}\u{2000}-\u{206F}\u{300}-\u{36F}\u{FE00}-\u{FE0F}\u{FEFF}`´«»…]){0,40}"
        ) {
            for config in configs() {
                if is_stable(&s, &config) {
                    proptest::prop_assert_eq!(clean_round(&s, &config), s.clone());
                    proptest::prop_assert_eq!(normalize_unicode(&s, &config), s.clone());
                }
            }
        }

        #[test]
        fn chunked_stability_check_agrees_with_the_reference(
            s in "([ -~\n\t]{0,70}|[\u{0}-\u{1F}\u{7F}-\u{9F}\u{A0}\u{AD}\u{C2}\u{E2}`é\u{301}\u{200B}’]){0,6}"
        ) {
            for config in configs() {
                proptest::prop_assert_eq!(is_stable(&s, &config), reference_is_stable(&s, &config));
            }
        }

        #[test]
        fn cleaned_text_is_stable_or_confirmed(s in "\\PC{0,40}") {
            for config in configs() {
                let once = normalize_unicode(&s, &config);
                proptest::prop_assert_eq!(normalize_unicode(&once, &config), once.clone());
            }
        }
    }

    #[test]
    fn mojibake_nbsp_becomes_a_space() {
        assert_eq!(clean("100\u{00C2}\u{00A0}km"), "100 km");
    }
}
