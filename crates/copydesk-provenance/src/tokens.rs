//! Words of a document with the class that decides whether a spinner is
//! likely to leave them alone (function words, numbers, names) or not
//! (content words).

use copydesk_core::text::word_spans;
use std::sync::OnceLock;
use xxhash_rust::xxh3::xxh3_64;

/// Function words: spinners leave most of them alone.
pub const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "either",
    "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "may", "me",
    "might", "more", "most", "must", "my", "neither", "no", "nor", "not", "now", "of", "off", "on",
    "once", "only", "or", "other", "our", "out", "over", "own", "per", "same", "shall", "she",
    "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "upon", "us",
    "very", "was", "we", "were", "what", "when", "where", "whether", "which", "while", "who",
    "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you", "your",
    "since", "though", "although", "unless", "around", "among", "across", "toward", "towards",
    "via", "vs",
];

/// What kind of word a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordClass {
    /// A function word.
    Function,
    /// Contains a digit.
    Number,
    /// Capitalized inside a sentence, or all capitals.
    Name,
    /// Anything else: what a spinner replaces.
    Content,
}

/// One word of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte offset in the text.
    pub start: usize,
    /// Byte offset one past the word.
    pub end: usize,
    /// Hash of the lowercased, folded word.
    pub hash: u64,
    /// The word's class.
    pub class: WordClass,
}

/// Lowercases and folds a word for comparison (typographic apostrophes to `'`).
pub fn normalize(word: &str) -> String {
    let mut buf = String::new();
    normalize_into(word, &mut buf).to_string()
}

/// The hash a normalized word gets.
pub fn word_hash(norm: &str) -> u64 {
    xxh3_64(norm.as_bytes())
}

/// Slots of the function-word table (a power of two, at least twice the words).
const FUNCTION_SLOTS: usize = 512;

/// Function words by hash: an open-addressing table indexed by the low
/// bits of [`word_hash`], so a lookup costs the hash the tokenizer computes
/// anyway and (on a hash match) one string comparison.
fn function_table() -> &'static [Option<(u64, &'static str)>; FUNCTION_SLOTS] {
    static TABLE: OnceLock<[Option<(u64, &'static str)>; FUNCTION_SLOTS]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [None; FUNCTION_SLOTS];
        for &w in FUNCTION_WORDS {
            let h = word_hash(w);
            let mut slot = h as usize % FUNCTION_SLOTS;
            while let Some((other, _)) = table[slot] {
                if other == h {
                    break;
                }
                slot = (slot + 1) % FUNCTION_SLOTS;
            }
            table[slot] = Some((h, w));
        }
        table
    })
}

/// Whether a normalized word whose [`word_hash`] is `hash` is a function word.
pub fn is_function_hashed(norm: &str, hash: u64) -> bool {
    let table = function_table();
    let mut slot = hash as usize % FUNCTION_SLOTS;
    while let Some((h, w)) = table[slot] {
        if h == hash {
            return w == norm;
        }
        slot = (slot + 1) % FUNCTION_SLOTS;
    }
    false
}

/// Whether a normalized word is a function word.
pub fn is_function(norm: &str) -> bool {
    // Function words are short; longer words need no lookup.
    norm.len() <= 10 && is_function_hashed(norm, word_hash(norm))
}

/// Whether the text between two words ends a sentence.
fn ends_sentence(gap: &str) -> bool {
    gap.chars()
        .any(|c| matches!(c, '.' | '!' | '?' | '\n' | ':' | ';'))
}

/// What one pass over a word's bytes tells: letters, uppercase letters,
/// whether it holds a digit, and whether it needs folding before hashing.
#[derive(Debug, Clone, Copy)]
struct WordShape {
    letters: usize,
    upper: usize,
    digit: bool,
    plain: bool,
}

impl WordShape {
    fn of(word: &str) -> WordShape {
        if word.is_ascii() {
            let (mut letters, mut upper, mut digit, mut backtick) = (0, 0, false, false);
            for b in word.bytes() {
                letters += usize::from(b.is_ascii_alphabetic());
                upper += usize::from(b.is_ascii_uppercase());
                digit |= b.is_ascii_digit();
                backtick |= b == b'`';
            }
            return WordShape {
                letters,
                upper,
                digit,
                plain: upper == 0 && !backtick,
            };
        }
        let (letters, upper) = letter_counts(word);
        WordShape {
            letters,
            upper,
            digit: word.bytes().any(|b| b.is_ascii_digit()),
            plain: false,
        }
    }

