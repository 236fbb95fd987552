//! The page's markup: everything a reader sees without JavaScript (the
//! overview counts, stage table, failures), the containers the script
//! fills, the embedded data block and the inline style and script.

use super::escape::escape_html;
use crate::corpus::{Relations, summary_lines};
use crate::facts::one_line;
use copydesk_core::CorpusSummary;
use std::fmt::Write as _;

/// The page's stylesheet.
const STYLE: &str = include_str!("../../assets/report.css");
/// The page's script.
pub const SCRIPT: &str = include_str!("../../assets/report.js");

/// Failures listed on the page.
const MAX_FAILURES: usize = 50;

/// Figures the overview shows.
pub struct Overview<'a> {
    /// The page title.
    pub title: &'a str,
    /// Documents written.
    pub documents: usize,
    /// Documents whose text is embedded.
    pub embedded: usize,
    /// Documents whose spin verdict says spun.
    pub spun_documents: usize,
    /// Distinct story or cluster ids given by the provenance stage (0: none given).
    pub stories: usize,
    /// The run's relations.
    pub relations: &'a Relations,
    /// Relations whose side-by-side view is available.
    pub relations_with_view: usize,
    /// The option limiting embedded texts.
    pub max_embedded_documents: usize,
}

/// Everything before the data block.
pub fn head(o: &Overview<'_>, summary: &CorpusSummary<'_>, nonce: &str) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let title = escape_html(o.title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; img-src data:; \
         base-uri 'none'; form-action 'none'\">\n\
         <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n"
    );
    let _ = write!(
        out,
        "<header class=\"top\"><h1>{title}</h1><nav>\
         <a href=\"#overview\">Overview</a> <a href=\"#relations\">Relations</a> \
         <a href=\"#documents\">Documents</a></nav></header>\n<main>\n"
    );
    out.push_str(
        "<noscript><p class=\"note\">The relation and document tables and the \
         side-by-side views need JavaScript; the overview below does not.</p></noscript>\n",
    );
    out.push_str("<section id=\"view\" class=\"view\" hidden></section>\n");
    overview(&mut out, o, summary);
    out.push_str(
        "<section id=\"relations\"><h2>Relations</h2>\
         <div class=\"table-host\" id=\"relations-table\"><p class=\"note\">Loading…</p></div></section>\n\
         <section id=\"documents\"><h2>Documents</h2>\
         <div class=\"table-host\" id=\"documents-table\"><p class=\"note\">Loading…</p></div></section>\n\
         </main>\n",
    );
    out
}

fn overview(out: &mut String, o: &Overview<'_>, summary: &CorpusSummary<'_>) {
    out.push_str("<section id=\"overview\"><h2>Overview</h2>\n<div class=\"cards\">\n");
    card(out, "documents", "Documents", o.documents, "");
    if o.stories > 0 {
        card(out, "stories", "Stories", o.stories, "");
    }
    card(
        out,
        "relations",
        "Relations",
        o.relations.relations.len(),
        "",
    );
    for (kind, n) in o.relations.counts_by_kind() {
        let label = match kind.as_str() {
            "same_story" => "Same story",
            "verbatim" => "Verbatim",
            "syndicated" => "Syndicated",
            "spun" => "Spun",
            other => other,
        };
        card(
            out,
            kind.as_str(),
            label,
            n,
            &format!(" kind-{}", kind.as_str()),
        );
    }
    card(
        out,
        "spun-documents",
        "Spun documents",
        o.spun_documents,
        "",
    );
    card(out, "failures", "Failures", summary.failures.len(), "");
    out.push_str("</div>\n");

    let lines = summary_lines(summary.corpus);
    if !lines.is_empty() {
        out.push_str("<h3>Corpus figures</h3>\n<dl class=\"figures\">\n");
        for (k, v) in &lines {
            let _ = writeln!(
                out,
                "<div><dt>{}</dt><dd>{}</dd></div>",
                escape_html(k),
                escape_html(&one_line(v, 200))
            );
        }
        out.push_str("</dl>\n");
    }

    if o.embedded < o.documents || o.relations_with_view < o.relations.relations.len() {
        let _ = writeln!(
            out,
            "<p class=\"note\" id=\"left-out\">Texts of {} of {} documents are embedded \
             (max_embedded_documents = {}; documents in relations first): {} documents are \
             listed without their text, and {} of {} relations have no side-by-side view. \
             documents.jsonl has every text.</p>",
            o.embedded,
            o.documents,
            o.max_embedded_documents,
            o.documents - o.embedded,
            o.relations.relations.len() - o.relations_with_view,
            o.relations.relations.len()
        );
    }
    if !o.relations.malformed.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"note warn\">{} relation rows could not be read; first: {}</p>",
            o.relations.malformed.len(),
            escape_html(&o.relations.malformed[0])
        );
    }

    if !summary.stats.is_empty() {
        out.push_str(
            "<h3>Run</h3>\n<table class=\"stats\"><thead><tr><th>stage</th><th>in</th>\
             <th>out</th><th>failed</th><th>seconds</th></tr></thead><tbody>\n",
        );
        for s in summary.stats {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{:.2}</td></tr>",
                escape_html(&s.stage),
                s.docs_in,
                s.docs_out,
                s.failed,
                s.time.as_secs_f64()
            );
        }
        out.push_str("</tbody></table>\n");
    }

    if !summary.failures.is_empty() {
        let total = summary.failures.len();
        let _ = writeln!(
            out,
            "<details class=\"failures\"><summary>{total} failure(s){}</summary><ul>",
            if total > MAX_FAILURES {
                format!(", first {MAX_FAILURES} listed")
            } else {
                String::new()
            }
        );
        for f in summary.failures.iter().take(MAX_FAILURES) {
            let _ = writeln!(
                out,
                "<li><code>{}</code></li>",
                escape_html(&one_line(f, 400))
            );
        }
        out.push_str("</ul></details>\n");
    }
    out.push_str(
        "<p class=\"legend-note\">Open a relation to compare the source and the copy side by \
         side, or a document to see its spin verdict and repaired text.</p>\n</section>\n",
    );
}

fn card(out: &mut String, id: &str, label: &str, n: usize, class: &str) {
    let _ = writeln!(
        out,
        "<div class=\"card{class}\" id=\"count-{id}\"><span class=\"n\">{n}</span>\
         <span class=\"label\">{}</span></div>",
        escape_html(label)
    );
}

/// The opening of the data block.
pub const DATA_OPEN: &str = "<script type=\"application/json\" id=\"copydesk-data\">";

/// Everything after the data block.
pub fn tail(nonce: &str) -> String {
    format!("</script>\n<script nonce=\"{nonce}\">\n{SCRIPT}</script>\n</body>\n</html>\n")
}
