//! The originals of every vocabulary word under the built-in
//! dictionaries, computed ahead of time.
//!
//! Finding which words a word may have replaced (its readings by the
//! morphology, every dictionary's reverse entries, each original
//! inflected back, ranked, tested for mutual listing) costs tens of
//! microseconds per word; the tagger did it the first time each word was
//! met, so the first few thousand documents of a run paid for most of the
//! vocabulary. `data/word_originals.txt.gz` holds the result for every
//! word of the vocabulary under the default dictionaries (`wordnet`,
//! `moby`, no user dictionary), written by `examples/derive_originals.rs`
//! from the tagger's own computation; a tagger with other dictionaries
//! computes as before. A test compares the table with the computation.
//!
//! Format: one line per word, `word`, then per original four fields
//! `original<TAB>fanout<TAB>rank<TAB>mutual` (mutual `0` or `1`), all
//! separated by tabs; a word with no original is a line of its own.

use crate::language_model::LanguageModel;
use std::fmt::Write as _;
use std::sync::OnceLock;

static TABLE: &[u8] = include_bytes!("../data/word_originals.txt.gz");

/// One original of a word: its words, fanout, rank and mutual flag (the
/// tagger's `originals_of` output).
pub(crate) type Reading = (Vec<String>, u32, u32, bool);

/// The decompressed table with each vocabulary id's line.
pub(crate) struct WordOriginals {
    text: String,
    /// Per vocabulary id, the byte range of its line's originals (after
    /// the word), or `None` for a word the table does not hold.
    lines: Vec<Option<(u32, u32)>>,
}

impl WordOriginals {
    /// Indexes a table's text by the model's vocabulary.
    pub(crate) fn from_text(text: String, lm: &LanguageModel) -> WordOriginals {
        let mut lines = vec![None; lm.vocabulary_size()];
        let mut at = 0usize;
        for line in text.split_inclusive('\n') {
            let body = line.trim_end_matches('\n');
            let (word, rest_start) = match body.find('\t') {
                Some(t) => (&body[..t], at + t + 1),
                None => (body, at + body.len()),
            };
            if let Some(slot) = lm.id(word).and_then(|id| lines.get_mut(id as usize)) {
                *slot = Some((rest_start as u32, (at + body.len()) as u32));
            }
            at += line.len();
        }
        WordOriginals { text, lines }
    }

    /// The originals of a vocabulary word as [`WordOriginals::get`]
    /// gives them, each original's words left joined by spaces as the
    /// table holds them (nothing allocated but the list).
    pub(crate) fn fields(&self, id: u32) -> Option<Vec<(&str, u32, u32, bool)>> {
        let (start, end) = (*self.lines.get(id as usize)?)?;
        let body = self.text.get(start as usize..end as usize)?;
        fields_of(body)
    }

    /// The originals of a vocabulary word, or `None` when the table does
    /// not hold it (or its line is malformed).
    #[cfg(test)]
    pub(crate) fn get(&self, id: u32) -> Option<Vec<Reading>> {
        let (start, end) = (*self.lines.get(id as usize)?)?;
        let body = self.text.get(start as usize..end as usize)?;
        if body.is_empty() {
            return Some(Vec::new());
        }
        let fields: Vec<&str> = body.split('\t').collect();
        if !fields.len().is_multiple_of(4) {
            return None;
        }
        fields
            .chunks_exact(4)
            .map(|f| {
                Some((
                    f[0].split(' ').map(str::to_string).collect(),
                    f[1].parse().ok()?,
                    f[2].parse().ok()?,
                    f[3] == "1",
                ))
            })
            .collect()
    }
}

/// The originals of one line's body (after the word), as
/// [`WordOriginals::fields`] gives them: tab-separated fields read with
/// one pass over the bytes (tabs are ASCII, so every cut is a character
/// boundary) and numbers parsed as `str::parse::<u32>` would.
fn fields_of(body: &str) -> Option<Vec<(&str, u32, u32, bool)>> {
    if body.is_empty() {
        return Some(Vec::new());
    }
    let bytes = body.as_bytes();
    let tabs = bytes.iter().filter(|&&b| b == b'\t').count();
    let mut out = Vec::with_capacity(tabs / 4 + 1);
    let mut at = 0usize;
    // The next field, like `str::split('\t')`.
    let mut next = || -> Option<&str> {
        if at > bytes.len() {
            return None;
        }
        let rest = bytes.get(at..)?;
        let end = rest
            .iter()
            .position(|&b| b == b'\t')
            .map_or(bytes.len(), |p| at + p);
        let field = body.get(at..end);
        at = end + 1;
        field
    };
    while let Some(original) = next() {
        let (Some(fanout), Some(rank), Some(mutual)) = (next(), next(), next()) else {
            return None;
        };
        out.push((
            original,
            parse_u32(fanout.as_bytes())?,
            parse_u32(rank.as_bytes())?,
            mutual == "1",
        ));
    }
    Some(out)
}

