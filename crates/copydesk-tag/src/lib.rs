//! copydesk tag stages: annotation layers over the clean text.
//!
//! Every stage here is a [`copydesk_core::DocumentStage`] that reads
//! [`Document::text`](copydesk_core::Document::text) and adds one layer with
//! [`Document::annotate`](copydesk_core::Document::annotate). Spans are byte
//! offsets into the clean text, always on `char` boundaries. The stages run
//! after cleaning (paragraphs separated by blank lines; typographic and
//! straight quotation marks are handled alike). A stage that wants another
//! layer (quotes want sentences and entities; numbers and entities want
//! tokens) uses it when an earlier stage wrote it, and computes it itself
//! otherwise, so each stage also runs alone. The `tokens` layer is reused
//! only when it is whole (written with `keep_punctuation`, the default).
//! Without it, the stages that read tokens (entities, numbers, and
//! `tag.tokens.v1` itself) tokenize a document once between them: the
//! first one keeps the tokens in [`Document::cache`](copydesk_core::Document::cache)
//! (under a type private to this crate) and the others read them there
//! ([`tokens::document_tokens`]).
//!
//! # Stages
//!
//! | stage | needs | provides | options (default) |
//! |---|---|---|---|
//! | `tag.sentences.v1` | `text.raw` | `layer.sentences` | `line_breaks_end_sentences` (false), `extra_abbreviations` ([]) |
//! | `tag.tokens.v1` | `text.raw` | `layer.tokens` | `keep_punctuation` (true) |
//! | `tag.numbers.v1` | `text.raw` | `layer.numbers` | `skip_years` (true) |
//! | `tag.dates.v1` | `text.raw` | `layer.dates` | `anchor_to_document_date` (true) |
//! | `tag.entities.v1` | `layer.sentences` | `layer.entities` | `single_word_misc` (true) |
//! | `tag.quotes.v1` | `layer.sentences` | `layer.quotes` | `indirect` (true), `resolve_pronouns` (true) |
//!
//! The quotes stage also uses the `entities` layer (to type speakers) when an
//! earlier stage wrote it; run `tag.entities.v1` before it, as the default
//! pipeline does.
//!
//! # Layers (a public contract)
//!
//! | layer | labels | attrs |
//! |---|---|---|
//! | `sentences` | `sentence` | none. Sentences are in order, trimmed, and cover every non-whitespace character; a blank line always ends one. |
//! | `tokens` | `word`, `number`, `punct`, `symbol` | none (the layer is kept lean). Tokens cover every non-whitespace character. `U.S.`, `China’s`, `co-operation`, `155,221`, `3.5`, `10:30` are one token each; `$65-billion` is `$` `65` `-` `billion`. |
//! | `numbers` | `number`, `quantity` (with a unit), `money`, `percent`, `ordinal` | `value` (f64; the low end of a range; scale words applied: `5.93 mln` → 5930000), `value_max` (high end of a range: `340 to 350 cruzados`), `unit` (as written, lowercase: `kg`, `lbs`, `bags`, `dlrs`, `pct`, `%`, `minutes`, `decade`), `currency` (ISO 4217: `USD` for `$`/`dlrs`, `GBP` for `stg`, `BRC` for `cruzados`; the word itself when no code is certain: `rupees`), `counted` (the noun a bare cardinal counts: `two Chinese engineers` → `engineers`), `approximation` (`nearly`, `about`, `more than`, ...), `vague: true` (orders of magnitude: `thousands`, `1000’s`). Spans never overlap; numbers inside words (`G7`, `CPEC`) and dates, times and bare years (`1987`, with `skip_years`) are left out. |
//! | `dates` | `date`, `time`, `duration` | `normalized` (ISO 8601 / TIMEX3 style: `1987-03-03`, `--02-26` with no year known, `1987-03`, `1987`, `198X`, `XXXX-WXX-1` for Monday, `T17:00`, `PT40M`, `P10Y`; relative dates only when anchored on an ISO `meta.date`: `last week` → `2024-W14`), `relative` (for relative dates: `-P1W`, `-P1M`, `P0D`, `-P3Y`). Spans never overlap. |
//! | `entities` | `PERSON`, `ORG`, `GPE`, `NORP`, `MISC` | `title` for a person introduced by one (`President` for `President Xi Jinping`; the span is the name). Spans never overlap; a possessive `’s` is left out. |
//! | `quotes` | `quote` | `direct` (bool: quoted speech, or reported speech when false), `speaker` (the mention as written, or the person a pronoun was resolved to), `speaker_start`/`speaker_end` (byte span of the mention), `cue` (lowercase: `said`, `told`, `added`, `admitted`, `mentioned`, `according to`, ...), `speaker_type` (`named_person`, `named_role`, `organization`, `anonymous`, `pronoun`, `unknown`), `pronoun` (`he`/`she` when resolved), `inherited: true` (attribution carried from the previous quote of the paragraph), `unclosed: true` (the mark was never closed). Direct quotes span their quotation marks and never overlap each other, even across paragraphs; a reported-speech span covers the reported words and may contain a short direct quote. |
//!
//! Direct quotes are found between double marks (“ ” „ « » and straight
//! `"`) and between typographic single marks (‘ ’) used as quotation marks
//! outside double quotes; straight single quotes are taken as apostrophes.
//!
//! The gazetteers in `data/` (countries, cities, nationalities, organisations,
//! organisation suffixes, person titles, given names) were written for this
//! crate and are under the crate's licence (MIT OR Apache-2.0).
//!
//! # Use without the runner
//!
//! ```
//! use copydesk_core::{BuiltStage, Document, Source, StageConfig};
//! use copydesk_tag::quotes::QuotesConfig;
//! use copydesk_tag::sentences::SentencesConfig;
//!
//! let mut doc = Document::new(
//!     "d1",
//!     Source::default(),
//!     "“It was a grave security breach,” admitted one of the officials investigating the bombing.",
//! );
//! for built in [SentencesConfig::default().build(), QuotesConfig::default().build()] {
//!     let Ok(BuiltStage::Document(stage)) = built else { panic!("not a document stage") };
//!     stage.process(&mut doc).expect("tagging never fails on valid text");
//! }
//! let quote = &doc.layer("quotes")[0];
//! assert_eq!(quote.attrs["speaker"], "one of the officials investigating the bombing");
//! assert_eq!(quote.attrs["cue"], "admitted");
//! assert_eq!(quote.attrs["speaker_type"], "anonymous");
//! ```
//!
//! Or build every stage by name from [`factories`] and a TOML option table,
//! as the runner does.
#![deny(missing_docs)]

