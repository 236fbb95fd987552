//! Words of a document with what the tagger needs to know about each:
//! lowercase form, capitalization, whether it is protected (quoted speech,
//! numbers, acronyms), and whether it is adjacent to the next word (no
//! punctuation in between, so a bigram can be read across).

use copydesk_core::text::word_spans;

/// The capitalization of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// All lowercase.
    Lower,
    /// First letter uppercase, others lowercase.
    Capitalized,
    /// Anything else (all caps, mixed case).
    Other,
}

/// One word of the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// Lowercase form with typographic apostrophes folded ([`fold_word`]
    /// of the word), held without allocating when short (see [`Lower`]).
    pub lower: Lower,
    /// Capitalization.
    pub shape: Shape,
    /// Whether the word starts a sentence (so its capital says nothing).
    pub sentence_initial: bool,
    /// Whether only spaces (or one line break) separate it from the next word.
    pub linked_next: bool,
    /// Whether the word must not be rewritten (quoted, a number, an acronym).
    pub protected: bool,
}

/// Bytes of a [`Lower`] held inside the token (no allocation).
const INLINE_LOWER: usize = 22;

/// A word's lowercase form ([`fold_word`]): read it as a `&str` (through
/// `Deref`, [`Lower::as_str`], `Display`). Forms of up to 22 bytes, nearly
/// every word, are held inline, so a token costs no allocation.
#[derive(Clone)]
pub struct Lower(LowerRepr);

#[derive(Clone)]
enum LowerRepr {
    /// The first `len` bytes of `bytes`, always copied whole from a `str`
    /// or ASCII (so valid UTF-8).
    Inline {
        len: u8,
        bytes: [u8; INLINE_LOWER],
    },
    Heap(Box<str>),
}

impl Lower {
    /// [`fold_word`] of `w`, without allocating for a short ASCII word.
    pub fn fold(w: &str) -> Lower {
        let src = w.as_bytes();
        if src.len() <= INLINE_LOWER && w.is_ascii() {
            let mut bytes = [0u8; INLINE_LOWER];
            for (d, &b) in bytes.iter_mut().zip(src) {
                *d = if b == b'`' {
                    b'\''
                } else {
                    b.to_ascii_lowercase()
                };
            }
            // ASCII in, ASCII out: valid UTF-8.
            return Lower(LowerRepr::Inline {
                len: src.len() as u8,
                bytes,
            });
        }
        Lower::from(fold_word(w))
    }

    /// The form as a string slice.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            LowerRepr::Inline { len, bytes } => {
                let b = &bytes[..usize::from(*len)];
                // SAFETY: an inline form is only ever built from the bytes
                // of a whole `str` or from ASCII bytes (see `Lower::fold`
                // and `From<&str>`), so its first `len` bytes are UTF-8.
                unsafe { std::str::from_utf8_unchecked(b) }
            }
            LowerRepr::Heap(s) => s,
        }
    }
}

impl From<&str> for Lower {
    /// Holds `s` as it is (no folding).
    fn from(s: &str) -> Lower {
        if s.len() <= INLINE_LOWER {
            let mut bytes = [0u8; INLINE_LOWER];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            Lower(LowerRepr::Inline {
                len: s.len() as u8,
                bytes,
            })
        } else {
            Lower(LowerRepr::Heap(s.into()))
        }
    }
}

impl From<String> for Lower {
    /// Holds `s` as it is (no folding).
    fn from(s: String) -> Lower {
        if s.len() <= INLINE_LOWER {
            Lower::from(s.as_str())
        } else {
            Lower(LowerRepr::Heap(s.into_boxed_str()))
        }
    }
}

