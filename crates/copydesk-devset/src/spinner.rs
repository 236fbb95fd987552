//! An article spinner: dictionary-based synonym substitution that keeps
//! inflection and leaves quotes, names, numbers and function words alone,
//! as the content-farm spinners described by DSpin (Zhang et al., NDSS 2014).

use crate::dictionary::Dictionary;
use crate::inflect::{Inflection, inflect, lemmas};
use crate::rng::Rng;
use std::ops::Range;

/// Function words a spinner leaves alone.
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
    "via", "vs", "mln", "bln", "pct", "dlrs", "cts", "shr", "net", "qtr", "inc", "corp", "co",
    "ltd", "reuter", "reuters",
];

/// How the spinner works.
#[derive(Debug, Clone)]
pub struct SpinnerConfig {
    /// Probability that an eligible word (a content word the dictionary
    /// knows) is replaced; 0.5 replaces about half of them.
    pub rate: f64,
    /// Seed of the random choices: the same seed and text give the same output.
    pub seed: u64,
    /// Where synonyms come from.
    pub dictionary: Dictionary,
}

impl Default for SpinnerConfig {
    fn default() -> Self {
        SpinnerConfig {
            rate: 0.5,
            seed: 0,
            dictionary: Dictionary::default(),
        }
    }
}

/// One replacement the spinner made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpinEdit {
    /// Byte range of the replaced wording in the input text.
    pub input: Range<usize>,
    /// Byte range of the replacement in the output text.
    pub output: Range<usize>,
    /// The input's wording.
    pub original: String,
    /// The wording that replaced it.
    pub replacement: String,
}

/// The spinner's output: the new text and every replacement, in text order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spun {
    /// The spun text.
    pub text: String,
    /// The replacements, in text order.
    pub substitutions: Vec<SpinEdit>,
}

/// A synonym-substituting article spinner.
///
/// ```
/// use copydesk_devset::{Dictionary, Spinner, SpinnerConfig};
/// let dictionary = Dictionary::from_pairs([("attack", vec!["assault"]), ("say", vec!["mention"])]);
/// let spinner = Spinner::new(SpinnerConfig { rate: 1.0, seed: 1, dictionary });
/// let spun = spinner.spin("The attacks stopped, officials said.");
/// assert_eq!(spun.text, "The assaults stopped, officials mentioned.");
/// assert_eq!(spun.substitutions.len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Spinner {
    config: SpinnerConfig,
}

/// A word of the input with what the spinner needs to know about it.
#[derive(Debug, Clone)]
struct Word {
    span: Range<usize>,
    lower: String,
    /// Outside quotes, not a name or number: may be part of a replaced phrase.
    movable: bool,
    /// Movable and a content word: may be replaced alone.
    eligible: bool,
    capitalized: bool,
}

impl Spinner {
    /// A spinner with the given configuration.
    pub fn new(config: SpinnerConfig) -> Self {
        Spinner { config }
    }

    /// The configuration.
    pub fn config(&self) -> &SpinnerConfig {
        &self.config
    }

    /// Spins `text` with the configured seed.
    pub fn spin(&self, text: &str) -> Spun {
        self.spin_seeded(text, self.config.seed)
    }

