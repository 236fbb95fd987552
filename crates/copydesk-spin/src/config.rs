//! The options of `tag.spin.v1`, shared with `copydesk despin`.

use crate::resources::BUILTIN_DICTIONARIES;
use crate::stage::SpinStage;
use crate::tagger::SpinTagger;
use copydesk_core::{BuiltStage, Capability, OptionDoc, OptionError, StageConfig, StageKind, cap};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Options of the intrinsic spin tagger.
///
/// ```toml
/// [[stage]]
/// type = "tag.spin.v1"
/// threshold = 0.5
/// tortured_phrase_files = ["science-tortured.tsv"]   # spun<TAB>original
/// tortured_phrases = { "profound learning" = "deep learning" }
/// synonyms = ["my-thesaurus.txt"]                     # a|b|c  or  original<TAB>spun|spun
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpinConfig {
    /// Document score (0..1) at or above which a document is judged spun.
    pub threshold: f64,
    /// Smallest confidence (0..1) of a substitution restored in a spun
    /// document. Unset: the re-ranker's calibrated threshold (0.5 where
    /// the re-ranker is off); set: that threshold or this value, whichever
    /// is higher.
    pub min_confidence: Option<f64>,
    /// Built-in synonym dictionaries read in reverse: any of `"wordnet"`, `"moby"`.
    pub dictionaries: Vec<String>,
    /// Extra synonym dictionary files. Each line is a group of mutual
    /// synonyms `word|word|word`, or `original<TAB>spun|spun` (the spinner
    /// writes one of the right-hand wordings for the left-hand one); `#`
    /// starts a comment.
    pub synonyms: Vec<PathBuf>,
    /// Files of known tortured phrases, one `spun<TAB>original` per line;
    /// `#` starts a comment. Listed phrases are restored whatever the context.
    pub tortured_phrase_files: Vec<PathBuf>,
    /// Known tortured phrases given inline: `{ "spun wording" = "original" }`.
    pub tortured_phrases: BTreeMap<String, String>,
    /// Whether to use the built-in list of tortured phrases from the
    /// scientific-misconduct literature.
    pub builtin_tortured_phrases: bool,
    /// Whether quoted speech is left alone.
    pub protect_quotes: bool,
    /// Extra evidence (natural log of odds) needed to rewrite a capitalized
    /// word inside a sentence (likely a name).
    pub name_margin: f64,
    /// A domain's word and bigram counts (`word count` and `word word
    /// count` lines, gzip or plain, as `copydesk ngrams` writes them),
    /// added to the built-in language model: fluent wording of the
    /// user's own domain (a newswire archive, papers of one field).
    pub language_model: Option<PathBuf>,
    /// How much the domain counts weigh against the built-in model's
    /// (1: as much in all).
    pub language_model_weight: f64,
}

impl Default for SpinConfig {
    fn default() -> Self {
        SpinConfig {
            threshold: 0.5,
            min_confidence: None,
            dictionaries: BUILTIN_DICTIONARIES.iter().map(|s| s.to_string()).collect(),
            synonyms: Vec::new(),
            tortured_phrase_files: Vec::new(),
            tortured_phrases: BTreeMap::new(),
            builtin_tortured_phrases: true,
            protect_quotes: true,
            name_margin: 4.0,
            language_model: None,
            language_model_weight: 1.0,
        }
    }
}

impl StageConfig for SpinConfig {
    const NAME: &'static str = "tag.spin.v1";
    const KIND: StageKind = StageKind::Document;
    const DESCRIPTION: &'static str = "Marks words a spinner likely substituted, restores the original wording, and judges the document";
    const NEEDS: &'static [Capability] = &[cap::TEXT_RAW];
    const PROVIDES: &'static [Capability] = &[cap::SPIN];
    const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "threshold",
            kind: "number",
            doc: "Document score (0..1) at or above which a document is judged spun",
        },
        OptionDoc {
            name: "min_confidence",
            kind: "number",
            doc: "Smallest confidence (0..1) of a substitution restored in a spun document (unset: the calibrated threshold)",
        },
        OptionDoc {
            name: "dictionaries",
            kind: "list of strings",
            doc: "Built-in synonym dictionaries read in reverse: \"wordnet\", \"moby\"",
        },
        OptionDoc {
            name: "synonyms",
            kind: "list of paths",
            doc: "Extra synonym files: lines `a|b|c` (mutual synonyms) or `original<TAB>spun|spun`",
        },
        OptionDoc {
            name: "tortured_phrase_files",
            kind: "list of paths",
            doc: "Files of known tortured phrases, `spun<TAB>original` per line, always restored",
        },
        OptionDoc {
            name: "tortured_phrases",
            kind: "table of strings",
            doc: "Known tortured phrases inline: { \"spun wording\" = \"original\" }",
        },
        OptionDoc {
            name: "builtin_tortured_phrases",
            kind: "boolean",
            doc: "Use the built-in list of tortured phrases from the literature",
        },
        OptionDoc {
            name: "protect_quotes",
            kind: "boolean",
            doc: "Leave quoted speech alone",
        },
        OptionDoc {
            name: "name_margin",
            kind: "number",
            doc: "Extra log-odds needed to rewrite a capitalized word inside a sentence",
        },
        OptionDoc {
            name: "language_model",
            kind: "path",
            doc: "A domain's word and bigram counts (as report.ngrams.v1 writes them) added to the built-in language model",
        },
        OptionDoc {
            name: "language_model_weight",
            kind: "number",
            doc: "Weight of the domain counts against the built-in model's (default 1: as much in all)",
        },
    ];

    fn validate(&self) -> Result<(), OptionError> {
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(OptionError::for_key("threshold", "must be between 0 and 1"));
        }
        if self
            .min_confidence
            .is_some_and(|c| !(0.0..1.0).contains(&c))
        {
            return Err(OptionError::for_key(
                "min_confidence",
                "must be in 0..1 (1 excluded)",
            ));
        }
        if let Some(bad) = self
            .dictionaries
            .iter()
            .find(|d| !BUILTIN_DICTIONARIES.contains(&d.as_str()))
        {
            return Err(OptionError::for_key(
                "dictionaries",
                format!(
                    "unknown dictionary `{bad}` (known: {})",
                    BUILTIN_DICTIONARIES.join(", ")
                ),
            ));
        }
        if !self.name_margin.is_finite() || self.name_margin < 0.0 {
            return Err(OptionError::for_key(
                "name_margin",
                "must be a non-negative number",
            ));
        }
        if !self.language_model_weight.is_finite() || self.language_model_weight < 0.0 {
            return Err(OptionError::for_key(
                "language_model_weight",
                "must be a non-negative number",
            ));
        }
        Ok(())
    }

    fn build(&self) -> Result<BuiltStage, OptionError> {
        let tagger = SpinTagger::new(self).map_err(|e| {
            let key = match e {
                crate::SpinError::Read { ref path, .. } if self.synonyms.contains(path) => {
                    "synonyms"
                }
                crate::SpinError::Read { ref path, .. }
                    if self.language_model.as_ref() == Some(path) =>
                {
                    "language_model"
                }
                crate::SpinError::Read { .. } => "tortured_phrase_files",
                crate::SpinError::UnknownDictionary(_) => "dictionaries",
            };
            OptionError::for_key(key, e.to_string())
        })?;
        Ok(BuiltStage::Document(Box::new(SpinStage::new(tagger))))
    }
}
