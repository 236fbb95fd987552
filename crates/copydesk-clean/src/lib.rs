//! copydesk clean stages: the document stages that rewrite the text before
//! anything is tagged.
//!
//! | stage | runtime | options | what it does |
//! |---|---|---|---|
//! | `clean.unicode.v1` | [`UnicodeCleaner`] | [`UnicodeCleanerConfig`] | NFC/NFKC, `\n` line endings, invisible and control characters removed, exotic spaces to ` `, mojibake repaired ([`normalize_unicode`]) |
//! | `clean.unwrap.v1` | [`Unwrapper`] | [`UnwrapConfig`] | hard wraps joined, one paragraph per line with a blank line between, tables kept ([`unwrap_text`]) |
//! | `clean.news_layout.v1` | [`NewsLayoutCleaner`] | [`NewsLayoutConfig`] | headline, sub-headlines, byline, dateline, credits, captions and page debris moved from the body into `doc.meta` |
//!
//! They run in that order in the default pipeline. Each changes the text
//! only through [`Document::set_text`](copydesk_core::Document::set_text),
//! which fails (as a [`StageError`](copydesk_core::StageError)) once a
//! document carries annotations. Each is idempotent: running it again on
//! its own output changes nothing. Typographic quotes and dashes stay in
//! the text; stages that match wording fold them with
//! [`copydesk_core::text::fold_for_matching`].
//!
//! # Using the stages without the runner
//!
//! ```
//! use copydesk_clean::{
//!     NewsLayoutCleaner, NewsLayoutConfig, UnicodeCleaner, UnicodeCleanerConfig, Unwrapper,
//!     UnwrapConfig,
//! };
//! use copydesk_core::{Document, DocumentStage, Source};
//!
//! let raw = "Talks stall\r\n\r\nBy Jane Doe\r\nWASHINGTON (Reuters) \u{2013} Talks on the \
//!            budget stalled\r\non Monday, officials said.\r\n\r\nAdvertisement\r\n";
//! let mut doc = Document::new("a1", Source::default(), raw);
//! UnicodeCleaner::new(UnicodeCleanerConfig::default()).process(&mut doc)?;
//! Unwrapper::new(UnwrapConfig::default()).process(&mut doc)?;
//! NewsLayoutCleaner::new(NewsLayoutConfig::default())?.process(&mut doc)?;
//!
//! assert_eq!(doc.text, "Talks on the budget stalled on Monday, officials said.");
//! assert_eq!(doc.meta.headline.as_deref(), Some("Talks stall"));
//! assert_eq!(doc.meta.byline.as_deref(), Some("Jane Doe"));
//! assert_eq!(doc.meta.dateline.as_deref(), Some("WASHINGTON"));
//! assert_eq!(doc.meta.credit.as_deref(), Some("Reuters"));
//! assert_eq!(doc.meta.debris, ["Advertisement"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The text-only work is also available as plain functions:
//! [`normalize_unicode`], [`unwrap_text`], [`mojibake::repair_mojibake`] and
//! [`NewsLayoutCleaner::split`]. A stage can also be built from TOML options,
//! as the runner does, through [`factories`].
#![deny(missing_docs)]

pub mod layout;
pub mod mojibake;
pub mod tabular;
pub mod unicode;
pub mod unwrap;

pub use layout::{LayoutSplit, NewsLayoutCleaner, NewsLayoutConfig, RemovedKind, RemovedPiece};
pub use unicode::{NormalizationForm, UnicodeCleaner, UnicodeCleanerConfig, normalize_unicode};
pub use unwrap::{UnwrapConfig, Unwrapper, unwrap_text};

use copydesk_core::{StageFactory, factory};

/// Every stage this crate registers, in pipeline order.
pub fn factories() -> Vec<StageFactory> {
    vec![
        factory::<UnicodeCleanerConfig>(),
        factory::<UnwrapConfig>(),
        factory::<NewsLayoutConfig>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use copydesk_core::testing::check_factory;

    fn named(name: &str) -> StageFactory {
        factories()
            .into_iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name} is not registered"))
    }

    #[test]
    fn unicode_factory_is_well_formed() {
        check_factory(&named("clean.unicode.v1"));
    }

    #[test]
    fn unwrap_factory_is_well_formed() {
        check_factory(&named("clean.unwrap.v1"));
    }

    #[test]
    fn news_layout_factory_is_well_formed() {
        check_factory(&named("clean.news_layout.v1"));
    }

    #[test]
    fn every_stage_rewrites_text() {
        let all = factories();
        assert_eq!(all.len(), 3);
        assert!(all.iter().all(|f| f.rewrites_text));
    }

    #[test]
    fn bad_options_are_named() {
        let layout = named("clean.news_layout.v1");
        let mut t = toml::Table::new();
        t.insert(
            "caption_patterns".into(),
            toml::Value::Array(vec![toml::Value::String("(".into())]),
        );
        let e = (layout.build)(&t).err().expect("bad regex accepted");
        assert_eq!(e.key.as_deref(), Some("caption_patterns"));

        let unicode = named("clean.unicode.v1");
        let mut t = toml::Table::new();
        t.insert("form".into(), toml::Value::String("nfd".into()));
        let e = (unicode.build)(&t).err().expect("unknown form accepted");
        assert_eq!(e.key.as_deref(), Some("form"));

        let unwrap = named("clean.unwrap.v1");
        let mut t = toml::Table::new();
        t.insert("max_wrap_width".into(), toml::Value::Integer(10));
        let e = (unwrap.build)(&t).err().expect("max below min accepted");
        assert_eq!(e.key.as_deref(), Some("max_wrap_width"));
    }
}