pub mod dates;
pub mod entities;
pub mod fasthash;
pub mod gazetteer;
pub mod layer;
pub mod lexicon;
pub mod numbers;
pub mod quotes;
pub mod scan;
pub mod sentences;
pub mod tokens;

use copydesk_core::{StageFactory, factory};

/// Every stage this crate registers.
pub fn factories() -> Vec<StageFactory> {
    vec![
        factory::<sentences::SentencesConfig>(),
        factory::<tokens::TokensConfig>(),
        factory::<numbers::NumbersConfig>(),
        factory::<dates::DatesConfig>(),
        factory::<entities::EntitiesConfig>(),
        factory::<quotes::QuotesConfig>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_core::testing::check_factory;

    fn factory_named(name: &str) -> StageFactory {
        factories()
            .into_iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name} is not registered"))
    }

    #[test]
    fn sentences_factory() {
        check_factory(&factory_named("tag.sentences.v1"));
    }

    #[test]
    fn tokens_factory() {
        check_factory(&factory_named("tag.tokens.v1"));
    }

    #[test]
    fn numbers_factory() {
        check_factory(&factory_named("tag.numbers.v1"));
    }

    #[test]
    fn dates_factory() {
        check_factory(&factory_named("tag.dates.v1"));
    }

    #[test]
    fn entities_factory() {
        check_factory(&factory_named("tag.entities.v1"));
    }

    #[test]
    fn quotes_factory() {
        check_factory(&factory_named("tag.quotes.v1"));
    }

    fn run_all(text: &str) -> Result<copydesk_core::Document, String> {
        let mut doc =
            copydesk_core::Document::new("p", copydesk_core::Source::default(), text.to_string());
        doc.meta.date = Some("2024-02-29".into());
        for f in factories() {
            let Ok(copydesk_core::BuiltStage::Document(stage)) = (f.build)(&(f.defaults)()) else {
                return Err(format!("{} does not build", f.name));
            };
            stage
                .process(&mut doc)
                .map_err(|e| format!("{}: {e}", f.name))?;
        }
        Ok(doc)
    }

    proptest::proptest! {
        // Document::annotate checks every span (bounds and char boundaries),
        // so a stage that produced a bad span would return an error here.
        #[test]
        fn every_stage_accepts_any_text(s in "\\PC{0,300}") {
            proptest::prop_assert!(run_all(&s).is_ok(), "{:?}", run_all(&s).err());
        }

        #[test]
        fn every_stage_accepts_newsy_text(
            s in "([A-Z][a-z]{0,7}|[a-z]{1,8}|[0-9]{1,5}|[0-9],[0-9]{3}|U\\.S\\.|Mr\\.|said|told|\\$|%|pct|mln|[.,:;?!()]|[“”‘’\"']|\n\n|\n| ){0,120}"
        ) {
            let doc = run_all(&s);
            proptest::prop_assert!(doc.is_ok(), "{:?}", doc.err());
        }
    }

    /// Runs the stages named (defaults, in the order given) on `text`,
    /// with the tokens cached beforehand when `warm`.
    fn run_stages(text: &str, names: &[&str], warm: bool) -> copydesk_core::Document {
        let mut doc =
            copydesk_core::Document::new("p", copydesk_core::Source::default(), text.to_string());
        doc.meta.date = Some("2024-02-29".into());
        if warm {
            tokens::document_tokens(&mut doc);
        }
        for name in names {
            let f = factory_named(name);
            let Ok(copydesk_core::BuiltStage::Document(stage)) = (f.build)(&(f.defaults)()) else {
                panic!("{name} does not build");
            };
            stage.process(&mut doc).expect("tagging never fails");
        }
        doc
    }

    const LAYERS_OVER_TOKENS: [&str; 4] = ["entities", "numbers", "dates", "quotes"];

    proptest::proptest! {
        // One tokenization shared through the document's cache gives the
        // layers each stage gave when it tokenized the text itself: cold
        // cache, warmed cache, and after the tokens stage (whole or lean).
        #[test]
        fn shared_tokens_leave_every_layer_as_it_was(
            s in "([A-Z][a-z]{0,7}|[a-z]{1,8}|[0-9]{1,5}|[0-9],[0-9]{3}|U\\.S\\.|Mr\\.|President|Xi|said|told|two|million|March|\\$|%|pct|mln|[.,:;?!()]|[“”‘’\"']|\n\n|\n| ){0,80}"
        ) {
            let without = ["tag.sentences.v1", "tag.entities.v1", "tag.numbers.v1", "tag.dates.v1", "tag.quotes.v1"];
            let with = ["tag.sentences.v1", "tag.tokens.v1", "tag.entities.v1", "tag.numbers.v1", "tag.dates.v1", "tag.quotes.v1"];
            let cold = run_stages(&s, &without, false);
            // The finders that tokenize for themselves, without the cache.
            let sentences = sentences::sentence_spans(&cold);
            let entities: Vec<copydesk_core::Annotation> = entities::EntityFinder::default()
                .find(&s, &sentences)
                .iter()
                .map(entities::Entity::to_annotation)
                .collect();
            proptest::prop_assert_eq!(cold.layer("entities"), entities.as_slice());
            let numbers: Vec<(usize, usize)> = numbers::NumberFinder::default()
                .find(&s)
                .iter()
                .map(|m| (m.start, m.end))
                .collect();
            proptest::prop_assert!(cold.layer("numbers").iter().all(|a| numbers.contains(&(a.start, a.end))));
            for (names, warm) in [(&without[..], true), (&with[..], false), (&with[..], true)] {
                let doc = run_stages(&s, names, warm);
                for layer in LAYERS_OVER_TOKENS {
                    proptest::prop_assert_eq!(doc.layer(layer), cold.layer(layer), "{} {:?} {}", layer, names, warm);
                }
            }
            let mut lean = copydesk_core::Document::new("p", copydesk_core::Source::default(), s.clone());
            lean.meta.date = Some("2024-02-29".into());
            use copydesk_core::StageConfig;
            let lean_tokens = tokens::TokensConfig { keep_punctuation: false };
            let Ok(copydesk_core::BuiltStage::Document(stage)) = lean_tokens.build() else {
                panic!("tag.tokens.v1 does not build");
            };
            stage.process(&mut lean).expect("tagging never fails");
            for name in without {
                let f = factory_named(name);
                let Ok(copydesk_core::BuiltStage::Document(stage)) = (f.build)(&(f.defaults)()) else {
                    panic!("{name} does not build");
                };
                stage.process(&mut lean).expect("tagging never fails");
            }
            for layer in LAYERS_OVER_TOKENS {
                proptest::prop_assert_eq!(lean.layer(layer), cold.layer(layer), "{} lean", layer);
            }
        }
    }

    #[test]
    fn every_factory_is_a_document_stage_that_adds_a_layer() {
        let names: Vec<&str> = factories().iter().map(|f| f.name).collect();
        assert_eq!(names.len(), 6);
        for f in factories() {
            assert_eq!(f.kind, copydesk_core::StageKind::Document, "{}", f.name);
            assert!(!f.rewrites_text, "{}", f.name);
            assert!(
                f.provides.iter().all(|p| p.starts_with("layer.")),
                "{}",
                f.name
            );
        }
    }
}
