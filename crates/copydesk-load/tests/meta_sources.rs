//! Each metadata source of an HTML page, alone.

use copydesk_load::extract::{ExtractionOptions, Focus, HtmlExtractor};

fn page(head: &str, body_extra: &str) -> String {
    let p = "<p>The regional council approved the new budget on Thursday after a long debate about school funding, road repairs and the cost of public transport for the coming year.</p>";
    format!("<html><head>{head}</head><body><article>{body_extra}{p}{p}</article></body></html>")
}

fn meta_of(html: &str) -> copydesk_core::Meta {
    let x = HtmlExtractor::new(ExtractionOptions::new("auto", true, Focus::Recall, 50).unwrap());
    x.extract(html.as_bytes(), None).unwrap().meta
}

#[test]
fn published_time_meta_tag() {
    let m = meta_of(&page(
        "<meta property=\"article:published_time\" content=\"2023-06-07T08:00:00+02:00\">",
        "",
    ));
    assert_eq!(m.date.as_deref(), Some("2023-06-07"));
}

#[test]
fn json_ld_news_article() {
    let m = meta_of(&page(
        r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Council passes budget","datePublished":"2023-06-07","author":{"@type":"Person","name":"Maria Lopez"},"publisher":{"@type":"Organization","name":"The Valley Post"}}</script>"#,
        "",
    ));
    assert_eq!(m.headline.as_deref(), Some("Council passes budget"));
    assert_eq!(m.byline.as_deref(), Some("Maria Lopez"));
    assert_eq!(m.date.as_deref(), Some("2023-06-07"));
    assert_eq!(m.outlet.as_deref(), Some("The Valley Post"));
}

#[test]
fn time_element() {
    let m = meta_of(&page(
        "",
        "<time datetime=\"2023-06-07T10:15:00Z\">7 June 2023</time>",
    ));
    assert_eq!(m.date.as_deref(), Some("2023-06-07"));
}

#[test]
fn canonical_link_and_og_url() {
    let m = meta_of(&page(
        "<link rel=\"canonical\" href=\"https://valley.example/budget\">",
        "",
    ));
    assert_eq!(m.url.as_deref(), Some("https://valley.example/budget"));
    let m = meta_of(&page(
        "<meta property=\"og:url\" content=\"https://valley.example/og\"><meta property=\"og:site_name\" content=\"Valley Post\">",
        "",
    ));
    assert_eq!(m.url.as_deref(), Some("https://valley.example/og"));
    assert_eq!(m.outlet.as_deref(), Some("Valley Post"));
}
