//! Simple article spinners for building development sets: a synonym
//! dictionary applied without regard to context, as real spinners do.
//!
//! A [`Spinner`] replaces a share of the words of a text (the `rate`, as a
//! fraction of all words) by a dictionary synonym of the same inflection,
//! leaving quoted speech, numbers and acronyms alone, and records where each
//! substitution landed and what it replaced, so a tagger can be scored.

use crate::morph::Form;
use crate::resources::{language_model, morphology};
use crate::tagger::FUNCTION_WORD_LOG_COUNT;
use crate::thesaurus::ReverseThesaurus;
use crate::tokens::{Shape, detect_quotes, tokenize};
use std::collections::HashMap;

/// How the spinner picks among synonyms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// The same synonym for a word everywhere (like a fixed replacement table).
    Consistent,
    /// A random synonym at each occurrence.
    Random,
    /// One of the three most frequent synonyms, at random (like curated
    /// spinner dictionaries, which favour plausible common words).
    Common,
}

/// One substitution the spinner made.
#[derive(Debug, Clone, PartialEq)]
pub struct SpunSpan {
    /// Byte offset of the spun wording in the spun text.
    pub start: usize,
    /// Byte offset one past it.
    pub end: usize,
    /// The wording it replaced.
    pub original: String,
}

/// A spun text with the record of its substitutions.
#[derive(Debug, Clone, PartialEq)]
pub struct SpunText {
    /// The spun text.
    pub text: String,
    /// The substitutions, in text order.
    pub substitutions: Vec<SpunSpan>,
}

