//! The two seed articles through the three clean stages.

use copydesk_clean::{
    NewsLayoutCleaner, NewsLayoutConfig, UnicodeCleaner, UnicodeCleanerConfig, UnwrapConfig,
    Unwrapper,
};
use copydesk_core::{Document, DocumentStage, Source};

const SEED_000: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../seeds/000_ad935d4100d70209.txt"
));
const SEED_001: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../seeds/001_25e86bbaf733a1cc.txt"
));

fn clean(raw: &str) -> Document {
    let mut doc = Document::new("seed", Source::default(), raw);
    UnicodeCleaner::new(UnicodeCleanerConfig::default())
        .process(&mut doc)
        .unwrap();
    Unwrapper::new(UnwrapConfig::default())
        .process(&mut doc)
        .unwrap();
    NewsLayoutCleaner::new(NewsLayoutConfig::default())
        .unwrap()
        .process(&mut doc)
        .unwrap();
    doc
}

fn removed_kinds(doc: &Document) -> Vec<(String, String)> {
    doc.meta.extra["layout_removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_string(),
                r["text"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn seed_001_republished_story_is_split() {
    let doc = clean(SEED_001);
    let m = &doc.meta;
    assert_eq!(
        m.headline.as_deref(),
        Some("China proposes own security: report")
    );
    assert_eq!(
        m.subheadlines,
        ["Islamabad, Beijing in talks for joint security system"]
    );
    assert_eq!(m.captions, ["Pakistan-China cooperation. - Reuters/file"]);
    assert_eq!(m.dateline.as_deref(), Some("ISLAMABAD"));
    assert_eq!(m.debris.len(), 1);
    assert!(m.debris[0].starts_with("Load Next Story"), "{:?}", m.debris);
    assert!(
        doc.text.starts_with("Beijing is pushing Islamabad"),
        "{}",
        doc.text
    );
    assert!(doc.text.ends_with("returned from a month off in Thailand."));
    assert!(!doc.text.contains("Load Next Story"));
    // Every body paragraph survived, including those mentioning Reuters.
    assert_eq!(doc.text.split("\n\n").count(), 10);
    assert!(
        doc.text
            .contains("Reuters spoke to five Pakistani security")
    );
    assert_eq!(
        removed_kinds(&doc)
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>(),
        ["headline", "subheadline", "caption", "dateline", "debris"]
    );
}

#[test]
fn seed_000_spun_story_is_split() {
    let doc = clean(SEED_000);
    let m = &doc.meta;
    assert_eq!(m.byline.as_deref(), Some("Asif Shahzad"));
    assert_eq!(m.dateline.as_deref(), Some("ISLAMABAD"));
    assert_eq!(m.credit.as_deref(), Some("Reuters"));
    assert_eq!(m.headline, None);
    assert!(m.captions.is_empty() && m.debris.is_empty());
    assert!(
        doc.text.starts_with("Beijing is pushing Pakistan"),
        "{}",
        doc.text
    );
    // The removed dateline is kept verbatim.
    assert_eq!(
        removed_kinds(&doc),
        [
            ("byline".to_string(), "By Asif Shahzad".to_string()),
            ("dateline".to_string(), "ISLAMABAD (Reuters) –".to_string()),
        ]
    );
    // Crossheads stay in the body, as their own paragraphs, and are listed.
    assert!(doc.text.contains("\n\n‘GRAVE SECURITY BREACH’\n\n"));
    assert!(doc.text.contains("\n\n‘CHINESE FRUSTRATIONS’\n\n"));
    assert_eq!(
        doc.meta.extra["crossheads"],
        serde_json::json!(["‘GRAVE SECURITY BREACH’", "‘CHINESE FRUSTRATIONS’"])
    );
    // Typographic quotes are kept; the last paragraph is intact.
    assert!(
        doc.text
            .contains("“They (Chinese) want to bring in their own security,”")
    );
    assert!(doc.text.ends_with("the Pakistani officers mentioned."));
}

#[test]
fn seeds_are_stable_under_a_second_cleaning() {
    for seed in [SEED_000, SEED_001] {
        let once = clean(seed);
        let mut twice = once.clone();
        UnicodeCleaner::new(UnicodeCleanerConfig::default())
            .process(&mut twice)
            .unwrap();
        Unwrapper::new(UnwrapConfig::default())
            .process(&mut twice)
            .unwrap();
        NewsLayoutCleaner::new(NewsLayoutConfig::default())
            .unwrap()
            .process(&mut twice)
            .unwrap();
        assert_eq!(twice, once);
    }
}

#[test]
fn cleaning_after_tagging_is_an_error() {
    let mut doc = Document::new("seed", Source::default(), SEED_001);
    doc.annotate("tokens", [copydesk_core::Annotation::new(0, 5, "word")])
        .unwrap();
    let err = NewsLayoutCleaner::new(NewsLayoutConfig::default())
        .unwrap()
        .process(&mut doc)
        .unwrap_err();
    assert!(err.message.contains("clean before you tag"), "{err}");
    let mut spun = Document::new("seed", Source::default(), SEED_000);
    spun.annotate("tokens", [copydesk_core::Annotation::new(0, 2, "word")])
        .unwrap();
    let err = Unwrapper::default().process(&mut spun).unwrap_err();
    assert!(err.message.contains("tokens"), "{err}");
    assert_eq!(spun.text, SEED_000);
}