/// `str::parse::<u32>().ok()` on the bytes of a field: an optional `+`,
/// then at least one decimal digit, no overflow.
#[inline]
fn parse_u32(field: &[u8]) -> Option<u32> {
    let digits = match field {
        [b'+', rest @ ..] => rest,
        _ => field,
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: u32 = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u32::from(d))?;
    }
    Some(n)
}

/// Writes one word's line of the table.
pub(crate) fn write_line(out: &mut String, word: &str, readings: &[Reading]) {
    out.push_str(word);
    for (words, fanout, rank, mutual) in readings {
        let _ = write!(
            out,
            "\t{}\t{fanout}\t{rank}\t{}",
            words.join(" "),
            u8::from(*mutual)
        );
    }
    out.push('\n');
}

/// The embedded table, decompressed and indexed once per process (`None`
/// if it cannot be read: the tagger then computes every word).
pub(crate) fn builtin() -> Option<&'static WordOriginals> {
    static T: OnceLock<Option<WordOriginals>> = OnceLock::new();
    T.get_or_init(|| {
        use std::io::Read;
        let mut text = String::new();
        flate2::read::GzDecoder::new(TABLE)
            .read_to_string(&mut text)
            .ok()?;
        if text.is_empty() {
            return None;
        }
        Some(WordOriginals::from_text(
            text,
            crate::resources::language_model(),
        ))
    })
    .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `WordOriginals::fields` on one body as it was before `fields_of`:
    /// `str::split` and `str::parse`.
    fn fields_reference(body: &str) -> Option<Vec<(&str, u32, u32, bool)>> {
        if body.is_empty() {
            return Some(Vec::new());
        }
        let mut out = Vec::new();
        let mut fields = body.split('\t');
        while let Some(original) = fields.next() {
            let (Some(fanout), Some(rank), Some(mutual)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return None;
            };
            out.push((
                original,
                fanout.parse().ok()?,
                rank.parse().ok()?,
                mutual == "1",
            ));
        }
        Some(out)
    }

    /// Bodies made of the pieces the parser turns on.
    fn body() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("\t".to_string()),
                Just("big apple".to_string()),
                Just("1".to_string()),
                Just("0".to_string()),
                Just("+".to_string()),
                Just("-".to_string()),
                Just("4294967295".to_string()),
                Just("4294967296".to_string()),
                "[0-9]{1,3}",
                "\\PC{0,3}",
            ],
            0..30,
        )
        .prop_map(|p| p.concat())
    }

    proptest! {
        #[test]
        fn fields_are_read_as_before(body in body()) {
            prop_assert_eq!(fields_of(&body), fields_reference(&body));
        }

        #[test]
        fn well_formed_fields_are_read_as_before(
            rows in proptest::collection::vec(("[a-z ]{1,12}", any::<u32>(), any::<u32>(), any::<bool>()), 0..12)
        ) {
            let body = rows
                .iter()
                .map(|(w, f, r, m)| format!("{w}\t{f}\t{r}\t{}", u8::from(*m)))
                .collect::<Vec<_>>()
                .join("\t");
            prop_assert_eq!(fields_of(&body), fields_reference(&body));
        }

        #[test]
        fn numbers_parse_as_str_parse(field in "[+-]?[0-9]{0,12}|\\PC{0,4}") {
            prop_assert_eq!(parse_u32(field.as_bytes()), field.parse::<u32>().ok());
        }
    }

    #[test]
    fn lines_read_back() {
        let lm = crate::resources::language_model();
        let mut text = String::new();
        let readings: Vec<Reading> = vec![
            (vec!["city".to_string()], 12, 3, true),
            (vec!["big".to_string(), "apple".to_string()], 40, 7, false),
        ];
        write_line(&mut text, "metropolis", &readings);
        write_line(&mut text, "the", &[]);
        let t = WordOriginals::from_text(text, lm);
        let id = |w: &str| lm.id(w).expect("known word");
        assert_eq!(t.get(id("metropolis")), Some(readings.clone()));
        assert_eq!(t.get(id("the")), Some(Vec::new()));
        assert_eq!(t.get(id("city")), None);
        // The borrowed fields read the same originals.
        for word in ["metropolis", "the", "city"] {
            let joined = t.get(id(word)).map(|r| {
                r.into_iter()
                    .map(|(w, f, k, m)| (w.join(" "), f, k, m))
                    .collect::<Vec<_>>()
            });
            let fields = t.fields(id(word)).map(|r| {
                r.into_iter()
                    .map(|(w, f, k, m)| (w.to_string(), f, k, m))
                    .collect::<Vec<_>>()
            });
            assert_eq!(joined, fields, "{word}");
        }
        // A malformed line is refused by both.
        let mut bad = String::new();
        write_line(&mut bad, "metropolis", &readings);
        let bad = bad.replace("\t7\t", "\tseven\t");
        let t = WordOriginals::from_text(bad, lm);
        assert_eq!(t.get(id("metropolis")), None);
        assert_eq!(t.fields(id("metropolis")), None);
    }
}
