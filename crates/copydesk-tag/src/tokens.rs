//! `tag.tokens.v1`: a lean tokenizer (words, numbers, punctuation, symbols).

use crate::layer::add_layer;
use crate::scan::is_apostrophe;
use copydesk_core::{
    Annotation, BuiltStage, Derived, Document, DocumentStage, OptionDoc, OptionError, StageConfig,
    StageError, StageKind, cap,
};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The layer this stage writes.
pub const LAYER: &str = "tokens";

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Letters (possibly with digits, apostrophes, inner hyphens or dots): `China’s`, `U.S.`, `G7`.
    Word,
    /// Digits with inner `,` `.` `:` between digits: `155,221`, `3.5`, `10:30`.
    Number,
    /// Punctuation: quotes, brackets, dashes, `.,;:!?`; a run of one mark is one token (`...`).
    Punct,
    /// Anything else that is not whitespace: `$`, `%`, `€`, `+`, emoji.
    Symbol,
}

impl TokenKind {
    /// The kind with annotation label `label`, if any.
    pub fn from_label(label: &str) -> Option<TokenKind> {
        Some(match label {
            "word" => TokenKind::Word,
            "number" => TokenKind::Number,
            "punct" => TokenKind::Punct,
            "symbol" => TokenKind::Symbol,
            _ => return None,
        })
    }

    /// The annotation label of this kind.
    pub fn label(self) -> &'static str {
        match self {
            TokenKind::Word => "word",
            TokenKind::Number => "number",
            TokenKind::Punct => "punct",
            TokenKind::Symbol => "symbol",
        }
    }
}

/// One token: a byte span of the text and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// What the token is.
    pub kind: TokenKind,
}

impl Token {
    /// The token's text.
    #[inline(always)]
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation() && !"$%&*+<=>^`|~#@\\".contains(c);
    }
    matches!(c,
        '\u{00A1}' | '\u{00A7}' | '\u{00AB}' | '\u{00B6}' | '\u{00B7}' | '\u{00BB}' | '\u{00BF}'
        | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}' | '\u{3000}'..='\u{303F}'
        | '\u{FF01}'..='\u{FF0F}')
}

/// [`is_punct`] of each ASCII character.
static ASCII_PUNCT: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_punctuation()
            && !matches!(
                c,
                b'$' | b'%'
                    | b'&'
                    | b'*'
                    | b'+'
                    | b'<'
                    | b'='
                    | b'>'
                    | b'^'
                    | b'`'
                    | b'|'
                    | b'~'
                    | b'#'
                    | b'@'
                    | b'\\'
            );
        b += 1;
    }
    table
};

/// Tokenizes `text`. Tokens are in order, non-overlapping, on char
/// boundaries, and cover every non-whitespace character.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(text.len() / 5);
    tokenize_into(text, |t| out.push(t));
    out
}

/// [`tokenize`], handing each token to `sink` in order instead of
/// collecting them (the stage builds its annotations straight from them).
pub fn tokenize_into(text: &str, sink: impl FnMut(Token)) {
    tokenize_into_with::<true>(text, sink);
}

