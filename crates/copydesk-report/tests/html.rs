//! `report.html.v1` without a browser: the page's structure, the data
//! block's escaping and the embedding limit.

mod common;

use copydesk_core::{Document, Source};
use copydesk_report::{HtmlReport, HtmlReportConfig};
use proptest::prelude::*;
use serde_json::Value;

const DATA_OPEN: &str = "<script type=\"application/json\" id=\"copydesk-data\">";

fn render(f: &common::Fixture, config: HtmlReportConfig) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut report = HtmlReport::new(config);
    let files = common::run_report(&mut report, f, dir.path());
    assert_eq!(files, [dir.path().join("report.html")]);
    (std::fs::read_to_string(&files[0]).unwrap(), dir)
}

/// The raw text of the data block: from its opening tag to the first `</script>`.
fn data_block(page: &str) -> &str {
    let start = page.find(DATA_OPEN).expect("data block") + DATA_OPEN.len();
    let len = page[start..].find("</script>").expect("data block closes");
    &page[start..start + len]
}

/// The page with its per-run nonce blanked out.
fn without_nonce(page: String) -> String {
    let Some(at) = page.find("nonce-") else {
        return page;
    };
    let value: String = page[at + 6..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert!(!value.is_empty());
    page.replace(&value, "NONCE")
}

#[test]
fn rendering_ahead_writes_the_same_page() {
    let report = || -> Box<dyn copydesk_core::ReportStage> {
        Box::new(HtmlReport::new(HtmlReportConfig::default()))
    };
    common::assert_rendered_output_is_identical(report, &common::fixture(), without_nonce);
}

#[test]
fn page_is_self_contained_with_overview_counts() {
    let f = common::fixture();
    let (page, dir) = render(&f, HtmlReportConfig::default());
    assert!(page.starts_with("<!DOCTYPE html>"));
    // Nothing is fetched: no external URLs in src/href, no links or imports.
    for banned in [
        "src=\"http",
        "href=\"http",
        "<link",
        "@import",
        "url(http",
        "fetch(",
    ] {
        assert!(!page.contains(banned), "page contains {banned}");
    }
    assert!(page.contains("Content-Security-Policy"));
    // Overview counts are plain HTML (no script needed).
    assert!(page.contains("id=\"count-documents\"><span class=\"n\">3</span>"));
    assert!(page.contains("id=\"count-relations\"><span class=\"n\">1</span>"));
    assert!(page.contains("id=\"count-spun\"><span class=\"n\">1</span>"));
    assert!(page.contains("id=\"count-verbatim\"><span class=\"n\">0</span>"));
    assert!(page.contains("id=\"count-same_story\"><span class=\"n\">0</span>"));
    assert!(page.contains("id=\"count-stories\"><span class=\"n\">1</span>"));
    assert!(page.contains("<td>provenance.v1</td>"));
    // Failures are escaped.
    assert!(page.contains("expected value &lt;oops&gt;"));
    // Everything fits: no left-out note.
    assert!(!page.contains("id=\"left-out\""));
    // The spill file is gone.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["report.html"]);

    let data: Value = serde_json::from_str(data_block(&page)).unwrap();
    assert_eq!(data["docs"].as_array().unwrap().len(), 3);
    assert_eq!(data["texts"].as_array().unwrap().len(), 3);
    let rel = &data["rels"][0];
    assert_eq!(rel["kind"], "spun");
    assert_eq!((rel["d"].as_u64(), rel["s"].as_u64()), (Some(0), Some(1)));
    let kinds: Vec<&str> = rel["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["=", "=", "+", "=", "-", "=", "+"]);
    // Substitution spans cut the right words out of the embedded texts
    // (UTF-16 offsets; these texts are ASCII).
    let copy = data["texts"][0]["text"].as_str().unwrap();
    let source = data["texts"][1]["text"].as_str().unwrap();
    let sub = rel["subs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["spun"] == "safety")
        .unwrap();
    let cut = |t: &str, s: &Value| {
        t[s[0].as_u64().unwrap() as usize..s[1].as_u64().unwrap() as usize].to_string()
    };
    assert_eq!(cut(copy, &sub["d"]), "safety");
    assert_eq!(cut(source, &sub["s"]), "security");
}

#[test]
fn documents_in_relations_are_embedded_first() {
    let mut f = common::fixture();
    // Put the unrelated document first in input order.
    f.docs.rotate_right(1);
    let (page, _dir) = render(
        &f,
        HtmlReportConfig {
            max_embedded_documents: 2,
            ..HtmlReportConfig::default()
        },
    );
    let data: Value = serde_json::from_str(data_block(&page)).unwrap();
    let embedded: Vec<bool> = data["docs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.get("t").is_some())
        .collect();
    assert_eq!(embedded, [false, true, true]);
    assert!(data["rels"][0]["rows"].is_array());
    assert!(
        page.contains("Texts of 2 of 3 documents are embedded"),
        "left-out note"
    );
    assert!(page.contains("1 documents are listed without their text, and 0 of 1 relations"));

    let (page, _dir) = render(
        &f,
        HtmlReportConfig {
            max_embedded_documents: 1,
            ..HtmlReportConfig::default()
        },
    );
    let data: Value = serde_json::from_str(data_block(&page)).unwrap();
    assert!(
        data["rels"][0]["rows"].is_null(),
        "no view without both texts"
    );
    assert!(page.contains("and 1 of 1 relations have no side-by-side view"));
}

#[test]
fn title_and_metadata_are_escaped() {
    let f = common::fixture();
    let (page, _dir) = render(
        &f,
        HtmlReportConfig {
            title: "<b>News</b> & co".into(),
            ..HtmlReportConfig::default()
        },
    );
    assert!(page.contains("<title>&lt;b&gt;News&lt;/b&gt; &amp; co</title>"));
    assert_eq!(
        page.matches("<script").count(),
        2,
        "only the data block and the page script"
    );
    assert!(!page.contains("<img"));
}

#[test]
fn non_ascii_spans_become_utf16_offsets() {
    let mut d = Document::new("u", Source::default(), "😀 Café safety");
    let start = d.text.find("safety").unwrap();
    let mut subs = vec![copydesk_core::SpinSubstitution {
        start,
        end: start + 6,
        spun: "safety".into(),
        original: "security".into(),
        confidence: 1.0,
        evidence: "intrinsic".into(),
    }];
    let repaired = copydesk_core::SpinVerdict::apply(&d.text, &mut subs);
    d.set_ext(
        "spin",
        &copydesk_core::SpinVerdict {
            spun: true,
            score: 0.7,
            repaired,
            source: None,
            substitutions: subs,
        },
    )
    .unwrap();
    let f = common::Fixture {
        docs: vec![d],
        corpus: Default::default(),
        stats: vec![],
        failures: vec![],
    };
    let (page, _dir) = render(&f, HtmlReportConfig::default());
    let data: Value = serde_json::from_str(data_block(&page)).unwrap();
    let spin = &data["texts"][0]["spin"];
    // "😀" is 2 UTF-16 units, "é" one: "safety" starts at unit 8.
    assert_eq!(spin["subs"][0]["at"], serde_json::json!([8, 14]));
    assert!(
        spin.get("repaired").is_none(),
        "repaired is rebuilt by the script when it matches"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn arbitrary_text_never_escapes_the_data_block(
        text in "(\\PC|</script>|<!--|</|<script>|\\u{2028})*",
        id in "\\PC{0,10}",
        headline in "(\\PC|</script>|<!--)*",
    ) {
        let mut d = Document::new(id.clone(), Source { path: headline.clone(), ..Source::default() }, text.clone());
        d.meta.headline = Some(headline.clone());
        d.meta.captions = vec![text.clone()];
        d.ext.insert("provenance".into(), serde_json::json!({"story": text.clone()}));
        let f = common::Fixture { docs: vec![d], corpus: Default::default(), stats: vec![], failures: vec![text.clone()] };
        let (page, _dir) = render(&f, HtmlReportConfig::default());
        let block = data_block(&page);
        prop_assert!(!block.contains("</"));
        prop_assert!(!block.contains("<!--"));
        prop_assert!(!block.contains('<'));
        let data: Value = serde_json::from_str(block).unwrap();
        prop_assert_eq!(data["texts"][0]["text"].as_str(), Some(text.as_str()));
        prop_assert_eq!(data["docs"][0]["id"].as_str(), Some(id.as_str()));
        // Outside the block, the page has exactly its own two scripts.
        prop_assert_eq!(page.matches("<script").count(), 2);
        prop_assert!(page.ends_with("</html>\n"));
    }
}