    /// At least two letters, all of them capitals.
    fn all_upper(&self) -> bool {
        self.letters >= 2 && self.upper == self.letters
    }
}

/// The words of `text` with their classes.
pub fn tokenize(text: &str) -> Vec<Token> {
    let spans = word_spans(text);
    let mut out = Vec::with_capacity(spans.len());
    // Per token: at least two letters (bit 0), and all of them capitals (bit 1).
    let mut lettering: Vec<u8> = Vec::with_capacity(spans.len());
    let mut prev_end = 0;
    let mut buf = String::new();
    for (start, end) in spans {
        let word = &text[start..end];
        let shape = WordShape::of(word);
        let norm = if shape.plain {
            word
        } else {
            normalize_into(word, &mut buf)
        };
        let hash = word_hash(norm);
        let sentence_start = out.is_empty() || ends_sentence(&text[prev_end..start]);
        let first_upper = word.chars().next().is_some_and(char::is_uppercase);
        let class = if shape.digit {
            WordClass::Number
        } else if norm.len() <= 10 && is_function_hashed(norm, hash) {
            WordClass::Function
        } else if shape.all_upper() || (first_upper && !sentence_start) {
            WordClass::Name
        } else {
            WordClass::Content
        };
        out.push(Token {
            start,
            end,
            hash,
            class,
        });
        lettering.push(u8::from(shape.letters >= 2) | (u8::from(shape.all_upper()) << 1));
        prev_end = end;
    }
    demote_capitalized_lines(text, &mut out, &lettering);
    out
}

/// Letters of a word, and how many of them are uppercase.
fn letter_counts(word: &str) -> (usize, usize) {
    if word.is_ascii() {
        let letters = word.bytes().filter(u8::is_ascii_alphabetic).count();
        let upper = word.bytes().filter(u8::is_ascii_uppercase).count();
        return (letters, upper);
    }
    word.chars()
        .filter(|c| c.is_alphabetic())
        .fold((0, 0), |(l, u), c| {
            (l + 1, u + usize::from(c.is_uppercase()))
        })
}

/// [`normalize`] into a reused buffer; lowercase ASCII words are returned
/// as they are, without a copy.
fn normalize_into<'a>(word: &'a str, buf: &'a mut String) -> &'a str {
    if word
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase() && b != b'`')
    {
        return word;
    }
    buf.clear();
    if word.is_ascii() {
        buf.extend(word.bytes().map(|b| match b {
            b'`' => '\'',
            b => char::from(b.to_ascii_lowercase()),
        }));
        return buf;
    }
    buf.extend(
        word.chars()
            .map(|c| match c {
                '\u{2019}' | '\u{2018}' | '`' => '\'',
                c => c,
            })
            .flat_map(char::to_lowercase),
    );
    buf
}

/// In lines written mostly in capitals (wire headlines), capitals mark
/// nothing: their words are classed as if written in lowercase.
/// `lettering[i]` tells whether token `i` has at least two letters (bit 0)
/// and whether they are all capitals (bit 1).
fn demote_capitalized_lines(text: &str, tokens: &mut [Token], lettering: &[u8]) {
    let newlines: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
    let mut line = 0;
    let mut i = 0;
    while i < tokens.len() {
        // The first line break after the token's start (or the end of the text).
        while line < newlines.len() && newlines[line] < tokens[i].start {
            line += 1;
        }
        let line_end = newlines.get(line).copied().unwrap_or(text.len());
        let mut j = i;
        while j < tokens.len() && tokens[j].start < line_end {
            j += 1;
        }
        let (mut lettered, mut capitals) = (0, 0);
        for &l in lettering.get(i..j).unwrap_or(&[]) {
            if l & 1 != 0 {
                lettered += 1;
                if l & 2 != 0 {
                    capitals += 1;
                }
            }
        }
        if lettered >= 2 && capitals * 5 >= lettered * 3 {
            for t in &mut tokens[i..j] {
                if t.class == WordClass::Name {
                    t.class = WordClass::Content;
                }
            }
        }
        i = j.max(i + 1);
    }
}

