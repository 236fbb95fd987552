//! The clean stages on the hand-checked main texts of the article
//! extraction benchmark (181 real pages from many outlets and languages):
//! clean article bodies, so the layout cleaner must remove very little.
//!
//! Reads `../shared/data/article-extraction-benchmark/ground-truth.json`
//! beside the checkout.

use copydesk_clean::{
    NewsLayoutCleaner, NewsLayoutConfig, RemovedKind, UnicodeCleanerConfig, normalize_unicode,
    unwrap_text,
};
use copydesk_core::Meta;

const GROUND_TRUTH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/article-extraction-benchmark/ground-truth.json"
);

fn bodies() -> Vec<(String, String)> {
    let json = std::fs::read_to_string(GROUND_TRUTH)
        .unwrap_or_else(|e| panic!("{GROUND_TRUTH}: {e} (the shared benchmark data is needed)"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v.as_object()
        .unwrap()
        .iter()
        .filter_map(|(id, page)| Some((id.clone(), page["articleBody"].as_str()?.to_string())))
        .collect()
}

#[test]
fn clean_article_bodies_lose_almost_nothing() {
    let cleaner = NewsLayoutCleaner::new(NewsLayoutConfig::default()).unwrap();
    let (mut chars, mut removed, mut headlines) = (0, 0, 0);
    let bodies = bodies();
    assert!(bodies.len() > 150);
    for (id, body) in &bodies {
        let text = unwrap_text(&normalize_unicode(body, &UnicodeCleanerConfig::default()));
        assert_eq!(unwrap_text(&text), text, "{id}");
        let split = cleaner.split(&text, &Meta::default());
        chars += text.chars().count();
        for piece in &split.removed {
            match piece.kind {
                // Datelines and credit lines are in these bodies and are
                // rightly split off.
                RemovedKind::Dateline | RemovedKind::Credit => {}
                RemovedKind::Headline => headlines += 1,
                _ => removed += piece.text.chars().count(),
            }
        }
        let again = cleaner.split(&split.body, &split.meta);
        assert_eq!(again.body, split.body, "{id}");
    }
    println!(
        "{} bodies, {chars} characters, {removed} removed as debris, captions or \
         sub-headlines, {headlines} first paragraphs taken for headlines",
        bodies.len()
    );
    assert!(removed * 100 < chars, "{removed} of {chars}");
    assert!(headlines * 10 < bodies.len(), "{headlines}");
}
