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

#[test]
fn mojibake_repair_leaves_real_text_alone() {
    // Real pages in English, Portuguese, Russian and more, with curly
    // quotes, accents and symbols: nothing here is mojibake.
    let mut changed = Vec::new();
    for (id, body) in bodies() {
        if copydesk_clean::mojibake::repair_mojibake(&body) != body {
            changed.push(id);
        }
    }
    assert!(changed.is_empty(), "{changed:?}");
}

#[test]
fn mojibake_made_from_real_text_is_repaired() {
    // Encode each body as UTF-8 and read it back as windows-1252, as a
    // misconfigured scraper would; the repair must give the body back
    // wherever only the characters it knows were involved.
    let mut checked = 0;
    for (id, body) in bodies() {
        let Some(garbled) = as_windows_1252(&body) else {
            continue;
        };
        if garbled == body {
            continue;
        }
        checked += 1;
        assert_eq!(
            copydesk_clean::mojibake::repair_mojibake(&garbled),
            body,
            "{id}"
        );
    }
    assert!(checked > 50, "{checked}");
}

/// `text`'s UTF-8 bytes read as windows-1252, if every character is one the
/// repair handles (Latin-1 letters and signs, general punctuation).
fn as_windows_1252(text: &str) -> Option<String> {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    let mut out = String::new();
    for c in text.chars() {
        let handled = c.is_ascii()
            || ('\u{a0}'..='\u{ff}').contains(&c)
            || ('\u{2000}'..='\u{206f}').contains(&c)
            || c == '™';
        if !handled {
            return None;
        }
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            out.push(match b {
                0x80..=0x9f => HIGH[usize::from(b - 0x80)],
                _ => char::from(b),
            });
        }
    }
    Some(out)
}