impl std::ops::Deref for Lower {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Lower {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Lower {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Lower {
    fn eq(&self, other: &Lower) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Lower {}

impl std::hash::Hash for Lower {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialEq<str> for Lower {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Lower {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Lower {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Debug for Lower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Lower {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.as_str(), f)
    }
}

/// Lowercases a word and folds typographic apostrophes to `'`.
pub fn fold_word(w: &str) -> String {
    if w.is_ascii() {
        // The common case, in one allocation and no UTF-8 check: an ASCII
        // character lowercases to its ASCII lowercase alone.
        let lower = w.to_ascii_lowercase();
        return if lower.contains('`') {
            lower.replace('`', "'")
        } else {
            lower
        };
    }
    fold_chars(w)
}

/// [`fold_word`] character by character (any text).
fn fold_chars(w: &str) -> String {
    w.chars()
        .map(|c| match c {
            '\u{2019}' | '\u{2018}' | '`' => '\'',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn shape_of(w: &str) -> Shape {
    let mut chars = w.chars();
    let Some(first) = chars.next() else {
        return Shape::Other;
    };
    let rest_lower = chars.all(|c| !c.is_uppercase());
    if first.is_lowercase() && rest_lower {
        Shape::Lower
    } else if first.is_uppercase() && rest_lower {
        Shape::Capitalized
    } else {
        Shape::Other
    }
}

/// Shape, whether it holds a digit, whether it holds `.` or `,`, and
/// whether it is an acronym (shape [`Shape::Other`] with two capitals or
/// more) of an ASCII word, in one pass over its bytes: what `tokenize`
/// reads of any word through `char` tests. (The reference of
/// [`ascii_word`], which also folds the word in the same pass.)
#[cfg(test)]
fn ascii_word_facts(word: &[u8]) -> (Shape, bool, bool, bool) {
    let (mut digit, mut odd, mut uppers, mut rest_upper) = (false, false, 0usize, false);
    for (k, &b) in word.iter().enumerate() {
        if b.is_ascii_uppercase() {
            uppers += 1;
            rest_upper |= k > 0;
        }
        digit |= b.is_ascii_digit();
        odd |= b == b'.' || b == b',';
    }
    let shape = match word.first() {
        Some(b) if b.is_ascii_lowercase() && !rest_upper => Shape::Lower,
        Some(b) if b.is_ascii_uppercase() && !rest_upper => Shape::Capitalized,
        _ => Shape::Other,
    };
    (shape, digit, odd, shape == Shape::Other && uppers >= 2)
}

/// [`ASCII_CLASS`] bits.
const UPPER: u8 = 1;
const DIGIT: u8 = 2;
const ODD: u8 = 4;
const LOWERCASE: u8 = 8;
const NON_ASCII: u8 = 16;

/// What [`ascii_word`] needs to know of each byte.
const ASCII_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_digit() {
            DIGIT
        } else if c == b'.' || c == b',' {
            ODD
        } else if c.is_ascii_lowercase() {
            LOWERCASE
        } else if !c.is_ascii() {
            NON_ASCII
        } else {
            0
        };
        b += 1;
    }
    t
};

/// Each ASCII byte as [`fold_word`] folds it (lowercase, `` ` `` to `'`);
/// other bytes unchanged.
const ASCII_FOLD: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c == b'`' {
            b'\''
        } else {
            c.to_ascii_lowercase()
        };
        b += 1;
    }
    t
};

/// The facts `tokenize` reads of an ASCII word (shape, whether it holds a
/// digit, whether it holds `.` or `,`, whether it is an acronym: shape
/// [`Shape::Other`] with two capitals or more) and its [`Lower`] form, in
/// one pass over its bytes; `None` for a word with a non-ASCII byte.
#[inline]
fn ascii_word(word: &[u8]) -> Option<((Shape, bool, bool, bool), Lower)> {
    let mut flags = 0u8;
    let mut uppers = 0usize;
    let mut folded = [0u8; INLINE_LOWER];
    for (k, &b) in word.iter().enumerate() {
        let c = ASCII_CLASS[usize::from(b)];
        flags |= c;
        uppers += usize::from(c & UPPER);
        if let Some(d) = folded.get_mut(k) {
            *d = ASCII_FOLD[usize::from(b)];
        }
    }
    if flags & NON_ASCII != 0 {
        return None;
    }
    let first = word.first().map_or(0, |&b| ASCII_CLASS[usize::from(b)]);
    let rest_upper = uppers > usize::from(first & UPPER);
    let shape = if first & LOWERCASE != 0 && !rest_upper {
        Shape::Lower
    } else if first & UPPER != 0 && !rest_upper {
        Shape::Capitalized
    } else {
        Shape::Other
    };
    let facts = (
        shape,
        flags & DIGIT != 0,
        flags & ODD != 0,
        shape == Shape::Other && uppers >= 2,
    );
    let lower = if word.len() <= INLINE_LOWER {
        // Every byte of `word` is ASCII, so is every folded byte.
        Lower(LowerRepr::Inline {
            len: word.len() as u8,
            bytes: folded,
        })
    } else {
        let mut long = word.to_vec();
        for b in &mut long {
            *b = ASCII_FOLD[usize::from(*b)];
        }
        Lower::from(String::from_utf8(long).ok()?)
    };
    Some((facts, lower))
}

/// Byte ranges of quoted passages found from quotation marks: curly double
/// quotes paired, straight double quotes toggled, curly or straight single
/// quotes when they open before a word and close after one. An unclosed quote
/// runs to the end of its paragraph.
pub fn detect_quotes(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, char)> = None;
    let bytes = text.as_bytes();
    // Only line breaks and quotation marks can open or close a passage:
    // visit the bytes that may start one ('\n', '"', '\'', and the lead
    // bytes of « » (C2) and of the curly quotes (E2)), nothing else.
    for (i, &b) in bytes.iter().enumerate() {
        if !matches!(b, b'\n' | b'"' | b'\'' | 0xC2 | 0xE2) {
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            continue;
        };
        if !matches!(
            c,
            '\n' | '"'
                | '\''
                | '\u{00AB}'
                | '\u{00BB}'
                | '\u{201C}'
                | '\u{201D}'
                | '\u{2018}'
                | '\u{2019}'
        ) {
            continue;
        }
        let next = text[i + c.len_utf8()..].chars().next();
        if c == '\n' {
            if next == Some('\n')
                && let Some((s, _)) = open.take()
            {
                out.push((s, i));
            }
            continue;
        }
        let prev = text[..i].chars().next_back();
        let prev_word = prev.is_some_and(char::is_alphanumeric);
        let next_word = next.is_some_and(char::is_alphanumeric);
        match (open, c) {
            (None, '\u{201C}' | '"' | '\u{00AB}') => open = Some((i, c)),
            (None, '\u{2018}') => open = Some((i, c)),
            (None, '\'') if !prev_word && next_word => open = Some((i, c)),
            (Some((s, o)), _)
                if matches!(
                    (o, c),
                    ('\u{201C}', '\u{201D}') | ('"', '"') | ('\u{00AB}', '\u{00BB}')
                ) || (matches!((o, c), ('\u{2018}', '\u{2019}') | ('\'', '\''))
                    && !(prev_word && next_word)) =>
            {
                out.push((s, i + c.len_utf8()));
                open = None;
            }
            _ => {}
        }
    }
    if let Some((s, _)) = open {
        let end = text[s..].find("\n\n").map_or(text.len(), |e| s + e);
        out.push((s, end));
    }
    out
}

/// Splits `text` into tokens; `quotes` are protected byte ranges.
pub fn tokenize(text: &str, quotes: &[(usize, usize)]) -> Vec<Token> {
    let spans = word_spans(text);
    let bytes = text.as_bytes();
    let mut tokens: Vec<Token> = Vec::with_capacity(spans.len());
    // The quotes by start, each with the largest end among it and those
    // before it: a word overlaps a quote exactly when, of the quotes
    // starting before the word ends, one ends after it starts. Words
    // come in order, so the quotes starting before a word's end are a
    // growing prefix.
    let mut reach: Vec<(usize, usize)> = quotes.to_vec();
    reach.sort_unstable();
    let mut furthest = 0;
    for q in &mut reach {
        furthest = furthest.max(q.1);
        q.1 = furthest;
    }
    let mut started = 0;
    let mut prev_end = 0;
    for (k, &(start, end)) in spans.iter().enumerate() {
        // One space, the usual gap, links the words and starts nothing
        // (read from the bytes, without slicing the text).
        let single_space = start == prev_end + 1 && bytes.get(prev_end) == Some(&b' ');
        let (sentence_initial, linked) = if single_space {
            (k == 0, true)
        } else {
            let gap = &text[prev_end..start];
            (
                k == 0
                    || gap.contains(['.', '!', '?', ':', ';', '\u{2013}', '\u{2014}'])
                    || gap.contains("\n\n")
                    || gap.contains(['"', '\u{201C}', '\u{2018}', '(', '\u{2022}'])
                    || gap.trim_start_matches([' ', '\t']).starts_with("\n "),
                !gap.is_empty()
                    && gap.chars().all(|c| c == ' ' || c == '\n' || c == '\t')
                    && gap.matches('\n').count() <= 1,
            )
        };
        if let Some(last) = tokens.last_mut() {
            last.linked_next = linked;
        }
        while reach.get(started).is_some_and(|q| q.0 < end) {
            started += 1;
        }
        let in_quote = started
            .checked_sub(1)
            .and_then(|q| reach.get(q))
            .is_some_and(|q| q.1 > start);
        let ((shape, has_digit, odd, acronym), lower) =
            ascii_word(bytes.get(start..end).unwrap_or_default()).unwrap_or_else(|| {
                let word = &text[start..end];
                let shape = shape_of(word);
                (
                    (
                        shape,
                        word.chars().any(|c| c.is_numeric()),
                        word.contains('.') || word.contains(','),
                        shape == Shape::Other
                            && word.chars().filter(|c| c.is_uppercase()).count() >= 2,
                    ),
                    Lower::fold(word),
                )
            });
        tokens.push(Token {
            start,
            end,
            lower,
            shape,
            sentence_initial,
            linked_next: false,
            protected: in_quote || has_digit || odd || acronym,
        });
        prev_end = end;
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `detect_quotes` as it was before it visited only the candidate
    /// bytes: every character with its neighbours.
    fn detect_quotes_reference(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut open: Option<(usize, char)> = None;
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        for (k, &(i, c)) in chars.iter().enumerate() {
            let prev = k.checked_sub(1).and_then(|j| chars.get(j)).map(|p| p.1);
            let next = chars.get(k + 1).map(|p| p.1);
            if c == '\n' && next == Some('\n') {
                if let Some((s, _)) = open.take() {
                    out.push((s, i));
                }
                continue;
            }
            let prev_word = prev.is_some_and(char::is_alphanumeric);
            let next_word = next.is_some_and(char::is_alphanumeric);
            match (open, c) {
                (None, '\u{201C}' | '"' | '\u{00AB}') => open = Some((i, c)),
                (None, '\u{2018}') => open = Some((i, c)),
                (None, '\'') if !prev_word && next_word => open = Some((i, c)),
                (Some((s, o)), _)
                    if matches!(
                        (o, c),
                        ('\u{201C}', '\u{201D}') | ('"', '"') | ('\u{00AB}', '\u{00BB}')
                    ) || (matches!((o, c), ('\u{2018}', '\u{2019}') | ('\'', '\''))
                        && !(prev_word && next_word)) =>
                {
                    out.push((s, i + c.len_utf8()));
                    open = None;
                }
                _ => {}
            }
        }
        if let Some((s, _)) = open {
            let end = text[s..].find("\n\n").map_or(text.len(), |e| s + e);
            out.push((s, end));
        }
        out
    }

    /// The gap rules of `tokenize` without the one-space shortcut.
    fn tokenize_reference(text: &str, quotes: &[(usize, usize)]) -> Vec<Token> {
        let spans = word_spans(text);
        let mut tokens: Vec<Token> = Vec::new();
        let mut prev_end = 0;
        for (k, &(start, end)) in spans.iter().enumerate() {
            let word = &text[start..end];
            let gap = &text[prev_end..start];
            let sentence_initial = k == 0
                || gap.contains(['.', '!', '?', ':', ';', '\u{2013}', '\u{2014}'])
                || gap.contains("\n\n")
                || gap.contains(['"', '\u{201C}', '\u{2018}', '(', '\u{2022}'])
                || gap.trim_start_matches([' ', '\t']).starts_with("\n ");
            if let Some(last) = tokens.last_mut() {
                last.linked_next = !gap.is_empty()
                    && gap.chars().all(|c| c == ' ' || c == '\n' || c == '\t')
                    && gap.matches('\n').count() <= 1;
            }
            let in_quote = quotes.iter().any(|&(qs, qe)| start < qe && end > qs);
            let has_digit = word.chars().any(|c| c.is_numeric());
            let odd = word.contains('.') || word.contains(',');
            let shape = shape_of(word);
            let acronym =
                shape == Shape::Other && word.chars().filter(|c| c.is_uppercase()).count() >= 2;
            tokens.push(Token {
                start,
                end,
                lower: Lower::from(fold_word(word)),
                shape,
                sentence_initial,
                linked_next: false,
                protected: in_quote || has_digit || odd || acronym,
            });
            prev_end = end;
        }
        tokens
    }

    /// Text made of the pieces quotes and gaps turn on.
    fn quote_heavy_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("word".to_string()),
                Just("It's".to_string()),
                Just(" ".to_string()),
                Just("  ".to_string()),
                Just("\n".to_string()),
                Just("\n\n".to_string()),
                Just("\"".to_string()),
                Just("'".to_string()),
                Just("\u{201C}".to_string()),
                Just("\u{201D}".to_string()),
                Just("\u{2018}".to_string()),
                Just("\u{2019}".to_string()),
                Just("\u{00AB}".to_string()),
                Just("\u{00BB}".to_string()),
                Just("\u{00E9}t\u{00E9}".to_string()),
                Just("\u{2014}".to_string()),
                Just(". ".to_string()),
                Just("(".to_string()),
                Just("42".to_string()),
                "\\PC{0,3}",
            ],
            0..40,
        )
        .prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #[test]
        fn quotes_are_found_as_before(text in quote_heavy_text()) {
            prop_assert_eq!(detect_quotes(&text), detect_quotes_reference(&text));
        }