/// [`tokenize_into`]; with `ASCII_WORDS` false, without its shortcuts for
/// a run of ASCII letters and digits that ends at an ASCII byte joining
/// nothing and for ASCII punctuation and symbols (the tests' reference:
/// same tokens).
fn tokenize_into_with<const ASCII_WORDS: bool>(text: &str, mut sink: impl FnMut(Token)) {
    let bytes = text.as_bytes();
    let len = text.len();
    let mut i = 0;
    while i < len {
        let c = match bytes[i] {
            // ASCII blanks and letters first, without decoding.
            b if is_ascii_blank(b) => {
                i += 1;
                continue;
            }
            // Most words: a run of ASCII letters and digits that ends at a
            // blank or at punctuation that joins nothing, or at the end of
            // the text. `word_end` ends them there at once (its early
            // exit), and such a word is a number when it is all digits.
            b if ASCII_WORDS && b.is_ascii_alphanumeric() => {
                let end = i + crate::scan::ascii_alnum_run(bytes, i);
                let ends_here = bytes.get(end).is_none_or(|&n| match n {
                    // After a letter, `,` and `:` join nothing (they join
                    // digits only), nor does `.` after a run of two or
                    // more (it joins digits, or single letters: `U.S.`).
                    // Most words before a comma or a full stop end here.
                    b',' | b':' => bytes[end - 1].is_ascii_alphabetic(),
                    b'.' => end - i > 1 && bytes[end - 1].is_ascii_alphabetic(),
                    b'\'' | b'-' => false,
                    _ => n.is_ascii(),
                });
                if !ends_here {
                    b as char
                } else {
                    let number = b.is_ascii_digit() && bytes[i..end].iter().all(u8::is_ascii_digit);
                    sink(Token {
                        start: i,
                        end,
                        kind: if number {
                            TokenKind::Number
                        } else {
                            TokenKind::Word
                        },
                    });
                    // One blank after a word is skipped at once.
                    i = end + usize::from(bytes.get(end) == Some(&b' '));
                    continue;
                }
            }
            // Other ASCII: punctuation (a run of one mark is one token)
            // or a one-byte symbol, without decoding it.
            b if ASCII_WORDS && b < 0x80 => {
                let mut end = i + 1;
                let kind = if ASCII_PUNCT[usize::from(b)] {
                    while bytes.get(end) == Some(&b) {
                        end += 1;
                    }
                    TokenKind::Punct
                } else {
                    TokenKind::Symbol
                };
                sink(Token {
                    start: i,
                    end,
                    kind,
                });
                i = end;
                continue;
            }
            b if b < 0x80 => b as char,
            _ => match text[i..].chars().next() {
                Some(c) => c,
                None => break,
            },
        };
        if !c.is_ascii() && c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        if is_alphanumeric(c) {
            let end = word_end(text, i);
            // A word starting with a letter is no number: only tokens
            // starting with a digit are read again.
            let kind = if bytes[i].is_ascii_digit()
                && bytes[i..end]
                    .iter()
                    .all(|b| b.is_ascii_digit() || matches!(b, b',' | b'.' | b':'))
            {
                TokenKind::Number
            } else {
                TokenKind::Word
            };
            sink(Token {
                start: i,
                end,
                kind,
            });
            i = end;
            continue;
        }
        let mut end = i + c.len_utf8();
        let kind = if is_punct(c) {
            while text[end..].starts_with(c) {
                end += c.len_utf8();
            }
            TokenKind::Punct
        } else {
            TokenKind::Symbol
        };
        sink(Token {
            start: i,
            end,
            kind,
        });
        i = end;
    }
}

/// `char::is_whitespace` for an ASCII byte: space and `\t` to `\r`.
fn is_ascii_blank(b: u8) -> bool {
    b == b' ' || b.wrapping_sub(b'\t') < 5
}

/// `char::is_alphanumeric`, answering ASCII without the Unicode tables.
fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        c.is_alphanumeric()
    }
}

/// The character at byte `i` (a char boundary), decoding only non-ASCII.
fn next_char(text: &str, i: usize) -> Option<char> {
    match text.as_bytes().get(i) {
        Some(&b) if b < 0x80 => Some(b as char),
        Some(_) => text.get(i..).and_then(|r| r.chars().next()),
        None => None,
    }
}

/// The end of the word or number starting at `start` (an alphanumeric char).
fn word_end(text: &str, start: usize) -> usize {
    word_end_with::<true>(text, start)
}

