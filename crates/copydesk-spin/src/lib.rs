//! Intrinsic spin detection for copydesk: finds the words an article
//! spinner substituted, restores the wording they most likely replaced, and
//! judges whether a document was spun — from language evidence alone, with
//! no source document at hand.
//!
//! The evidence is a synonym dictionary read in reverse (which common words
//! could this word have replaced, and was this word one of their commonest
//! synonyms?) and a bigram language model (does the candidate make the
//! local bigrams far more probable? does the whole text read as fluently as
//! edited news? how many of its words sit inside dictionary phrases that a
//! shorter, far more fluent original explains?). Two adjacent words both
//! replaced are also judged together, between their real neighbours. A
//! document is judged first; a document judged spun is then repaired by a
//! context re-ranker ([`rerank`]): a logistic model that weighs each
//! candidate original against the other originals of the same words, the
//! same mapping elsewhere in the document, the original's use elsewhere in
//! it, the document's own rate and style, the original's topic support
//! (how many other words of the document a dictionary lets stand for it:
//! [`TopicSupport`]), and a joint reading of the whole
//! document (forward-backward over every way
//! of keeping or replacing each word, so that a candidate beside another
//! spun word is judged beside that word's likely originals too). Once a
//! span is to be restored, a conditional logit over the span's candidates
//! ([`rerank::Choice`]) picks which original. It is
//! calibrated on articles held apart from the evaluation's test articles.
//! Both resources ship embedded
//! as compact tables derived from openly licensed data (`data/LICENSES.md`;
//! rebuilt by `examples/derive_tables.rs`). Users add their own tortured
//! phrases and synonym dictionaries through [`SpinConfig`], and their own
//! domain's word and bigram counts ([`ngrams`], written by the report stage
//! `report.ngrams.v1`, [`NgramsReport`]) to the language model.
//!
//! The stage `tag.spin.v1` ([`SpinStage`]) stores a [`copydesk_core::SpinVerdict`]
//! under `doc.ext["spin"]` and a `spin` annotation layer. Without the runner:
//!
//! ```
//! use copydesk_spin::{SpinConfig, SpinTagger};
//!
//! let tagger = SpinTagger::new(&SpinConfig::default()).expect("built-in resources");
//! let verdict = tagger.analyze("The model uses profound learning to rank pages.");
//! assert!(verdict.repaired.contains("deep learning"));
//! for s in &verdict.substitutions {
//!     println!("{}..{}: {:?} <- {:?} ({:.2})", s.start, s.end, s.spun, s.original, s.confidence);
//! }
//! ```
//!
//! [`spinner`] holds the simple spinners used to build development sets and
//! [`evaluation`] the measures (word error rate) reported by `examples/eval.rs`.
//!
//! # Data and tuning
//!
//! The tables in `data/` are rebuilt with
//! `cargo run -p copydesk-spin --example derive_tables -- --symspell DIR --wordnet DIR --moby FILE --out crates/copydesk-spin/data`
//! (see that file for where each source comes from). The scoring weights
//! ([`Weights`]) were chosen with `examples/eval.rs --calibrate` on a
//! calibration set of Reuters-21578 articles held apart from the
//! evaluation's test articles, spun by this crate's spinners: for each
//! setting the document threshold is placed 10% above the 99.75th
//! percentile of the unspun calibration articles, and the setting with the
//! best recall wins; repair weights then maximize the errors removed minus
//! the words damaged, under 0.9% damage and at most 1% of documents made
//! worse. Detection counts weaker evidence than repair acts on (`detect_*`
//! weights). The re-ranker ([`rerank::Rerank`]) is fitted by
//! `examples/eval.rs --fit-rerank` on the same calibration articles (spun
//! at 7–50%): a logistic regression per document style, boosted trees
//! ([`forest`]) that correct its log-odds where the features interact
//! (`data/rerank_forest.txt`, `--write-forest`), then the thresholds that
//! remove the most errors while damaging under 0.8% of correct words and
//! making at most 1% of documents worse.
//! `examples/bench.rs` measures speed.
//!
//! # Speed
//!
//! [`SpinTagger::analyze`] (and the stage) builds only the candidates that
//! could be selected under the tagger's weights: the context evidence of
//! each candidate is first bounded from above by per-word maxima of the
//! bigram probabilities (no table lookup), and runs of words that no
//! dictionary phrase can show in any inflection are skipped. A text is
//! first read for detection alone; only a document judged spun is read
//! again, keeping every candidate that passes the re-ranker's gate.
//! [`SpinTagger::candidates`] stays exhaustive, for tuning under other
//! weights; `examples/bench.rs --digest [--exhaustive]` checks that both
//! give the same verdicts.
//!
//! The originals of every vocabulary word under the default dictionaries
//! are computed ahead of time (`data/word_originals.txt.gz`, written by
//! `examples/derive_originals.rs` from the tagger's own computation; see
//! [`precomputed`](crate::SpinTagger::uses_precomputed_originals)): a run
//! no longer pays, in its first few thousand documents, for finding the
//! originals of most of the vocabulary word by word. A tagger with other
//! dictionaries computes them as before.
//!
//! # Limits
//!
//! The evidence favours spinners that trade common words for rarer synonyms.
//! A spinner that picks equally common synonyms ("safety" for "security",
//! "mentioned" for "said") leaves mostly contextual evidence, which the
//! bigram table (Google Books counts, 243k bigrams) gives too weakly to
//! restore word by word; such documents are judged mostly by their overall
//! fluency and the rarer substitutions among them. A spinner that writes
//! phrases of common words for single words (the Moby "common" spinner of
//! the evaluation: "am after" for "proposed") reads fluently to a bigram
//! model; it is detected by the share of words inside dictionary phrases
//! that a shorter original makes far more fluent
//! ([`Analysis::expanded_words`]). Such documents are repaired by the
//! re-ranker's phrase model, which removes about 37 % of their
//! errors (the word model 40–57 % of a word spinner's); a lightly spun
//! real article such as seed 000 gets few restorations, the model having
//! been fitted on spinners of our own. A second reading of a repaired
//! document with its first restorations in place
//! ([`rerank::Rerank::second_round`], off) restored a little more on the
//! calibration articles but damaged more correct words than it gained.
//! Phrase expansions outside the dictionaries ("had been" for "were", "got
//! here" for "came") are not restored unless listed as tortured phrases:
//! WordNet 3.0 has no "get here", "as an alternative", "Chinese language"
//! or "one of many" lemma, and Moby lists none of them under "come",
//! "instead", "Chinese" or "the", so no reading of the shipped tables
//! derives them; a user who meets such a spinner lists its phrases in
//! `tortured_phrases` (see [`SpinConfig`]).
//! At the default threshold about 0.25% of unspun 1987 Reuters articles of
//! 120–800 words are expected to be judged spun (the calibration target);
//! texts much shorter than that get a prior against judging.
#![deny(missing_docs)]

