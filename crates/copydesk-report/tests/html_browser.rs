//! The HTML report in a real headless browser: the overview renders, the
//! script renders tables and the side-by-side view, and markup inside
//! documents stays text.

mod common;

use copydesk_report::{HtmlReport, HtmlReportConfig};
use std::path::{Path, PathBuf};
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium, or `None` after a loud skip message (a failure under CI).
fn chromium() -> Option<&'static str> {
    if Path::new(CHROMIUM).exists() {
        return Some(CHROMIUM);
    }
    if std::env::var_os("CI").is_some() {
        panic!("chromium required: .ci/run installs it ({CHROMIUM} not found)");
    }
    eprintln!("\n*** SKIPPED html_browser: {CHROMIUM} not found (apt-get install chromium) ***\n");
    None
}

/// Runs headless chromium on `page` with `extra` arguments; returns stdout.
fn run_chromium(browser: &str, profile: &Path, page: &str, extra: &[&str]) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(page)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write_report(dir: &Path) -> PathBuf {
    let f = common::fixture();
    let mut report = HtmlReport::new(HtmlReportConfig::default());
    let files = common::run_report(&mut report, &f, dir);
    files[0].clone()
}

/// A copy of the page with a probe script (carrying the page's own CSP
/// nonce) that records `window.__pwned` in a `data-probe` attribute once
/// any injected handler would have run.
fn with_probe(page: &Path) -> PathBuf {
    let html = std::fs::read_to_string(page).unwrap();
    let at = html.find("<script nonce=\"").expect("page script") + "<script nonce=\"".len();
    let nonce = &html[at..at + html[at..].find('"').unwrap()];
    let probe = format!(
        "<script nonce=\"{nonce}\">setTimeout(function () {{ document.documentElement\
         .setAttribute('data-probe', 'pwned=' + String(window.__pwned)); }}, 500);</script>\n</body>"
    );
    let probed = page.with_file_name("probed.html");
    std::fs::write(&probed, html.replacen("</body>", &probe, 1)).unwrap();
    probed
}

#[test]
fn page_renders_and_document_markup_stays_text() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = with_probe(&write_report(dir.path()));
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}#rel=0", page.display());
    let dom = run_chromium(browser, profile.path(), &url, &["--dump-dom"]);
    assert!(
        dom.contains("data-probe=\"pwned=undefined\""),
        "injected code ran or probe missing:\n{dom}"
    );

    // The script ran to the end and rendered the tables and the relation view.
    assert!(
        dom.contains("data-ready=\"1\""),
        "script did not finish:\n{dom}"
    );
    assert!(!dom.contains("data-error=\""), "script error:\n{dom}");
    assert!(dom.contains("id=\"count-documents\"><span class=\"n\">3</span>"));
    assert!(dom.contains("id=\"count-spun\"><span class=\"n\">1</span>"));
    assert!(dom.contains("class=\"pair\""), "no side-by-side view");
    assert!(
        dom.contains("<del class=\"was\">security</del>"),
        "substitution not shown"
    );
    assert!(dom.contains("dropped from the copy"));
    // A clause added (or dropped) inside an aligned sentence is marked in
    // that sentence's row, not given a row of its own.
    assert!(
        dom.contains(
            "<mark class=\"new\" title=\"only in the copy (added)\">claimed by separatists</mark>"
        ),
        "inline added clause not marked:\n{dom}"
    );
    assert!(
        dom.contains(
            "<mark class=\"gone\" title=\"only in the source (dropped)\">since 2015</mark>"
        ),
        "inline dropped clause not marked"
    );
    assert!(dom.contains("1 of 1 shown"), "relations table not rendered");

    // Injected markup is text, never elements; nothing ran.
    assert!(
        dom.contains("&lt;script&gt;window.__pwned=1&lt;/script&gt;"),
        "markup not shown as text"
    );
    assert!(dom.contains("&lt;/script&gt;&lt;img src=x onerror="));
    assert!(
        !dom.contains("<img src=\"x\""),
        "an injected img element exists:\n{dom}"
    );
    assert!(!dom.contains("<b>bold</b>"));

    // The document view shows the same text (and the provenance JSON) safely.
    let doc_url = format!("file://{}#doc=0", page.display());
    let dom = run_chromium(browser, profile.path(), &doc_url, &["--dump-dom"]);
    assert!(dom.contains("data-ready=\"1\""));
    assert!(
        dom.contains("data-probe=\"pwned=undefined\""),
        "injected code ran:\n{dom}"
    );
    assert!(dom.contains("Repaired text"));
    assert!(dom.contains("<ins class=\"restored\" title=\"was: safety\">security</ins>"));
    assert!(dom.contains("one official"), "quote speaker missing");
    assert!(!dom.contains("<img src=\"x\""));
    assert!(!dom.contains("<i>report</i>"));
    assert!(
        dom.contains("window.__pwned=4"),
        "provenance JSON shown as text"
    );
    assert_eq!(
        dom.matches("<script").count(),
        3,
        "only the page's two scripts and the test probe"
    );
}

/// Screenshots of the overview, a relation view and a document view. Set
/// `COPYDESK_REPORT_SCREENSHOTS=<dir>` to keep the page and the pictures.
#[test]
fn screenshots_of_the_views() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = write_report(dir.path());
    for (name, fragment) in [
        ("overview", ""),
        ("relation", "#rel=0"),
        ("document", "#doc=0"),
    ] {
        let profile = tempfile::tempdir().unwrap();
        let shot = dir.path().join(format!("{name}.png"));
        let url = format!("file://{}{fragment}", page.display());
        run_chromium(
            browser,
            profile.path(),
            &url,
            &[
                &format!("--screenshot={}", shot.display()),
                "--window-size=1400,1000",
            ],
        );
        let png = std::fs::read(&shot).expect("screenshot written");
        assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
        assert!(png.len() > 10_000, "{name}: screenshot suspiciously small");
    }
    if let Some(keep) = std::env::var_os("COPYDESK_REPORT_SCREENSHOTS") {
        let keep = std::path::PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        for name in [
            "report.html",
            "overview.png",
            "relation.png",
            "document.png",
        ] {
            std::fs::copy(dir.path().join(name), keep.join(name)).unwrap();
        }
    }
}
