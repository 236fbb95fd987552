//! The development corpus: Reuters stories as sources, their verbatim,
//! syndicated and spun copies (and spun copies of syndicated copies), and
//! unrelated stories, with the ground truth of which copy derives from which.

use crate::article::Article;
use crate::dictionary::Dictionary;
use crate::reuters::{ReutersRecord, iso_date};
use crate::rng::Rng;
use crate::spinner::{Spinner, SpinnerConfig};
use crate::syndicate::{new_headline, syndicated_copy, verbatim_copy};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How a copy was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyKind {
    /// Same text, new layout and debris.
    Verbatim,
    /// Republished with edits.
    Syndicated,
    /// Run through the spinner.
    Spun,
}

impl CopyKind {
    /// The snake_case name (matches copydesk's relation kinds).
    pub fn as_str(self) -> &'static str {
        match self {
            CopyKind::Verbatim => "verbatim",
            CopyKind::Syndicated => "syndicated",
            CopyKind::Spun => "spun",
        }
    }
}

/// Settings of the generator.
#[derive(Debug, Clone)]
pub struct GeneratorConfig {
    /// Seed of every random choice.
    pub seed: u64,
    /// Number of Reuters stories used as sources of copies.
    pub sources: usize,
    /// Number of other Reuters stories included untouched (no copies).
    pub unrelated: usize,
    /// Spun copies made of each source (each with probability 0.8).
    pub spun_per_source: usize,
    /// Range of the spinner's rate (drawn per copy).
    pub spin_rate: (f64, f64),
    /// Share of documents that carry a publication date.
    pub dated_share: f64,
    /// Minimum body words of a source story.
    pub min_source_words: usize,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        GeneratorConfig {
            seed: 1,
            sources: 600,
            unrelated: 3000,
            spun_per_source: 1,
            spin_rate: (0.4, 0.8),
            dated_share: 0.5,
            min_source_words: 100,
        }
    }
}

/// One generated document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DevDoc {
    /// Opaque id (`dev-000123`), assigned after shuffling.
    pub id: String,
    /// The text.
    pub text: String,
    /// ISO 8601 publication date, for a share of documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The story family (same number = copies of one Reuters story).
    pub story: usize,
    /// The Reuters record the text comes from.
    pub origin: String,
    /// How the document was made (`None` for sources and unrelated stories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_as: Option<CopyKind>,
    /// For spun documents: how many words the spinner replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitutions: Option<usize>,
}

/// One true (copy → source) pair: the copy was made from the source directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthPair {
    /// The copy's id.
    pub copy: String,
    /// The id of the document it was made from.
    pub source: String,
    /// How it was made.
    pub kind: CopyKind,
}

/// A generated corpus with its ground truth.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DevCorpus {
    /// The documents, shuffled.
    pub docs: Vec<DevDoc>,
    /// The (copy → source) pairs.
    pub truth: Vec<TruthPair>,
}

/// A document before ids are assigned: (text, date, story, origin, kind, subs, parent index).
struct Draft {
    text: String,
    date: Option<String>,
    story: usize,
    origin: String,
    made_as: Option<CopyKind>,
    substitutions: Option<usize>,
    parent: Option<usize>,
}