    /// Spins `text` with an explicit seed (for many documents from one spinner).
    pub fn spin_seeded(&self, text: &str, seed: u64) -> Spun {
        let mut rng = Rng::new(seed);
        let words = scan_words(text);
        let mut out = String::with_capacity(text.len() + text.len() / 8);
        let mut edits = Vec::new();
        let mut at = 0; // input bytes copied so far
        let mut i = 0;
        while i < words.len() {
            let mut replaced = false;
            // Phrases first (three, then two words), base form only.
            for n in [3usize, 2] {
                if i + n > words.len()
                    || !words[i..i + n].iter().all(|w| w.movable)
                    || !words[i..i + n].iter().any(|w| w.eligible)
                {
                    continue;
                }
                let contiguous = words[i..i + n]
                    .windows(2)
                    .all(|p| text.get(p[0].span.end..p[1].span.start) == Some(" "));
                if !contiguous {
                    continue;
                }
                let phrase: Vec<&str> = words[i..i + n].iter().map(|w| w.lower.as_str()).collect();
                let phrase = phrase.join(" ");
                let syns = self.config.dictionary.synonyms(&phrase);
                if syns.is_empty() || !rng.chance(self.config.rate) {
                    continue;
                }
                if let Some(syn) = rng.pick(syns) {
                    let span = words[i].span.start..words[i + n - 1].span.end;
                    let replacement = match_case(syn, words[i].capitalized);
                    push_edit(text, &mut out, &mut at, &mut edits, span, replacement);
                    i += n;
                    replaced = true;
                    break;
                }
            }
            if replaced {
                continue;
            }
            let w = &words[i];
            if w.eligible
                && rng.chance(self.config.rate)
                && let Some(replacement) = self.replacement(&w.lower, &mut rng)
            {
                let replacement = match_case(&replacement, w.capitalized);
                push_edit(
                    text,
                    &mut out,
                    &mut at,
                    &mut edits,
                    w.span.clone(),
                    replacement,
                );
            }
            i += 1;
        }
        out.push_str(&text[at..]);
        Spun {
            text: out,
            substitutions: edits,
        }
    }

    /// A synonym of `word` in the same inflection, if the dictionary has one.
    fn replacement(&self, word: &str, rng: &mut Rng) -> Option<String> {
        for (lemma, inflection) in lemmas(word) {
            let syns = self.config.dictionary.synonyms(&lemma);
            if syns.is_empty() {
                continue;
            }
            let syn = rng.pick(syns)?;
            let inflected = inflect_phrase(syn, inflection);
            if inflected != word {
                return Some(inflected);
            }
        }
        None
    }
}

/// Inflects a phrase: `S` on its last word, verb forms on its first.
fn inflect_phrase(phrase: &str, inflection: Inflection) -> String {
    let words: Vec<&str> = phrase.split(' ').collect();
    if words.len() == 1 {
        return inflect(phrase, inflection);
    }
    let mut owned: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    match inflection {
        Inflection::Base => {}
        Inflection::S => {
            if let Some(last) = owned.last_mut() {
                *last = inflect(last, inflection);
            }
        }
        Inflection::Ed | Inflection::Ing => {
            if let Some(first) = owned.first_mut() {
                *first = inflect(first, inflection);
            }
        }
    }
    owned.join(" ")
}

