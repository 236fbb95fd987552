//! The embedded tables (loaded once per process) and the user's own
//! resources named in `pipeline.toml`.

use crate::SpinError;
use crate::language_model::LanguageModel;
use crate::morph::Morphology;
use crate::thesaurus::{ReverseThesaurus, normalize};
use flate2::read::GzDecoder;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

static UNIGRAMS: &[u8] = include_bytes!("../data/unigrams.txt.gz");
static BIGRAMS: &[u8] = include_bytes!("../data/bigrams.txt.gz");
static WORDNET: &[u8] = include_bytes!("../data/wordnet.txt.gz");
static MOBY: &[u8] = include_bytes!("../data/moby.txt.gz");
static EXCEPTIONS: &[u8] = include_bytes!("../data/exceptions.txt.gz");
static TORTURED: &str = include_str!("../data/tortured_phrases.tsv");

/// The names of the built-in synonym dictionaries.
pub const BUILTIN_DICTIONARIES: &[&str] = &["wordnet", "moby"];

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    // The tables are embedded at build time; a corrupt one yields an empty
    // table (and the tests, which check known entries, fail).
    if GzDecoder::new(bytes).read_to_string(&mut out).is_err() {
        out.clear();
    }
    out
}

/// The bigram language model.
pub fn language_model() -> &'static LanguageModel {
    static LM: OnceLock<LanguageModel> = OnceLock::new();
    LM.get_or_init(|| LanguageModel::from_text(&gunzip(UNIGRAMS), &gunzip(BIGRAMS)))
}

/// Reads the built-in tables a tagger will use (the language model, the
/// morphology, the named dictionaries and, with `originals`, the
/// precomputed originals) each on its own thread, so that they are read
/// side by side on a machine with cores to spare: a dictionary waits for
/// the model only to rank its entries. Tables already read are not read
/// again; a thread that cannot be started leaves its table to be read
/// when first used.
pub(crate) fn read_tables_side_by_side(dictionaries: &[String], originals: bool) {
    std::thread::scope(|scope| {
        for name in dictionaries {
            spawn_in(scope, move || {
                builtin_dictionary(name);
            });
        }
        if originals {
            spawn_in(scope, || {
                crate::precomputed::builtin();
            });
        }
        spawn_in(scope, || {
            morphology();
        });
        language_model();
    });
}

/// Runs `job` on a thread of `scope`; if no thread can be started, does
/// nothing (what the job would have read is read when first used).
fn spawn_in<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    job: impl FnOnce() + Send + 'scope,
) {
    let _ = std::thread::Builder::new().spawn_scoped(scope, job);
}

/// Irregular inflections.
pub fn morphology() -> &'static Morphology {
    static M: OnceLock<Morphology> = OnceLock::new();
    M.get_or_init(|| Morphology::from_text(&gunzip(EXCEPTIONS)))
}

/// A built-in dictionary by name, or `None` for an unknown name.
pub fn builtin_dictionary(name: &str) -> Option<&'static ReverseThesaurus> {
    static WN: OnceLock<ReverseThesaurus> = OnceLock::new();
    static MB: OnceLock<ReverseThesaurus> = OnceLock::new();
    match name {
        "wordnet" => Some(WN.get_or_init(|| {
            ReverseThesaurus::from_groups("wordnet", &gunzip(WORDNET)).rank_by(phrase_log_count)
        })),
        "moby" => Some(MB.get_or_init(|| {
            ReverseThesaurus::from_roots("moby", &gunzip(MOBY)).rank_by(phrase_log_count)
        })),
        _ => None,
    }
}

/// Natural log of a wording's count: its rarest word's.
pub(crate) fn phrase_log_count(phrase: &str) -> f64 {
    let lm = language_model();
    phrase
        .split(' ')
        .map(|w| lm.log_count(w))
        .fold(f64::MAX, f64::min)
}

/// The built-in list of known tortured phrases (`spun<TAB>original`).
pub fn builtin_tortured_phrases() -> HashMap<String, String> {
    parse_phrase_pairs(TORTURED)
}

/// Parses `spun<TAB>original` lines; `#` starts a comment line.
pub fn parse_phrase_pairs(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(s, o)| (normalize(s).into_owned(), o.trim().to_string()))
        .filter(|(s, o)| !s.is_empty() && !o.is_empty())
        .collect()
}

