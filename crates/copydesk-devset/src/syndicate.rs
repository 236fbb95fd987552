//! Edits a republishing outlet makes: new headline, dateline, dropped or
//! added paragraphs, small wording edits, page debris and layout changes.

use crate::article::Article;
use crate::rng::Rng;

/// Lines of page furniture that end up in scraped article text.
pub const DEBRIS: &[&str] = &[
    "Load Next Story",
    "Advertisement",
    "Share this article",
    "Read more:",
    "Follow us on Twitter",
    "Subscribe to our newsletter",
    "Click here to comment",
    "Related Stories",
    "Share on Facebook",
    "Print this page",
];

/// What an outlet's own paragraph is about.
const ADDED_SUBJECTS: &[&str] = &[
    "The development",
    "The announcement",
    "The news",
    "The move",
    "The decision",
    "The report",
    "The filing",
    "The statement",
    "Today's news",
    "The latest step",
];

/// What the outlet says of it.
const ADDED_CLAIMS: &[&str] = &[
    "is being closely watched by analysts in the region",
    "comes at a time of growing uncertainty over economic policy",
    "had been widely anticipated by market participants",
    "drew little immediate reaction from local traders",
    "was not discussed further by officials contacted by this newspaper",
    "follows weeks of speculation in the local press",
    "is likely to be welcomed by smaller investors",
    "could weigh on sentiment in the coming sessions",
    "was first reported by a news agency earlier in the day",
    "has been the subject of debate among industry executives",
];

/// How the outlet closes the paragraph.
const ADDED_CLOSINGS: &[&str] = &[
    ", and further announcements are expected in the coming weeks.",
    ", according to people familiar with the matter.",
    ", our correspondent reported.",
    ", and more details are expected later this week.",
    ", several brokers told this newspaper.",
    ", though the full impact remains unclear.",
    ". This story will be updated as more information becomes available.",
    ", an editor at this newspaper noted.",
];

/// A paragraph an outlet adds of its own: composed from parts, so that two
/// outlets republishing the same story seldom add the same words (as in
/// life, where each writes its own).
pub fn added_paragraph(rng: &mut Rng) -> String {
    let subject = rng.pick(ADDED_SUBJECTS).copied().unwrap_or("The news");
    let claim = rng
        .pick(ADDED_CLAIMS)
        .copied()
        .unwrap_or("is being closely watched");
    let closing = rng.pick(ADDED_CLOSINGS).copied().unwrap_or(".");
    format!("{subject} {claim}{closing}")
}

/// Outlet-style wording edits: (from, to).
const WORDING: &[(&str, &str)] = &[
    (" mln ", " million "),
    (" pct", " percent"),
    (" dlrs", " dollars"),
    (" said ", " says "),
    ("U.S.", "US"),
    (" billion ", " bln "),
    (" company ", " firm "),
    (" about ", " around "),
];

/// A verbatim copy: the same text with other line breaks and some debris.
pub fn verbatim_copy(article: &Article, rng: &mut Rng) -> Article {
    let mut copy = article.clone();
    copy.separator = if rng.chance(0.5) { "\n" } else { "\n\n" }.to_string();
    add_debris(&mut copy, rng, 1, 3);
    copy
}

/// What [`syndicated_copy`] did, for the ground truth.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyndicationEdits {
    /// Paragraphs dropped (indices into the original).
    pub dropped: Vec<usize>,
    /// Paragraphs added.
    pub added: usize,
    /// Wording edits made.
    pub wording: usize,
    /// Whether the headline changed.
    pub headline: bool,
}