        #[test]
        fn quotes_in_any_text_are_found_as_before(text in "\\PC{0,60}") {
            prop_assert_eq!(detect_quotes(&text), detect_quotes_reference(&text));
        }

        #[test]
        fn tokens_are_read_as_before(text in quote_heavy_text()) {
            let quotes = detect_quotes(&text);
            prop_assert_eq!(tokenize(&text, &quotes), tokenize_reference(&text, &quotes));
        }

        #[test]
        fn any_protected_ranges_protect_as_before(
            text in quote_heavy_text(),
            quotes in proptest::collection::vec((0usize..120, 0usize..120), 0..6),
        ) {
            prop_assert_eq!(tokenize(&text, &quotes), tokenize_reference(&text, &quotes));
        }
        #[test]
        fn mixed_case_and_digit_words_are_read_as_before(
            text in "[a-zA-Z0-9 .,'`\n\u{c9}\u{e9}\u{130}-]{0,80}"
        ) {
            prop_assert_eq!(tokenize(&text, &[]), tokenize_reference(&text, &[]));
        }

        #[test]
        fn any_text_is_read_as_before(text in "\\PC{0,80}") {
            prop_assert_eq!(tokenize(&text, &[]), tokenize_reference(&text, &[]));
        }

        #[test]
        fn folding_ascii_bytewise_matches_folding_chars(w in "[ -~]{0,24}") {
            prop_assert_eq!(fold_word(&w), fold_chars(&w));
        }