/// Lowercase letters and digits only: two bodies equal under this are duplicates.
fn body_key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Hashes of the word 8-grams of a text (lowercased).
fn eight_grams(text: &str) -> Vec<u64> {
    use std::hash::{Hash, Hasher};
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut out: Vec<u64> = words
        .windows(8)
        .map(|w| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            w.hash(&mut h);
            h.finish()
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Share of a record's body that must be found word for word (as 8-grams)
/// in one earlier record for it to count as a natural near-duplicate.
pub const NEAR_DUPLICATE_SHARE: f64 = 0.5;

/// Records usable by the generator: with a body, deduplicated by body, by
/// title, and by word 8-gram containment (Reuters-21578 holds real
/// duplicates, corrected reissues and near-duplicates; they are not
/// unrelated documents).
pub fn usable_records(records: &[ReutersRecord]) -> Vec<(&ReutersRecord, Article)> {
    let mut bodies = HashSet::new();
    let mut titles = HashSet::new();
    let mut gram_owner: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for r in records {
        let Some(article) = r.article() else { continue };
        if article.body_words() < 15 {
            continue;
        }
        let key = body_key(&article.paragraphs.join(" "));
        // Also key on the opening, to catch corrected reissues.
        let opening: String = key.chars().take(200).collect();
        let title = r.title.clone().unwrap_or_default().trim().to_uppercase();
        if !bodies.insert(key) || !bodies.insert(format!("open:{opening}")) {
            continue;
        }
        if !title.is_empty() && !titles.insert(title) {
            continue;
        }
        let grams = eight_grams(&article.paragraphs.join(" "));
        let mut shared: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
        for g in &grams {
            if let Some(&owner) = gram_owner.get(g) {
                *shared.entry(owner).or_default() += 1;
            }
        }
        let near_duplicate = shared
            .values()
            .any(|&n| n as f64 >= NEAR_DUPLICATE_SHARE * grams.len().max(1) as f64);
        if near_duplicate {
            continue;
        }
        let index = out.len();
        for g in grams {
            gram_owner.entry(g).or_insert(index);
        }
        out.push((r, article));
    }
    out
}

/// Shifts an ISO date `YYYY-MM-DDTHH:MM:SS` by `hours` (naive calendar).
pub fn add_hours(iso: &str, hours: u32) -> Option<String> {
    let mut y: u32 = iso.get(0..4)?.parse().ok()?;
    let mut mo: u32 = iso.get(5..7)?.parse().ok()?;
    let mut d: u32 = iso.get(8..10)?.parse().ok()?;
    let mut h: u32 = iso.get(11..13)?.parse().ok()?;
    let rest = iso.get(13..)?;
    h += hours;
    while h >= 24 {
        h -= 24;
        d += 1;
        let leap = y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400));
        let days = match mo {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if d > days {
            d = 1;
            mo += 1;
            if mo > 12 {
                mo = 1;
                y += 1;
            }
        }
    }
    Some(format!("{y:04}-{mo:02}-{d:02}T{h:02}{rest}"))
}

/// Generates a development corpus from Reuters records.
pub fn generate(
    records: &[ReutersRecord],
    config: &GeneratorConfig,
    dictionary: Dictionary,
) -> DevCorpus {
    let mut rng = Rng::new(config.seed);
    let mut pool = usable_records(records);
    rng.shuffle(&mut pool);
    let (source_pool, rest): (Vec<_>, Vec<_>) = pool
        .into_iter()
        .partition(|(_, a)| a.body_words() >= config.min_source_words && a.paragraphs.len() >= 3);
    let spinner = Spinner::new(SpinnerConfig {
        rate: 0.5,
        seed: config.seed,
        dictionary,
    });
    let mut drafts: Vec<Draft> = Vec::new();
    let mut extra_unrelated = Vec::new();
    for (story, (record, article)) in source_pool.iter().enumerate() {
        if story >= config.sources {
            extra_unrelated.push((*record, article.clone()));
            continue;
        }
        let mut r = rng.fork(story as u64 + 1);
        let date = record.date.as_deref().and_then(iso_date);
        let source_idx = drafts.len();
        drafts.push(Draft {
            text: article.render(),
            date: date.clone(),
            story,
            origin: record.id.clone(),
            made_as: None,
            substitutions: None,
            parent: None,
        });
        let later = |r: &mut Rng| {
            date.as_deref()
                .and_then(|d| add_hours(d, r.range(1, 72) as u32))
        };
        if r.chance(0.4) {
            let copy = verbatim_copy(article, &mut r);
            drafts.push(Draft {
                text: copy.render(),
                date: later(&mut r),
                story,
                origin: record.id.clone(),
                made_as: Some(CopyKind::Verbatim),
                substitutions: None,
                parent: Some(source_idx),
            });
        }
        let mut syndicated = Vec::new();
        let n_synd = if r.chance(0.8) {
            1 + usize::from(r.chance(0.3))
        } else {
            0
        };
        for _ in 0..n_synd {
            let (copy, _) = syndicated_copy(article, &mut r);
            syndicated.push((drafts.len(), copy.clone()));
            drafts.push(Draft {
                text: copy.render(),
                date: later(&mut r),
                story,
                origin: record.id.clone(),
                made_as: Some(CopyKind::Syndicated),
                substitutions: None,
                parent: Some(source_idx),
            });
        }
        let spin = |r: &mut Rng, base: &Article, parent: usize, drafts: &mut Vec<Draft>| {
            let mut base = base.clone();
            if r.chance(0.5)
                && let Some(h) = &base.headline
            {
                base.headline = Some(new_headline(h, r));
            }
            let rate = r.uniform(config.spin_rate.0, config.spin_rate.1);
            let s = Spinner::new(SpinnerConfig {
                rate,
                ..spinner.config().clone()
            })
            .spin_seeded(&base.render(), r.next_u64());
            let parent_date = drafts[parent].date.clone();
            drafts.push(Draft {
                text: s.text,
                date: parent_date.and_then(|d| add_hours(&d, r.range(1, 72) as u32)),
                story,
                origin: record.id.clone(),
                made_as: Some(CopyKind::Spun),
                substitutions: Some(s.substitutions.len()),
                parent: Some(parent),
            });
        };
        for _ in 0..config.spun_per_source {
            if r.chance(0.8) {
                spin(&mut r, article, source_idx, &mut drafts);
            }
        }
        if let Some((idx, copy)) = syndicated.first()
            && r.chance(0.4)
        {
            spin(&mut r, copy, *idx, &mut drafts);
        }
    }
    let unrelated = rest
        .into_iter()
        .chain(extra_unrelated)
        .take(config.unrelated);
    for (i, (record, article)) in unrelated.enumerate() {
        drafts.push(Draft {
            text: article.render(),
            date: record.date.as_deref().and_then(iso_date),
            story: config.sources + i,
            origin: record.id.clone(),
            made_as: None,
            substitutions: None,
            parent: None,
        });
    }
    // Dates only on a share of documents.
    for d in &mut drafts {
        if !rng.chance(config.dated_share) {
            d.date = None;
        }
    }
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    rng.shuffle(&mut order);
    let mut ids = vec![String::new(); drafts.len()];
    for (pos, &i) in order.iter().enumerate() {
        ids[i] = format!("dev-{pos:06}");
    }
    let truth = drafts
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            Some(TruthPair {
                copy: ids[i].clone(),
                source: ids[d.parent?].clone(),
                kind: d.made_as?,
            })
        })
        .collect();
    let mut docs: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    let docs = order
        .iter()
        .filter_map(|&i| {
            let d = docs[i].take()?;
            Some(DevDoc {
                id: ids[i].clone(),
                text: d.text,
                date: d.date,
                story: d.story,
                origin: d.origin,
                made_as: d.made_as,
                substitutions: d.substitutions,
            })
        })
        .collect();
    DevCorpus { docs, truth }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: usize, words: usize) -> ReutersRecord {
        let para: String = (0..words / 4)
            .map(|i| format!("word{id}x{i} said the market "))
            .collect();
        ReutersRecord {
            id: format!("reuters-{id}"),
            date: Some("26-FEB-1987 15:01:01.79".into()),
            title: Some(format!("TITLE {id}")),
            dateline: Some("NEW YORK, Feb 26 -".into()),
            text: Some(format!("{para}\n    {para}\n    {para}\n    {para}")),
        }
    }

    #[test]
    fn truth_points_at_existing_documents() {
        let records: Vec<_> = (0..40).map(|i| record(i, 60)).collect();
        let config = GeneratorConfig {
            sources: 10,
            unrelated: 20,
            ..GeneratorConfig::default()
        };
        let c = generate(
            &records,
            &config,
            Dictionary::from_pairs([("market", vec!["marketplace"])]),
        );
        let ids: HashSet<&str> = c.docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids.len(), c.docs.len());
        assert!(!c.truth.is_empty());
        for t in &c.truth {
            assert!(ids.contains(t.copy.as_str()) && ids.contains(t.source.as_str()));
        }
        assert!(c.docs.len() >= 30);
        // Same seed, same corpus.
        let again = generate(
            &records,
            &config,
            Dictionary::from_pairs([("market", vec!["marketplace"])]),
        );
        assert_eq!(again.docs, c.docs);
    }

    #[test]
    fn adds_hours_across_month_ends() {
        assert_eq!(
            add_hours("1987-02-28T23:00:00", 2).as_deref(),
            Some("1987-03-01T01:00:00")
        );
        assert_eq!(
            add_hours("1987-12-31T10:00:00", 24).as_deref(),
            Some("1988-01-01T10:00:00")
        );
    }
}