/// A syndicated copy: new headline, outlet dateline, one or two paragraphs
/// dropped or one added, a few wording edits and debris.
pub fn syndicated_copy(article: &Article, rng: &mut Rng) -> (Article, SyndicationEdits) {
    let mut copy = article.clone();
    let mut edits = SyndicationEdits::default();
    if let Some(h) = &article.headline {
        copy.headline = Some(new_headline(h, rng));
        edits.headline = true;
    }
    copy.dateline = article.dateline.as_ref().and_then(|d| {
        let place = d
            .split(',')
            .next()
            .unwrap_or(d)
            .trim()
            .trim_end_matches('-')
            .trim();
        match rng.below(3) {
            0 => Some(format!("{place}:")),
            1 => Some(format!("{place} -")),
            _ => None,
        }
    });
    let n = copy.paragraphs.len();
    if n >= 4 && rng.chance(0.7) {
        let drops = rng.range(1, if n >= 7 { 2 } else { 1 });
        for _ in 0..drops {
            let at = rng.range(1, copy.paragraphs.len() - 1);
            copy.paragraphs.remove(at);
            edits.dropped.push(at);
        }
    }
    if rng.chance(0.35) || edits.dropped.is_empty() {
        let at = rng.range(1, copy.paragraphs.len());
        copy.paragraphs.insert(at, added_paragraph(rng));
        edits.added += 1;
    }
    for _ in 0..rng.range(0, 3) {
        if wording_edit(&mut copy, rng) {
            edits.wording += 1;
        }
    }
    copy.separator = if rng.chance(0.3) { "\n" } else { "\n\n" }.to_string();
    if rng.chance(0.6) {
        add_debris(&mut copy, rng, 1, 2);
    }
    (copy, edits)
}

/// A new headline in sentence case, shortened or with an outlet's tag.
pub fn new_headline(headline: &str, rng: &mut Rng) -> String {
    let words: Vec<&str> = headline.split_whitespace().collect();
    let keep = if words.len() > 4 && rng.chance(0.5) {
        words.len() - rng.range(1, 2)
    } else {
        words.len()
    };
    let mut s = String::new();
    for (i, w) in words.iter().take(keep).enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let lower = w.to_lowercase();
        if i == 0 {
            let mut c = lower.chars();
            if let Some(f) = c.next() {
                s.extend(f.to_uppercase());
                s.push_str(c.as_str());
            }
        } else if w.len() <= 4 && w.chars().all(|c| c.is_ascii_uppercase()) && rng.chance(0.3) {
            s.push_str(w);
        } else {
            s.push_str(&lower);
        }
    }
    match rng.below(4) {
        0 => format!("{s}: report"),
        1 => format!("UPDATE - {s}"),
        _ => s,
    }
}

fn wording_edit(article: &mut Article, rng: &mut Rng) -> bool {
    let n = article.paragraphs.len();
    if n == 0 {
        return false;
    }
    let start = rng.below(WORDING.len());
    for k in 0..WORDING.len() {
        let (from, to) = WORDING[(start + k) % WORDING.len()];
        let p = rng.below(n);
        for j in 0..n {
            let para = &mut article.paragraphs[(p + j) % n];
            if let Some(at) = para.find(from) {
                para.replace_range(at..at + from.len(), to);
                return true;
            }
        }
    }
    false
}

fn add_debris(article: &mut Article, rng: &mut Rng, lo: usize, hi: usize) {
    for _ in 0..rng.range(lo, hi) {
        if let Some(line) = rng.pick(DEBRIS) {
            let at = if rng.chance(0.6) {
                usize::MAX
            } else {
                rng.below(article.paragraphs.len().max(1))
            };
            article.debris.push((at, line.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article() -> Article {
        Article::new(
            Some("OPEC SAYS OUTPUT STEADY".into()),
            Some("VIENNA, March 3 -".into()),
            (0..6)
                .map(|i| format!("Paragraph {i} said output was 15 mln barrels a day."))
                .collect(),
        )
    }

    #[test]
    fn verbatim_keeps_every_paragraph() {
        let a = article();
        let c = verbatim_copy(&a, &mut Rng::new(1));
        assert_eq!(c.paragraphs, a.paragraphs);
        assert!(!c.debris.is_empty());
    }

    #[test]
    fn independent_outlets_seldom_add_the_same_paragraph() {
        // Regression: a pool of six fixed paragraphs made sibling copies
        // share additions, so a copy looked derived from its sibling.
        let mut rng = Rng::new(7);
        let paragraphs: Vec<String> = (0..200).map(|_| added_paragraph(&mut rng)).collect();
        let distinct: std::collections::BTreeSet<&String> = paragraphs.iter().collect();
        assert!(distinct.len() > 150, "{} distinct of 200", distinct.len());
    }

    #[test]
    fn syndicated_copy_edits_something() {
        for seed in 0..20 {
            let a = article();
            let (c, e) = syndicated_copy(&a, &mut Rng::new(seed));
            assert!(e.headline);
            assert!(!e.dropped.is_empty() || e.added > 0);
            assert_ne!(c.render(), a.render());
        }
    }
}
