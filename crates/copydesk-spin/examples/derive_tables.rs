//! Derives the compact tables that `copydesk-spin` embeds, from openly
//! licensed sources (see `data/LICENSES.md`):
//!
//! * symspellpy's `frequency_dictionary_en_82_765.txt` and
//!   `frequency_bigramdictionary_en_243_342.txt` (MIT);
//! * WordNet 3.0 `data.{noun,verb,adj,adv}` and `*.exc` files (Debian
//!   `wordnet-base`; WordNet licence);
//! * Moby Thesaurus II `moby.txt` (public domain; shipped in the
//!   `thesaurus-moby` crate).
//!
//! ```text
//! pip download --no-deps symspellpy && unzip symspellpy-*.whl
//! apt-get download wordnet-base && dpkg-deb -x wordnet-base_*.deb wn
//! cargo run -p copydesk-spin --example derive_tables -- \
//!     --symspell symspellpy --wordnet wn/usr/share/wordnet \
//!     --moby ~/.cargo/registry/src/*/thesaurus-moby-0.2.0/src/moby.txt \
//!     --out crates/copydesk-spin/data
//! ```
//!
//! Outputs (gzip): `unigrams.txt.gz` (`word count`), `bigrams.txt.gz`
//! (`w1 w2 count`), `wordnet.txt.gz` (one synset per line, lemmas joined by
//! `|`), `moby.txt.gz` (`root|synonym|...`, filtered to the vocabulary),
//! `exceptions.txt.gz` (`inflected lemma`, irregular forms).

use flate2::Compression;
use flate2::write::GzEncoder;
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Moby roots kept: the most frequent words of the vocabulary (originals
/// a news spinner replaces are common words).
const MOBY_ROOT_RANK: usize = 30_000;
/// Longest phrase (in words) kept from the thesauri.
const MAX_PHRASE_WORDS: usize = 4;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |flag: &str| -> Result<PathBuf, String> {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from)
            .ok_or_else(|| format!("missing {flag} PATH"))
    };
    let symspell = get("--symspell")?;
    let wordnet = get("--wordnet")?;
    let moby = get("--moby")?;
    let out = get("--out")?;
    std::fs::create_dir_all(&out)?;

    let unigram_text =
        std::fs::read_to_string(symspell.join("frequency_dictionary_en_82_765.txt"))?;
    let mut vocab: HashMap<String, usize> = HashMap::new();
    let mut unigrams = String::new();
    for (rank, line) in unigram_text.lines().enumerate() {
        let mut it = line.split_whitespace();
        if let (Some(w), Some(c)) = (it.next(), it.next()) {
            vocab.entry(w.to_lowercase()).or_insert(rank);
            unigrams.push_str(&format!("{w} {c}\n"));
        }
    }
    write_gz(&out.join("unigrams.txt.gz"), &unigrams)?;

    let bigram_text =
        std::fs::read_to_string(symspell.join("frequency_bigramdictionary_en_243_342.txt"))?;
    let mut bigrams = String::new();
    for line in bigram_text.lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() == 3 {
            bigrams.push_str(&format!("{} {} {}\n", parts[0], parts[1], parts[2]));
        }
    }
    write_gz(&out.join("bigrams.txt.gz"), &bigrams)?;

    let known = |phrase: &str| -> bool {
        let words: Vec<&str> = phrase.split(' ').collect();
        words.len() <= MAX_PHRASE_WORDS
            && words
                .iter()
                .all(|w| !w.is_empty() && w.split('-').all(|p| vocab.contains_key(p)))
    };

    // WordNet synsets.
    let mut synsets = BTreeSet::new();
    for pos in ["noun", "verb", "adj", "adv"] {
        let text = std::fs::read_to_string(wordnet.join(format!("data.{pos}")))?;
        for line in text.lines().filter(|l| !l.starts_with("  ")) {
            let fields: Vec<&str> = line.split(' ').collect();
            let Some(count) = fields
                .get(3)
                .and_then(|c| usize::from_str_radix(c, 16).ok())
            else {
                continue;
            };
            let mut lemmas = BTreeSet::new();
            for k in 0..count {
                let Some(raw) = fields.get(4 + 2 * k) else {
                    break;
                };
                let lemma = raw.split('(').next().unwrap_or(raw);
                let lemma = lemma.replace('_', " ").to_lowercase();
                if known(&lemma) {
                    lemmas.insert(lemma);
                }
            }
            if lemmas.len() >= 2 {
                let joined: Vec<String> = lemmas.into_iter().collect();
                synsets.insert(format!("{pos}\t{}", joined.join("|")));
            }
        }
    }
    let wordnet_out: String = synsets.into_iter().map(|s| s + "\n").collect();
    write_gz(&out.join("wordnet.txt.gz"), &wordnet_out)?;

    // WordNet irregular forms.
    let mut exceptions = BTreeSet::new();
    for pos in ["noun", "verb", "adj", "adv"] {
        let text = std::fs::read_to_string(wordnet.join(format!("{pos}.exc")))?;
        for line in text.lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            if parts.len() >= 2 && vocab.contains_key(parts[0]) && !parts[0].contains('_') {
                for lemma in &parts[1..] {
                    if !lemma.contains('_') {
                        exceptions.insert(format!("{pos} {} {lemma}", parts[0]));
                    }
                }
            }
        }
    }
    let exceptions_out: String = exceptions.into_iter().map(|s| s + "\n").collect();
    write_gz(&out.join("exceptions.txt.gz"), &exceptions_out)?;

    // Moby: roots among the most frequent words, synonyms in the vocabulary.
    let moby_text = std::fs::read_to_string(&moby)?;
    let mut moby_out = String::new();
    for line in moby_text.lines() {
        let mut entries = line.split(',').map(|w| w.trim().to_lowercase());
        let Some(root) = entries.next() else { continue };
        if vocab.get(&root).is_none_or(|&rank| rank >= MOBY_ROOT_RANK) {
            continue;
        }
        let syns: BTreeSet<String> = entries.filter(|s| *s != root && known(s)).collect();
        if !syns.is_empty() {
            let joined: Vec<String> = syns.into_iter().collect();
            moby_out.push_str(&format!("{root}|{}\n", joined.join("|")));
        }
    }
    write_gz(&out.join("moby.txt.gz"), &moby_out)?;
    Ok(())
}

fn write_gz(path: &Path, text: &str) -> std::io::Result<()> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(text.as_bytes())?;
    std::fs::write(path, enc.finish()?)?;
    eprintln!("{}: {} bytes raw", path.display(), text.len());
    Ok(())
}
