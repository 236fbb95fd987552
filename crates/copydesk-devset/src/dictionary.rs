//! Synonym dictionaries for the spinner: WordNet 3.0 (from the
//! `thesaurus-wordnet` crate, decompressed once per process) or any word
//! list given as pairs.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// How many synonyms of a head word the spinner may choose from (WordNet
/// lists the most common sense first, so the first few are the best fits).
const MAX_SYNONYMS: usize = 5;

/// A synonym dictionary: lowercase head words and phrases (up to three
/// words) to lowercase replacements, best first. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    entries: Arc<HashMap<String, Vec<String>>>,
}

impl Dictionary {
    /// The WordNet 3.0 synonym sets, loaded once per process and shared.
    pub fn wordnet() -> Dictionary {
        static WORDNET: OnceLock<Dictionary> = OnceLock::new();
        WORDNET
            .get_or_init(|| Dictionary::parse(&thesaurus_wordnet::uncompress()))
            .clone()
    }

    /// A dictionary from `(head, synonyms)` pairs (lowercased on the way in).
    pub fn from_pairs<I, S, T>(pairs: I) -> Dictionary
    where
        I: IntoIterator<Item = (S, Vec<T>)>,
        S: AsRef<str>,
        T: AsRef<str>,
    {
        let mut entries: HashMap<String, Vec<String>> = HashMap::new();
        for (head, syns) in pairs {
            let head = head.as_ref().to_lowercase();
            let list = entries.entry(head.clone()).or_default();
            for s in syns {
                let s = s.as_ref().to_lowercase();
                if usable(&head, &s) && !list.contains(&s) {
                    list.push(s);
                }
            }
        }
        entries.retain(|_, v| !v.is_empty());
        Dictionary {
            entries: Arc::new(entries),
        }
    }

    /// Parses the `head|syn|syn` lines of the thesaurus crates.
    fn parse(data: &str) -> Dictionary {
        let pairs = data.lines().filter_map(|line| {
            let mut parts = line.split('|');
            let head = parts.next()?.trim();
            if head.is_empty() || head.split(' ').count() > 3 {
                return None;
            }
            let syns: Vec<&str> = parts.map(str::trim).take(MAX_SYNONYMS * 3).collect();
            Some((head.to_string(), syns))
        });
        let mut dict = Dictionary::from_pairs(pairs);
        if let Some(entries) = Arc::get_mut(&mut dict.entries) {
            for v in entries.values_mut() {
                v.truncate(MAX_SYNONYMS);
            }
        }
        dict
    }

    /// The synonyms of a lowercase word or phrase, best first.
    pub fn synonyms(&self, head: &str) -> &[String] {
        self.entries.get(head).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Number of head words and phrases.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the dictionary has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Whether `syn` is a plausible replacement for `head` in running text.
fn usable(head: &str, syn: &str) -> bool {
    syn != head
        && syn.len() >= 3
        && syn.split(' ').count() <= 3
        && syn
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == ' ' || c == '-')
        && !syn.starts_with('-')
        && !syn.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_lowercased_and_filtered() {
        let d = Dictionary::from_pairs([("Attack", vec!["Assault", "attack", "x", "no.1"])]);
        assert_eq!(d.synonyms("attack"), ["assault"]);
        assert!(d.synonyms("none").is_empty());
    }

    #[test]
    fn wordnet_has_common_news_words() {
        let d = Dictionary::wordnet();
        assert!(d.len() > 50_000, "{}", d.len());
        assert!(!d.synonyms("attack").is_empty());
        assert!(!d.synonyms("say").is_empty());
    }
}