/// A context-blind synonym spinner.
#[derive(Debug, Clone)]
pub struct Spinner {
    /// A name for reports.
    pub name: String,
    forward: HashMap<String, Vec<String>>,
    style: Style,
    phrases: bool,
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Words this frequent (about the 50 commonest: articles, prepositions,
/// auxiliaries) are neither spun nor written alone by the spinners: a
/// WordNet sense of "in" is "indium", which no spinner worth studying uses.
fn function_word(w: &str) -> bool {
    w.chars().count() < 2 || language_model().log_count(w) >= FUNCTION_WORD_LOG_COUNT
}

fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl Spinner {
    /// A spinner writing, for an original lemma, any wording the reverse
    /// dictionary lists as standing for it. `phrases` lets it replace and
    /// write multiword wordings.
    pub fn from_thesaurus(
        name: &str,
        dict: &ReverseThesaurus,
        style: Style,
        phrases: bool,
    ) -> Self {
        let lm = language_model();
        let mut forward: HashMap<String, Vec<String>> = HashMap::new();
        for (spun, originals) in dict.entries() {
            let multi = spun.contains(' ');
            if (multi && !phrases) || !spun.split(' ').all(|w| lm.knows(w)) {
                continue;
            }
            for o in originals {
                if o.lemma.contains(' ') && !phrases {
                    continue;
                }
                forward
                    .entry(o.lemma.to_string())
                    .or_default()
                    .push(spun.to_string());
            }
        }
        for list in forward.values_mut() {
            list.sort();
            list.dedup();
        }
        Spinner {
            name: name.to_string(),
            forward,
            style,
            phrases,
        }
    }

    /// The wordings that may replace `phrase` (lowercase), inflected like it.
    fn options(&self, phrase: &str) -> Vec<String> {
        let lm = language_model();
        let morph = morphology();
        let readings: Vec<(String, Form)> = if phrase.contains(' ') {
            vec![(phrase.to_string(), Form::Base)]
        } else {
            morph.analyze(phrase)
        };
        let mut out = Vec::new();
        for (lemma, form) in readings {
            if form != Form::Base && !lm.knows(&lemma) {
                continue;
            }
            for syn in self.forward.get(&lemma).into_iter().flatten() {
                for inflected in morph.inflect(syn, form) {
                    if inflected != phrase
                        && inflected.split(' ').all(|w| lm.knows(w))
                        && !inflected.split(' ').all(function_word)
                    {
                        out.push(inflected);
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Spins `text`, replacing about `rate` of its words; `seed` makes it
    /// reproducible.
    pub fn spin(&self, text: &str, rate: f64, seed: u64) -> SpunText {
        let tokens = tokenize(text, &detect_quotes(text));
        let mut rng = Rng(seed ^ stable_hash(&self.name));
        let eligible = |i: usize| {
            tokens.get(i).is_some_and(|t| {
                !t.protected
                    && (t.shape == Shape::Lower
                        || (t.shape == Shape::Capitalized && t.sentence_initial))
            })
        };
        let mut plan: Vec<(usize, usize, String)> = Vec::new();
        let mut options_count = 0usize;
        let mut i = 0;
        let mut choices: Vec<(usize, usize, Vec<String>)> = Vec::new();
        while i < tokens.len() {
            if self.phrases
                && eligible(i)
                && eligible(i + 1)
                && tokens[i].linked_next
                && !(function_word(&tokens[i].lower) && function_word(&tokens[i + 1].lower))
            {
                let phrase = format!("{} {}", tokens[i].lower, tokens[i + 1].lower);
                let opts = self.options(&phrase);
                if !opts.is_empty() {
                    choices.push((i, i + 1, opts));
                    i += 2;
                    continue;
                }
            }
            if eligible(i) && !function_word(&tokens[i].lower) {
                let opts = self.options(&tokens[i].lower);
                if !opts.is_empty() {
                    choices.push((i, i, opts));
                }
            }
            i += 1;
        }
        options_count += choices.len();
        let p = if options_count == 0 {
            0.0
        } else {
            (rate * tokens.len() as f64 / options_count as f64).clamp(0.0, 1.0)
        };
        for (first, last, opts) in choices {
            if rng.unit() >= p {
                continue;
            }
            let key = (first..=last)
                .map(|k| tokens[k].lower.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let pick = match self.style {
                Style::Consistent => stable_hash(&key) as usize % opts.len(),
                Style::Random => rng.next() as usize % opts.len(),
                Style::Common => {
                    let lm = language_model();
                    let mut ranked: Vec<(f64, usize)> = opts
                        .iter()
                        .enumerate()
                        .map(|(k, o)| {
                            let c = o
                                .split(' ')
                                .map(|w| lm.log_count(w))
                                .fold(f64::MAX, f64::min);
                            (c, k)
                        })
                        .collect();
                    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
                    let top = ranked.len().min(3);
                    ranked
                        .get(rng.next() as usize % top.max(1))
                        .map_or(0, |r| r.1)
                }
            };
            let mut word = opts[pick].clone();
            if tokens[first].shape == Shape::Capitalized {
                word = capitalize(&word);
            }
            plan.push((first, last, word));
        }
        let mut out = String::with_capacity(text.len() + text.len() / 4);
        let mut subs = Vec::new();
        let mut at = 0;
        for (first, last, word) in plan {
            let (s, e) = (tokens[first].start, tokens[last].end);
            out.push_str(&text[at..s]);
            let start = out.len();
            out.push_str(&word);
            subs.push(SpunSpan {
                start,
                end: out.len(),
                original: text[s..e].to_string(),
            });
            at = e;
        }
        out.push_str(&text[at..]);
        SpunText {
            text: out,
            substitutions: subs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::builtin_dictionary;

    #[test]
    fn spinner_replaces_words_and_records_them() {
        let wn = builtin_dictionary("wordnet").expect("wordnet");
        let s = Spinner::from_thesaurus("wn", wn, Style::Consistent, false);
        let text = "The company said the attacks on the city were a major security problem.";
        let spun = s.spin(text, 0.5, 7);
        assert_ne!(spun.text, text);
        assert!(!spun.substitutions.is_empty());
        let mut restored = spun.text.clone();
        for sub in spun.substitutions.iter().rev() {
            restored.replace_range(sub.start..sub.end, &sub.original);
        }
        assert_eq!(restored, text);
    }

    #[test]
    fn spinner_leaves_quotes_and_numbers() {
        let wn = builtin_dictionary("wordnet").expect("wordnet");
        let s = Spinner::from_thesaurus("wn", wn, Style::Random, true);
        let text = "He said \"the attacks must stop\" after 12 attacks.";
        let spun = s.spin(text, 1.0, 3);
        assert!(
            spun.text.contains("\"the attacks must stop\""),
            "{}",
            spun.text
        );
        assert!(spun.text.contains(" 12 "), "{}", spun.text);
    }
}
