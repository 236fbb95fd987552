//! Synthetic news corpora for throughput benchmarks, built from Reuters-21578.
//!
//! Repeating the Reuters records to reach a gigabyte would show the
//! provenance stage every story fifty times, which no real crawl does. Each
//! synthetic article instead takes a Reuters headline and dateline and
//! one or two consecutive sentences from each of three to six other random
//! stories, laid out like a Reuters body (hard-wrapped lines, indented
//! paragraphs, "Reuter" sign-off). A gigabyte needs each Reuters sentence
//! about fifty times, so sentences are varied too: the digits of numbers
//! are perturbed and half of the capitalised words inside a sentence
//! (names, places, companies) are swapped for other capitalised words of
//! the collection. Articles are therefore mostly unrelated to each other,
//! like a crawl, while the text keeps the vocabulary, sentence shapes and
//! layout of real news. As in a crawl, a small share of articles
//! ([`COPY_RATE`]) are republished copies of a recent one (a paragraph
//! dropped or a line added), so the provenance stage has real work whose
//! amount grows linearly with the corpus. A seeded generator makes the
//! corpus the same on every machine.

use anyhow::{Context, Result, bail};
use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

/// A small, fast, seeded pseudo-random generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    /// A generator with this seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }
}

/// Share of articles that republish a recent article.
pub const COPY_RATE: f64 = 0.02;
/// How many recent articles a copy may come from.
const RECENT: usize = 1_000;
/// Chance that a capitalised word inside a sentence is swapped.
const NAME_SWAP_RATE: usize = 2; // one in two

/// One Reuters story cut into sentences.
struct Story {
    title: String,
    dateline: String,
    sentences: Vec<String>,
}

/// The Reuters stories that have a body, cut into sentences.
struct Source {
    stories: Vec<Story>,
    /// Capitalised words found inside sentences (names, places, companies).
    names: Vec<String>,
}

impl Source {
    fn read(path: &Path) -> Result<Self> {
        let file =
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let mut stories = Vec::new();
        for line in std::io::BufReader::new(file).lines() {
            let line = line?;
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            let Some(text) = v["text"].as_str() else {
                continue;
            };
            let sentences = sentences(text);
            if sentences.len() < 2 {
                continue;
            }
            stories.push(Story {
                title: v["title"].as_str().unwrap_or_default().to_string(),
                dateline: v["dateline"].as_str().unwrap_or_default().to_string(),
                sentences,
            });
        }
        if stories.is_empty() {
            bail!("no stories with text in {}", path.display());
        }
        let mut names: Vec<String> = stories
            .iter()
            .flat_map(|s| &s.sentences)
            .flat_map(|s| s.split(' ').skip(1))
            .filter(|w| is_name(w))
            .map(str::to_string)
            .collect();
        names.sort_unstable();
        names.dedup();
        Ok(Source { stories, names })
    }
}

/// The sentences of a Reuters body: lines unwrapped, the "Reuter"
/// sign-off dropped, cut after `.`, `?` or `!` followed by a space and a
/// capital letter or a quote.
fn sentences(text: &str) -> Vec<String> {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat = flat
        .trim_end_matches("REUTER")
        .trim_end_matches("Reuter")
        .trim_end();
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = flat.char_indices().collect();
    for w in chars.windows(3) {
        let [(_, end), (_, space), (next_at, next)] = [w[0], w[1], w[2]];
        if matches!(end, '.' | '?' | '!') && space == ' ' && (next.is_uppercase() || next == '"') {
            let s = flat[start..next_at].trim();
            if s.len() > 20 {
                out.push(s.to_string());
            }
            start = next_at;
        }
    }
    let last = flat[start..].trim();
    if last.len() > 20 {
        out.push(last.to_string());
    }
    out
}

/// Perturbs the digits of numbers: the first digit of each number is
/// kept (so magnitudes stay plausible), each later digit changes with
/// probability one half.
fn perturb_numbers(s: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_digit = false;
    for c in s.chars() {
        let is_digit = c.is_ascii_digit();
        if is_digit && prev_digit && rng.below(2) == 0 {
            let d = b'0' + rng.below(10) as u8;
            out.push(d as char);
        } else {
            out.push(c);
        }
        prev_digit = is_digit;
    }
    out
}

/// A capitalised word of letters (not an all-capitals abbreviation).
fn is_name(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && word.len() >= 3
        && chars.all(|c| c.is_ascii_lowercase())
}

/// Swaps about half of the capitalised words after a sentence's first
/// word for random ones from `names`.
fn swap_names(sentence: &str, names: &[String], rng: &mut Rng) -> String {
    let mut out = String::with_capacity(sentence.len() + 16);
    for (i, word) in sentence.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if i > 0 && is_name(word) && !names.is_empty() && rng.below(NAME_SWAP_RATE) == 0 {
            out.push_str(&names[rng.below(names.len())]);
        } else {
            out.push_str(word);
        }
    }
    out
}