        #[test]
        fn folding_any_text_matches_folding_chars(w in "\\PC{0,24}") {
            prop_assert_eq!(fold_word(&w), fold_chars(&w));
        }

        #[test]
        fn ascii_words_are_read_and_folded_as_before(w in "[ -~]{0,30}|[a-zA-Z0-9.,'`-]{0,30}|\\PC{0,8}") {
            match ascii_word(w.as_bytes()) {
                Some((facts, lower)) => {
                    prop_assert!(w.is_ascii());
                    prop_assert_eq!(facts, ascii_word_facts(w.as_bytes()));
                    let want = fold_word(&w);
                    prop_assert_eq!(lower.as_str(), want.as_str());
                }
                None => prop_assert!(!w.is_ascii()),
            }
        }

        #[test]
        fn inline_folding_matches_fold_word(w in "[ -~]{0,30}|\\PC{0,30}") {
            let lower = Lower::fold(&w);
            let want = fold_word(&w);
            prop_assert_eq!(lower.as_str(), want.as_str());
            prop_assert_eq!(&lower, &Lower::from(want.clone()));
            prop_assert_eq!(&lower, &Lower::from(want.as_str()));
            prop_assert_eq!(format!("{lower:?}"), format!("{want:?}"));
        }
    }

    #[test]
    fn folding_lowercases_and_straightens_apostrophes() {
        assert_eq!(fold_word("China`S"), "china's");
        assert_eq!(fold_word("CHINA\u{2019}S"), "china's");
        assert_eq!(fold_word("\u{130}stanbul"), fold_chars("\u{130}stanbul"));
    }