mod config;
pub mod evaluation;
pub mod forest;
mod language_model;
mod lattice;
mod morph;
mod ngram_report;
pub mod ngrams;
mod precomputed;
pub mod rerank;
mod resources;
pub mod spinner;
mod stage;
mod tables;
mod tagger;
mod thesaurus;
mod tokens;

pub use config::SpinConfig;
pub use language_model::LanguageModel;
pub use morph::{Form, Morphology};
pub use ngram_report::{NgramsReport, NgramsReportConfig};
pub use ngrams::{NgramCounts, TextWords};
pub use resources::{BUILTIN_DICTIONARIES, builtin_dictionary, language_model, morphology};
pub use stage::SpinStage;
pub use tagger::{Analysis, Candidate, SpinTagger, TopicSupport, Weights};
pub use thesaurus::{Original, ReverseThesaurus};
pub use tokens::{Lower, Token, detect_quotes, tokenize};

use copydesk_core::{StageFactory, factory};
use std::path::PathBuf;

/// Why the spin tagger could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SpinError {
    /// A user resource file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A built-in dictionary name that does not exist.
    #[error("unknown built-in dictionary `{0}`")]
    UnknownDictionary(String),
}

/// Every stage this crate registers.
pub fn factories() -> Vec<StageFactory> {
    vec![factory::<SpinConfig>(), factory::<NgramsReportConfig>()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn factories_check() {
        for f in super::factories() {
            copydesk_core::testing::check_factory(&f);
        }
    }
}