/// Wraps a paragraph at about 65 columns, as Reuters bodies are.
fn wrap(paragraph: &str, out: &mut String) {
    let mut col = 0;
    for word in paragraph.split(' ') {
        if col > 0 && col + word.len() > 65 {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += word.len();
    }
}

/// One synthetic article: a headline and dateline from one story, one or
/// two sentences from each of three to six others, varied.
fn article(source: &Source, rng: &mut Rng) -> (String, String, String) {
    let stories = &source.stories;
    let head = &stories[rng.below(stories.len())];
    let mut sentences: Vec<String> = Vec::new();
    for _ in 0..rng.between(3, 6) {
        let story = &stories[rng.below(stories.len())];
        let run = rng.between(1, 2);
        let from = rng.below(story.sentences.len() - run + 1);
        for s in &story.sentences[from..from + run] {
            let s = swap_names(s, &source.names, rng);
            sentences.push(perturb_numbers(&s, rng));
        }
    }
    let mut text = String::new();
    let mut i = 0;
    while i < sentences.len() {
        let n = rng.between(1, 3).min(sentences.len() - i);
        if i > 0 {
            text.push_str("\n    ");
        }
        wrap(&sentences[i..i + n].join(" "), &mut text);
        i += n;
    }
    text.push_str("\n Reuter");
    (
        perturb_numbers(&head.title, rng),
        head.dateline.clone(),
        text,
    )
}

/// A republished copy: the same story with its last paragraph dropped, or
/// with an outlet's line added at the end.
fn republish(original: &(String, String, String), rng: &mut Rng) -> (String, String, String) {
    let (title, dateline, text) = original.clone();
    let body = text.trim_end_matches("\n Reuter");
    let text = match body.rfind("\n    ") {
        Some(cut) if rng.below(2) == 0 => format!("{}\n Reuter", &body[..cut]),
        _ => format!("{body}\n    Copyright the publisher. All rights reserved.\n Reuter"),
    };
    (title, dateline, text)
}

/// Writes synthetic articles as JSON lines (`id`, `title`, `dateline`,
/// `text`) to `out` until it holds at least `bytes` bytes; returns the
/// number of articles. The same seed gives the same file.
pub fn write_synthetic(reuters: &Path, out: &Path, bytes: u64, seed: u64) -> Result<u64> {
    let source = Source::read(reuters)?;
    let mut rng = Rng::new(seed);
    let tmp = out.with_extension("partial");
    let mut w = BufWriter::new(std::fs::File::create(&tmp)?);
    let (mut written, mut n) = (0u64, 0u64);
    let mut recent: Vec<(String, String, String)> = Vec::with_capacity(RECENT);
    let copy_per_million = (COPY_RATE * 1e6) as usize;
    while written < bytes {
        let (title, dateline, text) =
            if !recent.is_empty() && rng.below(1_000_000) < copy_per_million {
                republish(&recent[rng.below(recent.len())], &mut rng)
            } else {
                let a = article(&source, &mut rng);
                if recent.len() < RECENT {
                    recent.push(a.clone());
                } else {
                    let slot = rng.below(RECENT);
                    recent[slot] = a.clone();
                }
                a
            };
        let line = serde_json::json!({
            "id": format!("syn-{seed}-{n}"),
            "title": title,
            "dateline": dateline,
            "text": text,
        })
        .to_string();
        w.write_all(line.as_bytes())?;
        w.write_all(b"\n")?;
        written += line.len() as u64 + 1;
        n += 1;
    }
    w.flush()?;
    drop(w);
    std::fs::rename(&tmp, out)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_cut_at_sentence_ends() {
        let s = sentences(
            "Showers continued in\nthe zone, the review said.\n    The dry period means\nlate arrivals. \"It is bad,\" he said.\n Reuter",
        );
        assert_eq!(
            s,
            [
                "Showers continued in the zone, the review said.",
                "The dry period means late arrivals.",
                "\"It is bad,\" he said."
            ]
        );
    }

    #[test]
    fn numbers_keep_their_first_digit_and_length() {
        let mut rng = Rng::new(7);
        let out = perturb_numbers("rose 155,221 bags to 5.93 mln in 1987", &mut rng);
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).count();
        assert_eq!(digits(&out), digits("155,221 5.93 1987"));
        assert!(out.starts_with("rose 1"));
        assert!(out.contains(" bags to 5."));
    }

    #[test]
    fn names_are_swapped_after_the_first_word() {
        let names = vec!["Oslo".to_string()];
        let mut rng = Rng::new(3);
        let mut swapped = 0;
        for _ in 0..200 {
            let out = swap_names(
                "Shell said Exxon and Mobil met in Paris on Monday",
                &names,
                &mut rng,
            );
            assert!(out.starts_with("Shell said "));
            assert!(out.contains(" and ") && out.contains(" met in "));
            swapped += out.matches("Oslo").count();
        }
        // Four capitalised words after the first, each swapped half the time.
        assert!((300..500).contains(&swapped), "{swapped}");
        assert!(!is_name("NYSE") && !is_name("said") && is_name("Paris"));
    }

    #[test]
    fn copies_keep_the_story() {
        let mut rng = Rng::new(5);
        let original = (
            "T".to_string(),
            "D".to_string(),
            "First para.\n    Second para.\n Reuter".to_string(),
        );
        for _ in 0..8 {
            let (_, _, text) = republish(&original, &mut rng);
            assert!(text.starts_with("First para."));
            assert!(text.ends_with("\n Reuter"));
        }
    }

    #[test]
    fn the_generator_is_seeded() {
        let a: Vec<u64> = (0..4)
            .scan(Rng::new(1), |r, _| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..4)
            .scan(Rng::new(1), |r, _| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a[0], a[1]);
    }
}