fn match_case(word: &str, capitalized: bool) -> String {
    if !capitalized {
        return word.to_string();
    }
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn push_edit(
    text: &str,
    out: &mut String,
    at: &mut usize,
    edits: &mut Vec<SpinEdit>,
    span: Range<usize>,
    replacement: String,
) {
    out.push_str(&text[*at..span.start]);
    let start = out.len();
    out.push_str(&replacement);
    edits.push(SpinEdit {
        original: text[span.clone()].to_string(),
        input: span.clone(),
        output: start..out.len(),
        replacement,
    });
    *at = span.end;
}

/// Splits `text` into alphabetic words and decides which a spinner may touch:
/// lowercase content words outside quotes, and sentence-initial capitalized
/// words whose lowercase form also occurs in the text (so names stay).
fn scan_words(text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut in_quote = false;
    let mut sentence_start = true;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphabetic() {
            let mut end = i + c.len_utf8();
            let mut joined = false;
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphabetic() {
                    end = j + d.len_utf8();
                    chars.next();
                } else if matches!(d, '\'' | '\u{2019}' | '-') || d.is_ascii_digit() {
                    // Possessives, hyphenated and alphanumeric words are left alone.
                    joined = true;
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let Some(token) = text.get(i..end) else {
                continue;
            };
            let lower = token.to_lowercase();
            let first_upper = c.is_uppercase();
            let all_upper = token
                .chars()
                .filter(|c| c.is_alphabetic())
                .all(char::is_uppercase);
            let plain = !joined && token.chars().all(char::is_alphabetic);
            let movable = plain && !in_quote && (!first_upper || (sentence_start && !all_upper));
            let eligible = movable && lower.len() >= 3 && !FUNCTION_WORDS.contains(&lower.as_str());
            words.push(Word {
                span: i..end,
                lower,
                movable,
                eligible,
                capitalized: first_upper,
            });
            sentence_start = false;
        } else if matches!(c, '"' | '\u{201C}' | '\u{201D}') {
            in_quote = match c {
                '\u{201C}' => true,
                '\u{201D}' => false,
                _ => !in_quote,
            };
        } else if matches!(c, '.' | '!' | '?' | '\n') {
            sentence_start = true;
        } else if c.is_ascii_digit() {
            sentence_start = false;
        }
    }
    // Sentence-initial capitalized words stay unless the text also uses them in lowercase.
    let lowercase_forms: std::collections::HashSet<&str> = words
        .iter()
        .filter(|w| !w.capitalized)
        .map(|w| w.lower.as_str())
        .collect();
    let keep: Vec<bool> = words
        .iter()
        .map(|w| !w.capitalized || lowercase_forms.contains(w.lower.as_str()))
        .collect();
    for (w, k) in words.iter_mut().zip(keep) {
        w.eligible &= k;
        w.movable &= k;
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn toy() -> Dictionary {
        Dictionary::from_pairs([
            ("attack", vec!["assault"]),
            ("say", vec!["mention"]),
            ("security", vec!["safety"]),
            ("city", vec!["metropolis"]),
            ("belt and road", vec!["belt and street"]),
            ("thousand", vec!["hundred"]),
        ])
    }

    fn spinner(rate: f64) -> Spinner {
        Spinner::new(SpinnerConfig {
            rate,
            seed: 3,
            dictionary: toy(),
        })
    }

    #[test]
    fn keeps_inflection_and_case() {
        let s = spinner(1.0).spin("Security forces said attacks hit the city.");
        assert_eq!(
            s.text,
            "Security forces mentioned assaults hit the metropolis."
        );
        // "Security" is sentence-initial but never used in lowercase: kept as a possible name.
        let s = spinner(1.0).spin("Security is tight. The security of the city matters.");
        assert_eq!(
            s.text,
            "Safety is tight. The safety of the metropolis matters."
        );
    }

    #[test]
    fn leaves_quotes_names_and_numbers_alone() {
        let s = spinner(1.0).spin("\"The city said no,\" the City Council said of 3 attacks.");
        assert_eq!(
            s.text,
            "\"The city said no,\" the City Council mentioned of 3 assaults."
        );
    }

    #[test]
    fn substitutes_phrases() {
        let s = spinner(1.0).spin("the belt and road plan");
        assert_eq!(s.text, "the belt and street plan");
        assert_eq!(s.substitutions[0].original, "belt and road");
    }

    #[test]
    fn rate_zero_changes_nothing() {
        let t = "Security forces said attacks hit the city.";
        let s = spinner(0.0).spin(t);
        assert_eq!(s.text, t);
        assert!(s.substitutions.is_empty());
    }

    #[test]
    fn wordnet_spinner_replaces_a_share_of_content_words() {
        let spinner = Spinner::new(SpinnerConfig {
            rate: 0.5,
            seed: 9,
            dictionary: Dictionary::wordnet(),
        });
        let t = "The company said its profits rose sharply because demand for its products increased in every market.";
        let s = spinner.spin(t);
        assert!(s.substitutions.len() >= 2, "{s:?}");
        assert!(s.substitutions.len() <= 9, "{s:?}");
    }

    proptest! {
        #[test]
        fn edits_map_input_to_output(text in "[a-zA-Z .,\"'0-9\\n]{0,120}", seed in 0u64..50) {
            let spinner = Spinner::new(SpinnerConfig { rate: 0.7, seed, dictionary: toy() });
            let s = spinner.spin(&text);
            // Rebuild the output from the input and the edits.
            let mut rebuilt = String::new();
            let mut at = 0;
            for e in &s.substitutions {
                prop_assert!(e.input.start >= at);
                rebuilt.push_str(&text[at..e.input.start]);
                prop_assert_eq!(&text[e.input.clone()], e.original.as_str());
                prop_assert_eq!(&s.text[e.output.clone()], e.replacement.as_str());
                rebuilt.push_str(&e.replacement);
                at = e.input.end;
            }
            rebuilt.push_str(&text[at..]);
            prop_assert_eq!(rebuilt, s.text);
        }

        #[test]
        fn never_panics_on_unicode(text in "\\PC{0,100}") {
            let _ = spinner(0.9).spin(&text);
        }
    }
}