/// [`word_end`]; with `BLANK_EXIT` false, without its early exit at an
/// ASCII byte that joins nothing (the tests' reference: same ends).
fn word_end_with<const BLANK_EXIT: bool>(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut end = start;
    let mut prev: Option<char> = None;
    // Length in chars of the current dot-separated segment, and whether all
    // segments so far were single letters ("U.S").
    let mut segment_len = 0usize;
    let mut dotted_letters = true;
    let mut saw_dot = false;
    loop {
        // A run of ASCII letters and digits at once (what the per-character
        // branch below does for each of them).
        let run = crate::scan::ascii_alnum_run(bytes, i);
        if run > 0 {
            let last = bytes[i + run - 1];
            if segment_len + run > 1 || bytes[i..i + run].iter().any(u8::is_ascii_digit) {
                dotted_letters = false;
            }
            segment_len += run;
            i += run;
            end = i;
            prev = Some(char::from(last));
        }
        // After a run, an ASCII byte is no letter or digit: the word goes
        // on only through a joining mark (most words end at a blank).
        if BLANK_EXIT
            && run > 0
            && bytes
                .get(i)
                .is_some_and(|&b| b.is_ascii() && !matches!(b, b'\'' | b'-' | b'.' | b',' | b':'))
        {
            break;
        }
        let Some(c) = next_char(text, i) else { break };
        let clen = c.len_utf8();
        if is_alphanumeric(c) {
            i += clen;
            end = i;
            prev = Some(c);
            segment_len += 1;
            if !c.is_alphabetic() || segment_len > 1 {
                dotted_letters = false;
            }
            continue;
        }
        let Some(p) = prev else { break };
        let Some(n) = next_char(text, i + clen).filter(|&n| is_alphanumeric(n)) else {
            break;
        };
        let joins = match c {
            _ if is_apostrophe(c) => p.is_alphanumeric() && n.is_alphabetic(),
            '-' | '\u{2010}' | '\u{2011}' => p.is_alphabetic() && n.is_alphabetic(),
            '.' => {
                (p.is_ascii_digit() && n.is_ascii_digit())
                    || (p.is_alphabetic() && n.is_alphabetic() && segment_len == 1)
            }
            ',' => {
                p.is_ascii_digit() && {
                    let after = &bytes[i + 1..];
                    let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
                    digits == 3 && !next_char(text, i + 4).is_some_and(char::is_alphanumeric)
                }
            }
            ':' => {
                p.is_ascii_digit()
                    && bytes[i + 1..]
                        .iter()
                        .take_while(|b| b.is_ascii_digit())
                        .count()
                        == 2
            }
            _ => false,
        };
        if !joins {
            break;
        }
        if c == '.' {
            saw_dot = true;
        } else {
            dotted_letters = false;
        }
        segment_len = 0;
        prev = Some(c);
        i += clen;
    }
    // "U.S." and "p.m." keep their final period.
    if saw_dot && dotted_letters && segment_len == 1 && bytes.get(end) == Some(&b'.') {
        end += 1;
    }
    end
}

/// The tokenization of a document's clean text, shared by the stages of
/// this crate through [`Document::cache`] (a private type, so no other
/// crate's value is taken for it, nor ours for theirs).
struct TextTokens(Vec<Token>);

/// [`tokenize`] of the document's text, computed by the first stage that
/// asks and shared by the others through [`Document::cache`].
fn cached_tokens<'d>(text: &str, cache: &'d mut Derived) -> &'d [Token] {
    &cache.get_or_insert_with(|| TextTokens(tokenize(text))).0
}

/// The tokens of a document: its `tokens` layer when an earlier stage
/// wrote it whole (every non-blank character in a token, so punctuation
/// was kept), otherwise [`tokenize`] of its text. Stages that work on
/// tokens call this rather than tokenizing again.
///
/// The tokenization is cached in [`Document::cache`], so the stages that
/// call this (and `tag.tokens.v1`) tokenize a document once between them.
/// A whole layer that differs from it (written by another tokenizer) is
/// read as before. Returns the text with the tokens, which borrow the
/// document.
pub fn document_tokens(doc: &mut Document) -> (&str, Cow<'_, [Token]>) {
    let Document {
        text, tags, cache, ..
    } = doc;
    let text = text.as_str();
    let tokens = cached_tokens(text, cache);
    let layer = tags.get(LAYER).map(Vec::as_slice).unwrap_or(&[]);
    if layer.is_empty() || layer_is(layer, tokens) {
        return (text, Cow::Borrowed(tokens));
    }
    match layer_tokens(text, layer) {
        Some(whole) => (text, Cow::Owned(whole)),
        None => (text, Cow::Borrowed(tokens)),
    }
}

/// Whether `layer` is exactly `tokens` (the layer `tag.tokens.v1` writes
/// with punctuation kept): then it reads back as them.
fn layer_is(layer: &[Annotation], tokens: &[Token]) -> bool {
    layer.len() == tokens.len()
        && layer.iter().zip(tokens).all(|(a, t)| {
            a.start == t.start && a.end == t.end && kind_of_label(&a.label) == Some(t.kind)
        })
}

/// The `tokens` layer as tokens, if it is there and covers the text.
fn layer_tokens(text: &str, layer: &[Annotation]) -> Option<Vec<Token>> {
    if layer.is_empty() {
        return None;
    }
    let bytes = text.as_bytes();
    let blank = |from: usize, to: usize| {
        // Most gaps are empty or one space: answered without slicing.
        from == to
            || (to == from + 1 && bytes.get(from).is_some_and(|&b| is_ascii_blank(b)))
            || text
                .get(from..to)
                .is_some_and(|gap| gap.bytes().all(is_ascii_blank) || gap.trim().is_empty())
    };
    let mut tokens = Vec::with_capacity(layer.len());
    let mut last = 0;
    for a in layer {
        let kind = kind_of_label(&a.label)?;
        if a.start < last || a.end <= a.start || !blank(last, a.start) {
            return None;
        }
        tokens.push(Token {
            start: a.start,
            end: a.end,
            kind,
        });
        last = a.end;
    }
    blank(last, text.len()).then_some(tokens)
}