    #[test]
    fn quotes_are_found_and_apostrophes_ignored() {
        let t = "He said \u{201C}no way\u{201D} and China\u{2019}s \u{2018}BREACH\u{2019} then \"yes\" it's";
        let q = detect_quotes(t);
        let quoted: Vec<&str> = q.iter().map(|&(s, e)| &t[s..e]).collect();
        assert_eq!(
            quoted,
            [
                "\u{201C}no way\u{201D}",
                "\u{2018}BREACH\u{2019}",
                "\"yes\""
            ]
        );
    }

    #[test]
    fn tokens_know_links_and_protection() {
        let t = "Sources said, \u{201C}Keep it\u{201D} in 2019.\nThe CPEC plan";
        let q = detect_quotes(t);
        let toks = tokenize(t, &q);
        let words: Vec<(&str, bool, bool, bool)> = toks
            .iter()
            .map(|k| {
                (
                    &t[k.start..k.end],
                    k.linked_next,
                    k.protected,
                    k.sentence_initial,
                )
            })
            .collect();
        assert_eq!(words[0], ("Sources", true, false, true));
        assert_eq!(words[1], ("said", false, false, false));
        assert!(words[2].2);
        assert_eq!(words[5], ("2019", false, true, false));
        assert_eq!(words[6], ("The", true, false, true));
        assert!(words[7].2);
    }
}