/// The first implementation of [`demote_capitalized_lines`], kept for the
/// reference tokenizer of the tests.
#[cfg(test)]
fn demote_capitalized_lines_reference(text: &str, tokens: &mut [Token]) {
    let mut i = 0;
    while i < tokens.len() {
        let line_end = text[tokens[i].start..]
            .find('\n')
            .map_or(text.len(), |n| tokens[i].start + n);
        let mut j = i;
        while j < tokens.len() && tokens[j].start < line_end {
            j += 1;
        }
        let (mut lettered, mut capitals) = (0, 0);
        for t in &tokens[i..j] {
            let (letters, upper) = letter_counts(&text[t.start..t.end]);
            if letters >= 2 {
                lettered += 1;
                if upper == letters {
                    capitals += 1;
                }
            }
        }
        if lettered >= 2 && capitals * 5 >= lettered * 3 {
            for t in &mut tokens[i..j] {
                if t.class == WordClass::Name {
                    t.class = WordClass::Content;
                }
            }
        }
        i = j.max(i + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_words() {
        let t = "Officials said 5 Chinese engineers died in Karachi.";
        let toks = tokenize(t);
        let classes: Vec<WordClass> = toks.iter().map(|t| t.class).collect();
        use WordClass::*;
        assert_eq!(
            classes,
            [
                Content, Content, Number, Name, Content, Content, Function, Name
            ]
        );
        assert_eq!(toks[1].hash, word_hash("said"));
    }

    #[test]
    fn capitalized_headlines_mark_no_names() {
        let toks = tokenize("OPEC SAYS OUTPUT STEADY\nThe OPEC said so.");
        let classes: Vec<WordClass> = toks.iter().map(|t| t.class).collect();
        use WordClass::*;
        assert_eq!(
            classes,
            [
                Content, Content, Content, Content, Function, Name, Content, Function
            ]
        );
    }

    /// The first implementation, kept as the reference the fast one must match.
    fn reference_tokenize(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut prev_end = 0;
        for (start, end) in word_spans(text) {
            let word = &text[start..end];
            let norm = normalize(word);
            let sentence_start = out.is_empty() || ends_sentence(&text[prev_end..start]);
            let first_upper = word.chars().next().is_some_and(char::is_uppercase);
            let letters = word.chars().filter(|c| c.is_alphabetic()).count();
            let all_upper = letters >= 2
                && word
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .all(char::is_uppercase);
            let class = if word.chars().any(|c| c.is_ascii_digit()) {
                WordClass::Number
            } else if FUNCTION_WORDS.contains(&norm.as_str()) {
                WordClass::Function
            } else if all_upper || (first_upper && !sentence_start) {
                WordClass::Name
            } else {
                WordClass::Content
            };
            out.push(Token {
                start,
                end,
                hash: word_hash(&norm),
                class,
            });
            prev_end = end;
        }
        demote_capitalized_lines_reference(text, &mut out);
        out
    }

    #[test]
    fn function_word_table_knows_every_function_word_and_nothing_else() {
        for w in FUNCTION_WORDS {
            assert!(is_function(w), "{w}");
        }
        for w in ["said", "the.", "thee", "", "ab", "minister", "Chinese"] {
            assert!(!is_function(w), "{w}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fast_tokenize_matches_the_reference(text in "[a-zA-Z0-9 .,:;'`\u{2019}\u{2018}\u{c9}\u{e9}\u{df}\u{130}\n-]{0,120}") {
            proptest::prop_assert_eq!(tokenize(&text), reference_tokenize(&text));
        }

        #[test]
        fn fast_tokenize_matches_the_reference_on_any_text(text in "\\PC{0,80}") {
            proptest::prop_assert_eq!(tokenize(&text), reference_tokenize(&text));
        }
    }

    #[test]
    fn fast_tokenize_matches_the_reference_on_the_seeds() {
        for seed in ["000", "001"] {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds");
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(seed)
                {
                    let text = std::fs::read_to_string(&path).unwrap();
                    assert_eq!(tokenize(&text), reference_tokenize(&text));
                }
            }
        }
    }
}