/// [`TokenKind::from_label`] comparing the label's bytes as one integer
/// (a layer has millions of labels; a string `match` calls `memcmp`).
fn kind_of_label(label: &str) -> Option<TokenKind> {
    let b = label.as_bytes();
    match b.len() {
        4 => (b == b"word").then_some(TokenKind::Word),
        5 => (b == b"punct").then_some(TokenKind::Punct),
        6 => {
            let head = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let tail = u16::from_le_bytes([b[4], b[5]]);
            if head == u32::from_le_bytes(*b"numb") && tail == u16::from_le_bytes(*b"er") {
                Some(TokenKind::Number)
            } else if head == u32::from_le_bytes(*b"symb") && tail == u16::from_le_bytes(*b"ol") {
                Some(TokenKind::Symbol)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Options of `tag.tokens.v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokensConfig {
    /// Whether punctuation and symbol tokens are kept in the layer (words
    /// and numbers always are).
    pub keep_punctuation: bool,
}

impl Default for TokensConfig {
    fn default() -> Self {
        TokensConfig {
            keep_punctuation: true,
        }
    }
}

impl StageConfig for TokensConfig {
    const NAME: &'static str = "tag.tokens.v1";
    const KIND: StageKind = StageKind::Document;
    const DESCRIPTION: &'static str =
        "Tokenizes the clean text (layer `tokens`: word, number, punct, symbol; no attrs).";
    const NEEDS: &'static [copydesk_core::Capability] = &[cap::TEXT_RAW];
    const PROVIDES: &'static [copydesk_core::Capability] = &[cap::LAYER_TOKENS];
    const OPTIONS: &'static [OptionDoc] = &[OptionDoc {
        name: "keep_punctuation",
        kind: "boolean",
        doc: "Whether punct and symbol tokens are kept in the layer (default true).",
    }];

    fn build(&self) -> Result<BuiltStage, OptionError> {
        Ok(BuiltStage::Document(Box::new(Tokenizer {
            keep_punctuation: self.keep_punctuation,
        })))
    }
}

/// The runtime of `tag.tokens.v1`.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    keep_punctuation: bool,
}

impl DocumentStage for Tokenizer {
    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        let keep = self.keep_punctuation;
        // The tokens go to the cache too: the stages after this one that
        // read tokens take them from there rather than from the layer.
        let Document { text, cache, .. } = &mut *doc;
        let annotations: Vec<Annotation> = cached_tokens(text, cache)
            .iter()
            .filter(|t| keep || matches!(t.kind, TokenKind::Word | TokenKind::Number))
            .map(|t| Annotation::new(t.start, t.end, t.kind.label()))
            .collect();
        add_layer(doc, LAYER, annotations)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn toks(t: &str) -> Vec<(&str, &'static str)> {
        tokenize(t)
            .iter()
            .map(|k| (k.text(t), k.kind.label()))
            .collect()
    }

    #[test]
    fn news_tokens() {
        assert_eq!(
            toks("China’s $65-billion co-operation, 155,221 bags (3.5%) in the U.S. at 10:30..."),
            [
                ("China’s", "word"),
                ("$", "symbol"),
                ("65", "number"),
                ("-", "punct"),
                ("billion", "word"),
                ("co-operation", "word"),
                (",", "punct"),
                ("155,221", "number"),
                ("bags", "word"),
                ("(", "punct"),
                ("3.5", "number"),
                ("%", "symbol"),
                (")", "punct"),
                ("in", "word"),
                ("the", "word"),
                ("U.S.", "word"),
                ("at", "word"),
                ("10:30", "number"),
                ("...", "punct"),
            ]
        );
    }

    #[test]
    fn quotes_and_sentence_periods_are_split_off() {
        assert_eq!(
            toks("“Yes,” he said. 1,2 G7 1000’s"),
            [
                ("“", "punct"),
                ("Yes", "word"),
                (",", "punct"),
                ("”", "punct"),
                ("he", "word"),
                ("said", "word"),
                (".", "punct"),
                ("1", "number"),
                (",", "punct"),
                ("2", "number"),
                ("G7", "word"),
                ("1000’s", "word"),
            ]
        );
    }

    /// The tokens `document_tokens` gives, owned.
    fn doc_tokens(doc: &mut Document) -> Vec<Token> {
        document_tokens(doc).1.into_owned()
    }

    fn tokens_stage(keep_punctuation: bool) -> Box<dyn DocumentStage> {
        let BuiltStage::Document(stage) = (TokensConfig { keep_punctuation }).build().unwrap()
        else {
            panic!("not a document stage")
        };
        stage
    }

    #[test]
    fn document_tokens_reuse_a_whole_layer_only() {
        let text = "Hi, you. 3.5 pct";
        let mut doc = Document::new("d", Default::default(), text);
        assert_eq!(doc_tokens(&mut doc), tokenize(text));
        let mut lean = doc.clone();
        tokens_stage(true).process(&mut doc).unwrap();
        assert_eq!(
            layer_tokens(&doc.text, doc.layer(LAYER)),
            Some(tokenize(text))
        );
        assert_eq!(doc_tokens(&mut doc), tokenize(text));
        // Without punctuation the layer is not whole: tokenized again.
        tokens_stage(false).process(&mut lean).unwrap();
        assert_eq!(layer_tokens(&lean.text, lean.layer(LAYER)), None);
        assert_eq!(doc_tokens(&mut lean), tokenize(text));
    }

    #[test]
    fn tokens_are_computed_once_and_shared_through_the_cache() {
        let text = "Hi, you. 3.5 pct";
        let mut doc = Document::new("d", Default::default(), text);
        assert!(doc.cache.is_empty());
        let (_, first) = document_tokens(&mut doc);
        assert!(matches!(first, Cow::Borrowed(_)));
        assert_eq!(doc.cache.len(), 1);
        // The stage writes its layer from the cached tokens, and readers
        // after it borrow them rather than reading the layer back.
        tokens_stage(true).process(&mut doc).unwrap();
        assert_eq!(doc.cache.len(), 1);
        let (_, again) = document_tokens(&mut doc);
        assert!(matches!(again, Cow::Borrowed(_)));
        assert_eq!(again.into_owned(), tokenize(text));
        // A new text empties the cache (set_text fails once annotated, so
        // on a fresh document).
        let mut other = Document::new("e", Default::default(), text);
        document_tokens(&mut other);
        other.set_text("Bye.".into()).unwrap();
        assert!(other.cache.is_empty());
        assert_eq!(doc_tokens(&mut other), tokenize("Bye."));
    }

    #[test]
    fn a_whole_layer_from_another_tokenizer_is_read_as_written() {
        // "3.5 pct" as one token: whole, but not what `tokenize` gives.
        let text = "Hi, you. 3.5 pct";
        let mut doc = Document::new("d", Default::default(), text);
        let theirs = [
            (0, 2, "word"),
            (2, 3, "punct"),
            (4, 7, "word"),
            (7, 8, "punct"),
            (9, 16, "word"),
        ];
        let layer: Vec<Annotation> = theirs
            .iter()
            .map(|&(s, e, l)| Annotation::new(s, e, l))
            .collect();
        doc.annotate(LAYER, layer).unwrap();
        // Even with our tokenization cached first.
        document_tokens(&mut doc);
        let expected: Vec<Token> = theirs
            .iter()
            .map(|&(start, end, l)| Token {
                start,
                end,
                kind: TokenKind::from_label(l).unwrap(),
            })
            .collect();
        assert_eq!(doc_tokens(&mut doc), expected);
    }

    #[test]
    fn stage_can_drop_punctuation() {
        let config = TokensConfig {
            keep_punctuation: false,
        };
        let BuiltStage::Document(stage) = config.build().unwrap() else {
            panic!("not a document stage")
        };
        let mut doc = Document::new("d", Default::default(), "Hi, you.");
        stage.process(&mut doc).unwrap();
        assert_eq!(doc.layer(LAYER).len(), 2);
    }

    #[test]
    fn labels_read_as_from_label_reads_them() {
        for label in [
            "word", "number", "punct", "symbol", "", "w", "words", "Word", "numbes", "symbol ",
            "numbor", "punkt", "sumbol",
        ] {
            assert_eq!(
                kind_of_label(label),
                TokenKind::from_label(label),
                "{label}"
            );
        }
    }

    /// [`tokenize`] without the ASCII word shortcut.
    fn tokenize_without_shortcut(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        tokenize_into_with::<false>(text, |t| out.push(t));
        out
    }

    #[test]
    fn ascii_punct_table_is_is_punct() {
        for b in 0u8..128 {
            assert_eq!(ASCII_PUNCT[usize::from(b)], is_punct(char::from(b)), "{b}");
        }
    }

    proptest! {
        // Runs of ASCII marks and symbols, control characters among them.
        #[test]
        fn ascii_punct_shortcut_gives_the_same_tokens(
            s in "([!-/:-@\\[-`{-~]{1,4}|[\\x00-\\x08\\x0e-\\x1f\\x7f]|[A-Za-z]{1,5}|[0-9]{1,4}|\u{2014}|\u{201c}|é| |\n){0,40}"
        ) {
            prop_assert_eq!(tokenize(&s), tokenize_without_shortcut(&s));
        }

        #[test]
        fn ascii_word_shortcut_gives_the_same_tokens(
            s in "([A-Za-z]{1,12}|[0-9]{1,9}|[.,:'’$%()\"_-]|\u{2010}|é|ß|٣|\u{a0}| |\n){0,40}"
        ) {
            prop_assert_eq!(tokenize(&s), tokenize_without_shortcut(&s));
        }

        // Short runs of letters and digits before `.`, `,` and `:` (the
        // shortcut's own tests of what may join there).
        #[test]
        fn ascii_word_shortcut_gives_the_same_tokens_at_joining_marks(
            s in "([A-Za-z]{1,3}|[0-9]{1,4}|[a-z][0-9]|[0-9][a-z]|[.,:'-]| |\n|é){0,40}"
        ) {
            prop_assert_eq!(tokenize(&s), tokenize_without_shortcut(&s));
        }

        #[test]
        fn ascii_word_shortcut_gives_the_same_tokens_in_any_text(s in "\\PC{0,120}") {
            prop_assert_eq!(tokenize(&s), tokenize_without_shortcut(&s));
        }
    }

    proptest! {
        // The early exit at a blank changes no word's end.
        #[test]
        fn word_ends_as_without_the_early_exit(
            s in "([A-Za-z]{1,6}|[0-9]{1,4}|[.,:'’-]|\u{2010}|\u{2011}|é|ß|٣| |\n){1,24}"
        ) {
            for (start, _) in s.char_indices().filter(|&(_, c)| is_alphanumeric(c)) {
                prop_assert_eq!(word_end(&s, start), word_end_with::<false>(&s, start), "{} at {}", s, start);
            }
        }

        #[test]
        fn word_ends_as_without_the_early_exit_in_any_text(s in "\\PC{0,60}") {
            for (start, _) in s.char_indices().filter(|&(_, c)| is_alphanumeric(c)) {
                prop_assert_eq!(word_end(&s, start), word_end_with::<false>(&s, start));
            }
        }

        #[test]
        fn labels_agree_with_from_label(label in "[a-z ]{0,7}") {
            prop_assert_eq!(kind_of_label(&label), TokenKind::from_label(&label));
        }

        #[test]
        fn the_written_layer_reads_back_as_the_tokens(s in "\\PC{0,80}") {
            let mut doc = Document::new("d", Default::default(), s.clone());
            Tokenizer { keep_punctuation: true }.process(&mut doc).unwrap();
            prop_assert_eq!(layer_tokens(&doc.text, doc.layer(LAYER)), Some(tokenize(&s)).filter(|t| !t.is_empty()));
            prop_assert_eq!(doc_tokens(&mut doc), tokenize(&s));
        }

        #[test]
        fn tokens_cover_non_whitespace(s in "\\PC{0,120}") {
            let tokens = tokenize(&s);
            let mut last = 0;
            for t in &tokens {
                prop_assert!(t.start >= last && t.start < t.end && t.end <= s.len());
                prop_assert!(s.is_char_boundary(t.start) && s.is_char_boundary(t.end));
                prop_assert!(s[last..t.start].trim().is_empty());
                prop_assert!(!s[t.start..t.end].chars().any(char::is_whitespace));
                last = t.end;
            }
            prop_assert!(s[last..].trim().is_empty());
        }

        #[test]
        fn numbers_are_digit_groups(s in "[0-9., :a-z$%-]{0,60}") {
            for t in tokenize(&s) {
                let text = t.text(&s);
                if t.kind == TokenKind::Number {
                    prop_assert!(text.starts_with(|c: char| c.is_ascii_digit()));
                    prop_assert!(text.ends_with(|c: char| c.is_ascii_digit()));
                }
            }
        }
    }
}