/// The built-in language model with a domain's counts added
/// ([`LanguageModel::blended`]), read once per process for each file and
/// weight.
pub fn domain_language_model(
    path: &Path,
    weight: f64,
) -> Result<&'static LanguageModel, SpinError> {
    type Key = (std::path::PathBuf, u64);
    static MODELS: OnceLock<std::sync::Mutex<HashMap<Key, &'static LanguageModel>>> =
        OnceLock::new();
    let key = (path.to_path_buf(), weight.to_bits());
    let models = MODELS.get_or_init(Default::default);
    if let Some(lm) = models.lock().ok().and_then(|m| m.get(&key).copied()) {
        return Ok(lm);
    }
    let bytes = std::fs::read(path).map_err(|source| SpinError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = String::new();
        // Multi-member: concatenated gzip files (shards' counts) read whole.
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_string(&mut out)
            .map_err(|source| SpinError::Read {
                path: path.to_path_buf(),
                source,
            })?;
        out
    } else {
        String::from_utf8(bytes).map_err(|e| SpinError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?
    };
    // Kept for the life of the process, like the built-in tables: one
    // model per distinct file and weight.
    let lm: &'static LanguageModel = Box::leak(Box::new(language_model().blended(&text, weight)));
    if let Ok(mut m) = models.lock() {
        m.insert(key, lm);
    }
    Ok(lm)
}

fn read(path: &Path) -> Result<String, SpinError> {
    std::fs::read_to_string(path).map_err(|source| SpinError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a user's tortured-phrase file (`spun<TAB>original` per line).
pub fn load_phrase_file(path: &Path) -> Result<HashMap<String, String>, SpinError> {
    Ok(parse_phrase_pairs(&read(path)?))
}

/// Reads a user's synonym dictionary. Each line is either a group of
/// mutual synonyms `word|word|word`, or `original<TAB>spun|spun` (the
/// spinner writes one of the right-hand words for the left-hand one).
/// `#` starts a comment line.
pub fn load_synonym_file(path: &Path) -> Result<ReverseThesaurus, SpinError> {
    let text = read(path)?;
    let mut t = ReverseThesaurus::new(path.display().to_string());
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        if let Some((root, syns)) = line.split_once('\t') {
            let syns: Vec<&str> = syns.split('|').map(str::trim).collect();
            t.add_root(root.trim(), &syns);
        } else {
            let members: Vec<&str> = line.split('|').map(str::trim).collect();
            if members.len() >= 2 {
                t.add_group(&members);
            }
        }
    }
    Ok(t.finish().rank_by(phrase_log_count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_tables_hold_known_entries() {
        let lm = language_model();
        assert!(lm.knows("security") && lm.attested("security", "breach"));
        assert!(morphology().analyze("said").iter().any(|(l, _)| l == "say"));
        let wn = builtin_dictionary("wordnet").expect("wordnet");
        assert!(
            wn.originals("automobile")
                .iter()
                .any(|o| &*o.lemma == "car")
        );
        let moby = builtin_dictionary("moby").expect("moby");
        assert!(
            moby.originals("metropolis")
                .iter()
                .any(|o| &*o.lemma == "city")
        );
        assert!(builtin_dictionary("nope").is_none());
        assert_eq!(
            builtin_tortured_phrases()
                .get("counterfeit consciousness")
                .map(String::as_str),
            Some("artificial intelligence")
        );
    }

    #[test]
    fn concatenated_gzip_count_files_are_read_whole() {
        use std::io::Write;
        let gz = |text: &str| {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(text.as_bytes()).expect("to memory");
            e.finish().expect("to memory")
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("shards.txt.gz");
        let mut bytes = gz("quarterly 5\nquarterly dividend 5\n");
        bytes.extend(gz("zoning 5\nzoning board 5\n"));
        std::fs::write(&path, bytes).expect("written");
        let lm = domain_language_model(&path, 1.0).expect("read");
        let base = language_model();
        // The second member's bigram counts as much as the first one's.
        for (a, b) in [("quarterly", "dividend"), ("zoning", "board")] {
            assert!(lm.log_cond(a, b) > base.log_cond(a, b), "{a} {b}");
        }
    }

    #[test]
    fn user_files_parse() {
        let dir = tempfile::tempdir().expect("tempdir");
        let syn = dir.path().join("syn.txt");
        std::fs::write(&syn, "# comment\nbig|large\nfast\tspeedy|quick\n").expect("write");
        let t = load_synonym_file(&syn).expect("load");
        assert_eq!(&*t.originals("large")[0].lemma, "big");
        assert_eq!(&*t.originals("speedy")[0].lemma, "fast");
        assert!(t.originals("fast").is_empty());
        let err = load_synonym_file(&dir.path().join("missing.txt")).unwrap_err();
        assert!(err.to_string().contains("missing.txt"), "{err}");
    }
}
